// SPDX-License-Identifier: MIT
// The registers as gdb numbers them, and the target description that tells gdb so (the
// features org.gnu.gdb.i386.core, .sse, .linux, .segments, .avx and .avx512 (xmm16-31,
// ymm16h-31h, k0-7, zmm0h-31h), as GNU gdbserver serves them for amd64 Linux; no MPX, no
// PKU). A RegisterFile holds one thread's registers as read through the library's handles;
// to_gdb() lays them out as the `g` packet does, from_gdb() takes such a layout back.
#pragma once

#include <ptrace/registers.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/xstate.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "rsp.hpp"

namespace gdbserver {

/// One register of the description: its name and size in bytes; registers follow each other
/// in the `g` packet in this order (gdb's regnum is the index).
struct RegisterInfo {
    const char* name;
    std::size_t size;
};

inline constexpr std::size_t core_count = 40; // rax..gs (24), st0-7, fctrl..fop
inline constexpr std::size_t sse_count = 17;  // xmm0-15, mxcsr
inline constexpr std::size_t first_xmm = 40;
inline constexpr std::size_t mxcsr_regnum = 56;
inline constexpr std::size_t orig_rax_regnum = 57;
inline constexpr std::size_t fs_base_regnum = 58;
inline constexpr std::size_t gs_base_regnum = 59;
inline constexpr std::size_t first_ymmh = 60;
inline constexpr std::size_t first_xmm16 = 76;
inline constexpr std::size_t first_ymm16h = 92;
inline constexpr std::size_t first_k = 108;
inline constexpr std::size_t first_zmmh = 116;
inline constexpr std::size_t register_count = 148;

/// The vector registers the CPU has, and so the features of the description.
enum class Vectors : std::uint8_t { Sse, Avx, Avx512 };

/// How many registers the description of `v` has.
[[nodiscard]] constexpr std::size_t register_count_of(Vectors v) noexcept {
    return v == Vectors::Sse ? first_ymmh : v == Vectors::Avx ? first_xmm16 : register_count;
}

/// The 148 registers in gdb's order (the first register_count_of() of them are served).
[[nodiscard]] inline const std::array<RegisterInfo, register_count>& register_table() {
    static const std::array<std::string, 32 + 16 + 16 + 8 + 32> names = [] {
        std::array<std::string, 32 + 16 + 16 + 8 + 32> n{};
        std::size_t i = 0;
        for (int r = 16; r < 32; ++r) {
            n[i++] = "xmm" + std::to_string(r);
        }
        for (int r = 16; r < 32; ++r) {
            n[i++] = "ymm" + std::to_string(r) + "h";
        }
        for (int r = 0; r < 8; ++r) {
            n[i++] = "k" + std::to_string(r);
        }
        for (int r = 0; r < 32; ++r) {
            n[i++] = "zmm" + std::to_string(r) + "h";
        }
        return n;
    }();
    static const std::array<RegisterInfo, register_count> table = [] {
        std::array<RegisterInfo, register_count> t{};
        static const char* const gp[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi",
                                         "rbp", "rsp", "r8",  "r9",  "r10", "r11",
                                         "r12", "r13", "r14", "r15", "rip"};
        std::size_t n = 0;
        for (const char* name : gp) {
            t[n++] = {name, 8};
        }
        static const char* const seg[] = {"eflags", "cs", "ss", "ds", "es", "fs", "gs"};
        for (const char* name : seg) {
            t[n++] = {name, 4};
        }
        static const char* const st[] = {"st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7"};
        for (const char* name : st) {
            t[n++] = {name, 10};
        }
        static const char* const fpu[] = {"fctrl", "fstat", "ftag",  "fiseg",
                                          "fioff", "foseg", "fooff", "fop"};
        for (const char* name : fpu) {
            t[n++] = {name, 4};
        }
        static const char* const xmm[] = {"xmm0",  "xmm1",  "xmm2",  "xmm3", "xmm4",  "xmm5",
                                          "xmm6",  "xmm7",  "xmm8",  "xmm9", "xmm10", "xmm11",
                                          "xmm12", "xmm13", "xmm14", "xmm15"};
        for (const char* name : xmm) {
            t[n++] = {name, 16};
        }
        t[n++] = {"mxcsr", 4};
        t[n++] = {"orig_rax", 8};
        t[n++] = {"fs_base", 8};
        t[n++] = {"gs_base", 8};
        static const char* const ymmh[] = {
            "ymm0h", "ymm1h", "ymm2h",  "ymm3h",  "ymm4h",  "ymm5h",  "ymm6h",  "ymm7h",
            "ymm8h", "ymm9h", "ymm10h", "ymm11h", "ymm12h", "ymm13h", "ymm14h", "ymm15h"};
        for (const char* name : ymmh) {
            t[n++] = {name, 16};
        }
        std::size_t k = 0;
        for (; n < first_ymm16h; ++n) {
            t[n] = {names[k++].c_str(), 16};
        }
        for (; n < first_k; ++n) {
            t[n] = {names[k++].c_str(), 16};
        }
        for (; n < first_zmmh; ++n) {
            t[n] = {names[k++].c_str(), 8};
        }
        for (; n < register_count; ++n) {
            t[n] = {names[k++].c_str(), 32};
        }
        return t;
    }();
    return table;
}

/// Where register `regnum` starts in the `g` layout, and the layout's total size.
[[nodiscard]] inline std::size_t register_offset(std::size_t regnum) {
    std::size_t offset = 0;
    for (std::size_t i = 0; i < regnum; ++i) {
        offset += register_table()[i].size;
    }
    return offset;
}
[[nodiscard]] inline std::size_t layout_size(Vectors v) {
    return register_offset(register_count_of(v));
}

/// The vec128 union of the sse and avx512 features.
inline constexpr const char* vec128_types = R"(    <vector id="v8bf16" type="bfloat16" count="8"/>
    <vector id="v8h" type="ieee_half" count="8"/>
    <vector id="v4f" type="ieee_single" count="4"/>
    <vector id="v2d" type="ieee_double" count="2"/>
    <vector id="v16i8" type="int8" count="16"/>
    <vector id="v8i16" type="int16" count="8"/>
    <vector id="v4i32" type="int32" count="4"/>
    <vector id="v2i64" type="int64" count="2"/>
    <union id="vec128">
      <field name="v8_bfloat16" type="v8bf16"/>
      <field name="v8_half" type="v8h"/>
      <field name="v4_float" type="v4f"/>
      <field name="v2_double" type="v2d"/>
      <field name="v16_int8" type="v16i8"/>
      <field name="v8_int16" type="v8i16"/>
      <field name="v4_int32" type="v4i32"/>
      <field name="v2_int64" type="v2i64"/>
      <field name="uint128" type="uint128"/>
    </union>
)";

