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

// The IP protocols strace 6.1 names (socket(2)'s, and netlink's neighbour and rule attributes).
inline constexpr std::array<FlagName, 34> ip_protocol_table{{
    {0, "IPPROTO_IP"},       {1, "IPPROTO_ICMP"},       {2, "IPPROTO_IGMP"},
    {4, "IPPROTO_IPIP"},     {6, "IPPROTO_TCP"},        {8, "IPPROTO_EGP"},
    {12, "IPPROTO_PUP"},     {17, "IPPROTO_UDP"},       {22, "IPPROTO_IDP"},
    {29, "IPPROTO_TP"},      {33, "IPPROTO_DCCP"},      {41, "IPPROTO_IPV6"},
    {43, "IPPROTO_ROUTING"}, {44, "IPPROTO_FRAGMENT"},  {46, "IPPROTO_RSVP"},
    {47, "IPPROTO_GRE"},     {50, "IPPROTO_ESP"},       {51, "IPPROTO_AH"},
    {58, "IPPROTO_ICMPV6"},  {59, "IPPROTO_NONE"},      {60, "IPPROTO_DSTOPTS"},
    {92, "IPPROTO_MTP"},     {94, "IPPROTO_BEETPH"},    {98, "IPPROTO_ENCAP"},
    {103, "IPPROTO_PIM"},    {108, "IPPROTO_COMP"},     {115, "IPPROTO_L2TP"},
    {132, "IPPROTO_SCTP"},   {135, "IPPROTO_MH"},       {136, "IPPROTO_UDPLITE"},
    {137, "IPPROTO_MPLS"},   {143, "IPPROTO_ETHERNET"}, {255, "IPPROTO_RAW"},
    {262, "IPPROTO_MPTCP"},
}};

/// A `T` at byte `at` of bytes held by the tracer (a copy of the tracee's).
template <typename T>
T load(std::span<const std::uint8_t> bytes, std::size_t at) {
    T value{};
    std::memcpy(&value, bytes.data() + at, sizeof value);
    return value;
}

/// A 16-bit field in network order (a port, an ethertype) at byte `at`.
inline unsigned net16(std::span<const std::uint8_t> bytes, std::size_t at) {
    return (unsigned{bytes[at]} << 8U) | unsigned{bytes[at + 1]};
}

/// The IPv4 address at byte `at`, as strace prints one: `inet_addr("127.0.0.1")`.
inline std::string inet_addr_text(std::span<const std::uint8_t> bytes, std::size_t at) {
    return "inet_addr(\"" + std::to_string(bytes[at]) + "." + std::to_string(bytes[at + 1]) + "." +
           std::to_string(bytes[at + 2]) + "." + std::to_string(bytes[at + 3]) + "\")";
}

/// An interface index: `if_nametoindex("lo")` when this machine has that interface.
inline std::string ifindex_text(std::uint32_t index) {
    std::array<char, IF_NAMESIZE> name{};
    if (index != 0 && ::if_indextoname(index, name.data()) != nullptr) {
        return "if_nametoindex(" + quote(name.data()) + ")";
    }
    return std::to_string(index);
}

