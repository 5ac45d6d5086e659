// SPDX-License-Identifier: MIT
// Route messages on a NETLINK_ROUTE socket (RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE: struct
// rtmsg and the RTA_ attributes), each as strace decodes them. First the dump `ip route` asks
// for (the main table's IPv4 routes) and its answer, then a route lookup (RTM_GETROUTE for
// 127.0.0.1) and its answer. Then buffers made up here and sent to a port nobody holds (the
// kernel refuses them, ECONNREFUSED, after the tracer has read them): the struct's fields
// (every table, protocol, scope, type and flag strace names, and some it does not; a struct cut
// short) and every attribute with values of each family, of their size, too short and longer,
// with a route's metrics and a multipath route's next hops.
#include <array>
#include <cstdint>
#include <cstring>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "netlink_buffer.hpp"

namespace {

using netlink_target::ask_kernel;
using netlink_target::Buffer;
using netlink_target::send_nowhere;

/// struct rtmsg.
rtmsg route(std::uint8_t family, std::uint8_t table, std::uint8_t protocol, std::uint8_t scope,
            std::uint8_t type, std::uint32_t flags = 0, std::uint8_t tos = 0) {
    rtmsg m{};
    m.rtm_family = family;
    m.rtm_dst_len = 24;
    m.rtm_tos = tos;
    m.rtm_table = table;
    m.rtm_protocol = protocol;
    m.rtm_scope = scope;
    m.rtm_type = type;
    m.rtm_flags = flags;
    return m;
}

} // namespace

