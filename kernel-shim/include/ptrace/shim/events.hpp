// SPDX-License-Identifier: MIT
// A session's event queue as the user calls see it, without the tracer thread, the mutex or a
// Linux call: a read takes whole events off the queue, oldest first (C1, C2), and marks the
// clone children whose events it copied as read (F2); the handle is readable iff events are
// queued or the tracee exited (C8); a blocking write waits until its breakpoint is reached,
// an event is queued, the tracee exits or the session is closed (B7, C5, C6). The machine
// queues the events (tracees.hpp push_event); io.hpp calls these with the mutex held, and
// tests/shim/events_test.cpp on the scripted machine.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/shim/state.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>
#include <vector>

#include <sys/types.h>

namespace ptrace_api::shim::detail {

/// C8: a trace handle is readable iff events are queued or its tracee exited.
inline bool readable(const Session& s) noexcept {
    return !s.queue.empty() || s.exited;
}

/// What a read took off a session's queue (take_events).
struct TakenEvents {
    std::size_t bytes = 0;       ///< 56 per event copied (C1)
    bool still_readable = false; ///< C8 afterwards; false: the read emptied a live queue
};

/// C1/C2: copies `k = min(floor(len / 56), queued)` whole events into `buf`, oldest first,
/// and removes them; 0 bytes when none is queued or `len < 56`. Never blocks. F2: a child
/// whose EVENT_CLONE is copied counts as read from now on (the next write or the close
/// releases it).
inline TakenEvents take_events(Session& s, std::span<std::byte> buf) {
    const std::size_t n = std::min(buf.size() / sizeof(PtraceEvent), s.queue.size());
    for (std::size_t i = 0; i < n; ++i) {
        const PtraceEvent ev = s.queue.front();
        s.queue.pop_front();
        std::memcpy(buf.data() + i * sizeof(PtraceEvent), &ev, sizeof ev);
        if (rules::cause_bits(ev) == PtraceFlags::EVENT_CLONE.bits()) {
            const auto tid = static_cast<pid_t>(ev.a);
            if (std::erase(s.unread_children, tid) != 0) {
                s.read_children.push_back(tid);
            }
        }
    }
    return {n * sizeof(PtraceEvent), readable(s)};
}

/// B7 (C5, C6): a blocking write stops waiting once its breakpoint is reached, an event is
/// unread (at once if one was unread already), the tracee exited, the session was closed, or
/// an error is due (a stolen stop, Requests::check_stolen).
inline bool write_wait_over(const Session& s) noexcept {
    return (s.bp && s.reached) || !s.queue.empty() || s.exited || s.closed || s.error != 0;
}

/// B7/G1: a write whose wait is over returns ESRCH when the tracee exited and neither a
/// reached breakpoint nor an unread event ended the wait; 8 otherwise.
inline bool write_wait_exited(const Session& s) noexcept {
    return s.exited && !(s.bp && s.reached) && s.queue.empty();
}

} // namespace ptrace_api::shim::detail
