// SPDX-License-Identifier: MIT
// Turns one tracee's stream of stops (pre, post, signal, exit) into strace's output lines.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/signal_info.hpp>
#include <ptrace/syscall_set.hpp>
#include <ptrace/syscalls.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decode.hpp"
#include "format.hpp"

namespace strace_example {

/// Which syscalls are printed (`-e trace=SET`); all when no set was given. With a set, the
/// tracer gets only those syscalls' stops (Command::syscalls for a spawned command,
/// Tracer::set_syscalls for an attached one), so this is a safety net, not the filter.
class Filter {
public:
    Filter() = default;
    explicit Filter(const ptrace_api::SyscallSet& set) : set_(set), all_(false) {}

    [[nodiscard]] bool wants(long nr) const {
        return all_ || (nr >= 0 && set_.contains(static_cast<std::uint64_t>(nr)));
    }

private:
    ptrace_api::SyscallSet set_;
    bool all_ = true;
};

/// Where lines go: stderr by default, or the `-o` file. Each line is written whole with one
/// call, so lines of different tracees never mix.
class Output {
public:
    explicit Output(std::FILE* out) noexcept : out_(out) {}
    /// Collects the lines instead (for tests).
    explicit Output(std::vector<std::string>& lines) noexcept : lines_(&lines) {}

    void line(const std::string& text) {
        if (lines_ != nullptr) {
            lines_->push_back(text);
            return;
        }
        std::string l = text;
        l += '\n';
        std::fwrite(l.data(), 1, l.size(), out_);
        std::fflush(out_);
    }

private:
    std::FILE* out_ = nullptr;
    std::vector<std::string>* lines_ = nullptr;
};

/// The printer of one tracee (one thread or process). strace prints a syscall's arguments at
/// entry and its result at exit, with `<unfinished ...>` when other lines come between. We
/// print every syscall as one line at its exit stop instead, with the arguments captured at
/// entry, which keeps each line whole even when many tracees run at once.
///
/// Syscalls can nest: a signal that interrupts syscall A runs its handler's syscalls (and
/// rt_sigreturn) before A returns (spec H6; the shim folds Linux's -ERESTART* artefacts away,
/// decision 18). So pending entries form a stack, and an exit stop belongs to the top one.
class TraceePrinter {
public:
    /// `prefix` starts every line (`[pid 42] ` in -f mode).
    TraceePrinter(std::string prefix, const Filter& filter, Output& out,
                  std::size_t limit = default_string_limit)
        : prefix_(std::move(prefix)), filter_(&filter), out_(&out), limit_(limit) {}

    /// A PRE_SYSCALL stop: `nr` is rax (decision 7), `regs` are rdi, rsi, rdx, r10, r8, r9,
    /// `sp` is rsp (rt_sigreturn finds the signal frame there); `netlink` tells which of the
    /// tracee's sockets are netlink sockets (their messages are decoded).
    void syscall_entry(long nr, const std::array<std::uint64_t, 6>& regs, const ReadMemory& read,
                       std::uint64_t sp = 0, const NetlinkLookup& netlink = {}) {
        finish_vanished(read);
        Frame frame;
        frame.selected = filter_->wants(nr);
        if (frame.selected) {
            frame.call = decode_entry(nr, regs, read, limit_, sp, netlink);
        } else {
            // Tracked for pairing (and for a follower's clone flags) only, never printed.
            frame.call.nr = nr;
            frame.call.regs = regs;
            frame.call.clone_flags = clone_flags_at_entry(nr, regs, read);
        }
        stack_.push_back(std::move(frame));
    }

    /// A POST_SYSCALL stop; `ret` is rax.
    void syscall_exit(std::int64_t ret, const ReadMemory& read) {
        if (stack_.empty()) {
            return; // an exit without its entry (cannot happen for a tracee we spawned)
        }
        Frame frame = std::move(stack_.back());
        stack_.pop_back();
        print(frame, ret, read);
        // rt_sigreturn restores the registers of the syscall the handler interrupted. The
        // kernel prepared them before it ran the handler (spec H6, decision 18):
        // - an error (-EINTR, no SA_RESTART): that syscall has ended with it. No exit stop
        //   follows, so this is its result;
        // - anything else is the syscall's own number, restored for the restart: it is still
        //   pending, and its exit stop (the shim folds the restart's entry away) or another
        //   signal comes next.
        if (ptrace_api::syscall_name(frame.call.nr) == "rt_sigreturn" && !stack_.empty() &&
            stack_.back().interrupted && is_error_return(ret)) {
            Frame interrupted = std::move(stack_.back());
            stack_.pop_back();
            print(interrupted, ret, read);
        }
    }

