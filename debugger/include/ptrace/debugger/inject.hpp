// SPDX-License-Identifier: MIT
// The debugger kit's door to syscall injection and attaching (issue 13, decisions 24 and 25):
// the same calls as Tracer::inject_syscall and Tracer::attach, with the shim's message of a
// failure (last_error_message) carried in a DebugError, as the rest of the kit reports.
#pragma once

#include <ptrace/debugger/error.hpp>
#include <ptrace/inject.hpp>
#include <ptrace/tracer.hpp>

#include <string>
#include <utility>

#include <sys/types.h>

namespace ptrace_api::debugger {

/// Runs `call` in the tracee that `tracer` holds at a stop and puts everything back
/// (shim::inject_syscall, kernel-shim/README.md "Syscall injection"). The error's message says
/// why a call was refused or failed (not held at a stop, a seccomp filter, killed meanwhile).
[[nodiscard]] inline DebugResult<InjectResult> inject_syscall(Tracer& tracer,
                                                              const InjectCall& call) {
    auto r = tracer.inject_syscall(call);
    if (!r) {
        return DebugError{r.error(), "inject_syscall(" + std::to_string(call.nr) + ") in pid " +
                                         std::to_string(tracer.pid()) + ": " +
                                         last_error_message()};
    }
    return std::move(*r);
}

/// Tracer::attach with the cause of a refusal in the message (decision 25: the Redox rule and
/// which half of it, Yama's ptrace_scope, another tracer, a non-dumpable task, a capability).
[[nodiscard]] inline DebugResult<Tracer> attach(pid_t pid, AttachOptions options = {}) {
    auto r = Tracer::attach(pid, options);
    if (!r) {
        return DebugError{r.error(),
                          "attach to pid " + std::to_string(pid) + ": " + last_error_message()};
    }
    return std::move(*r);
}

} // namespace ptrace_api::debugger
