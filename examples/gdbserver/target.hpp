// SPDX-License-Identifier: MIT
// The debugged process as the protocol sees it, over the debugger kit's Inferior: thread ids,
// registers in gdb's layout, memory, breakpoints and watchpoints, resuming (vCont), the
// signal numbers of the protocol, the stop replies (T, W, X), and the forked children held
// for gdb when it takes fork events.
#pragma once

#include <ptrace/debugger/inferior.hpp>
#include <ptrace/debugger/link_map.hpp>
#include <ptrace/debugger/maps.hpp>
#include <ptrace/debugger/symbols.hpp>
#include <ptrace/debugger/tls.hpp>
#include <ptrace/debugger/watchpoints.hpp>
#include <ptrace/registers.hpp>
#include <ptrace/syscall_set.hpp>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

#include "regs.hpp"
#include "rsp.hpp"

namespace gdbserver {

namespace dbg = ptrace_api::debugger;

/// gdb's signal numbers (include/gdb/signals.def) are not Linux's: Linux signal `n` is
/// gdb's `linux_to_gdb[n]`. Real-time signals: 32 is gdb's 77, 33-63 are 45-75, 64 is 78.
[[nodiscard]] inline int gdb_signal(int linux_signal) {
    static constexpr std::array<int, 32> table = {
        0,   1,  2,  3,  4,  5,  6,  10, 8,  9,  30, 11, 31, 13, 14, 15,
        143, 20, 19, 17, 18, 21, 22, 16, 24, 25, 26, 27, 28, 23, 32, 12}; // 16: STKFLT, none
    if (linux_signal >= 0 && linux_signal < 32) {
        return table[static_cast<std::size_t>(linux_signal)];
    }
    if (linux_signal == 32) {
        return 77;
    }
    if (linux_signal >= 33 && linux_signal <= 63) {
        return linux_signal + 12;
    }
    return linux_signal == 64 ? 78 : 143; // 143: GDB_SIGNAL_UNKNOWN
}
/// The Linux signal of gdb's number, or 0 when Linux has none.
[[nodiscard]] inline int linux_signal(int gdb) {
    for (int s = 1; s <= 64; ++s) {
        if (gdb_signal(s) == gdb && gdb != 143) {
            return s;
        }
    }
    return 0;
}

/// A resume request taken from vCont (or c, s, C, S).
struct Resume {
    bool step = false;
    pid_t step_tid = 0;
    /// The one thread to continue, the others staying stopped (`vCont;c:TID` alone: gdb's
    /// `set scheduler-locking on`, or `step` while it steps); none: every thread.
    std::optional<pid_t> alone;
    /// `vCont;r START,END:TID` (range stepping): the step goes on while rip is in the range.
    std::optional<std::pair<std::uint64_t, std::uint64_t>> range;
    /// The other threads run while the thread steps (`vCont;s:TID;c`, gdb's default), or stay
    /// stopped (`vCont;s:TID` alone: scheduler locking, or gdb stepping it over a breakpoint).
    dbg::OtherThreads others = dbg::OtherThreads::Stay;
    /// gdb takes `N` (no-resumed+): when every thread resumed is gone (the one continued or
    /// stepped alone has exited) that is reported; else the others are resumed and the
    /// server waits on (the only course with a gdb that does not take `N`).
    bool report_no_resumed = false;
    std::map<pid_t, int> deliver; ///< threads given a signal to go on with (Linux numbers)
};

class Target {
public:
    explicit Target(dbg::Inferior inferior)
        : inferior_(std::in_place, std::move(inferior)), attached_(inferior_->attached()) {
        vectors_ = probe_vectors();
        set_up();
    }

    /// No process yet (`--multi` without a program): exited() until restart() gives one.
    Target() = default;

    /// Whether a process is served (false before the first restart() of a Target made
    /// without one, and after forget_process()).
    [[nodiscard]] bool has_process() const noexcept { return inferior_.has_value(); }

    /// Extended mode's detach: the process, let go by the caller, is no longer served; as for a
    /// Target made without one, every request finds none (exited()) until restart().
    void forget_process() {
        inferior_.reset();
        selected_ = 0;
        forget_program_state();
    }

