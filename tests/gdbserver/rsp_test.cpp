// SPDX-License-Identifier: MIT
// The gdbserver example's protocol codec (examples/gdbserver/rsp.hpp), table-driven, without
// any process: framing and checksums, the reader's handling of acks, interrupts, noise, bad
// checksums and split input, binary escapes, hex, and each packet's argument parser on good
// and bad input. Also the register layout and signal numbers (regs.hpp, target.hpp tables).
// (The shared library list is walked by the debugger kit's LinkMap, tested with the kit on a
// made-up image, tests/debugger/link_map_test.cpp; raw_packets.py asks the server for it.)
#include <doctest/doctest.h>

#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "regs.hpp"
#include "rsp.hpp"
#include "target.hpp"

namespace rsp = gdbserver::rsp;

TEST_CASE("gdbserver rsp: checksums and framing match the protocol's examples") {
    struct Case {
        std::string data;
        std::string framed;
    };
    const std::vector<Case> cases = {
        {"", "$#00"},
        {"OK", "$OK#9a"},
        {"g", "$g#67"},
        {"?", "$?#3f"},
        {"vMustReplyEmpty", "$vMustReplyEmpty#3a"},
        {"QStartNoAckMode", "$QStartNoAckMode#b0"},
        {"Hgp0.0", "$Hgp0.0#ad"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.data);
        CHECK(rsp::frame(c.data) == c.framed);
    }
}

TEST_CASE("gdbserver rsp: qCRC's CRC is gdb's (CRC-32/MPEG-2), also across chunks") {
    const auto crc = [](std::string_view text, std::uint32_t start = 0xffffffffU) {
        return rsp::crc32(
            std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), start);
    };
    CHECK(crc("123456789") == 0x0376e6e7U); // the catalogue's check value
    CHECK(crc("") == 0xffffffffU);
    CHECK(crc(std::string_view("\0", 1)) == 0x4e08bfb4U);
    CHECK(crc("6789", crc("12345")) == crc("123456789"));
}

TEST_CASE("gdbserver rsp: names in qXfer XML documents are escaped") {
    using gdbserver::rsp::xml_escape;
    CHECK(xml_escape("") == "");
    CHECK(xml_escape("/lib/x86_64-linux-gnu/libc.so.6") == "/lib/x86_64-linux-gnu/libc.so.6");
    CHECK(xml_escape("a<b>&\"c'd") == "a&lt;b&gt;&amp;&quot;c&apos;d");
    CHECK(xml_escape("&amp;") == "&amp;amp;");
}

TEST_CASE("gdbserver rsp: runs are run-length encoded as GNU gdbserver does, and expand back") {
    struct Case {
        std::string data;
        std::string body; ///< what frame() puts between '$' and '#'
    };
    const std::vector<Case> cases = {
        {"000", "000"},                 // too short to pay
        {"0000", "0* "},                // 3 more: ' ' (32)
        {"00000", "0*!"},               // 4 more
        {"0000000", "0*\"0"},           // 6 more would be '#': 5, then one plain
        {"00000000", "0*\"00"},         // 7 more would be '$' (then '#'): 5
        {std::string(98, '0'), "0*~"},  // 97 more: the longest run
        {std::string(99, '0'), "0*~0"}, // and a lone one after it
        {"ab0000cd", "ab0* cd"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.data);
        const std::string framed = rsp::frame(c.data);
        REQUIRE(framed.size() >= 4);
        const std::string body = framed.substr(1, framed.size() - 4);
        CHECK(body == c.body);
        CHECK(framed.substr(framed.size() - 2) ==
              rsp::to_hex(std::string(1, static_cast<char>(rsp::checksum(body)))));
        CHECK(rsp::expand_runs(body).value() == c.data);
    }
    const std::string zeros(300000, '0');
    CHECK(rsp::expand_runs(rsp::frame(zeros).substr(1, rsp::frame(zeros).size() - 4)).value() ==
          zeros);
    CHECK(rsp::frame(zeros).size() < 300000 / 30); // 3 characters per 98
    CHECK_FALSE(rsp::expand_runs("*!").has_value());
    CHECK_FALSE(rsp::expand_runs("0*").has_value());
}

