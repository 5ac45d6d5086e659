// SPDX-License-Identifier: MIT
// Integration tests of regs/xstate (issue 13, decision 22): the XSAVE area of real tracees
// (tests/targets/xstate.cpp) through the shim and through Registers, known ymm/zmm/k values
// read at an int3 and written ones seen by the tracee, and the writes Linux would refuse,
// refused first (checked against the kernel itself on the tracer thread).

#include <ptrace/memory.hpp>
#include <ptrace/registers.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>
#include <ptrace/xstate.hpp>

#include <elf.h>
#include <sys/uio.h>

#include "api_support.hpp"
#include "support.hpp"

using namespace support;
using ptrace_api::Slot256;
using ptrace_api::Slot512;
using ptrace_api::Tracer;
using ptrace_api::XFeature;
using ptrace_api::XStateRegisters;

namespace {

/// Why the AVX tests cannot run on this machine, or nothing.
std::optional<std::string> xstate_no_avx() {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx")) {
        return "the CPU has no AVX (or the kernel did not enable it)";
    }
    return std::nullopt;
}

std::optional<std::string> xstate_no_avx512() {
    if (auto why = xstate_no_avx()) {
        return why;
    }
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw")) {
        return "the CPU has no AVX-512F and AVX-512BW (/proc/cpuinfo: no avx512f or avx512bw)";
    }
    return std::nullopt;
}

/// The xstate target with `mode`, spawned traced and run to its first int3.
ptrace_api::Spawned xstate_at_first_int3(const char* mode) {
    auto s = ptrace_api::spawn({targets_dir() + "/xstate", {mode}, {}, {}});
    REQUIRE_MESSAGE(s.has_value(), s.error().message());
    const auto ev = s->tracer.next(PtraceFlags::STOP_BREAKPOINT);
    REQUIRE(ev.has_value());
    REQUIRE(ev->cause == PtraceFlags::STOP_BREAKPOINT);
    return std::move(*s);
}

/// Resumes past an int3 to the next one; returns the tracee's rdi there (the stored copy).
std::uint64_t xstate_next_int3(Tracer& tracer) {
    const auto ev = tracer.next(PtraceFlags::STOP_BREAKPOINT | PtraceFlags::FLAG_IGNORE);
    REQUIRE(ev.has_value());
    REQUIRE(ev->cause == PtraceFlags::STOP_BREAKPOINT);
    return tracer.regs().get_int().value().rdi;
}

/// XCR0 of this machine. \pre AVX (so the OS has enabled XSAVE: xgetbv exists).
std::uint64_t xstate_xgetbv() {
    std::uint32_t lo = 0;
    std::uint32_t hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (std::uint64_t{hi} << 32) | lo;
}

/// The errno of Linux's own SETREGSET NT_X86_XSTATE with `area` (0: accepted), called on the
/// tracer thread, the thread ptrace binds the stopped tracee `pid` to.
int xstate_kernel_set(pid_t pid, std::span<const std::byte> area) {
    std::vector<std::byte> copy(area.begin(), area.end());
    int err = -1;
    auto job = [&] {
        iovec iov{copy.data(), copy.size()};
        err = ::ptrace(PTRACE_SETREGSET, pid, NT_X86_XSTATE, &iov) == 0 ? 0 : errno;
    };
    REQUIRE(shim::run_on_tracer_thread(job).has_value());
    return err;
}

} // namespace

