// SPDX-License-Identifier: MIT
// The shim's pure phases without a tracee: stop classification (classify.hpp) and the Redox
// rules (rules.hpp), table-driven. Statuses are what waitid(2) gives for CLD_TRAPPED; the
// facts only ptrace can tell are scripted, and each row also says which of them may be asked.
#include <ptrace/shim/classify.hpp>
#include <ptrace/shim/rules.hpp>

#include <doctest/doctest.h>

#include <array>
#include <csignal>
#include <cstdint>
#include <optional>
#include <string>

#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

namespace {

using ptrace_api::PtraceEvent;
using ptrace_api::PtraceFlags;
using ptrace_api::shim::classify;
using ptrace_api::shim::Stop;
using ptrace_api::shim::StopContext;
using ptrace_api::shim::detail::Mode;
using ptrace_api::shim::detail::StopKind;
using ptrace_api::shim::detail::SysState;
namespace rules = ptrace_api::shim::rules;

/// Scripted answers to classify's questions, counting how often each was asked.
struct ScriptedFacts {
    std::optional<bool> entry;
    int code = SI_USER;
    int entry_asked = 0;
    int code_asked = 0;

    std::optional<bool> syscall_entry() {
        ++entry_asked;
        return entry;
    }
    int trap_code() {
        ++code_asked;
        return code;
    }
};

constexpr int event_status(int event) {
    return SIGTRAP | (event << 8);
}

struct ClassifyRow {
    const char* what;
    int status;
    StopContext ctx;
    std::optional<bool> entry; // what PTRACE_GET_SYSCALL_INFO would say
    int code;                  // what PTRACE_GETSIGINFO would say
    Stop want;
    bool may_ask_entry;
    bool may_ask_code;
};

constexpr StopContext outside{SysState::Outside, false, false};
constexpr StopContext inside{SysState::Inside, false, false};
constexpr StopContext unknown{SysState::Unknown, false, false};
constexpr StopContext restarting{SysState::Inside, true, false};
constexpr StopContext stepping{SysState::Outside, false, true};

const std::array classify_rows{
    // D1/D2: syscall-stops pair by the task's own state; Linux is asked only when unsure.
    ClassifyRow{"D1: a syscall-stop outside a syscall is its entry",
                0x85,
                outside,
                false,
                0,
                {StopKind::SyscallEntry, 0, 0},
                false,
                false},
    ClassifyRow{"D2: a syscall-stop inside a syscall is its exit",
                0x85,
                inside,
                true,
                0,
                {StopKind::SyscallExit, 0, 0},
                false,
                false},
    ClassifyRow{"D1/D2 after an attach: Linux says exit",
                0x85,
                unknown,
                false,
                0,
                {StopKind::SyscallExit, 0, 0},
                true,
                false},
    ClassifyRow{"D1/D2 after an attach: Linux says entry",
                0x85,
                unknown,
                true,
                0,
                {StopKind::SyscallEntry, 0, 0},
                true,
                false},
    ClassifyRow{"D1/D2 after an attach: Linux cannot tell, taken as an entry",
                0x85,
                unknown,
                std::nullopt,
                0,
                {StopKind::SyscallEntry, 0, 0},
                true,
                false},
    ClassifyRow{"decision 18: a restart's entry is recognised although inside",
                0x85,
                restarting,
                true,
                0,
                {StopKind::SyscallEntry, 0, 0},
                true,
                false},
    // Issue 12: the kernel filter's stop, waitpid status (SIGTRAP | 7 << 8) << 8 | 0x7f.
    ClassifyRow{"issue 12: PTRACE_EVENT_SECCOMP outside a syscall is a seccomp stop",
                event_status(PTRACE_EVENT_SECCOMP),
                outside,
                std::nullopt,
                0,
                {StopKind::Seccomp, 0, PTRACE_EVENT_SECCOMP},
                false,
                false},
    ClassifyRow{"issue 12: PTRACE_EVENT_SECCOMP after an entry stop is a seccomp stop too",
                event_status(PTRACE_EVENT_SECCOMP),
                inside,
                std::nullopt,
                0,
                {StopKind::Seccomp, 0, PTRACE_EVENT_SECCOMP},
                false,
                false},
    // H: EVENT_STOP with a stop signal is a group-stop, any other an interrupt.
    ClassifyRow{"H1: EVENT_STOP with SIGSTOP is a group-stop",
                SIGSTOP | (PTRACE_EVENT_STOP << 8),
                outside,
                std::nullopt,
                0,
                {StopKind::GroupStop, SIGSTOP, 0},
                false,
                false},
    ClassifyRow{"H1: EVENT_STOP with SIGTTIN is a group-stop",
                SIGTTIN | (PTRACE_EVENT_STOP << 8),
                outside,
                std::nullopt,
                0,
                {StopKind::GroupStop, SIGTTIN, 0},
                false,
                false},
    ClassifyRow{"A5: EVENT_STOP with SIGTRAP is an interrupt",
                event_status(PTRACE_EVENT_STOP),
                inside,
                std::nullopt,
                0,
                {StopKind::Interrupt, SIGTRAP, 0},
                false,
                false},
    // D7, F1, K: other ptrace events.
    ClassifyRow{"D7: EVENT_EXIT",
                event_status(PTRACE_EVENT_EXIT),
                inside,
                std::nullopt,
                0,
                {StopKind::Exit, 0, 0},
                false,
                false},
    ClassifyRow{"F1: EVENT_CLONE",
                event_status(PTRACE_EVENT_CLONE),
                inside,
                std::nullopt,
                0,
                {StopKind::Event, 0, PTRACE_EVENT_CLONE},
                false,
                false},
    ClassifyRow{"F1: EVENT_FORK",
                event_status(PTRACE_EVENT_FORK),
                inside,
                std::nullopt,
                0,
                {StopKind::Event, 0, PTRACE_EVENT_FORK},
                false,
                false},
    ClassifyRow{"F1: EVENT_VFORK",
                event_status(PTRACE_EVENT_VFORK),
                inside,
                std::nullopt,
                0,
                {StopKind::Event, 0, PTRACE_EVENT_VFORK},
                false,
                false},
    ClassifyRow{"K4: EVENT_EXEC",
                event_status(PTRACE_EVENT_EXEC),
                inside,
                std::nullopt,
                0,
                {StopKind::Event, 0, PTRACE_EVENT_EXEC},
                false,
                false},
    ClassifyRow{"F1: EVENT_VFORK_DONE",
                event_status(PTRACE_EVENT_VFORK_DONE),
                inside,
                std::nullopt,
                0,
                {StopKind::Event, 0, PTRACE_EVENT_VFORK_DONE},
                false,
                false},
    // D6/D4/D5: a SIGTRAP is an int3, the trap of our step, or a signal.
    ClassifyRow{"D6: a kernel SIGTRAP is an int3",
                SIGTRAP,
                outside,
                std::nullopt,
                SI_KERNEL,
                {StopKind::Breakpoint, SIGTRAP, 0},
                false,
                true},
    ClassifyRow{"D6: an int3 while a step is armed is still an int3",
                SIGTRAP,
                stepping,
                std::nullopt,
                SI_KERNEL,
                {StopKind::Breakpoint, SIGTRAP, 0},
                false,
                true},
    ClassifyRow{"D4: the trap of a step we asked for",
                SIGTRAP,
                stepping,
                std::nullopt,
                TRAP_TRACE,
                {StopKind::Step, 0, 0},
                false,
                true},
    ClassifyRow{"D4: a hardware-breakpoint trap code while stepping",
                SIGTRAP,
                stepping,
                std::nullopt,
                TRAP_BRKPT,
                {StopKind::Step, 0, 0},
                false,
                true},
    ClassifyRow{"D4: a step trap nobody asked for is a SIGTRAP signal",
                SIGTRAP,
                outside,
                std::nullopt,
                TRAP_TRACE,
                {StopKind::Signal, SIGTRAP, 0},
                false,
                true},
    ClassifyRow{"D5: a SIGTRAP sent by kill(2) is a signal",
                SIGTRAP,
                stepping,
                std::nullopt,
                SI_USER,
                {StopKind::Signal, SIGTRAP, 0},
                false,
                true},
    ClassifyRow{"D5: any other signal",
                SIGUSR1,
                inside,
                std::nullopt,
                0,
                {StopKind::Signal, SIGUSR1, 0},
                false,
                false},
    ClassifyRow{"D5: SIGSTOP's delivery-stop (before the group-stop)",
                SIGSTOP,
                outside,
                std::nullopt,
                0,
                {StopKind::Signal, SIGSTOP, 0},
                false,
                false},
};

} // namespace

