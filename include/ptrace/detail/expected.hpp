// SPDX-License-Identifier: MIT
// The storage of the library's result types (Result, FlagsParseResult, and the kits'
// PolicyResult and DebugResult): a value of T or an error of E, as a tagged union.
//
// std::variant<T, E> does the same, but each distinct variant a translation unit uses
// instantiates its storage, its special-member bases and std::get; this costs each result
// type a handful of small members (README, "Compile cost"). Copyable and movable exactly as
// T and E are; the noexcept of each special member follows theirs.
#pragma once

#include <ptrace/config.hpp>

#include <new>
#include <type_traits>
#include <utility>

namespace ptrace_api::detail {

template <class T, class E>
class Expected {
    static_assert(std::is_object_v<T> && !std::is_array_v<T> && !std::is_const_v<T> &&
                      !std::is_volatile_v<T>,
                  "the value is a non-const, non-volatile object type");
    static_assert(std::is_object_v<E> && !std::is_array_v<E> && !std::is_const_v<E> &&
                      !std::is_volatile_v<E>,
                  "the error is a non-const, non-volatile object type");
    // An assignment that changes a value into an error (or back) keeps the old error while it
    // builds the new value, and must be able to put it back when that throws.
    static_assert(std::is_nothrow_move_constructible_v<E>, "errors are nothrow-movable");

    static constexpr bool copy_constructible =
        std::is_copy_constructible_v<T> && std::is_copy_constructible_v<E>;
    static constexpr bool copy_assignable =
        copy_constructible && std::is_copy_assignable_v<T> && std::is_copy_assignable_v<E>;
    static constexpr bool move_constructible = std::is_move_constructible_v<T>;
    static constexpr bool move_assignable =
        move_constructible && std::is_move_assignable_v<T> && std::is_move_assignable_v<E>;
    static constexpr bool nothrow_copy =
        std::is_nothrow_copy_constructible_v<T> && std::is_nothrow_copy_constructible_v<E>;
    static constexpr bool nothrow_copy_assign = nothrow_copy &&
                                                std::is_nothrow_copy_assignable_v<T> &&
                                                std::is_nothrow_copy_assignable_v<E>;
    static constexpr bool nothrow_move = std::is_nothrow_move_constructible_v<T>;
    static constexpr bool nothrow_move_assign = nothrow_move &&
                                                std::is_nothrow_move_assignable_v<T> &&
                                                std::is_nothrow_move_assignable_v<E>;

public:
    /// A value, built from `args`.
    template <class... Args>
    explicit Expected(std::in_place_index_t<0>,
                      Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args...>)
        : value_(std::forward<Args>(args)...), has_value_(true) {}
    /// An error, built from `args`.
    template <class... Args>
    explicit Expected(std::in_place_index_t<1>,
                      Args&&... args) noexcept(std::is_nothrow_constructible_v<E, Args...>)
        : error_(std::forward<Args>(args)...), has_value_(false) {}

    Expected(const Expected& other) noexcept(nothrow_copy) requires copy_constructible {
        if (other.has_value_) {
            construct_value(other.value_);
        } else {
            construct_error(other.error_);
        }
    }
    Expected(Expected&& other) noexcept(nothrow_move) requires move_constructible {
        if (other.has_value_) {
            construct_value(std::move(other.value_));
        } else {
            construct_error(std::move(other.error_));
        }
    }
    Expected&
    operator=(const Expected& other) noexcept(nothrow_copy_assign) requires copy_assignable {
        assign(other);
        return *this;
    }
    Expected& operator=(Expected&& other) noexcept(nothrow_move_assign) requires move_assignable {
        assign(std::move(other));
        return *this;
    }
    ~Expected() { destroy(); }

    [[nodiscard]] bool has_value() const noexcept { return has_value_; }

    /// The value. \pre has_value() (the result types check it before they call).
    [[nodiscard]] T& value() noexcept { return value_; }
    [[nodiscard]] const T& value() const noexcept { return value_; }
    /// The error. \pre !has_value()
    [[nodiscard]] E& error() noexcept { return error_; }
    [[nodiscard]] const E& error() const noexcept { return error_; }

    /// The value; without one, a broken precondition of the caller: prints `message` and
    /// aborts (PTRACE_API_ASSERT). What the result types' operator* and -> return.
    [[nodiscard]] T& checked_value(const char* message) noexcept {
        PTRACE_API_ASSERT(has_value_, message);
        return value_;
    }
    [[nodiscard]] const T& checked_value(const char* message) const noexcept {
        PTRACE_API_ASSERT(has_value_, message);
        return value_;
    }
    /// The error; with a value instead, prints `message` and aborts.
    [[nodiscard]] const E& checked_error(const char* message) const noexcept {
        PTRACE_API_ASSERT(!has_value_, message);
        return error_;
    }

private:
    // std::addressof without <memory>, which nothing else here needs.
    template <class... Args>
    void construct_value(Args&&... args) {
        ::new (static_cast<void*>(__builtin_addressof(value_))) T(std::forward<Args>(args)...);
        has_value_ = true;
    }
    template <class... Args>
    void construct_error(Args&&... args) {
        ::new (static_cast<void*>(__builtin_addressof(error_))) E(std::forward<Args>(args)...);
        has_value_ = false;
    }
    void destroy() noexcept {
        if (has_value_) {
            value_.~T();
        } else {
            error_.~E();
        }
    }

    /// Assigns `other` (an Expected, as an lvalue or an rvalue). The two cases that change
    /// the alternative build the new one before the old one is lost: value -> error builds the
    /// error aside first (E moves without throwing); error -> value keeps the error aside and
    /// puts it back if building the value throws. Either way *this still holds a value or an
    /// error after an exception.
    template <class Other>
    void assign(Other&& other) {
        if (has_value_ && other.has_value_) {
            value_ = std::forward<Other>(other).value_;
        } else if (!has_value_ && !other.has_value_) {
            error_ = std::forward<Other>(other).error_;
        } else if (other.has_value_) {
            E saved(std::move(error_));
            error_.~E();
            try {
                construct_value(std::forward<Other>(other).value_);
            } catch (...) {
                construct_error(std::move(saved));
                throw;
            }
        } else {
            E error(std::forward<Other>(other).error_);
            value_.~T();
            construct_error(std::move(error));
        }
    }

    union {
        T value_; // alive exactly when has_value_
        E error_; // alive exactly when !has_value_
    };
    bool has_value_;
};

} // namespace ptrace_api::detail
