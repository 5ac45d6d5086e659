// SPDX-License-Identifier: MIT
// A program outside the project that uses the library: built three ways by tests/consumers/run.
// It includes the umbrella of every layer, so each way must provide all three include roots.
#include <ptrace/all.hpp>

#include <cstdio>
#include <system_error>

int main() {
    using ptrace_api::PtraceFlags;
    const auto flags = PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::EVENT_CLONE;
    const bool values_ok =
        flags.to_string() == "PtraceFlags(PTRACE_STOP_PRE_SYSCALL | PTRACE_EVENT_CLONE)" &&
        ptrace_api::as_bytes(flags).size() == 8;
    // No process has pid 0: the shim and the handles say so before they start anything.
    const bool handles_ok =
        ptrace_api::shim::open("proc:0/mem", 0).error() == std::errc::no_such_process &&
        ptrace_api::Tracer::attach(0).error() == std::errc::no_such_process;
    const bool ok = values_ok && handles_ok;
    std::puts(ok ? "consumer: ok" : "consumer: unexpected output");
    return ok ? 0 : 1;
}