    /// Extended mode (vRun, vAttach): serves `inferior` from now on, in place of a process
    /// that is gone (exited, killed or detached; the caller sees to it): everything kept per
    /// process is made anew, and the events gdb asked for at the start (forks, execs) and the
    /// signals it lets pass are asked of the new one.
    void restart(dbg::Inferior inferior) {
        release_forks(true);
        inferior_.reset();
        inferior_.emplace(std::move(inferior));
        attached_ = inferior_->attached();
        selected_ = 0;
        forget_program_state();
        vectors_ = probe_vectors(); // a Target made without a process had no thread to ask
        set_up();
        if (forks_reported_) {
            report_forks();
        }
        if (execs_reported_) {
            (void)report_execs();
        }
        pass_signals(passed_);
    }

    [[nodiscard]] dbg::Inferior& inferior() noexcept { return *inferior_; }
    /// Whether the session attached to a running process (qAttached): then a disconnect
    /// detaches it, else kills it. A forked child followed (follow_fork()) keeps its parent's
    /// answer, as with GNU gdbserver.
    [[nodiscard]] bool attached() const noexcept { return attached_; }
    [[nodiscard]] pid_t pid() const noexcept { return inferior_ ? inferior_->pid() : 0; }
    [[nodiscard]] Vectors vectors() const noexcept { return vectors_; }
    [[nodiscard]] bool exited() const noexcept { return !inferior_ || inferior_->exited(); }
    [[nodiscard]] const dbg::Stop& last_stop() const noexcept { return last_stop_; }

    /// `p<pid>.<tid>` in hex, of a thread of ours or (`process`) of a held forked child.
    [[nodiscard]] std::string thread_id(pid_t tid, pid_t process = 0) const {
        return "p" + rsp::hex_number(static_cast<std::uint64_t>(process != 0 ? process : pid())) +
               "." + rsp::hex_number(static_cast<std::uint64_t>(tid));
    }

    /// The thread an id names: a thread of ours, or for 0/-1 ("any", "all") `fallback`.
    [[nodiscard]] std::optional<pid_t> resolve(const rsp::ThreadId& id, pid_t fallback) const {
        if (!inferior_ || (id.pid > 0 && id.pid != pid())) {
            return std::nullopt;
        }
        if (id.tid <= 0) {
            return fallback;
        }
        const auto tids = inferior_->threads();
        const auto tid = static_cast<pid_t>(id.tid);
        if (std::find(tids.begin(), tids.end(), tid) == tids.end()) {
            return std::nullopt;
        }
        return tid;
    }

    /// The thread of the last stop (when it still exists), else the first thread.
    [[nodiscard]] pid_t current_thread() const {
        if (!inferior_) {
            return 0;
        }
        const auto tids = inferior_->threads();
        if (std::find(tids.begin(), tids.end(), last_stop_.tid) != tids.end() || tids.empty()) {
            return last_stop_.tid;
        }
        return tids.front();
    }

    /// The siginfo of the signal `tid` is stopped at (qXfer:siginfo:read, gdb's $_siginfo):
    /// for a thread the kit stopped to stop the world, the record of that SIGSTOP, as GNU
    /// gdbserver gives it. The thread an interrupt is reported for is held at such a SIGSTOP
    /// too, but its stop reply says SIGINT: it gets the record of the stop it was reported,
    /// a SIGINT from this server (SI_USER, our pid and uid), which is what GNU gdbserver, which
    /// interrupts with kill(SIGINT), gives.
    dbg::DebugResult<ptrace_api::SignalInfo> signal_info(pid_t tid) {
        if (last_stop_.reason == dbg::StopReason::Interrupted && last_stop_.tid == tid) {
            if (auto held = inferior_->registers(tid); !held) {
                return held.error(); // no such thread, or it runs
            }
            ptrace_api::SignalInfo info;
            // si_signo, si_errno, si_code, padding, si_pid, si_uid: Linux's x86_64 layout.
            const std::array<std::int32_t, 6> fields{SIGINT,
                                                     0,
                                                     SI_USER,
                                                     0,
                                                     static_cast<std::int32_t>(getpid()),
                                                     static_cast<std::int32_t>(getuid())};
            std::memcpy(info.bytes.data(), fields.data(), sizeof fields);
            return info;
        }
        return inferior_->signal_info(tid, dbg::SignalInfoOf::AnyStop);
    }

