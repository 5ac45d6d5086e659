// SPDX-License-Identifier: MIT
// Fuzzes the strace example's argument decoders (examples/strace/decode.hpp, format.hpp) with
// arbitrary registers and arbitrary tracee memory, for every syscall number, at entry and exit.
//
// Input (little-endian; see fuzz.hpp): u16 syscall selector (below 0x8000: number modulo 512,
// every known syscall and some unknown ones; above: a negative number), u16 `-s` selector,
// six u64 argument registers (rdi, rsi, rdx, r10, r8, r9), u64 rsp (rt_sigreturn reads its
// signal frame there), u8 (bit 0: the call returned; bits 1-2: what the first argument is, for
// the send and receive calls: 0 no netlink socket, 1 a NETLINK_ROUTE socket, 2 a netlink socket
// of unknown protocol, 3 a NETLINK_SOCK_DIAG socket), i64 return value, then memory segments
// (FakeMemory) until the end.
//
// Properties:
// - the line is `name(args) = result` in printable ASCII only (every byte the tracee supplies
//   is escaped), starts with the display name, and `= ` sits at column 40 or after one space;
// - decoding is deterministic (a second decode of the same call prints the same line);
// - the result is `?` exactly when the call did not return, `-1 E...`/`? ERESTART...` for the
//   error range;
// - with memory that cannot be read at all, nothing is shown as read from it: no string (but
//   the `""` of a zero-length buffer), no struct (but rt_sigreturn's `{mask=ADDRESS}`, strace's
//   form), no array (but the `[]` of a CPU set of 0 bytes): strace shows the address instead;
// - no read asks for more than 1 MiB (getdents64's cap), and read_string_arg never reads
//   across a page boundary, returns at most `limit` bytes that are the tracee's, ends exactly
//   at the NUL when not cut, and succeeds whenever its whole window is mapped.
#include <ptrace/syscalls.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "decode.hpp"
#include "format.hpp"
#include "fuzz.hpp"

namespace {

using namespace strace_example;

struct Call {
    long nr = 0;
    std::size_t limit = default_string_limit;
    std::array<std::uint64_t, 6> regs{};
    std::uint64_t sp = 0;
    std::optional<std::int64_t> ret;
    std::optional<int> netlink; ///< the first argument's netlink protocol
};

std::string describe(const Call& c) {
    std::string out = "nr=" + std::to_string(c.nr) + " limit=" + std::to_string(c.limit) + " regs=";
    for (const std::uint64_t r : c.regs) {
        out += hex(r) + " ";
    }
    out += "sp=" + hex(c.sp) + " ";
    out += c.ret ? "ret=" + std::to_string(*c.ret) : std::string("no return");
    if (c.netlink) {
        out += " netlink=" + std::to_string(*c.netlink);
    }
    return out;
}

/// Wraps the fake memory and records what was asked of it.
struct Recorder {
    const fuzz::FakeMemory* mem;
    std::size_t reads = 0;
    std::size_t largest = 0;

