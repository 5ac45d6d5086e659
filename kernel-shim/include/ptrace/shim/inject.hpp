// SPDX-License-Identifier: MIT
// Syscall injection (issue 13, decision 24): a system call run in a tracee that its session
// holds at a stop, with its registers (int and XSAVE), the scratch memory of its arguments and
// its signal state put back afterwards, so that the held stop is the same stop as before
// (kernel-shim/README.md, "Syscall injection"). The calls themselves go through
// remote_syscalls.hpp, as the D5 probe's do.
#pragma once

#include <ptrace/inject.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/io.hpp>
#include <ptrace/shim/memory_io.hpp>
#include <ptrace/shim/paths.hpp>
#include <ptrace/shim/remote_syscalls.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/sys.hpp>
#include <ptrace/shim/tracer.hpp>
#include <ptrace/shim/xstate_io.hpp>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <elf.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ptrace_api::shim::detail {

/// The System V red zone below rsp that a leaf function may use without moving rsp.
inline constexpr std::uint64_t red_zone = 128;
/// The most buffer bytes one injected call takes.
inline constexpr std::size_t inject_buffer_limit = 64 * 1024;

/// An errno and the sentence that says why.
struct InjectError {
    int err = 0;
    std::string why;
};

/// Where the held stop is in the kernel, which decides how it is left and how it is rebuilt.
enum class HeldAt : std::uint8_t {
    Entry,    // a syscall-entry stop (PRE): left by skipping the call, rebuilt by running the
              // same `syscall` instruction again
    Delivery, // a signal-delivery-stop (SIGNAL, BREAKPOINT, SINGLESTEP): the signal is queued
              // again while blocked, and rebuilt by letting it be dequeued again
    Trap,     // a syscall-exit stop (POST) or a PTRACE_EVENT_STOP (freeze, clone child):
              // rebuilt as a PTRACE_INTERRUPT stop, which resumes exactly as they do
};

/// Runs one call in the stopped `tid`. Tracer thread, mutex held; `tid` sits in a stop the
/// machine holds (kind `stop`, signal `stop_sig` for a delivery-stop).
class Injector {
public:
    Injector(pid_t tid, StopKind stop, int stop_sig, ProbeSpace& space) noexcept
        : tid_(tid), stop_(stop), sig_(stop_sig), space_(space) {}

    /// True when the tracee left its stop for its exit (killed meanwhile): the exit stop is
    /// left for the tracer thread's wait, unconsumed.
    [[nodiscard]] bool exiting() const noexcept { return exiting_; }
    /// The status of an exit stop that was consumed on the way (0: none): the caller hands it
    /// to the machine.
    [[nodiscard]] int consumed_exit() const noexcept { return exit_status_; }

