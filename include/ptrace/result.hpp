// SPDX-License-Identifier: MIT
// Result<T>: the one error model of the library, shaped like C++23 std::expected.
#pragma once

#include <ptrace/config.hpp>

#include <cerrno>
#include <new>
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
    static_assert(std::is_object_v<T> && !std::is_array_v<T> && !std::is_const_v<T> &&
                      !std::is_volatile_v<T>,
                  "Result<T> holds a non-const, non-volatile object type");
    static_assert(!std::is_same_v<T, Unexpected>, "Result<Unexpected>");

    // The special members T allows, and whether they may throw.
    static constexpr bool copy_constructible = std::is_copy_constructible_v<T>;
    static constexpr bool copy_assignable = copy_constructible && std::is_copy_assignable_v<T>;
    static constexpr bool move_constructible = std::is_move_constructible_v<T>;
    static constexpr bool move_assignable = move_constructible && std::is_move_assignable_v<T>;
    static constexpr bool nothrow_copy = std::is_nothrow_copy_constructible_v<T>;
    static constexpr bool nothrow_copy_assign =
        nothrow_copy && std::is_nothrow_copy_assignable_v<T>;
    static constexpr bool nothrow_move = std::is_nothrow_move_constructible_v<T>;
    static constexpr bool nothrow_move_assign =
        nothrow_move && std::is_nothrow_move_assignable_v<T>;

public:
    using value_type = T;

    // Implicit on purpose: a T is a successful Result.
    Result(T value) noexcept(std::is_nothrow_move_constructible_v<T>)
        : value_(std::move(value)), has_value_(true) {}
    // Implicit on purpose: an Unexpected is a failed Result.
    Result(Unexpected error) noexcept : error_(error.code()) {}

    // A tagged union rather than std::variant<T, std::error_code>: the same behaviour, but a
    // Result<T> costs each translation unit that uses it a few small functions instead of
    // variant's machinery (README, "Compile cost"). Copyable and movable as T is.
    Result(const Result& other) noexcept(nothrow_copy) requires copy_constructible
        : error_(other.error_) {
        if (other.has_value_) {
            construct(other.value_);
        }
    }
    Result(Result&& other) noexcept(nothrow_move) requires move_constructible
        : error_(other.error_) {
        if (other.has_value_) {
            construct(std::move(other.value_));
        }
    }
    Result& operator=(const Result& other) noexcept(nothrow_copy_assign) requires copy_assignable {
        assign(other);
        return *this;
    }
    Result& operator=(Result&& other) noexcept(nothrow_move_assign) requires move_assignable {
        assign(std::move(other));
        return *this;
    }
    ~Result() { destroy(); }

    [[nodiscard]] bool has_value() const noexcept { return has_value_; }
    explicit operator bool() const noexcept { return has_value_; }

    /// The error; `std::error_code{}` (no error) when there is a value.
    [[nodiscard]] std::error_code error() const noexcept {
        return has_value_ ? std::error_code{} : error_;
    }

    /// The value; throws std::system_error with the code when there is none.
    T& value() & {
        throw_if_error();
        return value_;
    }
    const T& value() const& {
        throw_if_error();
        return value_;
    }
    T&& value() && {
        throw_if_error();
        return std::move(value_);
    }

    /// The value, or `fallback` converted to T.
    template <class U>
    [[nodiscard]] T value_or(U&& fallback) const& {
        return has_value_ ? value_ : static_cast<T>(std::forward<U>(fallback));
    }
    template <class U>
    [[nodiscard]] T value_or(U&& fallback) && {
        return has_value_ ? std::move(value_) : static_cast<T>(std::forward<U>(fallback));
    }

    /// The value. \pre has_value(): checked always (PTRACE_API_ASSERT), not undefined.
    T& operator*() & noexcept { return checked(); }
    const T& operator*() const& noexcept { return checked(); }
    T&& operator*() && noexcept { return std::move(checked()); }
    T* operator->() noexcept { return &checked(); }
    const T* operator->() const noexcept { return &checked(); }

private:
    template <class... Args>
    void construct(Args&&... args) {
        // std::addressof without <memory>, which nothing else here needs.
        ::new (static_cast<void*>(__builtin_addressof(value_))) T(std::forward<Args>(args)...);
        has_value_ = true;
    }
    void destroy() noexcept {
        if (has_value_) {
            value_.~T();
            has_value_ = false;
        }
    }
    template <class Other>
    void assign(Other&& other) {
        if (has_value_ && other.has_value_) {
            value_ = std::forward<Other>(other).value_;
        } else if (other.has_value_) {
            construct(std::forward<Other>(other).value_); // has_value_ stays false if it throws
        } else {
            destroy();
        }
        error_ = other.error_;
    }
    void throw_if_error() const {
        if (!has_value_) {
            throw std::system_error(error_);
        }
    }
    T& checked() noexcept {
        PTRACE_API_ASSERT(has_value_, "dereferenced a Result that holds an error");
        return value_;
    }
    const T& checked() const noexcept {
        PTRACE_API_ASSERT(has_value_, "dereferenced a Result that holds an error");
        return value_;
    }

    union {
        T value_; // alive exactly when has_value_
    };
    std::error_code error_;
    bool has_value_ = false;
};

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
