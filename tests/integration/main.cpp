// SPDX-License-Identifier: MIT
// doctest's main for the integration tests (the only file that defines it).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