    InjectError run(const InjectCall& call, InjectResult& out) {
        if (InjectError e = refuse_or_save(call); e.err != 0) {
            return e;
        }
        out.seccomp_filter = seccomp_ != 0;
        InjectError failed = inject(call, out);
        // Everything is put back even when the call failed, as far as the tracee still
        // exists: memory first (no stop needed for /proc/<tid>/mem), then the stop.
        restore_memory();
        if (!exiting_) {
            if (InjectError e = rebuild_stop(); e.err != 0 && failed.err == 0) {
                failed = std::move(e);
            }
        }
        if (!exiting_) {
            for (const int s : resend_) {
                (void)sys::tgkill(tgid_, tid_, s); // pending again, delivered at the next resume
            }
        }
        if (exiting_) {
            failed = {ESRCH, "the tracee was killed during the injected call" +
                                 std::string(seccomp_ != 0 ? " (it has a seccomp filter, which "
                                                             "may have killed it for the call)"
                                                           : "")};
        }
        if (failed.err == 0 && trapped_) {
            failed = {ENOSYS, "the tracee's seccomp filter trapped the injected call "
                              "(SECCOMP_RET_TRAP): the call did not run and its SIGSYS was "
                              "thrown away"};
        }
        return failed;
    }

private:
    InjectError refuse_or_save(const InjectCall& call) {
        switch (stop_) {
        case StopKind::SyscallEntry:
            held_ = HeldAt::Entry;
            break;
        case StopKind::Signal:
        case StopKind::Breakpoint:
        case StopKind::Step:
            held_ = HeldAt::Delivery;
            break;
        case StopKind::SyscallExit:
        case StopKind::Interrupt:
            held_ = HeldAt::Trap;
            break;
        case StopKind::Exit:
            return {ESRCH, "the tracee is at its exit stop: it runs nothing any more"};
        default:
            return {EBUSY, "the tracee's stop is not one where a call can be injected "
                           "(a group-stop or an event stop)"};
        }
        for (const InjectBuffer& b : call.buffers) {
            if (b.arg >= 6) {
                return {EINVAL, "a buffer names argument " + std::to_string(b.arg) +
                                    "; arguments are 0 to 5"};
            }
            scratch_size_ += (b.bytes.size() + 15) & ~std::size_t{15};
        }
        if (scratch_size_ > inject_buffer_limit) {
            return {EINVAL, "the buffers take " + std::to_string(scratch_size_) +
                                " bytes; at most 65536 are copied into the tracee"};
        }
        const auto st = sys::proc_status(tid_);
        if (!st) {
            return {st.error().value(),
                    "/proc/" + std::to_string(tid_) + "/status: " + st.error().message()};
        }
        tgid_ = st->tgid;
        seccomp_ = st->seccomp;
        sigsys_pending_before_ = ((st->sig_pnd | st->shd_pnd) & rules::signal_bit(SIGSYS)) != 0;
        if (seccomp_ == 1) {
            return {EPERM, "the tracee is in seccomp strict mode: any other call kills it"};
        }
        if (sys::ptrace_ptr(PTRACE_GETREGS, tid_, 0, &saved_) != 0 || !get_mask(tid_, mask_)) {
            return {errno == ESRCH ? ESRCH : errno, "the tracee's registers or signal mask "
                                                    "could not be read"};
        }
        if (saved_.cs != 0x33) {
            return {EINVAL, "not a 64-bit task"};
        }
        if (mask_ != st->sig_blk) {
            // PTRACE_GETSIGMASK reports a mask-swapping wait's saved mask and SETSIGMASK drops
            // the saved state; the D5 probe rebuilds it with an injected ppoll, not done here.
            return {EBUSY, "the tracee is in a mask-swapping wait (ppoll, pselect6, "
                           "rt_sigsuspend, epoll_pwait...) with a temporary signal mask: "
                           "changing its mask would lose the saved one"};
        }
        if (held_ == HeldAt::Delivery) {
            if (sys::ptrace_ptr(PTRACE_GETSIGINFO, tid_, 0, &info_) != 0) {
                return {ESRCH, "the tracee's siginfo could not be read"};
            }
            sig_ = info_.si_signo;
            if (((st->sig_pnd | st->shd_pnd) & rules::signal_bit(sig_)) != 0) {
                return {EBUSY, "another instance of signal " + std::to_string(sig_) +
                                   " is pending: queueing the held one again would merge "
                                   "with it or go behind it"};
            }
        }
        if (const int err = get_xstate(tid_, xstate_); err != 0) {
            xstate_.clear(); // no XSAVE: the FXSAVE area then
            if (sys::ptrace_ptr(PTRACE_GETFPREGS, tid_, 0, &fpregs_) != 0) {
                return {errno, "the tracee's floating-point registers could not be read"};
            }
            have_fpregs_ = true;
        }
        if (space_.syscall_insn == 0 ||
            ((sys::peek_word(tid_, space_.syscall_insn).value_or(0) & 0xffff) != 0x050f)) {
            const auto insn = find_vdso_syscall(tid_);
            if (!insn) {
                return {ENOSYS, "the tracee has no vDSO with a `syscall` instruction"};
            }
            space_ = ProbeSpace{*insn, 0};
        }
        // The scratch area: below the red zone, 16-byte aligned, its bytes kept to put back.
        if (scratch_size_ != 0) {
            scratch_ = (saved_.rsp - red_zone - scratch_size_) & ~std::uint64_t{15};
            mem_ = open_mem(tid_);
            kept_.resize(scratch_size_);
            if (!mem_.valid() ||
                ::pread(mem_.get(), kept_.data(), kept_.size(), static_cast<off_t>(scratch_)) !=
                    static_cast<ssize_t>(kept_.size())) {
                return {EFAULT, "the tracee's stack below its red zone is not mapped for " +
                                    std::to_string(scratch_size_) + " bytes of buffers"};
            }
        }
        return {};
    }

