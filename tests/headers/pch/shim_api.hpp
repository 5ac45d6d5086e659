// SPDX-License-Identifier: MIT
// Precompiled for the header checks of tests/meson.build that include it first (listed.py).
#include <ptrace/shim/api.hpp>
