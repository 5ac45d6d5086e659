// SPDX-License-Identifier: MIT
// NETLINK_ROUTE's route messages (RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE) as strace 6.1
// prints them: struct rtmsg and the RTA_ attributes, with the metrics (RTAX_) and the next
// hops of a multipath route (struct rtnexthop and its own attributes). What `ip route` asks and
// reads back. Not decoded here: a list of next hops whose last one is cut short or claims fewer
// bytes than its struct (strace reads past it, into whatever the tracee's memory holds there):
// the message is left to the caller (nullopt), which prints the buffer as bytes.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "format.hpp"
#include "netlink_attrs.hpp"
#include "sockaddr.hpp"

namespace strace_example::detail::nl {

inline constexpr std::size_t rtmsg_size = 12; // struct rtmsg

// The RTA_ names strace 6.1 knows (0 to 30).
inline constexpr std::array<FlagName, 31> rta_attrs{{
    {0, "RTA_UNSPEC"},      {1, "RTA_DST"},        {2, "RTA_SRC"},
    {3, "RTA_IIF"},         {4, "RTA_OIF"},        {5, "RTA_GATEWAY"},
    {6, "RTA_PRIORITY"},    {7, "RTA_PREFSRC"},    {8, "RTA_METRICS"},
    {9, "RTA_MULTIPATH"},   {10, "RTA_PROTOINFO"}, {11, "RTA_FLOW"},
    {12, "RTA_CACHEINFO"},  {13, "RTA_SESSION"},   {14, "RTA_MP_ALGO"},
    {15, "RTA_TABLE"},      {16, "RTA_MARK"},      {17, "RTA_MFC_STATS"},
    {18, "RTA_VIA"},        {19, "RTA_NEWDST"},    {20, "RTA_PREF"},
    {21, "RTA_ENCAP_TYPE"}, {22, "RTA_ENCAP"},     {23, "RTA_EXPIRES"},
    {24, "RTA_PAD"},        {25, "RTA_UID"},       {26, "RTA_TTL_PROPAGATE"},
    {27, "RTA_IP_PROTO"},   {28, "RTA_SPORT"},     {29, "RTA_DPORT"},
    {30, "RTA_NH_ID"},
}};

// Route scopes (RT_SCOPE_; the others in hex, without a comment), of routes and addresses.
inline constexpr std::array<FlagName, 5> scopes{{
    {0, "RT_SCOPE_UNIVERSE"},
    {200, "RT_SCOPE_SITE"},
    {253, "RT_SCOPE_LINK"},
    {254, "RT_SCOPE_HOST"},
    {255, "RT_SCOPE_NOWHERE"},
}};

// Routing tables by number (the others in hex, without a comment).
inline constexpr std::array<FlagName, 5> route_tables{{
    {0, "RT_TABLE_UNSPEC"},
    {252, "RT_TABLE_COMPAT"},
    {253, "RT_TABLE_DEFAULT"},
    {254, "RT_TABLE_MAIN"},
    {255, "RT_TABLE_LOCAL"},
}};

inline constexpr std::array<FlagName, 23> route_protocols{{
    {0, "RTPROT_UNSPEC"},      {1, "RTPROT_REDIRECT"},  {2, "RTPROT_KERNEL"},
    {3, "RTPROT_BOOT"},        {4, "RTPROT_STATIC"},    {8, "RTPROT_GATED"},
    {9, "RTPROT_RA"},          {10, "RTPROT_MRT"},      {11, "RTPROT_ZEBRA"},
    {12, "RTPROT_BIRD"},       {13, "RTPROT_DNROUTED"}, {14, "RTPROT_XORP"},
    {15, "RTPROT_NTK"},        {16, "RTPROT_DHCP"},     {17, "RTPROT_MROUTED"},
    {18, "RTPROT_KEEPALIVED"}, {42, "RTPROT_BABEL"},    {99, "RTPROT_OPENR"},
    {186, "RTPROT_BGP"},       {187, "RTPROT_ISIS"},    {188, "RTPROT_OSPF"},
    {189, "RTPROT_RIP"},       {192, "RTPROT_EIGRP"},
}};

inline constexpr std::array<FlagName, 12> rtn_types{{
    {0, "RTN_UNSPEC"},
    {1, "RTN_UNICAST"},
    {2, "RTN_LOCAL"},
    {3, "RTN_BROADCAST"},
    {4, "RTN_ANYCAST"},
    {5, "RTN_MULTICAST"},
    {6, "RTN_BLACKHOLE"},
    {7, "RTN_UNREACHABLE"},
    {8, "RTN_PROHIBIT"},
    {9, "RTN_THROW"},
    {10, "RTN_NAT"},
    {11, "RTN_XRESOLVE"},
}};

inline constexpr std::array<FlagName, 9> route_flags{{
    {0x100, "RTM_F_NOTIFY"},
    {0x200, "RTM_F_CLONED"},
    {0x400, "RTM_F_EQUALIZE"},
    {0x800, "RTM_F_PREFIX"},
    {0x1000, "RTM_F_LOOKUP_TABLE"},
    {0x2000, "RTM_F_FIB_MATCH"},
    {0x4000, "RTM_F_OFFLOAD"},
    {0x8000, "RTM_F_TRAP"},
    {0x20000000, "RTM_F_OFFLOAD_FAILED"},
}};

// The type-of-service bits (IPTOS_TOS_MASK's).
inline constexpr std::array<FlagName, 4> ip_tos{{
    {0x10, "IPTOS_LOWDELAY"},
    {0x08, "IPTOS_THROUGHPUT"},
    {0x04, "IPTOS_RELIABILITY"},
    {0x02, "IPTOS_MINCOST"},
}};

inline constexpr std::array<FlagName, 9> lwtunnel_encap_types{{
    {0, "LWTUNNEL_ENCAP_NONE"},
    {1, "LWTUNNEL_ENCAP_MPLS"},
    {2, "LWTUNNEL_ENCAP_IP"},
    {3, "LWTUNNEL_ENCAP_ILA"},
    {4, "LWTUNNEL_ENCAP_IP6"},
    {5, "LWTUNNEL_ENCAP_SEG6"},
    {6, "LWTUNNEL_ENCAP_BPF"},
    {7, "LWTUNNEL_ENCAP_SEG6_LOCAL"},
    {8, "LWTUNNEL_ENCAP_RPL"},
}};

inline constexpr std::array<FlagName, 18> rtax_attrs{{
    {0, "RTAX_UNSPEC"},
    {1, "RTAX_LOCK"},
    {2, "RTAX_MTU"},
    {3, "RTAX_WINDOW"},
    {4, "RTAX_RTT"},
    {5, "RTAX_RTTVAR"},
    {6, "RTAX_SSTHRESH"},
    {7, "RTAX_CWND"},
    {8, "RTAX_ADVMSS"},
    {9, "RTAX_REORDERING"},
    {10, "RTAX_HOPLIMIT"},
    {11, "RTAX_INITCWND"},
    {12, "RTAX_FEATURES"},
    {13, "RTAX_RTO_MIN"},
    {14, "RTAX_INITRWND"},
    {15, "RTAX_QUICKACK"},
    {16, "RTAX_CC_ALGO"},
    {17, "RTAX_FASTOPEN_NO_COOKIE"},
}};

inline constexpr std::array<FlagName, 7> rtnh_flags{{
    {0x1, "RTNH_F_DEAD"},
    {0x2, "RTNH_F_PERVASIVE"},
    {0x4, "RTNH_F_ONLINK"},
    {0x8, "RTNH_F_OFFLOAD"},
    {0x10, "RTNH_F_LINKDOWN"},
    {0x20, "RTNH_F_UNRESOLVED"},
    {0x40, "RTNH_F_TRAP"},
}};

// The attributes strace prints as a 32-bit number: RTA_PRIORITY, PROTOINFO, FLOW, MP_ALGO,
// MARK, UID.
inline constexpr std::array<std::uint16_t, 6> rta_u32_attrs{6, 10, 11, 14, 16, 25};

/// struct rtvia: `{rtvia_family=AF_INET, rtvia_addr=inet_addr("192.0.2.1")}`, an IPv6
/// address as `inet_pton(AF_INET6, "...", &rtvia_addr)`, the address of another family or one
/// too short for its family in hex; the attribute's bytes when shorter than rtvia_family.
inline AttrValue rtvia_value(Bytes value, std::size_t limit) {
    if (value.size() < 2) {
        return {};
    }
    const auto family = load<std::uint16_t>(value, 0);
    std::string out = "{rtvia_family=" + constant(family, address_family_table, "AF_");
    if (value.size() == 2) {
        return {out + "}"};
    }
    const Bytes address = value.subspan(2);
    if (family == AF_INET && address.size() >= 4) {
        return {out + ", rtvia_addr=" + inet_addr_text(address, 0) + "}"};
    }
    if (family == AF_INET6 && address.size() >= 16) {
        const std::string text = inet_text(address, AF_INET6, limit); // inet_pton(AF_INET6, "..")
        return {out + ", " + text.substr(0, text.size() - 1) + ", &rtvia_addr)}"};
    }
    return {out + ", rtvia_addr=" + hex_text(address, limit) + "}"};
}

inline AttrValue rta_value(std::uint16_t type, Bytes value, std::uint8_t family, std::size_t limit);

/// RTA_METRICS: the route's metrics, a 32-bit number each but the congestion control's name.
inline AttrValue metrics_value(Bytes value, std::size_t limit) {
    return nested_value(
        attr_list_text(value, {rtax_attrs, "RTAX_"}, limit, [limit](std::uint16_t type, Bytes v) {
            if (type >= 1 && type <= 15) {
                return number_value<std::uint32_t>(v);
            }
            return type == 16 ? AttrValue{string_attr_text(v, limit)} : AttrValue{};
        }));
}

/// RTA_MULTIPATH: the next hops, each a struct rtnexthop (`{rtnh_len=16, rtnh_flags=0,
/// rtnh_hops=0, rtnh_ifindex=if_nametoindex("eth0")}`) and, in brackets with it, the
/// attributes its length leaves room for; one bare, several in brackets (all of them: strace
/// does not cut this list at -s).
/// Undecoded when one is cut short or shorter than its struct (see the top of this file).
inline AttrValue multipath_value(Bytes value, std::uint8_t family, std::size_t limit) {
    constexpr std::size_t rtnexthop_size = 8;
    std::vector<std::string> hops;
    std::size_t at = 0;
    while (at < value.size()) { // (strace shows every one, whatever -s says)
        const Bytes rest = value.subspan(at);
        const std::size_t length = rest.size() < rtnexthop_size ? 0 : load<std::uint16_t>(rest, 0);
        if (length < rtnexthop_size || length > rest.size()) {
            return undecoded_value();
        }
        std::string hop = "{rtnh_len=" + std::to_string(length) +
                          ", rtnh_flags=" + flags_or_unknown(rest[2], rtnh_flags, "RTNH_F_") +
                          ", rtnh_hops=" + std::to_string(rest[3]) +
                          ", rtnh_ifindex=" + ifindex_text(load<std::uint32_t>(rest, 4)) + "}";
        if (length > rtnexthop_size) {
            const auto attrs = attr_list_text(
                rest.subspan(rtnexthop_size, length - rtnexthop_size), {rta_attrs, "RTA_"}, limit,
                [&](std::uint16_t type, Bytes v) { return rta_value(type, v, family, limit); });
            if (!attrs) {
                return undecoded_value();
            }
            hop = "[" + hop + ", " + *attrs + "]";
        }
        hops.push_back(std::move(hop));
        at += (length + 3) & ~std::size_t{3};
    }
    if (hops.size() == 1) {
        return {hops.front()};
    }
    return {array_text(hops, false)};
}

/// The value of an attribute of a route message whose struct rtmsg has `family`.
inline AttrValue rta_value(std::uint16_t type, Bytes value, std::uint8_t family,
                           std::size_t limit) {
    if (std::find(rta_u32_attrs.begin(), rta_u32_attrs.end(), type) != rta_u32_attrs.end()) {
        return number_value<std::uint32_t>(value);
    }
    switch (type) {
    case 1:  // RTA_DST
    case 2:  // RTA_SRC
    case 5:  // RTA_GATEWAY
    case 7:  // RTA_PREFSRC
    case 19: // RTA_NEWDST
        return {inet_text(value, family, limit)};
    case 3: // RTA_IIF
    case 4: // RTA_OIF
        if (value.size() < 4) {
            return {};
        }
        return {ifindex_text(load<std::uint32_t>(value, 0))};
    case 8: // RTA_METRICS
        return metrics_value(value, limit);
    case 9: // RTA_MULTIPATH
        return multipath_value(value, family, limit);
    case 12: // RTA_CACHEINFO: struct rta_cacheinfo
        if (value.size() < 32) {
            return {};
        }
        return {"{rta_clntref=" + std::to_string(load<std::uint32_t>(value, 0)) +
                ", rta_lastuse=" + std::to_string(load<std::uint32_t>(value, 4)) +
                ", rta_expires=" + std::to_string(load<std::uint32_t>(value, 8)) +
                ", rta_error=" + std::to_string(load<std::uint32_t>(value, 12)) +
                ", rta_used=" + std::to_string(load<std::uint32_t>(value, 16)) +
                ", rta_id=" + hex(load<std::uint32_t>(value, 20)) +
                ", rta_ts=" + std::to_string(load<std::uint32_t>(value, 24)) +
                ", rta_tsage=" + std::to_string(load<std::uint32_t>(value, 28)) + "}"};
    case 15: // RTA_TABLE
        if (value.size() < 4) {
            return {};
        }
        return {value_name(load<std::uint32_t>(value, 0), route_tables,
                           hex(load<std::uint32_t>(value, 0)))};
    case 17: // RTA_MFC_STATS: struct rta_mfc_stats
        if (value.size() < 24) {
            return {};
        }
        return {"{mfcs_packets=" + std::to_string(load<std::uint64_t>(value, 0)) +
                ", mfcs_bytes=" + std::to_string(load<std::uint64_t>(value, 8)) +
                ", mfcs_wrong_if=" + std::to_string(load<std::uint64_t>(value, 16)) + "}"};
    case 18: // RTA_VIA
        return rtvia_value(value, limit);
    case 20: // RTA_PREF
    case 26: // RTA_TTL_PROPAGATE
    case 27: // RTA_IP_PROTO
        return number_value<std::uint8_t>(value);
    case 21: // RTA_ENCAP_TYPE
        return constant_value<std::uint16_t>(value, lwtunnel_encap_types, "LWTUNNEL_ENCAP_");
    case 23: // RTA_EXPIRES
        return number_value<std::uint64_t>(value);
    case 28: // RTA_SPORT
    case 29: // RTA_DPORT
        return number_value<std::uint16_t>(value);
    default:
        return {};
    }
}

/// A struct rtmsg and its attributes: `{rtm_family=AF_INET, rtm_dst_len=24, rtm_src_len=0,
/// rtm_tos=0, rtm_table=RT_TABLE_MAIN, rtm_protocol=RTPROT_KERNEL, rtm_scope=RT_SCOPE_LINK,
/// rtm_type=RTN_UNICAST, rtm_flags=0}, [...]`; `{rtm_family=AF_INET, ...}` when shorter than
/// the struct; nullopt when an attribute is one this example does not decode.
inline std::optional<std::string> rtmsg_text(Bytes payload, std::size_t limit) {
    const std::uint8_t family = payload[0];
    std::string out = "{rtm_family=" + constant(family, address_family_table, "AF_") + ", ";
    if (payload.size() < rtmsg_size) {
        return out + "...}";
    }
    out += "rtm_dst_len=" + std::to_string(payload[1]) +
           ", rtm_src_len=" + std::to_string(payload[2]) +
           ", rtm_tos=" + flags_or_unknown(payload[3], ip_tos, "IPTOS_TOS_") +
           ", rtm_table=" + value_name(payload[4], route_tables, hex(payload[4])) +
           ", rtm_protocol=" + constant(payload[5], route_protocols, "RTPROT_") +
           ", rtm_scope=" + value_name(payload[6], scopes, hex(payload[6])) +
           ", rtm_type=" + constant(payload[7], rtn_types, "RTN_") + ", rtm_flags=" +
           flags_or_unknown(load<std::uint32_t>(payload, 8), route_flags, "RTM_F_") + "}";
    return struct_and_attrs_text(
        std::move(out), payload, rtmsg_size, {rta_attrs, "RTA_"}, limit,
        [&](std::uint16_t type, Bytes value) { return rta_value(type, value, family, limit); });
}

} // namespace strace_example::detail::nl
