// SPDX-License-Identifier: MIT
// NETLINK_ROUTE's routing rule messages (RTM_NEWRULE, RTM_DELRULE, RTM_GETRULE) as strace 6.1
// prints them: struct fib_rule_hdr and the FRA_ attributes. What `ip rule` asks and reads
// back.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "format.hpp"
#include "netlink_attrs.hpp"
#include "netlink_routes.hpp"
#include "sockaddr.hpp"

namespace strace_example::detail::nl {

inline constexpr std::size_t fib_rule_hdr_size = 12; // struct fib_rule_hdr

// The FRA_ names strace 6.1 knows (0 to 24).
inline constexpr std::array<FlagName, 25> fra_attrs{{
    {0, "FRA_UNSPEC"},
    {1, "FRA_DST"},
    {2, "FRA_SRC"},
    {3, "FRA_IIFNAME"},
    {4, "FRA_GOTO"},
    {5, "FRA_UNUSED2"},
    {6, "FRA_PRIORITY"},
    {7, "FRA_UNUSED3"},
    {8, "FRA_UNUSED4"},
    {9, "FRA_UNUSED5"},
    {10, "FRA_FWMARK"},
    {11, "FRA_FLOW"},
    {12, "FRA_TUN_ID"},
    {13, "FRA_SUPPRESS_IFGROUP"},
    {14, "FRA_SUPPRESS_PREFIXLEN"},
    {15, "FRA_TABLE"},
    {16, "FRA_FWMASK"},
    {17, "FRA_OIFNAME"},
    {18, "FRA_PAD"},
    {19, "FRA_L3MDEV"},
    {20, "FRA_UID_RANGE"},
    {21, "FRA_PROTOCOL"},
    {22, "FRA_IP_PROTO"},
    {23, "FRA_SPORT_RANGE"},
    {24, "FRA_DPORT_RANGE"},
}};

inline constexpr std::array<FlagName, 9> fib_rule_actions{{
    {0, "FR_ACT_UNSPEC"},
    {1, "FR_ACT_TO_TBL"},
    {2, "FR_ACT_GOTO"},
    {3, "FR_ACT_NOP"},
    {4, "FR_ACT_RES3"},
    {5, "FR_ACT_RES4"},
    {6, "FR_ACT_BLACKHOLE"},
    {7, "FR_ACT_UNREACHABLE"},
    {8, "FR_ACT_PROHIBIT"},
}};
inline constexpr std::array<FlagName, 6> fib_rule_flags{{
    {0x1, "FIB_RULE_PERMANENT"},
    {0x2, "FIB_RULE_INVERT"},
    {0x4, "FIB_RULE_UNRESOLVED"},
    {0x8, "FIB_RULE_IIF_DETACHED"},
    {0x10, "FIB_RULE_OIF_DETACHED"},
    {0x10000, "FIB_RULE_FIND_SADDR"},
}};

// The attributes strace prints as a 32-bit number: FRA_GOTO, PRIORITY, FWMARK, FLOW,
// SUPPRESS_IFGROUP, SUPPRESS_PREFIXLEN, FWMASK.
inline constexpr std::array<std::uint16_t, 7> fra_u32_attrs{4, 6, 10, 11, 13, 14, 16};

/// A pair of `T`, `{start=1, end=2}` (a range of uids or ports); the bytes when shorter.
template <typename T>
AttrValue range_value(Bytes value) {
    if (value.size() < 2 * sizeof(T)) {
        return {};
    }
    return {"{start=" + std::to_string(load<T>(value, 0)) +
            ", end=" + std::to_string(load<T>(value, sizeof(T))) + "}"};
}

/// The value of an attribute of a rule message whose struct fib_rule_hdr has `family`.
inline AttrValue fra_value(std::uint16_t type, Bytes value, std::uint8_t family,
                           std::size_t limit) {
    if (std::find(fra_u32_attrs.begin(), fra_u32_attrs.end(), type) != fra_u32_attrs.end()) {
        return number_value<std::uint32_t>(value);
    }
    switch (type) {
    case 1: // FRA_DST
    case 2: // FRA_SRC
        return {inet_text(value, family, limit)};
    case 3:  // FRA_IIFNAME
    case 17: // FRA_OIFNAME
        return {string_attr_text(value, limit)};
    case 12: { // FRA_TUN_ID, in network order
        if (value.size() < 8) {
            return {};
        }
        std::uint64_t id = 0;
        for (std::size_t i = 0; i < 8; ++i) {
            id = (id << 8U) | value[i];
        }
        return {"htobe64(" + std::to_string(id) + ")"};
    }
    case 15: // FRA_TABLE
        if (value.size() < 4) {
            return {};
        }
        return {value_name(load<std::uint32_t>(value, 0), route_tables,
                           hex(load<std::uint32_t>(value, 0)))};
    case 19: // FRA_L3MDEV
        return number_value<std::uint8_t>(value);
    case 20: // FRA_UID_RANGE
        return range_value<std::uint32_t>(value);
    case 21: // FRA_PROTOCOL
        return constant_value<std::uint8_t>(value, route_protocols, "RTPROT_");
    case 22: // FRA_IP_PROTO
        return sized_constant_value(value, ip_protocol_table, "IPPROTO_");
    case 23: // FRA_SPORT_RANGE
    case 24: // FRA_DPORT_RANGE
        return range_value<std::uint16_t>(value);
    default:
        return {};
    }
}

/// A struct fib_rule_hdr and its attributes: `{family=AF_INET, dst_len=0, src_len=0, tos=0,
/// table=RT_TABLE_MAIN, action=FR_ACT_TO_TBL, flags=0}, [...]`; `{family=AF_INET, ...}` when
/// shorter than the struct.
inline std::string fib_rule_hdr_text(Bytes payload, std::size_t limit) {
    const std::uint8_t family = payload[0];
    std::string out = "{family=" + constant(family, address_family_table, "AF_") + ", ";
    if (payload.size() < fib_rule_hdr_size) {
        return out + "...}";
    }
    out += "dst_len=" + std::to_string(payload[1]) + ", src_len=" + std::to_string(payload[2]) +
           ", tos=" + flags_or_unknown(payload[3], ip_tos, "IPTOS_TOS_") +
           ", table=" + constant(payload[4], route_tables, "RT_TABLE_") + // (with a comment here)
           ", action=" + constant(payload[7], fib_rule_actions, "FR_ACT_") + ", flags=" +
           flags_or_unknown(load<std::uint32_t>(payload, 8), fib_rule_flags, "FIB_RULE_") + "}";
    return *struct_and_attrs_text(std::move(out), payload, fib_rule_hdr_size, {fra_attrs, "FRA_"},
                                  limit, [&](std::uint16_t type, Bytes value) {
                                      return fra_value(type, value, family, limit);
                                  }); // every value decodes
}

} // namespace strace_example::detail::nl
