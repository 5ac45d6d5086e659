// SPDX-License-Identifier: MIT
// The byte pipe to gdb: stdin/stdout (`gdbserver - PROG`, for gdb's `target remote |
// gdbserver - PROG`) or one TCP connection accepted on a loopback port, with the packet
// acknowledgements of the protocol (until QStartNoAckMode turns them off).
#pragma once

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rsp.hpp"

namespace gdbserver {

class Connection {
public:
    Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection() {
        if (in_ >= 0) {
            (void)::close(in_);
        }
        if (out_ >= 0 && out_ != in_) {
            (void)::close(out_);
        }
    }

    /// stdin and stdout, moved to other descriptors (close-on-exec); 0 becomes /dev/null and
    /// 1 a copy of 2, so that the program started next does not write into the protocol.
    bool open_stdio() {
        in_ = ::fcntl(0, F_DUPFD_CLOEXEC, 3);
        out_ = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
        if (in_ < 0 || out_ < 0) {
            return false;
        }
        const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null >= 0) {
            (void)::dup2(null, 0);
            (void)::close(null);
        }
        (void)::dup2(2, 1);
        return true;
    }

    /// Listens on `host:port` (loopback only: an empty host, localhost or 127.0.0.1) and
    /// accepts one connection. Prints "Listening on port N" as GNU gdbserver does.
    /// \returns an error message, or nothing on success.
    std::optional<std::string> open_tcp(const std::string& host, unsigned port) {
        if (!host.empty() && host != "localhost" && host != "127.0.0.1") {
            return "only loopback connections are offered (use localhost:PORT or :PORT)";
        }
        const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listener < 0) {
            return std::string("socket: ") + std::strerror(errno);
        }
        const int one = 1;
        (void)::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(listener, 1) != 0) {
            const std::string why = std::strerror(errno);
            (void)::close(listener);
            return "cannot listen on port " + std::to_string(port) + ": " + why;
        }
        socklen_t len = sizeof addr;
        (void)::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
        std::fprintf(stderr, "Listening on port %u\n", unsigned{ntohs(addr.sin_port)});
        std::fflush(stderr);
        sockaddr_in peer{};
        socklen_t peer_len = sizeof peer;
        int fd = -1;
        do {
            fd = ::accept4(listener, reinterpret_cast<sockaddr*>(&peer), &peer_len, SOCK_CLOEXEC);
        } while (fd < 0 && errno == EINTR);
        (void)::close(listener);
        if (fd < 0) {
            return std::string("accept: ") + std::strerror(errno);
        }
        (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        char text[INET_ADDRSTRLEN] = "?";
        (void)::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
        std::fprintf(stderr, "Remote debugging from host %s, port %u\n", text,
                     unsigned{ntohs(peer.sin_port)});
        std::fflush(stderr);
        in_ = fd;
        out_ = fd;
        return std::nullopt;
    }

    /// The descriptor to watch for input (the interrupt fd of the Inferior).
    [[nodiscard]] int input_fd() const noexcept { return in_; }
    void set_no_ack() noexcept { ack_ = false; }
    [[nodiscard]] bool acking() const noexcept { return ack_; }

    /// The next item from gdb; nothing when the connection is closed.
    std::optional<rsp::Input> next() {
        for (;;) {
            if (auto item = reader_.next()) {
                return item;
            }
            if (!fill()) {
                return std::nullopt;
            }
        }
    }

    /// Reads what is available now without blocking (after the interrupt fd became
    /// readable). \returns false when the connection is closed.
    bool fill_available() {
        pollfd p{in_, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) {
            return true;
        }
        return fill();
    }
    /// The next item already read, without reading more.
    std::optional<rsp::Input> buffered() { return reader_.next(); }

    /// Sends `data` framed; in ack mode waits for the '+' (resending on '-'). Anything else
    /// that arrives meanwhile is dropped: gdb acknowledges a reply before it sends anything
    /// new, so a packet here is gdb's retransmission of the one just answered (it sends a
    /// packet again when our '+' for it is late, as when the server starts after gdb's 2 s
    /// remote timeout), and answering it too would shift every later reply by one. GNU
    /// gdbserver drops it likewise (it reads one byte at a time waiting for the '+').
    /// \returns false when the connection closed.
    bool send(std::string_view data) {
        last_ = rsp::frame(data);
        if (!write_all(last_)) {
            return false;
        }
        while (ack_) {
            auto item = reader_.next();
            if (!item) {
                if (!fill()) {
                    return false;
                }
                continue;
            }
            if (item->kind == rsp::InputKind::Ack) {
                break;
            }
            if (item->kind == rsp::InputKind::Nack && !write_all(last_)) {
                return false;
            }
        }
        return true;
    }

    /// A single '+' or '-'.
    bool send_ack(bool good) { return write_all(good ? "+" : "-"); }

    /// The last packet again (after a '-').
    bool resend() { return last_.empty() || write_all(last_); }

private:
    bool fill() {
        char buf[65536];
        for (;;) {
            const ssize_t n = ::read(in_, buf, sizeof buf);
            if (n > 0) {
                reader_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
                return true;
            }
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return false;
        }
    }

    bool write_all(std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::write(out_, data.data(), data.size());
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                return false;
            }
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    int in_ = -1;
    int out_ = -1;
    bool ack_ = true;
    rsp::Reader reader_{1U << 20U};
    std::string last_;
};

} // namespace gdbserver
