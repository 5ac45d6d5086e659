// SPDX-License-Identifier: MIT
// ODR check, first translation unit: uses every public entity and compares with the second.
#include <ptrace/ptrace.hpp>

#include <doctest/doctest.h>

#include <string>

std::string describe_in_b();

namespace {
std::string describe_here() {
    using namespace ptrace_api;
    const auto flags = PtraceFlags::STOP_SIGNAL | PtraceFlags::from_bits_retain(0x40000);
    IntRegisters regs{};
    set_field(regs, "rip", 0x1000);
    const Result<int> r = unexpected(std::errc::no_such_process);
    return flags.to_string() + to_string(PtraceEvent::of(PtraceFlags::EVENT_CLONE, 3)) +
           to_string(view(PtraceEvent::of(PtraceFlags::STOP_EXIT, 9))) + to_string(regs) +
           to_string(FloatRegisters{}) + to_string(EnvRegisters{}) +
           std::to_string(as_bytes(flags).size()) + r.error().message() +
           std::to_string(PtraceFlags::table().size()) +
           (*PtraceFlags::parse("STOP_EXIT")).to_string() + std::string(syscall_name(39)) +
           std::string(errno_message(2)) + std::string(signal_name(10));
}
} // namespace

TEST_CASE("two translation units see the same inline definitions") {
    CHECK(describe_here() == describe_in_b());
}
