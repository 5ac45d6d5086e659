// SPDX-License-Identifier: MIT
// The GDB remote serial protocol's codec, without any process: packet framing ($data#cs),
// checksums, the escapes of binary data (}), hex numbers and bytes, and the parsing of packet
// arguments. Everything here is pure and unit-tested (tests/gdbserver/rsp_test.cpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gdbserver::rsp {

/// The modulo-256 sum of the bytes of `data`: a packet's checksum.
[[nodiscard]] inline std::uint8_t checksum(std::string_view data) noexcept {
    unsigned sum = 0;
    for (const char c : data) {
        sum += static_cast<unsigned char>(c);
    }
    return static_cast<std::uint8_t>(sum & 0xffU);
}

/// The value of the hex digit `c` (either case), or -1.
[[nodiscard]] constexpr int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

inline constexpr char hex_chars[] = "0123456789abcdef";

/// Bytes as lower-case hex, two digits each.
[[nodiscard]] inline std::string to_hex(const std::uint8_t* data, std::size_t size) {
    std::string out;
    out.resize(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = hex_chars[data[i] >> 4U];
        out[2 * i + 1] = hex_chars[data[i] & 0xfU];
    }
    return out;
}
[[nodiscard]] inline std::string to_hex(std::string_view text) {
    return to_hex(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

/// A number as hex without leading zeros ("0" for zero), as addresses and lengths are sent.
[[nodiscard]] inline std::string hex_number(std::uint64_t value) {
    std::string out;
    do {
        out.insert(out.begin(), hex_chars[value & 0xfU]);
        value >>= 4U;
    } while (value != 0);
    return out;
}

/// Hex pairs back to bytes; nothing when the length is odd or a digit is not hex.
[[nodiscard]] inline std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text) {
    if (text.size() % 2 != 0) {
        return std::nullopt;
    }
    std::vector<std::uint8_t> out(text.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_digit(text[2 * i]);
        const int lo = hex_digit(text[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return out;
}

/// A whole field as a hex number (1 to 16 digits); nothing otherwise.
[[nodiscard]] inline std::optional<std::uint64_t> parse_hex(std::string_view text) {
    if (text.empty() || text.size() > 16) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (const char c : text) {
        const int d = hex_digit(c);
        if (d < 0) {
            return std::nullopt;
        }
        value = value * 16 + static_cast<std::uint64_t>(d);
    }
    return value;
}

/// Splits `text` at every `separator`.
[[nodiscard]] inline std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> out;
    for (;;) {
        const std::size_t at = text.find(separator);
        out.push_back(text.substr(0, at));
        if (at == std::string_view::npos) {
            return out;
        }
        text.remove_prefix(at + 1);
    }
}

/// `text` inside an XML attribute value of a qXfer document (threads, libraries): `<`, `>`,
/// `&`, `"` and `'` as entities.
[[nodiscard]] inline std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&apos;";
            break;
        default:
            out.push_back(c);
        }
    }
    return out;
}

/// Binary data as the protocol sends it (`x` replies, `X` packets, qXfer): `#`, `$`, `}` and
/// `*` are sent as `}` followed by the byte xor 0x20.
[[nodiscard]] inline std::string escape_binary(std::string_view data) {
    std::string out;
    out.reserve(data.size() + data.size() / 16);
    for (const char c : data) {
        if (c == '#' || c == '$' || c == '}' || c == '*') {
            out.push_back('}');
            out.push_back(static_cast<char>(c ^ 0x20));
        } else {
            out.push_back(c);
        }
    }
    return out;
}

/// The inverse of escape_binary(); nothing when the data ends with a lone `}`.
[[nodiscard]] inline std::optional<std::string> unescape_binary(std::string_view data) {
    std::string out;
    out.reserve(data.size());
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] == '}') {
            if (++i == data.size()) {
                return std::nullopt;
            }
            out.push_back(static_cast<char>(data[i] ^ 0x20));
        } else {
            out.push_back(data[i]);
        }
    }
    return out;
}

