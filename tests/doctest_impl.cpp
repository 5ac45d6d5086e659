// SPDX-License-Identifier: MIT
// doctest's implementation, compiled once per build for every doctest program (meson:
// doctest_impl_dep). Programs with doctest's own main also link tests/main.cpp; the exec
// matrix has a runner of its own (tests/exec/main.cpp).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
