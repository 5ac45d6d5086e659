// SPDX-License-Identifier: MIT
// Forward declarations of the public types, for headers that only name them.
#pragma once

namespace ptrace_api {

class PtraceFlags;
struct PtraceEvent;
struct WaitStatus;
struct IntRegisters;
struct FloatRegisters;
struct EnvRegisters;
class Unexpected;
template <class T>
class Result;
class FlagsParseError;
template <class Flags>
class FlagsParseResult;

} // namespace ptrace_api