/// `data` framed as a packet: `$data#cs`, with runs of four or more equal characters
/// run-length encoded as GNU gdbserver does (`c*N`: N - 29 more copies of `c`; N is
/// printable and never `#` or `$`): gdb's cost is per character received, and memory is
/// often runs of zeros. The data must be escaped already where needed.
[[nodiscard]] inline std::string frame(std::string_view data) {
    std::string out;
    out.reserve(data.size() + 4);
    out.push_back('$');
    for (std::size_t i = 0; i < data.size();) {
        const char c = data[i];
        out.push_back(c);
        std::size_t run = 1;
        while (i + run < data.size() && run < 98 && data[i + run] == c) {
            ++run;
        }
        std::size_t repeat = run - 1; // copies after the one written
        if (repeat < 3) {
            ++i;
            continue;
        }
        while (repeat + 29 == '$' || repeat + 29 == '#') {
            --repeat;
        }
        out.push_back('*');
        out.push_back(static_cast<char>(repeat + 29));
        i += repeat + 1;
    }
    const std::uint8_t sum = checksum(std::string_view(out).substr(1));
    out.push_back('#');
    out.push_back(hex_chars[sum >> 4U]);
    out.push_back(hex_chars[sum & 0xfU]);
    return out;
}

/// The inverse of frame()'s run-length encoding (for tests and clients); nothing when a `*`
/// has no character before it or no count after it.
[[nodiscard]] inline std::optional<std::string> expand_runs(std::string_view data) {
    std::string out;
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] != '*') {
            out.push_back(data[i]);
            continue;
        }
        if (out.empty() || i + 1 >= data.size() || data[i + 1] < 32) {
            return std::nullopt;
        }
        out.append(static_cast<std::size_t>(data[i + 1] - 29), out.back());
        ++i;
    }
    return out;
}

/// What the reader found in the bytes from the debugger.
enum class InputKind : std::uint8_t {
    Packet,      ///< a well-formed packet: `data` (still escaped)
    BadChecksum, ///< a packet whose checksum is wrong (answer '-' and wait for the resend)
    Interrupt,   ///< 0x03 outside a packet: stop the program
    Ack,         ///< '+'
    Nack,        ///< '-': send the last packet again
    TooLong,     ///< a packet longer than the limit: dropped, answered like a bad checksum
};

struct Input {
    InputKind kind = InputKind::Packet;
    std::string data;
};

/// Splits the byte stream from the debugger into packets, acks and interrupts. Feed it what
/// read() returned; next() gives each complete item in order, the same items however the
/// stream is cut into reads. Bytes outside a packet other than '+', '-' and 0x03 are skipped
/// (line noise). A packet with a bad checksum, or one whose checksum digits are not hex, is
/// BadChecksum, and so is one cut short by the `$` of another. A packet longer than the limit
/// is TooLong as soon as that is clear, and the rest of it, up to its `#` and two checksum
/// digits (or a `$`), is skipped as it comes: its bytes are never read as acks or interrupts.
/// The data is not unescaped: which parts of a packet are binary depends on the packet.
class Reader {
public:
    explicit Reader(std::size_t max_packet = 1U << 20U) : max_packet_(max_packet) {}

    void feed(std::string_view bytes) { buffer_.append(bytes); }

