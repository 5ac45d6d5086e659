// SPDX-License-Identifier: MIT
// The memory map of a process: /proc/<pid>/maps parsed into typed entries (range,
// permissions, offset, device, inode, path or pseudo-name), written back in the kernel's own
// format, and the queries a debugger asks of it (which mapping holds an address, which
// mappings belong to a file, where a file is loaded). Plain file I/O; no tracing needed.
#pragma once

#include <ptrace/debugger/detail/file.hpp>
#include <ptrace/debugger/error.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace ptrace_api::debugger {

/// Whether a mapping's pages are private (copy on write) or shared with other mappings.
enum class Sharing : std::uint8_t { Private, Shared };

/// The four permission characters of a maps line ("r-xp").
struct Permissions {
    bool read = false;
    bool write = false;
    bool execute = false;
    Sharing sharing = Sharing::Private;

    /// "r-xp", as the kernel prints it.
    [[nodiscard]] std::string to_string() const {
        return {read ? 'r' : '-', write ? 'w' : '-', execute ? 'x' : '-',
                sharing == Sharing::Shared ? 's' : 'p'};
    }

    /// The permissions for exactly four characters `[r-][w-][x-][ps]`; nullopt otherwise.
    [[nodiscard]] static std::optional<Permissions> parse(std::string_view text) noexcept {
        if (text.size() != 4 || (text[0] != 'r' && text[0] != '-') ||
            (text[1] != 'w' && text[1] != '-') || (text[2] != 'x' && text[2] != '-') ||
            (text[3] != 'p' && text[3] != 's')) {
            return std::nullopt;
        }
        return Permissions{text[0] == 'r', text[1] == 'w', text[2] == 'x',
                           text[3] == 's' ? Sharing::Shared : Sharing::Private};
    }

    friend constexpr bool operator==(const Permissions&, const Permissions&) noexcept = default;
};

/// What a mapping's path column names.
enum class MapKind : std::uint8_t {
    Anonymous, ///< no path: anonymous memory (a thread's stack, malloc's big blocks, ...)
    File,      ///< a mapped file (path starts with '/')
    Heap,      ///< [heap]
    Stack,     ///< [stack] (or [stack:TID] of old kernels)
    Vdso,      ///< [vdso]: the kernel's shared object, an ELF image in memory
    Vvar,      ///< [vvar], [vvar_vclock]: the vDSO's data pages (not readable as ELF)
    Vsyscall,  ///< [vsyscall]: the legacy fixed page at 0xffffffffff600000
    Other,     ///< any other name: [anon:NAME], [uprobes], memfd:..., a path without '/' ...
};

/// One line of /proc/<pid>/maps.
struct MapEntry {
    std::uint64_t start = 0; ///< first byte
    std::uint64_t end = 0;   ///< one past the last byte
    Permissions perms;
    std::uint64_t offset = 0; ///< offset in the file of `start` (0 for anonymous memory)
    std::uint32_t dev_major = 0;
    std::uint32_t dev_minor = 0;
    std::uint64_t inode = 0;
    /// The path or pseudo-name, without the kernel's " (deleted)" suffix; empty for anonymous
    /// memory. Kept as the kernel prints it (a newline in a file name reads "\012").
    std::string path;
    /// The file was deleted (or replaced) after it was mapped: the path no longer names it.
    bool deleted = false;

    [[nodiscard]] std::uint64_t size() const noexcept { return end - start; }
    [[nodiscard]] bool contains(std::uint64_t address) const noexcept {
        return address >= start && address < end;
    }

    [[nodiscard]] MapKind kind() const noexcept {
        if (path.empty()) {
            return MapKind::Anonymous;
        }
        if (path.front() == '/') {
            return MapKind::File;
        }
        if (path == "[heap]") {
            return MapKind::Heap;
        }
        if (path == "[stack]" || path.starts_with("[stack:")) {
            return MapKind::Stack;
        }
        if (path == "[vdso]") {
            return MapKind::Vdso;
        }
        if (path == "[vvar]" || path.starts_with("[vvar_")) {
            return MapKind::Vvar;
        }
        if (path == "[vsyscall]") {
            return MapKind::Vsyscall;
        }
        return MapKind::Other;
    }

    /// The line as the kernel writes it (fs/proc/task_mmu.c): the fixed columns, then, when
    /// there is a path, spaces up to column 73 and the path.
    [[nodiscard]] std::string to_string() const {
        std::string line = hex(start, 8) + '-' + hex(end, 8) + ' ' + perms.to_string() + ' ' +
                           hex(offset, 8) + ' ' + hex(dev_major, 2) + ':' + hex(dev_minor, 2) +
                           ' ' + std::to_string(inode) + ' ';
        if (!path.empty() || deleted) {
            constexpr std::size_t path_column = 73; // 25 + 6 * sizeof(void*) - 1, then a space
            if (line.size() < path_column - 1) {
                line.append(path_column - 1 - line.size(), ' ');
            }
            line += ' ';
            line += path;
            if (deleted) {
                line += " (deleted)";
            }
        }
        return line;
    }

