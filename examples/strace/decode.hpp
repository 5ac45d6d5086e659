// SPDX-License-Identifier: MIT
// Decodes one syscall strace-style: its arguments at the entry stop (decode_entry), those the
// kernel wrote at the exit stop (exit_arg), the whole line (call_text, result_text).
#pragma once

#include <ptrace/syscalls.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/syscall.h>

#include "fd_waits.hpp"
#include "format.hpp"
#include "syscall_args.hpp"
#include "syscall_decoders.hpp"

namespace strace_example {

/// Decodes the arguments of syscall `nr` at its entry stop. `regs` are rdi, rsi, rdx, r10, r8,
/// r9; strings that the tracee passes in are read now, because by the exit stop the memory may
/// have changed (or, for execve, belong to another program).
inline PendingCall decode_entry(long nr, const std::array<std::uint64_t, 6>& regs,
                                const ReadMemory& read, std::size_t limit = default_string_limit,
                                std::uint64_t sp = 0, const NetlinkLookup& netlink = {}) {
    PendingCall call;
    call.nr = nr;
    call.regs = regs;
    call.clone_flags = clone_flags_at_entry(nr, regs, read);
    const auto info = ptrace_api::syscall_info(nr);
    if (!info) {
        // strace prints all six registers of an unknown syscall in hex.
        for (unsigned i = 0; i < 6; ++i) {
            call.args.push_back({hex(regs[i]), false, i});
        }
        return call;
    }
    const std::string_view name = info->name;
    // The calls whose argument 0 may be a netlink socket: their messages are decoded by its
    // protocol.
    if (netlink && (nr == SYS_sendto || nr == SYS_recvfrom || nr == SYS_sendmsg ||
                    nr == SYS_recvmsg || nr == SYS_sendmmsg || nr == SYS_recvmmsg)) {
        call.netlink = netlink(as_int(regs[0]));
    }
    auto count = static_cast<unsigned>(info->arg_count);
    for (unsigned i = 0; i < count; ++i) {
        call.args.push_back(detail::generic_arg(*info, i, regs[i], read, limit));
    }
    detail::Entering entering{call, regs, read, limit, sp, name};
    // Buffers the tracee hands in, with their length in the next register.
    for (unsigned i = 0; i + 1 < count; ++i) {
        if (info->args[i] == ptrace_api::ArgKind::String) {
            entering.set(i, buffer_text(read, regs[i], regs[i + 1], limit));
        }
    }
    // Then what strace shows otherwise: the decoder of the syscall's row.
    const detail::SyscallDecoder* decoder = detail::syscall_decoder(nr);
    if (decoder != nullptr && decoder->entry != nullptr) {
        (entering.*decoder->entry)();
    }
    return call;
}

/// The text of an argument the kernel filled in, now that the call returned `ret`.
inline std::string exit_arg(const PendingCall& call, const Arg& arg, std::int64_t ret,
                            const ReadMemory& read, std::size_t limit) {
    const detail::Exiting exiting{call, arg, ret, read, limit, call.regs[arg.index]};
    const detail::SyscallDecoder* decoder = detail::syscall_decoder(call.nr);
    const bool decoded = decoder != nullptr && decoder->exit != nullptr;
    if (decoded && decoder->failures) {
        return (exiting.*decoder->exit)();
    }
    if (exiting.failed() || exiting.addr == 0) {
        // Nothing was written: strace shows the address (or what was known at entry).
        return exiting.unwritten();
    }
    return decoded ? (exiting.*decoder->exit)() : exiting.out_buffer();
}

/// `name(arg, ...)` with the exit-time arguments decoded for a call that returned `ret`
/// (nullopt: it never returned, its out-arguments are shown as addresses).
inline std::string call_text(const PendingCall& call, std::optional<std::int64_t> ret,
                             const ReadMemory& read, std::size_t limit = default_string_limit) {
    std::string out = ptrace_api::syscall_display_name(call.nr) + "(";
    for (std::size_t i = 0; i < call.args.size(); ++i) {
        if (i != 0) {
            out += ", ";
        }
        const Arg& arg = call.args[i];
        if (!arg.at_exit) {
            out += arg.text;
        } else if (ret) {
            out += exit_arg(call, arg, *ret, read, limit);
        } else {
            out += arg.text.empty() ? pointer(call.regs[arg.index]) : arg.text;
        }
    }
    return out + ")";
}

/// The result text of `call`: see return_text(); `?` when it never returned. The calls that
/// wait on fds add what they found, read from the tracee's memory (fd_waits.hpp): ` (Timeout)`,
/// ` ([{fd=3, revents=POLLIN}])`, ` (in [3], left {tv_sec=0, tv_usec=999})`.
inline std::string result_text(const PendingCall& call, std::optional<std::int64_t> ret,
                               const ReadMemory& read, std::size_t limit = default_string_limit) {
    if (!ret) {
        return "?";
    }
    const auto info = ptrace_api::syscall_info(call.nr);
    const ptrace_api::ArgKind kind = info ? info->ret : ptrace_api::ArgKind::Long;
    const std::string_view name = info ? info->name : std::string_view();
    const bool select = name == "select" || name == "pselect6";
    if ((name == "poll" || name == "ppoll" || select) && *ret >= 0) {
        // ppoll, select and pselect6 also show the time left, which the kernel wrote back.
        std::string found;
        if (*ret == 0) {
            found = "Timeout";
        } else if (select) {
            found = select_found(read, call.regs, *ret, name == "pselect6");
        } else {
            found = poll_found(read, call.regs[0], call.regs[1] & 0xffffffff,
                               name == "ppoll" ? call.regs[2] : 0, limit);
        }
        return return_text(kind, *ret) + (found.empty() ? "" : " (" + found + ")");
    }
    if (name == "personality" && !is_error_return(*ret)) { // the persona it had, by name
        return return_text(kind, *ret) + " (" + personality_text(static_cast<std::uint32_t>(*ret)) +
               ")";
    }
    if (name == "sched_getscheduler" && !is_error_return(*ret)) {
        const std::string policy =
            value_name(static_cast<std::uint64_t>(*ret), detail::sched_policy_table, "");
        return return_text(kind, *ret) + (policy.empty() ? "" : " (" + policy + ")");
    }
    if (name == "membarrier" && (call.regs[0] & 0xffffffff) == 0 && *ret > 0) {
        // MEMBARRIER_CMD_QUERY: the commands the kernel offers, `0x3ff (MEMBARRIER_CMD_...)`.
        return hex(static_cast<std::uint64_t>(*ret)) + " (" +
               flag_names(static_cast<std::uint64_t>(*ret), detail::membarrier_cmd_table) + ")";
    }
    if ((name == "adjtimex" || name == "clock_adjtime") && !is_error_return(*ret)) {
        const std::string state = time_state_text(*ret);
        return return_text(kind, *ret) + (state.empty() ? "" : " (" + state + ")");
    }
    if (name == "recvmmsg" && !is_error_return(*ret)) {
        if (*ret == 0) {
            return "0 (Timeout)";
        }
        if (call.regs[4] != 0) { // the time left, which the kernel wrote back
            return return_text(kind, *ret) + " (left " + timespec_at(read, call.regs[4]) + ")";
        }
    }
    if (name == "ioprio_get" && !is_error_return(*ret)) {
        return return_text(kind, *ret) + " (" +
               detail::ioprio_text(static_cast<std::uint64_t>(*ret)) + ")";
    }
    if (name == "prctl" && !is_error_return(*ret)) {
        if (auto named = prctl_result(call.regs[0], call.regs[1], *ret)) {
            return std::move(*named);
        }
    }
    if (name == "fcntl" && !is_error_return(*ret)) {
        // F_GETFD and F_GETFL return flags: strace shows them in hex, then by name; F_GETSIG a
        // signal.
        const auto flags = static_cast<std::uint64_t>(*ret);
        if (call.regs[1] == 1) {
            return flags == 0
                       ? std::string("0")
                       : hex(flags) + " (flags " +
                             flag_names(flags, std::array<FlagName, 1>{{{1, "FD_CLOEXEC"}}}) + ")";
        }
        if (call.regs[1] == 3) {
            return hex(flags) + " (flags " + open_flags(flags) + ")";
        }
        if (call.regs[1] == 11 && flags != 0) { // F_GETSIG: the signal, by name too
            return std::to_string(flags) + " (" + signal_text(flags) + ")";
        }
    }
    // exit and exit_group never return; if one did (it cannot), show the number anyway.
    return return_text(kind == ptrace_api::ArgKind::None ? ptrace_api::ArgKind::Long : kind, *ret);
}

} // namespace strace_example
