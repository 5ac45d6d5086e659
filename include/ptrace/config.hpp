// SPDX-License-Identifier: MIT
// Configuration shared by every header: the always-on precondition check, and how the
// out-of-line functions are declared in each mode (header-only or separately compiled).
#pragma once

#include <cstdio>
#include <cstdlib>

/// Checks a precondition the caller must uphold (a moved-from handle, a bad argument that
/// cannot come from the kernel). It is always on, prints where and what, and aborts: a broken
/// precondition is a bug in the calling program, not an error to recover from. Results of
/// system calls are never checked with it; they are returned as errors.
#define PTRACE_API_ASSERT(cond, message)                                                           \
    do {                                                                                           \
        if (!(cond)) [[unlikely]] {                                                                \
            std::fprintf(stderr, "%s:%d: ptrace-api precondition failed: %s (%s)\n", __FILE__,     \
                         __LINE__, message, #cond);                                                \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)

/// How the library's out-of-line functions are declared and defined: `inline` in the default,
/// header-only mode; nothing (one external definition, in the provided source) when
/// PTRACE_API_SEPARATE_COMPILATION is defined. The macro must be defined in every translation
/// unit of a program or in none: a mixed program is an ODR violation, and the separately
/// compiled code aborts it at startup (shim/api.hpp, ptrace_api_header_only_mode).
#if defined(PTRACE_API_SEPARATE_COMPILATION)
#define PTRACE_API_DECL
#else
#define PTRACE_API_DECL inline
#endif
