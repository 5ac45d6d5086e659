// SPDX-License-Identifier: MIT
// The injection mechanism (issue 13, decision 24): system calls run in a tracee that sits at a
// ptrace-stop, with its registers (int and XSAVE), the scratch memory of their arguments and its
// signal state (the mask, and a mask-swapping wait's saved mask) put back afterwards. One
// mechanism, two ends (kernel-shim/README.md, "Syscall injection" and "The handler probe"): the
// public injection (inject.hpp) rebuilds the stop it holds (run(), hold()); the D5 probe
// (handler_probe.hpp) resumes the tracee with its caller's request and lets the genuine stop
// come again (release()). The calls themselves go through remote_syscalls.hpp.
#pragma once

#include <ptrace/inject.hpp>
#include <ptrace/shim/held_stop.hpp>
#include <ptrace/shim/remote_syscalls.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/sys.hpp>
#include <ptrace/shim/xstate_read.hpp>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <elf.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
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

/// The stack slot for the arguments of the ppoll that recreates a saved mask (a sigset at 0,
/// a timespec at 8), laid out as in the library's page (probe_sigmask, probe_timeout).
inline constexpr std::size_t wait_args_size = 32;

/// What a mask-swapping wait returns, its saved mask kept, when a signal interrupts it.
inline constexpr std::int64_t erestartnohand = -514;

/// How the stop is used: the public injection's defaults, or the D5 probe's.
struct InjectOptions {
    /// The XSAVE area (the FXSAVE area without XSAVE) saved and put back. The probe's calls
    /// (mmap, rt_sigaction, ppoll) leave it alone, and a caught signal costs two requests less.
    bool fp_state = true;
    /// The library's page (ProbeSpace::page, mapped by map_page()) holds the arguments of the
    /// ppoll that recreates a saved mask, and nothing is written on the stack (no buffers):
    /// a green thread's heap stack may keep a neighbour right below its stack pointer. Off:
    /// buffers and those arguments go below the red zone, their bytes kept and put back.
    bool library_page = false;
};

/// What release() did with the tracee.
enum class Left : std::uint8_t {
    Resumed,  ///< resumed with the caller's request
    Diverted, ///< another stop came first: divert_code() and divert_status() say which
    Killed,   ///< the resume failed: it was killed meanwhile, its exit stop comes next
};

/// Runs calls in the stopped `tid`. Tracer thread; `tid` sits in a stop of kind `stop` (signal
/// `stop_sig` for a delivery-stop). The steps: save() reads everything and changes nothing;
/// enter() blocks every signal (and leaves an entry stop); call() runs one call, map_page()
/// finds or maps the library's page; then hold() rebuilds the stop, or release() resumes the
/// tracee, or (after a call another stop interrupted) abandon() puts back what it can.
class Injector : private HeldStop {
public:
    Injector(pid_t tid, StopKind stop, int stop_sig, ProbeSpace& space,
             InjectOptions options = {}) noexcept
        : HeldStop(tid, stop_sig), stop_(stop), space_(space), options_(options) {}

    /// True when the tracee left its stop for its exit (killed meanwhile): the exit stop is
    /// left for the tracer thread's wait, unconsumed.
    [[nodiscard]] bool exiting() const noexcept { return exiting_; }
    /// The status of an exit stop that was consumed on the way (0: none): the caller hands it
    /// to the machine.
    [[nodiscard]] int consumed_exit() const noexcept { return exit_status_; }
    /// The signal of a held delivery-stop, from its siginfo (after save()).
    [[nodiscard]] int held_signal() const noexcept { return sig_; }
    /// The stop that came in place of a call's (after call() returned nothing, or release()
    /// Diverted), as waitid(2) reported it; gone: the task's end.
    [[nodiscard]] int divert_code() const noexcept { return divert_code_; }
    [[nodiscard]] int divert_status() const noexcept { return divert_status_; }

