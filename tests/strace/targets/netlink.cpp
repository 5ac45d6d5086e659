// SPDX-License-Identifier: MIT
// Netlink messages on a NETLINK_ROUTE socket, each as strace decodes them. First what glibc's
// getaddrinfo does (AI_ADDRCONFIG: a dump of the machine's addresses, RTM_GETADDR, and its
// answer: RTM_NEWADDR messages with their attributes, then NLMSG_DONE), read once with recvmsg
// and once with recvfrom; a request the kernel refuses (NLMSG_ERROR). Then buffers made up
// here and sent to a port nobody holds (the kernel refuses them, ECONNREFUSED, after the
// tracer has read them): every attribute of an address message, well formed and not (short
// values, unknown types, NLA_F_NESTED, lengths past the buffer, strings without their
// terminating 0, a label longer than -s), message flags of each kind of request, short and
// unknown messages, errors with the request they answer, 40 messages in one buffer (strace
// shows 32), a sendmsg with a netlink name and one without.
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

using netlink_target::Buffer;
using netlink_target::send_nowhere;

/// Reads the answers to a dump until NLMSG_DONE or an error, with recvmsg or recvfrom.
void read_answers(int fd, bool with_recvmsg) {
    std::array<char, 32768> in{};
    for (int i = 0; i < 16; ++i) {
        sockaddr_nl from{};
        long got = 0;
        if (with_recvmsg) {
            iovec into{in.data(), in.size()};
            msghdr m{};
            m.msg_name = &from;
            m.msg_namelen = sizeof from;
            m.msg_iov = &into;
            m.msg_iovlen = 1;
            got = ::recvmsg(fd, &m, 0);
        } else {
            socklen_t from_len = sizeof from;
            got = ::recvfrom(fd, in.data(), in.size(), 0, reinterpret_cast<sockaddr*>(&from),
                             &from_len);
        }
        if (got < static_cast<long>(sizeof(nlmsghdr))) {
            return;
        }
        nlmsghdr last{};
        std::memcpy(&last, in.data(), sizeof last);
        if (last.nlmsg_type == NLMSG_DONE || last.nlmsg_type == NLMSG_ERROR) {
            return;
        }
    }
}

/// The dump glibc asks for: a header and a struct rtgenmsg, padded.
void ask_addresses(int fd, std::uint32_t seq) {
    Buffer b;
    b.begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq);
    const std::array<std::uint8_t, 4> family{AF_UNSPEC};
    b.put(family.data(), family.size());
    b.end();
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ::sendto(fd, b.bytes().data(), b.bytes().size(), 0, reinterpret_cast<const sockaddr*>(&kernel),
             sizeof kernel);
}

} // namespace

