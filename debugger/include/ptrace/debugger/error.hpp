// SPDX-License-Identifier: MIT
// The debugger kit's error: an errno-style code (what kind of failure) with a message saying
// what failed and where ("maps line 3: ...", "/usr/bin/ls: section 7: ..."), and DebugResult<T>,
// shaped like Result<T> but carrying that error. The kit reads files whose contents the caller
// does not control, so a bare errno would not tell which line or which header field was wrong.
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/detail/expected.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

namespace ptrace_api::debugger {

/// Why a debugger-kit operation failed. `code` is an errno in std::generic_category():
/// the one of the failed system call (ENOENT, EACCES, ESRCH ...), EINVAL for a malformed maps
/// line, ENOEXEC for a file that is not a well-formed ELF64 x86_64 object. `message` names the
/// input and the place ("/proc/42/maps line 3: ...").
struct DebugError {
    std::error_code code;
    std::string message;

    /// "MESSAGE (STRERROR)".
    [[nodiscard]] std::string describe() const { return message + " (" + code.message() + ")"; }
};

/// Makes a DebugError from an errc and a message.
[[nodiscard]] inline DebugError debug_error(std::errc e, std::string message) {
    return DebugError{std::make_error_code(e), std::move(message)};
}

/// Makes a DebugError from a raw errno value (right after a failed system call).
[[nodiscard]] inline DebugError debug_errno(int err, std::string message) {
    return DebugError{std::error_code(err, std::generic_category()), std::move(message)};
}

/// A value or the DebugError that prevented it (shaped like Result<T>). value() throws
/// std::system_error with the code and the message; nothing else throws.
template <class T>
class [[nodiscard]] DebugResult {
    static_assert(!std::is_reference_v<T>, "DebugResult<T&> is not supported");

public:
    using value_type = T;

    // Implicit on purpose, like Result: a T is a success, a DebugError a failure.
    DebugResult(T value) noexcept(std::is_nothrow_move_constructible_v<T>)
        : storage_(std::in_place_index<0>, std::move(value)) {}
    DebugResult(DebugError error) noexcept : storage_(std::in_place_index<1>, std::move(error)) {}

    [[nodiscard]] bool has_value() const noexcept { return storage_.has_value(); }
    explicit operator bool() const noexcept { return has_value(); }

    /// \pre !has_value()
    [[nodiscard]] const DebugError& error() const noexcept {
        return storage_.checked_error("asked a DebugResult that holds a value for its error");
    }

    /// The value, or throws std::system_error(code, message).
    T& value() & {
        throw_if_error();
        return storage_.value();
    }
    const T& value() const& {
        throw_if_error();
        return storage_.value();
    }
    T&& value() && {
        throw_if_error();
        return std::move(storage_.value());
    }

    /// \pre has_value()
    T& operator*() & noexcept { return checked(); }
    const T& operator*() const& noexcept { return checked(); }
    T&& operator*() && noexcept { return std::move(checked()); }
    T* operator->() noexcept { return &checked(); }
    const T* operator->() const noexcept { return &checked(); }

private:
    T& checked() noexcept {
        return storage_.checked_value("dereferenced a DebugResult that holds an error");
    }
    const T& checked() const noexcept {
        return storage_.checked_value("dereferenced a DebugResult that holds an error");
    }

    void throw_if_error() const {
        if (!has_value()) {
            const DebugError& e = storage_.error();
            throw std::system_error(e.code, e.message);
        }
    }

    ptrace_api::detail::Expected<T, DebugError> storage_; // a tagged union (detail/expected.hpp)
};

/// Success or the DebugError that prevented it, for operations without a value.
template <>
class [[nodiscard]] DebugResult<void> {
public:
    using value_type = void;

    DebugResult() noexcept = default;
    // Implicit on purpose, like DebugResult<T>.
    DebugResult(DebugError error) noexcept : error_(std::move(error)) {}

    [[nodiscard]] bool has_value() const noexcept { return !error_.has_value(); }
    explicit operator bool() const noexcept { return has_value(); }

    /// \pre !has_value()
    [[nodiscard]] const DebugError& error() const noexcept {
        PTRACE_API_ASSERT(!has_value(), "asked a DebugResult that holds a value for its error");
        return *error_;
    }

    /// Throws std::system_error(code, message) on an error.
    void value() const {
        if (error_) {
            throw std::system_error(error_->code, error_->message);
        }
    }

private:
    std::optional<DebugError> error_;
};

namespace detail {

/// "0x4011d6" (shared by the kit's messages).
inline std::string hex_address(std::uint64_t address) {
    constexpr char digits[] = "0123456789abcdef";
    std::string out;
    do {
        out.insert(out.begin(), digits[address & 0xfU]);
        address >>= 4U;
    } while (address != 0);
    return "0x" + out;
}

} // namespace detail

} // namespace ptrace_api::debugger
