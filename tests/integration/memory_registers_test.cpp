// SPDX-License-Identifier: MIT
// Integration tests of Registers and Memory through the RAII API (spec 2.D1, 2.E1, 2.G1, 2.J,
// 2.K, decisions 7 and 9).

#include <ptrace/memory.hpp>
#include <ptrace/registers.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>

#include <sys/syscall.h>

#include "api_support.hpp"
#include "skip_result.hpp"
#include "support.hpp"

using namespace support;
using ptrace_api::AttachStop;
using ptrace_api::Memory;
using ptrace_api::OnClose;
using ptrace_api::Registers;
using ptrace_api::Tracer;

namespace {

/// Runs `tracer` to the PRE_SYSCALL stop of syscall `nr` (at most 1000 syscalls).
void run_to_syscall(Tracer& tracer, std::uint64_t nr) {
    for (int i = 0; i < 1000; ++i) {
        REQUIRE(tracer.next(PtraceFlags::STOP_PRE_SYSCALL).has_value());
        if (tracer.regs().get_int().value().rax == nr) {
            return;
        }
    }
    FAIL("syscall not reached");
}

/// The tracee program started by spawn() with `args`, owned by the result.
ptrace_api::Spawned spawn_tracee(const std::vector<std::string>& args) {
    auto s = ptrace_api::spawn({tracee_path(), args, {}, {}});
    REQUIRE_MESSAGE(s.has_value(), s.error().message());
    return std::move(*s);
}

} // namespace