TEST_CASE("gdbserver rsp: the reader splits packets, acks, interrupts and bad input") {
    struct Case {
        const char* name;
        std::string input;
        std::vector<std::pair<rsp::InputKind, std::string>> items;
    };
    using K = rsp::InputKind;
    const std::vector<Case> cases = {
        {"one packet", "$g#67", {{K::Packet, "g"}}},
        {"ack, packet, nack", "+$?#3f-", {{K::Ack, ""}, {K::Packet, "?"}, {K::Nack, ""}}},
        {"interrupt", std::string("\x03", 1), {{K::Interrupt, ""}}},
        {"bad checksum", "$g#68$g#67", {{K::BadChecksum, "g"}, {K::Packet, "g"}}},
        {"checksum not hex", "$g#zz", {{K::BadChecksum, "g"}}},
        {"upper-case checksum digits", "$OK#9A", {{K::Packet, "OK"}}},
        {"noise skipped", "xyz\n$OK#9a", {{K::Packet, "OK"}}},
        {"incomplete: nothing yet", "$OK#9", {}},
        {"no end: nothing yet", "$OKOKOK", {}},
        {"empty packet", "$#00", {{K::Packet, ""}}},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        rsp::Reader reader;
        reader.feed(c.input);
        for (const auto& [kind, data] : c.items) {
            const auto item = reader.next();
            REQUIRE(item.has_value());
            CHECK(item->kind == kind);
            CHECK(item->data == data);
        }
        CHECK_FALSE(reader.next().has_value());
    }
}

TEST_CASE("gdbserver rsp: input split at every byte gives the same packets") {
    const std::string stream = "+$m401000,10#1f$qSupported:multiprocess+#c6\x03";
    rsp::Reader reader;
    std::vector<std::string> got;
    for (const char c : stream) {
        reader.feed(std::string(1, c));
        while (auto item = reader.next()) {
            got.push_back(item->kind == rsp::InputKind::Packet
                              ? item->data
                              : "#" + std::to_string(static_cast<int>(item->kind)));
        }
    }
    REQUIRE(got.size() == 4);
    CHECK(got[0] == "#3");
    CHECK(got[1] == "m401000,10");
    CHECK(got[2] == "qSupported:multiprocess+");
    CHECK(got[3] == "#2");
}

TEST_CASE("gdbserver rsp: a packet past the size limit is dropped as too long") {
    rsp::Reader reader(16);
    reader.feed("$" + std::string(40, 'a'));
    const auto item = reader.next();
    REQUIRE(item.has_value());
    CHECK(item->kind == rsp::InputKind::TooLong);
    reader.feed("#00$OK#9a");
    // The rest of the dropped packet, up to its checksum's end, is skipped.
    auto next = reader.next();
    REQUIRE(next.has_value());
    CHECK(next->kind == rsp::InputKind::Packet);
    CHECK(next->data == "OK");
    CHECK_FALSE(reader.next().has_value());
    CHECK(reader.buffered() == 0);

    // Acks, nacks and interrupts inside a dropped packet (binary data holds such bytes) are
    // its bytes, not items, wherever the stream is cut into reads; a `$` ends what is dropped
    // (another packet starts: never unescaped in one), and cuts a short packet too.
    const std::string stream =
        "+$" + std::string(20, 'b') + "-+\x03" + std::string(20, 'c') + "#-+$OK#9a-";
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        CAPTURE(cut);
        rsp::Reader pieces(16);
        std::vector<rsp::InputKind> kinds;
        for (const std::string_view part :
             {std::string_view(stream).substr(0, cut), std::string_view(stream).substr(cut)}) {
            pieces.feed(part);
            while (auto got = pieces.next()) {
                kinds.push_back(got->kind);
            }
        }
        using K = rsp::InputKind;
        CHECK(kinds == std::vector<K>{K::Ack, K::TooLong, K::Packet, K::Nack});
    }
    const std::string garbage = "$" + std::string(40, '-') + "$OK#9a$ab$OK#9a";
    for (std::size_t cut = 0; cut <= garbage.size(); ++cut) {
        CAPTURE(cut);
        rsp::Reader pieces(16);
        std::vector<std::string> items;
        for (const std::string_view part :
             {std::string_view(garbage).substr(0, cut), std::string_view(garbage).substr(cut)}) {
            pieces.feed(part);
            while (auto got = pieces.next()) {
                items.push_back(std::to_string(static_cast<int>(got->kind)) + got->data);
            }
        }
        using K = rsp::InputKind;
        const auto entry = [](K kind, const char* data) {
            return std::to_string(static_cast<int>(kind)) + data;
        };
        CHECK(items == std::vector<std::string>{entry(K::TooLong, ""), entry(K::Packet, "OK"),
                                                entry(K::BadChecksum, "ab"),
                                                entry(K::Packet, "OK")});
    }
}