/// The target description: amd64 GNU/Linux; the AVX and AVX-512 features when the CPU has
/// them.
[[nodiscard]] inline std::string target_xml(Vectors v) {
    std::string x = R"(<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target>
  <architecture>i386:x86-64</architecture>
  <osabi>GNU/Linux</osabi>
  <feature name="org.gnu.gdb.i386.core">
    <flags id="i386_eflags" size="4">
      <field name="CF" start="0" end="0"/>
      <field name="" start="1" end="1"/>
      <field name="PF" start="2" end="2"/>
      <field name="AF" start="4" end="4"/>
      <field name="ZF" start="6" end="6"/>
      <field name="SF" start="7" end="7"/>
      <field name="TF" start="8" end="8"/>
      <field name="IF" start="9" end="9"/>
      <field name="DF" start="10" end="10"/>
      <field name="OF" start="11" end="11"/>
      <field name="NT" start="14" end="14"/>
      <field name="RF" start="16" end="16"/>
      <field name="VM" start="17" end="17"/>
      <field name="AC" start="18" end="18"/>
      <field name="VIF" start="19" end="19"/>
      <field name="VIP" start="20" end="20"/>
      <field name="ID" start="21" end="21"/>
    </flags>
)";
    const auto& t = register_table();
    for (std::size_t i = 0; i < 16; ++i) {
        const char* type = i == 6 || i == 7 ? "data_ptr" : "int64";
        x += std::string("    <reg name=\"") + t[i].name + "\" bitsize=\"64\" type=\"" + type +
             "\"/>\n";
    }
    x += "    <reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n"
         "    <reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n";
    for (std::size_t i = 18; i < 24; ++i) {
        x += std::string("    <reg name=\"") + t[i].name + "\" bitsize=\"32\" type=\"int32\"/>\n";
    }
    for (std::size_t i = 24; i < 32; ++i) {
        x +=
            std::string("    <reg name=\"") + t[i].name + "\" bitsize=\"80\" type=\"i387_ext\"/>\n";
    }
    for (std::size_t i = 32; i < 40; ++i) {
        x += std::string("    <reg name=\"") + t[i].name +
             "\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n";
    }
    x += "  </feature>\n  <feature name=\"org.gnu.gdb.i386.sse\">\n";
    x += vec128_types;
    x += R"(    <flags id="i386_mxcsr" size="4">
      <field name="IE" start="0" end="0"/>
      <field name="DE" start="1" end="1"/>
      <field name="ZE" start="2" end="2"/>
      <field name="OE" start="3" end="3"/>
      <field name="UE" start="4" end="4"/>
      <field name="PE" start="5" end="5"/>
      <field name="DAZ" start="6" end="6"/>
      <field name="IM" start="7" end="7"/>
      <field name="DM" start="8" end="8"/>
      <field name="ZM" start="9" end="9"/>
      <field name="OM" start="10" end="10"/>
      <field name="UM" start="11" end="11"/>
      <field name="PM" start="12" end="12"/>
      <field name="FZ" start="15" end="15"/>
    </flags>
)";
    for (std::size_t i = first_xmm; i < first_xmm + 16; ++i) {
        x += std::string("    <reg name=\"") + t[i].name + "\" bitsize=\"128\" type=\"vec128\"/>\n";
    }
    x += R"(    <reg name="mxcsr" bitsize="32" type="i386_mxcsr" group="vector"/>
  </feature>
  <feature name="org.gnu.gdb.i386.linux">
    <reg name="orig_rax" bitsize="64" type="int"/>
  </feature>
  <feature name="org.gnu.gdb.i386.segments">
    <reg name="fs_base" bitsize="64" type="int"/>
    <reg name="gs_base" bitsize="64" type="int"/>
  </feature>
)";
    const auto regs = [&](std::size_t from, std::size_t to, const char* bits, const char* type) {
        for (std::size_t i = from; i < to; ++i) {
            x += std::string("    <reg name=\"") + t[i].name + "\" bitsize=\"" + bits +
                 "\" type=\"" + type + "\"/>\n";
        }
    };
    if (v != Vectors::Sse) {
        x += "  <feature name=\"org.gnu.gdb.i386.avx\">\n";
        regs(first_ymmh, first_xmm16, "128", "uint128");
        x += "  </feature>\n";
    }
    if (v == Vectors::Avx512) {
        x += "  <feature name=\"org.gnu.gdb.i386.avx512\">\n";
        x += vec128_types;
        regs(first_xmm16, first_ymm16h, "128", "vec128");
        regs(first_ymm16h, first_k, "128", "uint128");
        x += "    <vector id=\"v2ui128\" type=\"uint128\" count=\"2\"/>\n";
        regs(first_k, first_zmmh, "64", "uint64");
        regs(first_zmmh, register_count, "256", "v2ui128");
        x += "  </feature>\n";
    }
    x += "</target>\n";
    return x;
}