    /// qXfer:siginfo:write: `bytes` at `offset` of the record signal_info(tid) gives, written
    /// back (the kit's set_signal_info: the thread goes on with that record's signal).
    dbg::DebugResult<void> set_signal_info(pid_t tid, std::size_t offset,
                                           std::span<const std::byte> bytes) {
        auto info = signal_info(tid);
        if (!info) {
            return info.error();
        }
        if (offset > info->bytes.size() || bytes.size() > info->bytes.size() - offset) {
            return dbg::debug_error(std::errc::invalid_argument,
                                    "a siginfo write past the 128-byte record");
        }
        std::memcpy(info->bytes.data() + offset, bytes.data(), bytes.size());
        return inferior_->set_signal_info(tid, *info);
    }

    // --- registers ---------------------------------------------------------------------

    dbg::DebugResult<RegisterFile> read_registers(pid_t tid) {
        RegisterFile r;
        auto gp = inferior_->registers(tid);
        if (!gp) {
            return gp.error();
        }
        r.gp = *gp;
        auto handle = handle_of(tid);
        if (!handle) {
            return handle.error();
        }
        Regs& regs = **handle;
        if (auto env = regs.get_env(); env) {
            r.env = *env;
        }
        r.vectors = vectors_;
        if (vectors_ != Vectors::Sse) {
            auto xs = regs.get_xstate();
            if (!xs) {
                return errno_error(xs.error(), tid, "cannot read its XSAVE area");
            }
            if (auto legacy = xs->legacy()) {
                r.fp = *legacy;
            }
            r.xstate = std::move(*xs);
        } else {
            auto fp = regs.get_float();
            if (!fp) {
                return errno_error(fp.error(), tid, "cannot read its x87/SSE registers");
            }
            r.fp = *fp;
        }
        r.orig_rax = syscall_number(tid);
        return r;
    }

    dbg::DebugResult<void> write_registers(pid_t tid, RegisterFile& r) {
        if (auto w = inferior_->set_registers(tid, r.gp); !w) {
            return w.error();
        }
        auto handle = handle_of(tid);
        if (!handle) {
            return handle.error();
        }
        Regs& regs = **handle;
        if (auto w = regs.set_env(r.env); !w) {
            return errno_error(w.error(), tid, "cannot write fs_base/gs_base");
        }
        if (r.xstate) {
            // The legacy area is part of the XSAVE area: write both in one go.
            auto bytes = r.xstate->writable_bytes();
            std::memcpy(bytes.data(), &r.fp, sizeof r.fp);
            r.xstate->set_xstate_bv(r.xstate->xstate_bv() | 3U); // x87 and SSE in use
            if (auto w = regs.set_xstate(*r.xstate); !w) {
                return errno_error(w.error(), tid, "cannot write its XSAVE area");
            }
        } else if (auto w = regs.set_float(r.fp); !w) {
            return errno_error(w.error(), tid, "cannot write its x87/SSE registers");
        }
        return {};
    }

    // --- memory and breakpoints --------------------------------------------------------

    // Memory and breakpoints are those of the selected process (select_process()): ours, or
    // a held forked child, whose copies of our int3s gdb takes out before it detaches it.

    dbg::DebugResult<std::vector<std::byte>> read_memory(std::uint64_t address, std::size_t size) {
        return selected().breakpoints().read_memory(address, size);
    }
    dbg::DebugResult<void> write_memory(std::uint64_t address, std::span<const std::byte> data) {
        return selected().breakpoints().write_memory(address, data);
    }