TEST_CASE("gdbserver rsp: binary escapes round-trip; a lone '}' is refused") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"abc", "abc"}, {"#", "}\x03"}, {"$", "}\x04"},
        {"}", "}]"},    {"*", "}\x0a"}, {std::string("\0\x7f", 2), std::string("\0\x7f", 2)},
    };
    for (const auto& c : cases) {
        const std::string& raw = c.first;
        CAPTURE(raw);
        CHECK(rsp::escape_binary(raw) == c.second);
        CHECK(rsp::unescape_binary(c.second).value() == raw);
    }
    CHECK_FALSE(rsp::unescape_binary("abc}").has_value());
}

TEST_CASE("gdbserver rsp: hex numbers and bytes") {
    CHECK(rsp::parse_hex("0").value() == 0);
    CHECK(rsp::parse_hex("7fffffffe580").value() == 0x7fffffffe580ULL);
    CHECK(rsp::parse_hex("FFFFFFFFFFFFFFFF").value() == ~0ULL);
    for (const char* bad : {"", "x", "12g", "11111111111111111", "-1", " 1"}) {
        CAPTURE(bad);
        CHECK_FALSE(rsp::parse_hex(bad).has_value());
    }
    CHECK(rsp::hex_number(0) == "0");
    CHECK(rsp::hex_number(0x47ff) == "47ff");
    const std::uint8_t bytes[] = {0x00, 0xab, 0x10, 0xff};
    CHECK(rsp::to_hex(bytes, 4) == "00ab10ff");
    CHECK(rsp::from_hex("00ab10FF").value() == std::vector<std::uint8_t>(bytes, bytes + 4));
    CHECK_FALSE(rsp::from_hex("abc").has_value());
    CHECK_FALSE(rsp::from_hex("zz").has_value());
    CHECK(rsp::error_reply(1) == "E01");
    CHECK(rsp::error_reply(0x16) == "E16");
}

TEST_CASE("gdbserver rsp: m, M, X arguments; bad lengths and hex are refused") {
    const auto m = rsp::parse_address_length("555555554040,38");
    REQUIRE(m.has_value());
    CHECK(m->address == 0x555555554040ULL);
    CHECK(m->length == 0x38);
    for (const char* bad : {"", ",", "1,", ",1", "1,2,3", "g,1", "1;2"}) {
        CAPTURE(bad);
        CHECK_FALSE(rsp::parse_address_length(bad).has_value());
    }
    const auto w = rsp::parse_memory_write("1000,2:abcd", false);
    REQUIRE(w.has_value());
    CHECK(w->address == 0x1000);
    CHECK(w->data == std::vector<std::uint8_t>{0xab, 0xcd});
    const auto x = rsp::parse_memory_write("1000,2:}\x03z", true);
    REQUIRE(x.has_value());
    CHECK(x->data == std::vector<std::uint8_t>{'#', 'z'});
    struct Bad {
        const char* args;
        bool binary;
    };
    for (const Bad& bad :
         {Bad{"1000,3:abcd", false}, Bad{"1000,2:abc", false}, Bad{"1000,2:zzzz", false},
          Bad{"1000,2", false}, Bad{"1000,1:ab}", true}, Bad{"1000,2:a", true}}) {
        CAPTURE(bad.args);
        CHECK_FALSE(rsp::parse_memory_write(bad.args, bad.binary).has_value());
    }
}

