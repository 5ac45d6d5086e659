// SPDX-License-Identifier: MIT
// The protocol's main loop: reads packets, answers each (the `handle_*` members, one per
// packet family), runs the program on vCont/c/s and reports its stops, forks included when
// gdb takes them. All-stop only.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "connection.hpp"
#include "libraries.hpp"
#include "regs.hpp"
#include "rsp.hpp"
#include "target.hpp"
#include "vfile.hpp"

namespace gdbserver {

inline constexpr std::size_t packet_size = 0x40000; // what qSupported offers gdb

/// How the program given on the command line was started: what extended mode's `run`
/// (vRun) starts again when gdb names no program.
struct Launch {
    std::string program; ///< empty: the session attached to a process
    bool no_aslr = true;
};

class Server {
public:
    Server(Connection& connection, Target& target, Launch launch = {})
        : conn_(connection), target_(target), launch_(std::move(launch)) {
        if (target_.has_process()) {
            target_.inferior().set_interrupt_fd(conn_.input_fd());
        } else {
            exit_reply_ = "W00"; // `--multi` without a program: none runs until a `run`
        }
        general_ = target_.pid();
        no_aslr_ = launch_.no_aslr;
    }

    /// Serves until gdb disconnects, detaches or kills. On a disconnect the program is
    /// killed if we started it and detached if we attached to it, as GNU gdbserver does.
    /// \returns the exit status for main().
    int run() {
        for (;;) {
            std::optional<rsp::Input> item = conn_.next();
            if (!item) {
                return disconnected();
            }
            switch (item->kind) {
            case rsp::InputKind::Ack:
            case rsp::InputKind::Interrupt: // the program is stopped already
                continue;
            case rsp::InputKind::Nack:
                (void)conn_.resend();
                continue;
            case rsp::InputKind::BadChecksum:
            case rsp::InputKind::TooLong:
                if (conn_.acking()) {
                    (void)conn_.send_ack(false); // gdb sends it again
                }
                continue;
            case rsp::InputKind::Packet:
                break;
            }
            if (conn_.acking() && !conn_.send_ack(true)) {
                return disconnected();
            }
            std::optional<std::string> reply = handle(item->data);
            if (done_) {
                if (reply) {
                    (void)conn_.send(*reply);
                }
                return 0;
            }
            if (lost_) {
                return disconnected();
            }
            if (reply && !conn_.send(*reply)) {
                return disconnected();
            }
            if (item->data == "QStartNoAckMode") {
                conn_.set_no_ack();
            }
        }
    }

private:
    /// The reply to one packet; nothing for the packets that have none (k).
    std::optional<std::string> handle(const std::string& p) {
        if (p.empty()) {
            return "";
        }
        const std::string_view args = std::string_view(p).substr(1);
        switch (p[0]) {
        case '?':
            return target_.exited() ? exit_reply_ : target_.stop_reply(target_.last_stop());
        case 'g':
            return read_all_registers();
        case 'G':
            return write_all_registers(args);
        case 'p':
            return read_register(args);
        case 'P':
            return write_register(args);
        case 'm':
            return read_memory(args, false);
        case 'x':
            return read_memory(args, true);
        case 'M':
            return write_memory(args, false);
        case 'X':
            return write_memory(args, true);
        case 'Z':
        case 'z':
            return breakpoint(p[0] == 'Z', args);
        case 'H':
            return set_thread(args);
        case 'T':
            return thread_alive(args);
        case 'c':
        case 's':
        case 'C':
        case 'S':
            return legacy_resume(p[0], args);
        case 'k':
            kill();
            done_ = !extended_; // extended mode: serving goes on, for a `run`
            return std::nullopt;
        case '!':
            extended_ = true; // `target extended-remote`: vRun, vAttach, and no end at a kill
            return "OK";
        case 'D':
            return detach(args);
        case 'q':
        case 'Q':
            return query(p);
        case 'v':
            return v_packet(p);
        default:
            return ""; // unknown: the empty reply
        }
    }

    // --- registers ---------------------------------------------------------------------

    /// gdb addresses a held forked child (Hg): only its memory and breakpoints are served.
    [[nodiscard]] bool child_selected() const {
        return target_.selected_process() != target_.pid();
    }

