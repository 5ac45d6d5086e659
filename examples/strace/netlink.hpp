// SPDX-License-Identifier: MIT
// Netlink messages as strace 6.1 prints them: the buffers of sendto and recvfrom on a netlink
// socket, and the I/O vectors of sendmsg, recvmsg, sendmmsg and recvmmsg whose name is a
// netlink address. Decoded: every message header (its type and flags by protocol), the
// control messages (NLMSG_ERROR with the request it answers and its attributes, NLMSG_DONE),
// and of NETLINK_ROUTE the address messages (RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR,
// RTM_GETMULTICAST, RTM_GETANYCAST: struct ifaddrmsg and the IFA_* attributes), the link,
// route, neighbour and rule messages (netlink_link.hpp, netlink_routes.hpp,
// netlink_neighbours.hpp, netlink_rules.hpp), the address labels and per-device settings
// (netlink_addrconf.hpp), and the types strace shows as a family and bytes. What getaddrinfo
// (AI_ADDRCONFIG), getifaddrs, if_nameindex and `ip` (link, addr, route, neigh, rule, netconf,
// addrlabel) ask the kernel and read back is all of that. A buffer holding a message strace
// decodes further (traffic control, neighbour tables..., a protocol other than NETLINK_ROUTE,
// or an attribute those headers leave out) is left to the caller, which prints it as bytes:
// nullopt.
#pragma once

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <net/if.h>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <sys/socket.h>

#include "format.hpp"
#include "netlink_addrconf.hpp"
#include "netlink_attrs.hpp"
#include "netlink_link.hpp"
#include "netlink_neighbours.hpp"
#include "netlink_routes.hpp"
#include "netlink_rules.hpp"
#include "sockaddr.hpp"
#include "structs.hpp"

