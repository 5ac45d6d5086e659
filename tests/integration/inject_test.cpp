// SPDX-License-Identifier: MIT
// Syscall injection (issue 13, decision 24) on real tracees (tests/targets/injectee.cpp):
// calls at an int3, a PRE, a POST and a freeze inside a blocking read; everything put back bit
// for bit; a pipe written through the tracee's own fd; a page mapped and unmapped; seccomp
// filters that refuse, trap and kill the call; refusals of a tracee not held at a stop; calls
// in a tracee held inside a mask-swapping wait (ppoll, pselect6, rt_sigsuspend, epoll_pwait),
// whose saved mask is recreated, compared with a run that was never injected.

#include <ptrace/tracer.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <sys/syscall.h>

#include "api_support.hpp"
#include "support.hpp"

using namespace support;
using api_support::attach_ok;
using ptrace_api::AttachStop;
using ptrace_api::InjectCall;
using ptrace_api::OnClose;
using ptrace_api::Tracer;
namespace events = ptrace_api::events;

namespace {

/// Starts injectee `args` and holds it at its int3 (STOP_BREAKPOINT).
Tracer at_int3(Scenario& sc, const std::vector<std::string>& args, int& out) {
    int gate = -1;
    const pid_t pid = sc.spawn(args, &out, &gate, injectee_path());
    Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Kill});
    open_gate(gate);
    const auto ev = tracer.next(PtraceFlags::STOP_BREAKPOINT);
    REQUIRE(ev.has_value());
    REQUIRE(std::holds_alternative<events::Breakpoint>(view(*ev)));
    CHECK(read_line(out) == "ready");
    return tracer;
}

/// Lets a tracee held at its int3 run on (IGNORE: no SIGTRAP, decision 4) to its end.
void finish_from_int3(Tracer& tracer) {
    (void)tracer.next(PtraceFlags::STOP_EXIT | PtraceFlags::FLAG_IGNORE);
    (void)tracer.next(PtraceFlags{});
}

std::vector<std::byte> stack_below(Tracer& tracer, std::uint64_t rsp, std::size_t len) {
    std::vector<std::byte> bytes(len);
    REQUIRE(tracer.mem().read(rsp - len, bytes).has_value());
    return bytes;
}

bool mapped_at(pid_t pid, std::uint64_t addr) {
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "%llx-", static_cast<unsigned long long>(addr));
    const std::string maps = api_support::proc_file(pid, "maps");
    return maps.find(std::string("\n") + prefix) != std::string::npos || maps.rfind(prefix, 0) == 0;
}

/// The temporary mask of injectee "wait": {SIGUSR2, SIGTERM}.
constexpr std::uint64_t wait_mask =
    (std::uint64_t{1} << (SIGUSR2 - 1)) | (std::uint64_t{1} << (SIGTERM - 1));

/// A field of /proc/<pid>/status ("SigBlk", "State"), its value as text.
std::string status_field(pid_t pid, const std::string& name) {
    const std::string status = api_support::proc_file(pid, "status");
    const auto at = status.find("\n" + name + ":");
    if (at == std::string::npos) {
        return {};
    }
    const auto begin = status.find_first_not_of(" \t", at + name.size() + 2);
    return status.substr(begin, status.find('\n', begin) - begin);
}

/// The mask in force (SigBlk: a masked wait's temporary one, where PTRACE_GETSIGMASK shows the
/// saved one).
std::uint64_t mask_in_force(pid_t pid) {
    const std::string blk = status_field(pid, "SigBlk");
    return blk.empty() ? 0 : std::stoull(blk, nullptr, 16);
}

/// True while injectee "wait" sleeps in its wait, its temporary mask in force.
bool in_masked_wait(pid_t pid) {
    return status_field(pid, "State").rfind('S', 0) == 0 && mask_in_force(pid) == wait_mask;
}

