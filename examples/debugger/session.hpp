// SPDX-License-Identifier: MIT
// The debugger example's state and its commands: one Session owns the program being debugged
// (an Inferior of the debugger kit), its symbols (a SymbolTable), the user's numbered
// breakpoints and the current thread, and carries out one parsed Command at a time. Every
// command is a few calls into the kit; examples/debugger/README.md maps each one.
#pragma once

#include <ptrace/debugger/inferior.hpp>
#include <ptrace/debugger/maps.hpp>
#include <ptrace/debugger/symbols.hpp>
#include <ptrace/spawn.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

#include "backtrace.hpp"
#include "command.hpp"
#include "format.hpp"

namespace debugger_example {

/// A breakpoint as the user sees it: a number, where it was asked for, and where it is in the
/// current process. The kit's Breakpoints table knows breakpoints by address only; the
/// numbers, the location text and "temporary" are this debugger's.
struct UserBreakpoint {
    std::uint64_t number = 0;
    std::string location; ///< as typed: "add_one", "*0x401136"
    Expression where;     ///< parsed
    bool temporary = false;
    bool enabled = true;
    /// Where it is set in the current process; nothing while it is pending (set after the
    /// program ended: it is set when `run` starts the program again).
    std::optional<std::uint64_t> address;
};

class Session {
public:
    /// A session for `program` that writes everything to `out`.
    Session(ptrace_api::Command program, std::ostream& out)
        : program_(std::move(program)), out_(out) {}

    /// Starts the program (stopped at its entry point). False when it could not be started.
    bool start() { return launch(); }

    /// Carries out one command. \returns false when the session is over (quit).
    bool execute(const Command& c) {
        switch (c.verb) {
        case Verb::Break:
        case Verb::TBreak:
            add_breakpoint(c);
            return true;
        case Verb::Delete:
            delete_breakpoints(c.number);
            return true;
        case Verb::Disable:
        case Verb::Enable:
            enable_breakpoint(*c.number, c.verb == Verb::Enable);
            return true;
        case Verb::InfoBreakpoints:
            info_breakpoints();
            return true;
        case Verb::Run:
            run();
            return true;
        case Verb::Continue:
            if (require_live()) {
                started_ = true;
                report(inferior_->cont());
            }
            return true;
        case Verb::StepInstruction:
        case Verb::Next:
            step(c.verb, c.number.value_or(1));
            return true;
        case Verb::Finish:
            finish();
            return true;
        case Verb::Registers:
            if (require_live()) {
                if (auto regs = inferior_->registers(current_)) {
                    out_ << registers_text(*regs, symbols());
                } else {
                    error(regs.error());
                }
            }
            return true;
        case Verb::Examine:
            examine(c);
            return true;
        case Verb::Print:
            print(c.expression);
            return true;
        case Verb::Backtrace:
            backtrace(c.number.value_or(64));
            return true;
        case Verb::Threads:
            list_threads();
            return true;
        case Verb::Thread:
            switch_thread(*c.number);
            return true;
        case Verb::Maps:
            maps();
            return true;
        case Verb::SharedLibraries:
            shared_libraries();
            return true;
        case Verb::Kill:
            if (require_live()) {
                kill();
            }
            return true;
        case Verb::Quit:
            end();
            return false;
        case Verb::Help:
            out_ << help_text(c.topic);
            return true;
        }
        return true;
    }

    /// The end of the session (quit, or the end of the input): a program still there is
    /// killed, so nothing is left behind.
    void end() {
        if (live()) {
            kill();
        }
    }

private:
    // ---- The process ----

    /// A process exists and has not ended.
    [[nodiscard]] bool live() const { return inferior_ && !inferior_->exited(); }

    [[nodiscard]] const dbg::SymbolTable* symbols() const {
        return symbols_ ? &*symbols_ : nullptr;
    }

    void error(const std::string& message) { out_ << "error: " << message << "\n"; }
    void error(const dbg::DebugError& e) { error(e.describe()); }

    /// Says why a command needs a process when there is none. \returns live().
    bool require_live() {
        if (live()) {
            return true;
        }
        error("the program is not running (" +
              (ended_.empty() ? std::string("never started") : ended_) +
              "); `run` starts it again");
        return false;
    }