TEST_SUITE("integration") {

    TEST_CASE("Issue 13: regs/xstate reads the ymm values of an AVX tracee at an int3, and ymm "
              "values written there reach it") {
        if (const auto why = xstate_no_avx()) {
            MESSAGE("skipped: " << *why);
            return;
        }
        api_support::Watchdog dog;
        auto [child, tracer] = xstate_at_first_int3("avx");
        dog.watch(child.pid());
        auto x = tracer.regs().get_xstate();
        REQUIRE(x.has_value());
        // The size is the kernel's (decision 22), and it says so in the software bytes too.
        CHECK(x->size() >= XStateRegisters::min_size);
        CHECK(x->size() <= shim::xstate_layout().max_size);
        CHECK(x->xcomp_bv() == 0);
        CHECK(x->xcr0() == xstate_xgetbv()); // Linux's ptrace puts XCR0 at 464
        CHECK((x->xcr0() & 0x7) == 0x7);
        CHECK(x->in_use(XFeature::Avx));
        for (std::size_t i = 0; i < 16; ++i) {
            Slot256 want{};
            for (std::size_t j = 0; j < want.size(); ++j) {
                want[j] = static_cast<std::uint8_t>(i * 32 + j + 1);
            }
            CHECK_MESSAGE(x->ymm(i) == want, "ymm", i);
        }

        // The handle itself: min(len, size), and the same bytes.
        const int fd = shim::open(path(child.pid(), "regs/xstate"), 0).value();
        std::array<std::byte, 10> small{};
        CHECK(shim::read(fd, small).value() == small.size());
        std::vector<std::byte> big(x->size() + 100);
        CHECK(shim::read(fd, big).value() == x->size());
        CHECK(std::equal(x->bytes().begin(), x->bytes().end(), big.begin()));
        CHECK(shim::fpath(fd).value() == path(child.pid(), "regs/xstate"));
        const int sibling = shim::dup(fd, "regs/xstate").value();
        CHECK(shim::close(sibling).has_value());
        CHECK(shim::close(fd).has_value());

        std::array<Slot256, 16> written{};
        for (std::size_t i = 0; i < 16; ++i) {
            for (std::size_t j = 0; j < 32; ++j) {
                written[i][j] = static_cast<std::uint8_t>(0xff - i * 32 - j);
            }
            REQUIRE(x->set_ymm(i, written[i]));
        }
        REQUIRE(tracer.regs().set_xstate(*x).has_value());
        const auto back = tracer.regs().get_xstate();
        REQUIRE(back.has_value());
        for (std::size_t i = 0; i < 16; ++i) {
            CHECK(back->ymm(i) == written[i]);
        }

        // The tracee stores its ymm registers, runs vzeroupper and stops again.
        const std::uint64_t stored = xstate_next_int3(tracer);
        std::array<std::byte, 512> seen{};
        REQUIRE(tracer.mem().read(stored, seen).has_value());
        for (std::size_t i = 0; i < 16; ++i) {
            CHECK_MESSAGE(std::memcmp(seen.data() + 32 * i, written[i].data(), 32) == 0, "ymm", i);
        }
        // After vzeroupper the upper halves are in their initial state: either xstate_bv's
        // AVX bit is 0, or the bytes are zero. Linux (5.14 and later) writes the initial state
        // of a component not in use into what it returns, so the bytes are zero either way.
        const auto after = tracer.regs().get_xstate();
        REQUIRE(after.has_value());
        MESSAGE("after vzeroupper, xstate_bv = "
                << after->xstate_bv() << ", AVX bit "
                << std::string(after->in_use(XFeature::Avx) ? "set" : "clear"));
        const auto avx = after->layout().find(XFeature::Avx);
        REQUIRE(avx.has_value());
        for (std::size_t i = 0; i < 16; ++i) {
            const Slot256 y = after->ymm(i).value();
            CHECK(std::all_of(y.begin() + 16, y.end(), [](std::uint8_t b) { return b == 0; }));
        }
        const auto raw = after->bytes().subspan(avx->offset, avx->size);
        CHECK(std::all_of(raw.begin(), raw.end(), [](std::byte b) { return b == std::byte{0}; }));

        CHECK_ERRC(tracer.next(PtraceFlags::FLAG_IGNORE), std::errc::no_such_process);
        CHECK(child.wait().value().exit_code() == 0);
    }

    TEST_CASE("Issue 13: regs/xstate reads and writes zmm0-31 and k0-7 of an AVX-512 tracee") {
        if (const auto why = xstate_no_avx512()) {
            MESSAGE("skipped: " << *why);
            return;
        }
        api_support::Watchdog dog;
        auto [child, tracer] = xstate_at_first_int3("avx512");
        dog.watch(child.pid());
        auto x = tracer.regs().get_xstate();
        REQUIRE(x.has_value());
        CHECK((x->xcr0() & 0xe0) == 0xe0);
        for (std::size_t i = 0; i < 32; ++i) {
            Slot512 want{};
            for (std::size_t j = 0; j < want.size(); ++j) {
                want[j] = static_cast<std::uint8_t>(i * 64 + j + 1);
            }
            CHECK_MESSAGE(x->zmm(i) == want, "zmm", i);
        }
        for (std::size_t i = 0; i < 8; ++i) {
            CHECK(x->k(i) == std::uint64_t{0x0101'0101'0101'0101ULL * (i + 1)});
        }
        std::array<Slot512, 32> written{};
        for (std::size_t i = 0; i < 32; ++i) {
            for (std::size_t j = 0; j < 64; ++j) {
                written[i][j] = static_cast<std::uint8_t>(0xa5 ^ (i * 64 + j));
            }
            REQUIRE(x->set_zmm(i, written[i]));
        }
        for (std::size_t i = 0; i < 8; ++i) {
            REQUIRE(x->set_k(i, 0xdead'beef'0000'0000ULL + i));
        }
        REQUIRE(tracer.regs().set_xstate(*x).has_value());

        const std::uint64_t stored = xstate_next_int3(tracer);
        std::array<std::byte, 2048 + 64> seen{};
        REQUIRE(tracer.mem().read(stored, seen).has_value());
        for (std::size_t i = 0; i < 32; ++i) {
            CHECK_MESSAGE(std::memcmp(seen.data() + 64 * i, written[i].data(), 64) == 0, "zmm", i);
        }
        for (std::size_t i = 0; i < 8; ++i) {
            std::uint64_t k = 0;
            std::memcpy(&k, seen.data() + 2048 + 8 * i, sizeof k);
            CHECK(k == 0xdead'beef'0000'0000ULL + i);
        }
        CHECK_ERRC(tracer.next(PtraceFlags::FLAG_IGNORE), std::errc::no_such_process);
        CHECK(child.wait().value().exit_code() == 0);
    }

    TEST_CASE("Issue 13/decision 22: regs/xstate refuses what Linux would refuse, with EINVAL, "
              "before writing anything; Linux agrees") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid, O_TRUNC);
        REQUIRE(op(fd, PtraceFlags::STOP_SINGLESTEP).value() == 8);
        REQUIRE(cause(one_event(fd)) == PtraceFlags::STOP_SINGLESTEP.bits());
        const int xfd = sc.open(path(pid, "regs/xstate"));
        std::vector<std::byte> area(1 << 16);
        const auto n = shim::read(xfd, area);
        if (!n && n.error() == std::errc::no_such_device) {
            MESSAGE("skipped: the CPU has no XSAVE (regs/xstate is ENODEV)");
            return;
        }
        REQUIRE(n.has_value());
        area.resize(*n);
        REQUIRE(area.size() >= XStateRegisters::min_size);
        const std::vector<std::byte> original = area;
        CHECK(shim::write(xfd, area).value() == area.size()); // as read: accepted

        // Sizes: anything but the area's size is EINVAL. Linux says EFAULT for a short one
        // (and would silently cut a longer one to its size).
        const std::span<const std::byte> whole(area);
        CHECK_ERRC(shim::write(xfd, whole.first(area.size() - 8)), std::errc::invalid_argument);
        CHECK_ERRC(shim::write(xfd, whole.first(100)), std::errc::invalid_argument);
        CHECK_ERRC(shim::write(xfd, std::span<const std::byte>()), std::errc::invalid_argument);
        std::vector<std::byte> longer = area;
        longer.resize(area.size() + 64);
        CHECK_ERRC(shim::write(xfd, longer), std::errc::invalid_argument);
        CHECK(xstate_kernel_set(pid, whole.first(area.size() - 8)) == EFAULT);

        struct Bad {
            const char* what;
            std::size_t at;
            std::uint64_t value; // stored as 8 bytes at `at`, or 4 for MXCSR
        };
        const std::uint64_t xcr0 = [&] {
            std::uint64_t v = 0;
            std::memcpy(&v, area.data() + 464, sizeof v);
            return v;
        }();
        const std::uint64_t bv = [&] {
            std::uint64_t v = 0;
            std::memcpy(&v, area.data() + 512, sizeof v);
            return v;
        }();
        const Bad bads[] = {
            {"a reserved header byte", 530, 1},
            {"the last reserved header byte", 568, std::uint64_t{1} << 56},
            {"a compacted-format xcomp_bv", 520, (std::uint64_t{1} << 63) | xcr0},
            {"a feature outside XCR0 in xstate_bv", 512, bv | (std::uint64_t{1} << 62)},
            {"a reserved MXCSR bit", 24, 0x8000'1f80ULL},
        };
        for (const Bad& bad : bads) {
            INFO(bad.what);
            std::vector<std::byte> edited = area;
            if (bad.at == 24) {
                const auto v = static_cast<std::uint32_t>(bad.value);
                std::memcpy(edited.data() + bad.at, &v, sizeof v);
                std::uint64_t with_sse = bv | 0x2;
                std::memcpy(edited.data() + 512, &with_sse, sizeof with_sse);
            } else {
                std::memcpy(edited.data() + bad.at, &bad.value, sizeof bad.value);
            }
            CHECK_ERRC(shim::write(xfd, edited), std::errc::invalid_argument);
            CHECK(xstate_kernel_set(pid, edited) == EINVAL); // what Linux itself says
        }
        // Nothing was written: the area reads as before.
        std::vector<std::byte> again(area.size());
        REQUIRE(shim::read(xfd, again).value() == area.size());
        CHECK(again == original);
    }

    TEST_CASE("Issue 13: regs/xstate of a running tracee behaves as regs/float (the tracee is "
              "stopped for a moment and left running); a gone tracee is ESRCH") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        const int fd = sc.open_trace(pid, O_NONBLOCK);
        const int fregs = sc.open(path(pid, "regs/float"));
        const int xfd = sc.open(path(pid, "regs/xstate"));
        CHECK(op(fd, PtraceFlags::STOP_EXIT).value() == 8);
        std::vector<std::byte> area(1 << 16);
        const auto n = shim::read(xfd, area);
        if (!n && n.error() == std::errc::no_such_device) {
            MESSAGE("skipped: the CPU has no XSAVE (regs/xstate is ENODEV)");
            return;
        }
        REQUIRE(n.has_value());
        area.resize(*n);
        std::array<std::byte, sizeof(FloatRegisters)> f{};
        REQUIRE(shim::read(fregs, f).value() == f.size());
        const auto float_write = shim::write(fregs, f);
        const auto xstate_write = shim::write(xfd, area);
        CHECK(float_write.has_value() == xstate_write.has_value());
        if (!float_write || !xstate_write) {
            CHECK(float_write.error() == xstate_write.error());
        }
        CHECK(xstate_write.value() == area.size());
        CHECK(support::events(fd).empty());
        CHECK(eventually([&] { return proc_state(pid) == 'R'; }));

        // Handles of an untraced task (A8), then the task killed: ESRCH from every access (G1).
        const pid_t other = spinning(sc);
        auto regs = ptrace_api::Registers::open(other);
        REQUIRE(regs.has_value());
        auto x = regs->get_xstate();
        REQUIRE(x.has_value());
        CHECK(x->size() == area.size());
        CHECK(regs->set_xstate(*x).has_value());
        const int other_x = sc.open(path(other, "regs/xstate"));
        const int other_f = sc.open(path(other, "regs/float"));
        REQUIRE(::kill(other, SIGKILL) == 0);
        REQUIRE(eventually([&] { return proc_state(other) == 'Z'; }));
        CHECK_ERRC(shim::read(other_x, area), std::errc::no_such_process);
        CHECK_ERRC(shim::write(other_x, area), std::errc::no_such_process);
        CHECK_ERRC(shim::read(other_f, f), std::errc::no_such_process);
        CHECK_ERRC(regs->get_xstate(), std::errc::no_such_process);
        CHECK_ERRC(regs->set_xstate(*x), std::errc::no_such_process);
        REQUIRE(sc.wait_exit(other) != -1);
        CHECK_ERRC(shim::read(other_x, area), std::errc::no_such_process); // reaped
    }
}
