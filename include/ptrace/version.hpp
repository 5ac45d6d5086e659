// SPDX-License-Identifier: MIT
// The library version; a unit test checks it against the version in meson.build.
#pragma once

#define PTRACE_API_VERSION_MAJOR 0
#define PTRACE_API_VERSION_MINOR 1
#define PTRACE_API_VERSION_PATCH 0