    InjectError inject(const InjectCall& call, InjectResult& out) {
        std::array<std::uint64_t, 6> args = call.args;
        std::uint64_t at = scratch_;
        for (const InjectBuffer& b : call.buffers) {
            if (!b.bytes.empty() &&
                ::pwrite(mem_.get(), b.bytes.data(), b.bytes.size(), static_cast<off_t>(at)) !=
                    static_cast<ssize_t>(b.bytes.size())) {
                return {EFAULT, "a buffer could not be written into the tracee's stack"};
            }
            args[b.arg] = at;
            at += (b.bytes.size() + 15) & ~std::uint64_t{15};
        }
        wrote_scratch_ = scratch_size_ != 0;
        // Every signal blocked from here: a signal sent meanwhile stays pending. SIGSYS stays
        // deliverable for a tracee with a filter: a SECCOMP_RET_TRAP of a blocked SIGSYS would
        // reset the program's handler to SIG_DFL (force_sig_info_to_task).
        std::uint64_t block = all_signals;
        if (seccomp_ != 0 && sig_ != SIGSYS) {
            block &= ~rules::signal_bit(SIGSYS);
        }
        if (!set_mask(tid_, block)) {
            return gone_or({ESRCH, "the tracee's signal mask could not be set"});
        }
        user_regs_struct base = saved_;
        if (held_ == HeldAt::Entry) {
            // Leave the entry stop: the held syscall is skipped (orig_rax -1), its exit stop
            // comes at once; it runs again from the same instruction when the stop is rebuilt.
            user_regs_struct skip = saved_;
            skip.orig_rax = ~std::uint64_t{0};
            if (sys::ptrace_ptr(PTRACE_SETREGS, tid_, 0, &skip) != 0 ||
                !resume_until(PTRACE_SYSCALL, [](int s) { return s == syscall_stop_status; })) {
                return gone_or({ESRCH, "the tracee left its entry stop unexpectedly"});
            }
        }
        RemoteSyscalls calls(tid_, base, space_.syscall_insn);
        const long requeue = held_ == HeldAt::Delivery ? sig_ : 0;
        const auto ret = calls.run(static_cast<long>(call.nr),
                                   {args[0], args[1], args[2], args[3], args[4], args[5]}, requeue);
        if (!ret) {
            if (calls.stop_code() == CLD_TRAPPED &&
                (calls.stop_status() >> 8) == PTRACE_EVENT_EXIT) {
                exiting_ = true; // its exit stop, consumed: handed to the machine (exit_status)
                exit_status_ = calls.stop_status();
                return {ESRCH, "the tracee was killed during the injected call"};
            }
            if (calls.gone() || sys::stop_waiting(tid_) || calls.stop_code() != CLD_TRAPPED) {
                exiting_ = true;
                return {ESRCH, "the tracee was killed during the injected call"};
            }
            // A signal-delivery-stop (SIGSYS of a trapping filter, an unblockable signal) or a
            // group-stop in place of a syscall stop: settle it, then report the call undone.
            // The stop is settled by the next resume (rebuild_stop resumes with signal 0).
            const int status = calls.stop_status();
            // The held signal, dequeued ahead of the call: the tracee sits at a delivery-stop
            // for it again, which is the stop to rebuild.
            at_held_signal_ = take_other_stop(status) > 0;
            return {EINTR, "another stop (status " + std::to_string(status) +
                               ") came in place of the injected call's"};
        }
        out.ret = *ret;
        if (seccomp_ != 0 && !sigsys_pending_before_) {
            // SECCOMP_RET_TRAP skips the call, shows its exit stop and queues a SIGSYS: taken
            // here at its delivery-stop (only SIGSYS is let through) and thrown away by the
            // next resume, so the program's handler never sees it.
            const auto now = sys::proc_status(tid_);
            if (now && ((now->sig_pnd | now->shd_pnd) & rules::signal_bit(SIGSYS)) != 0 &&
                !resume_until(PTRACE_CONT, [](int s) { return s == SIGSYS; })) {
                return gone_or({ESRCH, "the tracee left the injected call unexpectedly"});
            }
            if (now && ((now->sig_pnd | now->shd_pnd) & rules::signal_bit(SIGSYS)) != 0) {
                siginfo_t si{};
                if (sys::ptrace_ptr(PTRACE_GETSIGINFO, tid_, 0, &si) == 0 &&
                    si.si_code == 1 /* SYS_SECCOMP */) {
                    trapped_ = true;
                } else {
                    resend_.push_back(SIGSYS);
                }
            }
        }
        at = scratch_;
        for (const InjectBuffer& b : call.buffers) {
            std::vector<std::byte> back(b.bytes.size());
            if (!back.empty() &&
                ::pread(mem_.get(), back.data(), back.size(), static_cast<off_t>(at)) !=
                    static_cast<ssize_t>(back.size())) {
                return {EFAULT, "a buffer could not be read back from the tracee"};
            }
            out.buffers.push_back(std::move(back));
            at += (b.bytes.size() + 15) & ~std::uint64_t{15};
        }
        return {};
    }

