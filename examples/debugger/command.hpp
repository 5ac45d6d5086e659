// SPDX-License-Identifier: MIT
// The debugger example's command language: one line of text becomes a Command value, or an
// error message that names what is wrong. Nothing here knows about processes, so the parser is
// tested alone, table-driven (tests/debugger/example_command_test.cpp). The commands, their
// short forms and their help text are in one table, `command_table`, which both the parser and
// `help` read.
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace debugger_example {

/// What a command asks for.
enum class Verb {
    Break,           ///< break LOCATION
    TBreak,          ///< tbreak LOCATION: deleted at its first hit
    Delete,          ///< delete [N]: one breakpoint, or all of them
    Disable,         ///< disable N
    Enable,          ///< enable N
    InfoBreakpoints, ///< info breakpoints
    Run,             ///< run: start the program (again, after it ended)
    Continue,        ///< continue
    StepInstruction, ///< stepi [N]
    Next,            ///< next [N]: one instruction, but a call runs to its return
    Finish,          ///< finish: run until the current function returns
    Registers,       ///< regs, info registers
    Examine,         ///< x/NFU ADDRESS
    Print,           ///< print EXPRESSION
    Backtrace,       ///< bt [N]
    Threads,         ///< threads, info threads
    Thread,          ///< thread N
    Maps,            ///< maps, info proc mappings
    SharedLibraries, ///< info sharedlibrary
    Kill,            ///< kill
    Quit,            ///< quit
    Help,            ///< help [COMMAND]
};

/// A value the user names: a number, a register (`$rip`) or a symbol (`greeting`,
/// `libc.so.6:puts`), plus an optional `+N` or `-N`. What break *, x and print take.
struct Expression {
    enum class Kind { Number, Register, Symbol };
    Kind kind = Kind::Number;
    std::uint64_t number = 0; ///< Kind::Number
    std::string name;         ///< Kind::Register (canonical: "rip" for $pc) or Kind::Symbol
    std::int64_t offset = 0;  ///< added to the value

    friend bool operator==(const Expression&, const Expression&) = default;
};

/// x's /NFU: how many units, shown how, of what size.
struct ExamineFormat {
    unsigned count = 1;
    char format = 'x'; ///< x hex, d signed, u unsigned, c character, s C string
    unsigned size = 4; ///< bytes per unit: b=1, h=2, w=4, g=8 (ignored by s)

    friend bool operator==(const ExamineFormat&, const ExamineFormat&) = default;
};

/// One parsed command line.
struct Command {
    Verb verb = Verb::Help;
    /// break and tbreak: where (a symbol, or *EXPRESSION); x and print: what.
    Expression expression;
    /// break and tbreak: the location as typed ("add_one", "*0x401136"), shown by
    /// `info breakpoints` and used to set the breakpoint again when the program is run again.
    std::string location;
    /// delete, disable, enable, thread: the number; stepi and next: how many times; bt: how
    /// many frames at most. Nothing when not given.
    std::optional<std::uint64_t> number;
    ExamineFormat format; ///< x
    std::string topic;    ///< help: the command asked about; empty: all of them

    friend bool operator==(const Command&, const Command&) = default;
};

/// The result of parse(): a command, or nothing to do (a blank line or a # comment), or an
/// error message.
struct Parsed {
    std::optional<Command> command;
    std::string error; ///< non-empty: what is wrong with the line

    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

/// One row of the command table.
struct CommandInfo {
    Verb verb;
    std::string_view names; ///< the name first, then the short forms, space-separated
    std::string_view usage;
    std::string_view help;
};

/// Every command: what `help` prints, in this order.
inline constexpr std::array<CommandInfo, 21> command_table{{
    {Verb::Break, "break b br", "break LOCATION",
     "set a breakpoint: at a function (add_one), a function of one object (libc.so.6:puts), "
     "or an address (*0x401136, *add_one+4, *$rip)"},
    {Verb::TBreak, "tbreak", "tbreak LOCATION", "a breakpoint deleted when it is first hit"},
    {Verb::Delete, "delete d", "delete [N]", "delete breakpoint N, or every breakpoint"},
    {Verb::Disable, "disable", "disable N", "keep breakpoint N but do not stop there"},
    {Verb::Enable, "enable", "enable N", "stop at breakpoint N again"},
    {Verb::Run, "run r", "run", "start the program (again, after it has ended)"},
    {Verb::Continue, "continue c cont", "continue", "let the program run to the next stop"},
    {Verb::StepInstruction, "stepi si", "stepi [N]", "execute one machine instruction (N times)"},
    {Verb::Next, "next n nexti ni", "next [N]",
     "one instruction, but a call runs until it returns (instruction level: no line numbers "
     "without DWARF)"},
    {Verb::Finish, "finish fin", "finish", "run until the current function returns"},
    {Verb::Registers, "regs", "regs", "show the general registers (also: info registers)"},
    {Verb::Examine, "x", "x/NFU ADDRESS",
     "examine memory: N units of size U (b=1, h=2, w=4, g=8 bytes) in format F (x hex, "
     "d signed, u unsigned, c char, s string), e.g. x/8xb $rsp, x/4xg $rsp, x/s greeting"},
    {Verb::Print, "print p", "print EXPRESSION",
     "show a register ($rax, $pc, $sp), a symbol's address or a number, +N or -N allowed"},
    {Verb::Backtrace, "bt backtrace where", "bt [N]",
     "the call stack, by following the frame pointers (rbp) from the current thread"},
    {Verb::Threads, "threads", "threads", "list the threads (also: info threads)"},
    {Verb::Thread, "thread", "thread N", "make thread N the current thread"},
    {Verb::Maps, "maps", "maps", "show the memory map (/proc/PID/maps)"},
    {Verb::SharedLibraries, "sharedlibrary", "info sharedlibrary",
     "the loaded objects: program, libraries, vDSO, with their address ranges"},
    {Verb::Kill, "kill k", "kill", "kill the program"},
    {Verb::Quit, "quit q exit", "quit", "kill the program if it runs, and leave"},
    {Verb::Help, "help h", "help [COMMAND]", "list the commands, or explain one"},
}};

/// The 64-bit register names the debugger knows, in the order `regs` shows them.
inline constexpr std::array<std::string_view, 21> register_names{
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp",    "rsp", "r8", "r9", "r10",
    "r11", "r12", "r13", "r14", "r15", "rip", "eflags", "cs",  "ss", "fs"};

namespace detail {

/// Splits off the first word of `text` (words are separated by blanks).
inline std::string_view next_word(std::string_view& text) {
    const auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && blank(text.front())) {
        text.remove_prefix(1);
    }
    std::size_t n = 0;
    while (n < text.size() && !blank(text[n])) {
        ++n;
    }
    const std::string_view word = text.substr(0, n);
    text.remove_prefix(n);
    return word;
}

inline std::string_view trim(std::string_view text) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && blank(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && blank(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

/// A number written in decimal or, with 0x, in hex; nothing if it is not one or too big.
inline std::optional<std::uint64_t> parse_number(std::string_view text) {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

/// The canonical name of register `name` ($pc is rip, $sp rsp, $fp rbp, $rflags eflags), or
/// nothing when the debugger has no such register.
inline std::optional<std::string> canonical_register(std::string_view name) {
    if (name == "pc") {
        return "rip";
    }
    if (name == "sp") {
        return "rsp";
    }
    if (name == "fp") {
        return "rbp";
    }
    if (name == "rflags") {
        return "eflags";
    }
    if (std::find(register_names.begin(), register_names.end(), name) != register_names.end()) {
        return std::string(name);
    }
    return std::nullopt;
}

/// Which verb `word` names (its name or a short form); nothing if none.
inline std::optional<Verb> find_verb(std::string_view word) {
    for (const CommandInfo& info : command_table) {
        std::string_view names = info.names;
        for (std::string_view name = next_word(names); !name.empty(); name = next_word(names)) {
            if (name == word) {
                return info.verb;
            }
        }
    }
    return std::nullopt;
}

} // namespace detail

/// Parses an expression: NUMBER, $REGISTER or SYMBOL, then optionally +N or -N.
/// \returns the expression, or an error message.
inline std::pair<std::optional<Expression>, std::string> parse_expression(std::string_view text) {
    text = detail::trim(text);
    if (text.empty()) {
        return {std::nullopt, "missing expression (a number, $register or symbol)"};
    }
    Expression e;
    // An offset: a + or - (not the first character) followed by a number to the end. Object
    // names hold dashes ("ld-linux-x86-64.so.2:_dl_start"): a dash before anything else is
    // part of the name.
    const std::size_t sign = text.find_last_of("+-");
    std::string_view base = text;
    if (sign != std::string_view::npos && sign > 0) {
        const std::string_view digits = detail::trim(text.substr(sign + 1));
        const auto offset = detail::parse_number(digits);
        if (offset && *offset <= static_cast<std::uint64_t>(INT64_MAX)) {
            e.offset = text[sign] == '+' ? static_cast<std::int64_t>(*offset)
                                         : -static_cast<std::int64_t>(*offset);
            base = detail::trim(text.substr(0, sign));
        } else if (text[sign] == '+' || digits.empty()) {
            return {std::nullopt, "bad offset '" + std::string(digits) + "' in '" +
                                      std::string(text) + "' (a number, like +8 or -0x10)"};
        }
    }
    if (base.empty()) {
        return {std::nullopt, "missing expression before '" + std::string(text) + "'"};
    }
    if (base.front() == '$') {
        const auto name = detail::canonical_register(base.substr(1));
        if (!name) {
            return {std::nullopt, "unknown register '" + std::string(base) +
                                      "' (the 64-bit names: $rax, $rbx ... $r15, $rip, $eflags; "
                                      "$pc, $sp, $fp)"};
        }
        e.kind = Expression::Kind::Register;
        e.name = *name;
        return {e, ""};
    }
    if (std::isdigit(static_cast<unsigned char>(base.front())) != 0) {
        const auto number = detail::parse_number(base);
        if (!number) {
            return {std::nullopt, "bad number '" + std::string(base) +
                                      "' (decimal, or hex with 0x, at most 64 bits)"};
        }
        e.kind = Expression::Kind::Number;
        e.number = *number;
        return {e, ""};
    }
    if (base.front() == '&') {
        base.remove_prefix(1); // &symbol: a symbol stands for its address already
        base = detail::trim(base);
        if (base.empty()) {
            return {std::nullopt, "missing symbol after '&'"};
        }
    }
    for (const char c : base) {
        if (std::isspace(static_cast<unsigned char>(c)) != 0 || c == '*' || c == '/' || c == '$' ||
            c == '(' || c == ')' || c == '&') {
            return {std::nullopt, "cannot read '" + std::string(text) +
                                      "': expected a number, $register or symbol, with an "
                                      "optional +N or -N"};
        }
    }
    e.kind = Expression::Kind::Symbol;
    e.name = std::string(base);
    return {e, ""};
}

namespace detail {

/// x's "/NFU": the count, then format and size letters in any order (as in gdb).
inline std::optional<std::string> parse_examine_format(std::string_view spec, ExamineFormat& f) {
    std::size_t digits = 0;
    while (digits < spec.size() && std::isdigit(static_cast<unsigned char>(spec[digits])) != 0) {
        ++digits;
    }
    if (digits > 0) {
        const auto count = parse_number(spec.substr(0, digits));
        if (!count || *count == 0 || *count > 4096) {
            return "bad count '" + std::string(spec.substr(0, digits)) + "' (1 to 4096)";
        }
        f.count = static_cast<unsigned>(*count);
    }
    for (const char c : spec.substr(digits)) {
        switch (c) {
        case 'x':
        case 'd':
        case 'u':
        case 'c':
        case 's':
            f.format = c;
            break;
        case 'b':
            f.size = 1;
            break;
        case 'h':
            f.size = 2;
            break;
        case 'w':
            f.size = 4;
            break;
        case 'g':
            f.size = 8;
            break;
        case 'i':
            return "x/i needs a disassembler, which this debugger does not have (x/16xb $pc "
                   "shows the bytes)";
        default:
            return "unknown letter '" + std::string(1, c) + "' in /" + std::string(spec) +
                   " (formats x d u c s, sizes b h w g)";
        }
    }
    if (f.format == 'c' && digits == spec.size() - 1) {
        f.size = 1; // x/8c: characters are bytes unless a size is given
    }
    return std::nullopt;
}

/// An optional count or number argument that must be a number when present.
inline std::optional<std::string> parse_optional_number(std::string_view rest,
                                                        std::string_view usage,
                                                        std::optional<std::uint64_t>& out) {
    rest = trim(rest);
    if (rest.empty()) {
        return std::nullopt;
    }
    const auto n = parse_number(rest);
    if (!n) {
        return "expected a number, found '" + std::string(rest) +
               "' (usage: " + std::string(usage) + ")";
    }
    out = n;
    return std::nullopt;
}

} // namespace detail

/// Parses one line. Blank lines and lines starting with # are nothing to do.
inline Parsed parse(std::string_view line) {
    using detail::trim;
    line = trim(line);
    Parsed result;
    if (line.empty() || line.front() == '#') {
        return result;
    }
    // x/NFU and p/x: the verb ends at a '/'.
    std::string_view rest = line;
    std::string_view word = detail::next_word(rest);
    std::string_view slash_spec;
    bool has_slash = false;
    if (const std::size_t slash = word.find('/'); slash != std::string_view::npos) {
        slash_spec = word.substr(slash + 1);
        word = word.substr(0, slash);
        has_slash = true;
    }
    // "info X" names a command of its own.
    std::optional<Verb> verb;
    if (word == "info" || word == "i") {
        const std::string_view what = detail::next_word(rest);
        if (what == "breakpoints" || what == "break" || what == "b") {
            verb = Verb::InfoBreakpoints;
        } else if (what == "registers" || what == "reg" || what == "r") {
            verb = Verb::Registers;
        } else if (what == "sharedlibrary" || what == "shared") {
            verb = Verb::SharedLibraries;
        } else if (what == "threads") {
            verb = Verb::Threads;
        } else if (what == "proc" && trim(rest) == "mappings") {
            verb = Verb::Maps;
            rest = {};
        } else {
            result.error = "info " + std::string(what) +
                           ": unknown (info breakpoints, info registers, info sharedlibrary, "
                           "info threads, info proc mappings)";
            return result;
        }
    } else {
        verb = detail::find_verb(word);
    }
    if (!verb) {
        result.error = "unknown command '" + std::string(word) + "' (try: help)";
        return result;
    }
    if (has_slash && *verb != Verb::Examine) {
        result.error = std::string(word) + ": takes no /FORMAT (only x/NFU does)";
        return result;
    }
    Command c;
    c.verb = *verb;
    const std::string_view usage = [&] {
        for (const CommandInfo& info : command_table) {
            if (info.verb == c.verb) {
                return info.usage;
            }
        }
        return std::string_view(word);
    }();
    const auto fail = [&](std::string message) {
        result.error = std::move(message);
        return result;
    };
    const auto no_arguments = [&]() -> bool { return trim(rest).empty(); };

    switch (c.verb) {
    case Verb::Break:
    case Verb::TBreak: {
        const std::string_view where = trim(rest);
        if (where.empty()) {
            return fail(std::string(word) +
                        ": missing location (a function, OBJECT:function, or *ADDRESS)");
        }
        c.location = std::string(where);
        if (where.front() == '*') {
            auto [e, error] = parse_expression(where.substr(1));
            if (!e) {
                return fail(std::string(word) + " " + std::string(where) + ": " + error);
            }
            c.expression = *e;
        } else if (std::isdigit(static_cast<unsigned char>(where.front())) != 0) {
            return fail(std::string(word) + " " + std::string(where) +
                        ": line numbers need DWARF, which this debugger does not read; for an "
                        "address write *" +
                        std::string(where));
        } else {
            auto [e, error] = parse_expression(where);
            if (!e || e->kind != Expression::Kind::Symbol || e->offset != 0) {
                return fail(std::string(word) + " " + std::string(where) +
                            ": expected a function name (or *ADDRESS for an address)");
            }
            c.expression = *e;
        }
        break;
    }
    case Verb::Delete:
    case Verb::StepInstruction:
    case Verb::Next:
    case Verb::Backtrace:
        if (auto error = detail::parse_optional_number(rest, usage, c.number)) {
            return fail(std::string(word) + ": " + *error);
        }
        if (c.verb != Verb::Delete && c.number && *c.number == 0) {
            return fail(std::string(word) + ": the count must be at least 1");
        }
        break;
    case Verb::Disable:
    case Verb::Enable:
    case Verb::Thread:
        if (auto error = detail::parse_optional_number(rest, usage, c.number)) {
            return fail(std::string(word) + ": " + *error);
        }
        if (!c.number) {
            return fail(std::string(word) + ": missing number (usage: " + std::string(usage) + ")");
        }
        break;
    case Verb::Examine: {
        if (auto error = detail::parse_examine_format(slash_spec, c.format)) {
            return fail("x: " + *error);
        }
        auto [e, error] = parse_expression(rest);
        if (!e) {
            return fail("x: " + error + " (usage: x/NFU ADDRESS)");
        }
        c.expression = *e;
        break;
    }
    case Verb::Print: {
        auto [e, error] = parse_expression(rest);
        if (!e) {
            return fail(std::string(word) + ": " + error);
        }
        c.expression = *e;
        break;
    }
    case Verb::Help: {
        const std::string_view topic = trim(rest);
        if (!topic.empty() && !detail::find_verb(topic) && topic != "info") {
            return fail("help: no command '" + std::string(topic) + "'");
        }
        c.topic = std::string(topic);
        break;
    }
    case Verb::InfoBreakpoints:
    case Verb::Run:
    case Verb::Continue:
    case Verb::Finish:
    case Verb::Registers:
    case Verb::Threads:
    case Verb::Maps:
    case Verb::SharedLibraries:
    case Verb::Kill:
    case Verb::Quit:
        if (!no_arguments()) {
            return fail(std::string(word) + ": takes no arguments, found '" +
                        std::string(trim(rest)) + "'");
        }
        break;
    }
    result.command = std::move(c);
    return result;
}

/// The help text: every command, or the one named `topic`.
inline std::string help_text(std::string_view topic) {
    std::string out;
    const std::optional<Verb> only =
        topic.empty() || topic == "info" ? std::nullopt : detail::find_verb(topic);
    for (const CommandInfo& info : command_table) {
        if (only && info.verb != *only) {
            continue;
        }
        std::string usage(info.usage);
        usage.resize(std::max<std::size_t>(usage.size() + 2, 22), ' ');
        out += "  " + usage + std::string(info.help) + "\n";
    }
    if (!only) {
        out += "Short forms: b, d, r, c, si, n, fin, p, bt, k, q. A blank line or # comment does "
               "nothing.\n";
    }
    return out;
}

} // namespace debugger_example
