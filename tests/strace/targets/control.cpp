// SPDX-License-Identifier: MIT
// Control messages beyond descriptors and credentials, each as strace decodes it: what a UDP
// socket on the loopback is told about a datagram when it asks (IP_PKTINFO, IP_TTL, IP_TOS,
// IP_ORIGDSTADDR, and the receive time: SO_TIMESTAMP, SO_TIMESTAMPNS), what a sender may set
// on one (IP_PKTINFO, IP_TTL, IP_TOS), the error queue after a datagram to a closed port
// (IP_RECVERR: the ICMP error and who sent it), and made-up ones: each type strace decodes,
// with data too short for it, of its size and longer, arrays past -s, unknown types. And the
// socket options whose values strace decodes as structs (multicast memberships), or shows as
// an int, bytes or the address depending on their size.
#include <arpa/inet.h>
#include <array>
#include <cstdint>
#include <cstring>
#include <netinet/in.h>
#include <vector>

#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

namespace {

/// A control buffer under construction.
class Control {
public:
    template <typename T>
    void add(int level, int type, const T& value, std::size_t size = sizeof(T)) {
        const std::size_t at = bytes_.size();
        bytes_.resize(at + CMSG_SPACE(size));
        cmsghdr header{};
        header.cmsg_len = CMSG_LEN(size);
        header.cmsg_level = level;
        header.cmsg_type = type;
        std::memcpy(bytes_.data() + at, &header, sizeof header);
        std::memcpy(bytes_.data() + at + CMSG_LEN(0), &value, size);
    }
    [[nodiscard]] void* data() { return bytes_.data(); }
    [[nodiscard]] std::size_t size() const { return bytes_.size(); }

private:
    std::vector<unsigned char> bytes_;
};

int on(int fd, int level, int option, int value = 1) {
    return ::setsockopt(fd, level, option, &value, sizeof value);
}

/// Receives one datagram with room for every control message.
void receive(int fd, int flags = 0) {
    std::array<char, 64> in{};
    iovec into{in.data(), in.size()};
    sockaddr_in from{};
    alignas(cmsghdr) std::array<char, 512> control{};
    msghdr m{};
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    m.msg_iov = &into;
    m.msg_iovlen = 1;
    m.msg_control = control.data();
    m.msg_controllen = control.size();
    ::recvmsg(fd, &m, flags);
}

/// Sends `control` with one byte from `fd` to `to`.
void send_with(int fd, const sockaddr_in& to, Control& control) {
    char byte = 'x';
    iovec out{&byte, 1};
    msghdr m{};
    m.msg_name = const_cast<sockaddr_in*>(&to);
    m.msg_namelen = sizeof to;
    m.msg_iov = &out;
    m.msg_iovlen = 1;
    m.msg_control = control.data();
    m.msg_controllen = control.size();
    ::sendmsg(fd, &m, 0);
}

} // namespace