    /// The public injection (inject_syscall): `call` run at the held stop, which is then the
    /// same stop as before.
    InjectError run(const InjectCall& injected, InjectResult& out) {
        if (InjectError e = save(nullptr, &injected); e.err != 0) {
            return e;
        }
        out.seccomp_filter = seccomp_ != 0;
        InjectError failed = enter();
        if (failed.err == 0) {
            failed = inject(injected, out);
        }
        if (!exiting_) {
            if (InjectError e = hold(); e.err != 0 && failed.err == 0) {
                failed = std::move(e);
            }
        }
        // The scratch bytes last (no stop needed for /proc/<tid>/mem): the rebuild may use the
        // scratch area for a masked wait's ppoll.
        restore_memory();
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

    /// Reads and keeps what is put back, and refuses a stop where nothing can be injected;
    /// changes nothing in the tracee. `status`: /proc/<tid>/status read at this stop (nullptr:
    /// read here). `injected`: its buffers are checked and get room below the red zone.
    InjectError save(const sys::ProcStatus* status, const InjectCall* injected) {
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
        if (injected != nullptr) {
            for (const InjectBuffer& b : injected->buffers) {
                if (b.arg >= 6) {
                    return {EINVAL, "a buffer names argument " + std::to_string(b.arg) +
                                        "; arguments are 0 to 5"};
                }
                if (options_.library_page) {
                    return {EINVAL, "no buffers where nothing is written on the stack"};
                }
                scratch_size_ += (b.bytes.size() + 15) & ~std::size_t{15};
            }
        }
        if (scratch_size_ > inject_buffer_limit) {
            return {EINVAL, "the buffers take " + std::to_string(scratch_size_) +
                                " bytes; at most 65536 are copied into the tracee"};
        }
        std::optional<sys::ProcStatus> read_here;
        if (status == nullptr) {
            const auto st = sys::proc_status(tid_);
            if (!st) {
                return {st.error().value(),
                        "/proc/" + std::to_string(tid_) + "/status: " + st.error().message()};
            }
            read_here = *st;
            status = &*read_here;
        }
        const sys::ProcStatus& st = *status;
        tgid_ = st.tgid;
        seccomp_ = st.seccomp;
        sigsys_pending_before_ = ((st.sig_pnd | st.shd_pnd) & rules::signal_bit(SIGSYS)) != 0;
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
        if (mask_ != st.sig_blk) {
            // A mask-swapping wait (ppoll, pselect6, rt_sigsuspend, epoll_pwait...): its
            // temporary mask is in force (SigBlk), the caller's is saved (PTRACE_GETSIGMASK).
            // PTRACE_SETSIGMASK drops the saved state: recreate_wait() brings it back.
            masked_wait_ = true;
            temporary_ = st.sig_blk;
            if (held_ == HeldAt::Entry) {
                return {EBUSY, "a saved signal mask at a syscall-entry stop"};
            }
            if (seccomp_ != 0) {
                return {EBUSY, "the tracee is in a mask-swapping wait (ppoll, pselect6, "
                               "rt_sigsuspend, epoll_pwait...) and has a seccomp filter, which "
                               "could refuse the ppoll that recreates the wait's saved mask"};
            }
            if (!options_.library_page) {
                scratch_size_ += wait_args_size;
            }
        }
        if (held_ == HeldAt::Delivery) {
            if (sys::ptrace_ptr(PTRACE_GETSIGINFO, tid_, 0, &info_) != 0) {
                return {ESRCH, "the tracee's siginfo could not be read"};
            }
            sig_ = info_.si_signo;
            requeue_ = sig_;
            if (((st.sig_pnd | st.shd_pnd) & rules::signal_bit(sig_)) != 0) {
                return {EBUSY, "another instance of signal " + std::to_string(sig_) +
                                   " is pending: queueing the held one again would merge "
                                   "with it or go behind it"};
            }
        }
        if (options_.fp_state) {
            if (const int err = get_xstate(tid_, xstate_); err != 0) {
                xstate_.clear(); // no XSAVE: the FXSAVE area then
                if (sys::ptrace_ptr(PTRACE_GETFPREGS, tid_, 0, &fpregs_) != 0) {
                    return {errno, "the tracee's floating-point registers could not be read"};
                }
                have_fpregs_ = true;
            }
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
            mem_ = sys::open_mem(tid_);
            kept_.resize(scratch_size_);
            if (!mem_.valid() ||
                ::pread(mem_.get(), kept_.data(), kept_.size(), static_cast<off_t>(scratch_)) !=
                    static_cast<ssize_t>(kept_.size())) {
                return {EFAULT, "the tracee's stack below its red zone is not mapped for " +
                                    std::to_string(scratch_size_) + " bytes of scratch"};
            }
        }
        return {};
    }

    /// Blocks every signal: none can interrupt the calls, a signal sent meanwhile stays pending,
    /// and a held delivery-stop's signal, passed back with the first call's resume, is queued
    /// again instead of delivered (get_signal requeues a blocked signal with its siginfo).
    /// SIGSYS stays deliverable for a tracee with a filter: a SECCOMP_RET_TRAP of a blocked
    /// SIGSYS would reset the program's handler to SIG_DFL (force_sig_info_to_task). An entry
    /// stop is left: the held syscall is skipped (orig_rax -1), its exit stop comes at once; it
    /// runs again from the same instruction when the stop is rebuilt.
    InjectError enter() {
        std::uint64_t block = all_signals;
        if (seccomp_ != 0 && sig_ != SIGSYS) {
            block &= ~rules::signal_bit(SIGSYS);
        }
        if (!set_mask(tid_, block)) {
            return gone_or({ESRCH, "the tracee's signal mask could not be set"});
        }
        if (held_ == HeldAt::Entry) {
            user_regs_struct skip = saved_;
            skip.orig_rax = ~std::uint64_t{0};
            if (sys::ptrace_ptr(PTRACE_SETREGS, tid_, 0, &skip) != 0 ||
                !resume_until(PTRACE_SYSCALL, [](int s) { return s == syscall_stop_status; })) {
                return gone_or({ESRCH, "the tracee left its entry stop unexpectedly"});
            }
            left_entry_ = true;
        }
        return {};
    }

    /// Makes the tracee call `nr(args...)` from its saved registers; `at_entry` runs at the
    /// call's entry stop. Nothing when another stop came first (divert_code()).
    template <class AtEntry>
    std::optional<std::int64_t> call(long nr, std::initializer_list<std::uint64_t> args,
                                     AtEntry at_entry) {
        RemoteSyscalls calls(tid_, saved_, space_.syscall_insn);
        const auto ret = calls.run(nr, args, std::exchange(requeue_, 0), at_entry);
        if (!ret) {
            divert_code_ = calls.stop_code();
            divert_status_ = calls.stop_status();
            divert_gone_ = calls.gone();
        }
        return ret;
    }
    std::optional<std::int64_t> call(long nr, std::initializer_list<std::uint64_t> args) {
        return call(nr, args, [] {});
    }

    /// The library's page in the tracee: the known one while its magic word is there, else
    /// one mapped now with an injected mmap (once per address space) and marked. False when
    /// that call was diverted; ProbeSpace::page is 0 when mmap failed in the tracee.
    bool map_page() {
        if (space_.page != 0 && sys::peek_word(tid_, space_.page) == probe_page_magic) {
            return true;
        }
        const auto page = call(SYS_mmap, {0, 4096, PROT_READ | PROT_WRITE,
                                          MAP_PRIVATE | MAP_ANONYMOUS, ~std::uint64_t{0}, 0});
        if (!page) {
            return false;
        }
        const auto addr = static_cast<std::uint64_t>(*page);
        const bool failed = *page < 0 && *page > -4096;
        space_.page = !failed && sys::poke_word(tid_, addr, probe_page_magic) ? addr : 0;
        return true;
    }

    /// After a call another stop interrupted (the caller handles that stop): the registers and
    /// the mask put back where the tracee still is at a stop. A saved mask becomes the mask in
    /// force: with no handler run, the interrupted wait restarts and saves it again itself.
    void abandon() {
        if (!divert_gone_) {
            (void)sys::ptrace_ptr(PTRACE_SETREGS, tid_, 0, &saved_);
            put_back_fp();
            (void)set_mask(tid_, mask_);
        }
    }

    /// The D5 probe's end: the registers and the mask put back (a masked wait's saved state
    /// recreated), then the tracee resumed with `request` (PTRACE_CONT, PTRACE_SYSCALL or
    /// PTRACE_SINGLESTEP, data 0): a held delivery-stop's signal, queued again, brings a
    /// genuine delivery-stop for it at once.
    Left release(long request) {
        if (masked_wait_) {
            if (recreate_wait(false) == Recreated::Diverted) {
                abandon();
                return Left::Diverted;
            }
        } else {
            (void)set_mask(tid_, mask_);
        }
        (void)sys::ptrace_ptr(PTRACE_SETREGS, tid_, 0, &saved_);
        put_back_fp();
        if (const auto next = sys::stop_waiting(tid_)) {
            // A SIGKILL took it out of its stop meanwhile (spec 3.G, H5): that stop, taken
            // here, is what the caller handles; resuming would pass it unseen.
            siginfo_t taken{};
            (void)::waitid(P_PID, static_cast<id_t>(tid_), &taken, WSTOPPED | WNOHANG | __WALL);
            divert_code_ = next->si_code;
            divert_status_ = next->si_status;
            return Left::Diverted;
        }
        if (sys::ptrace_raw(request, tid_, 0, 0) != 0) {
            return Left::Killed;
        }
        return Left::Resumed;
    }

    /// Puts the stop back as it was held (see HeldAt), then the registers, the XSAVE area and
    /// the mask (or, in a masked wait, its saved-mask state, recreated first).
    InjectError hold() {
        InjectError lost;
        if (masked_wait_) {
            // At a Trap stop no signal is queued: the INTERRUPT asked at the ppoll's entry is
            // what it finds pending (a trap Linux drops at the ppoll's exit stop, as at any
            // ptrace stop; the rebuild below asks its own).
            const Recreated r = recreate_wait(held_ == HeldAt::Trap);
            if (r != Recreated::Done) {
                if (r == Recreated::Diverted) {
                    InjectError e = settle_divert();
                    if (exiting_) {
                        return e;
                    }
                }
                (void)set_mask(tid_, temporary_); // what ppoll left may block the held signal
                lost = {EIO, "the mask-swapping wait's saved mask could not be recreated: its "
                             "temporary mask stays in force after it returns"};
            }
        }
        bool ok = true;
        switch (held_) {
        case HeldAt::Entry: {
            // The same instruction again, the held syscall's number in rax: Linux stops at its
            // entry with the registers it had (rcx and r11 are what the instruction sets).
            user_regs_struct again = saved_;
            again.rip = saved_.rip - 2;
            again.rax = saved_.orig_rax;
            again.orig_rax = ~std::uint64_t{0};
            ok = !left_entry_ ||
                 (sys::ptrace_ptr(PTRACE_SETREGS, tid_, 0, &again) == 0 &&
                  resume_until(PTRACE_SYSCALL, [](int s) { return s == syscall_stop_status; }));
            break;
        }
        case HeldAt::Delivery: {
            // Only the held signal unblocked: it is the one dequeued, with its siginfo. In a
            // masked wait the temporary mask stays (it lets the signal through): another
            // signal dequeued first is thrown away and sent again (take_other_stop).
            const std::uint64_t only = all_signals & ~rules::signal_bit(sig_);
            const int want = sig_;
            const bool at_it = std::exchange(requeue_, 0) != 0; // still at the held stop
            ok = sys::ptrace_ptr(PTRACE_SETREGS, tid_, 0, &saved_) == 0 &&
                 (masked_wait_ || set_mask(tid_, only)) &&
                 (at_it || resume_until(PTRACE_CONT, [want](int s) { return s == want; }));
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
        const bool back = sys::ptrace_ptr(PTRACE_SETREGS, tid_, 0, &saved_) == 0 && put_back_fp() &&
                          (masked_wait_ || set_mask(tid_, mask_));
        if (!back) {
            return gone_or({EIO, "the registers or the mask could not be put back"});
        }
        return lost;
    }

private:
    enum class Recreated : std::uint8_t { Done, NotDone, Diverted };

    /// Recreates a mask-swapping wait's saved-mask state, as the last change to the mask:
    /// ppoll(NULL, 0, {0, 0}, &temporary), entered with the saved mask in force, saves it,
    /// installs the temporary one, finds a signal pending (the requeued one; or, with
    /// `interrupt`, the PTRACE_INTERRUPT asked at its entry stop) and returns -ERESTARTNOHAND
    /// with the saved state kept. Without room for its arguments (no library page) the
    /// temporary mask is put in force alone: a requeued signal is then delivered at once (after
    /// its handler the wait returns with that mask, not the saved one) rather than blocked and
    /// the wait restarted, which would bring the same stop back.
    Recreated recreate_wait(bool interrupt) {
        const std::uint64_t at = options_.library_page
                                     ? (space_.page != 0 ? space_.page + probe_sigmask : 0)
                                     : scratch_ + scratch_size_ - wait_args_size;
        if (at == 0 || !sys::poke_word(tid_, at, temporary_) || !sys::poke_word(tid_, at + 8, 0) ||
            !sys::poke_word(tid_, at + 16, 0)) {
            (void)set_mask(tid_, temporary_);
            return Recreated::NotDone;
        }
        wrote_scratch_ = scratch_size_ != 0;
        const auto r = call(SYS_ppoll, {0, 0, at + 8, at, 8}, [this, interrupt] {
            (void)set_mask(tid_, mask_);
            if (interrupt) {
                (void)sys::ptrace_raw(PTRACE_INTERRUPT, tid_, 0, 0);
            }
        });
        if (!r) {
            return Recreated::Diverted;
        }
        return *r == erestartnohand ? Recreated::Done : Recreated::NotDone;
    }

    InjectError inject(const InjectCall& injected, InjectResult& out) {
        std::array<std::uint64_t, 6> args = injected.args;
        std::uint64_t at = scratch_;
        wrote_scratch_ = scratch_size_ != 0;
        for (const InjectBuffer& b : injected.buffers) {
            if (!b.bytes.empty() &&
                ::pwrite(mem_.get(), b.bytes.data(), b.bytes.size(), static_cast<off_t>(at)) !=
                    static_cast<ssize_t>(b.bytes.size())) {
                return {EFAULT, "a buffer could not be written into the tracee's stack"};
            }
            args[b.arg] = at;
            at += (b.bytes.size() + 15) & ~std::uint64_t{15};
        }
        const auto ret = call(static_cast<long>(injected.nr),
                              {args[0], args[1], args[2], args[3], args[4], args[5]});
        if (!ret) {
            return settle_divert();
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
        for (const InjectBuffer& b : injected.buffers) {
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

    /// The public injection's answer to a call another stop interrupted: its exit (the
    /// tracee is killed), or a stop settled here and the call reported undone.
    InjectError settle_divert() {
        if (divert_code_ == CLD_TRAPPED && (divert_status_ >> 8) == PTRACE_EVENT_EXIT) {
            exiting_ = true; // its exit stop, consumed: handed to the machine (exit_status)
            exit_status_ = divert_status_;
            return {ESRCH, "the tracee was killed during the injected call"};
        }
        if (divert_gone_ || sys::stop_waiting(tid_) || divert_code_ != CLD_TRAPPED) {
            exiting_ = true;
            return {ESRCH, "the tracee was killed during the injected call"};
        }
        // A signal-delivery-stop (SIGSYS of a trapping filter, an unblockable signal) or a
        // group-stop in place of a syscall stop: settled by the next resume (with signal 0).
        // The held signal, dequeued ahead of the call: the tracee sits at a delivery-stop for
        // it again, which is the stop to rebuild (or to leave with it requeued).
        if (take_other_stop(divert_status_) > 0) {
            requeue_ = sig_;
        }
        return {EINTR, "another stop (status " + std::to_string(divert_status_) +
                           ") came in place of the injected call's"};
    }

    bool put_back_fp() {
        if (!xstate_.empty()) {
            iovec iov{xstate_.data(), xstate_.size()};
            return sys::ptrace_ptr(PTRACE_SETREGSET, tid_, NT_X86_XSTATE, &iov) == 0;
        }
        return !have_fpregs_ || sys::ptrace_ptr(PTRACE_SETFPREGS, tid_, 0, &fpregs_) == 0;
    }

    void restore_memory() {
        if (wrote_scratch_) {
            (void)::pwrite(mem_.get(), kept_.data(), kept_.size(), static_cast<off_t>(scratch_));
        }
    }

    StopKind stop_;
    ProbeSpace& space_;
    InjectOptions options_;
    int seccomp_ = 0;
    user_regs_struct saved_{};
    std::uint64_t mask_ = 0;      // the mask put back; in a masked wait, the saved one
    std::uint64_t temporary_ = 0; // a masked wait's temporary mask
    bool masked_wait_ = false;
    siginfo_t info_{};
    std::vector<std::byte> xstate_;
    user_fpregs_struct fpregs_{};
    bool have_fpregs_ = false;
    std::size_t scratch_size_ = 0;
    std::uint64_t scratch_ = 0;
    sys::UniqueFd<> mem_;
    std::vector<std::byte> kept_;
    bool wrote_scratch_ = false;
    bool left_entry_ = false;
    long requeue_ = 0; // the held signal, to pass with the next resume (at its delivery-stop)
    bool sigsys_pending_before_ = false;
    int divert_code_ = 0;
    int divert_status_ = 0;
    bool divert_gone_ = false;
};

} // namespace ptrace_api::shim::detail
