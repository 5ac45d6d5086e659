// SPDX-License-Identifier: MIT
// Turns one tracee's stream of stops (pre, post, signal, exit) into strace's output lines.
#pragma once

#include <ptrace/event.hpp>
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

/// Which syscalls are printed (`-e trace=a,b`); all when no list was given.
class Filter {
public:
    Filter() = default;
    explicit Filter(const std::vector<long>& numbers)
        : selected_(static_cast<std::size_t>(ptrace_api::max_syscall_number) + 1, false),
          all_(false) {
        for (const long nr : numbers) {
            selected_[static_cast<std::size_t>(nr)] = true;
        }
    }

    [[nodiscard]] bool wants(long nr) const {
        if (all_) {
            return true;
        }
        return nr >= 0 && nr <= ptrace_api::max_syscall_number &&
               selected_[static_cast<std::size_t>(nr)];
    }

private:
    std::vector<bool> selected_;
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

    /// A PRE_SYSCALL stop: `nr` is rax (decision 7), `regs` are rdi, rsi, rdx, r10, r8, r9.
    void syscall_entry(long nr, const std::array<std::uint64_t, 6>& regs, const ReadMemory& read) {
        finish_vanished(read);
        Frame frame;
        frame.selected = filter_->wants(nr);
        if (frame.selected) {
            frame.call = decode_entry(nr, regs, read, limit_);
        } else {
            frame.call.nr = nr; // tracked for pairing only, never decoded or printed
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
        // rt_sigreturn restores the registers of the interrupted syscall below it: its result
        // is what that syscall returns if no restart follows (the -EINTR case of spec H6).
        if (ptrace_api::syscall_name(frame.call.nr) == "rt_sigreturn" && !stack_.empty() &&
            stack_.back().interrupted) {
            stack_.back().sigreturn_result = ret;
        }
    }

    /// A SIGNAL stop for `sig`.
    void signal(int sig) {
        if (!stack_.empty()) {
            stack_.back().interrupted = true;
        }
        out_->line(prefix_ + signal_line(sig));
    }

    /// An EXIT stop: every pending syscall is shown as not returning (`= ?`), then the exit.
    void exit(ptrace_api::WaitStatus status, const ReadMemory& read) {
        flush(read);
        out_->line(prefix_ + exit_line(status));
    }

    /// The tracee vanished without an EXIT stop (killed by another thread's exec or exit_group
    /// or by SIGKILL before it could stop): pending syscalls are shown as not returning.
    void flush(const ReadMemory& read) {
        while (!stack_.empty()) {
            Frame frame = std::move(stack_.back());
            stack_.pop_back();
            print(frame, frame.sigreturn_result, read);
        }
    }

private:
    struct Frame {
        PendingCall call;
        bool selected = false;
        bool interrupted = false;                     ///< a signal arrived while it was pending
        std::optional<std::int64_t> sigreturn_result; ///< set when the handler returned
    };

    /// A new entry stop while syscalls are pending: those that cannot be interrupted handlers'
    /// callers have ended without an exit stop. That is a successful execve (its exit stop is
    /// suppressed, decision 17: strace prints `= 0`), or an interrupted syscall that returned
    /// -EINTR through rt_sigreturn.
    void finish_vanished(const ReadMemory& read) {
        while (!stack_.empty()) {
            Frame& top = stack_.back();
            if (top.interrupted && !top.sigreturn_result) {
                return; // the syscalls of a signal handler nest inside it
            }
            Frame frame = std::move(top);
            stack_.pop_back();
            const std::string_view name = ptrace_api::syscall_name(frame.call.nr);
            std::optional<std::int64_t> ret = frame.sigreturn_result;
            if (!ret && (name == "execve" || name == "execveat")) {
                ret = 0;
            }
            print(frame, ret, read);
        }
    }

    void print(const Frame& frame, std::optional<std::int64_t> ret, const ReadMemory& read) {
        if (!frame.selected) {
            return;
        }
        out_->line(syscall_line(prefix_, call_text(frame.call, ret, read, limit_),
                                result_text(frame.call, ret)));
    }

    std::string prefix_;
    const Filter* filter_;
    Output* out_;
    std::size_t limit_;
    std::vector<Frame> stack_;
};

} // namespace strace_example