    /// Starts the program traced (Inferior::launch stops it at its very first instruction,
    /// in the dynamic linker), runs it to the program's entry point so that the dynamic linker
    /// has loaded its libraries, reads the symbols, and sets the breakpoints.
    bool launch() {
        inferior_.reset();
        symbols_.reset();
        thread_numbers_.clear();
        next_thread_number_ = 1;
        started_ = false;
        auto launched = dbg::Inferior::launch(program_);
        if (!launched) {
            error(launched.error());
            return false;
        }
        inferior_.emplace(std::move(*launched));
        const pid_t pid = inferior_->pid();
        current_ = pid;
        sync_threads();
        if (!load_symbols()) {
            return false;
        }
        // The entry point of the main program (ELF e_entry plus the load bias of a PIE).
        std::optional<std::uint64_t> entry;
        for (const dbg::LoadedObject& o : symbols_->objects()) {
            if (o.is_main_program()) {
                entry = o.elf().entry() + o.bias();
            }
        }
        auto regs = inferior_->registers(pid);
        if (!regs) {
            error(regs.error());
            return false;
        }
        if (entry && *entry != regs->rip) {
            // A breakpoint of the kit's table, removed at once: never one of the user's.
            if (auto set = inferior_->breakpoints().set(*entry, symbols_->map()); !set) {
                error(set.error());
                return false;
            }
            auto stop = inferior_->cont();
            (void)inferior_->breakpoints().remove(*entry);
            if (!stop || stop->reason != dbg::StopReason::Breakpoint || stop->address != *entry) {
                out_ << "The program stopped before its entry point:\n";
                report(std::move(stop));
                return live();
            }
            if (!load_symbols()) {
                return false;
            }
        }
        out_ << "Process " << pid << " started: " << program_.program << ", stopped at "
             << (entry ? symbol_name(symbols(), *entry).value_or(hex(*entry)) : hex(regs->rip))
             << " (its entry point; " << symbols_->objects().size() << " objects loaded)\n";
        for (UserBreakpoint& b : breakpoints_) {
            b.address.reset();
            if (auto address = resolve(b.where)) {
                if (auto r = place(b, *address); !r) {
                    out_ << "warning: breakpoint " << b.number << " (" << b.location
                         << ") stays pending: " << r.error().describe() << "\n";
                }
            } else {
                out_ << "warning: breakpoint " << b.number << " (" << b.location
                     << ") stays pending: " << address.error().describe() << "\n";
            }
        }
        return true;
    }

    /// Reads the symbols of every object mapped in the process (program, libraries, vDSO).
    bool load_symbols() {
        auto table = dbg::SymbolTable::load(inferior_->pid(), inferior_->breakpoints().memory());
        if (!table) {
            error(table.error());
            return false;
        }
        symbols_.emplace(std::move(*table));
        return true;
    }

    /// Reads the symbols again when the set of mapped files changed (dlopen, dlclose).
    void refresh_symbols() {
        if (!live()) {
            return;
        }
        auto map = dbg::read_maps(inferior_->pid());
        if (!map) {
            return;
        }
        const auto files = [](const dbg::MemoryMap& m) {
            std::vector<std::string> paths;
            for (const dbg::MapEntry& e : m.entries()) {
                if (e.kind() == dbg::MapKind::File) {
                    paths.push_back(e.path);
                }
            }
            std::sort(paths.begin(), paths.end());
            paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
            return paths;
        };
        if (!symbols_ || files(*map) != files(symbols_->map())) {
            (void)load_symbols();
        }
    }

    /// `run`: the program is started (at its entry point) when it is not there already, then
    /// resumed.
    void run() {
        if (live() && started_) {
            error("the program is already running (process " + std::to_string(inferior_->pid()) +
                  "): `continue` it, or `kill` it first");
            return;
        }
        if (!live() && !launch()) {
            return;
        }
        if (live()) {
            started_ = true;
            report(inferior_->cont());
        }
    }

    void kill() {
        const pid_t pid = inferior_->pid();
        auto status = inferior_->kill();
        if (!status) {
            error(status.error());
            return;
        }
        ended_ = "it was killed";
        out_ << "[Inferior 1 (process " << pid << ") killed]\n";
    }

    // ---- Stops ----

