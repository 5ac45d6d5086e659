// SPDX-License-Identifier: MIT
// The exec matrix, single-threaded rows: an exec from the thread group leader of a dynamic or
// a static program (cases 1 and 6), crossed with syscall stops or with one step; a failing
// exec (case 5); a traced exec of a set-user-ID program by an unprivileged tracer (case 7).

#include <fstream>
#include <functional>
#include <grp.h>

#include <sys/prctl.h>
#include <sys/stat.h>

#include "exec_support.hpp"

using namespace exec_test;

namespace {

/// How the tracer gets over the execve: with syscall stops (the first stop after it is the
/// new program's first PRE), or with one step (its first instruction).
enum class Crossing : std::uint8_t { Syscalls, Step };

struct LeaderRow {
    Image image;
    Crossing crossing;
    const char* tag;
};

/// The programs a leader exec uses: the one that execs and the one exec'd.
struct Programs {
    std::string tracee = exec_tracee();
    std::string target;
};

/// exec_tracee, started traced by spawn(), execs exec_target from its only thread. The tracer
/// follows it to the execve, opens a Memory and a Registers handle there (used after the
/// exec: K4), crosses the exec as `row` says, checks the first stop (`at_first_stop` adds
/// checks of its own), follows the new program to its exit and checks the wait status.
void leader_exec(const LeaderRow& row, const Programs& programs,
                 const std::function<void(pid_t)>& at_first_stop = {}) {
    CaseWatchdog dog;
    const std::string tgt = canonical(programs.target);
    const std::string marker = marker_path(row.tag);
    const int code = 7;
    auto spawned =
        ptrace_api::spawn({programs.tracee, {"leader", tgt, marker, std::to_string(code)}, {}, {}});
    REQUIRE_MESSAGE(spawned.has_value(), spawned.error().message());
    Child& child = spawned->child;
    Tracer& tracer = spawned->tracer;
    const pid_t pid = child.pid();
    dog.watch(pid);
    CHECK(tracer.pid() == pid);

    (void)run_to_execve(tracer, tgt);
    auto early_mem = Memory::open(pid);
    REQUIRE_MESSAGE(early_mem.has_value(), early_mem.error().message());
    auto early_regs = Registers::open(pid);
    REQUIRE_MESSAGE(early_regs.has_value(), early_regs.error().message());
    const ExecExpect x{pid, tgt, canonical(programs.tracee), {&*early_mem}};

    const auto flags =
        row.crossing == Crossing::Syscalls ? all_stops : PtraceFlags(PtraceFlags::STOP_SINGLESTEP);
    const auto ev = tracer.next(flags);
    REQUIRE_MESSAGE(ev.has_value(), "no stop after the execve: ", ev.error().message());
    std::vector<PtraceEvent> events{*ev};
    const auto more = tracer.events();
    REQUIRE(more.has_value());
    events.insert(events.end(), more->begin(), more->end());
    if (row.crossing == Crossing::Syscalls) {
        expect_first_stop_after_exec(tracer, events, x);
    } else {
        expect_first_instruction(tracer, events, x, 3); // exec_target MARKER CODE
    }
    // A register handle opened before the exec reads what the tracer's reads.
    const auto early = early_regs->get_int();
    REQUIRE_MESSAGE(early.has_value(), early.error().message());
    CHECK(*early == tracer.regs().get_int().value());
    if (at_first_stop) {
        at_first_stop(pid);
    }

    const Followed f = follow_to_exit(tracer, events.front(), marker, x);
    INFO("new program's stops: ", f.trail);
    REQUIRE(f.exit.has_value());
    CHECK(f.exit->exited());
    CHECK(f.exit->exit_code() == code);
    expect_exit_code(child, code);
    expect_nothing_left({pid});
}

void leader_exec(const LeaderRow& row) {
    leader_exec(row, Programs{exec_tracee(), target(row.image)});
}

/// Why an execve fails in case 5.
enum class Failure : std::uint8_t { Missing, NotExecutable, NotAProgram };

struct FailRow {
    Failure failure;
    int err;
    const char* tag;
};

/// A file in the scratch directory with `content` and `mode`.
std::string scratch_file(const char* name, const char* content, mode_t mode) {
    const std::string path = scratch_dir() + "/" + name + "-" + std::to_string(::getpid());
    {
        std::ofstream out(path);
        out << content;
    }
    REQUIRE(::chmod(path.c_str(), mode) == 0);
    return path;
}

/// exec_tracee calls execve(path), which fails: its POST reports the error, the registers
/// and memory are the old image's, and the old program goes on (it exits with the errno).
void failed_exec(const FailRow& row) {
    CaseWatchdog dog;
    std::string path;
    switch (row.failure) {
    case Failure::Missing:
        path = "/nonexistent/ptrace-api-exec/no-such-program";
        break;
    case Failure::NotExecutable:
        path = scratch_file("not-executable", "#!/bin/sh\nexit 0\n", 0644);
        break;
    case Failure::NotAProgram:
        path = scratch_file("not-a-program", "this is not a program\n", 0755);
        break;
    }
    const std::string old = canonical(exec_tracee());
    auto spawned = ptrace_api::spawn({exec_tracee(), {"fail", path}, {}, {}});
    REQUIRE_MESSAGE(spawned.has_value(), spawned.error().message());
    Child& child = spawned->child;
    Tracer& tracer = spawned->tracer;
    const pid_t pid = child.pid();
    dog.watch(pid);

    const IntRegisters before = run_to_execve(tracer, path);
    const auto base = image_base(pid, old);
    REQUIRE(base.has_value());
    const auto elf = file_head(old, 64);

    // The failed execve's POST, with the error (D2), and nothing else (no EVENT_EXEC).
    const auto ev = tracer.next(all_stops);
    REQUIRE_MESSAGE(ev.has_value(), ev.error().message());
    REQUIRE_MESSAGE(is(*ev, PtraceFlags::STOP_POST_SYSCALL), "expected the execve's POST, got ",
                    describe(*ev));
    CHECK(tracer.events().value().empty());
    CHECK(tracer.pid() == pid);
    const auto after = tracer.regs().get_int();
    REQUIRE_MESSAGE(after.has_value(), after.error().message());
    CHECK(static_cast<std::int64_t>(after->rax) == -row.err);
    IntRegisters same = before;
    same.rax = after->rax;
    CHECK_MESSAGE(*after == same, "the registers changed beyond rax across a failed execve");
    const auto kernel = proc_syscall(pid);
    REQUIRE(kernel.has_value());
    CHECK(kernel->nr == SYS_execve);

    // Memory is still the old image's: the path argument and the old program's ELF header.
    CHECK(exe_of(pid) == old);
    const auto arg = tracer.mem().read_c_string(after->rdi, 4096);
    REQUIRE_MESSAGE(arg.has_value(), arg.error().message());
    CHECK(arg->text == path);
    std::vector<std::byte> head(64);
    CHECK(tracer.mem().read(*base, head).has_value());
    CHECK(head == elf);

    // The old program goes on: its getppid marker, then its exit with the errno it saw.
    std::string trail;
    std::optional<WaitStatus> exit;
    bool first = true;
    for (int i = 0; i < 100 && !exit; ++i) {
        const auto next = tracer.next(all_stops);
        REQUIRE_MESSAGE(next.has_value(), next.error().message());
        const auto regs = tracer.regs().get_int();
        if (is(*next, PtraceFlags::STOP_EXIT)) {
            exit = std::get<ptrace_api::events::Exit>(ptrace_api::view(*next)).status;
        } else if (is(*next, PtraceFlags::STOP_PRE_SYSCALL)) {
            REQUIRE(regs.has_value());
            trail += " " + syscall_name(regs->rax);
            if (first) {
                CHECK_MESSAGE(regs->rax == SYS_getppid, "the old program's next syscall is not "
                                                        "its getppid marker");
                first = false;
            }
        } else {
            CHECK_MESSAGE(is(*next, PtraceFlags::STOP_POST_SYSCALL), describe(*next));
        }
    }
    INFO("stops after the failed execve:", trail);
    REQUIRE(exit.has_value());
    CHECK(exit->exit_code() == row.err);
    CHECK_ERRC(tracer.next(PtraceFlags{}), std::errc::no_such_process);
    expect_exit_code(child, row.err);
    expect_nothing_left({pid});
}

/// Copies `from` to `to` with `mode`, owned by root.
void install(const std::string& from, const std::string& to, mode_t mode) {
    std::error_code ec;
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
    REQUIRE_MESSAGE(!ec, "copy ", from, ": ", ec.message());
    REQUIRE(::chown(to.c_str(), 0, 0) == 0);
    REQUIRE(::chmod(to.c_str(), mode) == 0);
}

constexpr uid_t nobody = 65534;

/// Runs `argv` untraced as uid/gid 65534 and returns its wait status.
int run_as_nobody(const std::vector<std::string>& args) {
    std::vector<std::string> strings = args;
    std::vector<char*> argv;
    for (std::string& s : strings) {
        argv.push_back(s.data());
    }
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // Raw syscalls: this forked child of a threaded process has one thread.
        if (::syscall(SYS_setgroups, 0, nullptr) != 0 ||
            ::syscall(SYS_setresgid, nobody, nobody, nobody) != 0 ||
            ::syscall(SYS_setresuid, nobody, nobody, nobody) != 0) {
            ::_exit(126);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    Child child(pid);
    const auto status = child.wait();
    REQUIRE(status.has_value());
    return static_cast<int>(status->raw);
}

} // namespace

TEST_SUITE("exec") {

    TEST_CASE("1: leader exec of a dynamic program - crossed with syscall stops") {
        leader_exec({Image::Dynamic, Crossing::Syscalls, "1-dynamic-syscalls"});
    }

    TEST_CASE("1: leader exec of a dynamic program - crossed with one step") {
        leader_exec({Image::Dynamic, Crossing::Step, "1-dynamic-step"});
    }

    TEST_CASE("6: leader exec of a static program - crossed with syscall stops") {
        leader_exec({Image::Static, Crossing::Syscalls, "6-static-syscalls"});
    }

    TEST_CASE("6: leader exec of a static program - crossed with one step") {
        leader_exec({Image::Static, Crossing::Step, "6-static-step"});
    }

    TEST_CASE("5: failing exec - ENOENT (no such file)") {
        failed_exec({Failure::Missing, ENOENT, "5-enoent"});
    }

    TEST_CASE("5: failing exec - EACCES (no execute permission)") {
        failed_exec({Failure::NotExecutable, EACCES, "5-eacces"});
    }

    TEST_CASE("5: failing exec - ENOEXEC (not a program)") {
        failed_exec({Failure::NotAProgram, ENOEXEC, "5-enoexec"});
    }

    TEST_CASE("7: traced exec of a set-user-ID root program by uid 65534 gains no privilege") {
        if (::geteuid() != 0) {
            skip_case("needs root, to make a set-user-ID root program and drop to uid 65534");
            return;
        }
        // As root: a directory uid 65534 can enter, with both programs; the target set-user-ID.
        const std::string dir = scratch_dir() + "/setuid-" + std::to_string(::getpid());
        REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
        const std::string tracee = dir + "/exec_tracee";
        const std::string suid = dir + "/exec_target_suid";
        install(exec_tracee(), tracee, 0755);
        install(target(Image::Dynamic), suid, 04755);

        // Untraced, the set-user-ID bit applies (exit code + 1): otherwise this test proves
        // nothing, e.g. on a file system mounted nosuid.
        const int control = run_as_nobody({suid, marker_path("7-control"), "7"});
        REQUIRE_MESSAGE(WIFEXITED(control), "control run: wait status ", control);
        if (WEXITSTATUS(control) == 7) {
            skip_case("set-user-ID bits have no effect in " + dir + " (a nosuid file system?)");
            return;
        }
        REQUIRE_MESSAGE(WEXITSTATUS(control) == 8, "control run: exit code ", WEXITSTATUS(control));

        // The tracer becomes uid/gid 65534 (this case process is its own: nothing else runs
        // here), stays dumpable, and traces the exec of the set-user-ID program.
        REQUIRE(::setgroups(0, nullptr) == 0);
        REQUIRE(::setresgid(nobody, nobody, nobody) == 0);
        REQUIRE(::setresuid(nobody, nobody, nobody) == 0);
        REQUIRE(::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0);
        REQUIRE(::geteuid() == nobody);
        leader_exec({Image::Dynamic, Crossing::Syscalls, "7-setuid"}, Programs{tracee, suid},
                    [](pid_t pid) {
                        // Linux runs a traced set-user-ID exec with the caller's ids.
                        const auto st = shim::sys::proc_status(pid);
                        REQUIRE(st.has_value());
                        for (const auto id : st->uid) {
                            CHECK(id == nobody);
                        }
                        for (const auto id : st->gid) {
                            CHECK(id == nobody);
                        }
                    });
    }

} // TEST_SUITE
