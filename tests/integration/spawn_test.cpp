// SPDX-License-Identifier: MIT
// Integration tests of spawn() and Child: the first stop, the program's argv, environment and
// directory, exec errors as Results, and reaping on every path (spec 2.G2).

#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_support.hpp"
#include "support.hpp"

using namespace support;
using ptrace_api::Child;
using ptrace_api::Command;
using ptrace_api::OnClose;
using ptrace_api::spawn;

namespace {

/// A file in a fresh temporary directory with `content` and `mode`; removed at the end.
class TempFile {
public:
    TempFile(const std::string& content, mode_t mode) {
        char dir[] = "/tmp/ptrace-api-spawn-XXXXXX";
        REQUIRE(::mkdtemp(dir) != nullptr);
        dir_ = dir;
        path_ = dir_ + "/program";
        std::FILE* f = std::fopen(path_.c_str(), "w");
        REQUIRE(f != nullptr);
        std::fputs(content.c_str(), f);
        std::fclose(f);
        REQUIRE(::chmod(path_.c_str(), mode) == 0);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    const std::string& path() const { return path_; }
    const std::string& dir() const { return dir_; }

private:
    std::string dir_;
    std::string path_;
};

/// A child of this process, untraced: it exits at once with `exit_code`, or with no code
/// waits in pause() until a signal ends it.
pid_t fork_child(std::optional<int> exit_code = std::nullopt) {
    const pid_t pid = test_support::fork_tied_to_test();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (!exit_code) {
            ::pause();
        }
        ::_exit(exit_code.value_or(0));
    }
    return pid;
}

} // namespace