    ReadMemory reader() {
        return [this](std::uint64_t addr, std::span<std::byte> out) {
            ++reads;
            largest = std::max(largest, out.size());
            return mem->read(addr, out);
        };
    }
};

struct Decoded {
    std::string call;   ///< `name(args)`
    std::string result; ///< what follows `= `
    std::string line;
};

Decoded decode(const Call& c, const ReadMemory& read) {
    const NetlinkLookup netlink = [&c](int) { return c.netlink; };
    const PendingCall pending = decode_entry(c.nr, c.regs, read, c.limit, c.sp, netlink);
    FUZZ_CHECK(pending.nr == c.nr && pending.regs == c.regs, describe(c));
    FUZZ_CHECK(pending.args.size() <= 6, describe(c));
    for (const Arg& a : pending.args) {
        FUZZ_CHECK(a.index < 6, describe(c));
    }
    Decoded d;
    d.call = call_text(pending, c.ret, read, c.limit);
    d.result = result_text(pending, c.ret, read, c.limit);
    d.line = syscall_line("", d.call, d.result);
    const auto what = [&] { return describe(c) + ": " + fuzz::escaped(d.line); };
    FUZZ_CHECK(fuzz::printable(d.line), what());
    FUZZ_CHECK(d.call.starts_with(ptrace_api::syscall_display_name(c.nr) + "(") &&
                   d.call.ends_with(")"),
               what());
    FUZZ_CHECK((d.result == "?") == !c.ret, what());
    if (c.ret && is_error_return(*c.ret)) {
        FUZZ_CHECK(d.result.starts_with("-1 ") || d.result.starts_with("? "), what());
    }
    // strace's column: `= ` at column 40, or one space after a longer call.
    const std::size_t at = std::max(d.call.size() + 1, result_column);
    FUZZ_CHECK(d.line.size() == at + 2 + d.result.size() && d.line.starts_with(d.call) &&
                   d.line.find_first_not_of(' ', d.call.size()) == at &&
                   d.line.compare(at, 2, "= ") == 0 && d.line.ends_with(d.result),
               what());
    return d;
}

/// read_string_arg against the memory it reads.
void check_c_string(const fuzz::FakeMemory& mem, std::uint64_t addr, std::size_t limit,
                    const Call& context) {
    bool crossed = false;
    const ReadMemory read = [&](std::uint64_t at, std::span<std::byte> out) {
        if (!out.empty() && (at % 4096) + out.size() > 4096) {
            crossed = true;
        }
        return mem.read(at, out);
    };
    const auto s = read_string_arg(read, addr, limit);
    const auto what = [&] { return describe(context) + " c_string@" + hex(addr); };
    FUZZ_CHECK(!crossed, what() + ": a read crossed a page boundary");
    if (!s) {
        // Fails only when part of its window [addr, addr + limit] is unmapped.
        FUZZ_CHECK(!mem.readable(addr, std::uint64_t{limit} + 1), what());
        return;
    }
    FUZZ_CHECK(s->text.size() <= limit, what());
    for (std::size_t i = 0; i < s->text.size(); ++i) {
        const int b = mem.byte_at(addr + i);
        FUZZ_CHECK(b > 0 && static_cast<char>(b) == s->text[i], what());
    }
    if (s->truncated) {
        FUZZ_CHECK(s->text.size() == limit && mem.byte_at(addr + limit) > 0, what());
    } else {
        FUZZ_CHECK(mem.byte_at(addr + s->text.size()) == 0, what());
    }
}

/// readv, writev and their p- and v2 forms: their iovec array of 0 elements prints as [].
bool is_vector_io(std::string_view name) {
    for (const std::string_view v : {"readv", "writev", "preadv", "pwritev", "preadv2", "pwritev2",
                                     "vmsplice", "process_madvise"}) {
        if (name == v) {
            return true;
        }
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    Call c;
    c.nr = fuzz::syscall_for(in.take<std::uint16_t>());
    c.limit = fuzz::limit_for(in.take<std::uint16_t>());
    for (std::uint64_t& r : c.regs) {
        r = in.take<std::uint64_t>();
    }
    c.sp = in.take<std::uint64_t>();
    const auto mode = in.take<std::uint8_t>();
    const bool returned = (mode & 1U) != 0;
    constexpr std::array<std::optional<int>, 4> sockets{std::nullopt, netlink_route,
                                                        netlink_unknown, 4};
    c.netlink = sockets[(mode >> 1U) & 3U];
    const auto ret = static_cast<std::int64_t>(in.take<std::uint64_t>());
    if (returned) {
        c.ret = ret;
    }
    const fuzz::FakeMemory mem = fuzz::FakeMemory::parse(in);

    Recorder rec{&mem};
    const Decoded first = decode(c, rec.reader());
    FUZZ_CHECK(rec.largest <= (std::size_t{1} << 20), describe(c));
    FUZZ_CHECK(decode(c, rec.reader()).line == first.line, describe(c) + ": not deterministic");

    // Nothing readable: addresses only. The one string that needs no read is a buffer of
    // length 0, shown as "" (as strace does); the arrays of no element are shown as [] (as
    // strace does): a CPU set of 0 bytes (a sched_getaffinity that returned 0, a
    // sched_setaffinity given 0), mincore's residency of 0 pages, poll's and
    // ppoll's array of 0 fds, setgroups' list of 0 ids, getgroups' and the epoll waits' when
    // they returned 0, an I/O vector of 0 elements, a NUMA node mask of 0 bits, and sendmmsg's
    // and recvmmsg's vector of 0 messages.
    const ReadMemory nothing = [](std::uint64_t, std::span<std::byte>) { return false; };
    const Decoded blind = decode(c, nothing);
    std::string shown = blind.call;
    const std::string_view name = ptrace_api::syscall_name(c.nr);
    const bool returned_0 = c.ret && *c.ret == 0;
    const bool empty_array =
        ((name == "sched_getaffinity" || name == "getgroups" || name == "epoll_wait" ||
          name == "epoll_pwait" || name == "epoll_pwait2") &&
         returned_0) ||
        ((name == "poll" || name == "ppoll") && (c.regs[1] & 0xffffffff) == 0) ||
        (name == "sched_setaffinity" && (c.regs[1] & 0xffffffff) == 0) ||
        (name == "mincore" && c.regs[1] == 0 && c.ret && !is_error_return(*c.ret)) ||
        (name == "setgroups" && (c.regs[0] & 0xffffffff) == 0) ||
        ((name == "set_mempolicy" || name == "get_mempolicy") && c.regs[2] == 0) ||
        (name == "mbind" && c.regs[4] == 0) || (is_vector_io(name) && c.regs[2] == 0) ||
        (name == "recvmmsg" && returned_0) || (name == "sendmmsg" && (c.regs[2] & 0xffffffff) == 0);
    for (const std::string_view allowed :
         {std::string_view("\"\""), std::string_view("{mask="),
          empty_array ? std::string_view("[]") : std::string_view("\"\"")}) {
        for (std::size_t at = shown.find(allowed); at != std::string::npos;
             at = shown.find(allowed)) {
            shown.erase(at, allowed.size());
        }
    }
    FUZZ_CHECK(shown.find_first_of("\"{[") == std::string::npos, describe(c) + ": " + blind.line);

    // The string reader on the first argument and on every segment start.
    const std::size_t limit = std::min<std::size_t>(c.limit, path_limit);
    check_c_string(mem, c.regs[0], limit, c);
    for (std::size_t i = 0; i < mem.segments().size() && i < 4; ++i) {
        check_c_string(mem, mem.segments()[i].addr, limit, c);
    }
    return 0;
}
