# SPDX-License-Identifier: MIT
# Socket options and the addresses of other families (strace_test.py compare): setsockopt and
# getsockopt at the levels programs use (SOL_SOCKET, SOL_TCP, SOL_IP, SOL_IPV6, SOL_UDP,
# SOL_NETLINK) with ints, struct linger, struct ucred, a string and raw bytes, lengths the
# kernel changes, an unknown level and option; socketpair's fds; the addresses of an IPv6
# and a netlink socket. A family or an option the machine lacks fails the same way in both
# runs.
import socket
import struct


def attempt(call, *args):
    try:
        return call(*args)
    except OSError:
        return None


tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
tcp.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
tcp.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
tcp.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
tcp.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 64)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 5))
tcp.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 1, 500))
attempt(tcp.setsockopt, socket.IPPROTO_TCP, socket.TCP_CONGESTION, b"reno")
attempt(tcp.getsockopt, socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16)
tcp.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8)  # the kernel writes 4 of the 8
attempt(tcp.setsockopt, 200, 5, 1)  # no such level
attempt(tcp.setsockopt, socket.SOL_SOCKET, 999, 1)  # no such option
attempt(tcp.setsockopt, socket.SOL_SOCKET, socket.SO_REUSEADDR, b"\x01\x00")  # too short
attempt(tcp.getsockopt, socket.SOL_SOCKET, socket.SO_ERROR, 2)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
attempt(udp.setsockopt, socket.IPPROTO_UDP, 1, 1)  # UDP_CORK
a, b = socket.socketpair()
a.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
a.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN)
a.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
v6 = attempt(socket.socket, socket.AF_INET6, socket.SOCK_STREAM)
if v6 is not None:
    attempt(v6.setsockopt, socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    v6.getsockname()
netlink = attempt(socket.socket, socket.AF_NETLINK, socket.SOCK_RAW, 0)
if netlink is not None:
    attempt(netlink.setsockopt, 270, 11, 1)  # NETLINK_EXT_ACK
    netlink.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32768)
    netlink.getsockname()  # unbound: port id 0 (Python's bind leaves nl_pad unset)
