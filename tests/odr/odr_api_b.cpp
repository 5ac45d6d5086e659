// SPDX-License-Identifier: MIT
// ODR check of the RAII API, second translation unit: the same inline uses in both units.
#include <ptrace/memory.hpp>
#include <ptrace/registers.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>

#include <string>

std::string describe_api_in_b();

std::string describe_api_in_b() {
    using namespace ptrace_api;
    std::string out = Tracer::attach(0, {AttachStop::StopNow, OnClose::Kill}).error().message();
    out += Registers::open(0).error().message();
    out += Memory::open(0).error().message();
    out += spawn(Command{"", {}, {}, {}}).error().message();
    for (const std::string& c : detail::exec_candidates("/bin/true")) {
        out += c;
    }
    out += is_breakpoint(PtraceEvent::of(PtraceFlags::STOP_EXIT)) ? "bp" : "event";
    return out;
}