TEST_CASE("gdbserver rsp: Z/z, thread ids, vCont and qXfer arguments") {
    const auto z = rsp::parse_breakpoint("0,555555555143,1");
    REQUIRE(z.has_value());
    CHECK(z->type == 0);
    CHECK(z->address == 0x555555555143ULL);
    CHECK(z->kind == 1);
    CHECK(rsp::parse_breakpoint("2,4010,8;X1,0").value().type == 2);
    for (const char* bad : {"", "5,1,1", "0,1", "0,x,1", "00,1,1", "0,1,1,1"}) {
        CAPTURE(bad);
        CHECK_FALSE(rsp::parse_breakpoint(bad).has_value());
    }

    const auto t = rsp::parse_thread_id("p7feb.7fec");
    REQUIRE(t.has_value());
    CHECK(t->pid == 0x7feb);
    CHECK(t->tid == 0x7fec);
    CHECK(rsp::parse_thread_id("p7feb.-1").value().tid == -1);
    CHECK(rsp::parse_thread_id("-1").value().tid == -1);
    CHECK(rsp::parse_thread_id("0").value().tid == 0);
    CHECK(rsp::parse_thread_id("p10").value().tid == -1);
    for (const char* bad : {"", "p", "px.1", "p1.2.3", "q1", "-2", "ffffffffff"}) {
        CAPTURE(bad);
        CHECK_FALSE(rsp::parse_thread_id(bad).has_value());
    }

    const auto v = rsp::parse_vcont("s:p7feb.7feb;c:p7feb.-1");
    REQUIRE(v.has_value());
    REQUIRE(v->size() == 2);
    CHECK((*v)[0].action == 's');
    CHECK((*v)[0].thread->tid == 0x7feb);
    CHECK((*v)[1].action == 'c');
    const auto c = rsp::parse_vcont("C0b:p1.2");
    REQUIRE(c.has_value());
    CHECK((*c)[0].signal == 11);
    CHECK(rsp::parse_vcont("c").value()[0].thread == std::nullopt);
    const auto r = rsp::parse_vcont("r555555555159,55555555516b:p2181.2181;c:p2181.-1");
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 2);
    CHECK((*r)[0].action == 'r');
    CHECK((*r)[0].range_start == 0x555555555159U);
    CHECK((*r)[0].range_end == 0x55555555516bU);
    CHECK((*r)[0].thread->tid == 0x2181);
    CHECK(rsp::parse_vcont("r10,20").value()[0].thread == std::nullopt);
    for (const char* bad : {"", ";", "x", "c:", "Czz", "C100", "s:pq", "c;", "r", "r10", "r10,",
                            "rzz,20", "r10,20:", "r10;20"}) {
        CAPTURE(bad);
        CHECK_FALSE(rsp::parse_vcont(bad).has_value());
    }

    const auto q = rsp::parse_xfer_read("qXfer:features:read:target.xml:0,1000");
    REQUIRE(q.has_value());
    CHECK(q->object == "features");
    CHECK(q->annex == "target.xml");
    CHECK(q->length == 0x1000);
    CHECK(rsp::parse_xfer_read("qXfer:auxv:read::10,20").value().annex.empty());
    for (const char* bad :
         {"qXfer:auxv:read::", "qXfer:auxv:write::0,1", "qXfer:auxv", "qXfer:auxv:read::0,1:x"}) {
        CAPTURE(bad);
        CHECK_FALSE(rsp::parse_xfer_read(bad).has_value());
    }
    // A write's data is binary and may hold colons; escapes are undone.
    const auto w =
        rsp::parse_xfer_write(std::string_view("qXfer:siginfo:write::7c:a:b}\x03\0", 30));
    REQUIRE(w.has_value());
    CHECK(w->object == "siginfo");
    CHECK(w->annex.empty());
    CHECK(w->offset == 0x7c);
    CHECK(w->data == std::string("a:b#\0", 5));
    CHECK(rsp::parse_xfer_write("qXfer:siginfo:write::0:").value().data.empty());
    for (const char* bad :
         {"qXfer:siginfo:write::0", "qXfer:siginfo:write::zz:a", "qXfer:siginfo:write::0:}",
          "qXfer:siginfo:read::0:a", "qXfer:siginfo"}) {
        CAPTURE(bad);
        CHECK_FALSE(rsp::parse_xfer_write(bad).has_value());
    }
    CHECK(rsp::xfer_reply("abcdef", 0, 4) == "mabcd");
    CHECK(rsp::xfer_reply("abcdef", 4, 4) == "lef");
    CHECK(rsp::xfer_reply("abcdef", 6, 4) == "l");
    CHECK(rsp::xfer_reply("a#", 0, 10) == "la}\x03");
}

