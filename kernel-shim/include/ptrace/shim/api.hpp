// SPDX-License-Identifier: MIT
// The shim's user calls, declared: open, close, read, write, lseek, fcntl, poll, dup, tid_of,
// fpath, syscall_filter_state, inject_syscall, last_error_message and run_on_tracer_thread on
// `proc:` handles. It includes only light
// headers. In the default, header-only mode it ends by including their definitions (impl/api.ipp,
// and with them the whole shim); with PTRACE_API_SEPARATE_COMPILATION defined they come from the
// provided source (src/ptrace_api.cpp, or the ptrace_api library), compiled once
// per program, and a user TU that includes this header compiles none of the shim's machinery.
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/fwd.hpp> // InjectCall, InjectResult, SyscallFilterState, XStateLayout
#include <ptrace/result.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <poll.h>
#include <sys/types.h>

namespace ptrace_api::shim {

/// Opens `proc:<tid>/trace`, `proc:<tid>/regs/int`, `proc:<tid>/regs/float`,
/// `proc:<tid>/regs/env`, `proc:<tid>/regs/xstate` and `proc:<tid>/regs/debug` (issue 13),
/// `proc:<tid>/mem`, `proc:<tid>/syscalls` (issue 12) or `proc:<tid>/siginfo` (decision 27:
/// the held signal's siginfo). The result is a real fd (an eventfd;
/// for trace handles it polls readable when events are queued or the tracee exited, C8).
/// `oflags`: O_TRUNC stops the tracee now (A5), O_EXCL kills it on close (A6), O_NONBLOCK
/// selects nonblocking writes (M); stored for F_GETFL (A7).
/// `linux_checks_only` in `oflags` (decision 25) drops the Redox rule of A3 (decision 16):
/// what Linux allows (same uid as Yama's ptrace_scope permits, CAP_SYS_PTRACE) is allowed.
/// \errors EINVAL bad path (A1); ESRCH no such task or a zombie (A2); EPERM security (A3) or
/// one's own thread group; EBUSY already traced (A4); ENOTSUP the wake signal is taken.
/// last_error_message() names the cause of an EPERM or EBUSY.
PTRACE_API_DECL Result<int> open(std::string_view path, int oflags);

/// An open flag of this library (decision 25): Linux's checks alone decide who may open a
/// handle, not the Redox rule first (A3, decision 16). Kept in the flag word (F_GETFL, dup).
inline constexpr int linux_checks_only = 0x40000000;

/// Closes a handle. For trace handles: I1 (detach with the pending stop's default decision,
/// or SIGKILL for O_EXCL, A6), releasing clone children (F2, decision 10).
/// \errors EBADF unknown or already closed fd.
PTRACE_API_DECL Result<void> close(int fd);

/// Reads events (trace, C1), registers (regs/*, J1, J4) or memory (mem, K1). regs/xstate
/// gives min(len, size) bytes of the XSAVE area, whose size is the kernel's (decision 22);
/// regs/debug min(len, 64) bytes of DR0-DR7 (decision 23); siginfo min(len, 128) bytes of the
/// siginfo of the signal its task is held at, a reached SIGNAL, BREAKPOINT or SINGLESTEP
/// breakpoint (decision 27).
/// \errors EBADF unknown fd; ESRCH tracee gone (regs, mem once reaped); EFAULT unmapped;
/// ENODEV regs/xstate on a CPU without XSAVE; ENODATA siginfo of a task not held at one of
/// those stops; EPERM siginfo of a task this process does not trace.
PTRACE_API_DECL Result<std::size_t> read(int fd, std::span<std::byte> buf);

/// Writes a ptrace operation (trace: B1-B11), registers (J2, J4) or memory (K1, K2).
/// regs/xstate takes the whole XSAVE area only (decision 22); regs/debug takes 64 bytes, all
/// or nothing (decision 23); siginfo the whole 128-byte record, which replaces the held
/// signal's and makes its signal the held one (decision 27).
/// \returns 8 for a successful operation (decision 2), 0 for fewer than 8 bytes (B1).
/// \errors EBADF; EINVAL a siginfo of another length or signal number; ENODATA siginfo of a task
/// not held at a SIGNAL, BREAKPOINT or SINGLESTEP stop; EINVAL reserved bits (B2), or
/// an XSAVE area Linux would refuse (a size other than read's, features not enabled, xcomp_bv or
/// reserved header bits, reserved MXCSR bits: decision 22), or debug registers Linux would refuse
/// (DR4/DR5 not 0, an I/O or malformed slot, a misaligned or non-user address: decision 23); ESRCH
/// tracee gone (B10, G1); EFAULT unmapped.
PTRACE_API_DECL Result<std::size_t> write(int fd, std::span<const std::byte> buf);

/// K1: moves a mem handle's offset (a tracee virtual address). SEEK_CUR clamps at 0,
/// SEEK_END counts from isize::MAX. \errors EBADF other handles or whence.
PTRACE_API_DECL Result<std::uint64_t> lseek(int fd, std::int64_t off, int whence);

/// A7: F_GETFL/F_SETFL keep the handle's flag word (F_SETFL replaces it whole, so dropping
/// O_EXCL disables kill-on-close); F_GETFD/F_SETFD act on the fd; others are EINVAL.
PTRACE_API_DECL Result<int> fcntl(int fd, int cmd, int arg = 0);

/// poll(2) over trace handles that also works inside a job (run_on_tracer_thread), where it
/// serves the stops itself until a handle is readable (events queued, or the tracee gone:
/// C8) or `timeout_ms` passed (negative: no limit). Elsewhere it is poll(2) on the handles'
/// fds, which can be mixed with any other fd. Only POLLIN is reported for a trace handle.
/// \returns the number of entries whose revents is not 0.
/// \errors EINVAL inside a job, an fd that is not a trace handle (it cannot be waited for
/// while the stops are served); poll(2)'s errors elsewhere (EINTR is retried).
PTRACE_API_DECL Result<int> poll(std::span<pollfd> fds, int timeout_ms);

/// Redox `dup(fd, kind)` (A9): opens the sibling handle `kind` ("trace", "regs/int",
/// "regs/float", "regs/env", "regs/xstate", "regs/debug", "mem", "syscalls" or "siginfo") for the
/// same task, with `fd`'s open flags; everything open() checks is checked again (A2, A3). A plain
/// copy of a handle does not exist, as in Redox: `dup(fd, "")` is EINVAL. \errors EBADF `fd` is
/// not an open handle; EINVAL empty or unknown kind; EBUSY "trace" while a trace session exists
/// for the task (A4, also from its own trace handle); open()'s errors.
PTRACE_API_DECL Result<int> dup(int fd, std::string_view kind);

/// The TID of the task the handle `fd` names, now. It is the one the handle was opened with,
/// except after a non-leader thread of the task's process execs: Linux gives the exec'ing
/// thread its leader's TID, and the thread's handles follow it (kernel-shim/README.md).
/// \errors EBADF when `fd` is not an open handle.
PTRACE_API_DECL Result<pid_t> tid_of(int fd);

/// Redox `fpath` (A9): `proc:<tid>/<kind>`, with the task's current TID (see tid_of).
/// \errors EBADF when `fd` is not an open handle.
PTRACE_API_DECL Result<std::string> fpath(int fd);

/// Issue 12: how the set of the syscalls handle `fd`'s task is applied now: Kernel when its
/// seccomp filter stops for every syscall of the set (spawned with a set that covers it),
/// Shim when the shim filters PTRACE_SYSCALL stops itself, None without a set; and the errno
/// of a filter install that failed. \errors EBADF not a syscalls handle; EPERM not traced here.
PTRACE_API_DECL Result<SyscallFilterState> syscall_filter_state(int fd);

/// Issue 13: the standard-format layout of the XSAVE area on this CPU (CPUID leaf 0xD), which
/// XStateRegisters needs to find the AVX and AVX-512 components in what regs/xstate reads.
PTRACE_API_DECL const XStateLayout& xstate_layout() noexcept;

/// Issue 13 (decision 24): runs the system call `call` in the tracee of the trace handle `fd`,
/// which its session holds at a stop (a breakpoint's event was reached, or an O_TRUNC freeze),
/// and puts everything back: the registers (int and XSAVE), the stack bytes its buffers used
/// (below the red zone), the signal mask (a mask-swapping wait's saved mask too: the wait goes
/// on with its temporary mask), and the stop itself (kernel-shim/README.md "Syscall
/// injection"). A signal sent meanwhile stays pending; a syscall interrupted at the held stop
/// is restarted as before.
/// \returns rax after the call (the result or -errno) and the buffers' bytes after it.
/// \errors EBADF not a trace handle; EBUSY the tracee is not held at a stop (running,
/// job-stopped), or is in a mask-swapping wait and has a seccomp filter, or another instance of
/// the held signal is pending; ESRCH gone, exiting, or killed during the call; EINVAL bad
/// buffers or not a 64-bit task; EFAULT no stack room; ENOSYS no vDSO, or a seccomp filter
/// trapped the call; EPERM seccomp strict mode; EIO a wait's saved mask could not be recreated.
/// last_error_message() says which.
PTRACE_API_DECL Result<InjectResult> inject_syscall(int fd, const InjectCall& call);

/// The message of the last open, dup or inject_syscall of the calling thread that failed, naming
/// the cause (for EPERM at open: the Redox rule and which half of it, Yama's ptrace_scope, the
/// tracer already attached, a non-dumpable task, a missing capability); empty after a success.
PTRACE_API_DECL std::string last_error_message();

/// A job for run_on_tracer_thread: called once with the context it was given.
using JobFunction = void (*)(void* context);

/// Runs `job(context)` on the tracer thread, the thread that makes every ptrace(2) call of
/// this process, and returns when it returned (at once, inline, when called there). Every shim
/// call the job makes runs inline: a blocking write serves the stops itself, so a stop costs
/// the waitid(2) and the resume request, as in a hand-written loop, instead of two
/// cross-thread wake-ups (kernel-shim/README.md, "Jobs"). Jobs run one at a time; while one
/// runs, other threads' shim calls are served only when it waits inside a shim call, so the
/// job must not wait for them otherwise, and it must not poll trace handles (nobody would
/// serve the stops that make them readable). The job must not throw.
/// \errors ENOTSUP the wake signal is taken; EPERM in a forked copy. The job did not run then.
PTRACE_API_DECL Result<void> run_on_tracer_thread(JobFunction job, void* context);

/// Runs `fn()` on the tracer thread: run_on_tracer_thread(JobFunction, void*) with `fn` as
/// the job. `fn` must not throw.
template <class Fn>
Result<void> run_on_tracer_thread(Fn& fn) {
    // std::addressof without <memory> (shared_ptr, atomics...), which nothing else here needs.
    return run_on_tracer_thread([](void* context) { (*static_cast<Fn*>(context))(); },
                                static_cast<void*>(__builtin_addressof(fn)));
}

} // namespace ptrace_api::shim

#if defined(PTRACE_API_SEPARATE_COMPILATION)
// Every unit of the separate mode refers to a symbol of the separately compiled source: a
// program always links that source, so its check of the modes (impl/api.ipp) runs even where
// the header-only units of a mixed program could provide every other definition, and a
// program without it is told so by the symbol's name.
extern "C" {
[[gnu::visibility("hidden")]] extern const char ptrace_api_separate_mode_needs_src_ptrace_api_cpp;
[[gnu::used, gnu::visibility("hidden")]] inline const char* const ptrace_api_separate_mode =
    &ptrace_api_separate_mode_needs_src_ptrace_api_cpp;
}
#else
// The mark of a header-only translation unit: one hidden byte per program, however many TUs
// define it. The separately compiled code looks for it at startup (impl/api.ipp) and aborts
// a program that mixes the modes. A mark that would fail the link instead needs a strong
// symbol from each header-only TU, which only assembly can emit, and link-time optimisation
// then joins those into duplicates even in a program that does not mix.
extern "C" {
[[gnu::used, gnu::visibility("hidden")]] inline const char ptrace_api_header_only_mode = 0;
}

#include <ptrace/shim/impl/api.ipp>
#endif