    std::string read_all_registers() {
        if (target_.exited() || child_selected()) {
            return "E01";
        }
        auto regs = target_.read_registers(general_thread());
        if (!regs) {
            return "E01";
        }
        const auto bytes = to_gdb(*regs);
        return rsp::to_hex(bytes.data(), bytes.size());
    }

    std::string write_all_registers(std::string_view hex) {
        const auto bytes = rsp::from_hex(hex);
        if (!bytes || target_.exited() || child_selected()) {
            return "E01";
        }
        const pid_t tid = general_thread();
        auto regs = target_.read_registers(tid);
        if (!regs || !from_gdb(*bytes, *regs)) {
            return "E01";
        }
        return target_.write_registers(tid, *regs) ? "OK" : "E01";
    }

    /// The register `regnum` as bytes of the `g` layout: offset and size.
    std::optional<std::pair<std::size_t, std::size_t>> slice(std::string_view num) const {
        const auto n = rsp::parse_hex(num);
        const std::size_t count = register_count_of(target_.vectors());
        if (!n || *n >= count) {
            return std::nullopt;
        }
        return std::pair{register_offset(*n), register_table()[*n].size};
    }

    std::string read_register(std::string_view args) {
        const auto where = slice(args);
        if (!where || target_.exited() || child_selected()) {
            return "E01";
        }
        auto regs = target_.read_registers(general_thread());
        if (!regs) {
            return "E01";
        }
        const auto bytes = to_gdb(*regs);
        return rsp::to_hex(bytes.data() + where->first, where->second);
    }

    std::string write_register(std::string_view args) {
        const std::size_t eq = args.find('=');
        if (eq == std::string_view::npos || target_.exited() || child_selected()) {
            return "E01";
        }
        const auto where = slice(args.substr(0, eq));
        const auto value = rsp::from_hex(args.substr(eq + 1));
        if (!where || !value || value->size() != where->second) {
            return "E01";
        }
        const pid_t tid = general_thread();
        auto regs = target_.read_registers(tid);
        if (!regs) {
            return "E01";
        }
        auto bytes = to_gdb(*regs);
        std::copy(value->begin(), value->end(), bytes.begin() + static_cast<long>(where->first));
        if (!from_gdb(bytes, *regs)) {
            return "E01";
        }
        return target_.write_registers(tid, *regs) ? "OK" : "E01";
    }

    // --- memory ------------------------------------------------------------------------

    std::string read_memory(std::string_view args, bool binary) {
        const auto al = rsp::parse_address_length(args);
        if (!al || target_.exited()) {
            return "E01";
        }
        // A reply holds at most what the packet size allows (hex doubles the bytes).
        const std::uint64_t limit = binary ? packet_size - 16 : (packet_size - 16) / 2;
        const std::size_t length = static_cast<std::size_t>(std::min(al->length, limit));
        auto bytes = target_.read_memory(al->address, length);
        if (!bytes) {
            // All or nothing (K1): find the readable prefix, as GNU answers a partial read.
            std::size_t good = 0;
            for (std::size_t step = length / 2; step > 0 && length > 0; step /= 2) {
                if (good + step <= length && target_.read_memory(al->address, good + step)) {
                    good += step;
                }
            }
            if (good == 0) {
                return "E01";
            }
            bytes = target_.read_memory(al->address, good);
            if (!bytes) {
                return "E01";
            }
        }
        const auto* data = reinterpret_cast<const std::uint8_t*>(bytes->data());
        if (binary) {
            return "b" + rsp::escape_binary(
                             std::string_view(reinterpret_cast<const char*>(data), bytes->size()));
        }
        return rsp::to_hex(data, bytes->size());
    }

    std::string write_memory(std::string_view args, bool binary) {
        const auto w = rsp::parse_memory_write(args, binary);
        if (!w || target_.exited()) {
            return "E01";
        }
        if (w->data.empty()) {
            return "OK"; // gdb probes X support with an empty write
        }
        const auto* data = reinterpret_cast<const std::byte*>(w->data.data());
        return target_.write_memory(w->address, std::span(data, w->data.size())) ? "OK" : "E01";
    }

    // --- breakpoints -------------------------------------------------------------------