TEST_CASE("classify: every kind of ptrace-stop, and Linux asked only when needed (spec 3.1)") {
    for (const ClassifyRow& row : classify_rows) {
        CAPTURE(std::string(row.what));
        ScriptedFacts facts{row.entry, row.code, 0, 0};
        const Stop got = classify(row.status, row.ctx, facts);
        CHECK(static_cast<int>(got.kind) == static_cast<int>(row.want.kind));
        CHECK(got.sig == row.want.sig);
        CHECK(got.event == row.want.event);
        CHECK(facts.entry_asked <= (row.may_ask_entry ? 1 : 0));
        CHECK(facts.code_asked <= (row.may_ask_code ? 1 : 0));
        if (row.may_ask_entry) {
            CHECK(facts.entry_asked == 1); // the answer decided the row
        }
    }
}

TEST_CASE("rules C1/C4/B3: a stop is reported only when the breakpoint names it") {
    const rules::Breakpoint none;
    const rules::Breakpoint pre = PtraceFlags::STOP_PRE_SYSCALL;
    const rules::Breakpoint exit_and_signal = PtraceFlags::STOP_EXIT | PtraceFlags::STOP_SIGNAL;
    CHECK_FALSE(rules::report_if(none, PtraceFlags::STOP_PRE_SYSCALL));
    CHECK_FALSE(rules::report_if(pre, PtraceFlags::STOP_POST_SYSCALL));
    const auto ev = rules::report_if(pre, PtraceFlags::STOP_PRE_SYSCALL);
    REQUIRE(ev);
    CHECK(rules::cause_bits(*ev) == PtraceFlags::STOP_PRE_SYSCALL.bits());
    CHECK(ev->a == 0);
    CHECK(ev->b == 0);
    const auto sig = rules::report_if(exit_and_signal, PtraceFlags::STOP_SIGNAL, SIGUSR1, 1);
    REQUIRE(sig);
    CHECK(rules::cause_bits(*sig) == PtraceFlags::STOP_SIGNAL.bits());
    CHECK(sig->a == SIGUSR1);
    CHECK(sig->b == 1);
    CHECK(sig->c == 0);
    CHECK(sig->d == 0);
    CHECK(sig->e == 0);
    CHECK(sig->f == 0);
}

