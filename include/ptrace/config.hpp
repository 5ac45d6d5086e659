// SPDX-License-Identifier: MIT
// Configuration shared by every header: the always-on precondition check.
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
