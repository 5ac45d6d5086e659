// SPDX-License-Identifier: MIT
// The text format of a sandbox policy (issue 12, item 2), for tools: parse_policy() reads one,
// format_policy() writes a Policy back in it. One statement per line, `#` starts a comment:
//
//     default errno EPERM                      # what no rule names gets
//     allow @basic-io @file-system             # groups (groups.hpp) and names
//     allow socket if arg0 == AF_UNIX          # conditions on scalar arguments
//     allow openat if arg2 & O_ACCMODE == O_RDONLY   # masked equality
//     allow 334                                # a syscall by number
//     kill ptrace
//
// Grammar (sandbox/README.md has the full description):
//     statement := "default" action | action target+ [ "if" condition ("and" condition)* ]
//     action    := "allow" | "deny" | "errno" (NAME | NUMBER) | "kill" | "log" | "ask"
//     target    := syscall name | syscall number | @group      (separated by spaces or commas)
//     condition := ARG op value | ARG "&" value "==" value
//     ARG       := arg0 .. arg5, with ".32" or ".64" to choose the width (else the table's)
//     op        := "==" | "!=" | "<" | "<=" | ">" | ">="      (ordered comparisons: unsigned)
//     value     := term ("|" term)* ; term := decimal, 0x hex, 0 octal, -decimal, or a constant
// "deny" is "errno EPERM". Errors name the line, the column and the problem.
#pragma once

