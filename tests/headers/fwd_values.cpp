// SPDX-License-Identifier: MIT
// <ptrace/fwd.hpp> against the definitions of the value layer. Every forward-declared name is
// named first with only the forward declarations in view (so it is declared there, in that
// namespace), then checked complete once the definitions are included (so it is the defined
// entity, not a stray declaration). A differing template head or enum base is an error of its
// own; the header checks are built with -Werror=mismatched-tags, so a differing class-key is one
// too, with or without -Dwerror.
#include <ptrace/fwd.hpp>

#include <cstdint>

#include "fwd_check.hpp"

using Declared = fwd_check::Names<
    ptrace_api::BitFlags<ptrace_api::PtraceFlags, std::uint64_t>,
    ptrace_api::NamedFlag<ptrace_api::PtraceFlags>, ptrace_api::FlagsParseError,
    ptrace_api::FlagsParseResult<ptrace_api::PtraceFlags>, ptrace_api::PtraceFlags,
    ptrace_api::CString, ptrace_api::PtraceEvent, ptrace_api::WaitStatus,
    ptrace_api::events::PreSyscall, ptrace_api::events::PostSyscall, ptrace_api::events::SingleStep,
    ptrace_api::events::Signal, ptrace_api::events::Breakpoint, ptrace_api::events::Exit,
    ptrace_api::events::Clone, ptrace_api::events::Exec, ptrace_api::events::Unknown,
    ptrace_api::IntRegisters, ptrace_api::FloatRegisters, ptrace_api::EnvRegisters,
    ptrace_api::Unexpected, ptrace_api::Result<int>, ptrace_api::ArgKind, ptrace_api::SyscallInfo,
    ptrace_api::ErrnoInfo, ptrace_api::SyscallClass, ptrace_api::SyscallSet,
    ptrace_api::SyscallFilterPath, ptrace_api::SyscallFilterState, ptrace_api::XFeature,
    ptrace_api::XStateComponent, ptrace_api::XStateLayout, ptrace_api::XStateRegisters,
    ptrace_api::WatchKind, ptrace_api::Watchpoint, ptrace_api::WatchpointProblem,
    ptrace_api::DebugRegisters, ptrace_api::InjectBuffer, ptrace_api::InjectCall,
    ptrace_api::InjectResult, ptrace_api::SignalInfo>;

#include <ptrace/ptrace.hpp>

static_assert(Declared::complete, "a name of <ptrace/fwd.hpp> is not defined by its header");