    std::string breakpoint(bool insert, std::string_view args) {
        const auto b = rsp::parse_breakpoint(args);
        if (!b || target_.exited()) {
            return "E01";
        }
        if (b->type == 0) {
            if (b->kind != 1) {
                return "E01"; // x86: the int3 is one byte
            }
            const auto r = insert ? target_.insert_breakpoint(b->address)
                                  : target_.remove_breakpoint(b->address);
            return r || !insert ? "OK" : "E01";
        }
        if (b->type == 3) {
            return ""; // x86 has no read-only watchpoints: unsupported, as GNU says
        }
        const auto r = insert ? target_.insert_watchpoint(b->type, b->address, b->kind)
                              : target_.remove_watchpoint(b->type, b->address, b->kind);
        return r ? "OK" : "E01";
    }

    // --- threads -----------------------------------------------------------------------

    pid_t general_thread() const {
        const auto tids = target_.inferior().threads();
        if (std::find(tids.begin(), tids.end(), general_) != tids.end()) {
            return general_;
        }
        return target_.current_thread();
    }

    std::string set_thread(std::string_view args) {
        if (args.empty() || (args[0] != 'g' && args[0] != 'c')) {
            return "E01";
        }
        const auto id = rsp::parse_thread_id(args.substr(1));
        if (!id || target_.exited()) {
            return "E01";
        }
        if (args[0] == 'g' && id->pid > 0 && target_.holds_fork(static_cast<pid_t>(id->pid))) {
            (void)target_.select_process(static_cast<pid_t>(id->pid)); // a held forked child
            return "OK";
        }
        const auto tid = target_.resolve(*id, target_.current_thread());
        if (!tid) {
            return "E01";
        }
        if (args[0] == 'g') {
            (void)target_.select_process(target_.pid());
        }
        (args[0] == 'g' ? general_ : continue_) = *tid;
        return "OK";
    }

    std::string thread_alive(std::string_view args) {
        const auto id = rsp::parse_thread_id(args);
        if (!id || target_.exited() || id->tid <= 0 || !target_.resolve(*id, 0)) {
            return "E01";
        }
        return "OK";
    }

    // --- running -----------------------------------------------------------------------

    std::string legacy_resume(char action, std::string_view args) {
        if (target_.exited()) {
            return exit_reply_;
        }
        Resume r;
        const pid_t tid = continue_ != 0 ? continue_ : target_.current_thread();
        if (action == 'C' || action == 'S') {
            const auto sig = rsp::parse_hex(args.substr(0, args.find(';')));
            if (!sig || *sig > 255) {
                return "E01";
            }
            r.deliver[tid] = linux_signal(static_cast<int>(*sig));
        }
        r.step = action == 's' || action == 'S';
        r.step_tid = tid;
        return run_program(r);
    }

    std::string v_cont(std::string_view args) {
        if (target_.exited()) {
            return exit_reply_;
        }
        const auto actions = rsp::parse_vcont(args);
        if (!actions) {
            return "E01";
        }
        Resume r;
        const pid_t current = target_.current_thread();
        bool others = false;       // an action for every thread (`c`, `c:p<pid>.-1`)
        bool others_run = false;   // that action continues them
        std::set<pid_t> continued; // the threads named with c or C
        for (const auto& a : *actions) {
            std::optional<pid_t> tid = current;
            const bool all = !a.thread || a.thread->tid == -1;
            others = others || all;
            others_run = others_run || (all && (a.action == 'c' || a.action == 'C'));
            if (!all) {
                tid = target_.resolve(*a.thread, current);
                if (!tid) {
                    return "E01";
                }
                if (a.action == 'c' || a.action == 'C') {
                    continued.insert(*tid);
                }
            }
            if ((a.action == 's' || a.action == 'S' || a.action == 'r') && !r.step) {
                r.step = true;
                r.step_tid = *tid;
                if (a.action == 'r') {
                    r.range = std::pair(a.range_start, a.range_end);
                }
            }
            if ((a.action == 'C' || a.action == 'S') && !r.deliver.contains(*tid)) {
                r.deliver[*tid] = linux_signal(a.signal);
            }
        }
        if (!r.step && !others && continued.size() == 1) {
            r.alone = *continued.begin(); // the threads not named stay stopped
        }
        if (r.step && others_run) {
            r.others = dbg::OtherThreads::Run; // they run while it steps, as with GNU gdbserver
        }
        r.report_no_resumed = no_resumed_;
        return run_program(r);
    }

