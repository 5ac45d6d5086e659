// SPDX-License-Identifier: MIT
// Register sets: Redox layouts checked against Linux's structs, reflected names and lookup.
#include <ptrace/bytes.hpp>
#include <ptrace/regs.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <sstream>
#include <string>

#include <sys/user.h>

using namespace ptrace_api;

TEST_SUITE("regs") {

    TEST_CASE("IntRegisters matches user_regs_struct up to rdi, then skips orig_rax (spec 1.3)") {
        CHECK(offsetof(IntRegisters, r15) == offsetof(user_regs_struct, r15));
        CHECK(offsetof(IntRegisters, rbp) == offsetof(user_regs_struct, rbp));
        CHECK(offsetof(IntRegisters, r8) == offsetof(user_regs_struct, r8));
        CHECK(offsetof(IntRegisters, rax) == offsetof(user_regs_struct, rax));
        CHECK(offsetof(IntRegisters, rdi) == offsetof(user_regs_struct, rdi));
        CHECK(offsetof(user_regs_struct, orig_rax) == 120);
        CHECK(offsetof(IntRegisters, rip) + 8 == offsetof(user_regs_struct, rip));
        CHECK(offsetof(IntRegisters, rflags) + 8 == offsetof(user_regs_struct, eflags));
        CHECK(offsetof(IntRegisters, ss) + 8 == offsetof(user_regs_struct, ss));
        CHECK(sizeof(IntRegisters) == 168);
    }

    TEST_CASE("FloatRegisters is the first 416 bytes of user_fpregs_struct") {
        CHECK(sizeof(user_fpregs_struct) == 512);
        CHECK(offsetof(FloatRegisters, fcw) == offsetof(user_fpregs_struct, cwd));
        CHECK(offsetof(FloatRegisters, fsw) == offsetof(user_fpregs_struct, swd));
        CHECK(offsetof(FloatRegisters, ftw) == offsetof(user_fpregs_struct, ftw));
        CHECK(offsetof(FloatRegisters, fop) == offsetof(user_fpregs_struct, fop));
        CHECK(offsetof(FloatRegisters, fip) == offsetof(user_fpregs_struct, rip));
        CHECK(offsetof(FloatRegisters, fdp) == offsetof(user_fpregs_struct, rdp));
        CHECK(offsetof(FloatRegisters, mxcsr) == offsetof(user_fpregs_struct, mxcsr));
        CHECK(offsetof(FloatRegisters, mxcsr_mask) == offsetof(user_fpregs_struct, mxcr_mask));
        CHECK(offsetof(FloatRegisters, st_space) == offsetof(user_fpregs_struct, st_space));
        CHECK(offsetof(FloatRegisters, xmm_space) == offsetof(user_fpregs_struct, xmm_space));
        CHECK(offsetof(FloatRegisters, xmm_space) + sizeof(XmmSlots) == 416);
    }

    TEST_CASE("EnvRegisters holds fs_base and gs_base") {
        CHECK(sizeof(EnvRegisters) == 16);
        CHECK(offsetof(user_regs_struct, gs_base) - offsetof(user_regs_struct, fs_base) ==
              offsetof(EnvRegisters, gsbase) - offsetof(EnvRegisters, fsbase));
    }

    TEST_CASE("Debug text names every field in declaration order") {
        IntRegisters regs{};
        regs.rip = 0x401000;
        regs.rax = 60;
        std::ostringstream out;
        out << regs;
        CHECK(out.str() == "IntRegisters { r15: 0, r14: 0, r13: 0, r12: 0, rbp: 0, rbx: 0, r11: 0, "
                           "r10: 0, r9: 0, r8: 0, rax: 60, rcx: 0, rdx: 0, rsi: 0, rdi: 0, "
                           "rip: 4198400, cs: 0, rflags: 0, rsp: 0, ss: 0, fs: 0 }");
        CHECK(to_string(EnvRegisters{1, 2}) == "EnvRegisters { fsbase: 1, gsbase: 2 }");

        FloatRegisters fp{};
        fp.fcw = 0x37f;
        fp.mxcsr = 0x1f80;
        fp.st_space[1][0] = 0xff;
        fp.xmm_space[0][15] = 0x01; // bit 120 of the little-endian u128
        fp.xmm_space[15] = Slot128{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        const std::string text = to_string(fp);
        CHECK(
            text.starts_with("FloatRegisters { fcw: 895, fsw: 0, ftw: 0, reserved: 0, fop: 0, "
                             "fip: 0, fdp: 0, mxcsr: 8064, mxcsr_mask: 0, st_space: [0, 255, 0,"));
        CHECK(text.find("xmm_space: [1329227995784915872903807060280344576, 0,") !=
              std::string::npos);
        CHECK(text.ends_with(", 340282366920938463463374607431768211455] }"));
    }

    TEST_CASE("fields are found by name") {
        IntRegisters regs{};
        CHECK(set_field(regs, "rdi", 42));
        CHECK(regs.rdi == 42);
        CHECK(get_field(regs, "rdi") == 42);
        CHECK(get_field(regs, "orig_rax") == std::nullopt);
        CHECK_FALSE(set_field(regs, "eflags", 1));
        CHECK(get_field(regs, "") == std::nullopt);

        FloatRegisters fp{};
        CHECK(set_field(fp, "mxcsr", 0x1f80));
        CHECK(fp.mxcsr == 0x1f80);
        CHECK_FALSE(set_field(fp, "fcw", 0x10000)); // does not fit 16 bits: no change
        CHECK(fp.fcw == 0);
        CHECK(set_field(fp, "fcw", 0xffff));
        CHECK(get_field(fp, "xmm_space") == std::nullopt); // not an integer
        const auto xmm = field_bytes(fp, "xmm_space");
        REQUIRE(xmm.has_value());
        CHECK(xmm->size() == 256);
        CHECK(field_bytes(fp, "ymm") == std::nullopt);

        EnvRegisters env{};
        CHECK(set_field(env, "gsbase", 7));
        CHECK(env.gsbase == 7);
    }

    TEST_CASE("byte views cover the whole layout") {
        IntRegisters regs{};
        regs.r15 = 0x0102030405060708;
        const auto bytes = as_bytes(regs);
        CHECK(bytes.size() == 168);
        CHECK(bytes[0] == std::byte{0x08});
        CHECK(from_bytes<IntRegisters>(bytes) == regs);
        CHECK(as_bytes(FloatRegisters{}).size() == 416);
        CHECK(as_bytes(EnvRegisters{}).size() == 16);
    }

} // TEST_SUITE
