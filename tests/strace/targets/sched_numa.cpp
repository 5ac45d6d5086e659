// SPDX-License-Identifier: MIT
// The scheduler's calls and the NUMA memory policy calls, each as strace decodes it:
// sched_getattr with every size the kernel answers to (48, 56, more, too little, NULL, an
// unreadable struct), sched_setattr with the flags that leave fields out (KEEP_POLICY,
// KEEP_PARAMS), a policy strace does not know, sizes 0, 20 (E2BIG: the size the kernel wants is
// written back) and 64; sched_getscheduler's result, sched_param's priority, the policies of
// sched_get_priority_*; get_mempolicy's mode and node mask, set_mempolicy's and mbind's modes with
// their flags and masks (one word, sixteen as ps asks, more than -s shows). The process only
// changes its own settings: SCHED_BATCH with nice 3, then back to SCHED_OTHER.
#include <array>
#include <cstdint>

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

/// struct sched_attr with room past its 56 bytes (size 64).
struct SchedAttr {
    std::uint32_t size;
    std::uint32_t policy;
    std::uint64_t flags;
    std::int32_t nice;
    std::uint32_t priority;
    std::uint64_t runtime;
    std::uint64_t deadline;
    std::uint64_t period;
    std::uint32_t util_min;
    std::uint32_t util_max;
    std::array<std::uint8_t, 8> newer;
};

long set_attr(std::uint32_t size, std::uint32_t policy, std::uint64_t flags,
              std::int32_t nice = 0) {
    SchedAttr a{};
    a.size = size;
    a.policy = policy;
    a.flags = flags;
    a.nice = nice;
    return ::syscall(SYS_sched_setattr, 0, &a, 0);
}

/// An address that is never mapped (the first page).
void* const unmapped = reinterpret_cast<void*>(std::uintptr_t{8});

constexpr unsigned keep_policy = 0x08;
constexpr unsigned keep_params = 0x10;
constexpr unsigned util_clamp_min = 0x20;
constexpr unsigned mpol_bind = 2;
constexpr unsigned mpol_f_static_nodes = 1U << 15;
constexpr unsigned mpol_f_relative_nodes = 1U << 14;
constexpr unsigned mpol_f_numa_balancing = 1U << 13;

} // namespace

int main() {
    // sched_getattr: what the kernel wrote, as its size says.
    SchedAttr a{};
    ::syscall(SYS_sched_getattr, 0, &a, 56, 0);
    ::syscall(SYS_sched_getattr, 0, &a, 48, 0);
    ::syscall(SYS_sched_getattr, 0, &a, sizeof a, 0);
    ::syscall(SYS_sched_getattr, 0, &a, 10, 0);       // EINVAL: the address
    ::syscall(SYS_sched_getattr, 0, unmapped, 56, 0); // EFAULT
    ::syscall(SYS_sched_getattr, 0, nullptr, 56, 0);  // EINVAL: NULL

    // sched_setattr: the fields the size and the flags make meaningful.
    set_attr(48, SCHED_BATCH, 0, 3);
    set_attr(56, SCHED_OTHER, keep_policy | util_clamp_min); // EOPNOTSUPP or EINVAL
    set_attr(56, SCHED_OTHER, keep_params);
    set_attr(56, 0xffffffff, keep_policy | keep_params); // a negative policy is shown
    set_attr(56, 7, 0x101);                              // EINVAL: unknown policy and flag
    set_attr(0, SCHED_OTHER, 0);                         // 0 stands for 48
    set_attr(64, SCHED_OTHER, 0);                        // `, ...`
    set_attr(20, SCHED_OTHER, 0);                        // E2BIG: ` => {size=56}`
    ::syscall(SYS_sched_setattr, 0, nullptr, 0);
    ::syscall(SYS_sched_setattr, 0, unmapped, 0);

    // The older calls: a policy by name (or in hex with SCHED_RESET_ON_FORK), the priority.
    ::syscall(SYS_sched_getscheduler, 0);
    sched_param param{};
    ::syscall(SYS_sched_getparam, 0, &param);
    ::syscall(SYS_sched_getparam, 0, unmapped);
    ::syscall(SYS_sched_setscheduler, 0, SCHED_BATCH | SCHED_RESET_ON_FORK, &param);
    ::syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &param);
    ::syscall(SYS_sched_setscheduler, 0, 9, &param); // EINVAL
    ::syscall(SYS_sched_setparam, 0, &param);
    ::syscall(SYS_sched_get_priority_max, SCHED_FIFO);
    ::syscall(SYS_sched_get_priority_min, SCHED_RR);
    ::syscall(SYS_sched_get_priority_min, 12); // EINVAL
    timespec quantum{};
    ::syscall(SYS_sched_rr_get_interval, 0, &quantum);

    // NUMA memory policies: modes, flags, node masks of 1, 16 and 47 words.
    std::array<unsigned long, 48> nodes{};
    nodes[0] = 1;
    int mode = -1;
    ::syscall(SYS_get_mempolicy, &mode, nodes.data(), 1025, 0, 0);
    ::syscall(SYS_get_mempolicy, &mode, nodes.data(), 64, 0, 0);
    ::syscall(SYS_get_mempolicy, &mode, nullptr, 0, 0, 4);
    ::syscall(SYS_get_mempolicy, &mode, nodes.data(), 1, 0, 3); // EFAULT or EINVAL
    ::syscall(SYS_get_mempolicy, nullptr, nullptr, 0, 0, 8);    // EINVAL: unknown flag
    nodes[0] = 1;
    ::syscall(SYS_set_mempolicy, mpol_bind | mpol_f_static_nodes, nodes.data(), 65);
    ::syscall(SYS_set_mempolicy,
              mpol_bind | mpol_f_static_nodes | mpol_f_relative_nodes | mpol_f_numa_balancing,
              nodes.data(), 65);
    ::syscall(SYS_set_mempolicy, 9 | mpol_f_static_nodes, nodes.data(), 65);
    ::syscall(SYS_set_mempolicy, 9 | (1U << 16), nodes.data(), 65);
    ::syscall(SYS_set_mempolicy, mpol_bind, nodes.data(), 1); // one bit asks for no word
    ::syscall(SYS_set_mempolicy, 5, nodes.data(), 1024);      // sixteen words, as ps asks
    ::syscall(SYS_set_mempolicy, 9, nodes.data(), 3000);      // 47 words: `, ...]`
    ::syscall(SYS_set_mempolicy, 0, nullptr, 0);
    ::syscall(SYS_mbind, 0x10000, 4096, mpol_bind, nodes.data(), 65, 3);
    ::syscall(SYS_mbind, 0x10000, 4096, 0, nullptr, 0, 0x10);
    return 0;
}
