// SPDX-License-Identifier: MIT
// A program outside the project that uses the library: built three ways by tests/consumers/run.
#include <ptrace/ptrace.hpp>

#include <cstdio>

int main() {
    using ptrace_api::PtraceFlags;
    const auto flags = PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::EVENT_CLONE;
    const bool ok =
        flags.to_string() == "PtraceFlags(PTRACE_STOP_PRE_SYSCALL | PTRACE_EVENT_CLONE)" &&
        ptrace_api::as_bytes(flags).size() == 8;
    std::puts(ok ? "consumer: ok" : "consumer: unexpected output");
    return ok ? 0 : 1;
}