    std::string run_program(Resume r) {
        for (;;) {
            auto stop = target_.resume(r);
            r.deliver.clear(); // given once; a resume after a spurious wake-up gives none
            if (!stop) {
                std::fprintf(stderr, "gdbserver: %s\n", stop.error().message.c_str());
                return "E01";
            }
            if (stop->reason == dbg::StopReason::Interrupted) {
                // Why the connection became readable: a ^C, more bytes, or its end.
                if (!conn_.fill_available()) {
                    lost_ = true;
                    return "";
                }
                // In all-stop mode gdb sends nothing else while the program runs but acks;
                // anything else read here is dropped.
                bool interrupt = false;
                while (auto item = conn_.buffered()) {
                    interrupt = interrupt || item->kind == rsp::InputKind::Interrupt;
                }
                if (!interrupt) {
                    continue; // nothing for us: go on running
                }
            }
            if (stop->reason == dbg::StopReason::Exited) {
                exit_reply_ = target_.stop_reply(*stop);
                return exit_reply_;
            }
            if (stop->reason == dbg::StopReason::ThreadExited) {
                return "N"; // the threads resumed are gone; the others stay stopped
            }
            general_ = stop->tid;
            continue_ = 0;
            (void)target_.select_process(target_.pid());
            return target_.stop_reply(*stop);
        }
    }

    void kill() {
        target_.release_forks(true);
        if (!target_.exited()) {
            (void)target_.inferior().kill();
        }
    }

    /// `D` or `D;<pid>`: a held forked child is let go and serving goes on; our process ends
    /// the session (with any child still held), unless gdb follows a held child (below).
    std::string detach(std::string_view args) {
        if (args.starts_with(";")) {
            const auto process = rsp::parse_hex(args.substr(1));
            if (!process) {
                return "E01";
            }
            const auto child = static_cast<pid_t>(*process);
            if (target_.holds_fork(child)) {
                std::fprintf(stderr, "Detaching from process %d\n", child);
                return target_.release_fork(child, false) ? "OK" : "E01";
            }
            if (child != target_.pid()) {
                return "E01";
            }
            if (const auto followed = followed_child()) {
                // follow-fork-mode child: gdb detaches the parent at the fork stop and goes
                // on with the child, which is served from now on.
                std::fprintf(stderr, "Detaching from process %d\n", target_.pid());
                if (auto r = target_.follow_fork(*followed); !r) {
                    std::fprintf(stderr, "gdbserver: %s\n", r.error().message.c_str());
                }
                general_ = *followed;
                continue_ = 0;
                return "OK";
            }
        }
        if (target_.exited()) {
            return "E01";
        }
        target_.release_forks(false);
        std::fprintf(stderr, "Detaching from process %d\n", target_.pid());
        auto r = target_.inferior().detach();
        done_ = !extended_;
        if (extended_) {
            // Serving goes on, for a `run` or an `attach`, with no process meanwhile: as a
            // `--multi` server before its first run.
            target_.forget_process();
            exit_reply_ = "W00";
        }
        return r ? "OK" : "E01";
    }

    /// The held forked child gdb goes on with when it detaches our process: the one reported
    /// by the last stop, when that was a fork (gdb detaches the parent right there).
    [[nodiscard]] std::optional<pid_t> followed_child() const {
        const dbg::Stop& last = target_.last_stop();
        if (last.reason == dbg::StopReason::Fork && target_.holds_fork(last.child)) {
            return last.child;
        }
        return std::nullopt;
    }

    int disconnected() {
        const bool attached = target_.attached();
        target_.release_forks(!attached);
        if (!target_.exited()) {
            if (attached) {
                (void)target_.inferior().detach();
            } else {
                (void)target_.inferior().kill();
            }
        }
        return 0;
    }

    // --- queries -----------------------------------------------------------------------