/// The full x87 tag word (2 bits per physical register: 0 valid, 1 zero, 2 special, 3
/// empty) from FXSAVE's abridged one (1 bit: not empty) and the registers' contents, as the
/// CPU's FSTENV would give it.
[[nodiscard]] inline std::uint32_t full_tag_word(const ptrace_api::FloatRegisters& f) {
    const unsigned top = (f.fsw >> 11U) & 7U;
    std::uint32_t tag = 0;
    for (unsigned phys = 0; phys < 8; ++phys) {
        unsigned t = 3;
        if ((f.ftw >> phys) & 1U) {
            const auto& st = f.st_space[(phys - top) & 7U];
            const unsigned exponent = (st[8] | (unsigned{st[9]} << 8U)) & 0x7fffU;
            bool mantissa_zero = true;
            for (std::size_t b = 0; b < 8; ++b) {
                mantissa_zero = mantissa_zero && st[b] == 0;
            }
            if (exponent == 0x7fff) {
                t = 2;
            } else if (exponent == 0) {
                t = mantissa_zero ? 1 : 2;
            } else {
                t = (st[7] & 0x80U) != 0 ? 0 : 2;
            }
        }
        tag |= t << (2 * phys);
    }
    return tag;
}

/// One thread's registers as the handles give them.
struct RegisterFile {
    ptrace_api::IntRegisters gp{};
    ptrace_api::FloatRegisters fp{};
    ptrace_api::EnvRegisters env{};
    std::uint64_t orig_rax = ~std::uint64_t{0};
    /// The XSAVE area when the CPU has AVX (the ymm and zmm upper parts come from it).
    std::optional<ptrace_api::XStateRegisters> xstate;
    /// Which vector features the layout has (Avx and Avx512 need `xstate`).
    Vectors vectors = Vectors::Sse;
};

