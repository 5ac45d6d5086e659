// SPDX-License-Identifier: MIT
// Forward declarations of every public type of the value layer, for headers that only name
// them. <ptrace/handles_fwd.hpp> adds the handles' types. The aliases EventView, Slot128,
// X87Slots, XmmSlots, Slot256 and Slot512 name standard templates: they come with event.hpp,
// regs.hpp and xstate.hpp.
// tests/headers/fwd_values.cpp checks each name here against its definition.
#pragma once

#include <concepts>
#include <cstdint>

namespace ptrace_api {

// bitflags.hpp
template <class Derived, std::unsigned_integral Bits>
class BitFlags;
template <class Flags>
struct NamedFlag;
class FlagsParseError;
template <class Flags>
class FlagsParseResult;

// flags.hpp
class PtraceFlags;

// c_string.hpp
struct CString;

// debug_registers.hpp
enum class WatchKind : std::uint8_t;
struct Watchpoint;
enum class WatchpointProblem : std::uint8_t;
class DebugRegisters;

// inject.hpp
struct InjectBuffer;
struct InjectCall;
struct InjectResult;

// event.hpp
struct PtraceEvent;
struct WaitStatus;
namespace events {
struct PreSyscall;
struct PostSyscall;
struct SingleStep;
struct Signal;
struct Breakpoint;
struct Exit;
struct Clone;
struct Exec;
struct Unknown;
} // namespace events

// regs.hpp
struct IntRegisters;
struct FloatRegisters;
struct EnvRegisters;

// xstate.hpp
enum class XFeature : std::uint8_t;
struct XStateComponent;
struct XStateLayout;
class XStateRegisters;

// result.hpp
class Unexpected;
template <class T>
class Result;

// signal_info.hpp
struct SignalInfo;

// syscalls.hpp, errnos.hpp
enum class ArgKind : std::uint8_t;
struct SyscallInfo;
struct ErrnoInfo;

// syscall_classes.hpp
struct SyscallClass;

// syscall_set.hpp
class SyscallSet;
enum class SyscallFilterPath : std::uint8_t;
struct SyscallFilterState;

} // namespace ptrace_api