#include <ptrace/errnos.hpp>
#include <ptrace/sandbox/policy.hpp>
#include <ptrace/signals.hpp>

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ptrace_api::sandbox {

/// A named constant the text format accepts as a value.
struct PolicyConstant {
    std::string_view name;
    std::uint64_t value;
};

/// The constants of the text format: Linux x86_64 values (checked against the system headers
/// by tests/sandbox/policy_text_test.cpp), plus the signal names of <ptrace/signals.hpp>.
// clang-format off
inline constexpr std::array<PolicyConstant, 72> policy_constants{{
    {"AF_UNSPEC", 0}, {"AF_UNIX", 1}, {"AF_LOCAL", 1}, {"AF_INET", 2}, {"AF_INET6", 10},
    {"AF_NETLINK", 16}, {"AF_PACKET", 17}, {"AF_VSOCK", 40},
    {"SOCK_STREAM", 1}, {"SOCK_DGRAM", 2}, {"SOCK_RAW", 3}, {"SOCK_SEQPACKET", 5},
    {"SOCK_NONBLOCK", 04000}, {"SOCK_CLOEXEC", 02000000},
    {"O_RDONLY", 0}, {"O_WRONLY", 1}, {"O_RDWR", 2}, {"O_ACCMODE", 3}, {"O_CREAT", 0100},
    {"O_EXCL", 0200}, {"O_NOCTTY", 0400}, {"O_TRUNC", 01000}, {"O_APPEND", 02000},
    {"O_NONBLOCK", 04000}, {"O_DSYNC", 010000}, {"O_DIRECT", 040000}, {"O_LARGEFILE", 0100000},
    {"O_DIRECTORY", 0200000}, {"O_NOFOLLOW", 0400000}, {"O_NOATIME", 01000000},
    {"O_CLOEXEC", 02000000}, {"O_SYNC", 04010000}, {"O_PATH", 010000000},
    {"O_TMPFILE", 020200000},
    {"AT_FDCWD", static_cast<std::uint64_t>(-100)}, {"AT_SYMLINK_NOFOLLOW", 0x100},
    {"AT_REMOVEDIR", 0x200}, {"AT_EMPTY_PATH", 0x1000},
    {"PROT_NONE", 0}, {"PROT_READ", 1}, {"PROT_WRITE", 2}, {"PROT_EXEC", 4},
    {"MAP_SHARED", 1}, {"MAP_PRIVATE", 2}, {"MAP_FIXED", 0x10}, {"MAP_ANONYMOUS", 0x20},
    {"CLONE_VM", 0x100}, {"CLONE_FS", 0x200}, {"CLONE_FILES", 0x400}, {"CLONE_SIGHAND", 0x800},
    {"CLONE_PIDFD", 0x1000}, {"CLONE_PTRACE", 0x2000}, {"CLONE_VFORK", 0x4000},
    {"CLONE_PARENT", 0x8000}, {"CLONE_THREAD", 0x10000}, {"CLONE_NEWNS", 0x20000},
    {"CLONE_SYSVSEM", 0x40000}, {"CLONE_SETTLS", 0x80000}, {"CLONE_PARENT_SETTID", 0x100000},
    {"CLONE_CHILD_CLEARTID", 0x200000}, {"CLONE_UNTRACED", 0x800000},
    {"CLONE_CHILD_SETTID", 0x1000000}, {"CLONE_NEWCGROUP", 0x2000000},
    {"CLONE_NEWUTS", 0x4000000}, {"CLONE_NEWIPC", 0x8000000}, {"CLONE_NEWUSER", 0x10000000},
    {"CLONE_NEWPID", 0x20000000}, {"CLONE_NEWNET", 0x40000000}, {"CLONE_IO", 0x80000000},
    {"TIOCSTI", 0x5412}, {"FIONREAD", 0x541b}, {"TCGETS", 0x5401},
}};
// clang-format on

/// The value of a constant's name (a signal name too, "SIGKILL"), or nullopt.
constexpr std::optional<std::uint64_t> policy_constant(std::string_view name) noexcept {
    for (const PolicyConstant& c : policy_constants) {
        if (c.name == name) {
            return c.value;
        }
    }
    if (const std::optional<int> sig = signal_number(name)) {
        return static_cast<std::uint64_t>(*sig);
    }
    return std::nullopt;
}

namespace detail {

/// The parser of one policy text.
class PolicyParser {
public:
    explicit PolicyParser(std::string_view text) : text_(text) {}

    PolicyResult<Policy> run() {
        std::size_t line_no = 0;
        std::size_t pos = 0;
        while (pos <= text_.size()) {
            const std::size_t end = std::min(text_.find('\n', pos), text_.size());
            ++line_no;
            if (auto error = statement(text_.substr(pos, end - pos), line_no)) {
                return *std::move(error);
            }
            pos = end + 1;
        }
        if (!default_) {
            return PolicyError{{1, 1},
                               "no default action: add a line 'default ACTION' (for "
                               "example 'default errno EPERM' or 'default allow')"};
        }
        PolicyBuilder builder(default_->first, default_->second);
        for (Rule& rule : rules_) {
            builder.add(rule.action, rule.target, std::move(rule.conditions), rule.where);
        }
        return builder.build();
    }

private:
    struct Token {
        enum Kind : std::uint8_t { Word, Number, Op, End } kind = End;
        std::string_view text;
        std::size_t column = 0; // 1-based
    };
    struct Rule {
        Action action;
        Syscalls target;
        std::vector<ArgCondition> conditions;
        RuleOrigin where;
    };

    static bool word_start(char c) noexcept {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '@';
    }
    static bool word_char(char c) noexcept {
        return word_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
    }

    /// Splits a line into tokens; an error names the first character no token begins with.
    std::optional<PolicyError> tokenize(std::string_view line, std::size_t line_no) {
        tokens_.clear();
        std::size_t i = 0;
        while (i < line.size()) {
            const char c = line[i];
            if (c == ' ' || c == '\t' || c == '\r') {
                ++i;
                continue;
            }
            if (c == '#') {
                break;
            }
            const std::size_t start = i;
            Token::Kind kind = Token::Op;
            if (word_start(c)) {
                kind = Token::Word;
                while (i < line.size() && word_char(line[i])) {
                    ++i;
                }
            } else if ((c >= '0' && c <= '9') || (c == '-' && i + 1 < line.size() &&
                                                  line[i + 1] >= '0' && line[i + 1] <= '9')) {
                kind = Token::Number;
                ++i;
                while (i < line.size() && (word_char(line[i]))) {
                    ++i;
                }
            } else if (i + 1 < line.size() && line[i + 1] == '=' &&
                       (c == '=' || c == '!' || c == '<' || c == '>')) {
                i += 2;
            } else if (c == '<' || c == '>' || c == '&' || c == '|' || c == ',') {
                ++i;
            } else {
                return PolicyError{{line_no, start + 1},
                                   "unexpected character '" + std::string(1, c) + "'"};
            }
            tokens_.push_back({kind, line.substr(start, i - start), start + 1});
        }
        tokens_.push_back({Token::End, {}, line.size() + 1});
        next_ = 0;
        return std::nullopt;
    }

    const Token& peek() const { return tokens_[next_]; }
    const Token& take() { return tokens_[next_ < tokens_.size() - 1 ? next_++ : next_]; }

    PolicyError error_at(const Token& t, std::string message) const {
        return PolicyError{{line_no_, t.column}, std::move(message)};
    }
    static std::string quoted(const Token& t) {
        return t.kind == Token::End ? std::string("the end of the line")
                                    : "'" + std::string(t.text) + "'";
    }

    std::optional<PolicyError> statement(std::string_view line, std::size_t line_no) {
        line_no_ = line_no;
        if (auto error = tokenize(line, line_no)) {
            return error;
        }
        if (peek().kind == Token::End) {
            return std::nullopt;
        }
        const Token first = take();
        if (first.kind == Token::Word && first.text == "default") {
            auto action = parse_action(take());
            if (auto* e = std::get_if<PolicyError>(&action)) {
                return *e;
            }
            if (default_) {
                return error_at(first, "conflicting rules: a second default action (the first "
                                       "is on line " +
                                           std::to_string(default_->second.line) + ")");
            }
            default_.emplace(std::get<Action>(action), RuleOrigin{line_no, first.column});
            return expect_end();
        }
        auto action = parse_action(first);
        if (auto* e = std::get_if<PolicyError>(&action)) {
            return *e;
        }
        std::vector<std::pair<Syscalls, Token>> targets;
        while (peek().kind != Token::End && !(peek().kind == Token::Word && peek().text == "if")) {
            const Token t = take();
            if (t.kind == Token::Op && t.text == ",") {
                continue;
            }
            auto target = parse_target(t);
            if (auto* e = std::get_if<PolicyError>(&target)) {
                return *e;
            }
            targets.emplace_back(std::get<Syscalls>(target), t);
        }
        if (targets.empty()) {
            return error_at(peek(), "expected a syscall name, number or @group after the action");
        }
        std::vector<ArgCondition> conditions;
        if (peek().kind == Token::Word && peek().text == "if") {
            take();
            while (true) {
                auto condition = parse_condition();
                if (auto* e = std::get_if<PolicyError>(&condition)) {
                    return *e;
                }
                conditions.push_back(std::get<ArgCondition>(condition));
                if (peek().kind == Token::Word && peek().text == "and") {
                    take();
                    continue;
                }
                break;
            }
        }
        if (auto error = expect_end()) {
            return error;
        }
        for (auto& [target, token] : targets) {
            if (target.is_group() && !conditions.empty()) {
                return error_at(token, "conditions apply to single syscalls, not to group " +
                                           quoted(token));
            }
            rules_.push_back(
                {std::get<Action>(action), target, conditions, RuleOrigin{line_no, token.column}});
        }
        return std::nullopt;
    }

    std::optional<PolicyError> expect_end() {
        if (peek().kind != Token::End) {
            return error_at(peek(), "unexpected " + quoted(peek()));
        }
        return std::nullopt;
    }

    std::variant<Action, PolicyError> parse_action(const Token& t) {
        if (t.kind == Token::Word) {
            if (t.text == "allow") {
                return Action::allow();
            }
            if (t.text == "deny") {
                return Action::fail(1); // EPERM
            }
            if (t.text == "kill") {
                return Action::kill();
            }
            if (t.text == "log") {
                return Action::log();
            }
            if (t.text == "ask") {
                return Action::ask();
            }
            if (t.text == "errno") {
                const Token e = take();
                if (e.kind == Token::Word) {
                    if (const std::optional<int> n = errno_from_name(e.text)) {
                        return Action::fail(*n);
                    }
                    return error_at(e, "unknown errno " + quoted(e));
                }
                if (e.kind == Token::Number) {
                    const std::optional<std::uint64_t> n = number(e.text);
                    if (!n || *n < 1 || *n > Action::max_errno) {
                        return error_at(e, "bad value: errno " + quoted(e) +
                                               " is not a number from 1 to 4095");
                    }
                    return Action::fail(static_cast<int>(*n));
                }
                return error_at(e, "expected an errno name or number after 'errno', found " +
                                       quoted(e));
            }
        }
        return error_at(t, "unknown action " + quoted(t) +
                               " (expected default, allow, deny, errno, kill, log or ask)");
    }

    std::variant<Syscalls, PolicyError> parse_target(const Token& t) const {
        if (t.kind == Token::Number) {
            const std::optional<std::uint64_t> n = number(t.text);
            if (!n || *n >= SyscallSet::capacity) {
                return error_at(t, "syscall number " + quoted(t) + " out of range (0 to " +
                                       std::to_string(SyscallSet::capacity - 1) + ")");
            }
            return *Syscalls::number(static_cast<long>(*n));
        }
        if (t.kind == Token::Word) {
            if (const std::optional<Syscalls> s = Syscalls::named(t.text)) {
                return *s;
            }
            if (t.text.front() == '@') {
                return error_at(t, "unknown group " + quoted(t));
            }
            return error_at(t, "unknown syscall " + quoted(t));
        }
        return error_at(t, "expected a syscall name, number or @group, found " + quoted(t));
    }

    std::variant<ArgCondition, PolicyError> parse_condition() {
        const Token a = take();
        ArgCondition c;
        std::string_view text = a.text;
        if (a.kind != Token::Word || text.substr(0, 3) != "arg" || text.size() < 4 ||
            text[3] < '0' || text[3] > '9') {
            return error_at(a, "expected an argument (arg0 to arg5), found " + quoted(a));
        }
        if (text[3] > '5' || (text.size() > 4 && text[4] != '.')) {
            return error_at(a, "argument " + quoted(a) + " out of range (arg0 to arg5)");
        }
        c.index = static_cast<unsigned>(text[3] - '0');
        if (text.size() > 4) {
            if (text.substr(4) == ".32") {
                c.width = ArgWidth::Bits32;
            } else if (text.substr(4) == ".64") {
                c.width = ArgWidth::Bits64;
            } else {
                return error_at(a, "bad width in " + quoted(a) + " (arg" + std::string(1, text[3]) +
                                       ".32 or arg" + std::string(1, text[3]) + ".64)");
            }
        }
        const Token op = take();
        if (op.kind == Token::Op && op.text == "&") {
            auto mask = value();
            if (auto* e = std::get_if<PolicyError>(&mask)) {
                return *e;
            }
            const Token eq = take();
            if (eq.kind != Token::Op || eq.text != "==") {
                return error_at(eq, "expected '==' after the mask (masked comparisons test "
                                    "equality), found " +
                                        quoted(eq));
            }
            auto v = value();
            if (auto* e = std::get_if<PolicyError>(&v)) {
                return *e;
            }
            c.op = Compare::MaskedEqual;
            c.mask = std::get<std::uint64_t>(mask);
            c.value = std::get<std::uint64_t>(v);
            return c;
        }
        static constexpr std::array<std::pair<std::string_view, Compare>, 6> ops{{
            {"==", Compare::Equal},
            {"!=", Compare::NotEqual},
            {"<", Compare::Less},
            {"<=", Compare::LessEqual},
            {">", Compare::Greater},
            {">=", Compare::GreaterEqual},
        }};
        bool found = false;
        for (const auto& [name, cmp] : ops) {
            if (op.kind == Token::Op && op.text == name) {
                c.op = cmp;
                found = true;
            }
        }
        if (!found) {
            return error_at(op, "expected a comparison (==, !=, <, <=, >, >= or &) after " +
                                    quoted(a) + ", found " + quoted(op));
        }
        const Token& first_term = peek();
        const bool negative = first_term.kind == Token::Number && first_term.text.front() == '-';
        const Token term = first_term;
        auto v = value();
        if (auto* e = std::get_if<PolicyError>(&v)) {
            return *e;
        }
        if (negative && c.op != Compare::Equal && c.op != Compare::NotEqual) {
            return error_at(term, "bad value: ordered comparisons are unsigned, so " +
                                      quoted(term) + " would compare as a huge number");
        }
        c.value = std::get<std::uint64_t>(v);
        return c;
    }

    /// term ("|" term)*
    std::variant<std::uint64_t, PolicyError> value() {
        std::uint64_t v = 0;
        while (true) {
            const Token t = take();
            if (t.kind == Token::Number) {
                const std::optional<std::uint64_t> n = number(t.text);
                if (!n) {
                    return error_at(t, "bad value " + quoted(t) + " (not a number)");
                }
                v |= *n;
            } else if (t.kind == Token::Word) {
                const std::optional<std::uint64_t> n = policy_constant(t.text);
                if (!n) {
                    return error_at(t, "bad value: unknown constant " + quoted(t));
                }
                v |= *n;
            } else {
                return error_at(t, "expected a value, found " + quoted(t));
            }
            if (peek().kind == Token::Op && peek().text == "|") {
                take();
                continue;
            }
            return v;
        }
    }

    /// Decimal, 0x hex, 0 octal, or -decimal (two's complement in 64 bits).
    static std::optional<std::uint64_t> number(std::string_view text) {
        bool negative = false;
        if (!text.empty() && text.front() == '-') {
            negative = true;
            text.remove_prefix(1);
        }
        int base = 10;
        if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
            base = 16;
            text.remove_prefix(2);
        } else if (text.size() > 1 && text[0] == '0') {
            base = 8;
            text.remove_prefix(1);
        }
        if (negative && base != 10) {
            return std::nullopt;
        }
        std::uint64_t n = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n, base);
        if (ec != std::errc{} || end != text.data() + text.size()) {
            return std::nullopt;
        }
        if (negative) {
            if (n > (std::uint64_t{1} << 63)) {
                return std::nullopt;
            }
            n = ~n + 1;
        }
        return n;
    }

    std::string_view text_;
    std::vector<Token> tokens_;
    std::size_t next_ = 0;
    std::size_t line_no_ = 0;
    std::optional<std::pair<Action, RuleOrigin>> default_;
    std::vector<Rule> rules_;
};