int main() {
    const int fd = netlink_target::route_socket();
    if (fd < 0) {
        return 77; // no netlink here
    }

    // getaddrinfo's question and the kernel's answer, read both ways.
    ask_addresses(fd, 1000);
    read_answers(fd, true);
    ask_addresses(fd, 1001);
    read_answers(fd, false);

    // A request the kernel refuses with an error (an address message without its body).
    {
        Buffer b;
        b.begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_ACK, 1002);
        b.end();
        sockaddr_nl kernel{};
        kernel.nl_family = AF_NETLINK;
        ::sendto(fd, b.bytes().data(), b.bytes().size(), 0,
                 reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel);
        read_answers(fd, true);
    }

    Buffer b;
    // Every attribute of an IPv4 address message.
    b.begin(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    b.ifaddr(AF_INET, 24, IFA_F_PERMANENT | IFA_F_NODAD, RT_SCOPE_UNIVERSE, 1);
    const std::array<std::uint8_t, 4> v4{192, 0, 2, 9};
    b.attr(IFA_ADDRESS, v4.data(), v4.size());
    b.attr(IFA_LOCAL, v4.data(), v4.size());
    b.attr(IFA_BROADCAST, v4.data(), v4.size());
    b.attr(IFA_ANYCAST, v4.data(), v4.size());
    b.attr(IFA_MULTICAST, v4.data(), v4.size());
    b.attr(IFA_LABEL, "eth9", 5);
    const ifa_cacheinfo cache{100, 200, 300, 400};
    b.attr(IFA_CACHEINFO, &cache, sizeof cache);
    b.attr_u32(IFA_FLAGS, IFA_F_PERMANENT | IFA_F_MANAGETEMPADDR | 0x10000);
    b.attr_u32(IFA_RT_PRIORITY, 42);
    b.attr_u32(IFA_TARGET_NETNSID, static_cast<std::uint32_t>(-1));
    b.end();
    send_nowhere(fd, b);

    // An IPv6 one, with odd attributes: short values, unknown types, NLA_F_NESTED.
    b.clear();
    b.begin(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_REPLACE | NLM_F_APPEND);
    b.ifaddr(AF_INET6, 64, 0, RT_SCOPE_LINK, 999);
    const std::array<std::uint8_t, 16> v6{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    b.attr(IFA_ADDRESS, v6.data(), v6.size());
    b.attr(IFA_LOCAL, v4.data(), v4.size()); // too short for an IPv6 address
    b.attr(IFA_CACHEINFO, &cache, 8);        // too short for its struct
    const std::uint16_t two = 3;
    b.attr(IFA_FLAGS, &two, sizeof two); // too short for its word
    b.attr_u32(IFA_FLAGS, 0);
    b.attr_u32(IFA_FLAGS, 0x40000000); // no known bit
    const std::uint8_t proto = 2;
    b.attr(IFA_PROTO, &proto, sizeof proto);
    b.attr(IFA_UNSPEC, v4.data(), v4.size());
    b.attr(40, v4.data(), v4.size());               // unknown
    b.attr(NLA_F_NESTED | IFA_LABEL, "x", 2);       // flag bits in the type
    b.attr(NLA_F_NET_BYTEORDER | 41, v4.data(), 0); // no value at all
    b.attr_text(IFA_LABEL, "no-zero");              // no terminating 0
    b.attr(IFA_LABEL, "in\0side", 8);               // a 0 inside
    b.attr_text(IFA_LABEL, "a-label-longer-than-the-string-limit-of-32\0");
    b.attr(IFA_RT_PRIORITY, v4.data(), 2); // too short
    b.end();
    send_nowhere(fd, b);

    // Other families and shapes of the fixed part.
    b.clear();
    b.begin(RTM_DELADDR, NLM_F_REQUEST | NLM_F_NONREC | 0x200);
    b.ifaddr(AF_PACKET, 0, 0xff, 7, 0);
    b.attr(IFA_ADDRESS, v4.data(), v4.size()); // not an inet family
    b.end();
    b.begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_ROOT, 8, 1234);
    b.put(v4.data(), 2); // shorter than struct ifaddrmsg
    b.end();
    b.begin(RTM_GETANYCAST, NLM_F_REQUEST | NLM_F_MATCH | NLM_F_ATOMIC | 0x8000);
    b.ifaddr(AF_INET, 32, 0, RT_SCOPE_HOST, 1);
    b.end();
    b.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP); // getifaddrs' request
    const std::array<std::uint8_t, 4> unspec{AF_UNSPEC};
    b.put(unspec.data(), unspec.size());
    b.end();
    b.begin(RTM_NEWLINK, 0); // too short for struct ifinfomsg
    b.put(v4.data(), 1);
    b.end();
    b.begin(RTM_GETMULTICAST, NLM_F_ECHO | NLM_F_DUMP_INTR | NLM_F_DUMP_FILTERED);
    b.ifaddr(AF_INET6, 128, 0, RT_SCOPE_NOWHERE, 1);
    b.attr(IFA_ADDRESS, v6.data(), v6.size());
    b.end(200); // longer than the buffer
    send_nowhere(fd, b);

    // Control messages and types with no decoder of their own.
    b.clear();
    b.begin(NLMSG_NOOP, 0);
    b.put("abc", 3);
    b.end();
    b.begin(NLMSG_DONE, NLM_F_MULTI);
    const std::int32_t zero = 0;
    b.put(&zero, sizeof zero);
    b.end();
    b.begin(NLMSG_DONE, NLM_F_MULTI);
    b.put(v4.data(), v4.size());
    b.put(v4.data(), v4.size());
    b.end();
    b.begin(NLMSG_OVERRUN, 0);
    b.end();
    b.begin(23, NLM_F_REQUEST); // a route type without a decoder: family and data
    b.put(v4.data(), v4.size());
    b.end();
    b.begin(200, NLM_F_REQUEST | 0x100); // past every route type
    b.put(v4.data(), 1);
    b.end();
    b.begin(0x0f, 0x100); // a reserved control type
    b.put(v4.data(), v4.size());
    b.end();
    send_nowhere(fd, b);

    // Errors: with the whole request, with its header only (NLM_F_CAPPED) and extended
    // attributes, with nothing but the code, and too short for it.
    b.clear();
    Buffer request;
    request.begin(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK, 5, 0);
    request.ifaddr(AF_INET, 8, 0, RT_SCOPE_HOST, 1);
    request.attr(IFA_LOCAL, v4.data(), v4.size());
    request.end();
    b.error(0, -22, request);
    b.end();
    const std::int32_t eperm = -1;
    request.clear();
    request.begin(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_CREATE, 6, 0);
    request.end(60);
    b.error(NLM_F_CAPPED | NLM_F_ACK_TLVS, eperm, request);
    b.attr_text(NLMSGERR_ATTR_MSG, std::string_view("Invalid prefix\0", 15));
    b.attr_u32(NLMSGERR_ATTR_OFFS, 20);
    b.end();
    b.begin(NLMSG_ERROR, 0);
    b.put(&zero, sizeof zero);
    b.end();
    b.begin(NLMSG_ERROR, 0);
    b.put(&zero, 2);
    b.end();
    send_nowhere(fd, b);
    // An error just long enough (a header whose length is too small) and one just short; the
    // error attributes by number, and a cookie.
    b.clear();
    request.clear();
    request.begin(RTM_GETADDR, NLM_F_REQUEST, 1, 0);
    request.end(4);
    b.error(0, -4000, request);
    b.end();
    b.begin(NLMSG_ERROR, 0);
    b.put(&eperm, sizeof eperm);
    b.put(v4.data(), v4.size());
    b.put(v4.data(), 2);
    b.end();
    request.clear();
    request.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 3, 0);
    request.end(100);
    b.error(NLM_F_CAPPED, 0, request);
    for (std::uint16_t type = 0; type < 8; ++type) {
        b.attr_u32(type, 7);
    }
    const std::array<std::uint8_t, 5> cookie{1, 2, 3, 4, 5};
    b.attr(NLMSGERR_ATTR_COOKIE, cookie.data(), cookie.size());
    b.end();
    send_nowhere(fd, b);
    // 40 attributes in one message (strace shows 32).
    b.clear();
    b.begin(RTM_NEWADDR, NLM_F_REQUEST);
    b.ifaddr(AF_INET, 32, 0, RT_SCOPE_HOST, 1);
    for (std::uint32_t i = 0; i < 40; ++i) {
        b.attr_u32(IFA_RT_PRIORITY, i);
    }
    b.end();
    send_nowhere(fd, b);

    // Shapes of the buffer: a header shorter than itself, a tail too short for a header, 40
    // messages (strace shows 32), a lone message whose length is 0.
    b.clear();
    b.begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
    b.end(8);
    send_nowhere(fd, b);
    b.clear();
    b.begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
    b.ifaddr(AF_INET, 0, 0, 0, 0);
    b.end();
    b.put("tail", 4);
    send_nowhere(fd, b);
    b.clear();
    for (std::uint32_t i = 0; i < 40; ++i) {
        b.begin(NLMSG_NOOP, 0, i);
        b.end();
    }
    send_nowhere(fd, b);
    b.clear();
    b.begin(RTM_GETADDR, 0);
    b.end(0xffffffff);
    send_nowhere(fd, b);
    b.clear();
    b.put("short", 5);
    send_nowhere(fd, b);

    // sendmsg: vectors are decoded as netlink when the name is a netlink address.
    b.clear();
    b.begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 9);
    b.ifaddr(AF_INET, 0, 0, 0, 0);
    b.end();
    sockaddr_nl nowhere{};
    nowhere.nl_family = AF_NETLINK;
    nowhere.nl_pid = 0x7ffffff0;
    std::array<iovec, 2> out{{{const_cast<std::uint8_t*>(b.bytes().data()), b.bytes().size()},
                              {const_cast<std::uint8_t*>(b.bytes().data()), 16}}};
    msghdr m{};
    m.msg_name = &nowhere;
    m.msg_namelen = sizeof nowhere;
    m.msg_iov = out.data();
    m.msg_iovlen = out.size();
    ::sendmsg(fd, &m, 0);
    m.msg_name = nullptr;
    m.msg_namelen = 0;
    ::sendmsg(fd, &m, MSG_DONTWAIT);
    ::close(fd);
    return 0;
}