TEST_CASE("rules B11/D4: the resume mode for a breakpoint, at a stop and while running") {
    using F = PtraceFlags;
    struct Row {
        const char* what;
        rules::Breakpoint bp;
        StopKind stop;
        bool at_syscall_insn;
        Mode running; // mode_class
        Mode at_stop; // mode_for
        bool asks_insn;
    };
    const std::array rows{
        Row{"no breakpoint: continue", std::nullopt, StopKind::Signal, false, Mode::Cont,
            Mode::Cont, false},
        Row{"EXIT only: continue", F::STOP_EXIT, StopKind::Interrupt, false, Mode::Cont, Mode::Cont,
            false},
        Row{"EVENT_CLONE only: continue", F::EVENT_CLONE, StopKind::Event, false, Mode::Cont,
            Mode::Cont, false},
        Row{"PRE: syscall stops", F::STOP_PRE_SYSCALL, StopKind::Interrupt, false, Mode::Syscall,
            Mode::Syscall, false},
        Row{"POST: syscall stops", F::STOP_POST_SYSCALL, StopKind::SyscallEntry, false,
            Mode::Syscall, Mode::Syscall, false},
        Row{"SINGLESTEP: step", F::STOP_SINGLESTEP, StopKind::Step, true, Mode::Step, Mode::Step,
            false},
        Row{"D4: SINGLESTEP|PRE at a plain instruction: step",
            F::STOP_SINGLESTEP | F::STOP_PRE_SYSCALL, StopKind::Step, false, Mode::Step, Mode::Step,
            true},
        Row{"D4: SINGLESTEP|PRE at a syscall instruction: the syscall stop wins",
            F::STOP_SINGLESTEP | F::STOP_PRE_SYSCALL, StopKind::Step, true, Mode::Step,
            Mode::Syscall, true},
        Row{"D4: SINGLESTEP|POST at a syscall entry: on to its exit",
            F::STOP_SINGLESTEP | F::STOP_POST_SYSCALL, StopKind::SyscallEntry, false, Mode::Step,
            Mode::Syscall, false},
        Row{"D4: SINGLESTEP|PRE at a syscall entry: step over the syscall",
            F::STOP_SINGLESTEP | F::STOP_PRE_SYSCALL, StopKind::SyscallEntry, true, Mode::Step,
            Mode::Step, false},
    };
    for (const Row& row : rows) {
        CAPTURE(std::string(row.what));
        int asked = 0;
        const Mode mode = rules::mode_for(row.bp, row.stop, [&] {
            ++asked;
            return row.at_syscall_insn;
        });
        CHECK(static_cast<int>(mode) == static_cast<int>(row.at_stop));
        CHECK(asked == (row.asks_insn ? 1 : 0));
        CHECK(static_cast<int>(rules::mode_class(row.bp)) == static_cast<int>(row.running));
    }
    CHECK(rules::request_for(Mode::Cont) == PTRACE_CONT);
    CHECK(rules::request_for(Mode::Syscall) == PTRACE_SYSCALL);
    CHECK(rules::request_for(Mode::Step) == PTRACE_SINGLESTEP);
    CHECK(rules::is_syscall_instruction(0x050f));
    CHECK(rules::is_syscall_instruction(0xdeadbeef80cd));
    CHECK_FALSE(rules::is_syscall_instruction(0x0f05));
    CHECK_FALSE(rules::is_syscall_instruction(0x90cc));
}

