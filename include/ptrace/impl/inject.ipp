// SPDX-License-Identifier: MIT
// The out-of-line functions of inject.hpp (InjectCall's buffers): included by that header in
// the header-only mode, and by src/ptrace_api.cpp alone in the separately compiled mode
// (config.hpp, PTRACE_API_DECL).
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/inject.hpp>

#include <cstddef>
#include <span>
#include <vector>

namespace ptrace_api {

PTRACE_API_DECL InjectCall& InjectCall::buffer(unsigned arg, std::span<const std::byte> bytes) {
    buffers.push_back(InjectBuffer{arg, {bytes.begin(), bytes.end()}});
    return *this;
}

PTRACE_API_DECL InjectCall& InjectCall::buffer(unsigned arg, std::size_t size) {
    buffers.push_back(InjectBuffer{arg, std::vector<std::byte>(size)});
    return *this;
}

} // namespace ptrace_api