namespace detail {
template <class T>
void put(std::vector<std::uint8_t>& out, std::size_t offset, const T& value) {
    std::memcpy(out.data() + offset, &value, sizeof value);
}
template <class T>
void get(const std::vector<std::uint8_t>& in, std::size_t offset, T& value) {
    std::memcpy(&value, in.data() + offset, sizeof value);
}
} // namespace detail

/// The registers laid out as the `g` packet sends them (little-endian, gdb's order).
[[nodiscard]] inline std::vector<std::uint8_t> to_gdb(const RegisterFile& r) {
    const bool avx = r.xstate.has_value() && r.vectors != Vectors::Sse;
    std::vector<std::uint8_t> out(layout_size(avx ? r.vectors : Vectors::Sse), 0);
    const auto& g = r.gp;
    const std::uint64_t gp[] = {g.rax, g.rbx, g.rcx, g.rdx, g.rsi, g.rdi, g.rbp, g.rsp, g.r8,
                                g.r9,  g.r10, g.r11, g.r12, g.r13, g.r14, g.r15, g.rip};
    std::size_t at = 0;
    for (const std::uint64_t v : gp) {
        detail::put(out, at, v);
        at += 8;
    }
    const std::uint32_t seg[] = {static_cast<std::uint32_t>(g.rflags),
                                 static_cast<std::uint32_t>(g.cs),
                                 static_cast<std::uint32_t>(g.ss),
                                 0,
                                 0,
                                 static_cast<std::uint32_t>(g.fs),
                                 0};
    for (const std::uint32_t v : seg) {
        detail::put(out, at, v);
        at += 4;
    }
    const auto& f = r.fp;
    for (std::size_t i = 0; i < 8; ++i) {
        std::memcpy(out.data() + at, f.st_space[i].data(), 10);
        at += 10;
    }
    const std::uint32_t fpu[] = {f.fcw,
                                 f.fsw,
                                 full_tag_word(f),
                                 static_cast<std::uint32_t>(f.fip >> 32U),
                                 static_cast<std::uint32_t>(f.fip),
                                 static_cast<std::uint32_t>(f.fdp >> 32U),
                                 static_cast<std::uint32_t>(f.fdp),
                                 f.fop};
    for (const std::uint32_t v : fpu) {
        detail::put(out, at, v);
        at += 4;
    }
    for (std::size_t i = 0; i < 16; ++i) {
        std::memcpy(out.data() + at, f.xmm_space[i].data(), 16);
        at += 16;
    }
    detail::put(out, at, f.mxcsr);
    at += 4;
    detail::put(out, at, r.orig_rax);
    detail::put(out, at + 8, r.env.fsbase);
    detail::put(out, at + 16, r.env.gsbase);
    at += 24;
    if (avx) {
        for (std::size_t i = 0; i < 16; ++i) {
            const auto ymm = r.xstate->ymm(i);
            if (ymm) {
                std::memcpy(out.data() + at, ymm->data() + 16, 16);
            }
            at += 16;
        }
    }
    if (avx && r.vectors == Vectors::Avx512) {
        // xmm16-31 and ymm16h-31h: the low halves of zmm16-31; k0-7; zmm0h-31h.
        for (std::size_t i = 16; i < 32; ++i) {
            if (const auto zmm = r.xstate->zmm(i)) {
                std::memcpy(out.data() + register_offset(first_xmm16 + i - 16), zmm->data(), 16);
                std::memcpy(out.data() + register_offset(first_ymm16h + i - 16), zmm->data() + 16,
                            16);
            }
        }
        for (std::size_t i = 0; i < 8; ++i) {
            const std::uint64_t k = r.xstate->k(i).value_or(0);
            detail::put(out, register_offset(first_k + i), k);
        }
        for (std::size_t i = 0; i < 32; ++i) {
            if (const auto zmm = r.xstate->zmm(i)) {
                std::memcpy(out.data() + register_offset(first_zmmh + i), zmm->data() + 32, 32);
            }
        }
    }
    return out;
}