    std::string query(const std::string& p) {
        const std::string_view q(p);
        if (q.starts_with("qSupported")) {
            // Fork and exec events when gdb takes them (vfork events are not offered: the
            // debugger kit lets a vfork child go, with the breakpoints out of its memory).
            std::string forks;
            if (q.starts_with("qSupported:") && feature_offered(q.substr(11), "fork-events+")) {
                target_.report_forks();
                forks = ";fork-events+";
            }
            if (q.starts_with("qSupported:") && feature_offered(q.substr(11), "exec-events+") &&
                target_.report_execs()) {
                forks += ";exec-events+";
            }
            // gdb takes `N` (no thread resumed is left) as GNU gdbserver gives it.
            no_resumed_ =
                q.starts_with("qSupported:") && feature_offered(q.substr(11), "no-resumed+");
            return "PacketSize=" + rsp::hex_number(packet_size) +
                   ";QPassSignals+;QProgramSignals+;qXfer:auxv:read+;qXfer:features:read+;"
                   "qXfer:exec-file:read+;qXfer:libraries-svr4:read+;augmented-libraries-svr4-read+"
                   ";"
                   "qXfer:threads:read+;qXfer:siginfo:read+;qXfer:siginfo:write+;"
                   "QStartNoAckMode+;multiprocess+;"
                   "swbreak+;vContSupported+;QCatchSyscalls+;QDisableRandomization+;"
                   "QEnvironmentHexEncoded+;QEnvironmentUnset+;QEnvironmentReset+;"
                   "QSetWorkingDir+" +
                   forks;
        }
        if (q == "QStartNoAckMode") {
            return "OK";
        }
        if (q.starts_with("QPassSignals:")) {
            std::vector<int> numbers;
            for (const auto item : rsp::split(q.substr(13), ';')) {
                if (item.empty()) {
                    continue;
                }
                const auto n = rsp::parse_hex(item);
                if (!n || *n > 255) {
                    return "E01";
                }
                numbers.push_back(static_cast<int>(*n));
            }
            target_.pass_signals(numbers);
            return "OK";
        }
        if (q.starts_with("QCatchSyscalls:")) {
            // `QCatchSyscalls:0` stops catching; `QCatchSyscalls:1` catches every syscall,
            // `QCatchSyscalls:1;NR;...` those numbers (hex).
            const auto items = rsp::split(q.substr(15), ';');
            if (items.empty() || (items[0] != "0" && items[0] != "1") ||
                (items[0] == "0" && items.size() > 1)) {
                return "E01";
            }
            std::optional<ptrace_api::SyscallSet> set;
            if (items[0] == "1") {
                set.emplace();
                for (std::size_t i = 1; i < items.size(); ++i) {
                    const auto n = rsp::parse_hex(items[i]);
                    if (!n || !set->insert(*n)) {
                        return "E01"; // not a number, or beyond the syscall table's 512
                    }
                }
            }
            return target_.catch_syscalls(set) ? "OK" : "E01";
        }
        if (q.starts_with("QProgramSignals:")) {
            return "OK";
        }
        // What extended mode's next `run` (vRun) starts the program with.
        if (q == "QDisableRandomization:0" || q == "QDisableRandomization:1") {
            no_aslr_ = q.back() == '1';
            return "OK";
        }
        if (q.starts_with("QEnvironmentHexEncoded:") || q.starts_with("QEnvironmentUnset:")) {
            const bool set = q.starts_with("QEnvironmentHexEncoded:");
            const auto text = hex_text(q.substr(q.find(':') + 1));
            const std::size_t eq = text ? text->find('=') : std::string::npos;
            if (!text || text->empty() || (set && (eq == std::string::npos || eq == 0))) {
                return "E01";
            }
            const std::string name = set ? text->substr(0, eq) : *text;
            if (set) {
                environment_[name] = text->substr(eq + 1);
            } else {
                environment_[name] = std::nullopt;
            }
            return "OK";
        }
        if (q == "QEnvironmentReset") {
            environment_.clear();
            return "OK";
        }
        if (q.starts_with("QSetWorkingDir:")) {
            const auto dir = hex_text(q.substr(15));
            if (!dir) {
                return "E01";
            }
            cwd_ = dir->empty() ? std::nullopt : std::optional<std::string>(*dir);
            return "OK";
        }
        if (q == "QNonStop:0") {
            return "OK";
        }
        if (q == "qC") {
            return target_.exited() ? "E01" : "QC" + target_.thread_id(target_.current_thread());
        }
        if (q == "qfThreadInfo") {
            if (target_.exited()) {
                return "l";
            }
            std::string out = "m";
            for (const pid_t tid : target_.inferior().threads()) {
                out += (out.size() > 1 ? "," : "") + target_.thread_id(tid);
            }
            return out;
        }
        if (q == "qsThreadInfo") {
            return "l";
        }
        if (q.starts_with("qAttached")) {
            return target_.attached() ? "1" : "0";
        }
        if (q.starts_with("qSymbol:")) {
            return "OK";
        }
        if (q.starts_with("qXfer:")) {
            return xfer(q);
        }
        if (q.starts_with("qCRC:")) {
            return crc(q.substr(5));
        }
        if (q.starts_with("qGetTLSAddr:")) {
            return tls_address(q.substr(12));
        }
        return "";
    }

