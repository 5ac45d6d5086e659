// SPDX-License-Identifier: MIT
// How the debugger example shows things: addresses with the symbol they fall in ("0x... in
// add_one+4", "<greeting>"), the register table, x's memory dumps and strings, and how a
// process ended. Pure functions of values the kit gave (registers, bytes, a SymbolTable):
// nothing here touches a process.
#pragma once

#include <ptrace/debugger/symbols.hpp>
#include <ptrace/event.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/signals.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <sys/types.h>

#include "command.hpp"

namespace debugger_example {

namespace dbg = ptrace_api::debugger;

/// "0x401136".
inline std::string hex(std::uint64_t value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
    return buf;
}

/// "0x0000000000401136": a frame's address, as gdb prints it (the columns line up).
inline std::string hex16(std::uint64_t value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(value));
    return buf;
}

/// The symbol `address` falls in, as "name" or "name+offset": a function (SymbolTable's own
/// lookup), else a data symbol whose [address, address + size) holds it (greeting, counter).
/// Nothing when no symbol covers it (or there is no table).
inline std::optional<std::string> symbol_name(const dbg::SymbolTable* symbols,
                                              std::uint64_t address) {
    if (symbols == nullptr) {
        return std::nullopt;
    }
    if (const auto at = symbols->function_at(address)) {
        return at->describe();
    }
    for (const dbg::LoadedObject& object : symbols->objects()) {
        if (address < object.start() || address >= object.end()) {
            continue;
        }
        // Symbols are sorted by address: look at the few at or below it.
        const auto all = object.symbols();
        auto it =
            std::upper_bound(all.begin(), all.end(), address,
                             [](std::uint64_t a, const dbg::Symbol& s) { return a < s.address; });
        for (int looked = 0; it != all.begin() && looked < 16; ++looked) {
            --it;
            if (it->size != 0 && address - it->address < it->size) {
                std::string name(it->name);
                if (address != it->address) {
                    name += "+" + std::to_string(address - it->address);
                }
                return name;
            }
        }
    }
    return std::nullopt;
}

/// " <add_one+4>", or nothing when no symbol covers the address.
inline std::string angle(const dbg::SymbolTable* symbols, std::uint64_t address) {
    const auto name = symbol_name(symbols, address);
    return name ? " <" + *name + ">" : std::string();
}

/// "0x000055555555513d in add_one+4" (or "in ??" where no function covers it): a stop or a
/// frame.
inline std::string where(const dbg::SymbolTable* symbols, std::uint64_t address) {
    const auto at = symbols != nullptr ? symbols->function_at(address) : std::nullopt;
    return hex16(address) + " in " + (at ? at->describe() : std::string("??"));
}

/// The value of register `name` (one of register_names) in `regs`.
inline std::uint64_t register_value(const ptrace_api::IntRegisters& regs, std::string_view name) {
    // The library calls it rflags; gdb (and this debugger) call it eflags.
    const std::string_view field = name == "eflags" ? std::string_view("rflags") : name;
    return ptrace_api::get_field(regs, field).value_or(0);
}

/// The flags set in eflags, as gdb shows them: "[ ZF PF IF ]".
inline std::string eflags_text(std::uint64_t eflags) {
    static constexpr std::pair<unsigned, std::string_view> bits[] = {
        {0, "CF"}, {2, "PF"}, {4, "AF"},  {6, "ZF"},  {7, "SF"},
        {8, "TF"}, {9, "IF"}, {10, "DF"}, {11, "OF"},
    };
    std::string out = "[ ";
    for (const auto& [bit, name] : bits) {
        if ((eflags >> bit) & 1U) {
            out += std::string(name) + " ";
        }
    }
    return out + "]";
}

