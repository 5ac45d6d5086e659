// SPDX-License-Identifier: MIT
// A socket workload for the strace comparison: N datagrams sent with sendto to a UDP socket's
// own address on the loopback and received with recvfrom, so that every call is a send or a
// receive call on a socket, which the example's decoder asks the kernel about (is the
// descriptor a netlink socket?) and strace's decodes with the address.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>

#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv) {
    const long count = argc > 1 ? std::atol(argv[1]) : 20000;
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, reinterpret_cast<const sockaddr*>(&addr), len) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        std::perror("socket_calls: socket");
        return 1;
    }
    char buffer[64] = "a datagram of 32 bytes, to self";
    for (long i = 0; i < count; ++i) {
        sockaddr_in from{};
        socklen_t from_len = sizeof from;
        if (sendto(fd, buffer, 32, 0, reinterpret_cast<const sockaddr*>(&addr), len) != 32 ||
            recvfrom(fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &from_len) !=
                32) {
            std::perror("socket_calls: sendto/recvfrom");
            return 1;
        }
    }
    close(fd);
    return 0;
}
