// SPDX-License-Identifier: MIT
// Neighbour and routing rule messages on a NETLINK_ROUTE socket (RTM_NEWNEIGH and its kin:
// struct ndmsg and the NDA_ attributes; RTM_NEWRULE and its kin: struct fib_rule_hdr and the
// FRA_ attributes), each as strace decodes them. First the dumps `ip neigh show dev lo` and
// `ip rule` ask for (the loopback device's neighbours are static) and their answers. Then
// buffers made up here and sent to a port nobody holds (the kernel refuses them, ECONNREFUSED,
// after the tracer has read them): every state, flag, type and action strace names and some it
// does not, structs cut short, and every attribute with values of their size, too short and
// longer.
#include <array>
#include <cstdint>
#include <cstring>

#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netlink_buffer.hpp"

namespace {

using netlink_target::ask_kernel;
using netlink_target::Buffer;
using netlink_target::send_nowhere;

ndmsg neighbour(std::uint8_t family, std::int32_t index, std::uint16_t state, std::uint8_t flags,
                std::uint8_t type) {
    ndmsg m{};
    m.ndm_family = family;
    m.ndm_ifindex = index;
    m.ndm_state = state;
    m.ndm_flags = flags;
    m.ndm_type = type;
    return m;
}

fib_rule_hdr rule(std::uint8_t family, std::uint8_t tos, std::uint8_t table, std::uint8_t action,
                  std::uint32_t flags) {
    fib_rule_hdr h{};
    h.family = family;
    h.tos = tos;
    h.table = table;
    h.action = action;
    h.flags = flags;
    return h;
}

} // namespace