/// `regs`: one line per register, as gdb's `info registers`: name, hex, and a natural form
/// (decimal; the function for rip; the flags for eflags; hex again for the stack pointers).
inline std::string registers_text(const ptrace_api::IntRegisters& regs,
                                  const dbg::SymbolTable* symbols) {
    std::string out;
    for (const std::string_view name : register_names) {
        const std::uint64_t v = register_value(regs, name);
        std::string natural;
        if (name == "rip") {
            natural = hex(v) + angle(symbols, v);
        } else if (name == "eflags") {
            natural = eflags_text(v);
        } else if (name == "rsp" || name == "rbp") {
            natural = hex(v);
        } else {
            natural = std::to_string(static_cast<std::int64_t>(v));
        }
        std::string line(name);
        line.resize(15, ' ');
        line += hex(v);
        line.resize(34, ' ');
        out += line + natural + "\n";
    }
    return out;
}

/// A C string as a C literal: quotes, and escapes for what is not printable.
inline std::string quoted(std::string_view text) {
    std::string out = "\"";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        default:
            if (c < 0x20 || c >= 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\%03o", c);
                out += buf;
            } else {
                out += ch;
            }
        }
    }
    return out + "\"";
}

/// One unit of x's output: `bytes` (little-endian, 1, 2, 4 or 8 of them) in format x, d, u
/// or c.
inline std::string unit_text(std::span<const std::byte> bytes, char format) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        v |= std::uint64_t{std::to_integer<std::uint8_t>(bytes[i])} << (8 * i);
    }
    const unsigned bits = static_cast<unsigned>(bytes.size() * 8);
    switch (format) {
    case 'x': {
        char buf[32];
        std::snprintf(buf, sizeof buf, "0x%0*llx", static_cast<int>(bytes.size() * 2),
                      static_cast<unsigned long long>(v));
        return buf;
    }
    case 'd': {
        // Sign-extend from the unit's size.
        const std::uint64_t sign = std::uint64_t{1} << (bits - 1);
        const auto s = static_cast<std::int64_t>((v ^ sign) - sign);
        return std::to_string(bits == 64 ? static_cast<std::int64_t>(v) : s);
    }
    case 'c': {
        // gdb's form: the value, then the character as a C literal: 104 'h', 10 '\n'.
        const auto c = static_cast<char>(v & 0xffU);
        std::string literal = quoted(std::string_view(&c, 1));
        literal = literal.substr(1, literal.size() - 2); // without the double quotes
        if (literal == "\\\"") {
            literal = "\"";
        } else if (literal == "'") {
            literal = "\\'";
        }
        return std::to_string(static_cast<int>(static_cast<signed char>(c))) + " '" + literal + "'";
    }
    default:
        return std::to_string(v);
    }
}

/// x/NFU's lines for `bytes` read at `address` (count * size bytes; not for format s): a label
/// per line ("0x555555558010 <pattern>:"), then the units separated by tabs, as many per line
/// as gdb puts (8 bytes or halfwords, 4 words, 2 giants).
inline std::string examine_text(std::uint64_t address, std::span<const std::byte> bytes,
                                const ExamineFormat& f, const dbg::SymbolTable* symbols) {
    const std::size_t per_line = f.size == 8 ? 2 : f.size == 4 ? 4 : 8;
    std::string out;
    for (std::size_t unit = 0; unit * f.size < bytes.size(); ++unit) {
        const std::uint64_t at = address + unit * f.size;
        if (unit % per_line == 0) {
            if (unit != 0) {
                out += "\n";
            }
            out += hex(at) + angle(symbols, at) + ":";
        }
        out += "\t" + unit_text(bytes.subspan(unit * f.size, f.size), f.format);
    }
    return out + "\n";
}

/// How a process ended: "exited normally", "exited with code 3", "killed by signal SIGSEGV".
inline std::string exit_reason(ptrace_api::WaitStatus status) {
    if (status.exited()) {
        return status.exit_code() == 0 ? std::string("exited normally")
                                       : "exited with code " + std::to_string(status.exit_code());
    }
    return "killed by signal " + std::string(ptrace_api::signal_name(status.term_signal()));
}

/// The line gdb prints when the process ends: "[Inferior 1 (process 42) exited normally]".
inline std::string ended_text(pid_t pid, ptrace_api::WaitStatus status) {
    return "[Inferior 1 (process " + std::to_string(pid) + ") " + exit_reason(status) + "]";
}

} // namespace debugger_example