    /// Shows a stop (or the error of the operation that was to end in one), and makes its
    /// thread the current one.
    void report(dbg::DebugResult<dbg::Stop> result) {
        if (!result) {
            error(result.error());
            if (inferior_ && inferior_->exited()) {
                ended_ = "it ended";
            }
            return;
        }
        const dbg::Stop& stop = *result;
        if (stop.reason == dbg::StopReason::Exited) {
            ended_ = exit_reason(stop.status);
            out_ << ended_text(inferior_->pid(), stop.status) << "\n";
            return;
        }
        if (stop.reason == dbg::StopReason::ThreadExited) {
            if (inferior_->threads().empty()) {
                // The last thread stepped out of existence (exit_group): the process has ended,
                // and cont() with no thread left reaps it and says how.
                report(inferior_->cont());
                return;
            }
            out_ << "[" << thread_label(stop.tid) << " exited]\n";
            sync_threads(); // forgets it, and picks another current thread
            return;
        }
        sync_threads();
        refresh_symbols();
        current_ = stop.tid;
        // "Thread 2 (LWP 1236) hit " when the program has several threads, as gdb.
        const std::string who =
            thread_numbers_.size() > 1 ? thread_label(stop.tid) + " hit " : std::string();
        switch (stop.reason) {
        case dbg::StopReason::Breakpoint: {
            UserBreakpoint* b = breakpoint_at(stop.address);
            if (b == nullptr) {
                out_ << who << "Breakpoint, " << where(symbols(), stop.rip) << "\n";
                break;
            }
            out_ << who << (b->temporary ? "Temporary breakpoint " : "Breakpoint ") << b->number
                 << ", " << where(symbols(), stop.rip) << "\n";
            if (b->temporary) {
                remove_breakpoint(b->number);
            }
            break;
        }
        case dbg::StopReason::ForeignBreakpoint:
            out_ << who << "The program's own int3 at " << hex(stop.address)
                 << angle(symbols(), stop.address)
                 << " (SIGTRAP), stopped after it: " << where(symbols(), stop.rip) << "\n";
            break;
        default:
            out_ << where(symbols(), stop.rip) << "\n";
            break;
        }
    }

    /// stepi N and next N: one step at a time; a stop of another kind (a breakpoint hit during
    /// a next, the end of the process) ends the series and is shown.
    void step(Verb verb, std::uint64_t count) {
        if (!require_live()) {
            return;
        }
        started_ = true;
        for (std::uint64_t i = 0; i < count; ++i) {
            auto stop = verb == Verb::Next ? inferior_->step_over(current_)
                                           : inferior_->step_instruction(current_);
            const bool plain =
                stop && stop->reason == dbg::StopReason::Step && stop->tid == current_;
            if (!plain || i + 1 == count) {
                report(std::move(stop));
                return;
            }
        }
    }

    /// finish: run until the current function returns (Inferior::step_out), then show rax,
    /// where the System V ABI puts an integer or pointer result.
    void finish() {
        if (!require_live()) {
            return;
        }
        auto regs = inferior_->registers(current_);
        if (!regs) {
            error(regs.error());
            return;
        }
        out_ << "Run till exit from #0  " << where(symbols(), regs->rip) << "\n";
        started_ = true;
        auto stop = inferior_->step_out(current_);
        const bool returned = stop && stop->reason == dbg::StopReason::Step;
        const pid_t tid = current_;
        report(std::move(stop));
        if (returned) {
            if (auto after = inferior_->registers(tid)) {
                out_ << "Value returned in rax: " << hex(after->rax) << " ("
                     << static_cast<std::int64_t>(after->rax) << ")\n";
            }
        }
    }

    // ---- Breakpoints ----

    /// The address an expression names: a number, a register of the current thread, or a
    /// symbol's address; plus the offset.
    dbg::DebugResult<std::uint64_t> resolve(const Expression& e) {
        std::uint64_t base = 0;
        switch (e.kind) {
        case Expression::Kind::Number:
            base = e.number;
            break;
        case Expression::Kind::Register: {
            if (!live()) {
                return dbg::debug_error(std::errc::no_such_process,
                                        "$" + e.name + ": the program is not running");
            }
            auto regs = inferior_->registers(current_);
            if (!regs) {
                return regs.error();
            }
            base = register_value(*regs, e.name);
            break;
        }
        case Expression::Kind::Symbol: {
            const dbg::Symbol* s = symbols_ ? symbols_->find(e.name) : nullptr;
            if (s == nullptr) {
                return dbg::debug_error(std::errc::no_such_file_or_directory,
                                        "no symbol '" + e.name +
                                            "' in the program or its libraries");
            }
            base = s->address;
            break;
        }
        }
        return base + static_cast<std::uint64_t>(e.offset);
    }

