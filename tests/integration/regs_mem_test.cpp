// SPDX-License-Identifier: MIT
// Integration tests for register and memory handles (spec 2.J, 2.K, decisions 9 and 15).

#include <ptrace/shim/memory_io.hpp>

#include <limits>
#include <sstream>

#include "support.hpp"

using namespace support;

namespace {

/// A spinning tracee stopped at a single-step stop, with its regs and mem handles.
struct Stepped {
    Scenario sc;
    pid_t pid = 0;
    int fd = -1;
    int regs = -1;
    int mem = -1;

    Stepped() {
        pid = spinning(sc);
        fd = sc.open_trace(pid, O_TRUNC);
        regs = sc.open(path(pid, "regs/int"));
        mem = sc.open(path(pid, "mem"));
        REQUIRE(op(fd, PtraceFlags::STOP_SINGLESTEP).value() == 8);
        REQUIRE(cause(one_event(fd)) == PtraceFlags::STOP_SINGLESTEP.bits());
    }
};

/// The first unmapped page after a mapping of `pid` that is followed by a gap.
std::uint64_t mapping_end_before_gap(pid_t pid) {
    std::string maps;
    const std::string file = "/proc/" + std::to_string(pid) + "/maps";
    REQUIRE(shim::sys::read_small_file(file.c_str(), maps));
    std::istringstream in(maps);
    std::string line;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    while (std::getline(in, line)) {
        const auto dash = line.find('-');
        const auto space = line.find(' ');
        ranges.emplace_back(std::stoull(line.substr(0, dash), nullptr, 16),
                            std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16));
    }
    for (std::size_t i = 0; i + 1 < ranges.size(); ++i) {
        if (ranges[i].second != ranges[i + 1].first) {
            return ranges[i].second;
        }
    }
    FAIL("no gap in the address space");
    return 0;
}

/// `len` bytes at `at` of the mem handle `mem`.
std::vector<std::byte> peek_mem(int mem, std::uint64_t at, std::size_t len) {
    std::vector<std::byte> out(len);
    REQUIRE(shim::lseek(mem, static_cast<std::int64_t>(at), SEEK_SET));
    REQUIRE(shim::read(mem, out).value() == len);
    return out;
}

/// K2's fallback as the shim runs it (shim::detail::poke_range, on the tracer thread, the
/// tracee stopped). \returns 0 or its errno.
int poke_on_tracer_thread(pid_t pid, std::span<const std::byte> in, std::uint64_t at) {
    int err = -1;
    auto job = [&] {
        shim::LinuxBackend be;
        err = shim::detail::poke_range(be, pid, in.data(), in.size(), at);
    };
    REQUIRE(shim::run_on_tracer_thread(job).has_value());
    return err;
}

} // namespace

