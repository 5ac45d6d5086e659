// SPDX-License-Identifier: MIT
// Fuzzes the gdbserver example's protocol codec (examples/gdbserver/rsp.hpp): what it reads
// comes from the debugger, over a pipe or a socket, and the server must answer anything.
//
// Input: a byte stream from the debugger; its first byte also says where to cut it in two.
//
// Properties:
// - the Reader gives the same items whether fed the stream whole or in two pieces, and holds
//   the same bytes after; no packet it gives is longer than its limit or holds a `#`;
// - binary escaping and hex round-trip: unescape(escape(x)) == x, from_hex(to_hex(x)) == x,
//   and escaped data framed with run-length encoding reads back (the Reader, then
//   expand_runs) as that data;
// - each argument parser (addr,length; M and X; Z and z; thread ids; vCont; qXfer read and
//   write) either refuses the text or gives values that, written back in the protocol's
//   form, parse to the same values.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz.hpp"
#include "rsp.hpp"

namespace rsp = gdbserver::rsp;

namespace {

std::vector<rsp::Input> read_all(rsp::Reader& reader) {
    std::vector<rsp::Input> out;
    while (auto item = reader.next()) {
        out.push_back(std::move(*item));
    }
    return out;
}

bool same(const std::vector<rsp::Input>& a, const std::vector<rsp::Input>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].kind != b[i].kind || a[i].data != b[i].data) {
            return false;
        }
    }
    return true;
}

std::string thread_text(const rsp::ThreadId& id) {
    const auto number = [](std::int64_t v) {
        return v == -1 ? std::string("-1") : rsp::hex_number(static_cast<std::uint64_t>(v));
    };
    return id.pid == -1 && id.tid != -1 ? number(id.tid)
                                        : "p" + number(id.pid) + "." + number(id.tid);
}

