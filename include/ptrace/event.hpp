// SPDX-License-Identifier: MIT
// PtraceEvent: the 56-byte record read from a trace handle, and a typed view to switch on.
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/detail/reflect.hpp>
#include <ptrace/flags.hpp>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <type_traits>
#include <variant>

namespace ptrace_api {

/// One event read from a trace handle (spec 1.2): `cause` is exactly one flag, `a`..`f` its
/// payload (unused fields are zero). A read returns a whole number of these records.
struct PtraceEvent {
    PTRACE_API_REFLECTED(PtraceEvent, (PtraceFlags, cause), (std::uint64_t, a), (std::uint64_t, b),
                         (std::uint64_t, c), (std::uint64_t, d), (std::uint64_t, e),
                         (std::uint64_t, f));

    /// The record for `cause` with payload `a`, `b` and the other fields zero.
    [[nodiscard]] static constexpr PtraceEvent of(PtraceFlags cause, std::uint64_t a = 0,
                                                  std::uint64_t b = 0) noexcept {
        return PtraceEvent{cause, a, b, 0, 0, 0, 0};
    }

    friend constexpr bool operator==(const PtraceEvent&, const PtraceEvent&) = default;
};

static_assert(sizeof(PtraceEvent) == 56 && alignof(PtraceEvent) == 8);
static_assert(std::is_trivially_copyable_v<PtraceEvent> && std::is_standard_layout_v<PtraceEvent>);
static_assert(std::has_unique_object_representations_v<PtraceEvent>, "no padding in the record");
static_assert(detail::member_count<PtraceEvent> == 7);

/// A wait(2)-encoded exit status, as carried by EXIT events: `(code & 0xff) << 8` for an exit,
/// the signal number for a death by signal (no core-dump bit, spec 1.2).
struct WaitStatus {
    std::uint64_t raw = 0;

    [[nodiscard]] constexpr bool exited() const noexcept { return (raw & 0x7f) == 0; }
    [[nodiscard]] constexpr int exit_code() const noexcept {
        return static_cast<int>((raw >> 8) & 0xff);
    }
    [[nodiscard]] constexpr bool signaled() const noexcept {
        return (raw & 0x7f) != 0 && (raw & 0x7f) != 0x7f;
    }
    [[nodiscard]] constexpr int term_signal() const noexcept {
        return static_cast<int>(raw & 0x7f);
    }

    friend constexpr bool operator==(WaitStatus, WaitStatus) = default;
};

/// Typed meanings of an event, one per cause (spec 1.2).
namespace events {
struct PreSyscall {
    friend constexpr bool operator==(PreSyscall, PreSyscall) = default;
};
struct PostSyscall {
    friend constexpr bool operator==(PostSyscall, PostSyscall) = default;
};
struct SingleStep {
    friend constexpr bool operator==(SingleStep, SingleStep) = default;
};
/// A signal about to be acted on; `handler` is 0 for SIG_DFL, 1 for SIG_IGN, else the address
/// of the tracee's handler.
struct Signal {
    int signal = 0;
    std::uint64_t handler = 0;

