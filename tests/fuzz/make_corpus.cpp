// SPDX-License-Identifier: MIT
// Writes the seed corpora of the fuzz harnesses (tests/fuzz/corpus/<harness>/).
//
//     make_corpus OUT_DIR [-- COMMAND [ARGS...]]...
//
// The text seeds (flags, paths, status files, command lines) and the synthetic event records
// are written always. Each `-- COMMAND ARGS` is traced with the library (spawn, Tracer) as the
// strace example traces it, and gives real seeds: the event records it produced; for every
// syscall name the first call (and the first failing one), with its registers, its result and
// exactly the memory the decoders read at its entry and exit stops (strace_decode); and its
// stream of stops cut into pieces of at most 4 KiB (strace_printer). Seeds stay within the
// 4096 bytes that tests/fuzz/run lets libFuzzer use.
#include <ptrace/bytes.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/memory.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/syscalls.hpp>
#include <ptrace/tracer.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <unistd.h>

#include "decode.hpp"
#include "fuzz.hpp"
#include "test_flags.hpp"

namespace {

namespace fs = std::filesystem;
using ptrace_api::PtraceEvent;
using ptrace_api::PtraceFlags;

constexpr std::size_t max_seed = 4096;

class Corpus {
public:
    explicit Corpus(fs::path root) : root_(std::move(root)) {}