/// AF_PACKET's protocols, by value: those of <linux/if_ether.h> (Linux 6.1) but ETH_P_PROFINET
/// and ETH_P_ETHERCAT, which strace 6.1 does not name.
inline constexpr std::array<FlagName, 99> ethernet_protocol_table{{
    {0x0001, "ETH_P_802_3"},      {0x0002, "ETH_P_AX25"},      {0x0003, "ETH_P_ALL"},
    {0x0004, "ETH_P_802_2"},      {0x0005, "ETH_P_SNAP"},      {0x0006, "ETH_P_DDCMP"},
    {0x0007, "ETH_P_WAN_PPP"},    {0x0008, "ETH_P_PPP_MP"},    {0x0009, "ETH_P_LOCALTALK"},
    {0x000c, "ETH_P_CAN"},        {0x000d, "ETH_P_CANFD"},     {0x000e, "ETH_P_CANXL"},
    {0x0010, "ETH_P_PPPTALK"},    {0x0011, "ETH_P_TR_802_2"},  {0x0015, "ETH_P_MOBITEX"},
    {0x0016, "ETH_P_CONTROL"},    {0x0017, "ETH_P_IRDA"},      {0x0018, "ETH_P_ECONET"},
    {0x0019, "ETH_P_HDLC"},       {0x001a, "ETH_P_ARCNET"},    {0x001b, "ETH_P_DSA"},
    {0x001c, "ETH_P_TRAILER"},    {0x0060, "ETH_P_LOOP"},      {0x00f5, "ETH_P_PHONET"},
    {0x00f6, "ETH_P_IEEE802154"}, {0x00f7, "ETH_P_CAIF"},      {0x00f8, "ETH_P_XDSA"},
    {0x00f9, "ETH_P_MAP"},        {0x00fa, "ETH_P_MCTP"},      {0x0200, "ETH_P_PUP"},
    {0x0201, "ETH_P_PUPAT"},      {0x0600, "ETH_P_802_3_MIN"}, {0x0800, "ETH_P_IP"},
    {0x0805, "ETH_P_X25"},        {0x0806, "ETH_P_ARP"},       {0x08ff, "ETH_P_BPQ"},
    {0x0a00, "ETH_P_IEEEPUP"},    {0x0a01, "ETH_P_IEEEPUPAT"}, {0x22eb, "ETH_P_ERSPAN2"},
    {0x22f0, "ETH_P_TSN"},        {0x4305, "ETH_P_BATMAN"},    {0x6000, "ETH_P_DEC"},
    {0x6001, "ETH_P_DNA_DL"},     {0x6002, "ETH_P_DNA_RC"},    {0x6003, "ETH_P_DNA_RT"},
    {0x6004, "ETH_P_LAT"},        {0x6005, "ETH_P_DIAG"},      {0x6006, "ETH_P_CUST"},
    {0x6007, "ETH_P_SCA"},        {0x6558, "ETH_P_TEB"},       {0x8035, "ETH_P_RARP"},
    {0x809b, "ETH_P_ATALK"},      {0x80f3, "ETH_P_AARP"},      {0x8100, "ETH_P_8021Q"},
    {0x8137, "ETH_P_IPX"},        {0x86dd, "ETH_P_IPV6"},      {0x8808, "ETH_P_PAUSE"},
    {0x8809, "ETH_P_SLOW"},       {0x883e, "ETH_P_WCCP"},      {0x8847, "ETH_P_MPLS_UC"},
    {0x8848, "ETH_P_MPLS_MC"},    {0x884c, "ETH_P_ATMMPOA"},   {0x8863, "ETH_P_PPP_DISC"},
    {0x8864, "ETH_P_PPP_SES"},    {0x886c, "ETH_P_LINK_CTL"},  {0x8884, "ETH_P_ATMFATE"},
    {0x888e, "ETH_P_PAE"},        {0x8899, "ETH_P_REALTEK"},   {0x88a2, "ETH_P_AOE"},
    {0x88a8, "ETH_P_8021AD"},     {0x88b5, "ETH_P_802_EX1"},   {0x88be, "ETH_P_ERSPAN"},
    {0x88c7, "ETH_P_PREAUTH"},    {0x88ca, "ETH_P_TIPC"},      {0x88cc, "ETH_P_LLDP"},
    {0x88e3, "ETH_P_MRP"},        {0x88e5, "ETH_P_MACSEC"},    {0x88e7, "ETH_P_8021AH"},
    {0x88f5, "ETH_P_MVRP"},       {0x88f7, "ETH_P_1588"},      {0x88f8, "ETH_P_NCSI"},
    {0x88fb, "ETH_P_PRP"},        {0x8902, "ETH_P_CFM"},       {0x8906, "ETH_P_FCOE"},
    {0x890d, "ETH_P_TDLS"},       {0x8914, "ETH_P_FIP"},       {0x8915, "ETH_P_IBOE"},
    {0x8917, "ETH_P_80221"},      {0x892f, "ETH_P_HSR"},       {0x894f, "ETH_P_NSH"},
    {0x9000, "ETH_P_LOOPBACK"},   {0x9100, "ETH_P_QINQ1"},     {0x9200, "ETH_P_QINQ2"},
    {0x9300, "ETH_P_QINQ3"},      {0xdada, "ETH_P_EDSA"},      {0xdadb, "ETH_P_DSA_8021Q"},
    {0xe001, "ETH_P_DSA_A5PSW"},  {0xed3e, "ETH_P_IFE"},       {0xfbfb, "ETH_P_AF_IUCV"},
}};