    /// Z0: a breakpoint at `address` (the memory map is re-read only when the cached one
    /// does not hold it as executable). Not in a forked child: gdb inserts none there (it
    /// detaches every child it is told of, as the server takes no other inferior).
    dbg::DebugResult<void> insert_breakpoint(std::uint64_t address) {
        if (selected_ != 0) {
            return dbg::debug_error(std::errc::operation_not_supported,
                                    "no breakpoints are set in a forked child");
        }
        auto& bps = inferior_->breakpoints();
        if (bps.find(address) != nullptr) {
            return {}; // gdb inserts each location once; a repeat is harmless
        }
        if (!map_ || !executable(*map_, address)) {
            auto fresh = dbg::read_maps(pid());
            if (!fresh) {
                return fresh.error();
            }
            map_ = std::move(*fresh);
        }
        auto set = bps.set(address, *map_);
        if (!set && set.error().code == std::errc::permission_denied) {
            // Not executable: gdb's call dummy on the (NX) stack. Jumping there faults with
            // SIGSEGV at that address, which gdb takes for the breakpoint; no int3 is needed.
            nx_sites_.insert(address);
            return {};
        }
        if (!set) {
            return set.error();
        }
        return {};
    }
    dbg::DebugResult<void> remove_breakpoint(std::uint64_t address) {
        if (selected_ != 0) {
            return selected().breakpoints().remove(address);
        }
        if (nx_sites_.erase(address) != 0) {
            return {};
        }
        return inferior_->breakpoints().remove(address);
    }

    // --- forks (fork-events+) ------------------------------------------------------------

    /// gdb takes fork events (it offered fork-events+ in qSupported): from now on a process
    /// the program forks is held, stopped before its first instruction with a copy of our
    /// int3s, and reported (`T05fork:p<child>.<child>;`). gdb then selects it (Hg), takes
    /// its breakpoints out (z0) and detaches it (D;<child>), or kills it (vKill;<child>).
    void report_forks() {
        forks_reported_ = true;
        if (inferior_) {
            inferior_->set_fork_policy(dbg::ForkPolicy::Keep);
        }
    }

    /// gdb takes exec events (exec-events+): from now on an exec is reported
    /// (`T05exec:<hex path>;`), at the new program's first instruction (the debugger kit's
    /// set_follow_exec, over the shim's exec stop, decision 26). \returns false when it
    /// cannot be followed (the program is gone).
    bool report_execs() {
        execs_reported_ = true;
        return !inferior_ || static_cast<bool>(inferior_->set_follow_exec(true));
    }

    // --- catch syscall (QCatchSyscalls) ----------------------------------------------------

    /// gdb's `catch syscall`: stops at the entry and the return of the syscalls of `set` (the
    /// empty set: all), reported as `syscall_entry:NR` and `syscall_return:NR`; nothing
    /// stops catching. \returns false when the program is gone or its threads' syscall sets
    /// cannot be written.
    bool catch_syscalls(const std::optional<ptrace_api::SyscallSet>& set) {
        if (exited()) {
            return false;
        }
        return static_cast<bool>(inferior_->set_caught_syscalls(set));
    }

    /// Selects the process whose memory and breakpoints the next packets address: ours, or
    /// a held forked child. \returns false for any other process.
    bool select_process(pid_t process) {
        if (process == pid() || process <= 0) {
            selected_ = 0;
            return true;
        }
        if (!forks_.contains(process)) {
            return false;
        }
        selected_ = process;
        return true;
    }
    [[nodiscard]] pid_t selected_process() const noexcept {
        return selected_ != 0 ? selected_ : pid();
    }
    [[nodiscard]] bool holds_fork(pid_t process) const { return forks_.contains(process); }

    /// Lets the held child `process` go (untraced, without our int3s: detach() takes out
    /// those gdb left), or kills it.
    dbg::DebugResult<void> release_fork(pid_t process, bool kill) {
        const auto found = forks_.find(process);
        if (found == forks_.end()) {
            return dbg::debug_error(std::errc::no_such_process,
                                    "no held forked child " + std::to_string(process));
        }
        dbg::DebugResult<void> done{};
        if (kill) {
            if (auto killed = found->second.kill(); !killed) {
                done = killed.error();
            }
        } else {
            done = found->second.detach();
        }
        forks_.erase(found);
        if (selected_ == process) {
            selected_ = 0;
        }
        return done;
    }

