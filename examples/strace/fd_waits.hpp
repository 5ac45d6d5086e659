// SPDX-License-Identifier: MIT
// The calls that wait for file descriptors to be ready, as strace 6.1 prints them: poll's and
// ppoll's arrays of pollfds, the fd sets of select and pselect6, epoll's events; and at exit
// what each found, with the time left when the kernel wrote it back.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "format.hpp"
#include "structs.hpp"

namespace strace_example {

/// struct pollfd.
struct PollFd {
    std::int32_t fd;
    std::int16_t events;
    std::int16_t revents;
};

inline constexpr std::array<FlagName, 13> poll_event_table{{
    {0x1, "POLLIN"},
    {0x2, "POLLPRI"},
    {0x4, "POLLOUT"},
    {0x8, "POLLERR"},
    {0x10, "POLLHUP"},
    {0x20, "POLLNVAL"},
    {0x40, "POLLRDNORM"},
    {0x80, "POLLRDBAND"},
    {0x100, "POLLWRNORM"},
    {0x200, "POLLWRBAND"},
    {0x400, "POLLMSG"},
    {0x1000, "POLLREMOVE"},
    {0x2000, "POLLRDHUP"},
}};

/// The first `count` (at most 1024) pollfds at `addr`; nullopt when they cannot be read.
inline std::optional<std::vector<PollFd>> pollfds_at(const ReadMemory& read, std::uint64_t addr,
                                                     std::uint64_t count) {
    std::vector<PollFd> fds(static_cast<std::size_t>(std::min<std::uint64_t>(count, 1024)));
    if (!fds.empty() && !read(addr, std::as_writable_bytes(std::span(fds)))) {
        return std::nullopt;
    }
    return fds;
}

/// poll's array at entry, as strace 6.1 prints it: `[{fd=3, events=POLLIN}, {fd=-1}]`, the
/// first `limit` elements and `...` after them.
inline std::string pollfds_entry(const ReadMemory& read, std::uint64_t addr, std::uint64_t count,
                                 std::size_t limit) {
    const auto fds = pollfds_at(read, addr, std::min<std::uint64_t>(count, limit));
    if (!fds) {
        return pointer(addr);
    }
    std::vector<std::string> items;
    for (const PollFd& p : *fds) {
        items.push_back("{fd=" + std::to_string(p.fd) +
                        (p.fd >= 0 ? ", events=" + flag_names(static_cast<std::uint16_t>(p.events),
                                                              poll_event_table)
                                   : std::string()) +
                        "}");
    }
    return array_text(items, count > fds->size());
}

/// What poll found, as strace 6.1 appends it to a positive result: the elements whose
/// revents are set, `[{fd=3, revents=POLLIN}]`, the first `limit` of them and `...` when there
/// are more; empty when unreadable.
inline std::string poll_revents(const ReadMemory& read, std::uint64_t addr, std::uint64_t count,
                                std::size_t limit) {
    const auto fds = pollfds_at(read, addr, count);
    if (!fds) {
        return {};
    }
    std::vector<std::string> items;
    for (const PollFd& p : *fds) {
        if (p.revents == 0) {
            continue;
        }
        if (items.size() == limit) {
            return array_text(items, true);
        }
        items.push_back("{fd=" + std::to_string(p.fd) + ", revents=" +
                        flag_names(static_cast<std::uint16_t>(p.revents), poll_event_table) + "}");
    }
    return array_text(items, false);
}

/// The text strace 6.1 appends to a positive result of poll and ppoll: what was found
/// (poll_revents()), then `left {tv_sec=0, tv_nsec=999}` when ppoll had a timeout (`timeout`:
/// its address, which the kernel updated; 0 for poll and for a NULL timeout). Empty when there
/// is nothing to append.
inline std::string poll_found(const ReadMemory& read, std::uint64_t addr, std::uint64_t count,
                              std::uint64_t timeout, std::size_t limit) {
    std::string out = poll_revents(read, addr, count, limit);
    if (timeout != 0) {
        out += (out.empty() ? "left " : ", left ") + timespec_at(read, timeout);
    }
    return out;
}

namespace detail {

/// strace reads no more than this many bits of an fd set (`select(2^31-1, ...)`).
inline constexpr int max_select_fds = 1024 * 1024;

/// The fds set among the first `nfds` bits of the fd_set at `addr`, which is as many bytes as
/// those bits take, rounded up to whole 8-byte words (the kernel's fd_set is an array of
/// longs). nullopt when it cannot be read or `nfds` is 0 or negative (then strace shows the
/// address).
inline std::optional<std::vector<int>> fd_set_at(const ReadMemory& read, std::uint64_t addr,
                                                 int nfds) {
    nfds = std::min(nfds, max_select_fds);
    if (nfds <= 0) {
        return std::nullopt;
    }
    const auto bytes = static_cast<std::size_t>(((nfds + 7) / 8 + 7) & ~7);
    std::vector<std::uint8_t> set(bytes);
    if (!read(addr, std::as_writable_bytes(std::span(set)))) {
        return std::nullopt;
    }
    std::vector<int> fds;
    for (int fd = 0; fd < nfds; ++fd) {
        if ((set[static_cast<std::size_t>(fd) / 8] & (1U << (fd % 8))) != 0) {
            fds.push_back(fd);
        }
    }
    return fds;
}

} // namespace detail

/// One fd set of select or pselect6 at entry: `[3 5]` (strace separates them with spaces),
/// NULL, or the address when it cannot be read or `nfds` is not positive.
inline std::string fd_set_entry(const ReadMemory& read, std::uint64_t addr, int nfds) {
    if (addr == 0) {
        return "NULL";
    }
    const auto fds = detail::fd_set_at(read, addr, nfds);
    if (!fds) {
        return hex(addr);
    }
    std::string out = "[";
    for (const int fd : *fds) {
        out += (out.size() > 1 ? " " : "") + std::to_string(fd);
    }
    return out + "]";
}

/// What select or pselect6 found, as strace 6.1 puts it after a positive result (`ret` fds
/// ready): `in [3 5], out [4], left {tv_sec=1, tv_usec=500}`, the sets the kernel wrote back
/// (`regs`: the call's registers), then the time left in the timeout it updated, a timeval
/// for select and a timespec for pselect6 (`timespec`). Like strace it stops listing fds near
/// 1000 characters (its buffer is 1024 bytes).
inline std::string select_found(const ReadMemory& read, const std::array<std::uint64_t, 6>& regs,
                                std::int64_t ret, bool timespec) {
    constexpr std::size_t buffer = 1024;
    constexpr std::size_t room_for_fd = sizeof(", except [") + sizeof(int) * 3 + 2;
    constexpr std::array<std::string_view, 3> set_names{"in", "out", "except"};
    std::string out;
    std::int64_t ready = ret;
    for (std::size_t i = 0; i < set_names.size() && ready > 0; ++i) {
        const auto fds =
            regs[i + 1] == 0 ? std::nullopt : detail::fd_set_at(read, regs[i + 1], as_int(regs[0]));
        if (!fds) {
            continue;
        }
        bool first = true;
        for (const int fd : *fds) {
            if (out.size() < buffer - room_for_fd) {
                out += first ? std::string(out.empty() ? "" : ", ") + std::string(set_names[i]) +
                                   " [" + std::to_string(fd)
                             : " " + std::to_string(fd);
                first = false;
            }
            if (--ready == 0) {
                break;
            }
        }
        if (!out.empty()) {
            out += ']';
        }
    }
    if (regs[4] != 0) {
        const std::string left = timespec ? timespec_at(read, regs[4]) : timeval_at(read, regs[4]);
        if (out.size() + sizeof("left ") + left.size() < buffer) {
            out += (out.empty() ? "left " : ", left ") + left;
        }
    }
    return out;
}

/// pselect6's sixth argument, a struct of a sigset's address and its size:
/// `{sigmask=[USR1], sigsetsize=8}`, NULL, or the address when unreadable.
inline std::string pselect6_sigmask_at(const ReadMemory& read, std::uint64_t addr) {
    std::array<std::uint64_t, 2> data{};
    if (addr == 0) {
        return "NULL";
    }
    if (!read_struct(read, addr, data)) {
        return hex(addr);
    }
    return "{sigmask=" + sigset_at(read, data[0], data[1]) +
           ", sigsetsize=" + std::to_string(data[1]) + "}";
}

inline constexpr std::array<FlagName, 3> epoll_ctl_table{{
    {1, "EPOLL_CTL_ADD"},
    {2, "EPOLL_CTL_DEL"},
    {3, "EPOLL_CTL_MOD"},
}};

/// epoll's event bits, in strace 6.1's order (by value; EPOLL_URING_WAKE, 1 << 27, is
/// newer than strace 6.1, which prints it in hex).
inline constexpr std::array<FlagName, 16> epoll_event_table{{
    {0x1, "EPOLLIN"},
    {0x2, "EPOLLPRI"},
    {0x4, "EPOLLOUT"},
    {0x8, "EPOLLERR"},
    {0x10, "EPOLLHUP"},
    {0x20, "EPOLLNVAL"},
    {0x40, "EPOLLRDNORM"},
    {0x80, "EPOLLRDBAND"},
    {0x100, "EPOLLWRNORM"},
    {0x200, "EPOLLWRBAND"},
    {0x400, "EPOLLMSG"},
    {0x2000, "EPOLLRDHUP"},
    {1U << 28, "EPOLLEXCLUSIVE"},
    {1U << 29, "EPOLLWAKEUP"},
    {1U << 30, "EPOLLONESHOT"},
    {1U << 31, "EPOLLET"},
}};

/// struct epoll_event is packed on x86_64: the 32-bit events, then the 64-bit data.
inline constexpr std::size_t epoll_event_size = 12;

namespace detail {

/// One struct epoll_event from its 12 bytes: `{events=EPOLLIN, data={u32=3, u64=3}}`.
inline std::string epoll_event_text(std::span<const std::byte, epoll_event_size> bytes) {
    std::uint32_t events = 0;
    std::uint64_t data = 0;
    std::memcpy(&events, bytes.data(), sizeof events);
    std::memcpy(&data, bytes.data() + sizeof events, sizeof data);
    return "{events=" + flags_or_unknown(events, epoll_event_table, "EPOLL") +
           ", data={u32=" + std::to_string(static_cast<std::uint32_t>(data)) +
           ", u64=" + std::to_string(data) + "}}";
}

} // namespace detail

/// epoll_ctl's event: NULL, the struct, or the address when unreadable. The kernel ignores
/// it for EPOLL_CTL_DEL, and strace shows only its address then (`op`: the call's second
/// argument).
inline std::string epoll_ctl_event(const ReadMemory& read, std::uint64_t op, std::uint64_t addr) {
    std::array<std::byte, epoll_event_size> bytes{};
    if ((op & 0xffffffff) == 2 || addr == 0 || !read(addr, bytes)) {
        return pointer(addr);
    }
    return detail::epoll_event_text(bytes);
}

/// The `count` events epoll_wait and its p- forms wrote at `addr`: `[{events=EPOLLIN, ...}]`,
/// the first `limit` of them and `...` when there are more; the address when unreadable.
inline std::string epoll_events_at(const ReadMemory& read, std::uint64_t addr, std::uint64_t count,
                                   std::size_t limit) {
    const std::size_t shown = static_cast<std::size_t>(std::min<std::uint64_t>(count, limit));
    std::vector<std::byte> bytes(shown * epoll_event_size);
    if (!bytes.empty() && !read(addr, bytes)) {
        return hex(addr);
    }
    std::vector<std::string> items;
    for (std::size_t i = 0; i < shown; ++i) {
        items.push_back(detail::epoll_event_text(
            std::span(bytes).subspan(i * epoll_event_size).first<epoll_event_size>()));
    }
    return array_text(items, count > shown);
}

} // namespace strace_example
