// SPDX-License-Identifier: MIT
// Link messages on a NETLINK_ROUTE socket (RTM_NEWLINK and its kin: struct ifinfomsg and the
// IFLA_ attributes), each as strace decodes them. First a dump of the machine's devices, as
// `ip link` asks for it but without their counters (RTEXT_FILTER_SKIP_STATS: the loopback
// device's move between the two tracers' runs), and its answer. Then buffers made up here and
// sent to a port nobody holds (the kernel refuses them, ECONNREFUSED, after the tracer has read
// them): the struct's fields (flags known and not, a
// struct cut short), every attribute type with a value of its size, too short and longer,
// hardware addresses of each length under hardware types with and without a fixed one, the
// counters' structs at each size strace tells apart, and the nested lists strace decodes (the
// device's kind, XDP, IPv4's and IPv6's settings and counters, alternative names, the reasons a
// device is down), with lists and arrays longer than -s.
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

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

/// One RTM_NEWLINK message of a struct ifinfomsg of `family` and the attributes `fill` adds.
template <typename Fill>
void send_link(int fd, std::uint8_t family, Fill fill) {
    Buffer b;
    b.begin(RTM_NEWLINK, NLM_F_REQUEST);
    b.ifinfo(family, 1, 1, 0, 0);
    fill(b);
    b.end();
    send_nowhere(fd, b);
}

} // namespace

