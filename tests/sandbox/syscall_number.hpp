// SPDX-License-Identifier: MIT
// The sandbox tests' shared helper: a syscall number from <sys/syscall.h> (a long) as the
// 32-bit number a policy decides on.
#pragma once

#include <cstdint>

namespace sandbox_test {

inline std::uint32_t nr_of(long nr) {
    return static_cast<std::uint32_t>(nr);
}

} // namespace sandbox_test
