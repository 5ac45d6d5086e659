// SPDX-License-Identifier: MIT
// Conversions between Linux's user_regs_struct/user_fpregs_struct and the Redox layouts (1.3).
#pragma once

#include <ptrace/regs.hpp>

#include <cstdint>
#include <cstring>

#include <sys/user.h>

namespace ptrace_api::shim {

/// Where the tracee stopped matters for one register: at a syscall-entry stop Redox keeps the
/// syscall number in rax (decision 7, D1) while Linux keeps it in orig_rax.
enum class RaxMeaning : std::uint8_t { UserRax, SyscallNumber };

/// Linux -> Redox (spec 1.3): same order up to rdi, then rip, cs, rflags, rsp, ss, fs.
inline IntRegisters to_int_registers(const user_regs_struct& r, RaxMeaning meaning) noexcept {
    IntRegisters out{};
    out.r15 = r.r15;
    out.r14 = r.r14;
    out.r13 = r.r13;
    out.r12 = r.r12;
    out.rbp = r.rbp;
    out.rbx = r.rbx;
    out.r11 = r.r11;
    out.r10 = r.r10;
    out.r9 = r.r9;
    out.r8 = r.r8;
    out.rax = meaning == RaxMeaning::SyscallNumber ? r.orig_rax : r.rax;
    out.rcx = r.rcx;
    out.rdx = r.rdx;
    out.rsi = r.rsi;
    out.rdi = r.rdi;
    out.rip = r.rip;
    out.cs = r.cs;
    out.rflags = r.eflags;
    out.rsp = r.rsp;
    out.ss = r.ss;
    out.fs = r.fs;
    return out;
}

/// Redox -> Linux, merged over the registers Linux reported (decision 9: every register Linux
/// lets a tracer write; Linux masks privileged rflags bits and refuses bad selectors itself).
/// At a syscall-entry stop the written rax becomes both orig_rax (what Linux dispatches on) and
/// rax (the result if the syscall is then skipped, E1).
inline void merge_int_registers(user_regs_struct& r, const IntRegisters& in,
                                RaxMeaning meaning) noexcept {
    r.r15 = in.r15;
    r.r14 = in.r14;
    r.r13 = in.r13;
    r.r12 = in.r12;
    r.rbp = in.rbp;
    r.rbx = in.rbx;
    r.r11 = in.r11;
    r.r10 = in.r10;
    r.r9 = in.r9;
    r.r8 = in.r8;
    r.rax = in.rax;
    if (meaning == RaxMeaning::SyscallNumber) {
        r.orig_rax = in.rax;
    }
    r.rcx = in.rcx;
    r.rdx = in.rdx;
    r.rsi = in.rsi;
    r.rdi = in.rdi;
    r.rip = in.rip;
    r.cs = in.cs;
    r.eflags = in.rflags;
    r.rsp = in.rsp;
    r.ss = in.ss;
    r.fs = in.fs;
}

static_assert(sizeof(user_fpregs_struct) == 512);
static_assert(sizeof(FloatRegisters) == 416);

/// The first 416 bytes of the FXSAVE image are the Redox FloatRegisters (J4).
inline FloatRegisters to_float_registers(const user_fpregs_struct& f) noexcept {
    FloatRegisters out{};
    std::memcpy(&out, &f, sizeof out);
    return out;
}

/// Overwrites the first 416 bytes of the FXSAVE image; bytes 416-511 stay as Linux had them.
/// J4: the first 416 bytes of `in` over the FXSAVE image `f` (as GETFPREGS read it), keeping
/// what the tracee cannot choose: mxcsr_mask is the CPU's, and mxcsr bits outside it are
/// reserved, which Linux would refuse with EINVAL; Redox discards them, so they are cleared.
inline void merge_float_registers(user_fpregs_struct& f, const FloatRegisters& in) noexcept {
    // The FXSAVE convention: a zero mask means the default, every bit but DAZ (bit 6).
    const std::uint32_t mask = f.mxcr_mask != 0 ? f.mxcr_mask : 0xffbfU;
    std::memcpy(&f, &in, sizeof in);
    f.mxcr_mask = mask;
    f.mxcsr &= mask;
}

/// fs_base/gs_base (regs/env, Redox 2021).
inline EnvRegisters to_env_registers(const user_regs_struct& r) noexcept {
    return EnvRegisters{r.fs_base, r.gs_base};
}

inline void merge_env_registers(user_regs_struct& r, const EnvRegisters& in) noexcept {
    r.fs_base = in.fsbase;
    r.gs_base = in.gsbase;
}

} // namespace ptrace_api::shim