    /// The next complete item, or nothing until more bytes come.
    [[nodiscard]] std::optional<Input> next() {
        skip_dropped();
        while (!skipping_ && pos_ < buffer_.size()) {
            const char c = buffer_[pos_];
            if (c != '$') {
                ++pos_;
                compact();
                if (c == '+') {
                    return Input{InputKind::Ack, {}};
                }
                if (c == '-') {
                    return Input{InputKind::Nack, {}};
                }
                if (c == '\x03') {
                    return Input{InputKind::Interrupt, {}};
                }
                continue; // noise
            }
            // Its end: the `#` before the checksum, or a `$` that starts another packet (never
            // unescaped in one: this one was cut short).
            const std::size_t end = buffer_.find_first_of("#$", pos_ + 1);
            const std::size_t stop = end == std::string::npos ? buffer_.size() : end;
            if (stop - pos_ - 1 > max_packet_) {
                // Too long, complete or not: dropped from here to its checksum's end.
                pos_ = stop;
                skipping_ = true;
                digits_left_ = 2;
                skip_dropped();
                return Input{InputKind::TooLong, {}};
            }
            if (end == std::string::npos) {
                return std::nullopt; // the rest is still to come
            }
            if (buffer_[end] == '$') {
                std::string cut = buffer_.substr(pos_ + 1, end - pos_ - 1);
                pos_ = end;
                compact();
                return Input{InputKind::BadChecksum, std::move(cut)}; // resent when refused
            }
            const std::size_t hash = end;
            if (hash + 2 >= buffer_.size()) {
                return std::nullopt; // the checksum digits are still to come
            }
            std::string data = buffer_.substr(pos_ + 1, hash - pos_ - 1);
            const std::string_view digits(buffer_.data() + hash + 1, 2);
            pos_ = hash + 3;
            compact();
            const auto sum = parse_hex(digits);
            if (!sum || *sum != checksum(data)) {
                return Input{InputKind::BadChecksum, std::move(data)};
            }
            return Input{InputKind::Packet, std::move(data)};
        }
        return std::nullopt;
    }

    /// Bytes held that do not form a complete item yet.
    [[nodiscard]] std::size_t buffered() const noexcept { return buffer_.size() - pos_; }

private:
    /// Skips what is left of a dropped packet: up to its `#`, then the two checksum digits;
    /// or up to a `$`, where another packet starts.
    void skip_dropped() {
        while (skipping_ && pos_ < buffer_.size()) {
            if (!seen_hash_) {
                if (buffer_[pos_] == '$') {
                    skipping_ = false;
                    break;
                }
                seen_hash_ = buffer_[pos_] == '#';
            } else {
                --digits_left_;
            }
            ++pos_;
            if (seen_hash_ && digits_left_ == 0) {
                skipping_ = false;
                seen_hash_ = false;
            }
        }
        compact();
    }

    void compact() {
        if (pos_ > 4096 && pos_ * 2 > buffer_.size()) {
            buffer_.erase(0, pos_);
            pos_ = 0;
        }
    }

    std::string buffer_;
    std::size_t pos_ = 0;
    std::size_t max_packet_;
    bool skipping_ = false;  ///< in the rest of a packet dropped as too long
    bool seen_hash_ = false; ///< ... past its `#`
    int digits_left_ = 0;    ///< ... with this many checksum digits still to skip
};

/// `addr,length` (m, x, and the start of M and X): both hex.
/// The CRC of `qCRC:` (gdb's compare-sections): CRC-32 with polynomial 0x04c11db7, most
/// significant bit first, starting from `crc` (0xffffffff for a whole range), no final xor;
/// the CRC-32/MPEG-2 of the catalogues (0x0376e6e7 for "123456789").
[[nodiscard]] inline std::uint32_t crc32(std::span<const std::uint8_t> bytes,
                                         std::uint32_t crc = 0xffffffffU) {
    for (const std::uint8_t byte : bytes) {
        crc ^= std::uint32_t{byte} << 24U;
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 0x80000000U) != 0 ? (crc << 1U) ^ 0x04c11db7U : crc << 1U;
        }
    }
    return crc;
}

struct AddressLength {
    std::uint64_t address = 0;
    std::uint64_t length = 0;
};
[[nodiscard]] inline std::optional<AddressLength> parse_address_length(std::string_view text) {
    const auto parts = split(text, ',');
    if (parts.size() != 2) {
        return std::nullopt;
    }
    const auto address = parse_hex(parts[0]);
    const auto length = parse_hex(parts[1]);
    if (!address || !length) {
        return std::nullopt;
    }
    return AddressLength{*address, *length};
}