int main() {
    const int fd = netlink_target::route_socket();
    if (fd < 0) {
        return 77;
    }
    // The loopback device's neighbours, as `ip neigh show dev lo` asks for them; the rules.
    Buffer b;
    b.begin(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP);
    const ndmsg all = neighbour(AF_UNSPEC, 0, 0, 0, 0);
    b.put(&all, sizeof all);
    b.attr_u32(NDA_IFINDEX, 1);
    b.end();
    ask_kernel(fd, b);
    b.clear();
    b.begin(RTM_GETRULE, NLM_F_REQUEST | NLM_F_DUMP);
    const fib_rule_hdr rules = rule(AF_INET, 0, 0, 0, 0);
    b.put(&rules, sizeof rules);
    b.end();
    ask_kernel(fd, b);

    // struct ndmsg: every state and flag, one by one and together, unknown ones; cut short.
    b.clear();
    for (std::uint32_t bit = 0; bit < 16; ++bit) {
        b.begin(RTM_NEWNEIGH, NLM_F_REQUEST);
        const ndmsg m = neighbour(AF_INET, 1, static_cast<std::uint16_t>(1U << bit),
                                  static_cast<std::uint8_t>(1U << (bit % 8)), RTN_UNICAST);
        b.put(&m, sizeof m);
        b.end();
    }
    b.begin(RTM_DELNEIGH, NLM_F_REQUEST);
    const ndmsg odd = neighbour(AF_BRIDGE, -3, 0x41, 0x03, 12);
    b.put(&odd, sizeof odd);
    b.end();
    b.begin(RTM_GETNEIGH, NLM_F_REQUEST);
    const ndmsg none = neighbour(AF_INET6, 0, 0, 0, RTN_UNSPEC);
    b.put(&none, sizeof none);
    b.end();
    b.begin(RTM_NEWNEIGH, NLM_F_REQUEST);
    b.put(&none, 11);
    b.end();
    send_nowhere(fd, b);

    // Every NDA_ attribute (but NDA_FDB_EXT_ATTRS, which this example leaves as bytes), with a
    // 4-byte value, then each of a size of its own and too short.
    const std::array<std::uint8_t, 40> bytes{0xc0, 0xa8, 2, 1, 5, 6, 7, 8, 9, 10};
    b.clear();
    b.begin(RTM_NEWNEIGH, NLM_F_REQUEST);
    const ndmsg v4 = neighbour(AF_INET, 1, NUD_REACHABLE, 0, RTN_UNICAST);
    b.put(&v4, sizeof v4);
    for (std::uint16_t type = 0; type < 20; ++type) {
        if (type != NDA_FDB_EXT_ATTRS) {
            b.attr(type, bytes.data(), 4);
        }
    }
    b.end();
    send_nowhere(fd, b);
    b.clear();
    b.begin(RTM_NEWNEIGH, NLM_F_REQUEST);
    const ndmsg v6 = neighbour(AF_INET6, 1, NUD_STALE, NTF_ROUTER, RTN_UNICAST);
    b.put(&v6, sizeof v6);
    b.attr(NDA_DST, bytes.data(), 16);
    b.attr(NDA_DST, bytes.data(), 4);
    for (const std::size_t size : std::array<std::size_t, 4>{1, 7, 32, 33}) {
        b.attr(NDA_LLADDR, bytes.data(), size);
    }
    const std::array<std::uint32_t, 4> cache{1, 2, 3, 4};
    b.attr(NDA_CACHEINFO, cache.data(), sizeof cache);
    b.attr(NDA_CACHEINFO, cache.data(), 12);
    const std::uint16_t vlan = 0x1234;
    b.attr(NDA_VLAN, &vlan, sizeof vlan);
    b.attr(NDA_PORT, &vlan, sizeof vlan);
    b.attr(NDA_PORT, bytes.data(), 1);
    b.attr_u32(NDA_IFINDEX, 1);
    b.attr_u32(NDA_MASTER, 0);
    b.attr_u32(NDA_LINK_NETNSID, 0xffffffff);
    for (const std::uint8_t protocol : std::array<std::uint8_t, 4>{0, 6, 3, 255}) {
        b.attr_u8(NDA_PROTOCOL, protocol);
    }
    const std::uint16_t mptcp = 262;
    b.attr(NDA_PROTOCOL, &mptcp, sizeof mptcp);
    b.attr(NDA_PROTOCOL, bytes.data(), 9);
    for (std::uint32_t flags = 0; flags < 5; ++flags) {
        b.attr_u32(NDA_FLAGS_EXT, flags);
    }
    for (const std::uint16_t mask : std::array<std::uint16_t, 3>{0, 0x41, 0x1234}) {
        b.attr(NDA_NDM_STATE_MASK, &mask, sizeof mask);
    }
    b.attr_u8(NDA_NDM_STATE_MASK, 1);
    b.attr_u8(NDA_NDM_FLAGS_MASK, 0);
    b.attr_u8(NDA_NDM_FLAGS_MASK, 0xc1);
    b.end();
    send_nowhere(fd, b);

    // struct fib_rule_hdr: every action and flag, unknown ones, a table without a name; cut
    // short.
    b.clear();
    for (std::uint8_t action = 0; action < 10; ++action) {
        b.begin(RTM_NEWRULE, NLM_F_REQUEST | NLM_F_CREATE);
        const fib_rule_hdr h = rule(AF_INET, 0, RT_TABLE_MAIN, action, 0);
        b.put(&h, sizeof h);
        b.end();
    }
    for (std::uint32_t bit = 0; bit < 32; bit += 1) {
        b.begin(RTM_DELRULE, NLM_F_REQUEST);
        const fib_rule_hdr h = rule(AF_INET6, 5, 100, FR_ACT_TO_TBL, 1U << bit);
        b.put(&h, sizeof h);
        b.end();
    }
    b.begin(RTM_GETRULE, NLM_F_REQUEST);
    b.put(&rules, 11);
    b.end();
    send_nowhere(fd, b);

    // Every FRA_ attribute with a 4-byte value; then each of a size of its own, too short and
    // longer, under each family.
    for (const std::uint8_t family : std::array<std::uint8_t, 2>{AF_INET, AF_INET6}) {
        b.clear();
        b.begin(RTM_NEWRULE, NLM_F_REQUEST);
        const fib_rule_hdr h = rule(family, 0, RT_TABLE_MAIN, FR_ACT_TO_TBL, 0);
        b.put(&h, sizeof h);
        for (std::uint16_t type = 0; type < 27; ++type) {
            b.attr(type, bytes.data(), 4);
        }
        b.attr(FRA_DST, bytes.data(), 16);
        b.attr(FRA_IIFNAME, "eth0", 5);
        b.attr_text(FRA_OIFNAME, "lo");
        for (const std::uint32_t table : std::array<std::uint32_t, 3>{254, 7, 5000}) {
            b.attr_u32(FRA_TABLE, table);
        }
        for (const std::uint8_t protocol : std::array<std::uint8_t, 3>{3, 9, 250}) {
            b.attr_u8(FRA_PROTOCOL, protocol);
        }
        for (std::size_t size = 1; size < 10; ++size) {
            b.attr(FRA_IP_PROTO, bytes.data() + 4, size);
        }
        const std::array<std::uint16_t, 2> ports{80, 90};
        b.attr(FRA_SPORT_RANGE, ports.data(), sizeof ports);
        b.attr(FRA_DPORT_RANGE, ports.data(), 2);
        const std::array<std::uint32_t, 2> uids{0, 1000};
        b.attr(FRA_UID_RANGE, uids.data(), sizeof uids);
        b.attr(FRA_UID_RANGE, uids.data(), 4);
        b.attr(FRA_TUN_ID, bytes.data(), 8);
        b.attr(FRA_TUN_ID, bytes.data(), 9);
        b.attr_u8(FRA_L3MDEV, 1);
        b.end();
        send_nowhere(fd, b);
    }
    ::close(fd);
    return 0;
}
