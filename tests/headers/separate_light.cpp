// SPDX-License-Identifier: MIT
// Compiled with PTRACE_API_SEPARATE_COMPILATION: the handles' headers and the shim's api.hpp
// must then bring none of the shim's machinery into a user's translation unit (README,
// "Separate compilation"). Checked through include guards that only the machinery sets:
// glibc's <sys/ptrace.h> and <sys/wait.h> (the shim's internals, spawn's definitions) and
// libstdc++'s <mutex>, <condition_variable>, <thread>, <deque>, <atomic> and <memory> (the
// tracer-thread runtime).
#if !defined(PTRACE_API_SEPARATE_COMPILATION)
#error "tests/meson.build compiles this check with PTRACE_API_SEPARATE_COMPILATION"
#endif

#include <ptrace/detail/shim_fd.hpp>
#include <ptrace/handles_fwd.hpp>
#include <ptrace/memory.hpp>
#include <ptrace/registers.hpp>
#include <ptrace/shim/api.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/tracer.hpp>
#include <ptrace/tracer_thread.hpp>

#if defined(_SYS_PTRACE_H) || defined(_SYS_WAIT_H)
#error "a separate-mode user includes the shim's internals or spawn's definitions"
#endif

#if defined(_GLIBCXX_MUTEX) || defined(_GLIBCXX_CONDITION_VARIABLE) || defined(_GLIBCXX_THREAD) || \
    defined(_GLIBCXX_DEQUE) || defined(_GLIBCXX_ATOMIC) || defined(_GLIBCXX_MEMORY)
#error "a separate-mode user includes the standard headers of the shim's runtime"
#endif