    /// gdb detaches our process and keeps debugging its held forked child `child` (gdb's
    /// `set follow-fork-mode child`: it sends `D;<parent>` at the fork stop): the parent is let
    /// go (without int3s) and the child becomes the process served, with everything kept per
    /// process made anew (register handles, memory map, watchpoint slots: a fork copies no
    /// debug registers). \errors ESRCH no such held child; the parent's detach errors (the
    /// child is served anyway).
    dbg::DebugResult<void> follow_fork(pid_t child) {
        const auto found = forks_.find(child);
        if (found == forks_.end()) {
            return dbg::debug_error(std::errc::no_such_process,
                                    "no held forked child " + std::to_string(child));
        }
        dbg::Inferior followed = std::move(found->second);
        forks_.erase(found);
        auto detached = inferior_->detach();
        inferior_.reset();
        inferior_.emplace(std::move(followed));
        selected_ = 0;
        forget_program_state();
        last_stop_ = dbg::Stop{};
        last_stop_.tid = child;
        return detached;
    }

    /// Every held child let go or killed, as the program is (detach, kill, disconnect).
    void release_forks(bool kill) {
        while (!forks_.empty()) {
            (void)release_fork(forks_.begin()->first, kill);
        }
    }

    /// The served process's dynamic linker list (qXfer:libraries-svr4): its r_debug, found
    /// once per program through the kit's LinkMap. \errors as LinkMap::find() (EAGAIN until
    /// the dynamic linker has filled DT_DEBUG in; ENOENT for a static program).
    dbg::DebugResult<dbg::LinkMap> link_map() {
        if (!link_map_) {
            auto found = dbg::LinkMap::find(memory());
            if (!found) {
                return found.error();
            }
            link_map_ = *found;
        }
        return *link_map_;
    }

    /// The served process's memory, raw (no int3 hidden): for data such as the link map.
    ptrace_api::Memory& memory() { return inferior_->breakpoints().memory(); }

    /// qGetTLSAddr: the address of the thread-local variable at `offset` in the TLS block of
    /// the module whose link_map is at `link_map`, for the thread `tid` (the debugger kit's
    /// TlsLayout, from glibc's descriptors, read once per program). \errors ENOTSUP not
    /// glibc; ENODATA the module has no TLS; EAGAIN not allocated for that thread yet; the
    /// register and memory handles' errors.
    dbg::DebugResult<std::uint64_t> tls_address(pid_t tid, std::uint64_t offset,
                                                std::uint64_t link_map) {
        ptrace_api::Memory& memory = this->memory();
        if (!tls_layout_) {
            auto symbols = dbg::SymbolTable::load(pid(), memory);
            if (!symbols) {
                return symbols.error();
            }
            auto layout = dbg::TlsLayout::load(*symbols, memory);
            if (!layout) {
                return layout.error();
            }
            tls_layout_ = *layout;
        }
        auto handle = handle_of(tid);
        if (!handle) {
            return handle.error();
        }
        auto env = (*handle)->get_env();
        if (!env) {
            return errno_error(env.error(), tid, "cannot read fs_base");
        }
        return tls_layout_->address(memory, env->fsbase, link_map, offset);
    }