    [[nodiscard]] constexpr bool is_default() const noexcept { return handler == 0; }
    [[nodiscard]] constexpr bool is_ignored() const noexcept { return handler == 1; }
    [[nodiscard]] constexpr bool is_caught() const noexcept { return handler > 1; }
    friend constexpr bool operator==(Signal, Signal) = default;
};
struct Breakpoint {
    friend constexpr bool operator==(Breakpoint, Breakpoint) = default;
};
/// The tracee is about to exit with `status`.
struct Exit {
    WaitStatus status;
    friend constexpr bool operator==(Exit, Exit) = default;
};
/// The tracee created the thread or process `pid`.
struct Clone {
    std::uint64_t pid = 0;
    friend constexpr bool operator==(Clone, Clone) = default;
};
/// The tracee executed a new program and is at its first instruction (STOP_EXEC, an
/// extension: decision 26). `former_tid` is the thread that called exec: another thread than
/// the leader takes the leader's TID, which is the tracee's now.
struct Exec {
    std::uint64_t former_tid = 0;
    friend constexpr bool operator==(Exec, Exec) = default;
};
/// A record whose cause this library does not know (or that is not exactly one known bit).
struct Unknown {
    PtraceEvent event;
    friend constexpr bool operator==(const Unknown&, const Unknown&) = default;
};
} // namespace events

using EventView =
    std::variant<events::PreSyscall, events::PostSyscall, events::SingleStep, events::Signal,
                 events::Breakpoint, events::Exit, events::Clone, events::Exec, events::Unknown>;

// view, to_event and to_string use these indexes.
static_assert(std::is_same_v<std::variant_alternative_t<0, EventView>, events::PreSyscall> &&
              std::is_same_v<std::variant_alternative_t<1, EventView>, events::PostSyscall> &&
              std::is_same_v<std::variant_alternative_t<2, EventView>, events::SingleStep> &&
              std::is_same_v<std::variant_alternative_t<3, EventView>, events::Signal> &&
              std::is_same_v<std::variant_alternative_t<4, EventView>, events::Breakpoint> &&
              std::is_same_v<std::variant_alternative_t<5, EventView>, events::Exit> &&
              std::is_same_v<std::variant_alternative_t<6, EventView>, events::Clone> &&
              std::is_same_v<std::variant_alternative_t<7, EventView>, events::Exec> &&
              std::is_same_v<std::variant_alternative_t<8, EventView>, events::Unknown>);

/// The typed meaning of `event`, for `std::visit` or `std::get_if`.
[[nodiscard]] constexpr EventView view(const PtraceEvent& event) noexcept {
    // std::in_place_index builds the alternative in place: no converting constructor (and its
    // overload set over the nine alternatives) is instantiated per return, and no search of
    // the alternatives for a type (the static_assert above pins the indexes).
    using F = PtraceFlags;
    using std::in_place_index;
    const F cause = event.cause;
    if (cause == F::STOP_PRE_SYSCALL) {
        return EventView(in_place_index<0>);
    }
    if (cause == F::STOP_POST_SYSCALL) {
        return EventView(in_place_index<1>);
    }
    if (cause == F::STOP_SINGLESTEP) {
        return EventView(in_place_index<2>);
    }
    if (cause == F::STOP_SIGNAL) {
        return EventView(in_place_index<3>, events::Signal{static_cast<int>(event.a), event.b});
    }
    if (cause == F::STOP_BREAKPOINT) {
        return EventView(in_place_index<4>);
    }
    if (cause == F::STOP_EXIT) {
        return EventView(in_place_index<5>, events::Exit{WaitStatus{event.a}});
    }
    if (cause == F::EVENT_CLONE) {
        return EventView(in_place_index<6>, events::Clone{event.a});
    }
    if (cause == F::STOP_EXEC) {
        return EventView(in_place_index<7>, events::Exec{event.a});
    }
    return EventView(in_place_index<8>, events::Unknown{event});
}

/// The record for a typed event (what a trace handle queues).
[[nodiscard]] constexpr PtraceEvent to_event(const EventView& meaning) noexcept {
    // A switch on the index, not std::visit: visit's dispatch table over nine alternatives
    // would be instantiated in every translation unit that includes this header.
    using F = PtraceFlags;
    switch (meaning.index()) {
    case 0:
        return PtraceEvent::of(F::STOP_PRE_SYSCALL);
    case 1:
        return PtraceEvent::of(F::STOP_POST_SYSCALL);
    case 2:
        return PtraceEvent::of(F::STOP_SINGLESTEP);
    case 3: {
        const events::Signal& s = *std::get_if<3>(&meaning);
        return PtraceEvent::of(F::STOP_SIGNAL, static_cast<std::uint64_t>(s.signal), s.handler);
    }
    case 4:
        return PtraceEvent::of(F::STOP_BREAKPOINT);
    case 5:
        return PtraceEvent::of(F::STOP_EXIT, std::get_if<5>(&meaning)->status.raw);
    case 6:
        return PtraceEvent::of(F::EVENT_CLONE, std::get_if<6>(&meaning)->pid);
    case 7:
        return PtraceEvent::of(F::STOP_EXEC, std::get_if<7>(&meaning)->former_tid);
    default: // 8, events::Unknown (the alternatives cannot make the variant valueless)
        break;
    }
    const auto* unknown = std::get_if<8>(&meaning);
    return unknown != nullptr ? unknown->event : PtraceEvent{};
}

/// Rust's derived Debug text, as Redox prints the record:
/// `PtraceEvent { cause: PtraceFlags(PTRACE_STOP_SIGNAL), a: 10, b: 0, c: 0, d: 0, e: 0, f: 0 }`.
[[nodiscard]] PTRACE_API_DECL std::string to_string(const PtraceEvent& event);

/// Debug text of a typed event: `Signal { signal: 10, handler: 0x401136 }`, `PreSyscall`.
[[nodiscard]] PTRACE_API_DECL std::string to_string(const EventView& meaning);

// Templates, so that this header needs only <iosfwd>: a program that prints has <ostream>.
template <class Traits>
std::basic_ostream<char, Traits>& operator<<(std::basic_ostream<char, Traits>& out,
                                             const PtraceEvent& event) {
    return out << to_string(event);
}

namespace events {
// In the namespace of the alternatives, so that argument-dependent lookup finds it for the
// std::variant EventView.
template <class Traits>
std::basic_ostream<char, Traits>& operator<<(std::basic_ostream<char, Traits>& out,
                                             const EventView& meaning) {
    return out << ptrace_api::to_string(meaning);
}
} // namespace events

} // namespace ptrace_api

#if !defined(PTRACE_API_SEPARATE_COMPILATION)
#include <ptrace/impl/event.ipp>
#endif