    void write(const std::string& harness, const std::string& name,
               const std::vector<std::uint8_t>& bytes) {
        const fs::path dir = root_ / harness;
        fs::create_directories(dir);
        std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
        ++written_;
    }
    void write_text(const std::string& harness, const std::string& name, std::string_view text) {
        write(harness, name, fuzz::Output().put_text(text).bytes());
    }
    [[nodiscard]] int written() const noexcept { return written_; }

private:
    fs::path root_;
    int written_ = 0;
};

// ---- text seeds ------------------------------------------------------------------------------

void flags_seeds(Corpus& c) {
    using namespace test_flags;
    const std::vector<std::string> texts = {
        "",
        "PTRACE_STOP_PRE_SYSCALL",
        "STOP_PRE_SYSCALL | EVENT_CLONE",
        "PTRACE_STOP_PRE_SYSCALL|PTRACE_STOP_POST_SYSCALL|PTRACE_STOP_SIGNAL|PTRACE_STOP_EXIT",
        "PtraceFlags(PTRACE_STOP_SIGNAL | 0x40000)",
        "PtraceFlags(0x0)",
        "  PtraceFlags ( FLAG_IGNORE | FLAG_WAIT )  ",
        "FLAG_SYSEMU | 0x1",
        "0xffffffffffffffff",
        "0X10000",
        "PTRACE_STOP_PRE_SYSCALL | PTRACE_STOP_EXEC",
        "0x10000000000000000",
        "STOP_EXIT |",
        "| STOP_EXIT",
        "STOP_EXIT || STOP_SIGNAL",
        "PtraceFlags(STOP_EXIT",
        "PtraceFlags((STOP_EXIT))",
        "Other(STOP_EXIT)",
        "0x",
        "0xg",
        "ptrace_stop_exit",
        "PTRACE_",
        "TestFlags(A | 0x8)",
        "A | B | C",
        "TestFlagsInvert(ABC)",
        "TestOverlapping(AB | BC)",
        "TestExternal(A | B | C | 0xf8)",
        "_external",
        "TestZero(ZERO)",
        "Wide(W_LOW | W_HIGH)",
        "W_HIGH | 0x2",
        "\tA\n|\rB ",
    };
    int i = 0;
    for (const std::string& t : texts) {
        c.write_text("flags_parse", "text-" + std::to_string(i++), t);
    }
    for (const auto& entry : PtraceFlags::table()) {
        c.write_text("flags_parse", "debug-" + std::string(entry.name), entry.flag.to_string());
    }
    c.write_text("flags_parse", "debug-all", PtraceFlags::all().to_string());
    c.write_text("flags_parse", "debug-reserved",
                 PtraceFlags::from_bits_retain(0x8000'0000'0001'0021).to_string());
}

void event_seeds(Corpus& c) {
    using F = PtraceFlags;
    const std::vector<std::pair<std::string, PtraceEvent>> records = {
        {"pre", PtraceEvent::of(F::STOP_PRE_SYSCALL)},
        {"post", PtraceEvent::of(F::STOP_POST_SYSCALL)},
        {"step", PtraceEvent::of(F::STOP_SINGLESTEP)},
        {"signal-caught", PtraceEvent::of(F::STOP_SIGNAL, 10, 0x401136)},
        {"signal-ignored", PtraceEvent::of(F::STOP_SIGNAL, 15, 1)},
        {"signal-unknown-handler", PtraceEvent::of(F::STOP_SIGNAL, 2, ~std::uint64_t{0})},
        {"signal-wide", PtraceEvent::of(F::STOP_SIGNAL, 0x1'0000'000a, 0)},
        {"breakpoint", PtraceEvent::of(F::STOP_BREAKPOINT)},
        {"exit-code", PtraceEvent::of(F::STOP_EXIT, 0x700)},
        {"exit-killed", PtraceEvent::of(F::STOP_EXIT, 9)},
        {"clone", PtraceEvent::of(F::EVENT_CLONE, 4321)},
        {"exec", PtraceEvent::of(F::STOP_EXEC, 4322)},
        {"reserved-cause", PtraceEvent::of(F::from_bits_retain(0x200), 7)},
        {"two-causes", PtraceEvent::of(F::STOP_PRE_SYSCALL | F::STOP_EXIT)},
        {"empty-cause", PtraceEvent::of(F::empty())},
        {"payload-in-unused-fields", PtraceEvent{F::STOP_EXIT, 0x100, 1, 2, 3, 4, 5}},
    };
    std::vector<std::uint8_t> all;
    for (const auto& [name, e] : records) {
        const auto bytes = std::as_bytes(std::span(&e, 1));
        std::vector<std::uint8_t> v;
        for (const std::byte b : bytes) {
            v.push_back(std::to_integer<std::uint8_t>(b));
        }
        all.insert(all.end(), v.begin(), v.end());
        c.write("event_view", name, v);
    }
    c.write("event_view", "several-records", all);
}

void path_seeds(Corpus& c) {
    const std::vector<std::string> paths = {
        "proc:1234/trace",     "proc:1234/regs/int",    "proc:1234/regs/float",
        "proc:1234/regs/env",  "proc:1234/mem",         "proc:0/trace",
        "proc:2147483647/mem", "proc:2147483648/trace", "proc:99999999999999999999/trace",
        "proc:0012/mem",       "proc:/trace",           "proc:12/",
        "proc:12/regs",        "proc:12/regs/",         "proc:-1/trace",
        "proc:12/trace/",      "proc:12/trace\n",       "proc:12",
        "file:12/trace",       "proc:12//trace",        "proc:+12/trace",
        "proc: 12/trace",      "PROC:12/trace",
    };
    int i = 0;
    for (const std::string& p : paths) {
        c.write_text("shim_path", "path-" + std::to_string(i++), p);
    }
}

void status_seeds(Corpus& c) {
    // Real files: this process and its parent, as the kernel prints them.
    for (const std::string& who : std::array<std::string, 2>{"self", std::to_string(::getppid())}) {
        std::ifstream in("/proc/" + who + "/status");
        std::ostringstream buffer;
        buffer << in.rdbuf();
        const std::string text = buffer.str();
        if (!text.empty()) {
            c.write_text("proc_status", "status-" + std::string(who == "self" ? "self" : "parent"),
                         text);
        }
    }
    c.write_text("proc_status", "fields",
                 "State:\tt (tracing stop)\nTgid:\t4242\nPPid:\t1\nTracerPid:\t77\n"
                 "Uid:\t1000\t1000\t1000\t1000\nGid:\t100\t100\t100\t100\nThreads:\t3\n"
                 "SigPnd:\t0000000000000100\nSigIgn:\t0000000000001000\n"
                 "SigCgt:\t00000001800004ec\n");
    c.write_text("proc_status", "odd-lines",
                 "Tgid:\nTgid:5\nPPid: \t -7\nUid:\t4294967296\t1\nSigIgn:\tffffffffffffffffff\n"
                 "Threads");
    c.write_text("proc_status", "custom-key", std::string("Uid\0Uid:\t0\t0\t0\t0\n", 19));
    c.write_text("proc_status", "empty-key", std::string("\0:x\n", 4));
}

void options_seeds(Corpus& c) {
    const std::vector<std::string> argvs = {
        std::string("-f\0-o\0/dev/null\0true", 20),
        std::string("-e\0trace=openat,close\0ls\0/", 26),
        std::string("-etrace=read,write\0cat", 22),
        std::string("-s\0"
                    "64\0--\0cat\0file",
                    17),
        std::string("-s0\0true", 8),
        std::string("-s\0"
                    "65537\0true",
                    13),
        std::string("-h", 2),
        std::string("-x\0true", 7),
        std::string("-fo\0true", 8),
        std::string("-o", 2),
        std::string("--\0-f", 5),
        std::string("trace=execve,exit_group", 23),
        std::string("trace=", 6),
        std::string("trace=openat,,close", 19),
        std::string("/usr/bin:/bin\0sh", 16),
        std::string(":/nonexistent::/usr/bin\0true", 28),
        std::string("/bin\0/bin/sh", 12),
    };
    int i = 0;
    for (const std::string& a : argvs) {
        c.write_text("strace_options", "argv-" + std::to_string(i++), a);
    }
}

// ---- captured seeds --------------------------------------------------------------------------

/// The memory reads of the decoders, recorded: what a seed must hold for them to see the same.
class Recorder {
public:
    explicit Recorder(ptrace_api::Memory& mem) : mem_(&mem) {}

    strace_example::ReadMemory reader() {
        return [this](std::uint64_t addr, std::span<std::byte> out) {
            if (!mem_->read(addr, out)) {
                return false;
            }
            for (std::size_t i = 0; i < out.size(); ++i) {
                bytes_.emplace(addr + i, std::to_integer<std::uint8_t>(out[i])); // first read wins
            }
            return true;
        };
    }
    [[nodiscard]] const std::map<std::uint64_t, std::uint8_t>& bytes() const noexcept {
        return bytes_;
    }
    void merge(const Recorder& other) { bytes_.insert(other.bytes_.begin(), other.bytes_.end()); }

private:
    ptrace_api::Memory* mem_;
    std::map<std::uint64_t, std::uint8_t> bytes_;
};

/// Appends the recorded bytes as FakeMemory segments (contiguous runs), as many as fit.
void put_segments(fuzz::Output& out, const std::map<std::uint64_t, std::uint8_t>& bytes,
                  std::size_t budget) {
    std::vector<std::pair<std::uint64_t, std::vector<std::uint8_t>>> runs;
    for (const auto& [addr, b] : bytes) {
        if (runs.empty() || runs.back().first + runs.back().second.size() != addr ||
            runs.back().second.size() == 0xffff) {
            runs.push_back({addr, {}});
        }
        runs.back().second.push_back(b);
    }
    std::size_t used = out.bytes().size();
    for (const auto& [addr, run] : runs) {
        if (used + 10 + run.size() > budget) {
            continue; // a smaller run further on may still fit
        }
        out.put(addr).put(static_cast<std::uint16_t>(run.size())).put_bytes(run);
        used += 10 + run.size();
    }
}

struct Pending {
    std::string name;
    std::array<std::uint64_t, 6> regs{};
    std::uint64_t sp = 0;
    strace_example::PendingCall call;
    Recorder reads;
};

/// One stop of the printer's input (see strace_printer.cpp).
struct Stop {
    std::vector<std::uint8_t> bytes;
    std::map<std::uint64_t, std::uint8_t> memory;
    bool signal = false;
};

class Capture {
public:
    Capture(Corpus& corpus, std::string tag) : corpus_(&corpus), tag_(std::move(tag)) {}

    /// Traces the command to its end; false when it could not be started.
    bool run(const std::vector<std::string>& command) {
        ptrace_api::Command cmd;
        cmd.program = command.front();
        cmd.args.assign(command.begin() + 1, command.end());
        auto spawned = ptrace_api::spawn(cmd);
        if (!spawned) {
            std::fprintf(stderr, "make_corpus: spawn %s: %s\n", cmd.program.c_str(),
                         spawned.error().message().c_str());
            return false;
        }
        ptrace_api::Tracer& tracer = spawned->tracer;
        const PtraceFlags flags = PtraceFlags::STOP_PRE_SYSCALL | PtraceFlags::STOP_POST_SYSCALL |
                                  PtraceFlags::STOP_SIGNAL | PtraceFlags::STOP_EXIT |
                                  PtraceFlags::EVENT_CLONE;
        for (;;) {
            const auto event = tracer.next(flags);
            if (!event) {
                break;
            }
            if (auto queued = tracer.events()) {
                for (const PtraceEvent& e : *queued) {
                    event_seed(e);
                }
            }
            event_seed(*event);
            on_stop(*event, tracer);
        }
        (void)std::move(tracer).close();
        (void)spawned->child.wait();
        printer_seeds();
        return true;
    }

    static std::set<std::string>& seen_calls() {
        static std::set<std::string> seen;
        return seen;
    }

private:
    void event_seed(const PtraceEvent& e) {
        const std::string key =
            e.cause.to_string() +
            (e.cause == PtraceFlags::STOP_SIGNAL ? (e.b > 1 ? "caught" : std::to_string(e.b)) : "");
        if (!event_keys_.insert(key).second) {
            return;
        }
        const auto bytes = ptrace_api::as_bytes(e);
        std::vector<std::uint8_t> v;
        for (const std::byte b : bytes) {
            v.push_back(std::to_integer<std::uint8_t>(b));
        }
        corpus_->write("event_view", tag_ + "-" + std::to_string(event_keys_.size()), v);
    }

    void on_stop(const PtraceEvent& event, ptrace_api::Tracer& tracer) {
        const auto meaning = ptrace_api::view(event);
        if (std::holds_alternative<ptrace_api::events::PreSyscall>(meaning)) {
            const auto r = tracer.regs().get_int();
            if (!r) {
                return;
            }
            // A pending execve with no exit stop succeeded (decision 17).
            if (!stack_.empty() && (stack_.back().name == "execve")) {
                finish(std::int64_t{0});
            }
            Pending p{std::string(ptrace_api::syscall_name(static_cast<long>(r->rax))),
                      {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9},
                      r->rsp,
                      {},
                      Recorder(tracer.mem())};
            p.call = strace_example::decode_entry(static_cast<long>(r->rax), p.regs,
                                                  p.reads.reader(), 32, p.sp);
            fuzz::Output stop;
            stop.put<std::uint8_t>(0).put(static_cast<std::uint16_t>(r->rax));
            for (const std::uint64_t v : p.regs) {
                stop.put(v);
            }
            stop.put(p.sp);
            stops_.push_back({stop.bytes(), p.reads.bytes(), false});
            stack_.push_back(std::move(p));
        } else if (std::holds_alternative<ptrace_api::events::PostSyscall>(meaning)) {
            const auto r = tracer.regs().get_int();
            if (!r || stack_.empty()) {
                return;
            }
            finish(static_cast<std::int64_t>(r->rax));
        } else if (const auto* s = std::get_if<ptrace_api::events::Signal>(&meaning)) {
            fuzz::Output stop;
            stop.put<std::uint8_t>(2).put(static_cast<std::uint8_t>(s->signal));
            stops_.push_back({stop.bytes(), {}, true});
        } else if (const auto* x = std::get_if<ptrace_api::events::Exit>(&meaning)) {
            while (!stack_.empty()) {
                finish(std::nullopt); // exit_group and whatever it interrupted never return
            }
            fuzz::Output stop;
            stop.put<std::uint8_t>(3).put(static_cast<std::uint16_t>(x->status.raw));
            stops_.push_back({stop.bytes(), {}, false});
        }
    }

    /// The top pending syscall returned `ret` (nothing: it never returns): its exit reads, and
    /// its strace_decode seed.
    void finish(std::optional<std::int64_t> ret) {
        Pending p = std::move(stack_.back());
        stack_.pop_back();
        Recorder exit_reads = p.reads;
        (void)strace_example::call_text(p.call, ret, exit_reads.reader(), 32);
        if (ret) {
            fuzz::Output stop;
            stop.put<std::uint8_t>(1).put(*ret);
            stops_.push_back({stop.bytes(), exit_reads.bytes(), false});
        }
        const bool failed = ret && strace_example::is_error_return(*ret);
        const std::string key = p.name + (failed ? "-failed" : "");
        if (p.name.empty() || !seen_calls().insert(key).second) {
            return;
        }
        fuzz::Output seed;
        seed.put(static_cast<std::uint16_t>(p.call.nr)).put<std::uint16_t>(31); // -s 32
        for (const std::uint64_t v : p.regs) {
            seed.put(v);
        }
        seed.put(p.sp).put<std::uint8_t>(ret ? 1 : 0).put(ret.value_or(0));
        put_segments(seed, exit_reads.bytes(), max_seed);
        corpus_->write("strace_decode", key, seed.bytes());
    }

    /// The stream of stops, cut into seeds of at most 4 KiB: the first three pieces and every
    /// piece with a signal in it.
    void printer_seeds() {
        std::size_t at = 0;
        for (int piece = 0; at < stops_.size(); ++piece) {
            std::vector<std::uint8_t> body;
            std::map<std::uint64_t, std::uint8_t> memory;
            bool signal = false;
            std::size_t end = at;
            while (end < stops_.size() && body.size() + stops_[end].bytes.size() < max_seed / 3) {
                body.insert(body.end(), stops_[end].bytes.begin(), stops_[end].bytes.end());
                memory.insert(stops_[end].memory.begin(), stops_[end].memory.end());
                signal = signal || stops_[end].signal;
                ++end;
            }
            end = std::max(end, at + 1);
            if (piece < 3 || signal) {
                fuzz::Output mem_part;
                put_segments(mem_part, memory, max_seed - body.size() - 16);
                fuzz::Output seed;
                seed.put<std::uint8_t>(0).put<std::uint16_t>(31); // no filter, -s 32
                seed.put(static_cast<std::uint16_t>(mem_part.bytes().size()));
                seed.put_bytes(mem_part.bytes()).put_bytes(body);
                corpus_->write("strace_printer", tag_ + "-" + std::to_string(piece), seed.bytes());
            }
            at = end;
        }
    }

    Corpus* corpus_;
    std::string tag_;
    std::vector<Pending> stack_;
    std::vector<Stop> stops_;
    std::set<std::string> event_keys_;
};

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: make_corpus OUT_DIR [-- COMMAND [ARGS...]]...\n");
        return 2;
    }
    Corpus corpus{fs::path(argv[1])};
    flags_seeds(corpus);
    event_seeds(corpus);
    path_seeds(corpus);
    status_seeds(corpus);
    options_seeds(corpus);
    int failures = 0;
    std::map<std::string, int> programs;
    for (int i = 2; i < argc;) {
        if (std::string_view(argv[i]) != "--" || i + 1 >= argc) {
            std::fprintf(stderr, "make_corpus: expected -- COMMAND, got %s\n", argv[i]);
            return 2;
        }
        std::vector<std::string> command;
        for (++i; i < argc && std::string_view(argv[i]) != "--"; ++i) {
            command.emplace_back(argv[i]);
        }
        // The program's name, numbered when the same program is traced again.
        std::string tag = fs::path(command.front()).filename().string();
        const int seen = programs[tag]++;
        if (seen != 0) {
            tag += "." + std::to_string(seen);
        }
        Capture capture(corpus, tag);
        failures += capture.run(command) ? 0 : 1;
    }
    std::printf("make_corpus: %d seeds written to %s\n", corpus.written(), argv[1]);
    return failures == 0 ? 0 : 1;
}