/// `M addr,length:hex-bytes`, `X addr,length:binary`: the address, the length and the data
/// (unescaped, decoded), checked to be exactly `length` bytes.
struct MemoryWrite {
    std::uint64_t address = 0;
    std::vector<std::uint8_t> data;
};
[[nodiscard]] inline std::optional<MemoryWrite> parse_memory_write(std::string_view args,
                                                                   bool binary) {
    const std::size_t colon = args.find(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    const auto al = parse_address_length(args.substr(0, colon));
    if (!al) {
        return std::nullopt;
    }
    const std::string_view payload = args.substr(colon + 1);
    MemoryWrite out;
    out.address = al->address;
    if (binary) {
        const auto raw = unescape_binary(payload);
        if (!raw) {
            return std::nullopt;
        }
        out.data.assign(raw->begin(), raw->end());
    } else {
        auto bytes = from_hex(payload);
        if (!bytes) {
            return std::nullopt;
        }
        out.data = std::move(*bytes);
    }
    if (out.data.size() != al->length) {
        return std::nullopt;
    }
    return out;
}

/// `Z type,addr,kind` / `z type,addr,kind` (conditions after a `;` are ignored).
struct BreakpointArgs {
    unsigned type = 0;
    std::uint64_t address = 0;
    std::uint64_t kind = 0;
};
[[nodiscard]] inline std::optional<BreakpointArgs> parse_breakpoint(std::string_view args) {
    args = args.substr(0, args.find(';'));
    const auto parts = split(args, ',');
    if (parts.size() != 3 || parts[0].size() != 1) {
        return std::nullopt;
    }
    const auto type = parse_hex(parts[0]);
    const auto address = parse_hex(parts[1]);
    const auto kind = parse_hex(parts[2]);
    if (!type || *type > 4 || !address || !kind) {
        return std::nullopt;
    }
    return BreakpointArgs{static_cast<unsigned>(*type), *address, *kind};
}

/// A thread id: `p<pid>.<tid>`, `<tid>`, where -1 is "all" and 0 "any".
struct ThreadId {
    std::int64_t pid = -1; ///< -1 when not given (or "all")
    std::int64_t tid = 0;
};
[[nodiscard]] inline std::optional<std::int64_t> parse_id_number(std::string_view text) {
    if (text == "-1") {
        return -1;
    }
    const auto v = parse_hex(text);
    if (!v || *v > 0x7fffffffU) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(*v);
}
[[nodiscard]] inline std::optional<ThreadId> parse_thread_id(std::string_view text) {
    ThreadId id;
    if (!text.empty() && text[0] == 'p') {
        const auto parts = split(text.substr(1), '.');
        if (parts.size() > 2) {
            return std::nullopt;
        }
        const auto pid = parse_id_number(parts[0]);
        if (!pid) {
            return std::nullopt;
        }
        id.pid = *pid;
        id.tid = -1; // "pPID" alone: every thread of it
        if (parts.size() == 2) {
            const auto tid = parse_id_number(parts[1]);
            if (!tid) {
                return std::nullopt;
            }
            id.tid = *tid;
        }
        return id;
    }
    const auto tid = parse_id_number(text);
    if (!tid) {
        return std::nullopt;
    }
    id.tid = *tid;
    return id;
}

/// One action of `vCont;ACTION[:thread];...`: 'c', 's', 'C', 'S' (with a signal), 't'.
struct ContAction {
    char action = 'c';
    int signal = 0;
    std::uint64_t range_start = 0; ///< `r START,END`: step while the pc is in [START, END)
    std::uint64_t range_end = 0;
    std::optional<ThreadId> thread; ///< none: every thread not named before
};
[[nodiscard]] inline std::optional<std::vector<ContAction>> parse_vcont(std::string_view args) {
    // args: what follows "vCont;"
    std::vector<ContAction> out;
    for (const std::string_view item : split(args, ';')) {
        if (item.empty()) {
            return std::nullopt;
        }
        ContAction a;
        a.action = item[0];
        std::string_view rest = item.substr(1);
        if (a.action == 'C' || a.action == 'S') {
            const std::size_t colon = rest.find(':');
            const auto sig = parse_hex(rest.substr(0, colon));
            if (!sig || *sig > 255) {
                return std::nullopt;
            }
            a.signal = static_cast<int>(*sig);
            rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon);
        } else if (a.action == 'r') {
            const std::size_t colon = rest.find(':');
            const std::string_view range = rest.substr(0, colon);
            const std::size_t comma = range.find(',');
            const auto start = parse_hex(range.substr(0, comma));
            const auto end =
                comma == std::string_view::npos ? std::nullopt : parse_hex(range.substr(comma + 1));
            if (!start || !end) {
                return std::nullopt;
            }
            a.range_start = *start;
            a.range_end = *end;
            rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon);
        } else if (a.action != 'c' && a.action != 's' && a.action != 't') {
            return std::nullopt;
        }
        if (!rest.empty()) {
            if (rest[0] != ':') {
                return std::nullopt;
            }
            a.thread = parse_thread_id(rest.substr(1));
            if (!a.thread) {
                return std::nullopt;
            }
        }
        out.push_back(a);
    }
    return out;
}