    /// Puts the stop back as it was held (see HeldAt), then the registers, the XSAVE area and
    /// the mask.
    InjectError rebuild_stop() {
        bool ok = true;
        switch (held_) {
        case HeldAt::Entry: {
            // The same instruction again, the held syscall's number in rax: Linux stops at its
            // entry with the registers it had (rcx and r11 are what the instruction sets).
            user_regs_struct again = saved_;
            again.rip = saved_.rip - 2;
            again.rax = saved_.orig_rax;
            again.orig_rax = ~std::uint64_t{0};
            ok = sys::ptrace_ptr(PTRACE_SETREGS, tid_, 0, &again) == 0 &&
                 resume_until(PTRACE_SYSCALL, [](int s) { return s == syscall_stop_status; });
            break;
        }
        case HeldAt::Delivery: {
            // Only the held signal unblocked: it is the one dequeued, with its siginfo.
            const std::uint64_t only = all_signals & ~rules::signal_bit(sig_);
            const int want = sig_;
            ok =
                sys::ptrace_ptr(PTRACE_SETREGS, tid_, 0, &saved_) == 0 && set_mask(tid_, only) &&
                (at_held_signal_ || resume_until(PTRACE_CONT, [want](int s) { return s == want; }));
            siginfo_t again{};
            if (ok && (sys::ptrace_ptr(PTRACE_GETSIGINFO, tid_, 0, &again) != 0 ||
                       again.si_signo != info_.si_signo || again.si_code != info_.si_code)) {
                return {EIO, "the signal-delivery-stop came back with another siginfo"};
            }
            break;
        }
        case HeldAt::Trap:
            // The registers first: the INTERRUPT stops the tracee in get_signal before it
            // returns to user space, and the restart of an interrupted syscall (-ERESTART* in
            // rax, its number in orig_rax) happens after that stop, as after the held one.
            ok = sys::ptrace_ptr(PTRACE_SETREGS, tid_, 0, &saved_) == 0 &&
                 sys::ptrace_raw(PTRACE_INTERRUPT, tid_, 0, 0) == 0 &&
                 resume_until(PTRACE_CONT, [](int s) { return s == interrupt_stop_status; });
            break;
        }
        if (!ok) {
            return gone_or({EIO, "the held stop could not be rebuilt"});
        }
        bool back = sys::ptrace_ptr(PTRACE_SETREGS, tid_, 0, &saved_) == 0;
        if (!xstate_.empty()) {
            iovec iov{xstate_.data(), xstate_.size()};
            back = back && sys::ptrace_ptr(PTRACE_SETREGSET, tid_, NT_X86_XSTATE, &iov) == 0;
        } else if (have_fpregs_) {
            back = back && sys::ptrace_ptr(PTRACE_SETFPREGS, tid_, 0, &fpregs_) == 0;
        }
        back = back && set_mask(tid_, mask_);
        if (!back) {
            return gone_or({EIO, "the registers or the mask could not be put back"});
        }
        return {};
    }

