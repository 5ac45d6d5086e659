// SPDX-License-Identifier: MIT
// The calls that wait for file descriptors to be ready, as strace 6.1 prints them: poll's array
// of pollfds at entry and what it found at exit.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
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

} // namespace strace_example