/// Hardware types (ARPHRD_, <linux/if_arp.h>), by value.
inline constexpr std::array<FlagName, 67> arp_hardware_table{{
    {0, "ARPHRD_NETROM"},
    {1, "ARPHRD_ETHER"},
    {2, "ARPHRD_EETHER"},
    {3, "ARPHRD_AX25"},
    {4, "ARPHRD_PRONET"},
    {5, "ARPHRD_CHAOS"},
    {6, "ARPHRD_IEEE802"},
    {7, "ARPHRD_ARCNET"},
    {8, "ARPHRD_APPLETLK"},
    {15, "ARPHRD_DLCI"},
    {19, "ARPHRD_ATM"},
    {23, "ARPHRD_METRICOM"},
    {24, "ARPHRD_IEEE1394"},
    {27, "ARPHRD_EUI64"},
    {32, "ARPHRD_INFINIBAND"},
    {256, "ARPHRD_SLIP"},
    {257, "ARPHRD_CSLIP"},
    {258, "ARPHRD_SLIP6"},
    {259, "ARPHRD_CSLIP6"},
    {260, "ARPHRD_RSRVD"},
    {264, "ARPHRD_ADAPT"},
    {270, "ARPHRD_ROSE"},
    {271, "ARPHRD_X25"},
    {272, "ARPHRD_HWX25"},
    {280, "ARPHRD_CAN"},
    {290, "ARPHRD_MCTP"},
    {512, "ARPHRD_PPP"},
    {513, "ARPHRD_CISCO"},
    {516, "ARPHRD_LAPB"},
    {517, "ARPHRD_DDCMP"},
    {518, "ARPHRD_RAWHDLC"},
    {519, "ARPHRD_RAWIP"},
    {768, "ARPHRD_TUNNEL"},
    {769, "ARPHRD_TUNNEL6"},
    {770, "ARPHRD_FRAD"},
    {771, "ARPHRD_SKIP"},
    {772, "ARPHRD_LOOPBACK"},
    {773, "ARPHRD_LOCALTLK"},
    {774, "ARPHRD_FDDI"},
    {775, "ARPHRD_BIF"},
    {776, "ARPHRD_SIT"},
    {777, "ARPHRD_IPDDP"},
    {778, "ARPHRD_IPGRE"},
    {779, "ARPHRD_PIMREG"},
    {780, "ARPHRD_HIPPI"},
    {781, "ARPHRD_ASH"},
    {782, "ARPHRD_ECONET"},
    {783, "ARPHRD_IRDA"},
    {784, "ARPHRD_FCPP"},
    {785, "ARPHRD_FCAL"},
    {786, "ARPHRD_FCPL"},
    {787, "ARPHRD_FCFABRIC"},
    {800, "ARPHRD_IEEE802_TR"},
    {801, "ARPHRD_IEEE80211"},
    {802, "ARPHRD_IEEE80211_PRISM"},
    {803, "ARPHRD_IEEE80211_RADIOTAP"},
    {804, "ARPHRD_IEEE802154"},
    {805, "ARPHRD_IEEE802154_MONITOR"},
    {820, "ARPHRD_PHONET"},
    {821, "ARPHRD_PHONET_PIPE"},
    {822, "ARPHRD_CAIF"},
    {823, "ARPHRD_IP6GRE"},
    {824, "ARPHRD_NETLINK"},
    {825, "ARPHRD_6LOWPAN"},
    {826, "ARPHRD_VSOCKMON"},
    {65534, "ARPHRD_NONE"},
    {65535, "ARPHRD_VOID"},
}};

/// AF_PACKET's packet types (PACKET_, <linux/if_packet.h>), by value.
inline constexpr std::array<FlagName, 8> packet_type_table{{
    {0, "PACKET_HOST"},
    {1, "PACKET_BROADCAST"},
    {2, "PACKET_MULTICAST"},
    {3, "PACKET_OTHERHOST"},
    {4, "PACKET_OUTGOING"},
    {5, "PACKET_LOOPBACK"},
    {6, "PACKET_USER"},
    {7, "PACKET_KERNEL"},
}};

