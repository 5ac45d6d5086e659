// SPDX-License-Identifier: MIT
// Netlink buffers made up by the strace comparison targets (netlink.cpp, netlink_link.cpp):
// messages, their structs and attributes, nested lists; a send to a port nobody holds, and a
// request to the kernel with its answers read back.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/uio.h>

namespace netlink_target {

/// A netlink buffer under construction; a nested list is built in a Buffer of its own.
class Buffer {
public:
    /// Starts a message; `end()` writes its length (or `length` when given).
    void begin(std::uint16_t type, std::uint16_t flags, std::uint32_t seq = 7,
               std::uint32_t port = 0) {
        start_ = bytes_.size();
        const nlmsghdr header{0, type, flags, seq, port};
        put(&header, sizeof header);
    }
    void end(std::uint32_t length = 0) {
        const auto actual = static_cast<std::uint32_t>(bytes_.size() - start_);
        const std::uint32_t written = length != 0 ? length : actual;
        std::memcpy(bytes_.data() + start_, &written, sizeof written);
        align();
    }
    void put(const void* data, std::size_t size) {
        const auto* p = static_cast<const std::uint8_t*>(data);
        bytes_.insert(bytes_.end(), p, p + size);
    }
    /// An attribute: its header (length `length`, or header + value) and value, aligned.
    void attr(std::uint16_t type, const void* value, std::size_t size, std::uint16_t length = 0) {
        const nlattr header{
            static_cast<std::uint16_t>(length != 0 ? length : sizeof(nlattr) + size), type};
        put(&header, sizeof header);
        put(value, size);
        align();
    }
    /// An attribute holding a nested list.
    void attr(std::uint16_t type, const Buffer& nested) {
        attr(type, nested.bytes_.data(), nested.bytes_.size());
    }
    void attr_u32(std::uint16_t type, std::uint32_t value) { attr(type, &value, sizeof value); }
    void attr_u8(std::uint16_t type, std::uint8_t value) { attr(type, &value, sizeof value); }
    void attr_text(std::uint16_t type, std::string_view text) {
        attr(type, text.data(), text.size());
    }
    /// `count` words of `Word`, the first `first`, each the last plus `step`.
    template <typename Word>
    void attr_words(std::uint16_t type, std::size_t count, Word first, Word step) {
        std::vector<Word> words(count);
        for (std::size_t i = 0; i < count; ++i) {
            words[i] = static_cast<Word>(first + static_cast<Word>(i) * step);
        }
        attr(type, words.data(), count * sizeof(Word));
    }
    void ifaddr(std::uint8_t family, std::uint8_t prefix, std::uint8_t flags, std::uint8_t scope,
                std::uint32_t index) {
        const ifaddrmsg m{family, prefix, flags, scope, index};
        put(&m, sizeof m);
    }
    /// struct ifinfomsg, its first `size` bytes.
    void ifinfo(std::uint8_t family, std::uint16_t type, std::int32_t index, std::uint32_t flags,
                std::uint32_t change, std::size_t size = sizeof(ifinfomsg)) {
        ifinfomsg m{};
        m.ifi_family = family;
        m.ifi_type = type;
        m.ifi_index = index;
        m.ifi_flags = flags;
        m.ifi_change = change;
        put(&m, size);
    }
    /// An NLMSG_ERROR message: the error code, then the request it answers.
    void error(std::uint16_t flags, std::int32_t code, const Buffer& request) {
        begin(NLMSG_ERROR, flags);
        put(&code, sizeof code);
        put(request.bytes().data(), request.bytes().size());
    }
    void align() {
        while (bytes_.size() % 4 != 0) {
            bytes_.push_back(0);
        }
    }
    [[nodiscard]] const std::vector<std::uint8_t>& bytes() const { return bytes_; }
    void clear() { bytes_.clear(); }

private:
    std::vector<std::uint8_t> bytes_;
    std::size_t start_ = 0;
};

/// A NETLINK_ROUTE socket bound to a port of the kernel's choosing; -1 when none can be made.
inline int route_socket() {
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd >= 0) {
        sockaddr_nl self{};
        self.nl_family = AF_NETLINK;
        ::bind(fd, reinterpret_cast<const sockaddr*>(&self), sizeof self);
    }
    return fd;
}

/// Sends `buffer` to a port nobody holds; the tracer reads it at the call's entry.
inline void send_nowhere(int fd, const Buffer& buffer) {
    sockaddr_nl nowhere{};
    nowhere.nl_family = AF_NETLINK;
    nowhere.nl_pid = 0x7ffffff0;
    ::sendto(fd, buffer.bytes().data(), buffer.bytes().size(), 0,
             reinterpret_cast<const sockaddr*>(&nowhere), sizeof nowhere);
}

/// Sends `request` to the kernel and reads its answers with recvmsg, a netlink name given (strace
/// decodes the vector as netlink when the name says so), until NLMSG_DONE, an error or an
/// answer that is not part of a dump (at most 16 reads).
inline void ask_kernel(int fd, const Buffer& request) {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ::sendto(fd, request.bytes().data(), request.bytes().size(), 0,
             reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel);
    std::array<char, 32768> in{};
    for (int i = 0; i < 16; ++i) {
        iovec into{in.data(), in.size()};
        sockaddr_nl from{};
        msghdr m{};
        m.msg_name = &from;
        m.msg_namelen = sizeof from;
        m.msg_iov = &into;
        m.msg_iovlen = 1;
        const long got = ::recvmsg(fd, &m, 0);
        if (got < static_cast<long>(sizeof(nlmsghdr))) {
            return;
        }
        // The answer ends at NLMSG_DONE, an error or a message that is not part of a dump,
        // wherever it stands in what was read.
        for (std::size_t at = 0; at + sizeof(nlmsghdr) <= static_cast<std::size_t>(got);) {
            nlmsghdr header{};
            std::memcpy(&header, in.data() + at, sizeof header);
            if (header.nlmsg_type == NLMSG_DONE || header.nlmsg_type == NLMSG_ERROR ||
                (header.nlmsg_flags & NLM_F_MULTI) == 0 || header.nlmsg_len < sizeof header) {
                return;
            }
            at += NLMSG_ALIGN(header.nlmsg_len);
        }
    }
}

} // namespace netlink_target