    /// `qGetTLSAddr:THREAD,OFFSET,LM` (gdb printing a thread-local variable, such as errno):
    /// its address in that thread, in hex; E01 when it has none, GNU gdbserver's E reply (gdb
    /// says "Remote target failed to process qGetTLSAddr request"), the reason on stderr.
    std::string tls_address(std::string_view args) {
        const auto fields = rsp::split(args, ',');
        if (fields.size() != 3 || target_.exited()) {
            return "E01";
        }
        const auto id = rsp::parse_thread_id(fields[0]);
        const auto offset = rsp::parse_hex(fields[1]);
        const auto lm = rsp::parse_hex(fields[2]);
        const auto tid = id ? target_.resolve(*id, target_.current_thread()) : std::nullopt;
        if (!tid || !offset || !lm) {
            return "E01";
        }
        auto address = target_.tls_address(*tid, *offset, *lm);
        if (!address) {
            std::fprintf(stderr, "gdbserver: %s\n", address.error().message.c_str());
            return "E01";
        }
        return rsp::hex_number(*address);
    }

    /// `qCRC:ADDR,LENGTH` (compare-sections): `C` and the CRC of that memory as gdb computes
    /// it (rsp::crc32), the original bytes under breakpoints; E01 when any of it cannot be
    /// read, as GNU gdbserver answers (gdb then says "target memory fault").
    std::string crc(std::string_view args) {
        const auto al = rsp::parse_address_length(args);
        if (!al || target_.exited()) {
            return "E01";
        }
        constexpr std::uint64_t chunk = 1U << 20U; // read 1 MiB at a time
        std::uint32_t value = 0xffffffffU;
        for (std::uint64_t done = 0; done < al->length;) {
            const std::uint64_t size = std::min(chunk, al->length - done);
            auto bytes = target_.read_memory(al->address + done, static_cast<std::size_t>(size));
            if (!bytes) {
                return "E01";
            }
            value = rsp::crc32(
                std::span(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()),
                value);
            done += size;
        }
        std::string out = rsp::hex_number(value);
        return "C" + std::string(8 - std::min<std::size_t>(out.size(), 8), '0') + out;
    }

    /// Whether gdb's qSupported list (`multiprocess+;fork-events+;...`) holds `feature`.
    static bool feature_offered(std::string_view list, std::string_view feature) {
        for (const auto item : rsp::split(list, ';')) {
            if (item == feature) {
                return true;
            }
        }
        return false;
    }