    void restore_memory() {
        if (wrote_scratch_) {
            (void)::pwrite(mem_.get(), kept_.data(), kept_.size(), static_cast<off_t>(scratch_));
        }
    }

    /// Resumes with `request` and waits until a stop whose status `want` accepts; the stops
    /// met on the way are settled (take_other_stop). False when the tracee left for its exit.
    template <class Want>
    bool resume_until(long request, Want want) {
        long data = 0;
        for (int rounds = 0; rounds < 64; ++rounds) {
            if (sys::stop_waiting(tid_) ||
                sys::ptrace_raw(request, tid_, 0, static_cast<std::uintptr_t>(data)) != 0) {
                exiting_ = true;
                return false;
            }
            siginfo_t si{};
            if (!peek_stop(si)) {
                return false;
            }
            if (want(si.si_status)) {
                return true;
            }
            data = take_other_stop(si.si_status);
            if (data < 0) {
                return false;
            }
        }
        return false;
    }

    /// Waits for the tracee's next stop and consumes it, unless it is the exit stop (or the
    /// task is gone), which is left for the tracer thread: then false.
    bool peek_stop(siginfo_t& si) {
        long rc = -1;
        do {
            rc = ::syscall(SYS_waitid, P_PID, tid_, &si, WSTOPPED | WEXITED | WNOWAIT | __WALL,
                           nullptr);
        } while (rc < 0 && errno == EINTR);
        if (rc < 0 || si.si_code != CLD_TRAPPED ||
            si.si_status == (SIGTRAP | PTRACE_EVENT_EXIT << 8)) {
            exiting_ = true;
            return false;
        }
        siginfo_t taken{};
        (void)::syscall(SYS_waitid, P_PID, tid_, &taken, WSTOPPED | WNOHANG | __WALL, nullptr);
        return true;
    }

    /// A stop that is not the one awaited, left for the caller to resume with the signal this
    /// returns (-1: the tracee is gone). A seccomp stop goes on. A signal-delivery-stop: the
    /// held signal itself is queued again (Linux dequeues the first synchronous signal of the
    /// queue whenever any unblocked one is pending, blocked or not: the queued SIGTRAP of an
    /// int3 comes out before a SIGSYS); SIGSYS of a trapping filter is noted and thrown away;
    /// another signal (only an unblockable one can come) is thrown away and sent again after
    /// the restore. A group-stop is passed.
    long take_other_stop(int status) {
        if (status == seccomp_stop_status || (status >> 8) == PTRACE_EVENT_STOP) {
            return 0; // a group-stop is passed (a limitation)
        }
        if ((status >> 8) == 0 && status > 0 && status < 65) {
            siginfo_t si{};
            if (sys::ptrace_ptr(PTRACE_GETSIGINFO, tid_, 0, &si) != 0) {
                return -1;
            }
            if (held_ == HeldAt::Delivery && si.si_signo == sig_) {
                return sig_; // blocked: queued again, siginfo and all
            }
            if (si.si_signo == SIGSYS && si.si_code == 1 /* SYS_SECCOMP */) {
                trapped_ = true;
            } else {
                resend_.push_back(si.si_signo);
            }
        }
        return 0;
    }