TEST_SUITE("integration") {

    TEST_CASE("Registers: rax is the syscall number at PRE; writing it changes the syscall (D1, "
              "decision 7)") {
        api_support::Watchdog dog;
        auto [child, tracer] = spawn_tracee({"change_getppid"});
        dog.watch(child.pid());
        run_to_syscall(tracer, SYS_getppid);
        auto regs = tracer.regs().get_int();
        REQUIRE(regs.has_value());
        regs->rax = SYS_getpid;
        REQUIRE(tracer.regs().set_int(*regs).has_value());
        CHECK(tracer.regs().get_int().value().rax == SYS_getpid);
        CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
        const auto status = child.wait();
        REQUIRE(status.has_value());
        CHECK(status->exit_code() == 10); // getppid returned getpid()
    }

    TEST_CASE("Registers: FLAG_IGNORE skips the syscall and the tracee sees rax (E1)") {
        api_support::Watchdog dog;
        auto [child, tracer] = spawn_tracee({"skip_getppid"});
        dog.watch(child.pid());
        run_to_syscall(tracer, SYS_getppid);
        auto regs = tracer.regs().get_int().value();
        regs.rax = static_cast<std::uint64_t>(test_support::skipped_result);
        REQUIRE(tracer.regs().set_int(regs).has_value());
        const auto post = tracer.next(PtraceFlags::STOP_POST_SYSCALL | PtraceFlags::FLAG_IGNORE);
        REQUIRE(post.has_value());
        CHECK(post->cause == PtraceFlags::STOP_POST_SYSCALL); // POST still happens (E1)
        CHECK(tracer.regs().get_int().value().rax ==
              static_cast<std::uint64_t>(test_support::skipped_result));
        CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
        CHECK(child.wait().value().exit_code() == 20);
    }

    TEST_CASE("Registers: float and env registers read and write (J4, decision 9)") {
        api_support::Watchdog dog;
        auto [child, tracer] = spawn_tracee({"getppid", "1"});
        dog.watch(child.pid());
        // At the first instruction no TLS exists yet: fs base 0. At the getppid, libc has set it.
        CHECK(tracer.regs().get_env().value().fsbase == 0);
        run_to_syscall(tracer, SYS_getppid);
        const auto env = tracer.regs().get_env();
        REQUIRE(env.has_value());
        CHECK(env->fsbase != 0);
        auto fp = tracer.regs().get_float();
        REQUIRE(fp.has_value());
        CHECK(fp->fcw == 0x37f);
        CHECK((fp->mxcsr & 0xffc0) == 0x1f80);
        fp->xmm_space[15][0] = 0x42;
        REQUIRE(tracer.regs().set_float(*fp).has_value());
        CHECK(tracer.regs().get_float().value().xmm_space[15][0] == 0x42);
        REQUIRE(tracer.regs().set_env(*env).has_value());
        auto bad = *env;
        bad.fsbase = 0x8000000000000000; // not canonical: Linux refuses (decision 9)
        CHECK_ERRC(tracer.regs().set_env(bad), std::errc::invalid_argument);
        CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
        CHECK(child.wait().value().exit_code() == 0);
    }

    TEST_CASE("Registers and Memory opened alone; dead pids are ESRCH (A2, A8, G1)") {
        Scenario sc;
        const pid_t pid = spinning(sc);
        auto regs = Registers::open(pid);
        REQUIRE(regs.has_value());
        CHECK(regs->pid() == pid);
        CHECK(regs->get_int().value().rip != 0); // A8: no session needed
        auto mem = Memory::open(pid);
        REQUIRE(mem.has_value());
        const auto rip = regs->get_int().value().rip;
        CHECK(mem->read_value<std::uint8_t>(rip).has_value());
        REQUIRE(::kill(pid, SIGKILL) == 0);
        REQUIRE(eventually([&] { return proc_state(pid) == 'Z'; }));
        CHECK_ERRC(regs->get_int(), std::errc::no_such_process);
        CHECK_ERRC(mem->read_value<std::uint8_t>(rip), std::errc::bad_address); // zombie
        CHECK_ERRC(Registers::open(pid), std::errc::no_such_process);
        CHECK_ERRC(Memory::open(pid), std::errc::no_such_process);
        REQUIRE(sc.wait_exit(pid) != -1);
        CHECK_ERRC(mem->read_value<std::uint8_t>(rip), std::errc::no_such_process); // reaped
        CHECK_ERRC(Registers::open(pid), std::errc::no_such_process);
        CHECK_ERRC(Memory::open(0), std::errc::no_such_process);
        Registers moved = std::move(*regs);
        CHECK(regs->pid() == 0);
        CHECK(moved.pid() == pid);
    }

    TEST_CASE("Memory: read, write and typed values; text is writable; unmapped is EFAULT "
              "(K1, K2)") {
        api_support::Watchdog dog;
        auto [child, tracer] = spawn_tracee({"exit", "0"});
        dog.watch(child.pid());
        Memory& mem = tracer.mem();
        const auto regs = tracer.regs().get_int().value();
        // Program text: read 16 bytes, write them back unchanged (K2: read-only mapping).
        std::array<std::byte, 16> text{};
        REQUIRE(mem.read(regs.rip, text).has_value());
        CHECK(mem.write(regs.rip, text).has_value());
        std::array<std::byte, 16> again{};
        REQUIRE(mem.read(regs.rip, again).has_value());
        CHECK(again == text);
        // The stack: a value below rsp, written and read back.
        const std::uint64_t scratch = regs.rsp - 1024;
        REQUIRE(mem.write_value(scratch, std::uint64_t{0x1122334455667788}).has_value());
        CHECK(mem.read_value<std::uint64_t>(scratch).value() == 0x1122334455667788);
        struct Pair {
            std::uint32_t a;
            std::uint32_t b;
        };
        const auto pair = mem.read_value<Pair>(scratch);
        REQUIRE(pair.has_value());
        CHECK(pair->a == 0x55667788);
        CHECK(pair->b == 0x11223344);
        // Empty transfers succeed anywhere; unmapped addresses are EFAULT.
        CHECK(mem.read(0, std::span<std::byte>{}).has_value());
        CHECK_ERRC(mem.read_value<std::uint64_t>(0), std::errc::bad_address);
        CHECK_ERRC(mem.write_value(16, std::uint64_t{1}), std::errc::bad_address);
        CHECK_ERRC(mem.read_value<std::uint64_t>(0xffff'ffff'ffff'f000), std::errc::bad_address);
        // K1: a range that starts mapped and ends unmapped transfers nothing.
        const auto stack_end = api_support::mapping_end(child.pid(), "[stack]");
        REQUIRE(stack_end.has_value());
        const std::uint64_t last = *stack_end - 8;
        const std::uint64_t before = mem.read_value<std::uint64_t>(last).value();
        std::array<std::byte, 16> across{};
        across.fill(std::byte{0xab});
        CHECK_ERRC(mem.write(last, across), std::errc::bad_address);
        CHECK(mem.read_value<std::uint64_t>(last).value() == before);
        CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
        CHECK(child.wait().value().exit_code() == 0);
    }

    TEST_CASE("Memory: read_c_string reads argv, cuts at max_len, stops at the NUL before an "
              "unmapped page and fails when the string runs into one") {
        api_support::Watchdog dog;
        auto [child, tracer] = spawn_tracee({"exit", "0"});
        dog.watch(child.pid());
        Memory& mem = tracer.mem();
        // At the first instruction rsp points at argc, then the argv pointers (the ELF ABI).
        const auto rsp = tracer.regs().get_int().value().rsp;
        CHECK(mem.read_value<std::uint64_t>(rsp).value() == 3);
        const auto argv0 = mem.read_value<std::uint64_t>(rsp + 8).value();
        const auto argv1 = mem.read_value<std::uint64_t>(rsp + 16).value();
        CHECK(mem.read_c_string(argv0, 4096).value() == ptrace_api::CString{tracee_path(), false});
        CHECK(mem.read_c_string(argv1, 4096).value() == ptrace_api::CString{"exit", false});
        CHECK(mem.read_c_string(argv1, 5).value() == ptrace_api::CString{"exit", false});
        CHECK(mem.read_c_string(argv1, 4).value() == ptrace_api::CString{"exit", true});
        CHECK(mem.read_c_string(argv1, 2).value() == ptrace_api::CString{"ex", true});
        CHECK(mem.read_c_string(argv1, 0).value() == ptrace_api::CString{"", true});
        CHECK_ERRC(mem.read_c_string(0, 16), std::errc::bad_address);
        CHECK_ERRC(mem.read_c_string(0x1000, 16), std::errc::bad_address);
        // The last bytes of the stack mapping: a string that ends there reads fine without
        // touching the unmapped page above; one without a NUL runs into it.
        const auto stack_end = api_support::mapping_end(child.pid(), "[stack]");
        REQUIRE(stack_end.has_value());
        const std::uint64_t tail = *stack_end - 4;
        const auto original = mem.read_value<std::uint32_t>(tail);
        REQUIRE(original.has_value());
        REQUIRE(mem.write(tail, std::as_bytes(std::span("abc", 4))).has_value());
        CHECK(mem.read_c_string(tail, 100).value() == ptrace_api::CString{"abc", false});
        REQUIRE(mem.write(tail, std::as_bytes(std::span("wxyz", 4))).has_value());
        CHECK(mem.read_c_string(tail, 4).value() == ptrace_api::CString{"wxyz", true});
        CHECK_ERRC(mem.read_c_string(tail, 100), std::errc::bad_address);
        REQUIRE(mem.write_value(tail, *original).has_value());
        CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
        CHECK(child.wait().value().exit_code() == 0);
    }

} // TEST_SUITE
