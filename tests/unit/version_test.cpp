// SPDX-License-Identifier: MIT
// The version macros agree with meson.build (passed in as PTRACE_API_MESON_VERSION).
#include <ptrace/version.hpp>

#include <doctest/doctest.h>

#include <string>

TEST_CASE("version.hpp matches the meson project version") {
    const std::string macros = std::to_string(PTRACE_API_VERSION_MAJOR) + "." +
                               std::to_string(PTRACE_API_VERSION_MINOR) + "." +
                               std::to_string(PTRACE_API_VERSION_PATCH);
    CHECK(macros == PTRACE_API_MESON_VERSION);
}