    /// Sets `b` at `address` in the process (the kit checks that the address is mapped and
    /// executable), disabled if the user disabled it.
    dbg::DebugResult<void> place(UserBreakpoint& b, std::uint64_t address) {
        if (const UserBreakpoint* other = breakpoint_at(address)) {
            return dbg::debug_error(std::errc::file_exists,
                                    "breakpoint " + std::to_string(other->number) + " is at " +
                                        hex(address) + " already");
        }
        auto set = inferior_->breakpoints().set(address, symbols_->map());
        if (!set) {
            return set.error();
        }
        b.address = address;
        if (!b.enabled) {
            return inferior_->breakpoints().disable(address);
        }
        return {};
    }

    void add_breakpoint(const Command& c) {
        UserBreakpoint b;
        b.number = next_breakpoint_number_;
        b.location = c.location;
        b.where = c.expression;
        b.temporary = c.verb == Verb::TBreak;
        const char* kind = b.temporary ? "Temporary breakpoint " : "Breakpoint ";
        // A named function must be a function: a data symbol is no place for an int3.
        if (c.expression.kind == Expression::Kind::Symbol && c.location.front() != '*' &&
            symbols_) {
            const dbg::Symbol* s = symbols_->find(c.expression.name);
            if (s != nullptr && !s->is_function()) {
                error("break " + c.location + ": '" + c.expression.name +
                      "' is data, not a function (x/s or print show it)");
                return;
            }
        }
        auto address = resolve(c.expression);
        if (!address) {
            error(address.error());
            return;
        }
        if (live()) {
            if (auto r = place(b, *address); !r) {
                error(r.error());
                return;
            }
            out_ << kind << b.number << " at " << hex(*address) << angle(symbols(), *address)
                 << "\n";
        } else {
            out_ << kind << b.number << " (" << b.location
                 << ") pending: it is set when `run` starts the program\n";
        }
        ++next_breakpoint_number_;
        breakpoints_.push_back(std::move(b));
    }

    UserBreakpoint* breakpoint_at(std::uint64_t address) {
        for (UserBreakpoint& b : breakpoints_) {
            if (b.address == address) {
                return &b;
            }
        }
        return nullptr;
    }

    UserBreakpoint* breakpoint_numbered(std::uint64_t number) {
        for (UserBreakpoint& b : breakpoints_) {
            if (b.number == number) {
                return &b;
            }
        }
        error("no breakpoint number " + std::to_string(number) + " (info breakpoints lists them)");
        return nullptr;
    }

    /// Takes breakpoint `number` out of the process and of the list.
    void remove_breakpoint(std::uint64_t number) {
        const auto it = std::find_if(breakpoints_.begin(), breakpoints_.end(),
                                     [&](const UserBreakpoint& b) { return b.number == number; });
        if (it == breakpoints_.end()) {
            return;
        }
        if (it->address && live()) {
            if (auto r = inferior_->breakpoints().remove(*it->address); !r) {
                error(r.error());
                return;
            }
        }
        breakpoints_.erase(it);
    }

    void delete_breakpoints(std::optional<std::uint64_t> number) {
        if (number) {
            if (breakpoint_numbered(*number) != nullptr) {
                remove_breakpoint(*number);
            }
            return;
        }
        while (!breakpoints_.empty()) {
            const std::size_t before = breakpoints_.size();
            remove_breakpoint(breakpoints_.front().number);
            if (breakpoints_.size() == before) {
                return; // could not remove it: the error is shown
            }
        }
    }

    void enable_breakpoint(std::uint64_t number, bool on) {
        UserBreakpoint* b = breakpoint_numbered(number);
        if (b == nullptr) {
            return;
        }
        if (b->address && live()) {
            auto r = on ? inferior_->breakpoints().enable(*b->address)
                        : inferior_->breakpoints().disable(*b->address);
            if (!r) {
                error(r.error());
                return;
            }
        }
        b->enabled = on;
    }

