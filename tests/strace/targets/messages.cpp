// SPDX-License-Identifier: MIT
// The send and receive calls of a datagram socket pair, each as strace decodes it: sendto's and
// recvfrom's flags and addresses (the sender's, which the kernel writes with its length: an
// unnamed peer's is empty, `[110 => 0]`); sendmsg's and recvmsg's struct msghdr: the I/O
// vectors (a received one shows the bytes that arrived), the name and its length, control
// messages (SCM_RIGHTS passing a descriptor, SCM_CREDENTIALS once the receiver asks for them,
// a control buffer too short for them: MSG_CTRUNC; an unknown level; a buffer with a partial
// header left, and one too short for any header), msg_flags (MSG_TRUNC), a recvmsg that fails
// (only the name's length is shown) and an unreadable msghdr; sendmmsg's and recvmmsg's
// vectors of messages.
#include <array>
#include <cstdint>
#include <cstring>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main() {
    std::array<int, 2> s{};
    if (::socketpair(AF_UNIX, SOCK_DGRAM, 0, s.data()) != 0) {
        return 1;
    }
    std::array<char, 64> in{};
    sockaddr_un from{};
    socklen_t from_len = sizeof from;
    ::sendto(s[0], "abc", 3, MSG_DONTWAIT | MSG_NOSIGNAL, nullptr, 0);
    ::recvfrom(s[1], in.data(), in.size(), MSG_PEEK | MSG_TRUNC, nullptr, nullptr);
    ::recvfrom(s[1], in.data(), in.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_len);

    // Two vectors out, a descriptor with them (stdin's); received into one vector.
    std::array<char, 12> text{"hello world"};
    std::array<iovec, 2> out{{{text.data(), 5}, {text.data() + 5, 6}}};
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int))> rights{};
    msghdr send{};
    send.msg_iov = out.data();
    send.msg_iovlen = out.size();
    send.msg_control = rights.data();
    send.msg_controllen = rights.size();
    cmsghdr* header = CMSG_FIRSTHDR(&send);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    const int passed = 0;
    std::memcpy(CMSG_DATA(header), &passed, sizeof passed);
    ::sendmsg(s[0], &send, 0);
    iovec into{in.data(), in.size()};
    alignas(cmsghdr) std::array<char, 256> control{};
    msghdr receive{};
    receive.msg_iov = &into;
    receive.msg_iovlen = 1;
    receive.msg_control = control.data();
    receive.msg_controllen = control.size();
    const long got = ::recvmsg(s[1], &receive, MSG_CMSG_CLOEXEC);
    if (got > 0 && receive.msg_controllen >= CMSG_LEN(sizeof(int))) {
        int fd = -1;
        std::memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&receive)), sizeof fd);
        ::close(fd);
    }

    // The sender's credentials, asked for; a datagram longer than the vector (MSG_TRUNC),
    // received with room for a name; then a control buffer too short for them (MSG_CTRUNC).
    const int on = 1;
    ::setsockopt(s[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    ::sendto(s[0], "abcdef", 6, 0, nullptr, 0);
    into.iov_len = 4;
    receive.msg_name = &from;
    receive.msg_namelen = sizeof from;
    receive.msg_controllen = control.size();
    ::recvmsg(s[1], &receive, 0);
    ::sendto(s[0], "x", 1, 0, nullptr, 0);
    receive.msg_namelen = sizeof from;
    receive.msg_controllen = 20;
    ::recvmsg(s[1], &receive, 0);
    receive.msg_namelen = sizeof from;
    ::recvmsg(s[1], &receive, MSG_DONTWAIT); // EAGAIN: nothing queued

    // Control buffers the kernel refuses: an unknown level with a partial header after it,
    // and one shorter than any header.
    control.fill(0);
    header = reinterpret_cast<cmsghdr*>(control.data());
    header->cmsg_len = 20;
    header->cmsg_level = 99;
    header->cmsg_type = 7;
    std::array<char, 3> zz{"zz"};
    iovec small{zz.data(), 2};
    msghdr odd{};
    odd.msg_iov = &small;
    odd.msg_iovlen = 1;
    odd.msg_control = control.data();
    odd.msg_controllen = 30;
    ::sendmsg(s[0], &odd, 0);
    odd.msg_controllen = 8;
    ::sendmsg(s[0], &odd, 0);
    ::sendmsg(s[0], reinterpret_cast<msghdr*>(8), 0); // EFAULT: the address is shown
    std::array<char, 64> drain{};
    while (::recv(s[1], drain.data(), drain.size(), MSG_DONTWAIT) > 0) {
    }

    // Several messages at once (glibc's resolver sends its A and AAAA queries so): each with
    // what it moved; a receive shows the messages that came, and fails with EAGAIN after.
    std::array<char, 8> second{"second!"};
    std::array<iovec, 2> singles{{{text.data(), 5}, {second.data(), 7}}};
    std::array<mmsghdr, 2> batch{};
    for (std::size_t i = 0; i < batch.size(); ++i) {
        batch[i].msg_hdr.msg_iov = &singles[i];
        batch[i].msg_hdr.msg_iovlen = 1;
    }
    ::sendmmsg(s[0], batch.data(), batch.size(), MSG_NOSIGNAL);
    std::array<std::array<char, 16>, 3> slots{};
    std::array<iovec, 3> slot_vectors{};
    std::array<mmsghdr, 3> received{};
    for (std::size_t i = 0; i < received.size(); ++i) {
        slot_vectors[i] = {slots[i].data(), slots[i].size()};
        received[i].msg_hdr.msg_iov = &slot_vectors[i];
        received[i].msg_hdr.msg_iovlen = 1;
    }
    ::recvmmsg(s[1], received.data(), received.size(), MSG_DONTWAIT, nullptr);
    ::recvmmsg(s[1], received.data(), received.size(), MSG_DONTWAIT | MSG_WAITFORONE, nullptr);
    ::sendmmsg(999, batch.data(), batch.size(), 0); // EBADF: the messages, without msg_len
    ::close(s[0]);
    ::close(s[1]);
    return 0;
}