/// Injectee "wait KIND" never traced: SIGUSR1 once it waits. \returns the line it printed.
std::string masked_wait_untraced(const char* kind) {
    Scenario sc;
    int out = -1;
    const pid_t pid = sc.spawn({"wait", kind}, &out, nullptr, injectee_path());
    REQUIRE(read_line(out) == "ready");
    REQUIRE(eventually([&] { return in_masked_wait(pid); }));
    REQUIRE(::kill(pid, SIGUSR1) == 0);
    const std::string line = read_line(out);
    CHECK(sc.wait_exit(pid) == 0);
    return line;
}

/// getpid and getcwd (a buffer on the stack) injected; the registers compared around them.
void inject_two_calls(Tracer& tracer, pid_t pid) {
    const auto regs = tracer.regs().get_int().value();
    const auto self = tracer.inject_syscall(InjectCall(SYS_getpid, {}));
    REQUIRE_MESSAGE(self.has_value(), ptrace_api::last_error_message());
    CHECK(self->ret == pid);
    InjectCall cwd(SYS_getcwd, {0, 512});
    cwd.buffer(0, std::size_t{512});
    const auto got = tracer.inject_syscall(cwd);
    REQUIRE_MESSAGE(got.has_value(), ptrace_api::last_error_message());
    CHECK(got->ret > 0);
    const auto after = tracer.regs().get_int().value();
    CHECK(std::memcmp(&regs, &after, sizeof regs) == 0);
    CHECK(mask_in_force(pid) == wait_mask); // the temporary mask, still in force
}

const char* const masked_waits[] = {"ppoll", "pselect", "sigsuspend", "epoll"};

} // namespace

