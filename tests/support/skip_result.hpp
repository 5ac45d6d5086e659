// SPDX-License-Identifier: MIT
// The result a tracer gives the getppid it skips in the skip scenarios (spec E1;
// tests/targets/tracee.cpp skip_getppid; the stops, registers and syscall-set integration
// tests): 2^30, above Linux's PID_MAX_LIMIT (2^22), so that no pid, tid or other result of the
// calls those scenarios make can be taken for it. 4242 was used first, until a fork child got
// pid 4242 in a CI run (the pid counter wraps at pid_max, 32768 there) and a comparison that
// prints the skip's result printed the child's pid as if it were one.
#pragma once

namespace test_support {

inline constexpr long skipped_result = 1L << 30;

} // namespace test_support