    void info_breakpoints() {
        if (breakpoints_.empty()) {
            out_ << "No breakpoints.\n";
            return;
        }
        out_ << "Num  Type            Enb  Address             What\n";
        for (const UserBreakpoint& b : breakpoints_) {
            std::string line = std::to_string(b.number);
            line.resize(5, ' ');
            line += b.temporary ? "tbreak" : "breakpoint";
            line.resize(21, ' ');
            line += b.enabled ? "y" : "n";
            line.resize(26, ' ');
            line += b.address ? hex16(*b.address) : std::string("<pending>");
            line.resize(46, ' ');
            line += b.location;
            if (b.address && b.location.front() == '*') {
                line += angle(symbols(), *b.address);
            }
            out_ << line << "\n";
            // The kit counts the hits (and keeps the table until the next run).
            const dbg::Breakpoint* kit =
                b.address && inferior_ ? inferior_->breakpoints().find(*b.address) : nullptr;
            if (kit != nullptr && kit->hits > 0) {
                out_ << "     breakpoint already hit " << kit->hits
                     << (kit->hits == 1 ? " time\n" : " times\n");
            }
        }
    }

    // ---- Looking at the process ----

    void examine(const Command& c) {
        if (!require_live()) {
            return;
        }
        auto address = resolve(c.expression);
        if (!address) {
            error(address.error());
            return;
        }
        const ExamineFormat& f = c.format;
        if (f.format == 's') {
            std::uint64_t at = *address;
            for (unsigned i = 0; i < f.count; ++i) {
                auto text = inferior_->breakpoints().memory().read_c_string(at, 200);
                if (!text) {
                    error("x/s: cannot read a string at " + hex(at) + ": " +
                          text.error().message());
                    return;
                }
                out_ << hex(at) << angle(symbols(), at) << ":\t" << quoted(text->text)
                     << (text->truncated ? "..." : "") << "\n";
                at += text->text.size() + 1;
            }
            return;
        }
        auto bytes = inferior_->breakpoints().read_memory(*address, std::size_t{f.count} * f.size);
        if (!bytes) {
            error("x: " + bytes.error().describe());
            return;
        }
        out_ << examine_text(*address, *bytes, f, symbols());
    }

    void print(const Expression& e) {
        if (e.kind == Expression::Kind::Register && !require_live()) {
            return;
        }
        auto value = resolve(e);
        if (!value) {
            error(value.error());
            return;
        }
        std::string name = e.kind == Expression::Kind::Register ? "$" + e.name
                           : e.kind == Expression::Kind::Symbol ? e.name
                                                                : hex(e.number);
        if (e.offset > 0) {
            name += "+" + std::to_string(e.offset);
        } else if (e.offset < 0) {
            name += std::to_string(e.offset);
        }
        const std::string label = angle(symbols(), *value);
        if (e.kind != Expression::Kind::Number || e.offset != 0) {
            out_ << name << " = ";
        }
        out_ << hex(*value);
        if (e.kind == Expression::Kind::Register && e.name == "eflags") {
            out_ << " " << eflags_text(*value) << "\n";
        } else if (!label.empty()) {
            out_ << label << "\n";
        } else {
            out_ << " (" << static_cast<std::int64_t>(*value) << ")\n";
        }
    }

    /// bt: the frames by frame pointers (backtrace.hpp), read through the breakpoint table
    /// (which shows the original bytes where int3s are).
    void backtrace(std::uint64_t limit) {
        if (!require_live()) {
            return;
        }
        auto regs = inferior_->registers(current_);
        auto map = dbg::read_maps(inferior_->pid());
        if (!regs || !map) {
            error(regs ? map.error() : regs.error());
            return;
        }
        const ReadWord read = [this](std::uint64_t address) -> std::optional<std::uint64_t> {
            std::array<std::byte, 8> raw{};
            if (!inferior_->breakpoints().read_memory(address, raw)) {
                return std::nullopt;
            }
            std::uint64_t v = 0;
            for (std::size_t i = 0; i < 8; ++i) {
                v |= std::uint64_t{std::to_integer<std::uint8_t>(raw[i])} << (8 * i);
            }
            return v;
        };
        const Backtrace bt = walk_frames(*regs, read, *map, symbols(), limit);
        for (std::size_t n = 0; n < bt.frames.size(); ++n) {
            out_ << "#" << n << "  " << hex16(bt.frames[n].pc) << " in " << bt.frames[n].function
                 << "\n";
        }
        if (bt.more) {
            out_ << "(more stack frames follow: bt N shows N frames)\n";
        }
        if (!bt.broken.empty()) {
            out_ << "(no more frames: " << bt.broken << ")\n";
        }
    }

    // ---- Threads ----

