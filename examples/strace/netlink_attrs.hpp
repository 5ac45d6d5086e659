// SPDX-License-Identifier: MIT
// The pieces every netlink decoder of this example is made of, as strace 6.1 prints them: bytes,
// strings and addresses as attribute values, sequences of length-prefixed elements (messages,
// attributes), attribute lists with their names and value decoders, arrays whose indices have
// names, and hardware addresses.
#pragma once

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/socket.h>

#include "format.hpp"
#include "sockaddr.hpp"

namespace strace_example::detail::nl {

using Bytes = std::span<const std::uint8_t>;

inline constexpr std::size_t attr_header_size = 4; // struct nlattr

/// Bytes in hex escapes, the first `limit` of them, then `...` (strace's QUOTE_FORCE_HEX).
inline std::string hex_text(Bytes bytes, std::size_t limit) {
    const std::size_t n = std::min(bytes.size(), limit);
    return quote(std::string_view(reinterpret_cast<const char*>(bytes.data()), n), true) +
           (bytes.size() > limit ? "..." : "");
}

/// A string attribute: its terminating 0 left out, `...` when it has none or is cut.
inline std::string string_attr_text(Bytes bytes, std::size_t limit) {
    std::size_t n = bytes.size();
    const bool terminated = n != 0 && bytes[n - 1] == 0;
    if (terminated) {
        --n;
    }
    const bool cut = n > limit;
    return quote(std::string_view(reinterpret_cast<const char*>(bytes.data()), cut ? limit : n)) +
           (cut || !terminated ? "..." : "");
}

/// An address of `family`: `inet_addr("192.0.2.1")`, `inet_pton(AF_INET6, "::1")`, or the
/// bytes when the family is another or the value too short.
inline std::string inet_text(Bytes value, std::uint8_t family, std::size_t limit) {
    const std::size_t size = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
    if (size == 0 || value.size() < size) {
        return hex_text(value, limit);
    }
    std::array<char, INET6_ADDRSTRLEN> text{};
    ::inet_ntop(family, value.data(), text.data(), text.size());
    return family == AF_INET ? "inet_addr(\"" + std::string(text.data()) + "\")"
                             : "inet_pton(AF_INET6, \"" + std::string(text.data()) + "\")";
}

/// A sequence of length-prefixed elements (messages, attributes) as strace prints one: a lone
/// element bare, several in brackets, `...` after `limit`, a tail shorter than `header` bytes as
/// bytes. `step(rest)` is how far the element at the start of `rest` reaches (its length
/// aligned; 0 when no element follows it); `element(rest)` its text (nullopt: the whole
/// sequence is not decoded here).
template <typename Step, typename Element>
std::optional<std::string> sequence_text(Bytes bytes, std::size_t header, std::size_t limit,
                                         Step step, Element element) {
    std::string out;
    bool array = false;
    std::size_t at = 0;
    for (std::size_t count = 0;; ++count) {
        const Bytes rest = bytes.subspan(at);
        if (rest.size() < header) {
            out += hex_text(rest, limit);
            break;
        }
        if (count == limit) {
            out += "...";
            break;
        }
        const std::size_t reach = step(rest);
        const bool more = reach != 0 && rest.size() > reach;
        if (!array && more) {
            out += "[";
            array = true;
        }
        const std::optional<std::string> text = element(rest);
        if (!text) {
            return std::nullopt;
        }
        out += *text;
        if (!more) {
            break;
        }
        out += ", ";
        at += reach;
    }
    return array ? out + "]" : out;
}

/// What a decoder makes of an attribute's value: its text, or nothing (`text` empty) for
/// strace's default, the bytes in hex; `undecoded` when strace decodes the value with a decoder
/// this example lacks, and the whole buffer is left to the caller.
struct AttrValue {
    std::optional<std::string> text;
    bool undecoded = false;
};

inline AttrValue undecoded_value() {
    return {std::nullopt, true};
}

/// A nested list's text as a value: undecoded when the list is (see attr_list_text).
inline AttrValue nested_value(std::optional<std::string> list) {
    return list ? AttrValue{std::move(list)} : undecoded_value();
}

/// The names of a list's attribute types, and the prefix of an unknown one's
/// (`0x28 /* IFA_??? */`).
struct AttrNames {
    std::span<const FlagName> table;
    std::string_view prefix;
};

/// A list of attributes as strace prints it: one `[{nla_len=8, nla_type=IFA_LOCAL},
/// inet_addr("127.0.0.1")]`, several in brackets, `...` after `limit`, an attribute with no
/// value as its header alone, a tail too short for a header as bytes. `value(type, bytes)`
/// decodes a value (the type without its NLA_F_ bits; the bytes cut to the buffer); nullopt
/// when one of them is `undecoded`.
template <typename Value>
std::optional<std::string> attr_list_text(Bytes bytes, AttrNames names, std::size_t limit,
                                          Value value) {
    const auto step = [](Bytes rest) -> std::size_t {
        const auto length = load<std::uint16_t>(rest, 0);
        return length < attr_header_size ? 0 : (std::size_t{length} + 3) & ~std::size_t{3};
    };
    const auto element = [&](Bytes rest) -> std::optional<std::string> {
        const auto length = load<std::uint16_t>(rest, 0);
        const auto type = load<std::uint16_t>(rest, 2);
        const auto number = static_cast<std::uint16_t>(type & 0x3fffU);
        std::string head = "{nla_len=" + std::to_string(length) + ", nla_type=";
        head += (type & 0x8000U) != 0 ? "NLA_F_NESTED|" : "";
        head += (type & 0x4000U) != 0 ? "NLA_F_NET_BYTEORDER|" : "";
        head += constant(number, names.table, names.prefix) + "}";
        const std::size_t shown = std::min<std::size_t>(length, rest.size());
        if (shown <= attr_header_size) {
            return head;
        }
        const Bytes bytes_of_value = rest.subspan(attr_header_size, shown - attr_header_size);
        AttrValue decoded = value(number, bytes_of_value);
        if (decoded.undecoded) {
            return std::nullopt;
        }
        return "[" + head + ", " + decoded.text.value_or(hex_text(bytes_of_value, limit)) + "]";
    };
    return sequence_text(bytes, attr_header_size, limit, step, element);
}

/// A message's struct (`head`, already printed), then the attributes that start at byte `at`
/// of its payload when there are any: `{...}, [...]`; nullopt when one of them is undecoded.
template <typename Value>
std::optional<std::string> struct_and_attrs_text(std::string head, Bytes payload, std::size_t at,
                                                 AttrNames names, std::size_t limit, Value value) {
    if (payload.size() <= at) {
        return head;
    }
    const auto attrs = attr_list_text(payload.subspan(at), names, limit, value);
    if (!attrs) {
        return std::nullopt;
    }
    return head + ", " + *attrs;
}

/// A value of type `T` (an integer) in decimal; the bytes when shorter than `T` (strace's
/// decode_nla_u8/u32/s32...: a longer value is read for its first bytes).
template <typename T>
AttrValue number_value(Bytes value) {
    if (value.size() < sizeof(T)) {
        return {};
    }
    if constexpr (sizeof(T) == 1) {
        return {std::to_string(static_cast<unsigned>(load<T>(value, 0)))};
    } else {
        return {std::to_string(load<T>(value, 0))};
    }
}

/// A 32-bit word in hex (`0xff`); the bytes when shorter.
inline AttrValue hex32_value(Bytes value) {
    if (value.size() < 4) {
        return {};
    }
    return {hex(load<std::uint32_t>(value, 0))};
}

/// A 32-bit word of flags of `table` (`IFA_F_PERMANENT|0x10000`); the bytes when shorter.
inline AttrValue flags32_value(Bytes value, std::span<const FlagName> table,
                               std::string_view prefix) {
    if (value.size() < 4) {
        return {};
    }
    return {flags_or_unknown(load<std::uint32_t>(value, 0), table, prefix)};
}

/// A constant of `table`, of `T` (`XDP_ATTACHED_DRV`, `0x9 /* XDP_ATTACHED_??? */`); the bytes
/// when shorter than `T`.
template <typename T>
AttrValue constant_value(Bytes value, std::span<const FlagName> table, std::string_view prefix) {
    if (value.size() < sizeof(T)) {
        return {};
    }
    return {constant(load<T>(value, 0), table, prefix)};
}

/// A constant of `table` read as an integer as wide as the value (1 to 8 bytes, as strace reads
/// NDA_PROTOCOL and FRA_IP_PROTO: `IPPROTO_TCP`, `0x102 /* IPPROTO_??? */`); the bytes when
/// wider.
inline AttrValue sized_constant_value(Bytes value, std::span<const FlagName> table,
                                      std::string_view prefix) {
    if (value.size() > 8) {
        return {};
    }
    std::uint64_t number = 0;
    for (std::size_t i = value.size(); i-- > 0;) {
        number = (number << 8U) | value[i];
    }
    return {constant(number, table, prefix)};
}

/// An array of `T` whose indices have names, as strace's print_array_ex with indices prints
/// it: `[[IPSTATS_MIB_NUM]=38, [37 /* IPSTATS_MIB_??? */]=0, ...]`, as many elements as fit
/// (a partial one left out), `...` after `limit`; the bytes when not one fits. An index `i`
/// is named by the entry `i + offset` of `table`, with ` - offset` spelled after the name
/// (`[IPV4_DEVCONF_FORWARDING-1]=0`: that table starts at 1).
template <typename T>
AttrValue indexed_array_value(Bytes value, std::span<const FlagName> table, std::string_view prefix,
                              unsigned offset, std::size_t limit) {
    const std::size_t count = value.size() / sizeof(T);
    if (count == 0) {
        return {};
    }
    std::vector<std::string> items;
    for (std::size_t i = 0; i < count && i < limit; ++i) {
        const std::string fallback = std::to_string(i) + " /* " + std::string(prefix) + "??? */";
        std::string index = value_name(i + offset, table, fallback);
        if (offset != 0 && index != fallback) {
            index += "-" + std::to_string(offset);
        }
        items.push_back("[" + index + "]=" + std::to_string(load<T>(value, i * sizeof(T))));
    }
    return {array_text(items, count > limit)};
}

/// A hardware address, `02:fc:00:00:00:01`, as strace prints one of a device of hardware type
/// `type` (an ARPHRD_ value; any_hardware_type for none): at most as many bytes as that type's
/// addresses have; the bytes when longer than 32 (MAX_ADDR_LEN).
inline constexpr unsigned any_hardware_type = 0x10000;
inline AttrValue hwaddr_value(Bytes value, unsigned type, std::size_t limit) {
    if (value.size() > 32) {
        return {hex_text(value, limit)};
    }
    // Address lengths of the hardware types below 256 whose devices have a fixed one.
    constexpr std::array<std::pair<unsigned, std::size_t>, 9> sizes{{
        {0, 7},   // ARPHRD_NETROM
        {1, 6},   // ARPHRD_ETHER
        {3, 7},   // ARPHRD_AX25
        {6, 6},   // ARPHRD_IEEE802
        {7, 1},   // ARPHRD_ARCNET
        {15, 2},  // ARPHRD_DLCI
        {24, 16}, // ARPHRD_IEEE1394
        {27, 8},  // ARPHRD_EUI64
        {32, 20}, // ARPHRD_INFINIBAND
    }};
    std::size_t n = value.size();
    for (const auto& [known, size] : sizes) {
        if (known == type) {
            n = std::min(n, size);
        }
    }
    std::string out;
    constexpr std::string_view digits = "0123456789abcdef";
    for (std::size_t i = 0; i < n; ++i) {
        out += i == 0 ? "" : ":";
        out += digits[value[i] >> 4U];
        out += digits[value[i] & 0xfU];
    }
    return {out};
}

} // namespace strace_example::detail::nl
