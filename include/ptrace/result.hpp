// SPDX-License-Identifier: MIT
// Result<T>: the one error model of the library, shaped like C++23 std::expected.
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/detail/expected.hpp>

#include <cerrno>
#include <system_error>
#include <type_traits>
#include <utility>

namespace ptrace_api {

/// The error half of a Result: an errno value in std::generic_category().
/// It converts to any Result<T>, like std::unexpected.
class Unexpected {
public:
    explicit Unexpected(std::error_code code) noexcept : code_(code) {}

    [[nodiscard]] std::error_code code() const noexcept { return code_; }

private:
    std::error_code code_;
};

/// Makes the error for `e`, e.g. `return unexpected(std::errc::no_such_process);`.
[[nodiscard]] inline Unexpected unexpected(std::errc e) noexcept {
    return Unexpected(std::make_error_code(e));
}

/// Makes the error for a raw errno value, e.g. right after a failed system call.
[[nodiscard]] inline Unexpected unexpected_errno(int err) noexcept {
    return Unexpected(std::error_code(err, std::generic_category()));
}

/// A value or the errno that prevented it. Expected outcomes are values: "no event" is an
/// empty optional, not an error. Only value() throws (std::system_error with the code).
template <class T>
class [[nodiscard]] Result {
    static_assert(!std::is_same_v<T, Unexpected>, "Result<Unexpected>");

public:
    using value_type = T;

    // Implicit on purpose: a T is a successful Result.
    Result(T value) noexcept(std::is_nothrow_move_constructible_v<T>)
        : storage_(std::in_place_index<0>, std::move(value)) {}
    // Implicit on purpose: an Unexpected is a failed Result.
    Result(Unexpected error) noexcept : storage_(std::in_place_index<1>, error.code()) {}

    [[nodiscard]] bool has_value() const noexcept { return storage_.has_value(); }
    explicit operator bool() const noexcept { return has_value(); }

    /// The error; `std::error_code{}` (no error) when there is a value.
    [[nodiscard]] std::error_code error() const noexcept {
        return has_value() ? std::error_code{} : storage_.error();
    }

    /// The value, or throws std::system_error carrying the errno.
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

    /// The value, or `fallback` converted to T.
    template <class U>
    [[nodiscard]] T value_or(U&& fallback) const& {
        return has_value() ? storage_.value() : static_cast<T>(std::forward<U>(fallback));
    }
    template <class U>
    [[nodiscard]] T value_or(U&& fallback) && {
        return has_value() ? std::move(storage_.value())
                           : static_cast<T>(std::forward<U>(fallback));
    }

    /// The value. \pre has_value(): checked always (PTRACE_API_ASSERT), not undefined.
    T& operator*() & noexcept { return checked(); }
    const T& operator*() const& noexcept { return checked(); }
    T&& operator*() && noexcept { return std::move(checked()); }
    T* operator->() noexcept { return &checked(); }
    const T* operator->() const noexcept { return &checked(); }

private:
    void throw_if_error() const {
        if (!has_value()) {
            throw std::system_error(storage_.error());
        }
    }
    T& checked() noexcept {
        return storage_.checked_value("dereferenced a Result that holds an error");
    }
    const T& checked() const noexcept {
        return storage_.checked_value("dereferenced a Result that holds an error");
    }

    // A tagged union, not std::variant: cheaper to compile (detail/expected.hpp).
    detail::Expected<T, std::error_code> storage_;
};

/// Success or the errno that prevented it.
template <>
class [[nodiscard]] Result<void> {
public:
    using value_type = void;

    Result() noexcept = default;
    // Implicit on purpose: an Unexpected is a failed Result.
    Result(Unexpected error) noexcept : error_(error.code()) {}

    [[nodiscard]] bool has_value() const noexcept { return !error_; }
    explicit operator bool() const noexcept { return has_value(); }
    [[nodiscard]] std::error_code error() const noexcept { return error_; }

    /// Throws std::system_error carrying the errno if this holds an error.
    void value() const {
        if (error_) {
            throw std::system_error(error_);
        }
    }

private:
    std::error_code error_;
};

} // namespace ptrace_api