    std::string xfer(std::string_view q) {
        if (q.find(":write:") != std::string_view::npos) {
            return xfer_write(q);
        }
        const auto x = rsp::parse_xfer_read(q);
        if (!x) {
            return q.find(":read:") == std::string_view::npos ? "" : "E01";
        }
        std::string document;
        if (x->object == "features") {
            if (x->annex != "target.xml") {
                return "E01";
            }
            document = target_xml(target_.vectors());
        } else if (x->object == "auxv" && x->annex.empty()) {
            if (!file_text("/proc/" + std::to_string(target_.pid()) + "/auxv", document)) {
                return "E01";
            }
        } else if (x->object == "exec-file") {
            std::string pid = std::to_string(target_.pid());
            if (!x->annex.empty()) {
                const auto n = rsp::parse_hex(x->annex);
                if (!n) {
                    return "E01";
                }
                pid = std::to_string(*n);
            }
            std::string path(4096, '\0');
            const ssize_t n =
                ::readlink(("/proc/" + pid + "/exe").c_str(), path.data(), path.size());
            if (n < 0) {
                return "E01";
            }
            path.resize(static_cast<std::size_t>(n));
            document = path;
        } else if (x->object == "libraries-svr4") {
            if (target_.exited()) {
                return "E01";
            }
            auto list = libraries_svr4(target_, x->annex);
            if (!list) {
                return "E01"; // no dynamic section or no DT_DEBUG: gdb reads memory itself
            }
            document = std::move(*list);
        } else if (x->object == "siginfo" && x->annex.empty()) {
            // gdb's $_siginfo and a core's NT_SIGINFO: the 128 bytes of Linux's x86_64
            // siginfo_t, gdb's own layout for this target, at a signal, a breakpoint or a step
            // (decision 27), the SIGSTOP record of a thread the kit stopped, and the SIGINT
            // record of an interrupt (as GNU gdbserver gives them: Target::signal_info).
            if (target_.exited() || child_selected()) {
                return "E01";
            }
            const auto info = target_.signal_info(general_thread());
            if (!info) {
                return "E01";
            }
            document.assign(reinterpret_cast<const char*>(info->bytes.data()), info->bytes.size());
        } else if (x->object == "threads" && x->annex.empty()) {
            document = target_.exited() ? "<threads>\n</threads>\n" : target_.threads_xml();
        } else {
            return "";
        }
        return rsp::xfer_reply(document, x->offset, x->length);
    }

    /// qXfer:siginfo:write (the only object written): bytes of the 128-byte siginfo of the
    /// general thread's signal, replaced in the record it has now; gdb writes back the whole
    /// record it saved before running a function in the thread (`call`, `print f()`), and the
    /// thread then goes on with that signal and record (decision 27). The reply is the number
    /// of bytes written.
    std::string xfer_write(std::string_view q) {
        const auto x = rsp::parse_xfer_write(q);
        if (!x) {
            return "E01";
        }
        if (x->object != "siginfo" || !x->annex.empty()) {
            return "";
        }
        if (target_.exited() || child_selected()) {
            return "E01";
        }
        const auto written =
            target_.set_signal_info(general_thread(), static_cast<std::size_t>(x->offset),
                                    std::as_bytes(std::span(x->data.data(), x->data.size())));
        if (!written) {
            return "E01";
        }
        return rsp::hex_number(x->data.size());
    }

