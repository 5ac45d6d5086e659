// SPDX-License-Identifier: MIT
// NETLINK_ROUTE's link messages (RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK) as strace
// 6.1 prints them: struct ifinfomsg and the IFLA_ attributes, with the nested lists strace
// decodes (IFLA_LINKINFO, IFLA_XDP, IFLA_AF_SPEC's IPv4 and IPv6 settings and counters,
// IFLA_PROP_LIST, IFLA_PROTO_DOWN_REASON). What `ip link`, getifaddrs and if_nameindex read.
// Not decoded here, where strace decodes them: IFLA_PROTINFO of a family other than AF_UNSPEC
// (a bridge port's or IPv6's settings), IFLA_VFINFO_LIST, IFLA_VF_PORTS, IFLA_PORT_SELF, and
// IFLA_INFO_DATA of a bridge or tun device, IFLA_INFO_XSTATS of a CAN one: a message holding
// one is left to the caller (nullopt), which prints the buffer as bytes.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "format.hpp"
#include "netlink_attrs.hpp"
#include "sockaddr.hpp"

namespace strace_example::detail::nl {

inline constexpr std::size_t ifinfomsg_size = 16; // struct ifinfomsg

// The IFLA_ names strace 6.1 knows (0 to 61).
inline constexpr std::array<FlagName, 62> ifla_attrs{{
    {0, "IFLA_UNSPEC"},
    {1, "IFLA_ADDRESS"},
    {2, "IFLA_BROADCAST"},
    {3, "IFLA_IFNAME"},
    {4, "IFLA_MTU"},
    {5, "IFLA_LINK"},
    {6, "IFLA_QDISC"},
    {7, "IFLA_STATS"},
    {8, "IFLA_COST"},
    {9, "IFLA_PRIORITY"},
    {10, "IFLA_MASTER"},
    {11, "IFLA_WIRELESS"},
    {12, "IFLA_PROTINFO"},
    {13, "IFLA_TXQLEN"},
    {14, "IFLA_MAP"},
    {15, "IFLA_WEIGHT"},
    {16, "IFLA_OPERSTATE"},
    {17, "IFLA_LINKMODE"},
    {18, "IFLA_LINKINFO"},
    {19, "IFLA_NET_NS_PID"},
    {20, "IFLA_IFALIAS"},
    {21, "IFLA_NUM_VF"},
    {22, "IFLA_VFINFO_LIST"},
    {23, "IFLA_STATS64"},
    {24, "IFLA_VF_PORTS"},
    {25, "IFLA_PORT_SELF"},
    {26, "IFLA_AF_SPEC"},
    {27, "IFLA_GROUP"},
    {28, "IFLA_NET_NS_FD"},
    {29, "IFLA_EXT_MASK"},
    {30, "IFLA_PROMISCUITY"},
    {31, "IFLA_NUM_TX_QUEUES"},
    {32, "IFLA_NUM_RX_QUEUES"},
    {33, "IFLA_CARRIER"},
    {34, "IFLA_PHYS_PORT_ID"},
    {35, "IFLA_CARRIER_CHANGES"},
    {36, "IFLA_PHYS_SWITCH_ID"},
    {37, "IFLA_LINK_NETNSID"},
    {38, "IFLA_PHYS_PORT_NAME"},
    {39, "IFLA_PROTO_DOWN"},
    {40, "IFLA_GSO_MAX_SEGS"},
    {41, "IFLA_GSO_MAX_SIZE"},
    {42, "IFLA_PAD"},
    {43, "IFLA_XDP"},
    {44, "IFLA_EVENT"},
    {45, "IFLA_NEW_NETNSID"},
    {46, "IFLA_IF_NETNSID"},
    {47, "IFLA_CARRIER_UP_COUNT"},
    {48, "IFLA_CARRIER_DOWN_COUNT"},
    {49, "IFLA_NEW_IFINDEX"},
    {50, "IFLA_MIN_MTU"},
    {51, "IFLA_MAX_MTU"},
    {52, "IFLA_PROP_LIST"},
    {53, "IFLA_ALT_IFNAME"},
    {54, "IFLA_PERM_ADDRESS"},
    {55, "IFLA_PROTO_DOWN_REASON"},
    {56, "IFLA_PARENT_DEV_NAME"},
    {57, "IFLA_PARENT_DEV_BUS_NAME"},
    {58, "IFLA_GRO_MAX_SIZE"},
    {59, "IFLA_TSO_MAX_SIZE"},
    {60, "IFLA_TSO_MAX_SEGS"},
    {61, "IFLA_ALLMULTI"},
}};

// The attributes strace prints as a 32-bit number: IFLA_MTU, LINK, MASTER, TXQLEN, WEIGHT,
// NET_NS_PID, NUM_VF, GROUP, PROMISCUITY, NUM_TX_QUEUES, NUM_RX_QUEUES, CARRIER_CHANGES,
// GSO_MAX_SEGS, GSO_MAX_SIZE, CARRIER_UP_COUNT, CARRIER_DOWN_COUNT, MIN_MTU, MAX_MTU,
// GRO_MAX_SIZE, TSO_MAX_SIZE, TSO_MAX_SEGS, ALLMULTI.
inline constexpr std::array<std::uint16_t, 22> ifla_u32_attrs{
    4, 5, 10, 13, 15, 19, 21, 27, 30, 31, 32, 35, 40, 41, 47, 48, 50, 51, 58, 59, 60, 61};

inline constexpr std::array<FlagName, 19> iff_flags{{
    {0x1, "IFF_UP"},           {0x2, "IFF_BROADCAST"},    {0x4, "IFF_DEBUG"},
    {0x8, "IFF_LOOPBACK"},     {0x10, "IFF_POINTOPOINT"}, {0x20, "IFF_NOTRAILERS"},
    {0x40, "IFF_RUNNING"},     {0x80, "IFF_NOARP"},       {0x100, "IFF_PROMISC"},
    {0x200, "IFF_ALLMULTI"},   {0x400, "IFF_MASTER"},     {0x800, "IFF_SLAVE"},
    {0x1000, "IFF_MULTICAST"}, {0x2000, "IFF_PORTSEL"},   {0x4000, "IFF_AUTOMEDIA"},
    {0x8000, "IFF_DYNAMIC"},   {0x10000, "IFF_LOWER_UP"}, {0x20000, "IFF_DORMANT"},
    {0x40000, "IFF_ECHO"},
}};

inline constexpr std::array<FlagName, 7> rtext_filters{{
    {0x1, "RTEXT_FILTER_VF"},
    {0x2, "RTEXT_FILTER_BRVLAN"},
    {0x4, "RTEXT_FILTER_BRVLAN_COMPRESSED"},
    {0x8, "RTEXT_FILTER_SKIP_STATS"},
    {0x10, "RTEXT_FILTER_MRP"},
    {0x20, "RTEXT_FILTER_CFM_CONFIG"},
    {0x40, "RTEXT_FILTER_CFM_STATUS"},
}};

inline constexpr std::array<FlagName, 7> ifla_events{{
    {0, "IFLA_EVENT_NONE"},
    {1, "IFLA_EVENT_REBOOT"},
    {2, "IFLA_EVENT_FEATURES"},
    {3, "IFLA_EVENT_BONDING_FAILOVER"},
    {4, "IFLA_EVENT_NOTIFY_PEERS"},
    {5, "IFLA_EVENT_IGMP_RESEND"},
    {6, "IFLA_EVENT_BONDING_OPTIONS"},
}};

// The fields of struct rtnl_link_stats and struct rtnl_link_stats64, in order.
inline constexpr std::array<std::string_view, 25> link_stats_fields{
    "rx_packets",
    "tx_packets",
    "rx_bytes",
    "tx_bytes",
    "rx_errors",
    "tx_errors",
    "rx_dropped",
    "tx_dropped",
    "multicast",
    "collisions",
    "rx_length_errors",
    "rx_over_errors",
    "rx_crc_errors",
    "rx_frame_errors",
    "rx_fifo_errors",
    "rx_missed_errors",
    "tx_aborted_errors",
    "tx_carrier_errors",
    "tx_fifo_errors",
    "tx_heartbeat_errors",
    "tx_window_errors",
    "rx_compressed",
    "tx_compressed",
    "rx_nohandler",
    "rx_otherhost_dropped",
};

inline constexpr std::array<FlagName, 6> ifla_info_attrs{{
    {0, "IFLA_INFO_UNSPEC"},
    {1, "IFLA_INFO_KIND"},
    {2, "IFLA_INFO_DATA"},
    {3, "IFLA_INFO_XSTATS"},
    {4, "IFLA_INFO_SLAVE_KIND"},
    {5, "IFLA_INFO_SLAVE_DATA"},
}};

inline constexpr std::array<FlagName, 9> ifla_xdp_attrs{{
    {0, "IFLA_XDP_UNSPEC"},
    {1, "IFLA_XDP_FD"},
    {2, "IFLA_XDP_ATTACHED"},
    {3, "IFLA_XDP_FLAGS"},
    {4, "IFLA_XDP_PROG_ID"},
    {5, "IFLA_XDP_DRV_PROG_ID"},
    {6, "IFLA_XDP_SKB_PROG_ID"},
    {7, "IFLA_XDP_HW_PROG_ID"},
    {8, "IFLA_XDP_EXPECTED_FD"},
}};
inline constexpr std::array<FlagName, 5> xdp_attached_modes{{
    {0, "XDP_ATTACHED_NONE"},
    {1, "XDP_ATTACHED_DRV"},
    {2, "XDP_ATTACHED_SKB"},
    {3, "XDP_ATTACHED_HW"},
    {4, "XDP_ATTACHED_MULTI"},
}};
// XDP_FLAGS_MODES (the three mode bits together) first, as strace prints it.
inline constexpr std::array<FlagName, 6> xdp_flags{{
    {0xe, "XDP_FLAGS_MODES"},
    {0x1, "XDP_FLAGS_UPDATE_IF_NOEXIST"},
    {0x2, "XDP_FLAGS_SKB_MODE"},
    {0x4, "XDP_FLAGS_DRV_MODE"},
    {0x8, "XDP_FLAGS_HW_MODE"},
    {0x10, "XDP_FLAGS_REPLACE"},
}};

inline constexpr std::array<FlagName, 3> proto_down_reason_attrs{{
    {0, "IFLA_PROTO_DOWN_REASON_UNSPEC"},
    {1, "IFLA_PROTO_DOWN_REASON_MASK"},
    {2, "IFLA_PROTO_DOWN_REASON_VALUE"},
}};

inline constexpr std::array<FlagName, 2> ifla_inet_attrs{{
    {0, "IFLA_INET_UNSPEC"},
    {1, "IFLA_INET_CONF"},
}};
inline constexpr std::array<FlagName, 10> ifla_inet6_attrs{{
    {0, "IFLA_INET6_UNSPEC"},
    {1, "IFLA_INET6_FLAGS"},
    {2, "IFLA_INET6_CONF"},
    {3, "IFLA_INET6_STATS"},
    {4, "IFLA_INET6_MCAST"},
    {5, "IFLA_INET6_CACHEINFO"},
    {6, "IFLA_INET6_ICMP6STATS"},
    {7, "IFLA_INET6_TOKEN"},
    {8, "IFLA_INET6_ADDR_GEN_MODE"},
    {9, "IFLA_INET6_RA_MTU"},
}};
inline constexpr std::array<FlagName, 5> inet6_if_flags{{
    {0x10, "IF_RS_SENT"},
    {0x20, "IF_RA_RCVD"},
    {0x40, "IF_RA_MANAGED"},
    {0x80, "IF_RA_OTHERCONF"},
    {0x80000000, "IF_READY"},
}};
inline constexpr std::array<FlagName, 4> in6_addr_gen_modes{{
    {0, "IN6_ADDR_GEN_MODE_EUI64"},
    {1, "IN6_ADDR_GEN_MODE_NONE"},
    {2, "IN6_ADDR_GEN_MODE_STABLE_PRIVACY"},
    {3, "IN6_ADDR_GEN_MODE_RANDOM"},
}};

// The indices of IFLA_INET_CONF's array: IPV4_DEVCONF_ values, which start at 1.
inline constexpr std::array<FlagName, 33> ipv4_devconf{{
    {1, "IPV4_DEVCONF_FORWARDING"},
    {2, "IPV4_DEVCONF_MC_FORWARDING"},
    {3, "IPV4_DEVCONF_PROXY_ARP"},
    {4, "IPV4_DEVCONF_ACCEPT_REDIRECTS"},
    {5, "IPV4_DEVCONF_SECURE_REDIRECTS"},
    {6, "IPV4_DEVCONF_SEND_REDIRECTS"},
    {7, "IPV4_DEVCONF_SHARED_MEDIA"},
    {8, "IPV4_DEVCONF_RP_FILTER"},
    {9, "IPV4_DEVCONF_ACCEPT_SOURCE_ROUTE"},
    {10, "IPV4_DEVCONF_BOOTP_RELAY"},
    {11, "IPV4_DEVCONF_LOG_MARTIANS"},
    {12, "IPV4_DEVCONF_TAG"},
    {13, "IPV4_DEVCONF_ARPFILTER"},
    {14, "IPV4_DEVCONF_MEDIUM_ID"},
    {15, "IPV4_DEVCONF_NOXFRM"},
    {16, "IPV4_DEVCONF_NOPOLICY"},
    {17, "IPV4_DEVCONF_FORCE_IGMP_VERSION"},
    {18, "IPV4_DEVCONF_ARP_ANNOUNCE"},
    {19, "IPV4_DEVCONF_ARP_IGNORE"},
    {20, "IPV4_DEVCONF_PROMOTE_SECONDARIES"},
    {21, "IPV4_DEVCONF_ARP_ACCEPT"},
    {22, "IPV4_DEVCONF_ARP_NOTIFY"},
    {23, "IPV4_DEVCONF_ACCEPT_LOCAL"},
    {24, "IPV4_DEVCONF_SRC_VMARK"},
    {25, "IPV4_DEVCONF_PROXY_ARP_PVLAN"},
    {26, "IPV4_DEVCONF_ROUTE_LOCALNET"},
    {27, "IPV4_DEVCONF_IGMPV2_UNSOLICITED_REPORT_INTERVAL"},
    {28, "IPV4_DEVCONF_IGMPV3_UNSOLICITED_REPORT_INTERVAL"},
    {29, "IPV4_DEVCONF_IGNORE_ROUTES_WITH_LINKDOWN"},
    {30, "IPV4_DEVCONF_DROP_UNICAST_IN_L2_MULTICAST"},
    {31, "IPV4_DEVCONF_DROP_GRATUITOUS_ARP"},
    {32, "IPV4_DEVCONF_BC_FORWARDING"},
    {33, "IPV4_DEVCONF_ARP_EVICT_NOCARRIER"},
}};

// The indices of IFLA_INET6_CONF's array (DEVCONF_ values strace 6.1 knows: 0 to 57).
inline constexpr std::array<FlagName, 58> ipv6_devconf{{
    {0, "DEVCONF_FORWARDING"},
    {1, "DEVCONF_HOPLIMIT"},
    {2, "DEVCONF_MTU6"},
    {3, "DEVCONF_ACCEPT_RA"},
    {4, "DEVCONF_ACCEPT_REDIRECTS"},
    {5, "DEVCONF_AUTOCONF"},
    {6, "DEVCONF_DAD_TRANSMITS"},
    {7, "DEVCONF_RTR_SOLICITS"},
    {8, "DEVCONF_RTR_SOLICIT_INTERVAL"},
    {9, "DEVCONF_RTR_SOLICIT_DELAY"},
    {10, "DEVCONF_USE_TEMPADDR"},
    {11, "DEVCONF_TEMP_VALID_LFT"},
    {12, "DEVCONF_TEMP_PREFERED_LFT"},
    {13, "DEVCONF_REGEN_MAX_RETRY"},
    {14, "DEVCONF_MAX_DESYNC_FACTOR"},
    {15, "DEVCONF_MAX_ADDRESSES"},
    {16, "DEVCONF_FORCE_MLD_VERSION"},
    {17, "DEVCONF_ACCEPT_RA_DEFRTR"},
    {18, "DEVCONF_ACCEPT_RA_PINFO"},
    {19, "DEVCONF_ACCEPT_RA_RTR_PREF"},
    {20, "DEVCONF_RTR_PROBE_INTERVAL"},
    {21, "DEVCONF_ACCEPT_RA_RT_INFO_MAX_PLEN"},
    {22, "DEVCONF_PROXY_NDP"},
    {23, "DEVCONF_OPTIMISTIC_DAD"},
    {24, "DEVCONF_ACCEPT_SOURCE_ROUTE"},
    {25, "DEVCONF_MC_FORWARDING"},
    {26, "DEVCONF_DISABLE_IPV6"},
    {27, "DEVCONF_ACCEPT_DAD"},
    {28, "DEVCONF_FORCE_TLLAO"},
    {29, "DEVCONF_NDISC_NOTIFY"},
    {30, "DEVCONF_MLDV1_UNSOLICITED_REPORT_INTERVAL"},
    {31, "DEVCONF_MLDV2_UNSOLICITED_REPORT_INTERVAL"},
    {32, "DEVCONF_SUPPRESS_FRAG_NDISC"},
    {33, "DEVCONF_ACCEPT_RA_FROM_LOCAL"},
    {34, "DEVCONF_USE_OPTIMISTIC"},
    {35, "DEVCONF_ACCEPT_RA_MTU"},
    {36, "DEVCONF_STABLE_SECRET"},
    {37, "DEVCONF_USE_OIF_ADDRS_ONLY"},
    {38, "DEVCONF_ACCEPT_RA_MIN_HOP_LIMIT"},
    {39, "DEVCONF_IGNORE_ROUTES_WITH_LINKDOWN"},
    {40, "DEVCONF_DROP_UNICAST_IN_L2_MULTICAST"},
    {41, "DEVCONF_DROP_UNSOLICITED_NA"},
    {42, "DEVCONF_KEEP_ADDR_ON_DOWN"},
    {43, "DEVCONF_RTR_SOLICIT_MAX_INTERVAL"},
    {44, "DEVCONF_SEG6_ENABLED"},
    {45, "DEVCONF_SEG6_REQUIRE_HMAC"},
    {46, "DEVCONF_ENHANCED_DAD"},
    {47, "DEVCONF_ADDR_GEN_MODE"},
    {48, "DEVCONF_DISABLE_POLICY"},
    {49, "DEVCONF_ACCEPT_RA_RT_INFO_MIN_PLEN"},
    {50, "DEVCONF_NDISC_TCLASS"},
    {51, "DEVCONF_RPL_SEG_ENABLED"},
    {52, "DEVCONF_RA_DEFRTR_METRIC"},
    {53, "DEVCONF_IOAM6_ENABLED"},
    {54, "DEVCONF_IOAM6_ID"},
    {55, "DEVCONF_IOAM6_ID_WIDE"},
    {56, "DEVCONF_NDISC_EVICT_NOCARRIER"},
    {57, "DEVCONF_ACCEPT_UNTRACKED_NA"},
}};

// The indices of IFLA_INET6_STATS' array (0 to 36) and of IFLA_INET6_ICMP6STATS' (0 to 5).
inline constexpr std::array<FlagName, 37> ipstats_mib{{
    {0, "IPSTATS_MIB_NUM"},
    {1, "IPSTATS_MIB_INPKTS"},
    {2, "IPSTATS_MIB_INOCTETS"},
    {3, "IPSTATS_MIB_INDELIVERS"},
    {4, "IPSTATS_MIB_OUTFORWDATAGRAMS"},
    {5, "IPSTATS_MIB_OUTPKTS"},
    {6, "IPSTATS_MIB_OUTOCTETS"},
    {7, "IPSTATS_MIB_INHDRERRORS"},
    {8, "IPSTATS_MIB_INTOOBIGERRORS"},
    {9, "IPSTATS_MIB_INNOROUTES"},
    {10, "IPSTATS_MIB_INADDRERRORS"},
    {11, "IPSTATS_MIB_INUNKNOWNPROTOS"},
    {12, "IPSTATS_MIB_INTRUNCATEDPKTS"},
    {13, "IPSTATS_MIB_INDISCARDS"},
    {14, "IPSTATS_MIB_OUTDISCARDS"},
    {15, "IPSTATS_MIB_OUTNOROUTES"},
    {16, "IPSTATS_MIB_REASMTIMEOUT"},
    {17, "IPSTATS_MIB_REASMREQDS"},
    {18, "IPSTATS_MIB_REASMOKS"},
    {19, "IPSTATS_MIB_REASMFAILS"},
    {20, "IPSTATS_MIB_FRAGOKS"},
    {21, "IPSTATS_MIB_FRAGFAILS"},
    {22, "IPSTATS_MIB_FRAGCREATES"},
    {23, "IPSTATS_MIB_INMCASTPKTS"},
    {24, "IPSTATS_MIB_OUTMCASTPKTS"},
    {25, "IPSTATS_MIB_INBCASTPKTS"},
    {26, "IPSTATS_MIB_OUTBCASTPKTS"},
    {27, "IPSTATS_MIB_INMCASTOCTETS"},
    {28, "IPSTATS_MIB_OUTMCASTOCTETS"},
    {29, "IPSTATS_MIB_INBCASTOCTETS"},
    {30, "IPSTATS_MIB_OUTBCASTOCTETS"},
    {31, "IPSTATS_MIB_CSUMERRORS"},
    {32, "IPSTATS_MIB_NOECTPKTS"},
    {33, "IPSTATS_MIB_ECT1PKTS"},
    {34, "IPSTATS_MIB_ECT0PKTS"},
    {35, "IPSTATS_MIB_CEPKTS"},
    {36, "IPSTATS_MIB_REASM_OVERLAPS"},
}};
inline constexpr std::array<FlagName, 6> icmp6_mib{{
    {0, "ICMP6_MIB_NUM"},
    {1, "ICMP6_MIB_INMSGS"},
    {2, "ICMP6_MIB_INERRORS"},
    {3, "ICMP6_MIB_OUTMSGS"},
    {4, "ICMP6_MIB_OUTERRORS"},
    {5, "ICMP6_MIB_CSUMERRORS"},
}};

/// struct rtnl_link_stats (`Word` std::uint32_t) or rtnl_link_stats64 (std::uint64_t):
/// every field when the value holds the whole struct, or exactly the fields of an older
/// kernel's; the bytes otherwise.
template <typename Word>
AttrValue link_stats_value(Bytes value) {
    constexpr std::size_t fields = sizeof(Word) == 4 ? 24 : 25; // the struct as strace knows it
    std::size_t shown = 0;
    if (value.size() >= fields * sizeof(Word)) {
        shown = fields;
    } else if (value.size() % sizeof(Word) == 0 && value.size() / sizeof(Word) >= 23) {
        shown = value.size() / sizeof(Word); // without rx_nohandler (23), or its successor
    } else {
        return {};
    }
    std::string out = "{";
    for (std::size_t i = 0; i < shown; ++i) {
        out += (i == 0 ? "" : ", ") + std::string(link_stats_fields[i]) + "=" +
               std::to_string(load<Word>(value, i * sizeof(Word)));
    }
    return {out + "}"};
}

/// struct rtnl_link_ifmap: `{mem_start=0x..., mem_end=..., base_addr=..., irq=N, dma=N,
/// port=N}`; the bytes when shorter than its fields (28 bytes).
inline AttrValue link_ifmap_value(Bytes value) {
    if (value.size() < 28) {
        return {};
    }
    return {"{mem_start=" + hex(load<std::uint64_t>(value, 0)) +
            ", mem_end=" + hex(load<std::uint64_t>(value, 8)) +
            ", base_addr=" + hex(load<std::uint64_t>(value, 16)) +
            ", irq=" + std::to_string(load<std::uint16_t>(value, 24)) +
            ", dma=" + std::to_string(value[26]) + ", port=" + std::to_string(value[27]) + "}"};
}

/// IFLA_LINKINFO: the kind of device, then its data, which strace decodes for a few kinds.
inline AttrValue linkinfo_value(Bytes value, std::size_t limit) {
    std::string kind; // IFLA_INFO_KIND's text up to its 0, as strace keeps it
    return nested_value(attr_list_text(
        value, {ifla_info_attrs, "IFLA_INFO_"}, limit, [&](std::uint16_t type, Bytes v) {
            switch (type) {
            case 1: { // IFLA_INFO_KIND
                const auto end = std::find(v.begin(), v.end(), std::uint8_t{0});
                kind = end == v.end() ? std::string() : std::string(v.begin(), end);
                return AttrValue{string_attr_text(v, limit)};
            }
            case 2: // IFLA_INFO_DATA: a bridge's and a tun device's settings
                return kind == "bridge" || kind == "tun" ? undecoded_value() : AttrValue{};
            case 3: // IFLA_INFO_XSTATS: a CAN device's counters
                return kind == "can" ? undecoded_value() : AttrValue{};
            case 4: // IFLA_INFO_SLAVE_KIND
                return AttrValue{string_attr_text(v, limit)};
            default:
                return AttrValue{};
            }
        }));
}

/// IFLA_XDP: the program attached to the device and how.
inline AttrValue xdp_value(Bytes value, std::size_t limit) {
    return nested_value(attr_list_text(
        value, {ifla_xdp_attrs, "IFLA_XDP_"}, limit, [](std::uint16_t type, Bytes v) {
            switch (type) {
            case 1: // IFLA_XDP_FD
            case 8: // IFLA_XDP_EXPECTED_FD
                return number_value<std::int32_t>(v);
            case 2: // IFLA_XDP_ATTACHED
                return constant_value<std::uint8_t>(v, xdp_attached_modes, "XDP_ATTACHED_");
            case 3: // IFLA_XDP_FLAGS
                return flags32_value(v, xdp_flags, "XDP_FLAGS_");
            case 4: // IFLA_XDP_PROG_ID
            case 5: // IFLA_XDP_DRV_PROG_ID
            case 6: // IFLA_XDP_SKB_PROG_ID
            case 7: // IFLA_XDP_HW_PROG_ID
                return number_value<std::uint32_t>(v);
            default:
                return AttrValue{};
            }
        }));
}

/// IFLA_AF_SPEC's AF_INET list: the interface's IPv4 settings (IFLA_INET_CONF).
inline AttrValue af_inet_value(Bytes value, std::size_t limit) {
    return nested_value(attr_list_text(
        value, {ifla_inet_attrs, "IFLA_INET_"}, limit, [limit](std::uint16_t type, Bytes v) {
            return type == 1 ? indexed_array_value<std::int32_t>(v, ipv4_devconf, "IPV4_DEVCONF_",
                                                                 1, limit)
                             : AttrValue{};
        }));
}

/// IFLA_AF_SPEC's AF_INET6 list: the interface's IPv6 state, settings and counters.
inline AttrValue af_inet6_value(Bytes value, std::size_t limit) {
    return nested_value(attr_list_text(
        value, {ifla_inet6_attrs, "IFLA_INET6_"}, limit, [limit](std::uint16_t type, Bytes v) {
            switch (type) {
            case 1: // IFLA_INET6_FLAGS
                return flags32_value(v, inet6_if_flags, "IF_");
            case 2: // IFLA_INET6_CONF
                return indexed_array_value<std::int32_t>(v, ipv6_devconf, "DEVCONF_", 0, limit);
            case 3: // IFLA_INET6_STATS
                return indexed_array_value<std::uint64_t>(v, ipstats_mib, "IPSTATS_MIB_", 0, limit);
            case 5: // IFLA_INET6_CACHEINFO
                if (v.size() < 16) {
                    return AttrValue{};
                }
                return AttrValue{"{max_reasm_len=" + std::to_string(load<std::uint32_t>(v, 0)) +
                                 ", tstamp=" + std::to_string(load<std::uint32_t>(v, 4)) +
                                 ", reachable_time=" + std::to_string(load<std::uint32_t>(v, 8)) +
                                 ", retrans_time=" + std::to_string(load<std::uint32_t>(v, 12)) +
                                 "}"};
            case 6: // IFLA_INET6_ICMP6STATS
                return indexed_array_value<std::uint64_t>(v, icmp6_mib, "ICMP6_MIB_", 0, limit);
            case 7: // IFLA_INET6_TOKEN
                return AttrValue{inet_text(v, AF_INET6, limit)};
            case 8: // IFLA_INET6_ADDR_GEN_MODE
                return constant_value<std::uint8_t>(v, in6_addr_gen_modes, "IN6_ADDR_GEN_MODE_");
            case 9: // IFLA_INET6_RA_MTU
                return number_value<std::uint32_t>(v);
            default:
                return AttrValue{};
            }
        }));
}

/// IFLA_AF_SPEC: a list per address family; strace decodes IPv4's and IPv6's.
inline AttrValue af_spec_value(Bytes value, std::size_t limit) {
    const auto by_family = [limit](std::uint16_t type, Bytes v) {
        const unsigned family = type & 0xffU; // strace picks the list by the low byte
        return family == AF_INET    ? af_inet_value(v, limit)
               : family == AF_INET6 ? af_inet6_value(v, limit)
                                    : AttrValue{};
    };
    return nested_value(attr_list_text(value, {address_family_table, "AF_"}, limit, by_family));
}

/// The value of an attribute of a link message whose struct ifinfomsg has `family`.
inline AttrValue ifla_value(std::uint16_t type, Bytes value, std::uint8_t family,
                            std::size_t limit) {
    if (std::find(ifla_u32_attrs.begin(), ifla_u32_attrs.end(), type) != ifla_u32_attrs.end()) {
        return number_value<std::uint32_t>(value);
    }
    switch (type) {
    case 1:                                        // IFLA_ADDRESS
    case 2:                                        // IFLA_BROADCAST
    case 54:                                       // IFLA_PERM_ADDRESS
        return hwaddr_value(value, family, limit); // (strace reads the family as a type)
    case 3:                                        // IFLA_IFNAME
    case 6:                                        // IFLA_QDISC
    case 20:                                       // IFLA_IFALIAS
    case 38:                                       // IFLA_PHYS_PORT_NAME
    case 53:                                       // IFLA_ALT_IFNAME
    case 56:                                       // IFLA_PARENT_DEV_NAME
    case 57:                                       // IFLA_PARENT_DEV_BUS_NAME
        return {string_attr_text(value, limit)};
    case 7: // IFLA_STATS
        return link_stats_value<std::uint32_t>(value);
    case 12: // IFLA_PROTINFO: a bridge port's or IPv6's settings, by family
        return family == AF_UNSPEC ? AttrValue{} : undecoded_value();
    case 14: // IFLA_MAP
        return link_ifmap_value(value);
    case 16: // IFLA_OPERSTATE
    case 17: // IFLA_LINKMODE
    case 33: // IFLA_CARRIER
    case 39: // IFLA_PROTO_DOWN
        return number_value<std::uint8_t>(value);
    case 18: // IFLA_LINKINFO
        return linkinfo_value(value, limit);
    case 22: // IFLA_VFINFO_LIST
    case 24: // IFLA_VF_PORTS
    case 25: // IFLA_PORT_SELF
        return undecoded_value();
    case 23: // IFLA_STATS64
        return link_stats_value<std::uint64_t>(value);
    case 26: // IFLA_AF_SPEC
        return af_spec_value(value, limit);
    case 29: // IFLA_EXT_MASK
        return flags32_value(value, rtext_filters, "RTEXT_FILTER_");
    case 37: // IFLA_LINK_NETNSID
    case 45: // IFLA_NEW_NETNSID
    case 46: // IFLA_IF_NETNSID
    case 28: // IFLA_NET_NS_FD
        return number_value<std::int32_t>(value);
    case 43: // IFLA_XDP
        return xdp_value(value, limit);
    case 44: // IFLA_EVENT
        return constant_value<std::uint32_t>(value, ifla_events, "IFLA_EVENT_");
    case 49: // IFLA_NEW_IFINDEX
        if (value.size() < 4) {
            return {};
        }
        return {ifindex_text(load<std::uint32_t>(value, 0))};
    case 52: // IFLA_PROP_LIST: alternative names
        return nested_value(attr_list_text(
            value, {ifla_attrs, "IFLA_"}, limit, [limit](std::uint16_t inner, Bytes v) {
                return inner == 53 ? AttrValue{string_attr_text(v, limit)} : AttrValue{};
            }));
    case 55: // IFLA_PROTO_DOWN_REASON
        return nested_value(
            attr_list_text(value, {proto_down_reason_attrs, "IFLA_PROTO_DOWN_REASON_"}, limit,
                           [](std::uint16_t inner, Bytes v) {
                               return inner == 1 || inner == 2 ? hex32_value(v) : AttrValue{};
                           }));
    default:
        return {};
    }
}

/// A struct ifinfomsg and its attributes: `{ifi_family=AF_UNSPEC, ifi_type=ARPHRD_LOOPBACK,
/// ifi_index=if_nametoindex("lo"), ifi_flags=IFF_UP|IFF_LOOPBACK, ifi_change=0}, [...]`;
/// `{ifi_family=AF_UNSPEC, ...}` when shorter than the struct (the dump requests of
/// getifaddrs and if_nameindex); nullopt when an attribute is one this example does not
/// decode (see the top of this file).
inline std::optional<std::string> ifinfomsg_text(Bytes payload, std::size_t limit) {
    const std::uint8_t family = payload[0];
    std::string out = "{ifi_family=" + constant(family, address_family_table, "AF_") + ", ";
    if (payload.size() < ifinfomsg_size) {
        return out + "...}";
    }
    out += "ifi_type=" + constant(load<std::uint16_t>(payload, 2), arp_hardware_table, "ARPHRD_") +
           ", ifi_index=" + ifindex_text(load<std::uint32_t>(payload, 4)) +
           ", ifi_flags=" + flags_or_unknown(load<std::uint32_t>(payload, 8), iff_flags, "IFF_") +
           ", ifi_change=" + hex(load<std::uint32_t>(payload, 12)) + "}";
    return struct_and_attrs_text(
        std::move(out), payload, ifinfomsg_size, {ifla_attrs, "IFLA_"}, limit,
        [&](std::uint16_t type, Bytes value) { return ifla_value(type, value, family, limit); });
}

} // namespace strace_example::detail::nl
