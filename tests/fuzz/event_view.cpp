// SPDX-License-Identifier: MIT
// Fuzzes the 56-byte PtraceEvent record as a tracer reads it from a trace handle: from_bytes,
// view() and to_event(), and both Debug texts, over arbitrary bytes.
//
// Properties (spec 1.2, include/ptrace/event.hpp, tests/unit/event_test.cpp):
// - from_bytes accepts exactly 56 bytes and as_bytes gives them back;
// - view() is Unknown exactly when the cause is not one of the seven known single causes,
//   and an Unknown record encodes back to itself, byte for byte;
// - a known cause keeps its payload: to_event(view(e)) is e with the fields that cause does not
//   use set to zero (the record's documented form: "unused fields are zero"), for a SIGNAL whose
//   signal number fits an int; and view() of that record is the same view (the typed view is a
//   fixed point);
// - the Debug texts have their documented shape and name the cause.
#include <ptrace/bytes.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <variant>

#include "fuzz.hpp"

namespace {

using ptrace_api::PtraceEvent;
using ptrace_api::PtraceFlags;
namespace events = ptrace_api::events;

std::string describe(const PtraceEvent& e) {
    return ptrace_api::to_string(e);
}

/// The record as its cause defines it: the payload fields it uses, zeros elsewhere.
PtraceEvent canonical(const PtraceEvent& e) {
    using F = PtraceFlags;
    if (e.cause == F::STOP_SIGNAL) {
        return PtraceEvent::of(e.cause, e.a, e.b);
    }
    if (e.cause == F::STOP_EXIT || e.cause == F::EVENT_CLONE || e.cause == F::STOP_EXEC) {
        return PtraceEvent::of(e.cause, e.a);
    }
    return PtraceEvent::of(e.cause);
}

bool known_cause(PtraceFlags cause) {
    using F = PtraceFlags;
    for (const PtraceFlags f :
         {F::STOP_PRE_SYSCALL, F::STOP_POST_SYSCALL, F::STOP_SINGLESTEP, F::STOP_SIGNAL,
          F::STOP_BREAKPOINT, F::STOP_EXIT, F::EVENT_CLONE, F::STOP_EXEC}) {
        if (cause == f) {
            return true;
        }
    }
    return false;
}

void check_record(const PtraceEvent& e) {
    const ptrace_api::EventView meaning = ptrace_api::view(e);
    const bool unknown = std::holds_alternative<events::Unknown>(meaning);
    FUZZ_CHECK(unknown == !known_cause(e.cause), describe(e));
    const PtraceEvent back = ptrace_api::to_event(meaning);
    if (unknown) {
        FUZZ_CHECK(std::get<events::Unknown>(meaning).event == e, describe(e));
        FUZZ_CHECK(back == e, describe(e));
    } else {
        FUZZ_CHECK(back.cause == e.cause, describe(e));
        const bool signal_fits = e.cause != PtraceFlags::STOP_SIGNAL ||
                                 e.a <= static_cast<std::uint64_t>(std::numeric_limits<int>::max());
        if (signal_fits) {
            FUZZ_CHECK(back == canonical(e), describe(e) + " encodes back as " + describe(back));
        }
        FUZZ_CHECK(ptrace_api::view(back) == meaning, describe(e));
    }
    if (const auto* s = std::get_if<events::Signal>(&meaning)) {
        FUZZ_CHECK(s->handler == e.b, describe(e));
        FUZZ_CHECK(s->is_default() + s->is_ignored() + s->is_caught() == 1, describe(e));
    }
    if (const auto* x = std::get_if<events::Exit>(&meaning)) {
        FUZZ_CHECK(x->status.raw == e.a, describe(e));
        FUZZ_CHECK(!(x->status.exited() && x->status.signaled()), describe(e));
        FUZZ_CHECK(x->status.exit_code() >= 0 && x->status.exit_code() <= 255, describe(e));
    }
    if (const auto* c = std::get_if<events::Clone>(&meaning)) {
        FUZZ_CHECK(c->pid == e.a, describe(e));
    }
    if (const auto* x = std::get_if<events::Exec>(&meaning)) {
        FUZZ_CHECK(x->former_tid == e.a, describe(e));
    }

    // Debug texts: Redox's record form, and the typed form.
    const std::string text = ptrace_api::to_string(e);
    FUZZ_CHECK(text.starts_with("PtraceEvent { cause: " + e.cause.to_string() +
                                ", a: " + std::to_string(e.a) + ", b: "),
               text);
    FUZZ_CHECK(text.ends_with(", f: " + std::to_string(e.f) + " }"), text);
    std::ostringstream stream;
    stream << e;
    FUZZ_CHECK(stream.str() == text, text);
    const std::string typed = ptrace_api::to_string(meaning);
    FUZZ_CHECK(!typed.empty() && fuzz::printable(typed), typed);
    FUZZ_CHECK(unknown == typed.starts_with("Unknown(" + text), typed);
    std::ostringstream typed_stream;
    typed_stream << meaning;
    FUZZ_CHECK(typed_stream.str() == typed, typed);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto bytes = std::as_bytes(std::span(data, size));
    // Whole input: a record only when it is exactly 56 bytes.
    const auto whole = ptrace_api::from_bytes<PtraceEvent>(bytes);
    FUZZ_CHECK(whole.has_value() == (size == sizeof(PtraceEvent)), std::to_string(size));
    // Every whole record the input holds, as a read of several records returns them.
    for (std::size_t at = 0; at + sizeof(PtraceEvent) <= size; at += sizeof(PtraceEvent)) {
        const auto record = ptrace_api::from_bytes<PtraceEvent>(bytes.subspan(at, 56));
        FUZZ_CHECK(record.has_value(), std::to_string(at));
        const auto again = ptrace_api::as_bytes(*record);
        FUZZ_CHECK(
            std::equal(again.begin(), again.end(), bytes.begin() + static_cast<std::ptrdiff_t>(at)),
            describe(*record));
        check_record(*record);
    }
    // A short tail is padded with zeros: small inputs still reach every cause.
    if (size % sizeof(PtraceEvent) != 0) {
        PtraceEvent tail{};
        auto out = ptrace_api::as_writable_bytes(tail);
        const std::size_t start = size - size % sizeof(PtraceEvent);
        std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(start), bytes.end(), out.begin());
        check_record(tail);
    }
    return 0;
}