    /// Z2-Z4: a hardware watchpoint in a free debug register slot of every thread.
    /// \errors ENOSPC all four slots are taken; the watchpoint's problem (EINVAL ...).
    dbg::DebugResult<void> insert_watchpoint(unsigned type, std::uint64_t address,
                                             std::uint64_t length) {
        if (selected_ != 0) {
            return dbg::debug_error(std::errc::operation_not_supported,
                                    "no watchpoints are set in a forked child");
        }
        std::size_t slot = 0;
        while (slot < 4 && slots_[slot]) {
            ++slot;
        }
        if (slot == 4) {
            return dbg::debug_error(std::errc::no_space_on_device,
                                    "all four debug register slots are in use");
        }
        // Z1 a hardware breakpoint, Z2 a write watchpoint, Z4 an access watchpoint (x86 has
        // no read-only watchpoints: Z3 is refused before it gets here, as GNU gdbserver does).
        const ptrace_api::WatchKind kind = type == 1   ? ptrace_api::WatchKind::Execute
                                           : type == 2 ? ptrace_api::WatchKind::Write
                                                       : ptrace_api::WatchKind::ReadWrite;
        const ptrace_api::Watchpoint w{address, static_cast<std::uint8_t>(type == 1 ? 1 : length),
                                       kind};
        for (const pid_t tid : inferior_->threads()) {
            auto handle = handle_of(tid);
            if (!handle) {
                return handle.error();
            }
            if (auto r = dbg::set_watchpoint(**handle, slot, w); !r) {
                for (const pid_t undo : inferior_->threads()) {
                    if (auto h = handle_of(undo)) {
                        (void)dbg::clear_watchpoint(**h, slot);
                    }
                }
                return r.error();
            }
        }
        slots_[slot] = Watch{type, address, length};
        return {};
    }
    dbg::DebugResult<void> remove_watchpoint(unsigned type, std::uint64_t address,
                                             std::uint64_t length) {
        if (selected_ != 0) {
            // gdb takes every inserted location out of a child before it detaches it; a fork
            // does not copy the debug registers, so there is nothing to take out (and our own
            // threads' slots must stay).
            return {};
        }
        for (std::size_t slot = 0; slot < 4; ++slot) {
            const auto& w = slots_[slot];
            if (w && w->type == type && w->address == address && w->length == length) {
                for (const pid_t tid : inferior_->threads()) {
                    if (auto h = handle_of(tid)) {
                        (void)dbg::clear_watchpoint(**h, slot);
                    }
                }
                slots_[slot].reset();
                return {};
            }
        }
        return dbg::debug_error(std::errc::no_such_file_or_directory, "no such watchpoint");
    }

    // --- running -------------------------------------------------------------------------

    /// Applies QPassSignals: the listed (gdb-numbered) signals pass silently, the others stop.
    void pass_signals(const std::vector<int>& gdb_numbers) {
        passed_ = gdb_numbers;
        if (!inferior_) {
            return; // asked of the process restart() brings
        }
        for (int s = 1; s <= 64; ++s) {
            (void)inferior_->set_signal_policy(s, dbg::SignalPolicy::Stop);
        }
        for (const int g : gdb_numbers) {
            if (const int s = linux_signal(g); s != 0) {
                (void)inferior_->set_signal_policy(s, dbg::SignalPolicy::Pass);
            }
        }
    }

    /// Resumes as `r` says and waits for the next stop to report.
    dbg::DebugResult<dbg::Stop> resume(const Resume& r) {
        for (const pid_t tid : inferior_->threads()) {
            const int pending = inferior_->pending_signal(tid);
            if (pending == 0) {
                continue;
            }
            const auto wanted = r.deliver.find(tid);
            if (wanted == r.deliver.end() || wanted->second != pending) {
                (void)inferior_->discard_signal(tid);
            }
        }
        for (const auto& [tid, signal] : r.deliver) {
            if (signal != 0 && inferior_->pending_signal(tid) != signal) {
                // A signal the thread is not stopped at: sent now, delivered as it runs, with
                // no stop for it (as GNU gdbserver delivers it through PTRACE_CONT).
                if (auto sent = inferior_->deliver_signal(tid, signal); !sent) {
                    std::fprintf(stderr, "gdbserver: %s\n", sent.error().message.c_str());
                }
            }
        }
        for (;;) {
            auto stop = r.step && r.range ? inferior_->step_range(r.step_tid, r.range->first,
                                                                  r.range->second, r.others)
                        : r.step          ? inferior_->step_instruction(r.step_tid, r.others)
                        : r.alone         ? inferior_->cont_thread(*r.alone)
                                          : inferior_->cont();
            if (!stop) {
                return stop;
            }
            const bool alone = r.alone || (r.step && r.others == dbg::OtherThreads::Stay);
            if (stop->reason == dbg::StopReason::ThreadExited && !inferior_->exited() && alone &&
                r.report_no_resumed) {
                return stop; // `N`, as GNU gdbserver replies (last_stop_ stays a live thread's)
            }
            if (stop->reason == dbg::StopReason::ThreadExited && !inferior_->exited()) {
                auto next = inferior_->cont(); // the stepped thread is gone: go on
                if (!next) {
                    return next;
                }
                stop = next;
            }
            if (stop->reason == dbg::StopReason::Exec) {
                // A new program: its threads, memory map and debug registers are new (exec
                // clears those), and the kit's breakpoint table is new and empty.
                forget_program_state();
            }
            if (stop->reason == dbg::StopReason::Fork) {
                // Taken now, so that gdb can address it (its memory, its breakpoints, its
                // detach) as a process of its own.
                auto child = inferior_->take_fork(stop->child);
                if (child) {
                    forks_.emplace(stop->child, std::move(*child));
                } else {
                    std::fprintf(stderr, "gdbserver: %s\n", child.error().message.c_str());
                }
            }
            last_stop_ = *stop;
            return stop;
        }
    }

