// SPDX-License-Identifier: MIT
// Umbrella header of the whole library: the value types (<ptrace/ptrace.hpp>, which stays the
// umbrella of the value layer alone), the shim's proc: calls (<ptrace/shim/proc.hpp>), every
// RAII handle, and the forward declarations of both layers (<ptrace/handles_fwd.hpp>).
#pragma once

#include <ptrace/handles_fwd.hpp>
#include <ptrace/memory.hpp>
#include <ptrace/ptrace.hpp>
#include <ptrace/registers.hpp>
#include <ptrace/shim/proc.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>
#include <ptrace/tracer_thread.hpp>