    static bool file_text(const std::string& path, std::string& out) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            return false;
        }
        out.clear();
        char buf[4096];
        ssize_t n = 0;
        while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
            if (n > 0) {
                out.append(buf, static_cast<std::size_t>(n));
            }
        }
        (void)::close(fd);
        return n == 0;
    }

    std::optional<std::string> v_packet(const std::string& p) {
        const std::string_view v(p);
        if (v == "vCont?") {
            return "vCont;c;C;s;S;t;r";
        }
        if (v.starts_with("vCont;")) {
            return v_cont(v.substr(6));
        }
        if (v.starts_with("vKill;")) {
            // A held forked child (gdb's `kill inferiors`), or our process; no other.
            const auto process = rsp::parse_hex(v.substr(6));
            if (process && target_.holds_fork(static_cast<pid_t>(*process))) {
                return target_.release_fork(static_cast<pid_t>(*process), true) ? "OK" : "E01";
            }
            if (!process || static_cast<pid_t>(*process) != target_.pid()) {
                return "E01";
            }
            kill();
            return "OK";
        }
        if (v == "vKill") {
            kill();
            return "OK";
        }
        if (v.starts_with("vFile:")) {
            return files_.handle(v);
        }
        if (v.starts_with("vRun;") && extended_) {
            return v_run(v.substr(5));
        }
        if (v.starts_with("vAttach;") && extended_) {
            return v_attach(v.substr(8));
        }
        return ""; // vMustReplyEmpty and the unknown ones
    }

    // --- extended mode -------------------------------------------------------------------

    /// `vRun;PROGRAM;ARG;...` (hex each; an empty PROGRAM is the command line's): starts the
    /// program as the command line's was (stopped at its first instruction, with the
    /// environment, working directory and address randomisation gdb set), without a shell,
    /// and serves it from now on. The reply is its stop, as for `?`.
    std::string v_run(std::string_view args) {
        const auto fields = rsp::split(args, ';');
        ptrace_api::Command command;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            const auto text = hex_text(fields[i]);
            if (!text) {
                return "E01";
            }
            if (i == 0) {
                command.program = text->empty() ? launch_.program : *text;
            } else {
                command.args.push_back(*text);
            }
        }
        if (command.program.empty() || !target_.exited()) {
            return "E01"; // no program named, or one is still served (gdb kills it first)
        }
        command.no_aslr = no_aslr_;
        command.cwd = cwd_;
        if (!environment_.empty()) {
            command.env = environment();
        }
        auto inferior = dbg::Inferior::launch(command);
        if (!inferior) {
            std::fprintf(stderr, "gdbserver: %s\n", inferior.error().message.c_str());
            return "E01";
        }
        std::fprintf(stderr, "Process %s created; pid = %d\n", command.program.c_str(),
                     inferior->pid());
        serve(std::move(*inferior));
        return target_.stop_reply(target_.last_stop());
    }

    /// `vAttach;PID`: attaches to a running process (every thread stopped) and serves it.
    std::string v_attach(std::string_view args) {
        const auto pid = rsp::parse_hex(args);
        if (!pid || *pid == 0 || *pid > 0x3fffffff || !target_.exited()) {
            return "E01";
        }
        auto inferior =
            dbg::Inferior::attach(static_cast<pid_t>(*pid), ptrace_api::AttachAccess::LinuxChecks);
        if (!inferior) {
            std::fprintf(stderr, "gdbserver: %s\n", inferior.error().message.c_str());
            return "E01";
        }
        std::fprintf(stderr, "Attached; pid = %d\n", inferior->pid());
        serve(std::move(*inferior));
        return target_.stop_reply(target_.last_stop());
    }

    /// Serves `inferior` in place of the process that is gone.
    void serve(dbg::Inferior inferior) {
        target_.restart(std::move(inferior));
        target_.inferior().set_interrupt_fd(conn_.input_fd());
        general_ = target_.pid();
        continue_ = 0;
        exit_reply_ = "E01";
    }

    /// This process's environment with gdb's changes (QEnvironmentHexEncoded, Unset).
    [[nodiscard]] std::vector<std::string> environment() const {
        std::map<std::string, std::string> merged;
        for (char** e = environ; *e != nullptr; ++e) {
            const std::string entry(*e);
            const std::size_t eq = entry.find('=');
            if (eq != std::string::npos) {
                merged.emplace(entry.substr(0, eq), entry.substr(eq + 1));
            }
        }
        for (const auto& [name, value] : environment_) {
            if (value) {
                merged[name] = *value;
            } else {
                merged.erase(name);
            }
        }
        std::vector<std::string> out;
        out.reserve(merged.size());
        for (const auto& [name, value] : merged) {
            out.push_back(name + "=" + value);
        }
        return out;
    }

    /// Hex-encoded text (vRun's fields, QEnvironment*'s, QSetWorkingDir's).
    static std::optional<std::string> hex_text(std::string_view hex) {
        const auto bytes = rsp::from_hex(hex);
        if (!bytes) {
            return std::nullopt;
        }
        return std::string(bytes->begin(), bytes->end());
    }

    Connection& conn_;
    Target& target_;
    HostFiles files_;
    pid_t general_ = 0;  ///< Hg: the thread of g, G, p, P
    pid_t continue_ = 0; ///< Hc: the thread of c, s (0: the current one)
    std::string exit_reply_ = "E01";
    bool no_resumed_ = false; ///< gdb offered no-resumed+ (it takes the `N` stop reply)
    bool done_ = false;       ///< detached or killed: stop serving
    bool lost_ = false;       ///< the connection closed while the program ran
    bool extended_ = false;   ///< `!` (target extended-remote): serving outlasts a process
    Launch launch_;
    bool no_aslr_ = true;            ///< QDisableRandomization, for vRun
    std::optional<std::string> cwd_; ///< QSetWorkingDir, for vRun
    std::map<std::string, std::optional<std::string>> environment_; ///< set, or unset (none)
};

} // namespace gdbserver