TEST_SUITE("integration") {

    TEST_CASE("Issue 13/decision 24: calls injected while the tracee is frozen in ppoll, "
              "pselect6, rt_sigsuspend or epoll_pwait: it waits on with its temporary mask, a "
              "signal only that mask lets through wakes it, its own mask is back after, as in "
              "a run never injected") {
        for (const char* kind : masked_waits) {
            CAPTURE(kind);
            const std::string plain = masked_wait_untraced(kind);
            CHECK(plain == std::string(kind) + " r=-1 errno=4 hits=1 usr1=1 usr2=1 term=0");
            Scenario sc;
            int out = -1;
            const pid_t pid = sc.spawn({"wait", kind}, &out, nullptr, injectee_path());
            REQUIRE(read_line(out) == "ready");
            REQUIRE(eventually([&] { return in_masked_wait(pid); }));
            Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Detach});
            inject_two_calls(tracer, pid);
            CHECK(std::move(tracer).detach().has_value());
            // Back in its wait with the temporary mask (rt_sigsuspend, ppoll and pselect6
            // restart; epoll_pwait returns EINTR and the program calls it again).
            CHECK(eventually([&] { return in_masked_wait(pid); }));
            REQUIRE(::kill(pid, SIGUSR1) == 0); // blocked by its mask, not by the wait's
            CHECK(read_line(out) == plain);
            CHECK(sc.wait_exit(pid) == 0);
        }
    }

    TEST_CASE("Issue 13/decision 24/D5: calls injected at the SIGNAL stop of a signal that "
              "interrupted ppoll, pselect6, rt_sigsuspend or epoll_pwait: delivered once, the "
              "program's mask back after its handler, as in a run never injected") {
        for (const char* kind : masked_waits) {
            CAPTURE(kind);
            const std::string plain = masked_wait_untraced(kind);
            Scenario sc;
            int out = -1;
            const pid_t pid = sc.spawn({"wait", kind}, &out, nullptr, injectee_path());
            REQUIRE(read_line(out) == "ready");
            REQUIRE(eventually([&] { return in_masked_wait(pid); }));
            Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Kill});
            REQUIRE(::kill(pid, SIGUSR1) == 0);
            const auto ev = tracer.next(PtraceFlags::STOP_SIGNAL);
            REQUIRE(ev.has_value());
            const auto meaning = view(*ev);
            const auto* sig = std::get_if<events::Signal>(&meaning);
            REQUIRE(sig != nullptr);
            REQUIRE(sig->signal == SIGUSR1);
            inject_two_calls(tracer, pid);
            CHECK(std::move(tracer).detach().has_value()); // I1: the signal is delivered
            CHECK(read_line(out) == plain);
            CHECK(sc.wait_exit(pid) == 0);
        }
    }

    TEST_CASE("Issue 13/decision 24: getpid, gettid and getcwd injected at an int3; registers, "
              "XSAVE area and stack put back bit for bit") {
        Scenario sc;
        int out = -1;
        Tracer tracer = at_int3(sc, {"int3"}, out);
        const pid_t pid = tracer.pid();
        const auto regs = tracer.regs().get_int().value();
        const auto xstate = tracer.regs().get_xstate().value();
        const auto env = tracer.regs().get_env().value();
        const auto stack = stack_below(tracer, regs.rsp, 4096);

        const auto getpid = tracer.inject_syscall(InjectCall(SYS_getpid, {}));
        REQUIRE_MESSAGE(getpid.has_value(), ptrace_api::last_error_message());
        CHECK(getpid->ret == pid);
        CHECK_FALSE(getpid->seccomp_filter);
        const auto gettid = tracer.inject_syscall(InjectCall(SYS_gettid, {}));
        REQUIRE(gettid.has_value());
        CHECK(gettid->ret == pid);
        // A buffer: getcwd writes the tracee's cwd into the scratch area, read back.
        InjectCall cwd(SYS_getcwd, {0, 512});
        cwd.buffer(0, std::size_t{512});
        const auto got = tracer.inject_syscall(cwd);
        REQUIRE(got.has_value());
        REQUIRE(got->ret > 0);
        REQUIRE(got->buffers.size() == 1);
        const std::string text(reinterpret_cast<const char*>(got->buffers[0].data()));
        char real[4096] = {};
        const std::string link = "/proc/" + std::to_string(pid) + "/cwd";
        REQUIRE(::readlink(link.c_str(), real, sizeof real - 1) > 0);
        CHECK(text == real);

        const auto regs_after = tracer.regs().get_int().value();
        CHECK(std::memcmp(&regs, &regs_after, sizeof regs) == 0);
        const auto xstate_after = tracer.regs().get_xstate().value();
        CHECK(std::ranges::equal(xstate.bytes(), xstate_after.bytes()));
        const auto env_after = tracer.regs().get_env().value();
        CHECK(std::memcmp(&env, &env_after, sizeof env) == 0);
        CHECK(stack_below(tracer, regs.rsp, 4096) == stack);

        finish_from_int3(tracer);
        CHECK(sc.wait_exit(pid) == 0); // 42: a word below the red zone changed
        CHECK(read_all(out).empty());
    }

    TEST_CASE("Issue 13/decision 24: a signal sent during the injected call stays pending and "
              "is delivered after the next resume") {
        Scenario sc;
        int out = -1;
        Tracer tracer = at_int3(sc, {"int3_usr1"}, out);
        const pid_t pid = tracer.pid();
        const auto regs = tracer.regs().get_int().value();
        // The tracee signals itself inside the injected call: every signal is blocked then.
        const auto sent = tracer.inject_syscall(InjectCall(
            SYS_tgkill, {static_cast<std::uint64_t>(pid), static_cast<std::uint64_t>(pid),
                         static_cast<std::uint64_t>(SIGUSR1)}));
        REQUIRE_MESSAGE(sent.has_value(), ptrace_api::last_error_message());
        CHECK(sent->ret == 0);
        const std::string status = api_support::proc_file(pid, "status");
        const auto at = status.find("SigPnd:");
        REQUIRE(at != std::string::npos);
        const std::uint64_t pending = std::stoull(status.substr(at + 7), nullptr, 16);
        CHECK((pending & (std::uint64_t{1} << (SIGUSR1 - 1))) != 0); // pending, not delivered
        const auto blocked_at = status.find("SigBlk:");
        REQUIRE(blocked_at != std::string::npos);
        CHECK((std::stoull(status.substr(blocked_at + 7), nullptr, 16) &
               (std::uint64_t{1} << (SIGUSR1 - 1))) == 0); // the program's mask is back
        const auto after = tracer.regs().get_int().value();
        CHECK(std::memcmp(&regs, &after, sizeof regs) == 0);
        finish_from_int3(tracer);
        // Exits 0, or 42: the handler's signal frame, pushed below the red zone, may cover the
        // word the program checks there.
        const int exit_status = sc.wait_exit(pid);
        CHECK(WIFEXITED(exit_status));
        CHECK(read_all(out) == "usr1\n"); // its handler ran once, after the resume
    }

    TEST_CASE("Issue 13/decision 24: at a SIGNAL stop the signal is still the one delivered, "
              "once, after the injected calls") {
        Scenario sc;
        int out = -1;
        int gate = -1;
        const pid_t pid = sc.spawn({"raise_usr1"}, &out, &gate, injectee_path());
        Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Kill});
        open_gate(gate);
        const auto ev = tracer.next(PtraceFlags::STOP_SIGNAL);
        REQUIRE(ev.has_value());
        const auto meaning = view(*ev);
        const auto* sig = std::get_if<events::Signal>(&meaning);
        REQUIRE(sig != nullptr);
        REQUIRE(sig->signal == SIGUSR1);
        const auto regs = tracer.regs().get_int().value();
        for (const long nr : {SYS_getpid, SYS_gettid}) {
            const auto r = tracer.inject_syscall(InjectCall(static_cast<std::uint64_t>(nr), {}));
            REQUIRE_MESSAGE(r.has_value(), ptrace_api::last_error_message());
            CHECK(r->ret == pid);
        }
        const auto after = tracer.regs().get_int().value();
        CHECK(std::memcmp(&regs, &after, sizeof regs) == 0);
        CHECK(std::move(tracer).detach().has_value()); // I1: the signal is delivered
        CHECK(sc.wait_exit(pid) == 0);
        CHECK(read_all(out) == "usr1\n");
    }

    TEST_CASE("Issue 13/decision 24: mmap a page into the tracee, use it, munmap it") {
        Scenario sc;
        int out = -1;
        Tracer tracer = at_int3(sc, {"int3"}, out);
        const pid_t pid = tracer.pid();
        const auto page = tracer.inject_syscall(
            InjectCall(SYS_mmap, {0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                                  ~std::uint64_t{0}, 0}));
        REQUIRE(page.has_value());
        REQUIRE(page->ret > 0);
        const auto addr = static_cast<std::uint64_t>(page->ret);
        CHECK(mapped_at(pid, addr));
        CHECK(tracer.mem().write_value(addr, std::uint64_t{0xfeedface}).has_value());
        CHECK(tracer.mem().read_value<std::uint64_t>(addr).value() == 0xfeedface);
        const auto unmapped = tracer.inject_syscall(InjectCall(SYS_munmap, {addr, 4096}));
        REQUIRE(unmapped.has_value());
        CHECK(unmapped->ret == 0);
        CHECK_FALSE(mapped_at(pid, addr));
        CHECK_ERRC(tracer.mem().read_value<std::uint64_t>(addr), std::errc::bad_address);
        finish_from_int3(tracer);
        CHECK(sc.wait_exit(pid) == 0);
    }

    TEST_CASE("Issue 13/decision 24: a write into the tracee's pipe while it is frozen in read(); "
              "the read restarts and gets the bytes") {
        Scenario sc;
        int out = -1;
        const pid_t pid = sc.spawn({"read"}, &out, nullptr, injectee_path());
        const std::string fds = read_line(out);
        int rfd = -1;
        int wfd = -1;
        REQUIRE(std::sscanf(fds.c_str(), "fds %d %d", &rfd, &wfd) == 2);
        // Blocked in read(rfd) (syscall 0 with rfd as its first argument).
        REQUIRE(eventually([&] {
            const std::string sc_line = api_support::proc_file(pid, "syscall");
            return sc_line.rfind("0 0x" + std::to_string(rfd) + " ", 0) == 0 ||
                   sc_line.rfind("0 0x" + std::to_string(rfd), 0) == 0;
        }));
        Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Detach});
        const auto regs = tracer.regs().get_int().value();
        const auto self = tracer.inject_syscall(InjectCall(SYS_getpid, {}));
        REQUIRE_MESSAGE(self.has_value(), ptrace_api::last_error_message());
        CHECK(self->ret == pid);
        const char hello[] = "hello";
        InjectCall write(SYS_write, {static_cast<std::uint64_t>(wfd), 0, 5});
        write.buffer(1, std::as_bytes(std::span(hello, 5)));
        const auto wrote = tracer.inject_syscall(write);
        REQUIRE_MESSAGE(wrote.has_value(), ptrace_api::last_error_message());
        CHECK(wrote->ret == 5);
        const auto regs_after = tracer.regs().get_int().value();
        CHECK(std::memcmp(&regs, &regs_after, sizeof regs) == 0);
        // The read was interrupted by the freeze (-ERESTARTSYS); after the injected calls it
        // must still restart, and now finds the bytes.
        CHECK(std::move(tracer).detach().has_value());
        CHECK(read_line(out) == "read 5 hello");
        CHECK(sc.wait_exit(pid) == 0);
    }

    TEST_CASE("Issue 13/decision 24: at a PRE and a POST stop the held syscall still runs and "
              "returns its own result") {
        Scenario sc;
        int out = -1;
        int gate = -1;
        const pid_t pid = sc.spawn({"getppid"}, &out, &gate, injectee_path());
        Tracer tracer = attach_ok(pid, {AttachStop::StopNow, OnClose::Kill});
        open_gate(gate);
        ptrace_api::IntRegisters pre{};
        for (int i = 0; i < 10000; ++i) {
            REQUIRE(tracer.next(PtraceFlags::STOP_PRE_SYSCALL).has_value());
            pre = tracer.regs().get_int().value();
            if (pre.rax == SYS_getppid) {
                break;
            }
        }
        REQUIRE(pre.rax == SYS_getppid);
        const auto at_pre = tracer.inject_syscall(InjectCall(SYS_gettid, {}));
        REQUIRE_MESSAGE(at_pre.has_value(), ptrace_api::last_error_message());
        CHECK(at_pre->ret == pid);
        const auto pre_after = tracer.regs().get_int().value();
        CHECK(std::memcmp(&pre, &pre_after, sizeof pre) == 0);
        REQUIRE(tracer.next(PtraceFlags::STOP_POST_SYSCALL).has_value());
        const auto post = tracer.regs().get_int().value();
        CHECK(post.rax == static_cast<std::uint64_t>(::getpid())); // getppid's own result
        const auto at_post = tracer.inject_syscall(InjectCall(SYS_getpid, {}));
        REQUIRE_MESSAGE(at_post.has_value(), ptrace_api::last_error_message());
        CHECK(at_post->ret == pid);
        const auto post_after = tracer.regs().get_int().value();
        CHECK(std::memcmp(&post, &post_after, sizeof post) == 0);
        CHECK(std::move(tracer).detach().has_value());
        CHECK(read_line(out) == "getppid OK");
        CHECK(sc.wait_exit(pid) == 0);
    }

    TEST_CASE("Issue 13/decision 24: a tracee not held at a stop is refused with EBUSY, one at "
              "its exit stop with ESRCH, each with a message") {
        Scenario sc;
        int out = -1;
        Tracer tracer = at_int3(sc, {"int3"}, out);
        const pid_t pid = tracer.pid();
        InjectCall bad(SYS_getpid, {});
        bad.buffer(7, std::size_t{8});
        CHECK_ERRC(tracer.inject_syscall(bad), std::errc::invalid_argument);
        CHECK(ptrace_api::last_error_message().find("argument 7") != std::string::npos);
        // Running: a nonblocking tracer resumed without waiting for a stop.
        auto nb = std::move(tracer).into_nonblocking();
        REQUIRE(nb.has_value());
        REQUIRE(nb->next(PtraceFlags::STOP_EXIT | PtraceFlags::FLAG_IGNORE).has_value());
        // Either still running (EBUSY) or already at its exit stop (ESRCH): both refused.
        const auto running = nb->inject_syscall(InjectCall(SYS_getpid, {}));
        REQUIRE_FALSE(running.has_value());
        CHECK((running.error() == std::errc::device_or_resource_busy ||
               running.error() == std::errc::no_such_process));
        CHECK_FALSE(ptrace_api::last_error_message().empty());
        REQUIRE(nb->wait().has_value());
        const auto at_exit = nb->inject_syscall(InjectCall(SYS_getpid, {}));
        CHECK_ERRC(at_exit, std::errc::no_such_process);
        CHECK(ptrace_api::last_error_message().find("exit stop") != std::string::npos);
        CHECK(std::move(*nb).detach().has_value());
        CHECK(sc.wait_exit(pid) == 0);
    }

    TEST_CASE("Issue 13/decision 24: seccomp filters: a refused call returns the filter's errno, "
              "a trapped one is ENOSYS with its SIGSYS thrown away, a killing one ESRCH") {
        SUBCASE("errno") {
            Scenario sc;
            int out = -1;
            Tracer tracer = at_int3(sc, {"seccomp", "errno"}, out);
            const pid_t pid = tracer.pid();
            const auto r = tracer.inject_syscall(InjectCall(SYS_getppid, {}));
            REQUIRE(r.has_value());
            CHECK(r->ret == -EPERM);
            CHECK(r->seccomp_filter);
            finish_from_int3(tracer);
            CHECK(sc.wait_exit(pid) == 0);
        }
        SUBCASE("trap") {
            Scenario sc;
            int out = -1;
            Tracer tracer = at_int3(sc, {"seccomp", "trap"}, out);
            const pid_t pid = tracer.pid();
            const auto regs = tracer.regs().get_int().value();
            const auto r = tracer.inject_syscall(InjectCall(SYS_getppid, {}));
            INFO("message: ", ptrace_api::last_error_message());
            CHECK_ERRC(r, std::errc::function_not_supported);
            CHECK(ptrace_api::last_error_message().find("SECCOMP_RET_TRAP") != std::string::npos);
            const auto after = tracer.regs().get_int().value();
            CHECK(std::memcmp(&regs, &after, sizeof regs) == 0);
            // Still usable: a call the filter lets through.
            const auto ok = tracer.inject_syscall(InjectCall(SYS_getpid, {}));
            REQUIRE(ok.has_value());
            CHECK(ok->ret == pid);
            finish_from_int3(tracer);
            CHECK(sc.wait_exit(pid) == 0);
            CHECK(read_all(out).empty()); // the program's SIGSYS handler never ran
        }
        SUBCASE("kill") {
            Scenario sc;
            int out = -1;
            Tracer tracer = at_int3(sc, {"seccomp", "kill"}, out);
            const pid_t pid = tracer.pid();
            const auto r = tracer.inject_syscall(InjectCall(SYS_getppid, {}));
            CHECK_ERRC(r, std::errc::no_such_process);
            CHECK(ptrace_api::last_error_message().find("seccomp") != std::string::npos);
            (void)tracer.next(PtraceFlags::STOP_EXIT);
            (void)tracer.next(PtraceFlags{});
            const int status = sc.wait_exit(pid);
            CHECK(WIFSIGNALED(status));
            CHECK(WTERMSIG(status) == SIGSYS);
        }
    }
}
