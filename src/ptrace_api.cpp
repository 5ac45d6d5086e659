// SPDX-License-Identifier: MIT
// The separately compiled mode's one source: the definitions of every out-of-line function of
// the library, from the shim's calls to the RAII handles. Compile it once per program, with
// PTRACE_API_SEPARATE_COMPILATION defined as in every other translation unit of the program,
// or link the ptrace_api library that the meson build makes of it (README, "Separate
// compilation"). In the default, header-only mode the headers include these definitions
// themselves, and this file is not compiled.
#if !defined(PTRACE_API_SEPARATE_COMPILATION)
#error "define PTRACE_API_SEPARATE_COMPILATION for this file and every other TU of the program"
#endif

#include <ptrace/all.hpp>
#include <ptrace/impl/event.ipp>
#include <ptrace/impl/inject.ipp>
#include <ptrace/impl/memory.ipp>
#include <ptrace/impl/registers.ipp>
#include <ptrace/impl/regs.ipp>
#include <ptrace/impl/shim_fd.ipp>
#include <ptrace/impl/spawn.ipp>
#include <ptrace/impl/tracer.ipp>
#include <ptrace/impl/xstate.ipp>
#include <ptrace/shim/impl/api.ipp>