TEST_CASE("rules E1/E2/decision 4: the signal and the skip a resume carries") {
    struct Row {
        const char* what;
        StopKind stop;
        int stop_sig;
        bool ignore;
        long signal;
        bool skips;
    };
    const std::array rows{
        Row{"E2: a signal is delivered", StopKind::Signal, SIGUSR1, false, SIGUSR1, false},
        Row{"E2: IGNORE throws the signal away", StopKind::Signal, SIGUSR1, true, 0, false},
        Row{"decision 4: an int3 resumed without IGNORE delivers SIGTRAP", StopKind::Breakpoint,
            SIGTRAP, false, SIGTRAP, false},
        Row{"decision 4: IGNORE resumes an int3 quietly", StopKind::Breakpoint, SIGTRAP, true, 0,
            false},
        Row{"E1: IGNORE at a syscall entry skips it", StopKind::SyscallEntry, 0, true, 0, true},
        Row{"E1: a syscall entry without IGNORE runs it", StopKind::SyscallEntry, 0, false, 0,
            false},
        Row{"IGNORE at a syscall exit changes nothing", StopKind::SyscallExit, 0, true, 0, false},
        Row{"a step resumes with no signal", StopKind::Step, 0, false, 0, false},
        Row{"decision 27: a siginfo written at an int3 makes its signal the one delivered",
            StopKind::Breakpoint, SIGUSR1, false, SIGUSR1, false},
        Row{"decision 27: ... and after a step", StopKind::Step, SIGUSR1, false, SIGUSR1, false},
        Row{"decision 27: IGNORE throws a written signal away too", StopKind::Step, SIGUSR1, true,
            0, false},
        Row{"a group-stop resumes with no signal", StopKind::GroupStop, SIGSTOP, false, 0, false},
        Row{"an event stop resumes with no signal", StopKind::Event, 0, false, 0, false},
    };
    for (const Row& row : rows) {
        CAPTURE(std::string(row.what));
        CHECK(rules::resume_signal(row.stop, row.stop_sig, row.ignore) == row.signal);
        CHECK(rules::skips_syscall(row.stop, row.ignore) == row.skips);
    }
    user_regs_struct regs{};
    regs.orig_rax = SYS_getpid;
    regs.rax = static_cast<std::uint64_t>(-ENOSYS);
    rules::skip_syscall_regs(regs, false); // E6: no edit, the syscall number comes back
    CHECK(regs.orig_rax == ~std::uint64_t{0});
    CHECK(regs.rax == SYS_getpid);
    regs.orig_rax = SYS_openat;
    regs.rax = static_cast<std::uint64_t>(-EACCES);
    rules::skip_syscall_regs(regs, true); // E1: the tracer's rax stays
    CHECK(regs.orig_rax == ~std::uint64_t{0});
    CHECK(regs.rax == static_cast<std::uint64_t>(-EACCES));
}