    /// Numbers new threads (1 is the main thread, then in the order they are seen, as gdb)
    /// and forgets the ones that exited.
    void sync_threads() {
        if (!live()) {
            return;
        }
        const std::vector<pid_t> tids = inferior_->threads();
        for (auto it = thread_numbers_.begin(); it != thread_numbers_.end();) {
            it = std::find(tids.begin(), tids.end(), it->first) == tids.end()
                     ? thread_numbers_.erase(it)
                     : std::next(it);
        }
        // The main thread (its TID is the PID) first, then the others in threads()'s order:
        // creation order (not by TID, which wraps around at pid_max).
        std::vector<pid_t> order = tids;
        std::stable_partition(order.begin(), order.end(),
                              [&](pid_t t) { return t == inferior_->pid(); });
        for (const pid_t tid : order) {
            if (!thread_numbers_.contains(tid)) {
                thread_numbers_[tid] = next_thread_number_++;
            }
        }
        if (!thread_numbers_.contains(current_) && !thread_numbers_.empty()) {
            // The lowest-numbered thread (the main thread while it lives).
            current_ =
                std::min_element(thread_numbers_.begin(), thread_numbers_.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; })
                    ->first;
        }
    }

    std::string thread_label(pid_t tid) const {
        const auto it = thread_numbers_.find(tid);
        return "Thread " +
               (it == thread_numbers_.end() ? std::string("?") : std::to_string(it->second)) +
               " (LWP " + std::to_string(tid) + ")";
    }

    void list_threads() {
        if (!require_live()) {
            return;
        }
        sync_threads();
        // By number.
        std::vector<std::pair<std::uint64_t, pid_t>> rows;
        for (const auto& [tid, number] : thread_numbers_) {
            rows.emplace_back(number, tid);
        }
        std::sort(rows.begin(), rows.end());
        out_ << rows.size() << (rows.size() == 1 ? " thread\n" : " threads\n");
        for (const auto& [number, tid] : rows) {
            auto regs = inferior_->registers(tid);
            out_ << (tid == current_ ? "* " : "  ") << thread_label(tid) << "  "
                 << (regs ? where(symbols(), regs->rip) : regs.error().describe()) << "\n";
        }
    }

    void switch_thread(std::uint64_t number) {
        if (!require_live()) {
            return;
        }
        sync_threads();
        for (const auto& [tid, n] : thread_numbers_) {
            if (n == number) {
                current_ = tid;
                auto regs = inferior_->registers(tid);
                out_ << "[Switching to " << thread_label(tid) << "] "
                     << (regs ? where(symbols(), regs->rip) : regs.error().describe()) << "\n";
                return;
            }
        }
        error("no thread " + std::to_string(number) + " (threads lists them)");
    }

    // ---- Memory map and objects ----

    void maps() {
        if (!require_live()) {
            return;
        }
        auto map = dbg::read_maps(inferior_->pid());
        if (!map) {
            error(map.error());
            return;
        }
        out_ << map->to_string();
    }

    void shared_libraries() {
        if (!require_live()) {
            return;
        }
        refresh_symbols();
        out_ << "From                To                  Symbols          Object\n";
        for (const dbg::LoadedObject& o : symbols_->objects()) {
            std::string line = hex16(o.start());
            line.resize(20, ' ');
            line += hex16(o.end());
            line.resize(40, ' ');
            line += std::to_string(o.symbols().size()) +
                    (o.source() == dbg::SymbolSource::Symtab ? " .symtab" : " .dynsym");
            line.resize(57, ' ');
            line += o.path();
            if (o.is_main_program()) {
                line += " (the program)";
            }
            out_ << line << "\n";
        }
        for (const dbg::DebugError& e : symbols_->skipped()) {
            out_ << "(not read: " << e.describe() << ")\n";
        }
    }

    ptrace_api::Command program_;
    std::ostream& out_;
    std::optional<dbg::Inferior> inferior_;
    std::optional<dbg::SymbolTable> symbols_;
    bool started_ = false; ///< resumed since it was launched (run or continue)
    std::string ended_;    ///< how the last process ended: "exited normally", ...
    std::vector<UserBreakpoint> breakpoints_;
    std::uint64_t next_breakpoint_number_ = 1;
    std::map<pid_t, std::uint64_t> thread_numbers_; ///< TID -> the number the user sees
    std::uint64_t next_thread_number_ = 1;
    pid_t current_ = 0; ///< the current thread: stepi, regs, bt... act on it
};

} // namespace debugger_example