int main() {
    const int rx = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const int tx = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (rx < 0 || tx < 0) {
        return 77;
    }
    sockaddr_in here{};
    here.sin_family = AF_INET;
    here.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    here.sin_port = htons(39471);
    sockaddr_in there = here; // the sender's fixed port: the receiver shows it
    there.sin_port = htons(39470);
    if (::bind(rx, reinterpret_cast<const sockaddr*>(&here), sizeof here) != 0 ||
        ::bind(tx, reinterpret_cast<const sockaddr*>(&there), sizeof there) != 0) {
        return 77; // a port is taken: nothing to compare
    }

    // What the receiver is told when it asks.
    on(rx, SOL_IP, IP_PKTINFO);
    on(rx, SOL_IP, IP_RECVTTL);
    on(rx, SOL_IP, IP_RECVTOS);
    on(rx, SOL_IP, IP_RECVORIGDSTADDR);
    Control none;
    send_with(tx, here, none);
    receive(rx);
    on(rx, SOL_IP, IP_PKTINFO, 0);
    on(rx, SOL_IP, IP_RECVTTL, 0);
    on(rx, SOL_IP, IP_RECVTOS, 0);
    on(rx, SOL_IP, IP_RECVORIGDSTADDR, 0);

    // What a sender may set: the source address and interface, the TTL, the TOS.
    Control set;
    in_pktinfo info{};
    info.ipi_ifindex = 1;
    info.ipi_spec_dst.s_addr = htonl(INADDR_LOOPBACK);
    set.add(SOL_IP, IP_PKTINFO, info);
    set.add(SOL_IP, IP_TTL, 9);
    set.add(SOL_IP, IP_TOS, static_cast<unsigned char>(0x10));
    send_with(tx, here, set);
    receive(rx);

    // The receive time, two ways (the times differ run to run; the comparison masks them).
    on(rx, SOL_SOCKET, SO_TIMESTAMP);
    send_with(tx, here, none);
    receive(rx);
    on(rx, SOL_SOCKET, SO_TIMESTAMP, 0);
    on(rx, SOL_SOCKET, SO_TIMESTAMPNS);
    send_with(tx, here, none);
    receive(rx);
    on(rx, SOL_SOCKET, SO_TIMESTAMPNS, 0);

    // The error queue: a datagram to a closed port comes back as an ICMP error.
    const int probe = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    on(probe, SOL_IP, IP_RECVERR);
    sockaddr_in closed = here;
    closed.sin_port = htons(39472);
    send_with(probe, closed, none);
    pollfd wait{probe, 0, 0};
    ::poll(&wait, 1, 2000); // POLLERR once the error is queued
    receive(probe, MSG_ERRQUEUE);

    // Socket options strace decodes as structs, and the sizes at which it shows an int, the
    // bytes or the address (the kernel's answers differ by machine, not by tracer).
    ip_mreqn group{};
    group.imr_multiaddr.s_addr = inet_addr("224.0.0.251");
    ::setsockopt(rx, SOL_IP, IP_ADD_MEMBERSHIP, &group, sizeof(ip_mreq));
    ::setsockopt(rx, SOL_IP, IP_DROP_MEMBERSHIP, &group, sizeof group);
    ::setsockopt(rx, SOL_IP, IP_ADD_MEMBERSHIP, &group, 7);
    group_req request{};
    request.gr_interface = 1;
    std::memcpy(&request.gr_group, &here, sizeof here);
    ::setsockopt(rx, SOL_IP, MCAST_JOIN_GROUP, &request, sizeof request);
    ::setsockopt(rx, SOL_IP, MCAST_LEAVE_GROUP, &request, sizeof request);
    ::setsockopt(rx, SOL_IP, MCAST_LEAVE_GROUP, &request, 100);
    if (const int rx6 = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0); rx6 >= 0) {
        ipv6_mreq group6{};
        inet_pton(AF_INET6, "ff02::fb", &group6.ipv6mr_multiaddr);
        group6.ipv6mr_interface = 1;
        ::setsockopt(rx6, SOL_IPV6, IPV6_ADD_MEMBERSHIP, &group6, sizeof group6);
        ::setsockopt(rx6, SOL_IPV6, IPV6_DROP_MEMBERSHIP, &group6, sizeof group6);
        ::setsockopt(rx6, SOL_IPV6, IPV6_JOIN_ANYCAST, &group6, sizeof group6 - 1);
        ::close(rx6);
    }
    const std::int64_t wide = 1;
    ::setsockopt(rx, SOL_SOCKET, SO_REUSEADDR, &wide, sizeof wide); // an int from 4 bytes on
    ::setsockopt(rx, SOL_SOCKET, SO_REUSEADDR, &wide, 3);           // the address below
    ::setsockopt(rx, SOL_SOCKET, SO_ATTACH_FILTER, &wide, sizeof wide);
    const timeval patience{1, 500};
    ::setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience); // bytes
    ::setsockopt(rx, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2);
    const unsigned char low_delay = 0x10;
    ::setsockopt(tx, SOL_IP, IP_TOS, &low_delay, 1);

    // getsockopt's values by size: a struct's whole fields then the rest in hex, an int
    // option's bytes in hex below 4, the ids of a socket without a peer (-1).
    std::array<char, 16> got{};
    for (const socklen_t size : {2U, 6U, 8U}) {
        socklen_t len = size;
        ::getsockopt(rx, SOL_SOCKET, SO_LINGER, got.data(), &len);
    }
    for (const socklen_t size : {3U, 8U}) {
        socklen_t len = size;
        ::getsockopt(rx, SOL_SOCKET, SO_REUSEADDR, got.data(), &len);
    }
    socklen_t len = 12;
    ::getsockopt(rx, SOL_SOCKET, SO_PEERCRED, got.data(), &len);

    // Made up: data too short for each type, unknown types of each level.
    Control odd;
    odd.add(SOL_IP, IP_PKTINFO, info, 4);
    odd.add(SOL_IP, IP_TTL, 9, 2);
    odd.add(SOL_IP, IP_RECVERR, 1, 4);
    odd.add(SOL_IP, IP_ORIGDSTADDR, here, 2);
    odd.add(SOL_IP, 99, 5);
    odd.add(SOL_SOCKET, SO_TIMESTAMP_OLD, 5);
    odd.add(SOL_SOCKET, SO_TIMESTAMPNS_OLD, 5);
    odd.add(SOL_SOCKET, SO_TIMESTAMPING_OLD, 5);
    odd.add(SOL_SOCKET, 99, 5);
    odd.add(SOL_IPV6, 50, 5);
    send_with(tx, here, odd);
    Control sized;
    const std::array<std::int64_t, 6> times{1, 2, 3, 4, 5, 6};
    sized.add(SOL_SOCKET, SO_TIMESTAMPING_OLD, times);
    sized.add(SOL_SOCKET, SO_TIMESTAMPING_NEW, times, 40);
    sized.add(SOL_SOCKET, SO_TIMESTAMP_NEW, times, 20);
    sized.add(SOL_SOCKET, SO_TIMESTAMPNS_NEW, times, 16);
    sized.add(SOL_SOCKET, SO_WIFI_STATUS, 1);
    sized.add(SOL_IP, IP_RECVERR, std::array<std::uint32_t, 8>{}); // an unknown sender
    std::array<std::uint32_t, 40> words{};
    words[39] = 7;
    sized.add(SOL_IP, IP_TTL, words);
    sized.add(SOL_IP, IP_CHECKSUM, 0xffffffffU);
    sized.add(SOL_IP, IP_RETOPTS, std::array<unsigned char, 3>{0, 0x44, 7});
    sized.add(SOL_IP, 3, std::array<char, 4>{"abc"}); // SCM_SECURITY
    sized.add(SOL_IP, 0, 1);
    send_with(tx, here, sized);
    ::close(probe);
    ::close(tx);
    ::close(rx);
    return 0;
}