/// `qXfer:object:read:annex:offset,length`: the object, the annex and the window.
struct XferRead {
    std::string object;
    std::string annex;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};
[[nodiscard]] inline std::optional<XferRead> parse_xfer_read(std::string_view packet) {
    // packet: the whole "qXfer:..." text
    const auto parts = split(packet, ':');
    if (parts.size() != 5 || parts[0] != "qXfer" || parts[2] != "read") {
        return std::nullopt;
    }
    const auto window = parse_address_length(parts[4]);
    if (!window) {
        return std::nullopt;
    }
    return XferRead{std::string(parts[1]), std::string(parts[3]), window->address, window->length};
}

/// `qXfer:object:write:annex:offset:data`: the object, the annex, where the data goes and the
/// data (unescaped; it may hold colons).
struct XferWrite {
    std::string object;
    std::string annex;
    std::uint64_t offset = 0;
    std::string data;
};
[[nodiscard]] inline std::optional<XferWrite> parse_xfer_write(std::string_view packet) {
    // packet: the whole "qXfer:..." text; the data after the fifth field is binary
    std::array<std::string_view, 5> fields{};
    std::string_view rest = packet;
    for (std::size_t i = 0; i < 4; ++i) {
        const std::size_t colon = rest.find(':');
        if (colon == std::string_view::npos) {
            return std::nullopt;
        }
        fields[i] = rest.substr(0, colon);
        rest.remove_prefix(colon + 1);
    }
    const std::size_t colon = rest.find(':');
    if (colon == std::string_view::npos || fields[0] != "qXfer" || fields[2] != "write") {
        return std::nullopt;
    }
    fields[4] = rest.substr(0, colon);
    const auto offset = parse_hex(fields[4]);
    auto data = unescape_binary(rest.substr(colon + 1));
    if (!offset || !data) {
        return std::nullopt;
    }
    return XferWrite{std::string(fields[1]), std::string(fields[3]), *offset, std::move(*data)};
}

/// The reply to a qXfer read of `length` bytes at `offset` of `document`: `m` + more data,
/// `l` + the last data, escaped.
[[nodiscard]] inline std::string xfer_reply(std::string_view document, std::uint64_t offset,
                                            std::uint64_t length) {
    if (offset >= document.size()) {
        return "l";
    }
    const std::string_view part = document.substr(offset, length);
    const bool last = offset + part.size() >= document.size();
    return (last ? "l" : "m") + escape_binary(part);
}

/// An error reply: `E` and two hex digits (E01 and the like, as GNU gdbserver answers).
[[nodiscard]] inline std::string error_reply(unsigned code) {
    std::string out = "E";
    out.push_back(hex_chars[(code >> 4U) & 0xfU]);
    out.push_back(hex_chars[code & 0xfU]);
    return out;
}

} // namespace gdbserver::rsp
