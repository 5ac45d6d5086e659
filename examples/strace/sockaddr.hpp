// SPDX-License-Identifier: MIT
// Socket addresses and what they are made of, as strace 6.1 prints them: address families by
// name, interface indexes by the name this machine gives them, and a struct sockaddr held by
// the tracer (the syscall decoders read it from the tracee first; control messages, netlink
// attributes and socket options carry one inside).
#pragma once

#include <arpa/inet.h>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <net/if.h>
#include <optional>
#include <span>
#include <string>

#include "format.hpp"

namespace strace_example::detail {

/// Every address family strace 6.1 names (AF_UNSPEC to AF_MCTP).
inline constexpr std::array<FlagName, 46> address_family_table{{
    {0, "AF_UNSPEC"},      {1, "AF_UNIX"},      {2, "AF_INET"},      {3, "AF_AX25"},
    {4, "AF_IPX"},         {5, "AF_APPLETALK"}, {6, "AF_NETROM"},    {7, "AF_BRIDGE"},
    {8, "AF_ATMPVC"},      {9, "AF_X25"},       {10, "AF_INET6"},    {11, "AF_ROSE"},
    {12, "AF_DECnet"},     {13, "AF_NETBEUI"},  {14, "AF_SECURITY"}, {15, "AF_KEY"},
    {16, "AF_NETLINK"},    {17, "AF_PACKET"},   {18, "AF_ASH"},      {19, "AF_ECONET"},
    {20, "AF_ATMSVC"},     {21, "AF_RDS"},      {22, "AF_SNA"},      {23, "AF_IRDA"},
    {24, "AF_PPPOX"},      {25, "AF_WANPIPE"},  {26, "AF_LLC"},      {27, "AF_IB"},
    {28, "AF_MPLS"},       {29, "AF_CAN"},      {30, "AF_TIPC"},     {31, "AF_BLUETOOTH"},
    {32, "AF_IUCV"},       {33, "AF_RXRPC"},    {34, "AF_ISDN"},     {35, "AF_PHONET"},
    {36, "AF_IEEE802154"}, {37, "AF_CAIF"},     {38, "AF_ALG"},      {39, "AF_NFC"},
    {40, "AF_VSOCK"},      {41, "AF_KCM"},      {42, "AF_QIPCRTR"},  {43, "AF_SMC"},
    {44, "AF_XDP"},        {45, "AF_MCTP"},
}};

/// A `T` at byte `at` of bytes held by the tracer (a copy of the tracee's).
template <typename T>
T load(std::span<const std::uint8_t> bytes, std::size_t at) {
    T value{};
    std::memcpy(&value, bytes.data() + at, sizeof value);
    return value;
}

/// An interface index: `if_nametoindex("lo")` when this machine has that interface.
inline std::string ifindex_text(std::uint32_t index) {
    std::array<char, IF_NAMESIZE> name{};
    if (index != 0 && ::if_indextoname(index, name.data()) != nullptr) {
        return "if_nametoindex(" + quote(name.data()) + ")";
    }
    return std::to_string(index);
}

/// A socket address held in `sa` (2 bytes or more), for the families strace users meet first:
/// `{sa_family=AF_UNIX, sun_path="/run/x"}`,
/// `{sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.1")}`, AF_INET6,
/// AF_NETLINK, and AF_UNSPEC's bytes; nullopt for another family.
inline std::optional<std::string> sockaddr_text(std::span<const unsigned char> sa) {
    const std::size_t len = sa.size();
    const unsigned family = unsigned{sa[0]} | (unsigned{sa[1]} << 8U);
    const std::string rest(reinterpret_cast<const char*>(sa.data()) + 2, len - 2);
    if (family == 0) { // AF_UNSPEC (connect's "disconnect", an error's unknown sender): bytes
        return "{sa_family=AF_UNSPEC" + (len > 2 ? ", sa_data=" + quote(rest) : std::string()) +
               "}";
    }
    if (family == 1) {
        if (len == 2) {
            return "{sa_family=AF_UNIX}"; // unnamed: a socketpair's, an unbound peer's
        }
        if (rest[0] == '\0') { // abstract: the name is all the bytes after the first NUL
            return "{sa_family=AF_UNIX, sun_path=@" + quote(rest.substr(1)) + "}";
        }
        return "{sa_family=AF_UNIX, sun_path=" + quote(rest.substr(0, rest.find('\0'))) + "}";
    }
    const unsigned port = len >= 4 ? (unsigned{sa[2]} << 8U) | unsigned{sa[3]} : 0; // network order
    if (family == 2 && len >= 8) {
        return "{sa_family=AF_INET, sin_port=htons(" + std::to_string(port) +
               "), sin_addr=inet_addr(\"" + std::to_string(sa[4]) + "." + std::to_string(sa[5]) +
               "." + std::to_string(sa[6]) + "." + std::to_string(sa[7]) + "\")}";
    }
    auto word = [&sa](std::size_t at) { // a 32-bit word in host order
        std::uint32_t w = 0;
        std::memcpy(&w, sa.data() + at, sizeof w);
        return w;
    };
    if (family == 10 && len >= 28) {
        std::array<char, INET6_ADDRSTRLEN> text{};
        ::inet_ntop(AF_INET6, sa.data() + 8, text.data(), text.size());
        return "{sa_family=AF_INET6, sin6_port=htons(" + std::to_string(port) +
               "), sin6_flowinfo=htonl(" + std::to_string(ntohl(word(4))) +
               "), inet_pton(AF_INET6, \"" + text.data() +
               "\", &sin6_addr), sin6_scope_id=" + ifindex_text(word(24)) + "}";
    }
    if (family == 16 && len >= 12) { // nl_pid, nl_groups
        std::array<char, 9> groups{};
        std::snprintf(groups.data(), groups.size(), "%08x", word(8));
        return "{sa_family=AF_NETLINK, nl_pid=" + std::to_string(word(4)) +
               ", nl_groups=" + groups.data() + "}";
    }
    return std::nullopt;
}

} // namespace strace_example::detail
