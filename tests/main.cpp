// SPDX-License-Identifier: MIT
// The one translation unit that defines doctest's main() for a test executable.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