/// Takes a `g` layout back into `r` (orig_rax, ds, es and gs are read-only here: Linux keeps
/// orig_rax, and the Redox register layout has no ds, es or gs). \returns false when the
/// layout's size is not this description's.
inline bool from_gdb(const std::vector<std::uint8_t>& in, RegisterFile& r) {
    const bool avx = r.xstate.has_value() && r.vectors != Vectors::Sse;
    if (in.size() != layout_size(avx ? r.vectors : Vectors::Sse)) {
        return false;
    }
    auto& g = r.gp;
    std::uint64_t* gp[] = {&g.rax, &g.rbx, &g.rcx, &g.rdx, &g.rsi, &g.rdi, &g.rbp, &g.rsp, &g.r8,
                           &g.r9,  &g.r10, &g.r11, &g.r12, &g.r13, &g.r14, &g.r15, &g.rip};
    std::size_t at = 0;
    for (std::uint64_t* v : gp) {
        detail::get(in, at, *v);
        at += 8;
    }
    std::uint32_t v32 = 0;
    detail::get(in, at, v32);
    g.rflags = v32;
    detail::get(in, at + 4, v32);
    g.cs = v32;
    detail::get(in, at + 8, v32);
    g.ss = v32;
    detail::get(in, at + 20, v32);
    g.fs = v32;
    at += 28;
    auto& f = r.fp;
    for (std::size_t i = 0; i < 8; ++i) {
        std::memcpy(f.st_space[i].data(), in.data() + at, 10);
        at += 10;
    }
    std::uint32_t fpu[8] = {};
    for (std::uint32_t& v : fpu) {
        detail::get(in, at, v);
        at += 4;
    }
    f.fcw = static_cast<std::uint16_t>(fpu[0]);
    f.fsw = static_cast<std::uint16_t>(fpu[1]);
    std::uint8_t abridged = 0;
    for (unsigned phys = 0; phys < 8; ++phys) {
        if (((fpu[2] >> (2 * phys)) & 3U) != 3U) {
            abridged = static_cast<std::uint8_t>(abridged | (1U << phys));
        }
    }
    f.ftw = abridged;
    f.fip = (std::uint64_t{fpu[3]} << 32U) | fpu[4];
    f.fdp = (std::uint64_t{fpu[5]} << 32U) | fpu[6];
    f.fop = static_cast<std::uint16_t>(fpu[7] & 0x7ffU);
    for (std::size_t i = 0; i < 16; ++i) {
        std::memcpy(f.xmm_space[i].data(), in.data() + at, 16);
        at += 16;
    }
    detail::get(in, at, f.mxcsr);
    at += 4 + 8; // orig_rax is not written
    detail::get(in, at, r.env.fsbase);
    detail::get(in, at + 8, r.env.gsbase);
    at += 16;
    if (avx) {
        for (std::size_t i = 0; i < 16; ++i) {
            ptrace_api::Slot256 ymm{};
            std::memcpy(ymm.data(), f.xmm_space[i].data(), 16);
            std::memcpy(ymm.data() + 16, in.data() + at, 16);
            (void)r.xstate->set_ymm(i, ymm);
            at += 16;
        }
    }
    if (avx && r.vectors == Vectors::Avx512) {
        for (std::size_t i = 0; i < 32; ++i) {
            ptrace_api::Slot512 zmm{};
            if (i < 16) {
                const auto low = r.xstate->ymm(i);
                if (low) {
                    std::memcpy(zmm.data(), low->data(), 32);
                }
            } else {
                std::memcpy(zmm.data(), in.data() + register_offset(first_xmm16 + i - 16), 16);
                std::memcpy(zmm.data() + 16, in.data() + register_offset(first_ymm16h + i - 16),
                            16);
            }
            std::memcpy(zmm.data() + 32, in.data() + register_offset(first_zmmh + i), 32);
            (void)r.xstate->set_zmm(i, zmm);
        }
        for (std::size_t i = 0; i < 8; ++i) {
            std::uint64_t k = 0;
            detail::get(in, register_offset(first_k + i), k);
            (void)r.xstate->set_k(i, k);
        }
    }
    return true;
}

} // namespace gdbserver