TEST_CASE("rules A6/F1: the ptrace options a tracee needs") {
    const rules::Breakpoint none;
    const rules::Breakpoint clones = PtraceFlags::EVENT_CLONE | PtraceFlags::STOP_EXIT;
    const rules::Breakpoint exit_only = PtraceFlags::STOP_EXIT;
    const long base = ptrace_api::shim::seize_options;
    const long clone = ptrace_api::shim::clone_options;
    CHECK(rules::options_for(false, nullptr) == base);
    CHECK(rules::options_for(true, nullptr) == (base | PTRACE_O_EXITKILL));
    CHECK(rules::options_for(false, &none) == base);
    CHECK(rules::options_for(false, &exit_only) == base);
    CHECK(rules::options_for(false, &clones) == (base | clone));
    CHECK(rules::options_for(true, &clones) == (base | clone | PTRACE_O_EXITKILL));
    CHECK((base & PTRACE_O_TRACESYSGOOD) != 0);
    CHECK((base & PTRACE_O_TRACEEXIT) != 0);
    CHECK((base & PTRACE_O_TRACEEXEC) != 0);
    CHECK((clone & (PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK)) == clone);
}

TEST_CASE("rules D7: the exit status an EXIT event carries") {
    CHECK(rules::exit_status(3 << 8) == (3U << 8));                              // exit(3)
    CHECK(rules::exit_status(SIGSEGV | 0x80) == static_cast<unsigned>(SIGSEGV)); // no core bit
    CHECK(rules::exit_status(SIGKILL) == static_cast<unsigned>(SIGKILL));
    CHECK(rules::wait_status(CLD_EXITED, 3) == (3U << 8));
    CHECK(rules::wait_status(CLD_EXITED, 256 + 7) == (7U << 8)); // only the low byte
    CHECK(rules::wait_status(CLD_KILLED, SIGKILL) == static_cast<unsigned>(SIGKILL));
    CHECK(rules::wait_status(CLD_DUMPED, SIGSEGV) == static_cast<unsigned>(SIGSEGV));
}

TEST_CASE("rules D5: the handler value from /proc masks") {
    ptrace_api::shim::sys::ProcStatus st{};
    st.sig_ign = rules::signal_bit(SIGUSR2) | rules::signal_bit(SIGRTMIN + 2);
    st.sig_cgt = rules::signal_bit(SIGUSR1) | rules::signal_bit(64);
    CHECK(rules::handler_value(st, SIGUSR1) == ptrace_api::shim::caught_handler_unknown);
    CHECK(rules::handler_value(st, 64) == ptrace_api::shim::caught_handler_unknown);
    CHECK(rules::handler_value(st, SIGUSR2) == 1);
    CHECK(rules::handler_value(st, SIGRTMIN + 2) == 1);
    CHECK(rules::handler_value(st, SIGTERM) == 0);
    CHECK(rules::handler_value(st, 0) == 0);
    CHECK(rules::handler_value(st, 65) == 0);
    CHECK(rules::handler_value(st, -1) == 0);
}

