// SPDX-License-Identifier: MIT
// setsockopt(2) and getsockopt(2) as strace 6.1 prints them: the level and the option by name,
// the value as an int (`[1]`), a struct (SO_LINGER, SO_PEERCRED), an errno (SO_ERROR) or the
// bytes, and getsockopt's in-out length (`[4]`, `[8 => 4]`).
#pragma once

#include <ptrace/errnos.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "format.hpp"
#include "sockaddr.hpp"
#include "structs.hpp"

namespace strace_example {

namespace detail {

inline constexpr std::array<FlagName, 9> sockopt_level_table{{
    {0, "SOL_IP"},
    {1, "SOL_SOCKET"},
    {6, "SOL_TCP"},
    {17, "SOL_UDP"},
    {41, "SOL_IPV6"},
    {58, "SOL_ICMPV6"},
    {255, "SOL_RAW"},
    {263, "SOL_PACKET"},
    {270, "SOL_NETLINK"},
}};

// Option names by level, as strace 6.1 prints them (read off strace 6.1 naming every option
// number 0 to 259 of each level; IP's, IPv6's and SOL_SOCKET's netfilter and filter options
// have other names for getsockopt than for setsockopt).
inline constexpr std::array<FlagName, 45> ip_option_table{{
    {1, "IP_TOS"},
    {2, "IP_TTL"},
    {3, "IP_HDRINCL"},
    {4, "IP_OPTIONS"},
    {5, "IP_ROUTER_ALERT"},
    {6, "IP_RECVOPTS"},
    {7, "IP_RETOPTS"},
    {8, "IP_PKTINFO"},
    {9, "IP_PKTOPTIONS"},
    {10, "IP_MTU_DISCOVER"},
    {11, "IP_RECVERR"},
    {12, "IP_RECVTTL"},
    {13, "IP_RECVTOS"},
    {14, "IP_MTU"},
    {15, "IP_FREEBIND"},
    {16, "IP_IPSEC_POLICY"},
    {17, "IP_XFRM_POLICY"},
    {18, "IP_PASSSEC"},
    {19, "IP_TRANSPARENT"},
    {20, "IP_ORIGDSTADDR"},
    {21, "IP_MINTTL"},
    {22, "IP_NODEFRAG"},
    {23, "IP_CHECKSUM"},
    {24, "IP_BIND_ADDRESS_NO_PORT"},
    {25, "IP_RECVFRAGSIZE"},
    {26, "IP_RECVERR_RFC4884"},
    {32, "IP_MULTICAST_IF"},
    {33, "IP_MULTICAST_TTL"},
    {34, "IP_MULTICAST_LOOP"},
    {35, "IP_ADD_MEMBERSHIP"},
    {36, "IP_DROP_MEMBERSHIP"},
    {37, "IP_UNBLOCK_SOURCE"},
    {38, "IP_BLOCK_SOURCE"},
    {39, "IP_ADD_SOURCE_MEMBERSHIP"},
    {40, "IP_DROP_SOURCE_MEMBERSHIP"},
    {41, "IP_MSFILTER"},
    {42, "MCAST_JOIN_GROUP"},
    {43, "MCAST_BLOCK_SOURCE"},
    {44, "MCAST_UNBLOCK_SOURCE"},
    {45, "MCAST_LEAVE_GROUP"},
    {46, "MCAST_JOIN_SOURCE_GROUP"},
    {47, "MCAST_LEAVE_SOURCE_GROUP"},
    {48, "MCAST_MSFILTER"},
    {49, "IP_MULTICAST_ALL"},
    {50, "IP_UNICAST_IF"},
}};
inline constexpr std::array<FlagName, 6> ip_set_option_table{{
    {64, "IPT_SO_SET_REPLACE"},
    {65, "IPT_SO_SET_ADD_COUNTERS"},
    {96, "ARPT_SO_SET_REPLACE"},
    {97, "ARPT_SO_SET_ADD_COUNTERS"},
    {128, "EBT_SO_SET_ENTRIES"},
    {129, "EBT_SO_SET_COUNTERS"},
}};
inline constexpr std::array<FlagName, 11> ip_get_option_table{{
    {64, "IPT_SO_GET_INFO"},
    {65, "IPT_SO_GET_ENTRIES"},
    {66, "IPT_SO_GET_REVISION_MATCH"},
    {67, "IPT_SO_GET_REVISION_TARGET"},
    {96, "ARPT_SO_GET_INFO"},
    {97, "ARPT_SO_GET_ENTRIES"},
    {99, "ARPT_SO_GET_REVISION_TARGET"},
    {128, "EBT_SO_GET_INFO"},
    {129, "EBT_SO_GET_ENTRIES"},
    {130, "EBT_SO_GET_INIT_INFO"},
    {131, "EBT_SO_GET_INIT_ENTRIES"},
}};
inline constexpr std::array<FlagName, 72> so_option_table{{
    {1, "SO_DEBUG"},
    {2, "SO_REUSEADDR"},
    {3, "SO_TYPE"},
    {4, "SO_ERROR"},
    {5, "SO_DONTROUTE"},
    {6, "SO_BROADCAST"},
    {7, "SO_SNDBUF"},
    {8, "SO_RCVBUF"},
    {9, "SO_KEEPALIVE"},
    {10, "SO_OOBINLINE"},
    {11, "SO_NO_CHECK"},
    {12, "SO_PRIORITY"},
    {13, "SO_LINGER"},
    {14, "SO_BSDCOMPAT"},
    {15, "SO_REUSEPORT"},
    {16, "SO_PASSCRED"},
    {17, "SO_PEERCRED"},
    {18, "SO_RCVLOWAT"},
    {19, "SO_SNDLOWAT"},
    {20, "SO_RCVTIMEO_OLD"},
    {21, "SO_SNDTIMEO_OLD"},
    {22, "SO_SECURITY_AUTHENTICATION"},
    {23, "SO_SECURITY_ENCRYPTION_TRANSPORT"},
    {24, "SO_SECURITY_ENCRYPTION_NETWORK"},
    {25, "SO_BINDTODEVICE"},
    {27, "SO_DETACH_FILTER"},
    {28, "SO_PEERNAME"},
    {29, "SO_TIMESTAMP_OLD"},
    {30, "SO_ACCEPTCONN"},
    {31, "SO_PEERSEC"},
    {32, "SO_SNDBUFFORCE"},
    {33, "SO_RCVBUFFORCE"},
    {34, "SO_PASSSEC"},
    {35, "SO_TIMESTAMPNS_OLD"},
    {36, "SO_MARK"},
    {37, "SO_TIMESTAMPING_OLD"},
    {38, "SO_PROTOCOL"},
    {39, "SO_DOMAIN"},
    {40, "SO_RXQ_OVFL"},
    {41, "SO_WIFI_STATUS"},
    {42, "SO_PEEK_OFF"},
    {43, "SO_NOFCS"},
    {44, "SO_LOCK_FILTER"},
    {45, "SO_SELECT_ERR_QUEUE"},
    {46, "SO_BUSY_POLL"},
    {47, "SO_MAX_PACING_RATE"},
    {48, "SO_BPF_EXTENSIONS"},
    {49, "SO_INCOMING_CPU"},
    {50, "SO_ATTACH_BPF"},
    {51, "SO_ATTACH_REUSEPORT_CBPF"},
    {52, "SO_ATTACH_REUSEPORT_EBPF"},
    {53, "SO_CNX_ADVICE"},
    {55, "SO_MEMINFO"},
    {56, "SO_INCOMING_NAPI_ID"},
    {57, "SO_COOKIE"},
    {59, "SO_PEERGROUPS"},
    {60, "SO_ZEROCOPY"},
    {61, "SO_TXTIME"},
    {62, "SO_BINDTOIFINDEX"},
    {63, "SO_TIMESTAMP_NEW"},
    {64, "SO_TIMESTAMPNS_NEW"},
    {65, "SO_TIMESTAMPING_NEW"},
    {66, "SO_RCVTIMEO_NEW"},
    {67, "SO_SNDTIMEO_NEW"},
    {68, "SO_DETACH_REUSEPORT_BPF"},
    {69, "SO_PREFER_BUSY_POLL"},
    {70, "SO_BUSY_POLL_BUDGET"},
    {71, "SO_NETNS_COOKIE"},
    {72, "SO_BUF_LOCK"},
    {73, "SO_RESERVE_MEM"},
    {74, "SO_TXREHASH"},
    {75, "SO_RCVMARK"},
}};
inline constexpr std::array<FlagName, 1> so_set_option_table{{
    {26, "SO_ATTACH_FILTER"},
}};
inline constexpr std::array<FlagName, 1> so_get_option_table{{
    {26, "SO_GET_FILTER"},
}};
inline constexpr std::array<FlagName, 37> tcp_option_table{{
    {1, "TCP_NODELAY"},
    {2, "TCP_MAXSEG"},
    {3, "TCP_CORK"},
    {4, "TCP_KEEPIDLE"},
    {5, "TCP_KEEPINTVL"},
    {6, "TCP_KEEPCNT"},
    {7, "TCP_SYNCNT"},
    {8, "TCP_LINGER2"},
    {9, "TCP_DEFER_ACCEPT"},
    {10, "TCP_WINDOW_CLAMP"},
    {11, "TCP_INFO"},
    {12, "TCP_QUICKACK"},
    {13, "TCP_CONGESTION"},
    {14, "TCP_MD5SIG"},
    {15, "TCP_COOKIE_TRANSACTIONS"},
    {16, "TCP_THIN_LINEAR_TIMEOUTS"},
    {17, "TCP_THIN_DUPACK"},
    {18, "TCP_USER_TIMEOUT"},
    {19, "TCP_REPAIR"},
    {20, "TCP_REPAIR_QUEUE"},
    {21, "TCP_QUEUE_SEQ"},
    {22, "TCP_REPAIR_OPTIONS"},
    {23, "TCP_FASTOPEN"},
    {24, "TCP_TIMESTAMP"},
    {25, "TCP_NOTSENT_LOWAT"},
    {26, "TCP_CC_INFO"},
    {27, "TCP_SAVE_SYN"},
    {28, "TCP_SAVED_SYN"},
    {29, "TCP_REPAIR_WINDOW"},
    {30, "TCP_FASTOPEN_CONNECT"},
    {31, "TCP_ULP"},
    {32, "TCP_MD5SIG_EXT"},
    {33, "TCP_FASTOPEN_KEY"},
    {34, "TCP_FASTOPEN_NO_COOKIE"},
    {35, "TCP_ZEROCOPY_RECEIVE"},
    {36, "TCP_INQ"},
    {37, "TCP_TX_DELAY"},
}};
inline constexpr std::array<FlagName, 6> udp_option_table{{
    {1, "UDP_CORK"},
    {100, "UDP_ENCAP"},
    {101, "UDP_NO_CHECK6_TX"},
    {102, "UDP_NO_CHECK6_RX"},
    {103, "UDP_SEGMENT"},
    {104, "UDP_GRO"},
}};
inline constexpr std::array<FlagName, 64> ipv6_option_table{{
    {1, "IPV6_ADDRFORM"},
    {2, "IPV6_2292PKTINFO"},
    {3, "IPV6_2292HOPOPTS"},
    {4, "IPV6_2292DSTOPTS"},
    {5, "IPV6_2292RTHDR"},
    {6, "IPV6_2292PKTOPTIONS"},
    {7, "IPV6_CHECKSUM"},
    {8, "IPV6_2292HOPLIMIT"},
    {9, "IPV6_NEXTHOP"},
    {10, "IPV6_AUTHHDR"},
    {11, "IPV6_FLOWINFO"},
    {16, "IPV6_UNICAST_HOPS"},
    {17, "IPV6_MULTICAST_IF"},
    {18, "IPV6_MULTICAST_HOPS"},
    {19, "IPV6_MULTICAST_LOOP"},
    {20, "IPV6_ADD_MEMBERSHIP"},
    {21, "IPV6_DROP_MEMBERSHIP"},
    {22, "IPV6_ROUTER_ALERT"},
    {23, "IPV6_MTU_DISCOVER"},
    {24, "IPV6_MTU"},
    {25, "IPV6_RECVERR"},
    {26, "IPV6_V6ONLY"},
    {27, "IPV6_JOIN_ANYCAST"},
    {28, "IPV6_LEAVE_ANYCAST"},
    {29, "IPV6_MULTICAST_ALL"},
    {30, "IPV6_ROUTER_ALERT_ISOLATE"},
    {31, "IPV6_RECVERR_RFC4884"},
    {32, "IPV6_FLOWLABEL_MGR"},
    {33, "IPV6_FLOWINFO_SEND"},
    {34, "IPV6_IPSEC_POLICY"},
    {35, "IPV6_XFRM_POLICY"},
    {36, "IPV6_HDRINCL"},
    {42, "MCAST_JOIN_GROUP"},
    {43, "MCAST_BLOCK_SOURCE"},
    {44, "MCAST_UNBLOCK_SOURCE"},
    {45, "MCAST_LEAVE_GROUP"},
    {46, "MCAST_JOIN_SOURCE_GROUP"},
    {47, "MCAST_LEAVE_SOURCE_GROUP"},
    {48, "MCAST_MSFILTER"},
    {49, "IPV6_RECVPKTINFO"},
    {50, "IPV6_PKTINFO"},
    {51, "IPV6_RECVHOPLIMIT"},
    {52, "IPV6_HOPLIMIT"},
    {53, "IPV6_RECVHOPOPTS"},
    {54, "IPV6_HOPOPTS"},
    {55, "IPV6_RTHDRDSTOPTS"},
    {56, "IPV6_RECVRTHDR"},
    {57, "IPV6_RTHDR"},
    {58, "IPV6_RECVDSTOPTS"},
    {59, "IPV6_DSTOPTS"},
    {60, "IPV6_RECVPATHMTU"},
    {61, "IPV6_PATHMTU"},
    {62, "IPV6_DONTFRAG"},
    {63, "IPV6_USE_MIN_MTU"},
    {66, "IPV6_RECVTCLASS"},
    {67, "IPV6_TCLASS"},
    {70, "IPV6_AUTOFLOWLABEL"},
    {72, "IPV6_ADDR_PREFERENCES"},
    {73, "IPV6_MINHOPCOUNT"},
    {74, "IPV6_ORIGDSTADDR"},
    {75, "IPV6_TRANSPARENT"},
    {76, "IPV6_UNICAST_IF"},
    {77, "IPV6_RECVFRAGSIZE"},
    {78, "IPV6_FREEBIND"},
}};
inline constexpr std::array<FlagName, 2> ipv6_set_option_table{{
    {64, "IP6T_SO_SET_REPLACE"},
    {65, "IP6T_SO_SET_ADD_COUNTERS"},
}};
inline constexpr std::array<FlagName, 4> ipv6_get_option_table{{
    {64, "IP6T_SO_GET_INFO"},
    {65, "IP6T_SO_GET_ENTRIES"},
    {68, "IP6T_SO_GET_REVISION_MATCH"},
    {69, "IP6T_SO_GET_REVISION_TARGET"},
}};
inline constexpr std::array<FlagName, 1> raw_option_table{{
    {1, "ICMP_FILTER"},
}};
inline constexpr std::array<FlagName, 22> packet_option_table{{
    {1, "PACKET_ADD_MEMBERSHIP"}, {2, "PACKET_DROP_MEMBERSHIP"},
    {3, "PACKET_RECV_OUTPUT"},    {5, "PACKET_RX_RING"},
    {6, "PACKET_STATISTICS"},     {7, "PACKET_COPY_THRESH"},
    {8, "PACKET_AUXDATA"},        {9, "PACKET_ORIGDEV"},
    {10, "PACKET_VERSION"},       {11, "PACKET_HDRLEN"},
    {12, "PACKET_RESERVE"},       {13, "PACKET_TX_RING"},
    {14, "PACKET_LOSS"},          {15, "PACKET_VNET_HDR"},
    {16, "PACKET_TX_TIMESTAMP"},  {17, "PACKET_TIMESTAMP"},
    {18, "PACKET_FANOUT"},        {19, "PACKET_TX_HAS_OFF"},
    {20, "PACKET_QDISC_BYPASS"},  {21, "PACKET_ROLLOVER_STATS"},
    {22, "PACKET_FANOUT_DATA"},   {23, "PACKET_IGNORE_OUTGOING"},
}};
inline constexpr std::array<FlagName, 12> netlink_option_table{{
    {1, "NETLINK_ADD_MEMBERSHIP"},
    {2, "NETLINK_DROP_MEMBERSHIP"},
    {3, "NETLINK_PKTINFO"},
    {4, "NETLINK_BROADCAST_ERROR"},
    {5, "NETLINK_NO_ENOBUFS"},
    {6, "NETLINK_RX_RING"},
    {7, "NETLINK_TX_RING"},
    {8, "NETLINK_LISTEN_ALL_NSID"},
    {9, "NETLINK_LIST_MEMBERSHIPS"},
    {10, "NETLINK_CAP_ACK"},
    {11, "NETLINK_EXT_ACK"},
    {12, "NETLINK_GET_STRICT_CHK"},
}};

inline constexpr std::uint32_t sol_socket = 1;
inline constexpr std::uint32_t sol_netlink = 270;
// The SOL_SOCKET options whose values are not ints.
inline constexpr std::uint32_t so_error = 4;
inline constexpr std::uint32_t so_linger = 13;
inline constexpr std::uint32_t so_peercred = 17;

/// struct linger: `{l_onoff=1, l_linger=5}` when `len` holds it, else the address.
inline std::string linger_at(const ReadMemory& read, std::uint64_t addr, std::int64_t len) {
    std::array<std::int32_t, 2> l{};
    if (len < 8 || !read_struct(read, addr, l)) {
        return pointer(addr);
    }
    return "{l_onoff=" + std::to_string(l[0]) + ", l_linger=" + std::to_string(l[1]) + "}";
}

} // namespace detail

/// A socket option level: `SOL_SOCKET`, or `0xc8 /* SOL_?? */`.
inline std::string sockopt_level_text(std::uint64_t level) {
    return value_name(level & 0xffffffff, detail::sockopt_level_table,
                      hex(level & 0xffffffff) + " /* SOL_?? */");
}

/// An option of `level`: `SO_REUSEADDR`, `0x63 /* TCP_??? */`, or the number for a level whose
/// options are not named here. `get`: getsockopt's (some numbers have another name there).
inline std::string sockopt_name_text(std::uint64_t level, std::uint64_t name, bool get) {
    using namespace detail;
    const std::uint64_t n = name & 0xffffffff;
    // The name of the call's own table, else the common one.
    const auto named = [n, get](std::span<const FlagName> set_only,
                                std::span<const FlagName> get_only,
                                std::span<const FlagName> common, std::string_view prefix) {
        return value_name(n, get ? get_only : set_only, constant(n, common, prefix));
    };
    switch (level & 0xffffffff) {
    case 0:
        return named(ip_set_option_table, ip_get_option_table, ip_option_table, "IP_");
    case sol_socket:
        return named(so_set_option_table, so_get_option_table, so_option_table, "SO_");
    case 6:
        return constant(n, tcp_option_table, "TCP_");
    case 17:
        return constant(n, udp_option_table, "UDP_");
    case 41:
        return named(ipv6_set_option_table, ipv6_get_option_table, ipv6_option_table, "IPV6_");
    case 255:
        return constant(n, raw_option_table, "RAW_");
    case 263:
        return constant(n, packet_option_table, "PACKET_");
    case sol_netlink:
        return constant(n, netlink_option_table, "NETLINK_");
    default:
        return std::to_string(n);
    }
}

namespace detail {

/// The SOL_SOCKET options strace 6.1 prints as an int from 4 bytes on (the first 4) and as the
/// address when shorter; the others of that level follow the general rule (an int when the
/// value is exactly 4 bytes, else its bytes). Read off strace 6.1 on every option number.
inline constexpr std::array<std::uint8_t, 44> so_int_options{
    1,  2,  5,  6,  7,  8,  9,  10, 11, 12, 14, 15, 16, 18, 19, 27, 29, 30, 32, 33, 34, 35,
    36, 37, 40, 41, 42, 43, 44, 45, 46, 49, 53, 56, 60, 63, 64, 65, 68, 69, 70, 73, 74, 75,
};

/// Whether SOL_SOCKET option `name` is one of so_int_options.
inline bool is_so_int_option(std::int64_t name) {
    return std::find(so_int_options.begin(), so_int_options.end(), name) != so_int_options.end();
}

/// The fields (32-bit words) of a struct getsockopt wrote `rlen` bytes of, as strace 6.1
/// prints a short one: the whole words, then what is left of the next in hex, then no more
/// (`{l_onoff=0, l_linger="\x00\x00"}`). `ids`: the fields after the first are user and
/// group ids (struct ucred). The address when it cannot be read.
inline std::string written_fields(const ReadMemory& read, std::uint64_t addr, std::int32_t rlen,
                                  std::initializer_list<std::string_view> names, bool ids) {
    std::array<std::uint8_t, 12> bytes{};
    const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(rlen), 4 * names.size());
    if (!read(addr, std::as_writable_bytes(std::span(bytes.data(), n)))) {
        return pointer(addr);
    }
    std::string out = "{";
    std::size_t at = 0;
    for (const std::string_view name : names) {
        if (at >= n) {
            break;
        }
        out += (at == 0 ? "" : ", ") + std::string(name) + "=";
        if (n - at < 4) {
            out +=
                quote(std::string(reinterpret_cast<const char*>(bytes.data()) + at, n - at), true);
            break;
        }
        const auto word = load<std::uint32_t>(bytes, at);
        out += at != 0 && ids ? id_text(word) : std::to_string(static_cast<std::int32_t>(word));
        at += 4;
    }
    return out + "}";
}

/// IP_ADD_MEMBERSHIP's struct ip_mreq (8 bytes or more): `{imr_multiaddr=inet_addr("224.0.0.251"),
/// imr_interface=inet_addr("0.0.0.0")}`; else the address.
inline std::string ip_mreq_at(const ReadMemory& read, std::uint64_t addr, std::int64_t len) {
    std::array<std::uint8_t, 8> m{};
    if (len < 8 || !read_struct(read, addr, m)) {
        return pointer(addr);
    }
    return "{imr_multiaddr=" + inet_addr_text(m, 0) + ", imr_interface=" + inet_addr_text(m, 4) +
           "}";
}

/// IPV6_ADD_MEMBERSHIP's struct ipv6_mreq (20 bytes or more); else the address.
inline std::string ipv6_mreq_at(const ReadMemory& read, std::uint64_t addr, std::int64_t len) {
    std::array<std::uint8_t, 20> m{};
    if (len < 20 || !read_struct(read, addr, m)) {
        return pointer(addr);
    }
    std::array<char, INET6_ADDRSTRLEN> text{};
    ::inet_ntop(AF_INET6, m.data(), text.data(), text.size());
    return "{inet_pton(AF_INET6, \"" + std::string(text.data()) +
           "\", &ipv6mr_multiaddr), ipv6mr_interface=" + ifindex_text(load<std::uint32_t>(m, 16)) +
           "}";
}

/// MCAST_JOIN_GROUP's struct group_req (136 bytes or more): `{gr_interface=...,
/// gr_group={sa_family=AF_INET, ...}}`; else the address.
inline std::string group_req_at(const ReadMemory& read, std::uint64_t addr, std::int64_t len) {
    std::array<std::uint8_t, 136> g{}; // gr_interface, padding, a struct sockaddr_storage
    if (len < 136 || !read_struct(read, addr, g)) {
        return pointer(addr);
    }
    const std::span<const std::uint8_t> group(g.data() + 8, sockaddr_max);
    return "{gr_interface=" + ifindex_text(load<std::uint32_t>(g, 0)) +
           ", gr_group=" + *sockaddr_text(group) + "}";
}

} // namespace detail