TEST_SUITE("integration") {

    TEST_CASE("J1: regs/int returns min(len, 168) bytes, at a stop and while running") {
        Stepped t;
        const IntRegisters full = int_regs(t.regs);
        std::array<std::byte, 10> small{};
        CHECK(shim::read(t.regs, small).value() == 10);
        const bool same_prefix = std::memcmp(small.data(), &full, small.size()) == 0;
        CHECK(same_prefix);
        std::array<std::byte, 200> big{};
        CHECK(shim::read(t.regs, big).value() == sizeof(IntRegisters));
        CHECK(full.cs == 0x33);
        CHECK(full.ss == 0x2b);
    }

    TEST_CASE("J1: reading registers of a running tracee leaves it running and reports nothing") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid, O_NONBLOCK);
        const int regs = sc.open(path(pid, "regs/int"));
        const int fregs = sc.open(path(pid, "regs/float"));
        CHECK(op(fd, PtraceFlags::STOP_EXIT).value() == 8);
        for (int i = 0; i < 10; ++i) {
            CHECK(int_regs(regs).rip != 0);
            std::array<std::byte, sizeof(FloatRegisters)> f{};
            CHECK(shim::read(fregs, f).value() == sizeof(FloatRegisters));
        }
        CHECK(events(fd).empty());
        CHECK(eventually([&] { return proc_state(pid) == 'R'; }));
    }

    TEST_CASE("J2/decision 9: a full regs/int write sets registers; a short one returns 0") {
        Stepped t;
        IntRegisters r = int_regs(t.regs);
        const IntRegisters before = r;
        std::array<std::byte, 100> short_buf{};
        CHECK(shim::write(t.regs, short_buf).value() == 0);
        CHECK(int_regs(t.regs) == before);
        r.r12 = 0x1234'5678;
        r.r13 = 0xdead'beef;
        r.rflags |= 0x1; // CF: a user-writable flag (decision 9)
        CHECK(set_int_regs(t.regs, r).value() == sizeof(IntRegisters));
        const IntRegisters after = int_regs(t.regs);
        CHECK(after.r12 == 0x1234'5678);
        CHECK(after.r13 == 0xdead'beef);
        CHECK((after.rflags & 0x1) == 0x1);
        // Linux's own refusals stand: a kernel code segment selector is rejected.
        IntRegisters bad = after;
        bad.cs = 0x10;
        CHECK_ERRC(set_int_regs(t.regs, bad), std::errc::invalid_argument);
        CHECK(int_regs(t.regs).cs == 0x33);
        CHECK(set_int_regs(t.regs, before).value() == sizeof(IntRegisters));
        CHECK(int_regs(t.regs) == before);
    }

    TEST_CASE("J4: regs/float reads the FXSAVE prefix and writes it back") {
        Stepped t;
        const int fregs = t.sc.open(path(t.pid, "regs/float"));
        std::array<std::byte, sizeof(FloatRegisters)> buf{};
        REQUIRE(shim::read(fregs, buf).value() == sizeof(FloatRegisters));
        FloatRegisters f{};
        std::memcpy(&f, buf.data(), sizeof f);
        CHECK(f.fcw == 0x37f);
        CHECK((f.mxcsr & 0xffc0) == 0x1f80);
        std::array<std::byte, 8> small{};
        CHECK(shim::read(fregs, small).value() == 8);
        CHECK(shim::write(fregs, small).value() == 0); // shorter than 416: no effect
        for (std::size_t i = 0; i < 16; ++i) {
            f.xmm_space[15][i] = static_cast<std::uint8_t>(0xa0 + i);
        }
        std::memcpy(buf.data(), &f, sizeof f);
        CHECK(shim::write(fregs, buf).value() == sizeof(FloatRegisters));
        std::array<std::byte, sizeof(FloatRegisters)> again{};
        REQUIRE(shim::read(fregs, again).value() == sizeof(FloatRegisters));
        FloatRegisters g{};
        std::memcpy(&g, again.data(), sizeof g);
        CHECK(g.xmm_space[15] == f.xmm_space[15]);
    }

    TEST_CASE("regs/env reads fs_base/gs_base and writes them back") {
        Stepped t;
        const int env = t.sc.open(path(t.pid, "regs/env"));
        std::array<std::byte, 16> buf{};
        REQUIRE(shim::read(env, buf).value() == 16);
        std::uint64_t fsbase = 0;
        std::memcpy(&fsbase, buf.data(), sizeof fsbase);
        CHECK(fsbase != 0); // glibc's thread pointer
        CHECK(shim::write(env, std::span<const std::byte>(buf.data(), 15)).value() == 0);
        CHECK(shim::write(env, buf).value() == 16);
        std::array<std::byte, 16> again{};
        REQUIRE(shim::read(env, again).value() == 16);
        CHECK(again == buf);
    }

    TEST_CASE("Decision 15: register access never clears an O_TRUNC freeze") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid, O_TRUNC);
        const int regs = sc.open(path(pid, "regs/int"));
        const int fregs = sc.open(path(pid, "regs/float"));
        const IntRegisters r = int_regs(regs);
        CHECK(set_int_regs(regs, r).value() == sizeof r);
        std::array<std::byte, sizeof(FloatRegisters)> f{};
        CHECK(shim::read(fregs, f).value() == sizeof f);
        std::this_thread::sleep_for(30ms);
        CHECK(proc_state(pid) == 't');
        CHECK(int_regs(regs).rip == r.rip);
        CHECK(events(fd).empty());
    }

    TEST_CASE("K1: mem reads at the offset and advances it; lseek follows Redox") {
        Stepped t;
        const std::uint64_t rip = int_regs(t.regs).rip;
        CHECK(shim::lseek(t.mem, static_cast<std::int64_t>(rip), SEEK_SET).value() == rip);
        std::array<std::byte, 16> code{};
        CHECK(shim::read(t.mem, code).value() == 16);
        CHECK(shim::lseek(t.mem, 0, SEEK_CUR).value() == rip + 16);
        CHECK(shim::lseek(t.mem, -16, SEEK_CUR).value() == rip);
        CHECK(shim::lseek(t.mem, std::numeric_limits<std::int64_t>::min(), SEEK_CUR).value() ==
              0); // clamped at 0
        CHECK(shim::lseek(t.mem, 0, SEEK_END).value() ==
              static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
        CHECK(shim::lseek(t.mem, -1, SEEK_END).value() ==
              static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() - 1));
        CHECK_ERRC(shim::lseek(t.mem, 0, 17), std::errc::bad_file_descriptor);
        std::array<std::byte, 0> none{};
        CHECK(shim::read(t.mem, none).value() == 0);
    }

    TEST_CASE("K1: unmapped ranges are EFAULT with nothing transferred and the offset unchanged") {
        Stepped t;
        std::array<std::byte, 8> buf{};
        CHECK(shim::lseek(t.mem, 0, SEEK_SET).value() == 0);
        CHECK_ERRC(shim::read(t.mem, buf), std::errc::bad_address);
        CHECK(shim::lseek(t.mem, 0, SEEK_CUR).value() == 0);
        // A range that starts mapped and ends unmapped: all or nothing.
        const std::uint64_t end = mapping_end_before_gap(t.pid);
        const auto start = static_cast<std::int64_t>(end - 4);
        CHECK(shim::lseek(t.mem, start, SEEK_SET).value() == end - 4);
        CHECK_ERRC(shim::read(t.mem, buf), std::errc::bad_address);
        CHECK_ERRC(shim::write(t.mem, buf), std::errc::bad_address);
        CHECK(shim::lseek(t.mem, 0, SEEK_CUR).value() == end - 4);
        std::array<std::byte, 4> head{};
        CHECK(shim::read(t.mem, head).value() == 4); // the mapped part alone is fine
        // Offsets beyond what Linux can address are EFAULT too.
        CHECK(shim::lseek(t.mem, -1, SEEK_SET).value() == ~std::uint64_t{0});
        CHECK_ERRC(shim::read(t.mem, buf), std::errc::bad_address);
    }

    TEST_CASE("K1: reads of 64 KiB and more (process_vm_readv) keep the /proc semantics: "
              "PROT_NONE readable, a range into a gap EFAULT with the offset unchanged") {
        Scenario sc;
        int out = -1;
        const pid_t pid = sc.spawn({"region"}, &out);
        std::string line;
        char c = 0;
        while (::read(out, &c, 1) == 1 && c != '\n') {
            line.push_back(c);
        }
        (void)::close(out);
        const std::uint64_t base = std::stoull(line, nullptr, 16);
        constexpr std::size_t half = std::size_t{128} << 10;
        REQUIRE(half >= shim::detail::vm_readv_threshold);
        const int mem = sc.open(path(pid, "mem"));
        std::vector<std::byte> buf(half);
        auto expect_pattern = [&](std::size_t first) {
            std::size_t wrong = 0;
            for (std::size_t i = 0; i < buf.size(); ++i) {
                wrong += buf[i] == std::byte(((first + i) * 7) & 0xff) ? 0U : 1U;
            }
            CHECK(wrong == 0);
        };
        // The readable half: one large read, and the offset advances by its size.
        REQUIRE(shim::lseek(mem, static_cast<std::int64_t>(base), SEEK_SET));
        CHECK(shim::read(mem, buf).value() == half);
        expect_pattern(0);
        CHECK(shim::lseek(mem, 0, SEEK_CUR).value() == base + half);
        // The PROT_NONE half: process_vm_readv refuses it, /proc/<pid>/mem reads it.
        std::fill(buf.begin(), buf.end(), std::byte{0});
        CHECK(shim::read(mem, buf).value() == half);
        expect_pattern(half);
        // Straddling the end of the mapping: nothing transferred, offset unchanged.
        const std::uint64_t start = base + 2 * half - 4;
        REQUIRE(shim::lseek(mem, static_cast<std::int64_t>(start), SEEK_SET));
        CHECK_ERRC(shim::read(mem, buf), std::errc::bad_address);
        CHECK(shim::lseek(mem, 0, SEEK_CUR).value() == start);
    }

    TEST_CASE("K2/D6/J2: writes go through read-only text: plant an int3, hit it, restore") {
        Stepped t;
        IntRegisters r = int_regs(t.regs);
        const std::uint64_t at = r.rip;
        std::array<std::byte, 1> orig{};
        REQUIRE(shim::lseek(t.mem, static_cast<std::int64_t>(at), SEEK_SET));
        REQUIRE(shim::read(t.mem, orig).value() == 1);
        const std::array<std::byte, 1> int3{std::byte{0xcc}};
        REQUIRE(shim::lseek(t.mem, static_cast<std::int64_t>(at), SEEK_SET));
        CHECK(shim::write(t.mem, int3).value() == 1);
        CHECK(shim::lseek(t.mem, 0, SEEK_CUR).value() == at + 1);
        const PtraceEvent ev = [&] {
            REQUIRE(op(t.fd, PtraceFlags::STOP_BREAKPOINT).value() == 8);
            return one_event(t.fd);
        }();
        CHECK(cause(ev) == PtraceFlags::STOP_BREAKPOINT.bits());
        r = int_regs(t.regs);
        CHECK(r.rip == at + 1);
        // Restore the byte and the rip, then keep going: a debugger's step-over.
        REQUIRE(shim::lseek(t.mem, static_cast<std::int64_t>(at), SEEK_SET));
        CHECK(shim::write(t.mem, orig).value() == 1);
        r.rip = at;
        CHECK(set_int_regs(t.regs, r).value() == sizeof r);
        CHECK(op(t.fd, PtraceFlags::STOP_SINGLESTEP | PtraceFlags::FLAG_IGNORE).value() == 8);
        CHECK(cause(one_event(t.fd)) == PtraceFlags::STOP_SINGLESTEP.bits());
        CHECK(int_regs(t.regs).rip != at);
    }

    TEST_CASE("K2: the POKEDATA fallback writes read-only text word by word at a stop, keeps "
              "the bytes around, and fails at an unmapped page before any poke") {
        // Linux refuses forced writes through /proc/<pid>/mem only under
        // proc_mem.force_override=never (or =ptrace, from a thread other than the tracer
        // thread), a boot choice: where they are allowed, as on the CI machines, shim::write
        // never takes the fallback, so its pokes are run here as the shim runs them.
        Stepped t;
        const std::uint64_t at = (int_regs(t.regs).rip & ~std::uint64_t{7}) + 3;
        const std::vector<std::byte> orig = peek_mem(t.mem, at - 3, 24);
        const std::vector<std::byte> in(13, std::byte{0x90});
        CHECK(poke_on_tracer_thread(t.pid, in, at) == 0);
        const std::vector<std::byte> now = peek_mem(t.mem, at - 3, 24);
        CHECK(std::equal(now.begin(), now.begin() + 3, orig.begin()));
        CHECK(std::equal(now.begin() + 3, now.begin() + 16, in.begin()));
        CHECK(std::equal(now.begin() + 16, now.end(), orig.begin() + 16));
        CHECK(poke_on_tracer_thread(t.pid, std::span(orig).subspan(3, 13), at) == 0);
        CHECK(peek_mem(t.mem, at - 3, 24) == orig);
        // PTRACE_POKEDATA is the tracer thread's: from this thread Linux answers ESRCH.
        shim::LinuxBackend be;
        CHECK(shim::detail::poke_range(be, t.pid, in.data(), in.size(), at) == ESRCH);
        // A range running into an unmapped page: EFAULT, and its mapped bytes kept (K1).
        const std::uint64_t end = mapping_end_before_gap(t.pid);
        const std::vector<std::byte> last = peek_mem(t.mem, end - 4, 4);
        CHECK(poke_on_tracer_thread(t.pid, std::span(in).first(8), end - 4) == EFAULT);
        CHECK(peek_mem(t.mem, end - 4, 4) == last);
    }

    TEST_CASE("K3: memory of a running tracee is readable without stopping it") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid);
        const int mem = sc.open(path(pid, "mem"));
        const int regs = sc.open(path(pid, "regs/int"));
        const std::uint64_t rip = int_regs(regs).rip;
        REQUIRE(shim::lseek(mem, static_cast<std::int64_t>(rip), SEEK_SET));
        std::array<std::byte, 4> code{};
        for (int i = 0; i < 20; ++i) {
            REQUIRE(shim::lseek(mem, static_cast<std::int64_t>(rip), SEEK_SET));
            CHECK(shim::read(mem, code).value() == 4);
        }
        CHECK(events(fd).empty());
        CHECK(proc_state(pid) == 'R');
    }

    TEST_CASE("K4: a mem handle opened before exec follows the new image") {
        Scenario sc;
        const auto pf = sc.spawn_frozen({"exec", tracee_path(), "exit", "6"});
        const pid_t pid = pf.first;
        const int fd = pf.second;
        const int mem = sc.open(path(pid, "mem"));
        const int regs = sc.open(path(pid, "regs/int"));
        const PtraceEvent ev = [&] {
            REQUIRE(op(fd, PtraceFlags::STOP_EXIT).value() == 8);
            return one_event(fd);
        }();
        CHECK(ev.a == (6 << 8));
        const std::uint64_t rip = int_regs(regs).rip;
        REQUIRE(shim::lseek(mem, static_cast<std::int64_t>(rip), SEEK_SET));
        std::array<std::byte, 4> code{};
        CHECK(shim::read(mem, code).value() == 4);
    }

} // TEST_SUITE
