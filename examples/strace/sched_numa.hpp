// SPDX-License-Identifier: MIT
// The scheduler's calls and the NUMA memory policy calls as strace 6.1 prints them: policies by
// name, struct sched_attr (sched_getattr, sched_setattr: the fields its size and flags make
// meaningful), sched_param's priority (`[5]`), memory policy modes with their flags, and node
// masks as arrays of words (`[0x00000000000001, 0000000000000000]`). chrt reads sched_attr;
// every procps tool (ps, top) asks get_mempolicy and set_mempolicy at start-up.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "format.hpp"
#include "structs.hpp"

namespace strace_example {

namespace detail {

inline constexpr std::array<FlagName, 7> sched_policy_table{{
    {0, "SCHED_OTHER"},
    {1, "SCHED_FIFO"},
    {2, "SCHED_RR"},
    {3, "SCHED_BATCH"},
    {4, "SCHED_ISO"},
    {5, "SCHED_IDLE"},
    {6, "SCHED_DEADLINE"},
}};

inline constexpr std::uint64_t sched_flag_keep_policy = 0x08;
inline constexpr std::uint64_t sched_flag_keep_params = 0x10;

inline constexpr std::array<FlagName, 7> sched_flag_table{{
    {0x01, "SCHED_FLAG_RESET_ON_FORK"},
    {0x02, "SCHED_FLAG_RECLAIM"},
    {0x04, "SCHED_FLAG_DL_OVERRUN"},
    {sched_flag_keep_policy, "SCHED_FLAG_KEEP_POLICY"},
    {sched_flag_keep_params, "SCHED_FLAG_KEEP_PARAMS"},
    {0x20, "SCHED_FLAG_UTIL_CLAMP_MIN"},
    {0x40, "SCHED_FLAG_UTIL_CLAMP_MAX"},
}};

/// struct sched_attr as strace 6.1 knows it (SCHED_ATTR_SIZE_VER1: 56 bytes; VER0 is 48).
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
};
inline constexpr std::uint32_t sched_attr_size_ver0 = 48;
static_assert(sizeof(SchedAttr) == 56);

/// The fields of `a` strace prints, `size` bytes of it known: for sched_setattr (`set`) the
/// policy only without SCHED_FLAG_KEEP_POLICY and KEEP_PARAMS (or when it is negative) and the
/// parameters only without KEEP_PARAMS; for sched_getattr all of them; the utilization clamps
/// whenever the size holds them. `more`: the struct is longer than strace's (`, ...`).
inline std::string sched_attr_text(const SchedAttr& a, std::uint32_t size, bool set, bool more) {
    std::string out = "{size=" + std::to_string(a.size);
    if (size >= sched_attr_size_ver0) {
        const bool keep_policy = (a.flags & (sched_flag_keep_policy | sched_flag_keep_params)) != 0;
        if (!set || static_cast<std::int32_t>(a.policy) < 0 || !keep_policy) {
            out += ", sched_policy=" + constant(a.policy, sched_policy_table, "SCHED_");
        }
        out += ", sched_flags=" + flags_or_unknown(a.flags, sched_flag_table, "SCHED_FLAG_");
        if (!set || (a.flags & sched_flag_keep_params) == 0) {
            out += ", sched_nice=" + std::to_string(a.nice) +
                   ", sched_priority=" + std::to_string(a.priority) +
                   ", sched_runtime=" + std::to_string(a.runtime) +
                   ", sched_deadline=" + std::to_string(a.deadline) +
                   ", sched_period=" + std::to_string(a.period);
        }
        if (size >= sizeof(SchedAttr)) {
            out += ", sched_util_min=" + std::to_string(a.util_min) +
                   ", sched_util_max=" + std::to_string(a.util_max);
        }
    }
    return out + (more ? ", ...}" : "}");
}

inline constexpr std::array<FlagName, 6> mpol_mode_table{{
    {0, "MPOL_DEFAULT"},
    {1, "MPOL_PREFERRED"},
    {2, "MPOL_BIND"},
    {3, "MPOL_INTERLEAVE"},
    {4, "MPOL_LOCAL"},
    {5, "MPOL_PREFERRED_MANY"},
}};

// The mode's flags, in strace's order (by value, highest first).
inline constexpr std::array<FlagName, 3> mpol_mode_flag_table{{
    {1U << 15, "MPOL_F_STATIC_NODES"},
    {1U << 14, "MPOL_F_RELATIVE_NODES"},
    {1U << 13, "MPOL_F_NUMA_BALANCING"},
}};
inline constexpr std::uint64_t mpol_mode_flags = (1U << 15) | (1U << 14) | (1U << 13);

inline constexpr std::array<FlagName, 3> get_mempolicy_flag_table{{
    {1, "MPOL_F_NODE"},
    {2, "MPOL_F_ADDR"},
    {4, "MPOL_F_MEMS_ALLOWED"},
}};

inline constexpr std::array<FlagName, 3> mbind_flag_table{{
    {1, "MPOL_MF_STRICT"},
    {2, "MPOL_MF_MOVE"},
    {4, "MPOL_MF_MOVE_ALL"},
}};

/// One word of a node mask as strace prints it (`%#016lx`): `0000000000000000` for 0, else
/// `0x` and the digits padded to 16 characters in all (`0x00000000000001`).
inline std::string node_word(std::uint64_t word) {
    if (word == 0) {
        return std::string(16, '0');
    }
    std::string digits = hex(word).substr(2);
    if (digits.size() < 14) {
        digits.insert(0, 14 - digits.size(), '0');
    }
    return "0x" + digits;
}

} // namespace detail