TEST_CASE("gdbserver: the register layout and the signal numbers") {
    CHECK(gdbserver::register_table()[16].name == std::string("rip"));
    CHECK(gdbserver::register_table()[gdbserver::orig_rax_regnum].name == std::string("orig_rax"));
    CHECK(gdbserver::register_offset(16) == 128);
    CHECK(gdbserver::register_offset(24) == 164); // st0 after 17 * 8 + 7 * 4
    using gdbserver::Vectors;
    CHECK(gdbserver::layout_size(Vectors::Sse) == 560);
    CHECK(gdbserver::layout_size(Vectors::Avx) == 816);
    CHECK(gdbserver::layout_size(Vectors::Avx512) == 816 + 16 * 16 + 16 * 16 + 8 * 8 + 32 * 32);
    CHECK(gdbserver::register_table()[gdbserver::first_k].name == std::string("k0"));
    CHECK(gdbserver::register_table()[gdbserver::register_count - 1].name == std::string("zmm31h"));

    gdbserver::RegisterFile r;
    r.gp.rip = 0x401000;
    r.gp.rsp = 0x7ffe0000;
    r.gp.rflags = 0x246;
    r.fp.fcw = 0x37f;
    r.fp.mxcsr = 0x1f80;
    r.fp.xmm_space[3][0] = 0x42;
    r.env.fsbase = 0x7f0000001000;
    const auto bytes = gdbserver::to_gdb(r);
    REQUIRE(bytes.size() == 560);
    gdbserver::RegisterFile back;
    REQUIRE(gdbserver::from_gdb(bytes, back));
    CHECK(back.gp == r.gp);
    CHECK(back.fp.xmm_space[3][0] == 0x42);
    CHECK(back.fp.mxcsr == 0x1f80);
    CHECK(back.env.fsbase == r.env.fsbase);
    CHECK_FALSE(gdbserver::from_gdb(std::vector<std::uint8_t>(10), back));
    // Empty x87 stack: every tag is 3 (0xffff).
    CHECK(gdbserver::full_tag_word(r.fp) == 0xffff);

    const std::string xml = gdbserver::target_xml(Vectors::Avx);
    CHECK(xml.find("org.gnu.gdb.i386.linux") != std::string::npos);
    CHECK(xml.find("ymm15h") != std::string::npos);
    CHECK(xml.find("zmm0h") == std::string::npos);
    CHECK(gdbserver::target_xml(Vectors::Sse).find("ymm0h") == std::string::npos);
    CHECK(gdbserver::target_xml(Vectors::Avx512).find("<reg name=\"zmm31h\" bitsize=\"256\"") !=
          std::string::npos);

    struct Sig {
        int linux_number;
        int gdb_number;
    };
    for (const Sig s :
         {Sig{SIGINT, 2}, Sig{SIGTRAP, 5}, Sig{SIGSEGV, 11}, Sig{SIGBUS, 10}, Sig{SIGUSR1, 30},
          Sig{SIGUSR2, 31}, Sig{SIGCHLD, 20}, Sig{SIGSTOP, 17}, Sig{SIGCONT, 19}, Sig{SIGIO, 23},
          Sig{SIGSYS, 12}, Sig{34, 46}, Sig{32, 77}, Sig{64, 78}}) {
        CAPTURE(s.linux_number);
        CHECK(gdbserver::gdb_signal(s.linux_number) == s.gdb_number);
        CHECK(gdbserver::linux_signal(s.gdb_number) == s.linux_number);
    }
    CHECK(gdbserver::linux_signal(7) == 0); // SIGEMT: Linux has none
}