/// The most of a socket address strace 6.1 reads: sizeof(struct sockaddr_storage).
inline constexpr std::size_t sockaddr_max = 128;

/// A byte as strace's `%#02x` prints it: `00` for 0, else `0x1`, `0xab`.
inline std::string byte_text(unsigned char byte) {
    return byte == 0 ? std::string("00") : hex(byte);
}

/// A struct sockaddr_ll's fields after the family (20 bytes or more): the protocol, the
/// interface, the hardware type, the packet type and the first sll_halen bytes of the
/// address that `sa` holds (`...` for the rest, `00` for a zero byte: strace's `%#02x`).
inline std::string sockaddr_ll_fields(std::span<const unsigned char> sa) {
    const unsigned protocol = net16(sa, 2);
    const unsigned halen = sa[11];
    std::string out =
        "sll_protocol=htons(" + constant(protocol, ethernet_protocol_table, "ETH_P_") +
        "), sll_ifindex=" + ifindex_text(load<std::uint32_t>(sa, 4)) +
        ", sll_hatype=" + constant(load<std::uint16_t>(sa, 8), arp_hardware_table, "ARPHRD_") +
        ", sll_pkttype=" + constant(sa[10], packet_type_table, "PACKET_") +
        ", sll_halen=" + std::to_string(halen);
    if (halen != 0) {
        out += ", sll_addr=[";
        for (std::size_t i = 0; i < halen; ++i) {
            out += i == 0 ? "" : ", ";
            if (12 + i >= sa.size()) {
                out += "...";
                break;
            }
            out += byte_text(sa[12 + i]);
        }
        out += "]";
    }
    return out;
}

/// A NUL-terminated field of `size` bytes, as strace's print_quoted_cstring prints it: up to
/// its NUL, or its first size - 1 bytes and `...` when it has none.
inline std::string cstring_field(std::span<const unsigned char> bytes) {
    const auto* chars = reinterpret_cast<const char*>(bytes.data());
    const std::string_view field(chars, bytes.size());
    const std::size_t nul = field.find('\0');
    if (nul != std::string_view::npos) {
        return quote(field.substr(0, nul));
    }
    return quote(field.substr(0, bytes.empty() ? 0 : bytes.size() - 1)) + "...";
}

/// A struct sockaddr_vm's fields after the family (16 bytes): the reserved and zero bytes when
/// set, the context id and port by name where they have one, the flags.
inline std::string sockaddr_vm_fields(std::span<const unsigned char> sa) {
    static constexpr std::array<FlagName, 4> cids{{
        {0, "VMADDR_CID_HYPERVISOR"},
        {1, "VMADDR_CID_LOCAL"},
        {2, "VMADDR_CID_HOST"},
        {0xffffffff, "VMADDR_CID_ANY"},
    }};
    static constexpr std::array<FlagName, 1> flags{{{1, "VMADDR_FLAG_TO_HOST"}}};
    const auto reserved = load<std::uint16_t>(sa, 2);
    const auto port = load<std::uint32_t>(sa, 4);
    std::string out = reserved != 0 ? "svm_reserved1=" + hex(reserved) + ", " : std::string();
    out +=
        "svm_cid=" + value_name(load<std::uint32_t>(sa, 8), cids, hex(load<std::uint32_t>(sa, 8))) +
        ", svm_port=" + (port == 0xffffffff ? std::string("VMADDR_PORT_ANY") : hex(port)) +
        ", svm_flags=" + flags_or_unknown(sa[12], flags, "VMADDR_FLAG_");
    if (sa[13] != 0 || sa[14] != 0 || sa[15] != 0) {
        out += ", svm_zero=" +
               quote(std::string(reinterpret_cast<const char*>(sa.data()) + 13, 3), true);
    }
    return out;
}

