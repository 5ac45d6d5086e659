// SPDX-License-Identifier: MIT
// ODR check, second translation unit: the same uses as odr_a.cpp, linked into one program.
#include <ptrace/ptrace.hpp>

#include <string>

std::string describe_in_b();

std::string describe_in_b() {
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