    friend bool operator==(const MapEntry&, const MapEntry&) = default;

private:
    static std::string hex(std::uint64_t v, std::size_t min_digits) {
        constexpr std::string_view digits = "0123456789abcdef";
        std::string out;
        do {
            out.insert(out.begin(), digits[v & 0xfU]);
            v >>= 4U;
        } while (v != 0);
        if (out.size() < min_digits) {
            out.insert(0, min_digits - out.size(), '0');
        }
        return out;
    }
};

namespace detail {

/// Parses a run of hex digits (1 to 16) as the whole of `text`.
inline std::optional<std::uint64_t> parse_hex(std::string_view text) noexcept {
    if (text.empty() || text.size() > 16) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    for (const char c : text) {
        unsigned d = 0;
        if (c >= '0' && c <= '9') {
            d = static_cast<unsigned>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            d = static_cast<unsigned>(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            d = static_cast<unsigned>(c - 'A' + 10);
        } else {
            return std::nullopt;
        }
        v = (v << 4U) | d;
    }
    return v;
}

/// Parses a decimal number (1 to 20 digits, no overflow) as the whole of `text`.
inline std::optional<std::uint64_t> parse_decimal(std::string_view text) noexcept {
    if (text.empty() || text.size() > 20) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (~std::uint64_t{0} - d) / 10) {
            return std::nullopt;
        }
        v = v * 10 + d;
    }
    return v;
}

/// The next space-separated field of `rest` (removed from it, with the spaces after it).
inline std::string_view next_field(std::string_view& rest) noexcept {
    const std::size_t end = std::min(rest.find(' '), rest.size());
    const std::string_view field = rest.substr(0, end);
    rest.remove_prefix(end);
    const std::size_t next = rest.find_first_not_of(' ');
    rest.remove_prefix(next == std::string_view::npos ? rest.size() : next);
    return field;
}

/// `text` cut to at most 60 bytes with every byte outside printable ASCII as \xNN, for
/// quoting input in an error message.
inline std::string quote(std::string_view text) {
    std::string out = "'";
    for (const char c : text.substr(0, 60)) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f) {
            out += c;
        } else {
            constexpr std::string_view digits = "0123456789abcdef";
            out += "\\x";
            out += digits[u >> 4U];
            out += digits[u & 0xfU];
        }
    }
    out += text.size() > 60 ? "'..." : "'";
    return out;
}

} // namespace detail

/// Parses one line of a maps file (without its newline). `where` starts the error message
/// ("/proc/42/maps line 3").
/// \errors EINVAL with a message naming `where`, the field and the text found.
[[nodiscard]] inline DebugResult<MapEntry> parse_maps_line(std::string_view line,
                                                           std::string_view where = "maps line") {
    const auto fail = [&](std::string_view what, std::string_view found) {
        return debug_error(std::errc::invalid_argument, std::string(where) + ": expected " +
                                                            std::string(what) + ", found " +
                                                            detail::quote(found));
    };
    std::string_view rest = line;
    MapEntry e;
    const std::string_view range = detail::next_field(rest);
    const std::size_t dash = range.find('-');
    const auto start = detail::parse_hex(range.substr(0, dash));
    const auto end =
        dash == std::string_view::npos ? std::nullopt : detail::parse_hex(range.substr(dash + 1));
    if (!start || !end) {
        return fail("an address range START-END in hex", range);
    }
    if (*end < *start) {
        return fail("a range whose end is not below its start", range);
    }
    e.start = *start;
    e.end = *end;
    const std::string_view perms = detail::next_field(rest);
    const auto p = Permissions::parse(perms);
    if (!p) {
        return fail("permissions like 'r-xp'", perms);
    }
    e.perms = *p;
    const std::string_view offset = detail::next_field(rest);
    const auto o = detail::parse_hex(offset);
    if (!o) {
        return fail("a file offset in hex", offset);
    }
    e.offset = *o;
    const std::string_view dev = detail::next_field(rest);
    const std::size_t colon = dev.find(':');
    const auto major = detail::parse_hex(dev.substr(0, colon));
    const auto minor =
        colon == std::string_view::npos ? std::nullopt : detail::parse_hex(dev.substr(colon + 1));
    if (!major || !minor || *major > 0xffffffffU || *minor > 0xffffffffU) {
        return fail("a device MAJOR:MINOR in hex", dev);
    }
    e.dev_major = static_cast<std::uint32_t>(*major);
    e.dev_minor = static_cast<std::uint32_t>(*minor);
    const std::string_view inode = detail::next_field(rest);
    const auto i = detail::parse_decimal(inode);
    if (!i) {
        return fail("an inode number in decimal", inode);
    }
    e.inode = *i;
    // The rest of the line is the path, spaces inside it included.
    constexpr std::string_view deleted = " (deleted)";
    if (rest.ends_with(deleted)) {
        rest.remove_suffix(deleted.size());
        e.deleted = true;
    }
    e.path = std::string(rest);
    return e;
}

