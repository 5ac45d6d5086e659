// SPDX-License-Identifier: MIT
// Byte-slice coercion for ABI records: the bytes a tracer writes to or reads from a handle.
#pragma once

#include <cstddef>
#include <cstring>
#include <optional>
#include <span>
#include <type_traits>

namespace ptrace_api {

/// A type whose object representation is exactly its value: trivially copyable, standard
/// layout and without padding. Only such types may be viewed as bytes; the indeterminate
/// padding bytes of other types would otherwise reach a file descriptor.
template <class T>
concept AbiBytes = std::is_trivially_copyable_v<T> && std::is_standard_layout_v<T> &&
    std::has_unique_object_representations_v<T> && !std::is_pointer_v<T>;

/// The native-endian bytes of `value` (Redox: `Deref<Target = [u8]>`).
template <AbiBytes T>
[[nodiscard]] std::span<const std::byte, sizeof(T)> as_bytes(const T& value) noexcept {
    return std::span<const std::byte, sizeof(T)>(reinterpret_cast<const std::byte*>(&value),
                                                 sizeof(T));
}

/// The bytes of `value`, writable: reading into them sets the value.
template <AbiBytes T>
[[nodiscard]] std::span<std::byte, sizeof(T)> as_writable_bytes(T& value) noexcept {
    return std::span<std::byte, sizeof(T)>(reinterpret_cast<std::byte*>(&value), sizeof(T));
}

/// The value whose bytes are `bytes`, or nothing when the size is not exactly sizeof(T).
template <AbiBytes T>
[[nodiscard]] std::optional<T> from_bytes(std::span<const std::byte> bytes) noexcept {
    if (bytes.size() != sizeof(T)) {
        return std::nullopt;
    }
    T value;
    std::memcpy(&value, bytes.data(), sizeof(T));
    return value;
}

} // namespace ptrace_api
