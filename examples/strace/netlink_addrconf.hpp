// SPDX-License-Identifier: MIT
// Two small kinds of NETLINK_ROUTE message as strace 6.1 prints them: a device's IP settings
// (RTM_NEWNETCONF, RTM_DELNETCONF, RTM_GETNETCONF: struct netconfmsg and the NETCONFA_
// attributes), as `ip netconf` reads them, and IPv6 address labels (RTM_NEWADDRLABEL,
// RTM_DELADDRLABEL, RTM_GETADDRLABEL: struct ifaddrlblmsg and the IFAL_ attributes), as
// `ip addrlabel` reads them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "format.hpp"
#include "netlink_attrs.hpp"
#include "sockaddr.hpp"

namespace strace_example::detail::nl {

inline constexpr std::array<FlagName, 9> netconfa_attrs{{
    {0, "NETCONFA_UNSPEC"},
    {1, "NETCONFA_IFINDEX"},
    {2, "NETCONFA_FORWARDING"},
    {3, "NETCONFA_RP_FILTER"},
    {4, "NETCONFA_MC_FORWARDING"},
    {5, "NETCONFA_PROXY_NEIGH"},
    {6, "NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN"},
    {7, "NETCONFA_INPUT"},
    {8, "NETCONFA_BC_FORWARDING"},
}};

// strace 6.1 has no name for IFAL_UNSPEC: `0 /* IFAL_??? */`.
inline constexpr std::array<FlagName, 2> ifal_attrs{{
    {1, "IFAL_ADDRESS"},
    {2, "IFAL_LABEL"},
}};

/// A struct netconfmsg (one byte, its family) and its attributes, which start at the next
/// 4-byte boundary: `{ncm_family=AF_INET}, [[{nla_len=8, nla_type=NETCONFA_IFINDEX},
/// if_nametoindex("lo")], ...]`.
inline std::string netconfmsg_text(Bytes payload, std::size_t limit) {
    std::string out = "{ncm_family=" + constant(payload[0], address_family_table, "AF_") + "}";
    constexpr std::size_t attrs_at = 4; // NLMSG_ALIGN(sizeof(struct netconfmsg))
    return *struct_and_attrs_text(
        std::move(out), payload, attrs_at, {netconfa_attrs, "NETCONFA_"}, limit,
        [](std::uint16_t type, Bytes value) {
            if (type == 1) { // NETCONFA_IFINDEX
                return value.size() < 4 ? AttrValue{}
                                        : AttrValue{ifindex_text(load<std::uint32_t>(value, 0))};
            }
            return type >= 2 && type <= 8 ? number_value<std::int32_t>(value) : AttrValue{};
        }); // every value decodes
}

/// A struct ifaddrlblmsg and its attributes: `{ifal_family=AF_INET6, ifal_prefixlen=128,
/// ifal_flags=0, ifal_index=0, ifal_seq=10}, [[{nla_len=20, nla_type=IFAL_ADDRESS},
/// inet_pton(AF_INET6, "::1")], [{nla_len=8, nla_type=IFAL_LABEL}, 0]]`; `{ifal_family=AF_INET6,
/// ...}` when shorter than the struct.
inline std::string ifaddrlblmsg_text(Bytes payload, std::size_t limit) {
    const std::uint8_t family = payload[0];
    std::string out = "{ifal_family=" + constant(family, address_family_table, "AF_") + ", ";
    constexpr std::size_t size = 12; // struct ifaddrlblmsg
    if (payload.size() < size) {
        return out + "...}";
    }
    out += "ifal_prefixlen=" + std::to_string(payload[2]) +
           ", ifal_flags=" + std::to_string(payload[3]) +
           ", ifal_index=" + ifindex_text(load<std::uint32_t>(payload, 4)) +
           ", ifal_seq=" + std::to_string(load<std::uint32_t>(payload, 8)) + "}";
    return *struct_and_attrs_text(std::move(out), payload, size, {ifal_attrs, "IFAL_"}, limit,
                                  [&](std::uint16_t type, Bytes value) {
                                      return type == 1 ? AttrValue{inet_text(value, family, limit)}
                                             : type == 2 ? number_value<std::uint32_t>(value)
                                                         : AttrValue{};
                                  }); // every value decodes
}

} // namespace strace_example::detail::nl