/// A struct sockaddr_alg's fields after the family (25 bytes or more; the name is the bytes
/// there are, up to 64): `salg_type="hash", salg_feat=0, salg_mask=0, salg_name="sha256"`.
inline std::string sockaddr_alg_fields(std::span<const unsigned char> sa) {
    static constexpr std::array<FlagName, 1> alg_flags{{{0x1000, "CRYPTO_ALG_KERN_DRIVER_ONLY"}}};
    // strace prints these words raw with their names in a comment: `0x1000 /* CRYPTO_ALG_... */`.
    auto word = [&sa](std::size_t at) {
        const auto v = load<std::uint32_t>(sa, at);
        if (v == 0) {
            return std::string("0");
        }
        const std::string names = flag_names(v, alg_flags);
        return hex(v) + " /* " + (names == hex(v) ? std::string("CRYPTO_ALG_???") : names) + " */";
    };
    return "salg_type=" + cstring_field(sa.subspan(2, 14)) + ", salg_feat=" + word(16) +
           ", salg_mask=" + word(20) + ", salg_name=" +
           cstring_field(sa.subspan(24, std::min<std::size_t>(sa.size() - 24, 64)));
}

/// A struct sockaddr_xdp's fields after the family (16 bytes): the shared UMEM's descriptor as
/// one when XDP_SHARED_UMEM is set, else in hex, and left out when 0.
inline std::string sockaddr_xdp_fields(std::span<const unsigned char> sa) {
    static constexpr std::array<FlagName, 4> xdp_flags{{
        {1, "XDP_SHARED_UMEM"},
        {2, "XDP_COPY"},
        {4, "XDP_ZEROCOPY"},
        {8, "XDP_USE_NEED_WAKEUP"},
    }};
    const auto flags = load<std::uint16_t>(sa, 2);
    const auto fd = load<std::uint32_t>(sa, 12);
    std::string out = "sxdp_flags=" + flags_or_unknown(flags, xdp_flags, "XDP_") +
                      ", sxdp_ifindex=" + ifindex_text(load<std::uint32_t>(sa, 4)) +
                      ", sxdp_queue_id=" + std::to_string(load<std::uint32_t>(sa, 8));
    if ((flags & 1U) != 0) {
        return out + ", sxdp_shared_umem_fd=" + std::to_string(static_cast<std::int32_t>(fd));
    }
    return fd != 0 ? out + ", sxdp_shared_umem_fd=" + hex(fd) : out;
}

/// A struct sockaddr_ipx's fields after the family (16 bytes): port and network in network
/// order, the node's bytes, the type, and the zero byte when set.
inline std::string sockaddr_ipx_fields(std::span<const unsigned char> sa) {
    const std::uint32_t network = ntohl(load<std::uint32_t>(sa, 4));
    std::string out = "sipx_port=htons(" + std::to_string(net16(sa, 2)) + "), sipx_network=htonl(" +
                      hex(network) + "), sipx_node=[";
    for (std::size_t i = 0; i < 6; ++i) {
        out += (i == 0 ? "" : ", ") + byte_text(sa[8 + i]);
    }
    out += "], sipx_type=" + byte_text(sa[14]);
    return sa[15] != 0 ? out + ", sipx_zero=" + hex(sa[15]) : out;
}

/// A struct sockaddr_mctp's fields after the family (12 bytes): the padding when set, the
/// network and the endpoint's address by name where they have one, the type and tag.
inline std::string sockaddr_mctp_fields(std::span<const unsigned char> sa) {
    static constexpr std::array<FlagName, 2> addresses{
        {{0, "MCTP_ADDR_NULL"}, {0xff, "MCTP_ADDR_ANY"}}};
    const auto pad = load<std::uint16_t>(sa, 2);
    const auto network = load<std::uint32_t>(sa, 4);
    std::string out = pad != 0 ? "__smctp_pad0=" + hex(pad) + ", " : std::string();
    out += "smctp_network=" + (network == 0 ? std::string("MCTP_NET_ANY") : hex(network)) +
           ", smctp_addr={s_addr=" + value_name(sa[8], addresses, hex(sa[8])) +
           "}, smctp_type=" + hex(sa[9]) + ", smctp_tag=" + hex(sa[10]);
    return sa[11] != 0 ? out + ", __smctp_pad1=" + hex(sa[11]) : out;
}

