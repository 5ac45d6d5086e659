// SPDX-License-Identifier: MIT
// A system call to run in a stopped tracee (issue 13, debugger kit item 1): the number, six
// argument words and buffers the library copies into a scratch area of the tracee's stack,
// whose addresses go into the arguments the caller names; and what came back. The shim runs it
// and restores everything (kernel-shim/README.md "Syscall injection", decision 24).
#pragma once

#include <ptrace/config.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ptrace_api {

/// A buffer of the injected call: `bytes` are copied into the tracee before the call and read
/// back after it; its address in the tracee replaces argument `arg` (0-5, rdi..r9).
struct InjectBuffer {
    unsigned arg = 0;
    std::vector<std::byte> bytes;
};

/// The call: `nr` with `args` in rdi, rsi, rdx, r10, r8, r9 (x86_64 syscall convention);
/// `buffers` take the place of the arguments they name. At most 64 KiB of buffers.
struct InjectCall {
    std::uint64_t nr = 0;
    std::array<std::uint64_t, 6> args{};
    std::vector<InjectBuffer> buffers;

    InjectCall() = default;
    /// The call `number` with up to six argument words (`InjectCall(SYS_getpid, {})`,
    /// `InjectCall(SYS_munmap, {addr, 4096})`); the others are 0. A seventh word does not
    /// compile: x86_64 passes six.
    InjectCall(std::uint64_t number, const std::array<std::uint64_t, 6>& words)
        : nr(number), args(words) {}

    /// Adds a buffer for argument `arg`, with `bytes` as its contents before the call.
    InjectCall& buffer(unsigned arg, std::span<const std::byte> bytes);
    /// Adds a zeroed buffer of `size` bytes for argument `arg` (an output).
    InjectCall& buffer(unsigned arg, std::size_t size);
};

/// What the injected call gave.
struct InjectResult {
    /// rax after the call: the result, or -errno (as the kernel returns it).
    std::int64_t ret = 0;
    /// Each buffer's bytes after the call, in the order of InjectCall::buffers.
    std::vector<std::vector<std::byte>> buffers;
    /// The tracee has a seccomp filter (Seccomp: 2): a -errno result may be the filter's.
    bool seccomp_filter = false;
};

} // namespace ptrace_api

#if !defined(PTRACE_API_SEPARATE_COMPILATION)
#include <ptrace/impl/inject.ipp>
#endif