/// A scheduling policy: `SCHED_FIFO`, or `0x40000003 /* SCHED_??? */` (strace 6.1 does not
/// split off SCHED_RESET_ON_FORK).
inline std::string sched_policy_text(std::uint64_t policy) {
    return constant(policy, detail::sched_policy_table, "SCHED_");
}

/// sched_setattr's struct at entry: the size the caller gives (0 stands for 48), then the
/// fields that size holds; `{size=20}` below 48. NULL or the address when unreadable.
inline std::string sched_setattr_entry(const ReadMemory& read, std::uint64_t addr) {
    detail::SchedAttr a{};
    if (!read_struct(read, addr, a.size)) {
        return pointer(addr);
    }
    const std::uint32_t given = a.size == 0 ? detail::sched_attr_size_ver0 : a.size;
    const auto size = static_cast<std::uint32_t>(std::min<std::size_t>(given, sizeof a));
    if (size >= detail::sched_attr_size_ver0 &&
        !read(addr, std::as_writable_bytes(std::span(&a, 1)).first(size))) {
        return pointer(addr);
    }
    return detail::sched_attr_text(a, size, true, given > size);
}

/// sched_getattr's struct at exit: `usize` bytes at most were asked for; the fields follow
/// the size the kernel wrote into it.
inline std::string sched_getattr_exit(const ReadMemory& read, std::uint64_t addr,
                                      std::uint64_t usize) {
    detail::SchedAttr a{};
    const auto size = static_cast<std::size_t>(std::min<std::uint64_t>(usize, sizeof a));
    if (size < sizeof a.size || !read(addr, std::as_writable_bytes(std::span(&a, 1)).first(size))) {
        return pointer(addr);
    }
    return detail::sched_attr_text(a, a.size, false, false);
}

/// A memory policy mode with its flags: `MPOL_BIND|MPOL_F_STATIC_NODES`; an unknown mode
/// with flags as a flag word (`MPOL_F_STATIC_NODES|0x9`), without as `0x9 /* MPOL_??? */`.
inline std::string mempolicy_mode_text(std::uint64_t value) {
    const std::uint64_t flags = value & detail::mpol_mode_flags;
    const std::uint64_t mode = value & ~detail::mpol_mode_flags;
    if (flags == 0) {
        return constant(mode, detail::mpol_mode_table, "MPOL_");
    }
    const std::string name = value_name(mode, detail::mpol_mode_table, "");
    if (name.empty()) {
        return flag_names(value, detail::mpol_mode_flag_table);
    }
    return name + "|" + flag_names(flags, detail::mpol_mode_flag_table);
}

/// A node mask of `maxnode` bits at `addr`: (maxnode + 62) / 64 words, at most `limit` of
/// them and `...`; NULL; the address when `maxnode` asks for no word or the words cannot all
/// be read (strace would show those before the first unreadable one).
inline std::string nodemask_at(const ReadMemory& read, std::uint64_t addr, std::uint64_t maxnode,
                               std::size_t limit) {
    const std::uint64_t words = (maxnode + 62) / 64;
    if (addr == 0) {
        return "NULL";
    }
    if (words < maxnode / 64 || (maxnode != 0 && words == 0)) {
        return hex(addr); // the sum wrapped around, or one bit asks for no word
    }
    const auto shown = static_cast<std::size_t>(std::min<std::uint64_t>(words, limit));
    std::vector<std::uint64_t> mask(shown);
    if (!mask.empty() && !read(addr, std::as_writable_bytes(std::span(mask)))) {
        return hex(addr);
    }
    std::vector<std::string> items;
    for (const std::uint64_t word : mask) {
        items.push_back(detail::node_word(word));
    }
    return array_text(items, words > shown);
}

/// get_mempolicy's mode, written by the kernel: `[MPOL_DEFAULT]`.
inline std::string mempolicy_mode_at(const ReadMemory& read, std::uint64_t addr) {
    return written_at<std::int32_t>(read, addr, [](std::int32_t mode) {
        return constant(static_cast<std::uint32_t>(mode), detail::mpol_mode_table, "MPOL_");
    });
}

} // namespace strace_example