inline std::string hex(std::uint64_t v) {
    std::array<char, 17> digits{};
    const auto r = std::to_chars(digits.data(), digits.data() + digits.size(), v, 16);
    return "0x" + std::string(digits.data(), r.ptr);
}

} // namespace detail

/// Parses a policy text. \returns the policy, or the first error with its line and column.
inline PolicyResult<Policy> parse_policy(std::string_view text) {
    return detail::PolicyParser(text).run();
}

/// The policy as text that parse_policy() reads back into an equal Policy: the default, then
/// each syscall's conditional rules and its fallback, by number (groups are expanded).
inline std::string format_policy(const Policy& policy) {
    std::string out = "default " + describe(policy.default_action()) + "\n";
    for (const SyscallRules& rules : policy.syscalls()) {
        const std::string_view name = syscall_name(rules.nr);
        const std::string target = name.empty() ? std::to_string(rules.nr) : std::string(name);
        for (const ConditionalRule& rule : rules.conditional) {
            out += describe(rule.action) + " " + target + " if ";
            for (std::size_t i = 0; i < rule.conditions.size(); ++i) {
                const ArgCondition& c = rule.conditions[i];
                out += (i == 0 ? "" : " and ");
                out +=
                    "arg" + std::to_string(c.index) + (c.width == ArgWidth::Bits32 ? ".32" : ".64");
                static constexpr std::array<std::string_view, 7> ops{
                    "==", "!=", "<", "<=", ">", ">=", "&"};
                out += " ";
                out += ops[static_cast<std::size_t>(c.op)];
                if (c.op == Compare::MaskedEqual) {
                    out += " " + detail::hex(c.mask) + " ==";
                }
                out += " " + detail::hex(c.value);
            }
            out += "\n";
        }
        if (rules.fallback != policy.default_action() || rules.conditional.empty()) {
            out += describe(rules.fallback) + " " + target + "\n";
        }
    }
    return out;
}

} // namespace ptrace_api::sandbox
