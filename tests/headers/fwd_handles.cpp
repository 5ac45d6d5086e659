// SPDX-License-Identifier: MIT
// <ptrace/handles_fwd.hpp> against the definitions of the handles, as fwd_values.cpp checks
// <ptrace/fwd.hpp>: each name declared there, in that namespace, and complete once the handle
// headers are included.
#include <ptrace/handles_fwd.hpp>

#include "fwd_check.hpp"

using Declared =
    fwd_check::Names<ptrace_api::OnClose, ptrace_api::AttachStop, ptrace_api::AttachAccess,
                     ptrace_api::AttachOptions, ptrace_api::EventHandler, ptrace_api::Tracer,
                     ptrace_api::NonblockTracer, ptrace_api::Registers, ptrace_api::CString,
                     ptrace_api::Memory, ptrace_api::Child, ptrace_api::Command,
                     ptrace_api::Spawned>;

#include <ptrace/memory.hpp>
#include <ptrace/registers.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>

static_assert(Declared::complete,
              "a name of <ptrace/handles_fwd.hpp> is not defined by its header");