    /// The stop reply for `stop`: T with the expedited registers, or W/X at the end.
    [[nodiscard]] std::string stop_reply(const dbg::Stop& stop) {
        using dbg::StopReason;
        const std::string process =
            ";process:" + rsp::hex_number(static_cast<std::uint64_t>(pid()));
        if (stop.reason == StopReason::Exited) {
            if (stop.status.exited()) {
                return "W" + two_hex(static_cast<unsigned>(stop.status.exit_code())) + process;
            }
            return "X" + two_hex(static_cast<unsigned>(gdb_signal(stop.status.term_signal()))) +
                   process;
        }
        int signal = SIGTRAP;
        std::string extra;
        if (stop.reason == StopReason::Signal) {
            signal = stop.signal;
        } else if (stop.reason == StopReason::Interrupted) {
            signal = SIGINT;
        } else if (stop.reason == StopReason::Breakpoint) {
            extra = "swbreak:;";
        } else if (stop.reason == StopReason::Fork) {
            extra = "fork:" + thread_id(stop.child, stop.child) + ";";
        } else if (stop.reason == StopReason::Exec) {
            extra = "exec:" + rsp::to_hex(stop.path) + ";";
        } else if (stop.reason == StopReason::SyscallEntry) {
            extra = "syscall_entry:" + rsp::hex_number(stop.syscall) + ";";
        } else if (stop.reason == StopReason::SyscallExit) {
            extra = "syscall_return:" + rsp::hex_number(stop.syscall) + ";";
        }
        std::string out = "T" + two_hex(static_cast<unsigned>(gdb_signal(signal))) + extra;
        if (auto regs = inferior_->registers(stop.tid)) {
            const std::pair<const char*, std::uint64_t> expedited[] = {
                {"06", regs->rbp}, {"07", regs->rsp}, {"10", regs->rip}};
            for (const auto& [num, value] : expedited) {
                out += std::string(num) + ":" +
                       rsp::to_hex(reinterpret_cast<const std::uint8_t*>(&value), 8) + ";";
            }
        }
        out += "thread:" + thread_id(stop.tid) + ";";
        return out;
    }

    /// The threads as qXfer:threads:read gives them (with their names).
    [[nodiscard]] std::string threads_xml() const {
        std::string out = "<threads>\n";
        for (const pid_t tid : inferior_->threads()) {
            std::ifstream comm("/proc/" + std::to_string(pid()) + "/task/" + std::to_string(tid) +
                               "/comm");
            std::string name;
            std::getline(comm, name);
            out +=
                "<thread id=\"" + thread_id(tid) + "\" name=\"" + rsp::xml_escape(name) + "\"/>\n";
        }
        return out + "</threads>\n";
    }

private:
    using Regs = ptrace_api::Registers;
    struct Watch {
        unsigned type = 0;
        std::uint64_t address = 0;
        std::uint64_t length = 0;
    };

    static std::string two_hex(unsigned v) {
        std::string s;
        s.push_back(rsp::hex_chars[(v >> 4U) & 0xfU]);
        s.push_back(rsp::hex_chars[v & 0xfU]);
        return s;
    }

    static bool executable(const dbg::MemoryMap& map, std::uint64_t address) {
        const auto* entry = map.find(address);
        return entry != nullptr && entry->perms.execute;
    }

    static dbg::DebugError errno_error(std::error_code code, pid_t tid, const std::string& what) {
        return dbg::DebugError{code, "thread " + std::to_string(tid) + ": " + what};
    }