TEST_SUITE("integration") {

    TEST_CASE("spawn: the first stop is the new program's first instruction, nothing run yet") {
        api_support::Watchdog dog;
        auto s = spawn({tracee_path(), {"exit", "6"}, {}, {}});
        REQUIRE_MESSAGE(s.has_value(), s.error().message());
        auto& [child, tracer] = *s;
        dog.watch(child.pid());
        CHECK(tracer.pid() == child.pid());
        CHECK(proc_state(child.pid()) == 't');
        CHECK(tracer.events().value().empty()); // the SINGLESTEP event was consumed
        const auto regs = tracer.regs().get_int();
        REQUIRE(regs.has_value());
        // A dynamic program starts in its interpreter: at AT_BASE + the interpreter's e_entry
        // (the ELF header is mapped at AT_BASE; e_entry is at offset 24). A static one would
        // start at AT_ENTRY (count_instructions checks that on a 14-instruction program).
        const auto base = api_support::auxv(child.pid(), AT_BASE);
        REQUIRE(base.has_value());
        std::uint64_t first = 0;
        if (*base != 0) {
            const auto e_entry = tracer.mem().read_value<std::uint64_t>(*base + 24);
            REQUIRE(e_entry.has_value());
            first = *base + *e_entry;
        } else {
            first = api_support::auxv(child.pid(), AT_ENTRY).value();
        }
        CHECK(regs->rip == first);
        // Nothing ran: the stack pointer is still at argc (the ELF ABI's initial stack).
        CHECK(tracer.mem().read_value<std::uint64_t>(regs->rsp).value() == 3);
        // The next operation resumes from there.
        CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
        const auto status = child.wait();
        REQUIRE(status.has_value());
        CHECK(status->exited());
        CHECK(status->exit_code() == 6);
        CHECK(child.pid() == 0);
    }

    TEST_CASE("spawn: argv, environment and working directory reach the program") {
        api_support::Watchdog dog;
        auto s = spawn({tracee_path(),
                        {"exit", "0"},
                        std::vector<std::string>{"PTRACE_API_X=1", "B=2"},
                        std::string("/tmp")});
        REQUIRE_MESSAGE(s.has_value(), s.error().message());
        auto& [child, tracer] = *s;
        dog.watch(child.pid());
        const std::string environ_text = api_support::proc_file(child.pid(), "environ");
        CHECK(environ_text == std::string("PTRACE_API_X=1\0B=2\0", 19));
        const std::string cmdline = api_support::proc_file(child.pid(), "cmdline");
        CHECK(cmdline == tracee_path() + std::string("\0exit\0"
                                                     "0\0",
                                                     8));
        CHECK(std::filesystem::read_symlink("/proc/" + std::to_string(child.pid()) + "/cwd") ==
              "/tmp");
        CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
        CHECK(child.wait().value().exit_code() == 0);
    }

    TEST_CASE("spawn: no_aslr runs the program with ADDR_NO_RANDOMIZE; the default keeps it off") {
        api_support::Watchdog dog;
        const auto persona = [](pid_t pid) {
            return std::stoul(api_support::proc_file(pid, "personality"), nullptr, 16);
        };
        Command plain{tracee_path(), {"exit", "0"}, {}, {}};
        Command fixed = plain;
        fixed.no_aslr = true;
        auto a = spawn(fixed);
        REQUIRE_MESSAGE(a.has_value(), a.error().message());
        dog.watch(a->child.pid());
        CHECK((persona(a->child.pid()) & ADDR_NO_RANDOMIZE) != 0);
        auto b = spawn(plain);
        REQUIRE_MESSAGE(b.has_value(), b.error().message());
        dog.watch(b->child.pid());
        CHECK((persona(b->child.pid()) & ADDR_NO_RANDOMIZE) ==
              (persona(::getpid()) & ADDR_NO_RANDOMIZE));
        for (auto* s : {&*a, &*b}) {
            CHECK_ERRC(s->tracer.next(PtraceFlags{}), std::errc::no_such_process);
            CHECK(s->child.wait().value().exit_code() == 0);
        }
    }

    TEST_CASE("spawn: isolate_processes keeps the program out of this process (Landlock); "
              "the tracer still traces it") {
        api_support::Watchdog dog;
        // 10: the shell opened this process's memory for writing; 20: it could not.
        const std::string probe =
            "if (exec 3<>/proc/$PPID/mem) 2>/dev/null; then exit 10; else exit 20; fi";
        Command plain{"/bin/sh", {"-c", probe}, {}, {}};
        Command isolated = plain;
        isolated.isolate_processes = true;
        auto a = spawn(isolated);
        if (!a && (a.error() == std::errc::function_not_supported ||
                   a.error() == std::errc::operation_not_supported)) {
            MESSAGE("skipped: no Landlock ABI 2 in this kernel (" << a.error().message() << ")");
            return;
        }
        REQUIRE_MESSAGE(a.has_value(), a.error().message());
        dog.watch(a->child.pid());
        // Followed syscall by syscall from inside its domain: the tracer is outside it.
        int stops = 0;
        while (a->tracer.next(PtraceFlags::STOP_PRE_SYSCALL).has_value()) {
            ++stops;
        }
        CHECK(stops > 10);
        CHECK(a->child.wait().value().exit_code() == 20);
        auto b = spawn(plain);
        REQUIRE_MESSAGE(b.has_value(), b.error().message());
        dog.watch(b->child.pid());
        CHECK_ERRC(b->tracer.next(PtraceFlags{}), std::errc::no_such_process);
        // Without the domain Linux's own checks decide: open for root and, where Yama does not
        // restrict attaching (absent or ptrace_scope 0), for the same user.
        const int scope = api_support::yama_scope();
        const int plain_code = b->child.wait().value().exit_code();
        if (scope <= 0 || (::geteuid() == 0 && scope < 3)) {
            CHECK(plain_code == 10);
        } else {
            MESSAGE("Yama's ptrace_scope " << scope << " refuses it too: " << plain_code);
        }
    }

    TEST_CASE("Child: release gives the child up without killing it") {
        const pid_t pid = fork_child();
        {
            Child child(pid);
            CHECK(child.release() == pid);
            CHECK(child.pid() == 0);
        } // the destructor does nothing now
        CHECK(::kill(pid, 0) == 0);
        REQUIRE(::kill(pid, SIGKILL) == 0);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        CHECK(WIFSIGNALED(status));
        CHECK(api_support::no_children());
    }

    TEST_CASE("spawn: a bare name is looked up in PATH") {
        api_support::Watchdog dog;
        auto s = spawn({"true", {}, {}, {}});
        REQUIRE_MESSAGE(s.has_value(), s.error().message());
        dog.watch(s->child.pid());
        CHECK_ERRC(s->tracer.next(PtraceFlags{}), std::errc::no_such_process);
        CHECK(s->child.wait().value().exit_code() == 0);
    }

    TEST_CASE("spawn: exec failures come back as errors and the failed child is reaped") {
        REQUIRE(api_support::no_children());
        SUBCASE("ENOENT, a missing path") {
            CHECK_ERRC(spawn({"/definitely/not/a/program", {}, {}, {}}),
                       std::errc::no_such_file_or_directory);
        }
        SUBCASE("ENOENT, a name not in PATH") {
            CHECK_ERRC(spawn({"definitely-not-a-program-ptrace-api", {}, {}, {}}),
                       std::errc::no_such_file_or_directory);
        }
        SUBCASE("ENOENT, an empty name") {
            CHECK_ERRC(spawn({"", {}, {}, {}}), std::errc::no_such_file_or_directory);
        }
        SUBCASE("EACCES, a file without execute permission") {
            TempFile file("#!/bin/sh\nexit 0\n", 0644);
            CHECK_ERRC(spawn({file.path(), {}, {}, {}}), std::errc::permission_denied);
        }
        SUBCASE("EACCES, a directory") {
            CHECK_ERRC(spawn({"/tmp", {}, {}, {}}), std::errc::permission_denied);
        }
        SUBCASE("ENOEXEC, an executable file that is not a program") {
            TempFile file("this is not a program\n", 0755);
            CHECK_ERRC(spawn({file.path(), {}, {}, {}}), std::errc::executable_format_error);
        }
        SUBCASE("ENOENT, a missing working directory") {
            CHECK_ERRC(
                spawn({tracee_path(), {"exit", "0"}, {}, std::string("/definitely/not/here")}),
                std::errc::no_such_file_or_directory);
        }
        SUBCASE("a script with #! runs") {
            TempFile file("#!/bin/sh\nexit 9\n", 0755);
            auto s = spawn({file.path(), {}, {}, {}});
            REQUIRE_MESSAGE(s.has_value(), s.error().message());
            CHECK_ERRC(s->tracer.next(PtraceFlags{}), std::errc::no_such_process);
            CHECK(s->child.wait().value().exit_code() == 9);
        }
        CHECK(api_support::no_children()); // G2: no zombie left by any path
    }

    TEST_CASE("spawn: dropping the result kills and reaps the program (OnClose::Kill)") {
        pid_t pid = 0;
        {
            auto s = spawn({tracee_path(), {"spin"}, {}, {}});
            REQUIRE(s.has_value());
            pid = s->child.pid();
            REQUIRE(s->tracer.next(PtraceFlags::STOP_SINGLESTEP).has_value());
        }
        CHECK(::kill(pid, 0) != 0);
        CHECK(api_support::no_children());
    }

    TEST_CASE("spawn: OnClose::Detach lets the program run on after the tracer closes") {
        api_support::Watchdog dog;
        auto s = spawn({tracee_path(), {"exit", "5"}, {}, {}}, OnClose::Detach);
        REQUIRE(s.has_value());
        dog.watch(s->child.pid());
        CHECK(std::move(s->tracer).close().has_value());
        const auto status = s->child.wait();
        REQUIRE(status.has_value());
        CHECK(status->exit_code() == 5);
    }

    TEST_CASE("Child: try_wait, kill, wait; moved-from children are empty") {
        const pid_t pid = fork_child();
        Child child(pid);
        CHECK(child.pid() == pid);
        CHECK(child.try_wait().value() == std::nullopt);
        Child moved = std::move(child);
        CHECK(child.pid() == 0);
        REQUIRE(moved.kill().has_value());
        const auto status = moved.wait();
        REQUIRE(status.has_value());
        CHECK(status->signaled());
        CHECK(status->term_signal() == SIGKILL);
        CHECK(moved.pid() == 0);
        CHECK(api_support::no_children());
    }

    TEST_CASE("Child: try_wait reaps an exited child; ECHILD when someone else reaped it") {
        const pid_t a = fork_child(3);
        Child first(a);
        std::optional<ptrace_api::WaitStatus> got;
        REQUIRE(eventually([&] {
            const auto r = first.try_wait();
            REQUIRE(r.has_value());
            got = *r;
            return got.has_value();
        }));
        CHECK(got->exit_code() == 3);
        CHECK(first.pid() == 0);

        const pid_t b = fork_child(4);
        Child second(b);
        int status = 0;
        REQUIRE(::waitpid(b, &status, 0) == b); // reaped behind the Child's back
        CHECK_ERRC(second.wait(), std::errc::no_child_process);
        CHECK(second.pid() == 0);
    }

} // TEST_SUITE