TEST_CASE("rules decision 18 / spec 3.H6: restarts Linux hides, and ignored signals") {
    for (const long v : {-512L, -513L, -514L, -516L}) {
        CHECK(rules::is_restart_errno(static_cast<std::uint64_t>(v)));
    }
    for (const long v : {-515L, -4L, 0L, 512L, -511L}) {
        CHECK_FALSE(rules::is_restart_errno(static_cast<std::uint64_t>(v)));
    }
    CHECK(rules::is_restart_errno(rules::restart_nohand));

    const auto eintr = static_cast<std::uint64_t>(-EINTR);
    CHECK(rules::interrupted_epoll_wait(eintr, SYS_epoll_wait));
    CHECK(rules::interrupted_epoll_wait(eintr, SYS_epoll_pwait));
    CHECK(rules::interrupted_epoll_wait(eintr, SYS_epoll_pwait2));
    CHECK_FALSE(rules::interrupted_epoll_wait(eintr, SYS_read));
    CHECK_FALSE(rules::interrupted_epoll_wait(0, SYS_epoll_wait));

    using rules::signal_bit;
    struct Row {
        const char* what;
        std::uint64_t pending, shared, blocked, ignored, caught;
        int delivering;
        bool restart;
    };
    const std::array rows{
        Row{"nothing pending: a genuine EINTR", 0, 0, 0, 0, 0, 0, false},
        Row{"SIGCHLD at its default (ignored) pending", signal_bit(SIGCHLD), 0, 0, 0, 0, 0, true},
        Row{"SIGCHLD caught: it interrupts", signal_bit(SIGCHLD), 0, 0, 0, signal_bit(SIGCHLD), 0,
            false},
        Row{"SIG_IGN'd SIGUSR1 process-wide", 0, signal_bit(SIGUSR1), 0, signal_bit(SIGUSR1), 0, 0,
            true},
        Row{"an ignored one and a caught one", signal_bit(SIGUSR1) | signal_bit(SIGUSR2), 0, 0,
            signal_bit(SIGUSR1), signal_bit(SIGUSR2), 0, false},
        Row{"a caught one blocked by the wait's mask", signal_bit(SIGUSR1) | signal_bit(SIGUSR2), 0,
            signal_bit(SIGUSR2), signal_bit(SIGUSR1), signal_bit(SIGUSR2), 0, true},
        Row{"SIGWINCH (ignored by default) being delivered", 0, 0, 0, 0, 0, SIGWINCH, true},
        Row{"the caught signal being delivered", 0, 0, 0, 0, signal_bit(SIGUSR1), SIGUSR1, false},
        Row{"SIGTERM at its default: fatal, not ignored", signal_bit(SIGTERM), 0, 0, 0, 0, 0,
            false},
    };
    for (const Row& row : rows) {
        CAPTURE(std::string(row.what));
        ptrace_api::shim::sys::ProcStatus st{};
        st.sig_pnd = row.pending;
        st.shd_pnd = row.shared;
        st.sig_blk = row.blocked;
        st.sig_ign = row.ignored;
        st.sig_cgt = row.caught;
        CHECK(rules::only_ignored_signals_through(st, row.delivering) == row.restart);
    }
}

TEST_CASE("rules spec 3.G: a task let go is detached again with its pending signal only") {
    CHECK(rules::detach_signal(SIGUSR1) == SIGUSR1);
    CHECK(rules::detach_signal(SIGSTOP) == SIGSTOP);
    CHECK(rules::detach_signal(SIGTRAP) == 0);
    CHECK(rules::detach_signal(0x85) == 0); // a syscall-stop
    CHECK(rules::detach_signal(event_status(PTRACE_EVENT_EXIT)) == 0);
    CHECK(rules::detach_signal(SIGSTOP | (PTRACE_EVENT_STOP << 8)) == 0);
}