    /// A SIGNAL stop for `sig`, with its siginfo when it could be read (decision 27).
    void signal(int sig, const std::optional<ptrace_api::SignalInfo>& info,
                const ReadMemory& read) {
        // A signal right after a successful execve (which has no exit stop, decision 17):
        // the execve is over, it did not get interrupted.
        if (!stack_.empty() && is_exec(stack_.back())) {
            Frame frame = std::move(stack_.back());
            stack_.pop_back();
            print(frame, 0, read);
        }
        if (!stack_.empty()) {
            stack_.back().interrupted = true;
        }
        out_->line(prefix_ + signal_line(sig, info ? siginfo_text(*info) : std::string()));
    }

    /// Whether the innermost pending syscall is an execve (or execveat) seen at its entry:
    /// after it succeeds, the next stop is the new program's.
    [[nodiscard]] bool exec_pending() const { return !stack_.empty() && is_exec(stack_.back()); }

    /// The innermost pending syscall (its number and entry registers), if any.
    [[nodiscard]] const PendingCall* pending() const {
        return stack_.empty() ? nullptr : &stack_.back().call;
    }

    /// Lines start with `prefix` from now on (a thread that exec'd takes the leader's pid).
    void set_prefix(std::string prefix) { prefix_ = std::move(prefix); }

    /// An EXIT stop: every pending syscall is shown as not returning (`= ?`), then the exit.
    void exit(ptrace_api::WaitStatus status, const ReadMemory& read) {
        flush(read);
        out_->line(prefix_ + exit_line(status));
    }

    /// A line of its own for this tracee (`+++ superseded by execve in pid 5 +++`).
    void note(const std::string& text) { out_->line(prefix_ + text); }

    /// The tracee vanished without an EXIT stop (killed by another thread's exec or exit_group
    /// or by SIGKILL before it could stop), or is about to exit: pending syscalls are shown as
    /// not returning.
    void flush(const ReadMemory& read) {
        while (!stack_.empty()) {
            Frame frame = std::move(stack_.back());
            stack_.pop_back();
            print(frame, std::nullopt, read);
        }
    }

    /// The tracer detaches (-p, then Ctrl-C): each pending syscall is shown as strace shows
    /// it then, `NAME(ARGS <detached ...>`, innermost first.
    void detach(const ReadMemory& read) {
        while (!stack_.empty()) {
            Frame frame = std::move(stack_.back());
            stack_.pop_back();
            if (frame.selected) {
                std::string text = call_text(frame.call, std::nullopt, read, limit_);
                if (!text.empty() && text.back() == ')') {
                    text.pop_back();
                }
                out_->line(prefix_ + text + " <detached ...>");
            }
        }
    }

private:
    struct Frame {
        PendingCall call;
        bool selected = false;
        bool interrupted = false; ///< a signal arrived while it was pending
    };

    static bool is_exec(const Frame& frame) {
        const std::string_view name = ptrace_api::syscall_name(frame.call.nr);
        return name == "execve" || name == "execveat";
    }

    /// A new entry stop while syscalls are pending. Below an interrupted syscall it is a
    /// signal handler's syscall, which nests inside it. Otherwise the pending syscalls have
    /// ended without an exit stop: that is a successful execve (its exit stop is suppressed,
    /// decision 17: strace prints `= 0`).
    void finish_vanished(const ReadMemory& read) {
        while (!stack_.empty()) {
            Frame& top = stack_.back();
            if (top.interrupted) {
                return; // the syscalls of a signal handler nest inside it
            }
            Frame frame = std::move(top);
            stack_.pop_back();
            print(frame, is_exec(frame) ? std::optional<std::int64_t>(0) : std::nullopt, read);
        }
    }

    void print(const Frame& frame, std::optional<std::int64_t> ret, const ReadMemory& read) {
        if (!frame.selected) {
            return;
        }
        out_->line(syscall_line(prefix_, call_text(frame.call, ret, read, limit_),
                                result_text(frame.call, ret, read, limit_)));
    }

    std::string prefix_;
    const Filter* filter_;
    Output* out_;
    std::size_t limit_;
    std::vector<Frame> stack_;
};

} // namespace strace_example