/// A socket address of `sa.size()` bytes, as strace 6.1's print_sockaddr prints it: the
/// family, then the fields of a family it decodes when the address is long enough for them
/// (`{sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.1")}`), else the
/// bytes after the family (`{sa_family=AF_INET, sa_data="..."}`). Long enough: AF_UNIX from 3
/// bytes, AF_INET 16, AF_INET6 24 (the scope id from 28), AF_NETLINK 12, AF_PACKET 20, AF_IPX
/// 16, AF_X25 18, AF_MCTP 12, AF_ALG 25, AF_VSOCK and AF_XDP 16. strace 6.1 also decodes
/// AF_AX25 and AF_BLUETOOTH addresses, which this prints as bytes. nullopt below 2 bytes.
inline std::optional<std::string> sockaddr_text(std::span<const unsigned char> sa) {
    const std::size_t len = sa.size();
    if (len < 2) {
        return std::nullopt;
    }
    const unsigned family = unsigned{sa[0]} | (unsigned{sa[1]} << 8U);
    std::string out = "{sa_family=" + constant(family, address_family_table, "AF_");
    if (len == 2) {
        return out + "}"; // an unnamed AF_UNIX socket's (a socketpair's, an unbound peer's)
    }
    const std::string rest(reinterpret_cast<const char*>(sa.data()) + 2, len - 2);
    auto word = [&sa](std::size_t at) { return load<std::uint32_t>(sa, at); }; // host order
    if (family == 1) {
        if (rest[0] == '\0') { // abstract: the name is all the bytes after the first NUL
            return out + ", sun_path=@" + quote(rest.substr(1)) + "}";
        }
        return out + ", sun_path=" + quote(rest.substr(0, rest.find('\0'))) + "}";
    }
    if (family == 2 && len >= 16) {
        return out + ", sin_port=htons(" + std::to_string(net16(sa, 2)) +
               "), sin_addr=" + inet_addr_text(sa, 4) + "}";
    }
    if (family == 10 && len >= 24) {
        std::array<char, INET6_ADDRSTRLEN> text{};
        ::inet_ntop(AF_INET6, sa.data() + 8, text.data(), text.size());
        out += ", sin6_port=htons(" + std::to_string(net16(sa, 2)) + "), sin6_flowinfo=htonl(" +
               std::to_string(ntohl(word(4))) + "), inet_pton(AF_INET6, \"" + text.data() +
               "\", &sin6_addr)";
        if (len < 28) {
            return out + "}";
        }
        // An interface by name only where the scope is one (link-local, unicast or multicast).
        const bool link_local =
            (sa[8] == 0xfe && (sa[9] & 0xc0) == 0x80) || (sa[8] == 0xff && (sa[9] & 0x0f) == 0x02);
        return out + ", sin6_scope_id=" +
               (link_local ? ifindex_text(word(24)) : std::to_string(word(24))) + "}";
    }
    if (family == 16 && len >= 12) {   // nl_pid, nl_groups
        std::array<char, 11> groups{}; // strace's %#08x: 00000000, 0x000010, 0x12345678
        std::snprintf(groups.data(), groups.size(), "%#08x", word(8));
        const unsigned pad = unsigned{sa[2]} | (unsigned{sa[3]} << 8U);
        return out + (pad != 0 ? ", nl_pad=" + hex(pad) : "") +
               ", nl_pid=" + std::to_string(static_cast<std::int32_t>(word(4))) + // strace's %d
               ", nl_groups=" + groups.data() + "}";
    }
    if (family == 17 && len >= 20) {
        return out + ", " + sockaddr_ll_fields(sa) + "}";
    }
    if (family == 4 && len >= 16) {
        return out + ", " + sockaddr_ipx_fields(sa) + "}";
    }
    if (family == 9 && len >= 18) { // struct sockaddr_x25: the address, a string of 16 bytes
        return out + ", sx25_addr={x25_addr=" + cstring_field(sa.subspan(2, 16)) + "}}";
    }
    if (family == 45 && len >= 12) {
        return out + ", " + sockaddr_mctp_fields(sa) + "}";
    }
    if (family == 38 && len >= 25) {
        return out + ", " + sockaddr_alg_fields(sa) + "}";
    }
    if (family == 40 && len >= 16) {
        return out + ", " + sockaddr_vm_fields(sa) + "}";
    }
    if (family == 44 && len >= 16) {
        return out + ", " + sockaddr_xdp_fields(sa) + "}";
    }
    return out + ", sa_data=" + quote(rest) + "}";
}

} // namespace strace_example::detail