    /// The register handle of `tid`, opened once (for the x87/SSE/AVX, fs/gs base and debug
    /// registers; the general ones go through the Inferior).
    dbg::DebugResult<Regs*> handle_of(pid_t tid) {
        auto found = handles_.find(tid);
        if (found == handles_.end()) {
            auto opened = Regs::open(tid);
            if (!opened) {
                return errno_error(opened.error(), tid, "cannot open its registers");
            }
            found = handles_.emplace(tid, std::move(*opened)).first;
        }
        return &found->second;
    }

    /// orig_rax: the number of the syscall the thread is in, from /proc/<tid>/syscall
    /// (-1 outside a syscall), since the library's register layout does not carry it.
    [[nodiscard]] std::uint64_t syscall_number(pid_t tid) const {
        std::ifstream in("/proc/" + std::to_string(pid()) + "/task/" + std::to_string(tid) +
                         "/syscall");
        long long number = -1;
        if (!(in >> number)) {
            number = -1;
        }
        return static_cast<std::uint64_t>(number);
    }

    Vectors probe_vectors() {
        using ptrace_api::XFeature;
        auto handle = handle_of(pid());
        if (!handle) {
            return Vectors::Sse;
        }
        auto xs = (*handle)->get_xstate();
        if (!xs || !xs->enabled(XFeature::Avx)) {
            return Vectors::Sse;
        }
        const bool avx512 = xs->enabled(XFeature::Opmask) && xs->enabled(XFeature::ZmmHi256) &&
                            xs->enabled(XFeature::Hi16Zmm);
        return avx512 ? Vectors::Avx512 : Vectors::Avx;
    }

    /// What is kept per program, dropped when another program is served (an exec, a
    /// followed fork): register handles, memory map, TLS layout, r_debug, the Z0 sites in
    /// memory that cannot execute, and the watchpoint slots (exec and fork leave no debug
    /// registers).
    void forget_program_state() {
        handles_.clear();
        map_.reset();
        tls_layout_.reset();
        link_map_.reset();
        nx_sites_.clear();
        slots_ = {};
    }

    dbg::Inferior& selected() { return selected_ != 0 ? forks_.at(selected_) : *inferior_; }

    /// What a process served from its start needs (the constructor, restart()): its stop
    /// before the first instruction, every signal stopping, breakpoints left to gdb.
    void set_up() {
        last_stop_ = dbg::Stop{};
        last_stop_.reason = dbg::StopReason::Step;
        last_stop_.tid = inferior_->pid();
        for (int s = 1; s <= 64; ++s) {
            (void)inferior_->set_signal_policy(s, dbg::SignalPolicy::Stop);
        }
        // gdb steps a thread over a breakpoint itself (it takes the breakpoint out, steps,
        // puts it back); one it leaves under a resumed thread (a `jump` to its line) is hit,
        // as with GNU gdbserver, which never steps over gdb's breakpoints.
        inferior_->set_breakpoint_at_resume(dbg::BreakpointAtResume::Hit);
    }

    /// The process served: the one started or attached, or a forked child followed since
    /// (follow_fork(); never empty otherwise).
    std::optional<dbg::Inferior> inferior_;
    bool attached_ = false;
    std::map<pid_t, dbg::Inferior> forks_; ///< forked children held for gdb (report_forks())
    pid_t selected_ = 0;                   ///< select_process(): 0 for ours
    Vectors vectors_ = Vectors::Sse;
    dbg::Stop last_stop_;
    std::map<pid_t, Regs> handles_;
    std::optional<dbg::MemoryMap> map_;
    std::optional<dbg::TlsLayout> tls_layout_; ///< made at the first qGetTLSAddr
    std::optional<dbg::LinkMap> link_map_;     ///< found at a qXfer:libraries-svr4:read
    std::set<std::uint64_t> nx_sites_;         ///< Z0 in memory that cannot execute (see above)
    std::array<std::optional<Watch>, 4> slots_{};
    bool forks_reported_ = false; ///< report_forks(), asked again of a restart()
    bool execs_reported_ = false; ///< report_execs(), likewise
    std::vector<int> passed_;     ///< the last QPassSignals list, likewise
};

} // namespace gdbserver
