// SPDX-License-Identifier: MIT
// The out-of-line functions of tracer.hpp: included by that header in the header-only mode,
// and by src/ptrace_api.cpp alone in the separately compiled mode (api.hpp).
#pragma once

#include <ptrace/bytes.hpp>
#include <ptrace/config.hpp>
#include <ptrace/detail/shim_fd.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/inject.hpp>
#include <ptrace/memory.hpp>
#include <ptrace/registers.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/api.hpp>
#include <ptrace/syscall_set.hpp>
#include <ptrace/tracer.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/types.h>

namespace ptrace_api {

namespace detail {

PTRACE_API_DECL TraceState::TraceState(TraceState&& other) noexcept
    : pid(std::exchange(other.pid, 0)), trace(std::move(other.trace)), regs(std::move(other.regs)),
      mem(std::move(other.mem)), siginfo(std::move(other.siginfo)),
      pending(std::move(other.pending)) {
    other.regs.reset();
    other.mem.reset();
}

PTRACE_API_DECL TraceState& TraceState::operator=(TraceState&& other) noexcept {
    pid = std::exchange(other.pid, 0);
    trace = std::move(other.trace);
    regs = std::move(other.regs);
    mem = std::move(other.mem);
    siginfo = std::move(other.siginfo);
    pending = std::move(other.pending);
    other.regs.reset();
    other.mem.reset();
    return *this;
}

PTRACE_API_DECL TraceState::~TraceState() = default;

PTRACE_API_DECL Result<TraceState> TraceState::open(pid_t pid, AttachOptions options) {
    int oflags = 0;
    if (options.stop == AttachStop::StopNow) {
        oflags |= O_TRUNC; // A5
    }
    if (options.on_close == OnClose::Kill) {
        oflags |= O_EXCL; // A6
    }
    const int access = options.access == AttachAccess::LinuxChecks ? shim::linux_checks_only : 0;
    oflags |= access; // decision 25
    // The register and memory handles first: they fail exactly like the trace handle
    // (A2, A3) and leave the tracee untouched when they do.
    auto regs = Registers::open(pid, access);
    if (!regs) {
        return Unexpected(regs.error());
    }
    auto mem = Memory::open(pid, access);
    if (!mem) {
        return Unexpected(mem.error());
    }
    auto trace = ShimFd::open(pid, "trace", oflags);
    if (!trace) {
        return Unexpected(trace.error());
    }
    TraceState s;
    s.pid = pid;
    s.trace = std::move(*trace);
    s.regs.emplace(std::move(*regs));
    s.mem.emplace(std::move(*mem));
    return s;
}

PTRACE_API_DECL Result<void> TraceState::write(PtraceFlags flags) {
    require_valid();
    const auto n = shim::write(trace.get(), as_bytes(flags));
    if (!n) {
        return Unexpected(n.error());
    }
    return {};
}

PTRACE_API_DECL Result<void> TraceState::read_all(std::vector<PtraceEvent>& out) {
    require_valid();
    std::array<PtraceEvent, 16> batch{};
    for (;;) {
        const auto n = shim::read(trace.get(), std::as_writable_bytes(std::span(batch)));
        if (!n) {
            return Unexpected(n.error());
        }
        const std::size_t count = *n / sizeof(PtraceEvent);
        out.insert(out.end(), batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(count));
        if (count < batch.size()) {
            return {};
        }
    }
}

PTRACE_API_DECL Result<void> TraceState::set_nonblocking(bool on) {
    require_valid();
    const auto fl = shim::fcntl(trace.get(), F_GETFL);
    if (!fl) {
        return Unexpected(fl.error());
    }
    const int next = on ? (*fl | O_NONBLOCK) : (*fl & ~O_NONBLOCK);
    if (const auto r = shim::fcntl(trace.get(), F_SETFL, next); !r) {
        return Unexpected(r.error());
    }
    return {};
}

PTRACE_API_DECL Result<void> TraceState::close(bool detach) {
    require_valid();
    Result<void> result;
    if (detach) {
        const auto fl = shim::fcntl(trace.get(), F_GETFL);
        if (!fl) {
            result = Unexpected(fl.error());
        } else if (const auto r = shim::fcntl(trace.get(), F_SETFL, *fl & ~O_EXCL); !r) {
            result = Unexpected(r.error());
        }
    }
    regs.reset();
    mem.reset();
    (void)siginfo.close();
    if (auto r = trace.close(); !r && result) {
        result = r;
    }
    pid = 0;
    pending.clear();
    return result;
}

PTRACE_API_DECL pid_t TracerBase::pid() const noexcept {
    if (!state_.valid()) {
        return state_.pid; // 0 once moved from or closed
    }
    try {
        const auto tid = shim::tid_of(state_.trace.get());
        return tid ? *tid : state_.pid;
    } catch (...) {
        return state_.pid; // a mutex that failed to lock; the attach pid is still a name
    }
}

PTRACE_API_DECL Result<std::vector<PtraceEvent>> TracerBase::events() {
    state_.require_valid();
    std::vector<PtraceEvent> out(state_.pending.begin(), state_.pending.end());
    state_.pending.clear();
    if (auto r = state_.read_all(out); !r) {
        return Unexpected(r.error());
    }
    return out;
}

PTRACE_API_DECL Result<InjectResult> TracerBase::inject_syscall(const InjectCall& call) {
    state_.require_valid();
    return shim::inject_syscall(state_.trace.get(), call);
}

PTRACE_API_DECL Result<void> TracerBase::set_syscalls(const SyscallSet& set) {
    auto fd = syscalls_handle();
    if (!fd) {
        return Unexpected(fd.error());
    }
    const auto bytes = set.to_bytes();
    auto n = shim::write(fd->get(), bytes);
    if (!n) {
        return Unexpected(n.error());
    }
    if (*n != bytes.size()) {
        return unexpected(std::errc::io_error); // a short transfer: not the whole set
    }
    return {};
}

PTRACE_API_DECL Result<SyscallSet> TracerBase::syscalls() {
    auto fd = syscalls_handle();
    if (!fd) {
        return Unexpected(fd.error());
    }
    std::array<std::byte, SyscallSet::byte_size> bytes{};
    auto n = shim::read(fd->get(), bytes);
    if (!n) {
        return Unexpected(n.error());
    }
    if (*n != bytes.size()) {
        return unexpected(std::errc::io_error); // a short transfer: not the whole set
    }
    return SyscallSet::from_bytes(bytes);
}

PTRACE_API_DECL Result<SyscallFilterState> TracerBase::syscall_filter() {
    auto fd = syscalls_handle();
    if (!fd) {
        return Unexpected(fd.error());
    }
    return shim::syscall_filter_state(fd->get());
}

PTRACE_API_DECL Result<int> TracerBase::siginfo_handle() {
    state_.require_valid();
    if (!state_.siginfo.valid()) {
        auto fd = ShimFd::open(pid(), "siginfo", 0);
        if (!fd) {
            return Unexpected(fd.error());
        }
        state_.siginfo = std::move(*fd);
    }
    return state_.siginfo.get();
}

PTRACE_API_DECL Result<void> TracerBase::set_signal_info(const SignalInfo& info) {
    auto fd = siginfo_handle();
    if (!fd) {
        return Unexpected(fd.error());
    }
    auto n = shim::write(*fd, info.bytes);
    if (!n) {
        return Unexpected(n.error());
    }
    return {};
}

PTRACE_API_DECL Result<SignalInfo> TracerBase::signal_info() {
    auto fd = siginfo_handle();
    if (!fd) {
        return Unexpected(fd.error());
    }
    SignalInfo info;
    auto n = shim::read(*fd, info.bytes);
    if (!n) {
        return Unexpected(n.error());
    }
    if (*n != info.bytes.size()) {
        return unexpected(std::errc::io_error); // a short transfer: not the whole record
    }
    return info;
}

PTRACE_API_DECL Result<ShimFd> TracerBase::syscalls_handle() {
    state_.require_valid();
    return ShimFd::open(pid(), "syscalls", 0);
}

} // namespace detail

PTRACE_API_DECL std::optional<PtraceEvent> EventHandler::breakpoint() const noexcept {
    for (const PtraceEvent& ev : events_) {
        if (is_breakpoint(ev)) {
            return ev;
        }
    }
    return std::nullopt;
}

PTRACE_API_DECL Result<void> EventHandler::retry() {
    detail::TraceState& state = tracer_->state_;
    events_.clear();
    const auto w = state.write(PtraceFlags::FLAG_WAIT);
    if (auto r = state.read_all(events_); !r) {
        return r;
    }
    return w;
}

PTRACE_API_DECL Result<PtraceEvent> EventHandler::ignore() {
    return dispatch([](const PtraceEvent&) {});
}

PTRACE_API_DECL Result<Tracer> Tracer::attach(pid_t pid, AttachOptions options) {
    auto state = detail::TraceState::open(pid, options);
    if (!state) {
        return Unexpected(state.error());
    }
    return Tracer(std::move(*state));
}

PTRACE_API_DECL Result<PtraceEvent> Tracer::next(PtraceFlags flags) {
    auto handler = next_event(flags);
    if (!handler) {
        return Unexpected(handler.error());
    }
    return handler->dispatch([this](const PtraceEvent& ev) { state_.pending.push_back(ev); });
}

PTRACE_API_DECL Result<EventHandler> Tracer::next_event(PtraceFlags flags) {
    state_.require_valid();
    EventHandler handler(*this);
    const auto w = state_.write(flags);
    // C6/C7: events queued before the wait ended stay readable, even after an exit.
    if (auto r = state_.read_all(handler.events_); !r) {
        return Unexpected(r.error());
    }
    if (!w) {
        state_.pending.insert(state_.pending.end(), handler.events_.begin(), handler.events_.end());
        return Unexpected(w.error());
    }
    return handler;
}

PTRACE_API_DECL Result<NonblockTracer> Tracer::into_nonblocking() && {
    if (auto r = state_.set_nonblocking(true); !r) {
        return Unexpected(r.error());
    }
    return NonblockTracer(std::move(state_));
}

PTRACE_API_DECL Result<std::optional<PtraceEvent>> NonblockTracer::read_event() {
    state_.require_valid();
    if (state_.pending.empty()) {
        if (auto r = state_.read_all(state_.pending); !r) {
            return Unexpected(r.error());
        }
    }
    if (state_.pending.empty()) {
        return std::optional<PtraceEvent>{};
    }
    const PtraceEvent ev = state_.pending.front();
    state_.pending.erase(state_.pending.begin());
    return std::optional<PtraceEvent>{ev};
}

PTRACE_API_DECL Result<Tracer> NonblockTracer::into_blocking() && {
    if (auto r = state_.set_nonblocking(false); !r) {
        return Unexpected(r.error());
    }
    return Tracer(std::move(state_));
}

} // namespace ptrace_api