/// A whole memory map: the entries in the file's order (ascending addresses).
class MemoryMap {
public:
    MemoryMap() = default;
    explicit MemoryMap(std::vector<MapEntry> entries) : entries_(std::move(entries)) {}

    [[nodiscard]] const std::vector<MapEntry>& entries() const noexcept { return entries_; }

    /// The mapping that contains `address`; nullptr when it is unmapped.
    [[nodiscard]] const MapEntry* find(std::uint64_t address) const noexcept {
        // Entries are sorted and disjoint as the kernel writes them; a map built by hand that
        // is not sorted still answers correctly, by a scan.
        const auto it =
            std::upper_bound(entries_.begin(), entries_.end(), address,
                             [](std::uint64_t a, const MapEntry& e) { return a < e.start; });
        if (it != entries_.begin() && std::prev(it)->contains(address)) {
            return &*std::prev(it);
        }
        for (const MapEntry& e : entries_) {
            if (e.contains(address)) {
                return &e;
            }
        }
        return nullptr;
    }

    /// The mappings whose path is exactly `path`, in address order.
    [[nodiscard]] std::vector<const MapEntry*> mappings_of(std::string_view path) const {
        std::vector<const MapEntry*> out;
        for (const MapEntry& e : entries_) {
            if (e.path == path) {
                out.push_back(&e);
            }
        }
        return out;
    }

    /// Where `path` is loaded: the lowest start of its mappings minus that mapping's file
    /// offset (the address of the file's byte 0, had it been mapped); nullopt when unmapped.
    [[nodiscard]] std::optional<std::uint64_t> load_base(std::string_view path) const {
        const MapEntry* lowest = nullptr;
        for (const MapEntry& e : entries_) {
            if (e.path == path && (lowest == nullptr || e.start < lowest->start)) {
                lowest = &e;
            }
        }
        if (lowest == nullptr) {
            return std::nullopt;
        }
        return lowest->start - lowest->offset;
    }

    /// The text of a maps file, one line per entry, each ending with a newline.
    [[nodiscard]] std::string to_string() const {
        std::string out;
        for (const MapEntry& e : entries_) {
            out += e.to_string();
            out += '\n';
        }
        return out;
    }

private:
    std::vector<MapEntry> entries_;
};

/// Parses the text of a maps file. An empty last line (the final newline) is fine; any other
/// malformed line fails the whole parse. `source` names the input in messages.
/// \errors EINVAL: "SOURCE line N: expected ..., found '...'".
[[nodiscard]] inline DebugResult<MemoryMap> parse_maps(std::string_view text,
                                                       std::string_view source = "maps") {
    std::vector<MapEntry> entries;
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const std::size_t nl = std::min(text.find('\n'), text.size());
        const std::string_view line = text.substr(0, nl);
        text.remove_prefix(std::min(nl + 1, text.size()));
        auto entry =
            parse_maps_line(line, std::string(source) + " line " + std::to_string(line_no));
        if (!entry) {
            return entry.error();
        }
        entries.push_back(std::move(*entry));
    }
    return MemoryMap(std::move(entries));
}

/// Reads and parses /proc/<pid>/maps.
/// \errors ESRCH no such process (the file is missing); EACCES/EPERM not allowed to read it;
/// EINVAL a line the parser does not understand (a kernel format this parser does not know).
[[nodiscard]] inline DebugResult<MemoryMap> read_maps(pid_t pid) {
    const std::string path = "/proc/" + std::to_string(pid) + "/maps";
    auto text = detail::read_file(path, std::size_t{1} << 30U);
    if (!text) {
        if (text.error().code == std::errc::no_such_file_or_directory) {
            return debug_error(std::errc::no_such_process,
                               path + ": no process " + std::to_string(pid));
        }
        return text.error();
    }
    return parse_maps(std::string_view(text->data(), text->size()), path);
}

} // namespace ptrace_api::debugger