bool same_thread(const rsp::ThreadId& a, const rsp::ThreadId& b) {
    return a.pid == b.pid && a.tid == b.tid;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);

    // The reader: whole, and in two pieces.
    rsp::Reader whole(256);
    whole.feed(text);
    const auto items = read_all(whole);
    rsp::Reader split(256);
    const std::size_t cut = size == 0 ? 0 : data[0] % (size + 1);
    split.feed(text.substr(0, cut));
    auto pieces = read_all(split);
    split.feed(text.substr(cut));
    for (auto& item : read_all(split)) {
        pieces.push_back(std::move(item));
    }
    FUZZ_CHECK(same(items, pieces), fuzz::escaped(text));
    FUZZ_CHECK(whole.buffered() == split.buffered(), fuzz::escaped(text));
    for (const rsp::Input& item : items) {
        if (item.kind == rsp::InputKind::Packet || item.kind == rsp::InputKind::BadChecksum) {
            FUZZ_CHECK(item.data.size() <= 256, fuzz::escaped(item.data));
            FUZZ_CHECK(item.data.find('#') == std::string::npos, fuzz::escaped(item.data));
        }
    }

    // Escaping, hex and framing.
    const std::string escaped = rsp::escape_binary(text);
    FUZZ_CHECK(rsp::unescape_binary(escaped) == std::string(text), fuzz::escaped(text));
    const auto bytes = rsp::from_hex(rsp::to_hex(text));
    FUZZ_CHECK(bytes && std::string(bytes->begin(), bytes->end()) == text, fuzz::escaped(text));
    rsp::Reader framed(1U << 20U);
    framed.feed(rsp::frame(escaped));
    const auto back = framed.next();
    FUZZ_CHECK(back && back->kind == rsp::InputKind::Packet, fuzz::escaped(text));
    FUZZ_CHECK(rsp::expand_runs(back->data) == escaped, fuzz::escaped(back->data));
    (void)rsp::unescape_binary(text);
    (void)rsp::expand_runs(text);
    (void)rsp::from_hex(text);

    // The argument parsers, and their results written back.
    if (const auto al = rsp::parse_address_length(text)) {
        const auto again = rsp::parse_address_length(rsp::hex_number(al->address) + "," +
                                                     rsp::hex_number(al->length));
        FUZZ_CHECK(again && again->address == al->address && again->length == al->length,
                   fuzz::escaped(text));
    }
    for (const bool binary : {false, true}) {
        if (const auto w = rsp::parse_memory_write(text, binary)) {
            const std::string payload(w->data.begin(), w->data.end());
            const std::string written =
                rsp::hex_number(w->address) + "," + rsp::hex_number(w->data.size()) + ":" +
                (binary ? rsp::escape_binary(payload) : rsp::to_hex(payload));
            const auto again = rsp::parse_memory_write(written, binary);
            FUZZ_CHECK(again && again->address == w->address && again->data == w->data,
                       fuzz::escaped(written));
        }
    }
    if (const auto z = rsp::parse_breakpoint(text)) {
        FUZZ_CHECK(z->type <= 4, fuzz::escaped(text));
        const auto again =
            rsp::parse_breakpoint(rsp::hex_number(z->type) + "," + rsp::hex_number(z->address) +
                                  "," + rsp::hex_number(z->kind));
        FUZZ_CHECK(again && again->type == z->type && again->address == z->address &&
                       again->kind == z->kind,
                   fuzz::escaped(text));
    }
    if (const auto id = rsp::parse_thread_id(text)) {
        const auto again = rsp::parse_thread_id(thread_text(*id));
        FUZZ_CHECK(again && same_thread(*again, *id), fuzz::escaped(text));
    }
    if (const auto actions = rsp::parse_vcont(text)) {
        std::string written;
        for (const rsp::ContAction& a : *actions) {
            FUZZ_CHECK(a.signal >= 0 && a.signal <= 255, fuzz::escaped(text));
            written += written.empty() ? "" : ";";
            written += a.action;
            if (a.action == 'C' || a.action == 'S') {
                written += rsp::hex_number(static_cast<std::uint64_t>(a.signal));
            } else if (a.action == 'r') {
                written += rsp::hex_number(a.range_start) + "," + rsp::hex_number(a.range_end);
            }
            if (a.thread) {
                written += ":" + thread_text(*a.thread);
            }
        }
        const auto again = rsp::parse_vcont(written);
        FUZZ_CHECK(again && again->size() == actions->size(), fuzz::escaped(written));
        for (std::size_t i = 0; again && i < again->size(); ++i) {
            const rsp::ContAction& a = (*actions)[i];
            const rsp::ContAction& b = (*again)[i];
            FUZZ_CHECK(a.action == b.action && a.signal == b.signal &&
                           a.range_start == b.range_start && a.range_end == b.range_end &&
                           a.thread.has_value() == b.thread.has_value() &&
                           (!a.thread || same_thread(*a.thread, *b.thread)),
                       fuzz::escaped(written));
        }
    }
    if (const auto x = rsp::parse_xfer_read(text)) {
        const auto again =
            rsp::parse_xfer_read("qXfer:" + x->object + ":read:" + x->annex + ":" +
                                 rsp::hex_number(x->offset) + "," + rsp::hex_number(x->length));
        FUZZ_CHECK(again && again->object == x->object && again->annex == x->annex &&
                       again->offset == x->offset && again->length == x->length,
                   fuzz::escaped(text));
        (void)rsp::xfer_reply(text, x->offset, x->length);
    }
    if (const auto w = rsp::parse_xfer_write(text)) {
        const auto again =
            rsp::parse_xfer_write("qXfer:" + w->object + ":write:" + w->annex + ":" +
                                  rsp::hex_number(w->offset) + ":" + rsp::escape_binary(w->data));
        FUZZ_CHECK(again && again->object == w->object && again->annex == w->annex &&
                       again->offset == w->offset && again->data == w->data,
                   fuzz::escaped(text));
    }
    return 0;
}
