// SPDX-License-Identifier: MIT
// NETLINK_ROUTE's neighbour messages (RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH) as strace 6.1
// prints them: struct ndmsg and the NDA_ attributes. What `ip neigh` asks and reads back. Not
// decoded here, where strace decodes it: NDA_FDB_EXT_ATTRS (a bridge's forwarding entries): a
// message holding one is left to the caller (nullopt), which prints the buffer as bytes.
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

inline constexpr std::size_t ndmsg_size = 12; // struct ndmsg

// The NDA_ names strace 6.1 knows (0 to 17).
inline constexpr std::array<FlagName, 18> nda_attrs{{
    {0, "NDA_UNSPEC"},
    {1, "NDA_DST"},
    {2, "NDA_LLADDR"},
    {3, "NDA_CACHEINFO"},
    {4, "NDA_PROBES"},
    {5, "NDA_VLAN"},
    {6, "NDA_PORT"},
    {7, "NDA_VNI"},
    {8, "NDA_IFINDEX"},
    {9, "NDA_MASTER"},
    {10, "NDA_LINK_NETNSID"},
    {11, "NDA_SRC_VNI"},
    {12, "NDA_PROTOCOL"},
    {13, "NDA_NH_ID"},
    {14, "NDA_FDB_EXT_ATTRS"},
    {15, "NDA_FLAGS_EXT"},
    {16, "NDA_NDM_STATE_MASK"},
    {17, "NDA_NDM_FLAGS_MASK"},
}};

// Neighbour states (NUD_; 0 is NUD_NONE) and flags (NTF_).
inline constexpr std::array<FlagName, 8> nud_states{{
    {0x01, "NUD_INCOMPLETE"},
    {0x02, "NUD_REACHABLE"},
    {0x04, "NUD_STALE"},
    {0x08, "NUD_DELAY"},
    {0x10, "NUD_PROBE"},
    {0x20, "NUD_FAILED"},
    {0x40, "NUD_NOARP"},
    {0x80, "NUD_PERMANENT"},
}};
inline constexpr std::array<FlagName, 8> ntf_flags{{
    {0x01, "NTF_USE"},
    {0x02, "NTF_SELF"},
    {0x04, "NTF_MASTER"},
    {0x08, "NTF_PROXY"},
    {0x10, "NTF_EXT_LEARNED"},
    {0x20, "NTF_OFFLOADED"},
    {0x40, "NTF_STICKY"},
    {0x80, "NTF_ROUTER"},
}};
inline constexpr std::array<FlagName, 1> ntf_ext_flags{{
    {0x01, "NTF_EXT_MANAGED"},
}};

// The attributes strace prints as a 32-bit number: NDA_PROBES, VNI, LINK_NETNSID, SRC_VNI,
// NH_ID.
inline constexpr std::array<std::uint16_t, 5> nda_u32_attrs{4, 7, 10, 11, 13};

/// A neighbour's state: `NUD_REACHABLE`, `NUD_NONE` for 0.
inline std::string nud_state_text(std::uint64_t state) {
    return state == 0 ? std::string("NUD_NONE") : flags_or_unknown(state, nud_states, "NUD_");
}

/// The value of an attribute of a neighbour message whose struct ndmsg has `family`.
inline AttrValue nda_value(std::uint16_t type, Bytes value, std::uint8_t family,
                           std::size_t limit) {
    if (std::find(nda_u32_attrs.begin(), nda_u32_attrs.end(), type) != nda_u32_attrs.end()) {
        return number_value<std::uint32_t>(value);
    }
    switch (type) {
    case 1: // NDA_DST
        return {inet_text(value, family, limit)};
    case 2: // NDA_LLADDR: every byte, whatever the family
        return hwaddr_value(value, any_hardware_type, limit);
    case 3: // NDA_CACHEINFO: struct nda_cacheinfo
        if (value.size() < 16) {
            return {};
        }
        return {"{ndm_confirmed=" + std::to_string(load<std::uint32_t>(value, 0)) +
                ", ndm_used=" + std::to_string(load<std::uint32_t>(value, 4)) +
                ", ndm_updated=" + std::to_string(load<std::uint32_t>(value, 8)) +
                ", ndm_refcnt=" + std::to_string(load<std::uint32_t>(value, 12)) + "}"};
    case 5: // NDA_VLAN
        return number_value<std::uint16_t>(value);
    case 6: // NDA_PORT, in network order
        if (value.size() < 2) {
            return {};
        }
        return {"htons(" + std::to_string(net16(value, 0)) + ")"};
    case 8: // NDA_IFINDEX
    case 9: // NDA_MASTER
        if (value.size() < 4) {
            return {};
        }
        return {ifindex_text(load<std::uint32_t>(value, 0))};
    case 12: // NDA_PROTOCOL
        return sized_constant_value(value, ip_protocol_table, "IPPROTO_");
    case 14: // NDA_FDB_EXT_ATTRS
        return undecoded_value();
    case 15: // NDA_FLAGS_EXT
        return flags32_value(value, ntf_ext_flags, "NTF_EXT_");
    case 16: // NDA_NDM_STATE_MASK
        if (value.size() < 2) {
            return {};
        }
        return {nud_state_text(load<std::uint16_t>(value, 0))};
    case 17: // NDA_NDM_FLAGS_MASK
        return {flags_or_unknown(value[0], ntf_flags, "NTF_")};
    default:
        return {};
    }
}

/// A struct ndmsg and its attributes: `{ndm_family=AF_INET, ndm_ifindex=if_nametoindex("eth0"),
/// ndm_state=NUD_REACHABLE, ndm_flags=0, ndm_type=RTN_UNICAST}, [...]`;
/// `{ndm_family=AF_INET, ...}` when shorter than the struct; nullopt when an attribute is one
/// this example does not decode.
inline std::optional<std::string> ndmsg_text(Bytes payload, std::size_t limit) {
    const std::uint8_t family = payload[0];
    std::string out = "{ndm_family=" + constant(family, address_family_table, "AF_") + ", ";
    if (payload.size() < ndmsg_size) {
        return out + "...}";
    }
    out += "ndm_ifindex=" + ifindex_text(load<std::uint32_t>(payload, 4)) +
           ", ndm_state=" + nud_state_text(load<std::uint16_t>(payload, 8)) +
           ", ndm_flags=" + flags_or_unknown(payload[10], ntf_flags, "NTF_") +
           ", ndm_type=" + constant(payload[11], rtn_types, "RTN_") + "}";
    return struct_and_attrs_text(
        std::move(out), payload, ndmsg_size, {nda_attrs, "NDA_"}, limit,
        [&](std::uint16_t type, Bytes value) { return nda_value(type, value, family, limit); });
}

} // namespace strace_example::detail::nl