/// setsockopt's value of `len` bytes at `addr`, as strace 6.1 prints it: a struct for the
/// options it decodes (SO_LINGER, a socket filter, multicast memberships), an int or the
/// address for SOL_SOCKET's int options and SOL_NETLINK's, else an int when exactly 4 bytes and
/// the bytes otherwise.
inline std::string setsockopt_value(const ReadMemory& read, std::uint64_t level_reg,
                                    std::uint64_t name_reg, std::uint64_t addr, std::int64_t len,
                                    std::size_t limit) {
    using namespace detail;
    const auto level = static_cast<std::uint32_t>(level_reg);
    const auto name = static_cast<std::uint32_t>(name_reg);
    if (addr == 0) {
        return "NULL";
    }
    if (level == sol_socket) {
        if (name == so_linger) {
            return linger_at(read, addr, len);
        }
        if (name == 26 || name == 51) { // SO_ATTACH_FILTER, SO_ATTACH_REUSEPORT_CBPF
            return len == 16 ? sock_fprog_at(read, addr) : pointer(addr);
        }
        if (is_so_int_option(name)) {
            return len < 4 ? pointer(addr) : int_at(read, addr);
        }
    }
    if (level == 0 && (name == 35 || name == 36)) { // IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP
        return ip_mreq_at(read, addr, len);
    }
    // IPV6_ADD_MEMBERSHIP, IPV6_DROP_MEMBERSHIP, IPV6_JOIN_ANYCAST, IPV6_LEAVE_ANYCAST
    if (level == 41 && (name == 20 || name == 21 || name == 27 || name == 28)) {
        return ipv6_mreq_at(read, addr, len);
    }
    if ((level == 0 || level == 41) && (name == 42 || name == 45)) { // MCAST_JOIN/LEAVE_GROUP
        return group_req_at(read, addr, len);
    }
    if (level == sol_netlink) {
        return len < 4 ? pointer(addr) : int_at(read, addr);
    }
    if (len == 4) {
        return int_at(read, addr);
    }
    return len < 0 ? pointer(addr)
                   : buffer_text(read, addr, static_cast<std::uint64_t>(len), limit);
}