    InjectError gone_or(InjectError e) {
        if (exiting_ || sys::stop_waiting(tid_)) {
            exiting_ = true;
            return {ESRCH, "the tracee was killed during the injected call"};
        }
        return e;
    }

    pid_t tid_;
    pid_t tgid_ = 0;
    StopKind stop_;
    int sig_;
    ProbeSpace& space_;
    HeldAt held_ = HeldAt::Trap;
    int seccomp_ = 0;
    user_regs_struct saved_{};
    std::uint64_t mask_ = 0;
    siginfo_t info_{};
    std::vector<std::byte> xstate_;
    user_fpregs_struct fpregs_{};
    bool have_fpregs_ = false;
    std::size_t scratch_size_ = 0;
    std::uint64_t scratch_ = 0;
    sys::UniqueFd<> mem_;
    std::vector<std::byte> kept_;
    bool wrote_scratch_ = false;
    bool exiting_ = false;
    bool trapped_ = false;
    bool at_held_signal_ = false;
    bool sigsys_pending_before_ = false;
    int exit_status_ = 0;
    std::vector<int> resend_;
};

/// inject_syscall (api.hpp) on the trace handle `h`: on the tracer thread, at the stop the
/// session holds. \errors EBADF not a trace handle; ESRCH gone or exiting; EBUSY not held at
/// a stop (running, job-stopped), or a stop where nothing can be injected; the Injector's.
inline Result<InjectResult> inject_syscall(Shim& shim, Handle& h, const InjectCall& call) {
    std::string& why = error_message();
    why.clear();
    if (h.kind != HandleKind::Trace || !h.session) {
        why = "inject_syscall needs a trace handle";
        return unexpected(std::errc::bad_file_descriptor);
    }
    Session& s = *h.session;
    InjectResult out;
    InjectError failed;
    auto r = shim.call([&](Request& req) {
        Tracee* t = s.tracee;
        if (t == nullptr || s.exited) {
            failed = {ESRCH, "the tracee is gone"};
        } else if (t->run == Run::Listening) {
            failed = {EBUSY, "the tracee is job-stopped (a group-stop): resume it with SIGCONT "
                             "and hold it at a breakpoint first"};
        } else if (t->run != Run::Stopped || !(t->held || t->frozen)) {
            failed = {EBUSY, "the tracee is not held at a stop: write an operation with a STOP "
                             "bit and wait for its event (or attach with O_TRUNC) first"};
        } else {
            pid_t tgid = t->tgid;
            if (tgid == 0) {
                const auto st = sys::proc_status(t->tid);
                tgid = st ? st->tgid : t->tid;
            }
            Injector injector(t->tid, t->stop, t->stop_sig, shim.probe_space(tgid));
            failed = injector.run(call, out);
            t->regs.reset(); // the held registers are read again
            if (injector.exiting()) {
                // Its exit stop waits for the tracer thread's wait (D7), or was consumed on the
                // way and is handled now, as the D5 probe's diverted stops are.
                t->run = Run::Running;
                t->held = false;
                if (const int status = injector.consumed_exit(); status != 0) {
                    shim.dispatch(t->tid, CLD_TRAPPED, status);
                }
            }
        }
        Shim::complete(req, failed.err);
        return true;
    });
    if (!r) {
        why = failed.why.empty() ? r.error().message() : failed.why;
        return unexpected_errno(r.error().value());
    }
    return out;
}

} // namespace ptrace_api::shim::detail
