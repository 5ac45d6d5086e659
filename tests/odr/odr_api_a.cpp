// SPDX-License-Identifier: MIT
// ODR check of the RAII API, first translation unit: the same inline uses in both units.
#include <ptrace/memory.hpp>
#include <ptrace/registers.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>

#include <doctest/doctest.h>

#include <string>

std::string describe_api_in_b();

namespace {
// Calls that fail before any process is involved (pid 0 is ESRCH, an empty program ENOENT).
std::string describe_api_here() {
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
} // namespace

TEST_CASE("two translation units see the same inline definitions of the RAII API") {
    CHECK(describe_api_here() == describe_api_in_b());
}
