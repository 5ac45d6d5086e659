// SPDX-License-Identifier: MIT
// Syscall injection (issue 13, decision 24): a system call run in a tracee that its session
// holds at a stop, with its registers (int and XSAVE), the scratch memory of its arguments and
// its signal state (a mask-swapping wait's saved mask included) put back afterwards, so that
// the held stop is the same stop as before (kernel-shim/README.md, "Syscall injection"). The
// mechanism is injector.hpp's, which the D5 probe (handler_probe.hpp) uses too.
#pragma once

#include <ptrace/inject.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/injector.hpp>
#include <ptrace/shim/paths.hpp>
#include <ptrace/shim/state.hpp>
#include <ptrace/shim/sys.hpp>
#include <ptrace/shim/tracer.hpp>

#include <string>
#include <system_error>

#include <sys/types.h>
#include <sys/wait.h>

namespace ptrace_api::shim::detail {

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
        } else if (t->run != Run::Held && !(t->run == Run::Stopped && t->frozen)) {
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
