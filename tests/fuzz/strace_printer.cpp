// SPDX-License-Identifier: MIT
// Fuzzes the strace example's TraceePrinter (examples/strace/printer.hpp) with arbitrary
// sequences of stops: entries, exits, signals, exits of the tracee and flushes in any order,
// over arbitrary memory, with or without a `-e trace=` filter.
//
// Input (little-endian): u8 filter size n, n u16 syscall numbers (modulo the table's size;
// the filter is off when n is 0), u16 `-s` selector (as in strace_decode), u16 length of the memory
// part, the memory segments (FakeMemory), then stops until the end, each a u8 kind and its data: 0
// entry (u16 syscall selector as in strace_decode, six u64 registers, u64 rsp), 1 exit (i64 rax),
// 2 signal (u8: the number in the low 7 bits; the high bit set, 128 bytes of its siginfo follow),
// 3 tracee exit (u16 wait status), 4 flush.
//
// Properties:
// - every line starts with the prefix and is printable ASCII;
// - each selected entry is printed exactly once: once the tracee exits or the printer is
//   flushed, the syscall lines number exactly the selected entries so far; before that,
//   never more; unselected entries are never printed;
// - one `--- SIG... ---` line per signal stop and one `+++ ... +++` line per tracee exit.
#include <ptrace/event.hpp>
#include <ptrace/signal_info.hpp>
#include <ptrace/syscalls.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "decode.hpp"
#include "fuzz.hpp"
#include "printer.hpp"

namespace {

using namespace strace_example;

/// Classifies the printer's lines as they come, checking each once.
struct Tally {
    std::size_t seen = 0; ///< lines already classified
    std::size_t syscalls = 0;
    std::size_t signals = 0;
    std::size_t exits = 0;

    void update(const std::vector<std::string>& lines, const std::string& prefix) {
        for (; seen < lines.size(); ++seen) {
            const std::string& line = lines[seen];
            FUZZ_CHECK(line.starts_with(prefix), fuzz::escaped(line));
            FUZZ_CHECK(fuzz::printable(line), fuzz::escaped(line));
            const std::string_view body = std::string_view(line).substr(prefix.size());
            if (body.starts_with("--- ") && body.ends_with(" ---")) {
                ++signals;
            } else if (body.starts_with("+++ ") && body.ends_with(" +++")) {
                ++exits;
            } else {
                ++syscalls;
            }
        }
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    ptrace_api::SyscallSet selected;
    const auto n = in.take<std::uint8_t>();
    for (unsigned i = 0; i < n; ++i) {
        // Filter's contract: numbers that name syscalls (what -e trace= produces).
        const auto& table = ptrace_api::syscall_table;
        (void)selected.insert(static_cast<std::uint64_t>(
            table[std::size_t{in.take<std::uint16_t>()} % table.size()].number));
    }
    const Filter filter = selected.empty() ? Filter() : Filter(selected);
    const std::size_t limit = fuzz::limit_for(in.take<std::uint16_t>());
    fuzz::Input memory_part(in.bytes(in.take<std::uint16_t>()));
    const fuzz::FakeMemory mem = fuzz::FakeMemory::parse(memory_part);
    const ReadMemory read = [&mem](std::uint64_t addr, std::span<std::byte> out) {
        return mem.read(addr, out);
    };

    const std::string prefix = "[pid 4242] ";
    std::vector<std::string> lines;
    Output out(lines);
    TraceePrinter printer(prefix, filter, out, limit);
    Tally got;
    std::size_t signals = 0; // stops fed so far
    std::size_t exits = 0;
    std::size_t entries = 0; // selected entries so far
    for (int stops = 0; !in.empty() && stops < 256; ++stops) {
        switch (in.take<std::uint8_t>() % 5) {
        case 0: {
            const long nr = fuzz::syscall_for(in.take<std::uint16_t>());
            std::array<std::uint64_t, 6> regs{};
            for (std::uint64_t& r : regs) {
                r = in.take<std::uint64_t>();
            }
            const auto sp = in.take<std::uint64_t>();
            printer.syscall_entry(nr, regs, read, sp);
            entries += filter.wants(nr) ? 1U : 0U;
            break;
        }
        case 1:
            printer.syscall_exit(static_cast<std::int64_t>(in.take<std::uint64_t>()), read);
            break;
        case 2: {
            const auto sig = in.take<std::uint8_t>();
            std::optional<ptrace_api::SignalInfo> info;
            if ((sig & 0x80U) != 0) {
                info.emplace();
                for (std::byte& b : info->bytes) {
                    b = std::byte{in.take<std::uint8_t>()};
                }
            }
            printer.signal(sig & 0x7f, info, read);
            ++signals;
            break;
        }
        case 3:
            printer.exit(ptrace_api::WaitStatus{in.take<std::uint16_t>()}, read);
            ++exits;
            got.update(lines, prefix);
            FUZZ_CHECK(got.syscalls == entries, "after an exit");
            break;
        default:
            printer.flush(read);
            got.update(lines, prefix);
            FUZZ_CHECK(got.syscalls == entries, "after a flush");
            break;
        }
        got.update(lines, prefix);
        FUZZ_CHECK(got.syscalls <= entries, "more lines than entries");
    }
    printer.flush(read);
    got.update(lines, prefix);
    FUZZ_CHECK(got.syscalls == entries, std::to_string(got.syscalls) + " lines for " +
                                            std::to_string(entries) + " selected entries");
    FUZZ_CHECK(got.signals == signals, "signal lines");
    FUZZ_CHECK(got.exits == exits, "exit lines");
    return 0;
}
