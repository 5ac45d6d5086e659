// SPDX-License-Identifier: MIT
// The out-of-line functions of memory.hpp: included by that header in the header-only mode,
// and by src/ptrace_api.cpp alone in the separately compiled mode (api.hpp).
#pragma once

#include <ptrace/c_string.hpp>
#include <ptrace/config.hpp>
#include <ptrace/detail/shim_fd.hpp>
#include <ptrace/memory.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/api.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>
#include <utility>

#include <sys/types.h>
#include <unistd.h>

namespace ptrace_api {

PTRACE_API_DECL Result<Memory> Memory::open(pid_t pid, int oflags) {
    auto fd = detail::ShimFd::open(pid, "mem", oflags);
    if (!fd) {
        return Unexpected(fd.error());
    }
    return Memory(pid, std::move(*fd));
}

PTRACE_API_DECL Result<void> Memory::read(std::uint64_t address, std::span<std::byte> out) {
    PTRACE_API_ASSERT(fd_.valid(), "Memory used after being moved from");
    if (out.empty()) {
        return {};
    }
    if (auto r = seek(address); !r) {
        return r;
    }
    const auto n = shim::read(fd_.get(), out);
    if (!n) {
        return Unexpected(n.error());
    }
    return *n == out.size() ? Result<void>{} : unexpected(std::errc::bad_address);
}

PTRACE_API_DECL Result<void> Memory::write(std::uint64_t address, std::span<const std::byte> data) {
    PTRACE_API_ASSERT(fd_.valid(), "Memory used after being moved from");
    if (data.empty()) {
        return {};
    }
    if (auto r = seek(address); !r) {
        return r;
    }
    const auto n = shim::write(fd_.get(), data);
    if (!n) {
        return Unexpected(n.error());
    }
    return *n == data.size() ? Result<void>{} : unexpected(std::errc::bad_address);
}

PTRACE_API_DECL Result<CString> Memory::read_c_string(std::uint64_t address, std::size_t max_len) {
    return ptrace_api::read_c_string(
        [this](std::uint64_t at, std::span<std::byte> out) { return read(at, out); }, address,
        max_len);
}

PTRACE_API_DECL Result<void> Memory::seek(std::uint64_t address) {
    // The handle's offset is the address (K1); SEEK_SET takes it as an unsigned value.
    const auto r = shim::lseek(fd_.get(), static_cast<std::int64_t>(address), SEEK_SET);
    if (!r) {
        return Unexpected(r.error());
    }
    return {};
}

} // namespace ptrace_api
