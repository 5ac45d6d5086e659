// SPDX-License-Identifier: MIT
// setsockopt(2) and getsockopt(2) as strace 6.1 prints them: the level and the option by name,
// the value as an int (`[1]`), a struct (SO_LINGER, SO_PEERCRED), an errno (SO_ERROR) or the
// bytes, and getsockopt's in-out length (`[4]`, `[8 => 4]`).
#pragma once

#include <ptrace/errnos.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "format.hpp"
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

inline constexpr std::array<FlagName, 31> so_option_table{{
    {1, "SO_DEBUG"},          {2, "SO_REUSEADDR"},      {3, "SO_TYPE"},
    {4, "SO_ERROR"},          {5, "SO_DONTROUTE"},      {6, "SO_BROADCAST"},
    {7, "SO_SNDBUF"},         {8, "SO_RCVBUF"},         {9, "SO_KEEPALIVE"},
    {10, "SO_OOBINLINE"},     {11, "SO_NO_CHECK"},      {12, "SO_PRIORITY"},
    {13, "SO_LINGER"},        {14, "SO_BSDCOMPAT"},     {15, "SO_REUSEPORT"},
    {16, "SO_PASSCRED"},      {17, "SO_PEERCRED"},      {18, "SO_RCVLOWAT"},
    {19, "SO_SNDLOWAT"},      {20, "SO_RCVTIMEO_OLD"},  {21, "SO_SNDTIMEO_OLD"},
    {25, "SO_BINDTODEVICE"},  {26, "SO_ATTACH_FILTER"}, {27, "SO_DETACH_FILTER"},
    {29, "SO_TIMESTAMP_OLD"}, {30, "SO_ACCEPTCONN"},    {32, "SO_SNDBUFFORCE"},
    {33, "SO_RCVBUFFORCE"},   {36, "SO_MARK"},          {38, "SO_PROTOCOL"},
    {39, "SO_DOMAIN"},
}};

inline constexpr std::array<FlagName, 16> tcp_option_table{{
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
    {18, "TCP_USER_TIMEOUT"},
    {23, "TCP_FASTOPEN"},
    {25, "TCP_NOTSENT_LOWAT"},
}};

inline constexpr std::array<FlagName, 12> ip_option_table{{
    {1, "IP_TOS"},
    {2, "IP_TTL"},
    {3, "IP_HDRINCL"},
    {4, "IP_OPTIONS"},
    {8, "IP_PKTINFO"},
    {10, "IP_MTU_DISCOVER"},
    {11, "IP_RECVERR"},
    {12, "IP_RECVTTL"},
    {14, "IP_MTU"},
    {33, "IP_MULTICAST_TTL"},
    {34, "IP_MULTICAST_LOOP"},
    {35, "IP_ADD_MEMBERSHIP"},
}};

inline constexpr std::array<FlagName, 8> ipv6_option_table{{
    {16, "IPV6_UNICAST_HOPS"},
    {18, "IPV6_MULTICAST_HOPS"},
    {19, "IPV6_MULTICAST_LOOP"},
    {23, "IPV6_MTU_DISCOVER"},
    {24, "IPV6_MTU"},
    {25, "IPV6_RECVERR"},
    {26, "IPV6_V6ONLY"},
    {49, "IPV6_RECVPKTINFO"},
}};

inline constexpr std::array<FlagName, 4> udp_option_table{{
    {1, "UDP_CORK"},
    {100, "UDP_ENCAP"},
    {101, "UDP_NO_CHECK6_TX"},
    {102, "UDP_NO_CHECK6_RX"},
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
/// options are not named here.
inline std::string sockopt_name_text(std::uint64_t level, std::uint64_t name) {
    using namespace detail;
    const std::uint64_t n = name & 0xffffffff;
    switch (level & 0xffffffff) {
    case 0:
        return constant(n, ip_option_table, "IP_");
    case sol_socket:
        return constant(n, so_option_table, "SO_");
    case 6:
        return constant(n, tcp_option_table, "TCP_");
    case 17:
        return constant(n, udp_option_table, "UDP_");
    case 41:
        return constant(n, ipv6_option_table, "IPV6_");
    case sol_netlink:
        return constant(n, netlink_option_table, "NETLINK_");
    default:
        return std::to_string(n);
    }
}

/// setsockopt's value of `len` bytes at `addr`.
inline std::string setsockopt_value(const ReadMemory& read, std::uint64_t level_reg,
                                    std::uint64_t name_reg, std::uint64_t addr, std::int64_t len,
                                    std::size_t limit) {
    using namespace detail;
    const auto level = static_cast<std::uint32_t>(level_reg);
    const auto name = static_cast<std::uint32_t>(name_reg);
    if (addr == 0) {
        return "NULL";
    }
    if (level == sol_socket && name == so_linger) {
        return linger_at(read, addr, len);
    }
    if (level == sol_netlink) {
        return len < 4 ? pointer(addr) : int_at(read, addr);
    }
    if (len == 4) {
        return int_at(read, addr);
    }
    // Shorter than an int: strace 6.1 shows the address (seen with SO_REUSEADDR and 2 bytes).
    return len < 4 ? pointer(addr)
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
        return linger_at(read, addr, rlen);
    }
    if (level == sol_socket && name == so_peercred) { // struct ucred
        std::array<std::uint32_t, 3> cred{};          // pid, uid, gid
        if (rlen < 12 || !read_struct(read, addr, cred)) {
            return pointer(addr);
        }
        return "{pid=" + std::to_string(cred[0]) + ", uid=" + std::to_string(cred[1]) +
               ", gid=" + std::to_string(cred[2]) + "}";
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
    if (level == sol_netlink || rlen == 4) {
        return int_at(read, addr);
    }
    return buffer_text(read, addr, static_cast<std::uint64_t>(rlen), limit);
}

} // namespace strace_example
