// SPDX-License-Identifier: MIT
// A tracee for the regs/xstate tests (issue 13): loads known values into the vector registers,
// stops at an int3 while they are live, then stores the registers (as the tracer may have
// rewritten them) and stops at a second int3 with the address of the stored copy in rdi.
//
//   xstate avx      ymm0-15: byte j of ymm i is i * 32 + j + 1 (512 bytes stored)
//   xstate avx512   zmm0-31: byte j of zmm i is i * 64 + j + 1 (mod 256); k0-7 = 0x0101...01
//                   times (i + 1) (2048 + 64 bytes stored)
//
// Exits 0 after the second stop; 3 with "skip: REASON" on stdout when the CPU (or the kernel,
// through XCR0) lacks the feature. Only functions compiled for AVX/AVX-512 touch those
// registers, and they run only after the check.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace {

alignas(64) std::uint8_t g_in[2048 + 64];
alignas(64) std::uint8_t g_out[2048 + 64];

/// XCR0 from xgetbv: what the kernel enabled (CPUID flags alone do not say that).
std::uint64_t xcr0() {
    std::uint32_t lo = 0;
    std::uint32_t hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (std::uint64_t{hi} << 32) | lo;
}

__attribute__((target("avx"))) void avx_round() {
    __asm__ volatile("vmovdqu 0(%0), %%ymm0\n\t"
                     "vmovdqu 32(%0), %%ymm1\n\t"
                     "vmovdqu 64(%0), %%ymm2\n\t"
                     "vmovdqu 96(%0), %%ymm3\n\t"
                     "vmovdqu 128(%0), %%ymm4\n\t"
                     "vmovdqu 160(%0), %%ymm5\n\t"
                     "vmovdqu 192(%0), %%ymm6\n\t"
                     "vmovdqu 224(%0), %%ymm7\n\t"
                     "vmovdqu 256(%0), %%ymm8\n\t"
                     "vmovdqu 288(%0), %%ymm9\n\t"
                     "vmovdqu 320(%0), %%ymm10\n\t"
                     "vmovdqu 352(%0), %%ymm11\n\t"
                     "vmovdqu 384(%0), %%ymm12\n\t"
                     "vmovdqu 416(%0), %%ymm13\n\t"
                     "vmovdqu 448(%0), %%ymm14\n\t"
                     "vmovdqu 480(%0), %%ymm15\n\t"
                     "int3\n\t"
                     "vmovdqu %%ymm0, 0(%1)\n\t"
                     "vmovdqu %%ymm1, 32(%1)\n\t"
                     "vmovdqu %%ymm2, 64(%1)\n\t"
                     "vmovdqu %%ymm3, 96(%1)\n\t"
                     "vmovdqu %%ymm4, 128(%1)\n\t"
                     "vmovdqu %%ymm5, 160(%1)\n\t"
                     "vmovdqu %%ymm6, 192(%1)\n\t"
                     "vmovdqu %%ymm7, 224(%1)\n\t"
                     "vmovdqu %%ymm8, 256(%1)\n\t"
                     "vmovdqu %%ymm9, 288(%1)\n\t"
                     "vmovdqu %%ymm10, 320(%1)\n\t"
                     "vmovdqu %%ymm11, 352(%1)\n\t"
                     "vmovdqu %%ymm12, 384(%1)\n\t"
                     "vmovdqu %%ymm13, 416(%1)\n\t"
                     "vmovdqu %%ymm14, 448(%1)\n\t"
                     "vmovdqu %%ymm15, 480(%1)\n\t"
                     "vzeroupper\n\t"
                     "int3\n\t"
                     :
                     : "S"(g_in), "D"(g_out)
                     : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

// zmm i from/to 64 * i, then k0-7 from/to 2048 + 8 * i.
#define ZMM_IN(i) "vmovdqu64 " #i "*64(%0), %%zmm" #i "\n\t"
#define ZMM_OUT(i) "vmovdqu64 %%zmm" #i ", " #i "*64(%1)\n\t"
#define K_IN(i) "kmovq 2048+" #i "*8(%0), %%k" #i "\n\t"
#define K_OUT(i) "kmovq %%k" #i ", 2048+" #i "*8(%1)\n\t"

#define ZMM_IN4(a, b, c, d) ZMM_IN(a) ZMM_IN(b) ZMM_IN(c) ZMM_IN(d)
#define ZMM_OUT4(a, b, c, d) ZMM_OUT(a) ZMM_OUT(b) ZMM_OUT(c) ZMM_OUT(d)
#define AVX512_LOAD                                                                                \
    ZMM_IN4(0, 1, 2, 3)                                                                            \
    ZMM_IN4(4, 5, 6, 7)                                                                            \
    ZMM_IN4(8, 9, 10, 11)                                                                          \
    ZMM_IN4(12, 13, 14, 15)                                                                        \
    ZMM_IN4(16, 17, 18, 19)                                                                        \
    ZMM_IN4(20, 21, 22, 23)                                                                        \
    ZMM_IN4(24, 25, 26, 27)                                                                        \
    ZMM_IN4(28, 29, 30, 31)                                                                        \
    K_IN(0) K_IN(1) K_IN(2) K_IN(3) K_IN(4) K_IN(5) K_IN(6) K_IN(7)
#define AVX512_STORE                                                                               \
    ZMM_OUT4(0, 1, 2, 3)                                                                           \
    ZMM_OUT4(4, 5, 6, 7)                                                                           \
    ZMM_OUT4(8, 9, 10, 11)                                                                         \
    ZMM_OUT4(12, 13, 14, 15)                                                                       \
    ZMM_OUT4(16, 17, 18, 19)                                                                       \
    ZMM_OUT4(20, 21, 22, 23)                                                                       \
    ZMM_OUT4(24, 25, 26, 27)                                                                       \
    ZMM_OUT4(28, 29, 30, 31)                                                                       \
    K_OUT(0) K_OUT(1) K_OUT(2) K_OUT(3) K_OUT(4) K_OUT(5) K_OUT(6) K_OUT(7)

__attribute__((target("avx512f,avx512bw"))) void avx512_round() {
    __asm__ volatile(AVX512_LOAD "int3\n\t" AVX512_STORE "vzeroupper\n\tint3\n\t"
                     :
                     : "S"(g_in), "D"(g_out)
                     : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
                       "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23",
                       "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31", "k0",
                       "k1", "k2", "k3", "k4", "k5", "k6", "k7");
}

int skip(const char* reason) {
    std::printf("skip: %s\n", reason);
    std::fflush(stdout);
    return 3;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fputs("usage: xstate avx|avx512\n", stderr);
        return 2;
    }
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx") || (xcr0() & 0x6) != 0x6) {
        return skip("the CPU has no AVX, or the kernel did not enable it in XCR0");
    }
    if (std::strcmp(argv[1], "avx") == 0) {
        for (std::size_t i = 0; i < 512; ++i) {
            g_in[i] = static_cast<std::uint8_t>(i + 1);
        }
        avx_round();
        return 0;
    }
    if (std::strcmp(argv[1], "avx512") == 0) {
        if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw") ||
            (xcr0() & 0xe0) != 0xe0) {
            return skip("the CPU has no AVX-512F and AVX-512BW (64-bit opmask moves), or the "
                        "kernel did not enable the opmask and zmm state in XCR0");
        }
        for (std::size_t i = 0; i < 2048; ++i) {
            g_in[i] = static_cast<std::uint8_t>(i + 1);
        }
        for (std::size_t i = 0; i < 8; ++i) {
            const std::uint64_t k = 0x0101'0101'0101'0101ULL * (i + 1);
            std::memcpy(g_in + 2048 + 8 * i, &k, sizeof k);
        }
        avx512_round();
        return 0;
    }
    std::fputs("usage: xstate avx|avx512\n", stderr);
    return 2;
}