int main() {
    const int fd = netlink_target::route_socket();
    if (fd < 0) {
        return 77;
    }
    // The machine's devices without their counters.
    Buffer dump;
    dump.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
    dump.ifinfo(AF_UNSPEC, 0, 0, 0, 0);
    dump.attr_u32(IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
    dump.end();
    ask_kernel(fd, dump);

    // The struct: every flag, unknown ones, an unknown hardware type, a message cut short.
    Buffer b;
    b.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE);
    b.ifinfo(AF_UNSPEC, 772, 1, 0x7ffff, 0xffffffff);
    b.end();
    b.begin(RTM_SETLINK, NLM_F_REQUEST);
    b.ifinfo(AF_INET6, 9999, -5, 0xfff80001, 1);
    b.end();
    b.begin(RTM_DELLINK, NLM_F_REQUEST);
    b.ifinfo(AF_PACKET, 1, 1, 0, 0, 15);
    b.end();
    b.begin(RTM_GETLINK, NLM_F_REQUEST);
    b.ifinfo(AF_UNSPEC, 1, 0, 0x80000, 0);
    b.end();
    send_nowhere(fd, b);

    // Every type strace names and a few past them, with a 4-byte value (IFLA_PROTINFO and the
    // lists strace decodes with decoders this example lacks left out), then each again with a
    // 1-byte value and with an 8-byte one.
    for (const std::size_t size : std::array<std::size_t, 3>{4, 1, 8}) {
        send_link(fd, AF_UNSPEC, [size](Buffer& m) {
            const std::array<std::uint8_t, 8> value{4, 3, 2, 1, 0xff, 0xfe, 0, 1};
            for (std::uint16_t type = 0; type < 66; ++type) {
                if (type != IFLA_VFINFO_LIST && type != IFLA_VF_PORTS && type != IFLA_PORT_SELF) {
                    m.attr(type, value.data(), size);
                }
            }
        });
    }
    // Strings with and without their 0, longer than -s; an attribute with no value.
    send_link(fd, AF_UNSPEC, [](Buffer& m) {
        m.attr(IFLA_IFNAME, "eth0", 5);
        m.attr_text(IFLA_QDISC, "noqueue");
        m.attr(IFLA_IFALIAS, "in\0side", 8);
        m.attr(IFLA_ALT_IFNAME, "an-alternative-name-longer-than-32", 35);
        m.attr(IFLA_MTU, nullptr, 0);
    });
    // Hardware addresses: lengths around a type's own and MAX_ADDR_LEN, under the families
    // strace reads as hardware types (AF_UNSPEC: ARPHRD_NETROM, 7 bytes; AF_INET: none;
    // AF_BRIDGE: ARPHRD_ARCNET, 1 byte; AF_INET6: none...).
    for (const std::uint8_t family : std::array<std::uint8_t, 11>{
             AF_UNSPEC, AF_UNIX, AF_INET, AF_AX25, AF_BRIDGE, AF_INET6, 15, 24, 27, 32, 200}) {
        send_link(fd, family, [](Buffer& m) {
            std::array<std::uint8_t, 40> address{};
            for (std::size_t i = 0; i < address.size(); ++i) {
                address[i] = static_cast<std::uint8_t>(0xa0 + i);
            }
            for (const std::size_t size : std::array<std::size_t, 7>{1, 6, 7, 20, 32, 33, 40}) {
                m.attr(IFLA_ADDRESS, address.data(), size);
            }
            m.attr(IFLA_BROADCAST, address.data(), 6);
            m.attr(IFLA_PERM_ADDRESS, address.data(), 8);
        });
    }
    // The counters: struct rtnl_link_stats at 88, 92, 94, 96 and 100 bytes, rtnl_link_stats64
    // at 176 to 208; the device map at 27, 28 and 32 bytes.
    send_link(fd, AF_UNSPEC, [](Buffer& m) {
        for (const std::size_t words : std::array<std::size_t, 4>{22, 23, 24, 25}) {
            m.attr_words<std::uint32_t>(IFLA_STATS, words, 1000, 1);
        }
        const std::array<std::uint8_t, 94> odd{};
        m.attr(IFLA_STATS, odd.data(), odd.size());
        for (const std::size_t words : std::array<std::size_t, 5>{22, 23, 24, 25, 26}) {
            m.attr_words<std::uint64_t>(IFLA_STATS64, words, 0xfffffffff0, 3);
        }
        m.attr(IFLA_STATS64, odd.data(), 92);
        std::array<std::uint8_t, 32> map{};
        for (std::size_t i = 0; i < map.size(); ++i) {
            map[i] = static_cast<std::uint8_t>(i + 1);
        }
        for (const std::size_t size : std::array<std::size_t, 3>{27, 28, 32}) {
            m.attr(IFLA_MAP, map.data(), size);
        }
    });
    // Flags and constants: IFLA_EXT_MASK's filters, IFLA_EVENT's events, known and not.
    send_link(fd, AF_UNSPEC, [](Buffer& m) {
        for (std::uint32_t bit = 0; bit < 9; ++bit) {
            m.attr_u32(IFLA_EXT_MASK, 1U << bit);
        }
        m.attr_u32(IFLA_EXT_MASK, 0);
        m.attr_u32(IFLA_EXT_MASK, 0x1020304);
        for (std::uint32_t event = 0; event < 9; ++event) {
            m.attr_u32(IFLA_EVENT, event);
        }
        m.attr_u32(IFLA_NEW_IFINDEX, 1);
        m.attr_u32(IFLA_NEW_IFINDEX, 0x7fff0000);
        m.attr_u32(IFLA_LINK_NETNSID, static_cast<std::uint32_t>(-1));
    });
    // IFLA_LINKINFO: kinds whose data strace prints as bytes, with and without their 0.
    send_link(fd, AF_UNSPEC, [](Buffer& m) {
        Buffer info;
        info.attr(IFLA_INFO_KIND, "veth", 5);
        Buffer data;
        data.attr_u32(1, 1);
        info.attr(IFLA_INFO_DATA, data);
        info.attr_u32(IFLA_INFO_XSTATS, 1);
        info.attr(IFLA_INFO_SLAVE_KIND, "bond", 5);
        info.attr_u32(IFLA_INFO_SLAVE_DATA, 2);
        info.attr_u32(6, 3);
        info.attr_u32(IFLA_INFO_UNSPEC, 4);
        m.attr(IFLA_LINKINFO, info);
        Buffer unterminated;
        unterminated.attr_text(IFLA_INFO_KIND, "ifb");
        unterminated.attr_u32(IFLA_INFO_DATA, 5);
        m.attr(IFLA_LINKINFO | NLA_F_NESTED, unterminated);
        Buffer lone;
        lone.attr(IFLA_INFO_KIND, "dummy", 6);
        m.attr(IFLA_LINKINFO, lone);
    });
    // IFLA_XDP: every attribute, every flag combination (33 attributes: -s cuts the list).
    send_link(fd, AF_UNSPEC, [](Buffer& m) {
        Buffer xdp;
        xdp.attr_u32(IFLA_XDP_FD, 5);
        for (const std::uint8_t mode : std::array<std::uint8_t, 6>{0, 1, 2, 3, 4, 9}) {
            xdp.attr_u8(IFLA_XDP_ATTACHED, mode);
        }
        for (std::uint16_t type = IFLA_XDP_PROG_ID; type <= 10; ++type) {
            xdp.attr_u32(type, type);
        }
        xdp.attr_u32(IFLA_XDP_UNSPEC, 1);
        xdp.attr_u8(IFLA_XDP_FLAGS, 1);
        m.attr(IFLA_XDP | NLA_F_NESTED, xdp);
        Buffer flags;
        for (std::uint32_t value = 0; value < 0x21; ++value) {
            flags.attr_u32(IFLA_XDP_FLAGS, value);
        }
        m.attr(IFLA_XDP, flags);
    });
    // IFLA_AF_SPEC: IPv4's settings and IPv6's state, settings and counters (arrays longer and
    // shorter than -s, indices past the names strace knows, values cut short), other families.
    send_link(fd, AF_UNSPEC, [](Buffer& m) {
        Buffer inet;
        inet.attr_words<std::int32_t>(IFLA_INET_CONF, 36, -1, 1);
        inet.attr_words<std::int32_t>(IFLA_INET_CONF, 2, 7, 0);
        inet.attr_u8(IFLA_INET_CONF, 1);
        inet.attr_u32(IFLA_INET_UNSPEC, 1);
        inet.attr_u32(2, 1);
        Buffer inet6;
        inet6.attr_u32(IFLA_INET6_FLAGS, 0x800000f0);
        inet6.attr_u32(IFLA_INET6_FLAGS, 1);
        inet6.attr_u8(IFLA_INET6_FLAGS, 0x10);
        inet6.attr_words<std::int32_t>(IFLA_INET6_CONF, 62, 0, -1);
        inet6.attr_words<std::int32_t>(IFLA_INET6_CONF, 3, 64, 1);
        inet6.attr_words<std::uint64_t>(IFLA_INET6_STATS, 40, 0, 1);
        inet6.attr_words<std::uint32_t>(IFLA_INET6_STATS, 3, 9, 1);
        inet6.attr_u32(IFLA_INET6_MCAST, 1);
        inet6.attr_words<std::uint32_t>(IFLA_INET6_CACHEINFO, 4, 1, 1);
        inet6.attr_u32(IFLA_INET6_CACHEINFO, 1);
        inet6.attr_words<std::uint64_t>(IFLA_INET6_ICMP6STATS, 8, 0, 1);
        const std::array<std::uint8_t, 16> token{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        inet6.attr(IFLA_INET6_TOKEN, token.data(), token.size());
        inet6.attr(IFLA_INET6_TOKEN, token.data(), 4);
        for (const std::uint8_t mode : std::array<std::uint8_t, 5>{0, 1, 2, 3, 7}) {
            inet6.attr_u8(IFLA_INET6_ADDR_GEN_MODE, mode);
        }
        inet6.attr(IFLA_INET6_ADDR_GEN_MODE, nullptr, 0);
        inet6.attr_u32(9, 1280); // IFLA_INET6_RA_MTU
        inet6.attr_u32(10, 1);
        inet6.attr_u32(IFLA_INET6_UNSPEC, 1);
        Buffer spec;
        spec.attr(AF_INET, inet);
        spec.attr(AF_INET6, inet6);
        Buffer other;
        other.attr_u32(1, 1);
        spec.attr(AF_BRIDGE, other);
        spec.attr_u8(AF_UNSPEC, 'x');
        spec.attr_u32(AF_UNIX, 2);
        spec.attr_u32(200, 3);
        m.attr(IFLA_AF_SPEC, spec);
    });
    // IFLA_PROP_LIST's alternative names; IFLA_PROTO_DOWN_REASON's mask and value.
    send_link(fd, AF_UNSPEC, [](Buffer& m) {
        Buffer props;
        props.attr(IFLA_ALT_IFNAME, "altname0", 9);
        props.attr_text(IFLA_ALT_IFNAME, "x");
        props.attr(IFLA_IFNAME, "eth", 4);
        props.attr_u32(IFLA_MTU, 1);
        m.attr(IFLA_PROP_LIST | NLA_F_NESTED, props);
        Buffer reason;
        reason.attr_u32(IFLA_PROTO_DOWN_REASON_UNSPEC, 1);
        reason.attr_u32(IFLA_PROTO_DOWN_REASON_MASK, 0xff);
        reason.attr_u32(IFLA_PROTO_DOWN_REASON_VALUE, 3);
        reason.attr_u32(3, 4);
        reason.attr_u8(IFLA_PROTO_DOWN_REASON_MASK, 1);
        m.attr(IFLA_PROTO_DOWN_REASON, reason);
    });
    // IFLA_PROTINFO of a message of no family: the bytes.
    send_link(fd, AF_UNSPEC, [](Buffer& m) { m.attr_u32(IFLA_PROTINFO, 1); });
    ::close(fd);
    return 0;
}