/// getsockopt's value, `rlen` bytes the kernel wrote at `addr` (`ulen` given).
inline std::string getsockopt_value(const ReadMemory& read, std::uint64_t level_reg,
                                    std::uint64_t name_reg, std::uint64_t addr, std::int32_t ulen,
                                    std::int32_t rlen, std::size_t limit) {
    using namespace detail;
    const auto level = static_cast<std::uint32_t>(level_reg);
    const auto name = static_cast<std::uint32_t>(name_reg);
    if (ulen <= 0 || rlen <= 0 || addr == 0) {
        return pointer(addr);
    }
    if (level == sol_socket && name == so_linger) {
        return written_fields(read, addr, rlen, {"l_onoff", "l_linger"}, false);
    }
    if (level == sol_socket && name == so_peercred) { // struct ucred: pid, uid, gid
        return written_fields(read, addr, rlen, {"pid", "uid", "gid"}, true);
    }
    if (level == sol_socket && name == so_error) { // an errno
        if (rlen != 4) {
            return buffer_text(read, addr, static_cast<std::uint64_t>(rlen), limit, true);
        }
        return written_at<std::int32_t>(read, addr, [](std::int32_t err) {
            const std::string_view errname = ptrace_api::errno_name(err);
            return err == 0 || errname.empty() ? std::to_string(err) : std::string(errname);
        });
    }
    if (level == sol_socket && is_so_int_option(name)) {
        return rlen < 4 ? buffer_text(read, addr, static_cast<std::uint64_t>(rlen), limit, true)
                        : int_at(read, addr);
    }
    if (level == sol_netlink || rlen == 4) {
        return int_at(read, addr);
    }
    return buffer_text(read, addr, static_cast<std::uint64_t>(rlen), limit);
}

} // namespace strace_example
