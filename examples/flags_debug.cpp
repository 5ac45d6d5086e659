// SPDX-License-Identifier: MIT
// A first look at the value types, no tracee needed: build the operation word a tracer writes,
// print it the way Redox does, parse it back, and see the 8 bytes that go to the trace handle.
#include <ptrace/ptrace.hpp>

#include <cstdio>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    using ptrace_api::PtraceFlags;

    // A tracer that wants to see every syscall and every new thread writes this word.
    const auto op =
        PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL | PtraceFlags::EVENT_CLONE;
    std::cout << "operation:      " << op << '\n';

    // The same text parses back; names may drop the PTRACE_ prefix, and hex is allowed.
    const std::string text = argc > 1 ? argv[1] : "STOP_SIGNAL | FLAG_WAIT | 0x40000";
    const auto parsed = PtraceFlags::parse(text);
    if (!parsed) {
        std::cerr << "cannot parse '" << text << "': " << parsed.error().message() << '\n';
        return 1;
    }
    std::cout << "parsed:         " << *parsed << '\n';
    // Bits 16-63 are reserved: from_bits refuses them, and a trace handle would say EINVAL.
    std::cout << "valid to write: " << (PtraceFlags::from_bits((*parsed).bits()) ? "yes" : "no")
              << '\n';

    // What write(2) sends: the 8 native-endian bytes of the word.
    std::cout << "bytes:         ";
    for (const std::byte b : ptrace_api::as_bytes(op)) {
        std::printf(" %02x", static_cast<unsigned>(b));
    }
    std::cout << '\n';

    // An event as a tracer reads it, and its typed meaning.
    const auto event = ptrace_api::PtraceEvent::of(PtraceFlags::STOP_SIGNAL, 10, 1);
    std::cout << "event:          " << event << '\n';
    std::cout << "meaning:        " << ptrace_api::view(event) << '\n';
    return 0;
}