int main() {
    const int fd = netlink_target::route_socket();
    if (fd < 0) {
        return 77;
    }

    // The main table's IPv4 routes, as `ip route` asks for them; a lookup of 127.0.0.1.
    Buffer b;
    b.begin(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
    rtmsg dump = route(AF_INET, RT_TABLE_UNSPEC, RTPROT_UNSPEC, RT_SCOPE_UNIVERSE, RTN_UNSPEC);
    dump.rtm_dst_len = 0;
    b.put(&dump, sizeof dump);
    b.attr_u32(RTA_TABLE, RT_TABLE_MAIN);
    b.end();
    ask_kernel(fd, b);
    b.clear();
    b.begin(RTM_GETROUTE, NLM_F_REQUEST);
    rtmsg lookup = route(AF_INET, RT_TABLE_UNSPEC, RTPROT_UNSPEC, RT_SCOPE_UNIVERSE, RTN_UNSPEC);
    lookup.rtm_dst_len = 32;
    b.put(&lookup, sizeof lookup);
    const std::array<std::uint8_t, 4> loopback{127, 0, 0, 1};
    b.attr(RTA_DST, loopback.data(), loopback.size());
    b.end();
    ask_kernel(fd, b);

    // The struct's fields, known and not; a struct cut short.
    b.clear();
    for (const std::uint8_t table : std::array<std::uint8_t, 6>{0, 1, 100, 252, 253, 255}) {
        b.begin(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_CREATE);
        const rtmsg m = route(AF_INET, table, RTPROT_BOOT, RT_SCOPE_LINK, RTN_UNICAST);
        b.put(&m, sizeof m);
        b.end();
    }
    for (const std::uint8_t tos : std::array<std::uint8_t, 4>{1, 0x1e, 5, 0xff}) {
        b.begin(RTM_DELROUTE, NLM_F_REQUEST);
        const rtmsg m =
            route(AF_INET6, RT_TABLE_MAIN, RTPROT_KERNEL, RT_SCOPE_UNIVERSE, RTN_LOCAL, 0, tos);
        b.put(&m, sizeof m);
        b.end();
    }
    send_nowhere(fd, b);
    b.clear();
    for (std::uint16_t protocol = 0; protocol < 20; ++protocol) {
        b.begin(RTM_NEWROUTE, NLM_F_REQUEST);
        const rtmsg m = route(AF_INET, RT_TABLE_MAIN, static_cast<std::uint8_t>(protocol),
                              RT_SCOPE_UNIVERSE, RTN_UNICAST);
        b.put(&m, sizeof m);
        b.end();
    }
    for (const std::uint8_t protocol :
         std::array<std::uint8_t, 10>{42, 99, 186, 187, 188, 189, 192, 193, 200, 250}) {
        b.begin(RTM_NEWROUTE, NLM_F_REQUEST);
        const rtmsg m = route(AF_INET, RT_TABLE_MAIN, protocol, RT_SCOPE_UNIVERSE, RTN_UNICAST);
        b.put(&m, sizeof m);
        b.end();
    }
    send_nowhere(fd, b);
    b.clear();
    constexpr std::array<std::uint8_t, 6> scopes{0, 1, 200, 253, 254, 255};
    for (std::size_t type = 0; type < 14; ++type) {
        b.begin(RTM_GETROUTE, NLM_F_REQUEST);
        const rtmsg m = route(AF_INET, RT_TABLE_MAIN, RTPROT_STATIC, scopes[type % scopes.size()],
                              static_cast<std::uint8_t>(type));
        b.put(&m, sizeof m);
        b.end();
    }
    for (std::uint32_t bit = 8; bit < 32; bit += 1) {
        b.begin(RTM_GETROUTE, NLM_F_REQUEST);
        const rtmsg m =
            route(AF_INET, RT_TABLE_MAIN, RTPROT_STATIC, RT_SCOPE_UNIVERSE, RTN_UNICAST, 1U << bit);
        b.put(&m, sizeof m);
        b.end();
    }
    b.begin(RTM_NEWROUTE, NLM_F_REQUEST);
    const rtmsg cut = route(AF_INET, RT_TABLE_MAIN, RTPROT_STATIC, RT_SCOPE_UNIVERSE, RTN_UNICAST);
    b.put(&cut, 11);
    b.end();
    send_nowhere(fd, b);

    // Every attribute: addresses of each family, of their size and not; numbers too short and
    // longer; the structs at their size and not; names strace does not know.
    const std::array<std::uint8_t, 20> bytes{1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                             11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    for (const std::uint8_t family :
         std::array<std::uint8_t, 4>{AF_INET, AF_INET6, AF_BRIDGE, AF_UNSPEC}) {
        b.clear();
        b.begin(RTM_NEWROUTE, NLM_F_REQUEST);
        const rtmsg m = route(family, RT_TABLE_MAIN, RTPROT_STATIC, RT_SCOPE_UNIVERSE, RTN_UNICAST);
        b.put(&m, sizeof m);
        for (const std::uint16_t type :
             std::array<std::uint16_t, 5>{RTA_DST, RTA_SRC, RTA_GATEWAY, RTA_PREFSRC, RTA_NEWDST}) {
            b.attr(type, bytes.data(), 16);
            b.attr(type, bytes.data(), 4);
            b.attr(type, bytes.data(), 2);
        }
        b.end();
        send_nowhere(fd, b);
    }
    b.clear();
    b.begin(RTM_NEWROUTE, NLM_F_REQUEST);
    const rtmsg m = route(AF_INET, RT_TABLE_MAIN, RTPROT_STATIC, RT_SCOPE_UNIVERSE, RTN_UNICAST);
    b.put(&m, sizeof m);
    for (std::uint16_t type = 0; type < 34; ++type) {
        if (type != RTA_METRICS && type != RTA_MULTIPATH) {
            b.attr(type, bytes.data(), 4);
            b.attr(type, bytes.data(), 1);
            b.attr(type, bytes.data(), 8);
        }
    }
    b.end();
    send_nowhere(fd, b);
    b.clear();
    b.begin(RTM_NEWROUTE, NLM_F_REQUEST);
    b.put(&m, sizeof m);
    b.attr_u32(RTA_OIF, 1);
    b.attr_u32(RTA_IIF, 0x7fff0000);
    for (const std::uint32_t table : std::array<std::uint32_t, 4>{0, 253, 254, 5000}) {
        b.attr_u32(RTA_TABLE, table);
    }
    const std::array<std::uint32_t, 8> cache{1, 2, 3, 4, 5, 6, 7, 8};
    b.attr(RTA_CACHEINFO, cache.data(), sizeof cache);
    b.attr(RTA_CACHEINFO, cache.data(), 28);
    const std::array<std::uint64_t, 3> mfc{1, 2, 3};
    b.attr(RTA_MFC_STATS, mfc.data(), sizeof mfc);
    b.attr(RTA_MFC_STATS, mfc.data(), 16);
    for (const std::uint16_t family :
         std::array<std::uint16_t, 4>{AF_INET, AF_INET6, AF_PACKET, 0}) {
        std::array<std::uint8_t, 18> via{};
        std::memcpy(via.data(), &family, sizeof family);
        std::memcpy(via.data() + 2, bytes.data(), 16);
        b.attr(RTA_VIA, via.data(), via.size());
        b.attr(RTA_VIA, via.data(), 4);
        b.attr(RTA_VIA, via.data(), 2);
    }
    for (std::uint16_t encap = 0; encap < 11; ++encap) {
        b.attr(RTA_ENCAP_TYPE, &encap, sizeof encap);
    }
    for (const std::uint8_t value : std::array<std::uint8_t, 4>{0, 1, 6, 255}) {
        b.attr_u8(RTA_PREF, value);
        b.attr_u8(RTA_IP_PROTO, value);
    }
    const std::uint64_t expires = 0x123456789;
    b.attr(RTA_EXPIRES, &expires, sizeof expires);
    b.end();
    send_nowhere(fd, b);

    // RTA_METRICS: every metric, the congestion control's name with and without its 0, names
    // strace does not know; RTA_MULTIPATH: next hops with and without attributes of their own,
    // every flag, 40 of them (strace shows them all whatever -s says), under each family.
    b.clear();
    b.begin(RTM_NEWROUTE, NLM_F_REQUEST);
    b.put(&m, sizeof m);
    Buffer metrics;
    for (std::uint16_t type = 0; type < 20; ++type) {
        metrics.attr_u32(type, 0x1f);
    }
    metrics.attr(RTAX_CC_ALGO, "cubic", 6);
    metrics.attr_text(RTAX_CC_ALGO, "bbr");
    metrics.attr_u8(RTAX_MTU, 1);
    metrics.attr_u32(RTAX_LOCK, 0xffffffff);
    b.attr(RTA_METRICS, metrics);
    b.end();
    send_nowhere(fd, b);
    for (const std::uint8_t family : std::array<std::uint8_t, 2>{AF_INET, AF_INET6}) {
        b.clear();
        b.begin(RTM_NEWROUTE, NLM_F_REQUEST);
        const rtmsg multi =
            route(family, RT_TABLE_MAIN, RTPROT_STATIC, RT_SCOPE_UNIVERSE, RTN_UNICAST);
        b.put(&multi, sizeof multi);
        Buffer hops;
        const rtnexthop first{16, RTNH_F_DEAD, 2, 1};
        hops.put(&first, sizeof first);
        hops.attr(RTA_GATEWAY, bytes.data(), 4);
        for (std::uint16_t flags = 0; flags < 0x100; flags = flags == 0 ? 1 : flags * 2) {
            const rtnexthop hop{8, static_cast<std::uint8_t>(flags), 0, 99};
            hops.put(&hop, sizeof hop);
        }
        b.attr(RTA_MULTIPATH, hops);
        Buffer many;
        for (int i = 0; i < 40; ++i) {
            const rtnexthop hop{8, 0, static_cast<std::uint8_t>(i), 1};
            many.put(&hop, sizeof hop);
        }
        b.attr(RTA_MULTIPATH, many);
        Buffer lone;
        const rtnexthop hop{8, RTNH_F_ONLINK, 1, 1};
        lone.put(&hop, sizeof hop);
        b.attr(RTA_MULTIPATH, lone);
        b.end();
        send_nowhere(fd, b);
    }
    ::close(fd);
    return 0;
}