namespace strace_example {

/// The protocol of a netlink socket whose protocol the tracer could not learn: an unbound
/// socket is in no table (/proc/PID/net/netlink lists the bound ones, as strace's sock_diag
/// query does); its messages are decoded without a protocol's types.
inline constexpr int netlink_unknown = -1;
inline constexpr int netlink_route = 0; // NETLINK_ROUTE

namespace detail {

namespace nl {

inline constexpr std::size_t header_size = 16; // struct nlmsghdr
inline constexpr std::uint16_t min_type = 16;  // NLMSG_MIN_TYPE
inline constexpr std::uint16_t error_type = 2; // NLMSG_ERROR
inline constexpr std::uint16_t done_type = 3;  // NLMSG_DONE
inline constexpr std::uint16_t capped = 0x100; // NLM_F_CAPPED

inline constexpr std::array<FlagName, 4> control_types{{
    {1, "NLMSG_NOOP"},
    {2, "NLMSG_ERROR"},
    {3, "NLMSG_DONE"},
    {4, "NLMSG_OVERRUN"},
}};

inline constexpr std::array<FlagName, 67> route_types{{
    {16, "RTM_NEWLINK"},
    {17, "RTM_DELLINK"},
    {18, "RTM_GETLINK"},
    {19, "RTM_SETLINK"},
    {20, "RTM_NEWADDR"},
    {21, "RTM_DELADDR"},
    {22, "RTM_GETADDR"},
    {24, "RTM_NEWROUTE"},
    {25, "RTM_DELROUTE"},
    {26, "RTM_GETROUTE"},
    {28, "RTM_NEWNEIGH"},
    {29, "RTM_DELNEIGH"},
    {30, "RTM_GETNEIGH"},
    {32, "RTM_NEWRULE"},
    {33, "RTM_DELRULE"},
    {34, "RTM_GETRULE"},
    {36, "RTM_NEWQDISC"},
    {37, "RTM_DELQDISC"},
    {38, "RTM_GETQDISC"},
    {40, "RTM_NEWTCLASS"},
    {41, "RTM_DELTCLASS"},
    {42, "RTM_GETTCLASS"},
    {44, "RTM_NEWTFILTER"},
    {45, "RTM_DELTFILTER"},
    {46, "RTM_GETTFILTER"},
    {48, "RTM_NEWACTION"},
    {49, "RTM_DELACTION"},
    {50, "RTM_GETACTION"},
    {52, "RTM_NEWPREFIX"},
    {58, "RTM_GETMULTICAST"},
    {62, "RTM_GETANYCAST"},
    {64, "RTM_NEWNEIGHTBL"},
    {66, "RTM_GETNEIGHTBL"},
    {67, "RTM_SETNEIGHTBL"},
    {68, "RTM_NEWNDUSEROPT"},
    {72, "RTM_NEWADDRLABEL"},
    {73, "RTM_DELADDRLABEL"},
    {74, "RTM_GETADDRLABEL"},
    {78, "RTM_GETDCB"},
    {79, "RTM_SETDCB"},
    {80, "RTM_NEWNETCONF"},
    {81, "RTM_DELNETCONF"},
    {82, "RTM_GETNETCONF"},
    {84, "RTM_NEWMDB"},
    {85, "RTM_DELMDB"},
    {86, "RTM_GETMDB"},
    {88, "RTM_NEWNSID"},
    {89, "RTM_DELNSID"},
    {90, "RTM_GETNSID"},
    {92, "RTM_NEWSTATS"},
    {94, "RTM_GETSTATS"},
    {96, "RTM_NEWCACHEREPORT"},
    {100, "RTM_NEWCHAIN"},
    {101, "RTM_DELCHAIN"},
    {102, "RTM_GETCHAIN"},
    {104, "RTM_NEWNEXTHOP"},
    {105, "RTM_DELNEXTHOP"},
    {106, "RTM_GETNEXTHOP"},
    {108, "RTM_NEWLINKPROP"},
    {109, "RTM_DELLINKPROP"},
    {110, "RTM_GETLINKPROP"},
    {112, "RTM_NEWVLAN"},
    {113, "RTM_DELVLAN"},
    {114, "RTM_GETVLAN"},
    {116, "RTM_NEWNEXTHOPBUCKET"},
    {117, "RTM_DELNEXTHOPBUCKET"},
    {118, "RTM_GETNEXTHOPBUCKET"},
}};

// Message flags: the common ones, then those of the request's kind.
inline constexpr std::array<FlagName, 6> flags_common{{
    {0x01, "NLM_F_REQUEST"},
    {0x02, "NLM_F_MULTI"},
    {0x04, "NLM_F_ACK"},
    {0x08, "NLM_F_ECHO"},
    {0x10, "NLM_F_DUMP_INTR"},
    {0x20, "NLM_F_DUMP_FILTERED"},
}};
inline constexpr std::array<FlagName, 4> flags_get{{
    {0x300, "NLM_F_DUMP"},
    {0x100, "NLM_F_ROOT"},
    {0x200, "NLM_F_MATCH"},
    {0x400, "NLM_F_ATOMIC"},
}};
inline constexpr std::array<FlagName, 4> flags_new{{
    {0x100, "NLM_F_REPLACE"},
    {0x200, "NLM_F_EXCL"},
    {0x400, "NLM_F_CREATE"},
    {0x800, "NLM_F_APPEND"},
}};
inline constexpr std::array<FlagName, 2> flags_delete{{
    {0x100, "NLM_F_NONREC"},
    {0x200, "NLM_F_BULK"},
}};
inline constexpr std::array<FlagName, 2> flags_ack{{
    {0x100, "NLM_F_CAPPED"},
    {0x200, "NLM_F_ACK_TLVS"},
}};

inline constexpr std::array<FlagName, 12> ifa_flags{{
    {0x01, "IFA_F_SECONDARY"},
    {0x02, "IFA_F_NODAD"},
    {0x04, "IFA_F_OPTIMISTIC"},
    {0x08, "IFA_F_DADFAILED"},
    {0x10, "IFA_F_HOMEADDRESS"},
    {0x20, "IFA_F_DEPRECATED"},
    {0x40, "IFA_F_TENTATIVE"},
    {0x80, "IFA_F_PERMANENT"},
    {0x100, "IFA_F_MANAGETEMPADDR"},
    {0x200, "IFA_F_NOPREFIXROUTE"},
    {0x400, "IFA_F_MCAUTOJOIN"},
    {0x800, "IFA_F_STABLE_PRIVACY"},
}};
inline constexpr std::array<FlagName, 12> ifa_attrs{{
    {0, "IFA_UNSPEC"},
    {1, "IFA_ADDRESS"},
    {2, "IFA_LOCAL"},
    {3, "IFA_LABEL"},
    {4, "IFA_BROADCAST"},
    {5, "IFA_ANYCAST"},
    {6, "IFA_CACHEINFO"},
    {7, "IFA_MULTICAST"},
    {8, "IFA_FLAGS"},
    {9, "IFA_RT_PRIORITY"},
    {10, "IFA_TARGET_NETNSID"},
    {11, "IFA_PROTO"},
}};
inline constexpr std::array<FlagName, 7> error_attrs{{
    {0, "NLMSGERR_ATTR_UNUSED"},
    {1, "NLMSGERR_ATTR_MSG"},
    {2, "NLMSGERR_ATTR_OFFS"},
    {3, "NLMSGERR_ATTR_COOKIE"},
    {4, "NLMSGERR_ATTR_POLICY"},
    {5, "NLMSGERR_ATTR_MISS_TYPE"},
    {6, "NLMSGERR_ATTR_MISS_NEST"},
}};

/// The value of an attribute of an address message (struct ifaddrmsg of `family`); nullopt
/// where strace prints the bytes.
inline std::optional<std::string> ifa_value(std::uint16_t type, Bytes value, std::uint8_t family,
                                            std::size_t limit) {
    switch (type) {
    case 1: // IFA_ADDRESS
    case 2: // IFA_LOCAL
    case 4: // IFA_BROADCAST
    case 5: // IFA_ANYCAST
    case 7: // IFA_MULTICAST
        return inet_text(value, family, limit);
    case 3: // IFA_LABEL
        return string_attr_text(value, limit);
    case 6: { // IFA_CACHEINFO: ifa_prefered, ifa_valid, cstamp, tstamp
        if (value.size() < 16) {
            return std::nullopt;
        }
        return "{ifa_prefered=" + std::to_string(load<std::uint32_t>(value, 0)) +
               ", ifa_valid=" + std::to_string(load<std::uint32_t>(value, 4)) +
               ", cstamp=" + std::to_string(load<std::uint32_t>(value, 8)) +
               ", tstamp=" + std::to_string(load<std::uint32_t>(value, 12)) + "}";
    }
    case 8: // IFA_FLAGS: a 32-bit word, in at most 8 bytes
        if (value.size() < 4 || value.size() > 8) {
            return std::nullopt;
        }
        return flags_or_unknown(load<std::uint32_t>(value, 0), ifa_flags, "IFA_F_");
    case 9: // IFA_RT_PRIORITY
        if (value.size() < 4) {
            return std::nullopt;
        }
        return std::to_string(load<std::uint32_t>(value, 0));
    case 10: // IFA_TARGET_NETNSID
        if (value.size() < 4) {
            return std::nullopt;
        }
        return std::to_string(load<std::int32_t>(value, 0));
    default:
        return std::nullopt;
    }
}

/// The value of an extended error attribute (after NLMSG_ERROR's request); nullopt: bytes.
inline std::optional<std::string> error_attr_value(std::uint16_t type, Bytes value,
                                                   std::size_t limit) {
    switch (type) {
    case 1: // NLMSGERR_ATTR_MSG
        return string_attr_text(value, limit);
    case 2: // NLMSGERR_ATTR_OFFS
        if (value.size() < 4) {
            return std::nullopt;
        }
        return std::to_string(load<std::uint32_t>(value, 0));
    case 3: { // NLMSGERR_ATTR_COOKIE: bytes as numbers
        std::vector<std::string> items;
        for (std::size_t i = 0; i < value.size() && i < limit; ++i) {
            items.push_back(std::to_string(value[i]));
        }
        return array_text(items, value.size() > limit);
    }
    default:
        return std::nullopt;
    }
}

/// A list of an address message's attributes (of `family`), or of an error's.
inline std::string address_attrs_text(Bytes bytes, std::uint8_t family, std::size_t limit) {
    return *attr_list_text(bytes, {ifa_attrs, "IFA_"}, limit, [&](std::uint16_t type, Bytes value) {
        return AttrValue{ifa_value(type, value, family, limit)};
    }); // every value decodes
}
inline std::string error_attrs_text(Bytes bytes, std::size_t limit) {
    return *attr_list_text(bytes, {error_attrs, "NLMSGERR_ATTR_"}, limit,
                           [&](std::uint16_t type, Bytes value) {
                               return AttrValue{error_attr_value(type, value, limit)};
                           }); // every value decodes
}

/// A struct ifaddrmsg and its attributes: `{ifa_family=AF_INET, ifa_prefixlen=8,
/// ifa_flags=IFA_F_PERMANENT, ifa_scope=RT_SCOPE_HOST, ifa_index=if_nametoindex("lo")},
/// [...]`; `{ifa_family=AF_UNSPEC, ...}` when shorter than the struct.
inline std::string ifaddrmsg_text(Bytes payload, std::size_t limit) {
    const std::uint8_t family = payload[0];
    std::string out = "{ifa_family=" + constant(family, address_family_table, "AF_") + ", ";
    if (payload.size() < 8) {
        return out + "...}";
    }
    out += "ifa_prefixlen=" + std::to_string(payload[1]) +
           ", ifa_flags=" + flags_or_unknown(payload[2], ifa_flags, "IFA_F_") +
           ", ifa_scope=" + value_name(payload[3], scopes, hex(payload[3])) +
           ", ifa_index=" + ifindex_text(load<std::uint32_t>(payload, 4)) + "}";
    if (payload.size() > 8) {
        out += ", " + address_attrs_text(payload.subspan(8), family, limit);
    }
    return out;
}

/// A decoder of a NETLINK_ROUTE message's payload: its struct and its attributes, or nullopt
/// where strace would read past the payload.
using RoutePayloadDecoder = std::optional<std::string> (*)(Bytes payload, std::size_t limit);

/// A RoutePayloadDecoder from a function that returns text or optional text.
template <auto decode>
std::optional<std::string> route_payload_as(Bytes payload, std::size_t limit) {
    return decode(payload, limit);
}

/// The message types `first` to `last` and their payload's decoder; nullptr where strace
/// decodes a struct of a kind not done here (traffic control, neighbour tables, DCB, a
/// bridge's multicast database, name spaces, statistics, chains, next hops).
struct RoutePayload {
    std::uint16_t first;
    std::uint16_t last;
    RoutePayloadDecoder decode;
};
inline constexpr auto route_payloads = std::to_array<RoutePayload>({
    {16, 19, ifinfomsg_text},                      // RTM_NEWLINK ... RTM_SETLINK
    {20, 22, route_payload_as<ifaddrmsg_text>},    // RTM_NEWADDR ... RTM_GETADDR
    {24, 26, rtmsg_text},                          // RTM_NEWROUTE ... RTM_GETROUTE
    {28, 30, ndmsg_text},                          // RTM_NEWNEIGH ... RTM_GETNEIGH
    {32, 34, route_payload_as<fib_rule_hdr_text>}, // RTM_NEWRULE ... RTM_GETRULE
    {36, 38, nullptr},                             // qdiscs
    {40, 42, nullptr},                             // traffic classes
    {44, 46, nullptr},                             // traffic filters
    {48, 50, nullptr},                             // actions
    {58, 58, route_payload_as<ifaddrmsg_text>},    // RTM_GETMULTICAST
    {62, 62, route_payload_as<ifaddrmsg_text>},    // RTM_GETANYCAST
    {64, 64, nullptr},                             // RTM_NEWNEIGHTBL
    {66, 67, nullptr},                             // RTM_GETNEIGHTBL, RTM_SETNEIGHTBL
    {72, 74, route_payload_as<ifaddrlblmsg_text>}, // RTM_NEWADDRLABEL ... RTM_GETADDRLABEL
    {78, 79, nullptr},                             // RTM_GETDCB, RTM_SETDCB
    {80, 82, route_payload_as<netconfmsg_text>},   // RTM_NEWNETCONF ... RTM_GETNETCONF
    {84, 86, nullptr},                             // a bridge's multicast database
    {88, 90, nullptr},                             // name spaces
    {92, 92, nullptr},                             // RTM_NEWSTATS
    {94, 94, nullptr},                             // RTM_GETSTATS
    {96, 96, nullptr},                             // RTM_NEWCACHEREPORT
    {100, 102, nullptr},                           // traffic chains
    {104, 106, nullptr},                           // next hops
});

/// The payload of a NETLINK_ROUTE message of `type` (at least 16); nullopt where strace
/// decodes a struct this example does not.
inline std::optional<std::string> route_payload(std::uint16_t type, Bytes payload,
                                                std::size_t limit) {
    const auto* row =
        std::find_if(route_payloads.begin(), route_payloads.end(),
                     [type](const RoutePayload& r) { return type >= r.first && type <= r.last; });
    if (row != route_payloads.end()) {
        return row->decode != nullptr ? row->decode(payload, limit) : std::nullopt;
    }
    std::string out = "{family=" + constant(payload[0], address_family_table, "AF_");
    if (payload.size() > 1) {
        out += ", data=" + hex_text(payload.subspan(1), limit);
    }
    return out + "}";
}

/// A message header: `{nlmsg_len=20, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|
/// NLM_F_DUMP, nlmsg_seq=1, nlmsg_pid=0}`. Types and flags are named by the protocol.
inline std::string header_text(Bytes header, int protocol) {
    const auto length = load<std::uint32_t>(header, 0);
    const auto type = load<std::uint16_t>(header, 4);
    const auto flags = load<std::uint16_t>(header, 6);
    const bool route = protocol == netlink_route && type >= min_type;
    std::string type_text =
        route ? constant(type, route_types, "RTM_") : constant(type, control_types, "NLMSG_");
    std::vector<FlagName> flag_table(flags_common.begin(), flags_common.end());
    const auto add = [&flag_table](std::span<const FlagName> more) {
        flag_table.insert(flag_table.end(), more.begin(), more.end());
    };
    if (type == error_type) {
        add(flags_ack);
    } else if (route && type == 49) { // RTM_DELACTION takes the flags of a request
        add(flags_get);
    } else if (route && (type & 3) == 0) {
        add(flags_new);
    } else if (route && (type & 3) == 1) {
        add(flags_delete);
    } else if (route && (type & 3) == 2) {
        add(flags_get);
    }
    return "{nlmsg_len=" + std::to_string(length) + ", nlmsg_type=" + type_text +
           ", nlmsg_flags=" + flags_or_unknown(flags, flag_table, "NLM_F_") +
           ", nlmsg_seq=" + std::to_string(load<std::uint32_t>(header, 8)) +
           ", nlmsg_pid=" + std::to_string(load<std::int32_t>(header, 12)) + "}"; // (%d)
}

inline std::optional<std::string> message_text(Bytes bytes, int protocol, std::size_t limit);

/// NLMSG_ERROR's payload: `{error=-EINVAL, msg={...}}` (the request whole, or its header when
/// NLM_F_CAPPED), in brackets with the extended attributes after it; bytes when shorter than
/// struct nlmsgerr.
inline std::optional<std::string> error_text(Bytes payload, bool header_only, int protocol,
                                             std::size_t limit) {
    if (payload.size() < 4 + header_size) {
        return hex_text(payload, limit);
    }
    const auto error = load<std::int32_t>(payload, 0);
    const std::size_t rest = payload.size() - 4;
    const std::size_t request_length =
        std::max<std::size_t>(header_size, load<std::uint32_t>(payload, 4));
    const std::size_t shown = std::min(rest, header_only ? header_size : request_length);
    const auto request = message_text(payload.subspan(4, shown), protocol, limit);
    if (!request) {
        return std::nullopt;
    }
    const std::string_view name = error < 0 ? ptrace_api::errno_name(-error) : "";
    std::string out = "{error=" + (name.empty() ? std::to_string(error) : "-" + std::string(name)) +
                      ", msg=" + *request + "}";
    if (rest > shown) {
        out = "[" + out + ", " + error_attrs_text(payload.subspan(4 + shown), limit) + "]";
    }
    return out;
}

/// One message at the start of `bytes` (the rest of the buffer): its header, and its payload
/// when its length (cut to the buffer) leaves one: `[{nlmsg_len=...}, payload]`.
inline std::optional<std::string> message_text(Bytes bytes, int protocol, std::size_t limit) {
    const auto type = load<std::uint16_t>(bytes, 4);
    const std::size_t length = std::min<std::size_t>(load<std::uint32_t>(bytes, 0), bytes.size());
    const std::string header = header_text(bytes, protocol);
    if (length <= header_size) {
        return header;
    }
    const Bytes payload = bytes.subspan(header_size, length - header_size);
    std::optional<std::string> text;
    if (type == error_type) {
        text = error_text(payload, (load<std::uint16_t>(bytes, 6) & capped) != 0, protocol, limit);
    } else if (protocol == netlink_route && type >= min_type) {
        text = route_payload(type, payload, limit);
    } else if (type == done_type && payload.size() == 4) {
        text = std::to_string(load<std::int32_t>(payload, 0));
    } else {
        text = hex_text(payload, limit);
    }
    if (!text) {
        return std::nullopt;
    }
    return "[" + header + ", " + *text + "]";
}

} // namespace nl

/// The netlink messages in `bytes`, of a socket of `protocol`: one message, or several in
/// brackets (`...` after `limit`), a tail too short for a header as bytes. nullopt when one
/// of them is of a kind this example does not decode and strace does.
inline std::optional<std::string> netlink_text(nl::Bytes bytes, int protocol, std::size_t limit) {
    if (protocol != netlink_route && protocol != netlink_unknown) {
        return std::nullopt; // NETLINK_SOCK_DIAG, NETLINK_AUDIT, ...: each has its decoders
    }
    const auto step = [](nl::Bytes rest) -> std::size_t {
        const auto length = load<std::uint32_t>(rest, 0);
        // strace aligns the length in 32 bits: 0xffffffff becomes 0, and no message follows.
        return length < nl::header_size ? 0 : (length + 3U) & ~3U;
    };
    return nl::sequence_text(bytes, nl::header_size, limit, step, [&](nl::Bytes rest) {
        return nl::message_text(rest, protocol, limit);
    });
}

} // namespace detail

/// `len` bytes at `addr` of a netlink socket of `protocol` (netlink_unknown when the tracer
/// could not tell), decoded (see the top of this file); nullopt where the caller prints them
/// as bytes: a kind of message not decoded here, a buffer of more than 1 MiB, or memory that
/// cannot be read whole.
inline std::optional<std::string> netlink_at(const ReadMemory& read, std::uint64_t addr,
                                             std::uint64_t len, int protocol, std::size_t limit) {
    if (addr == 0 || len > (1U << 20)) {
        return std::nullopt;
    }
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(len));
    if (!bytes.empty() && !read(addr, std::as_writable_bytes(std::span(bytes)))) {
        return std::nullopt;
    }
    return detail::netlink_text(bytes, protocol, limit);
}

} // namespace strace_example
