// SPDX-License-Identifier: MIT
// Forward declarations of every public type of the RAII handles, and (through <ptrace/fwd.hpp>)
// of the value types, for headers that only name them. tests/headers/fwd_handles.cpp checks
// each name here against its definition.
#pragma once

#include <ptrace/fwd.hpp>

#include <cstdint>

namespace ptrace_api {

// tracer.hpp
enum class OnClose : std::uint8_t;
enum class AttachStop : std::uint8_t;
enum class AttachAccess : std::uint8_t;
struct AttachOptions;
class EventHandler;
class Tracer;
class NonblockTracer;

// registers.hpp
class Registers;

// memory.hpp
struct CString;
class Memory;

// spawn.hpp
class Child;
struct Command;
struct Spawned;

} // namespace ptrace_api
