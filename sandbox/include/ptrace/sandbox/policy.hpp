// SPDX-License-Identifier: MIT
// A declarative syscall policy (issue 12, item 2): for each syscall, by name, number or group,
// an action (allow, fail with an errno, kill the process, log, or ask the tracer), optionally
// under conditions on its scalar arguments, and a default action for the rest. Built from C++
// (names checked at compile time) with PolicyBuilder, or parsed from text (policy_text.hpp);
// compiled to one seccomp-bpf program by policy_bpf.hpp. Pure: no system call here.
// sandbox/README.md states the semantics this header implements.
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/detail/expected.hpp>
#include <ptrace/errnos.hpp>
#include <ptrace/sandbox/groups.hpp>
#include <ptrace/syscall_set.hpp>
#include <ptrace/syscalls.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ptrace_api::sandbox {

// --- What a rule does -------------------------------------------------------------------------

/// The kinds of action a rule can take.
enum class ActionKind : std::uint8_t {
    Allow, ///< the syscall runs
    Errno, ///< the syscall does not run and returns -error (in the kernel filter)
    Kill,  ///< the whole process is killed (SIGSYS) before the syscall runs
    Log,   ///< the syscall runs after the sandbox's tracer has logged it
    Ask,   ///< the sandbox's tracer decides at a PRE event (FLAG_IGNORE and a result, or run)
};

/// What happens to a syscall. Errno carries the error (1 to 4095, Linux's MAX_ERRNO).
class Action {
public:
    static constexpr int max_errno = 4095;

    [[nodiscard]] static constexpr Action allow() noexcept { return Action(ActionKind::Allow, 0); }
    /// Fails the syscall with `error` (a value outside 1 to 4095 is refused when the policy is
    /// built).
    [[nodiscard]] static constexpr Action fail(int error) noexcept {
        return Action(ActionKind::Errno, error);
    }
    [[nodiscard]] static constexpr Action kill() noexcept { return Action(ActionKind::Kill, 0); }
    [[nodiscard]] static constexpr Action log() noexcept { return Action(ActionKind::Log, 0); }
    [[nodiscard]] static constexpr Action ask() noexcept { return Action(ActionKind::Ask, 0); }

    [[nodiscard]] constexpr ActionKind kind() const noexcept { return kind_; }
    /// The errno of an Errno action, else 0.
    [[nodiscard]] constexpr int error() const noexcept { return error_; }
    /// True for the actions the sandbox's tracer takes part in (Log, Ask).
    [[nodiscard]] constexpr bool needs_tracer() const noexcept {
        return kind_ == ActionKind::Log || kind_ == ActionKind::Ask;
    }

    friend constexpr bool operator==(const Action&, const Action&) noexcept = default;

private:
    constexpr Action(ActionKind kind, int error) noexcept : kind_(kind), error_(error) {}

    ActionKind kind_ = ActionKind::Allow;
    int error_ = 0;
};

/// "allow", "errno EACCES" (or "errno 4000" without a name), "kill", "log", "ask": the words of
/// the text format (policy_text.hpp).
inline std::string describe(const Action& action) {
    switch (action.kind()) {
    case ActionKind::Allow:
        return "allow";
    case ActionKind::Errno: {
        const std::string_view name = errno_name(action.error());
        return "errno " + (name.empty() ? std::to_string(action.error()) : std::string(name));
    }
    case ActionKind::Kill:
        return "kill";
    case ActionKind::Log:
        return "log";
    case ActionKind::Ask:
        return "ask";
    }
    return "?";
}

// --- Conditions on arguments ------------------------------------------------------------------

/// How an argument is compared. Ordered comparisons are unsigned, as seccomp's are.
enum class Compare : std::uint8_t {
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    MaskedEqual, ///< (argument & mask) == value
};

/// How many bits of an argument's register are compared. Auto takes the syscall table's word:
/// 32 bits for a C `int` parameter (kinds Int, Fd, Signal: Linux uses only the low half of the
/// register, so comparing more would let the high half hide a value), else 64.
enum class ArgWidth : std::uint8_t { Auto, Bits32, Bits64 };

/// One condition on one argument (0 to 5).
struct ArgCondition {
    unsigned index = 0;
    Compare op = Compare::Equal;
    std::uint64_t value = 0;
    std::uint64_t mask = ~std::uint64_t{0}; ///< MaskedEqual only
    ArgWidth width = ArgWidth::Auto;

    /// True when `arg` (the register, all 64 bits) meets the condition. \pre width resolved.
    [[nodiscard]] constexpr bool holds(std::uint64_t arg) const noexcept {
        if (width == ArgWidth::Bits32) {
            arg &= 0xffffffffU;
        }
        switch (op) {
        case Compare::Equal:
            return arg == value;
        case Compare::NotEqual:
            return arg != value;
        case Compare::Less:
            return arg < value;
        case Compare::LessEqual:
            return arg <= value;
        case Compare::Greater:
            return arg > value;
        case Compare::GreaterEqual:
            return arg >= value;
        case Compare::MaskedEqual:
            return (arg & mask) == value;
        }
        return false;
    }

    friend constexpr bool operator==(const ArgCondition&, const ArgCondition&) noexcept = default;
};

/// `(arg(1) & O_ACCMODE) == O_RDONLY`: the left side of a masked comparison.
struct MaskedArg {
    unsigned index;
    ArgWidth width;
    std::uint64_t mask;

    template <class T>
    [[nodiscard]] constexpr ArgCondition operator==(T value) const noexcept {
        return {index, Compare::MaskedEqual, static_cast<std::uint64_t>(value), mask, width};
    }
    /// Only masked equality exists (seccomp compares a masked word for equality); write the
    /// opposite rule, or compare without a mask.
    template <class T>
    ArgCondition operator!=(T value) const = delete;
};

/// An argument in a C++ condition: `arg(0) == AF_UNIX`, `arg(2) < 4096`, `(arg(1) & m) == v`.
/// Values are converted to 64 bits (a negative int is sign-extended, then cut to 32 bits for a
/// 32-bit argument).
struct Arg {
    unsigned index;
    ArgWidth width = ArgWidth::Auto;

    template <class T>
    [[nodiscard]] constexpr ArgCondition operator==(T v) const noexcept {
        return make(Compare::Equal, v);
    }
    template <class T>
    [[nodiscard]] constexpr ArgCondition operator!=(T v) const noexcept {
        return make(Compare::NotEqual, v);
    }
    template <class T>
    [[nodiscard]] constexpr ArgCondition operator<(T v) const noexcept {
        return make(Compare::Less, v);
    }
    template <class T>
    [[nodiscard]] constexpr ArgCondition operator<=(T v) const noexcept {
        return make(Compare::LessEqual, v);
    }
    template <class T>
    [[nodiscard]] constexpr ArgCondition operator>(T v) const noexcept {
        return make(Compare::Greater, v);
    }
    template <class T>
    [[nodiscard]] constexpr ArgCondition operator>=(T v) const noexcept {
        return make(Compare::GreaterEqual, v);
    }
    template <class T>
    [[nodiscard]] constexpr MaskedArg operator&(T mask) const noexcept {
        return {index, width, static_cast<std::uint64_t>(mask)};
    }

private:
    template <class T>
    [[nodiscard]] constexpr ArgCondition make(Compare op, T v) const noexcept {
        return {index, op, static_cast<std::uint64_t>(v), ~std::uint64_t{0}, width};
    }
};

[[nodiscard]] constexpr Arg arg(unsigned index) noexcept {
    return {index, ArgWidth::Auto};
}
[[nodiscard]] constexpr Arg arg32(unsigned index) noexcept {
    return {index, ArgWidth::Bits32};
}
[[nodiscard]] constexpr Arg arg64(unsigned index) noexcept {
    return {index, ArgWidth::Bits64};
}

/// The number of conditions one rule may have (keeps every jump of its BPF code short).
inline constexpr std::size_t max_conditions = 12;

// --- What a rule names ------------------------------------------------------------------------

namespace detail {

/// Not constexpr on purpose: a policy naming an unknown syscall or group in C++ fails to
/// compile, with this function's name in the compiler's message.
void policy_names_an_unknown_syscall_or_group();

} // namespace detail

/// The syscalls a rule names: one syscall (by name or number) or a group ("@file-system").
/// From a string literal the name is checked at compile time; from a runtime string use
/// named(), which returns nullopt for an unknown name.
class Syscalls {
public:
    // Implicit on purpose: `builder.allow("openat")`. consteval: an unknown name does not compile.
    consteval Syscalls(const char* name) : Syscalls(checked(name)) {}

    [[nodiscard]] static constexpr std::optional<Syscalls> named(std::string_view name) noexcept {
        if (!name.empty() && name.front() == '@') {
            // A loop, not find_syscall_group: comparing its pointer with null is not a
            // constant expression under g++'s -fsanitize=null (-fno-delete-null-pointer-checks).
            for (const SyscallGroup& group : syscall_groups) {
                if (group.name == name) {
                    return Syscalls(group.members, group.name, true);
                }
            }
            return std::nullopt;
        }
        if (const std::optional<long> nr = syscall_number(name)) {
            return number(*nr);
        }
        return std::nullopt;
    }

    /// The syscall `nr`, also one the table has no name for. nullopt outside 0 to 511.
    [[nodiscard]] static constexpr std::optional<Syscalls> number(long nr) noexcept {
        if (nr < 0 || static_cast<std::uint64_t>(nr) >= SyscallSet::capacity) {
            return std::nullopt;
        }
        SyscallSet set;
        (void)set.insert(static_cast<std::uint64_t>(nr));
        return Syscalls(set, syscall_name(nr), false);
    }

    [[nodiscard]] constexpr const SyscallSet& set() const noexcept { return set_; }
    /// The syscall's or the group's name (empty for a number the table has no name for).
    [[nodiscard]] constexpr std::string_view name() const noexcept { return name_; }
    [[nodiscard]] constexpr bool is_group() const noexcept { return group_; }

private:
    constexpr Syscalls(const SyscallSet& set, std::string_view name, bool group) noexcept
        : set_(set), name_(name), group_(group) {}

    static consteval Syscalls checked(const char* name) {
        const std::optional<Syscalls> found = named(name);
        if (!found) {
            detail::policy_names_an_unknown_syscall_or_group();
        }
        return *found;
    }

    SyscallSet set_;
    std::string_view name_;
    bool group_ = false;
};

// --- Errors -------------------------------------------------------------------------------------

/// Where a rule came from: a line and column of a text policy (1-based), or, for a rule built
/// in C++, line 0 and the rule's position among the builder's calls (1-based) in `column`.
struct RuleOrigin {
    std::size_t line = 0;
    std::size_t column = 0;

    [[nodiscard]] std::string describe() const {
        if (line == 0) {
            return "rule " + std::to_string(column);
        }
        return "line " + std::to_string(line);
    }

    friend constexpr bool operator==(const RuleOrigin&, const RuleOrigin&) noexcept = default;
};

/// Why a policy was refused, and where.
struct PolicyError {
    RuleOrigin where;
    std::string message;

    /// "policy.txt:3:7: unknown syscall 'opne'" for text, "rule 3: ..." for C++ rules.
    [[nodiscard]] std::string describe(std::string_view source = "policy") const {
        if (where.line == 0) {
            return where.describe() + ": " + message;
        }
        return std::string(source) + ":" + std::to_string(where.line) + ":" +
               std::to_string(where.column) + ": " + message;
    }
};

class Policy;

/// A Policy or the error that prevented it (shaped like Result<T>, with a PolicyError).
template <class T>
class [[nodiscard]] PolicyResult {
public:
    PolicyResult(T value) : storage_(std::in_place_index<0>, std::move(value)) {}
    PolicyResult(PolicyError error) : storage_(std::in_place_index<1>, std::move(error)) {}

    [[nodiscard]] bool has_value() const noexcept { return storage_.has_value(); }
    explicit operator bool() const noexcept { return has_value(); }
    /// \pre has_value(): checked always (PTRACE_API_ASSERT), not undefined.
    [[nodiscard]] const T& operator*() const& noexcept { return checked(); }
    [[nodiscard]] T&& operator*() && noexcept { return std::move(checked()); }
    [[nodiscard]] const T* operator->() const noexcept { return &checked(); }
    /// \pre !has_value(), checked always.
    [[nodiscard]] const PolicyError& error() const noexcept {
        return storage_.checked_error("asked a PolicyResult that holds a value for its error");
    }

private:
    T& checked() noexcept {
        return storage_.checked_value("dereferenced a PolicyResult that holds an error");
    }
    const T& checked() const noexcept {
        return storage_.checked_value("dereferenced a PolicyResult that holds an error");
    }

    ptrace_api::detail::Expected<T, PolicyError> storage_; // a tagged union (detail/expected.hpp)
};

// --- The policy ---------------------------------------------------------------------------------

/// A rule that applies when all its conditions hold.
struct ConditionalRule {
    std::vector<ArgCondition> conditions; ///< widths resolved (never Auto)
    Action action;
    RuleOrigin origin;

    friend bool operator==(const ConditionalRule& a, const ConditionalRule& b) noexcept {
        return a.conditions == b.conditions && a.action == b.action;
    }
};

/// Everything a policy says about one syscall number.
struct SyscallRules {
    long nr = 0;
    /// Tried in order; the first whose conditions all hold decides.
    std::vector<ConditionalRule> conditional;
    /// What happens when no conditional rule applies: the syscall's unconditional rule, else its
    /// group's, else the policy's default.
    Action fallback = Action::allow();

    friend bool operator==(const SyscallRules& a, const SyscallRules& b) noexcept {
        return a.nr == b.nr && a.conditional == b.conditional && a.fallback == b.fallback;
    }
};

/// A checked, normalised policy: the default action and, by ascending number, the syscalls whose
/// treatment differs from it. Made only by PolicyBuilder::build() (or the text parser).
class Policy {
public:
    [[nodiscard]] const Action& default_action() const noexcept { return default_; }
    /// The syscalls with rules of their own, ascending by number.
    [[nodiscard]] const std::vector<SyscallRules>& syscalls() const noexcept { return rules_; }

    /// The rules of syscall `nr`, or nullptr when the default applies to it.
    [[nodiscard]] const SyscallRules* find(long nr) const noexcept {
        const auto it = std::lower_bound(rules_.begin(), rules_.end(), nr,
                                         [](const SyscallRules& r, long n) { return r.nr < n; });
        return it != rules_.end() && it->nr == nr ? &*it : nullptr;
    }

    /// The decision for a syscall as the kernel filter takes it (the reference the BPF program
    /// is tested against): `nr` is the 32-bit number seccomp sees, `args` the six registers,
    /// `native` false for a syscall of another architecture (int 0x80). Another architecture
    /// and x32 numbers (bit 0x40000000) kill the process: the policy is written for x86_64
    /// numbers and cannot judge them. Number -1 is allowed: it is a syscall a tracer skipped
    /// (FLAG_IGNORE, E1), which Linux checks again after the tracer's stop and then does not
    /// run; called directly it only returns ENOSYS.
    [[nodiscard]] Action decide(std::uint32_t nr, const std::array<std::uint64_t, 6>& args,
                                bool native = true) const noexcept {
        if (native && nr == skipped_syscall) {
            return Action::allow();
        }
        if (!native || (nr & x32_syscall_bit) != 0) {
            return Action::kill();
        }
        const SyscallRules* rules = find(static_cast<long>(nr));
        if (rules == nullptr) {
            return default_;
        }
        for (const ConditionalRule& rule : rules->conditional) {
            if (std::all_of(rule.conditions.begin(), rule.conditions.end(),
                            [&args](const ArgCondition& c) { return c.holds(args[c.index]); })) {
                return rule.action;
            }
        }
        return rules->fallback;
    }

    /// True when some syscall's treatment needs the sandbox's tracer (Log, Ask).
    [[nodiscard]] bool needs_tracer() const noexcept {
        if (default_.needs_tracer()) {
            return true;
        }
        return std::any_of(rules_.begin(), rules_.end(), [](const SyscallRules& r) {
            return r.fallback.needs_tracer() ||
                   std::any_of(r.conditional.begin(), r.conditional.end(),
                               [](const ConditionalRule& c) { return c.action.needs_tracer(); });
        });
    }

    /// The bit seccomp numbers of the x32 ABI carry.
    static constexpr std::uint32_t x32_syscall_bit = 0x40000000U;
    /// The number of a syscall a tracer skipped (-1 as seccomp sees it).
    static constexpr std::uint32_t skipped_syscall = 0xffffffffU;

    /// The syscalls a rule names by name or number (not only through a group): what
    /// harden() leaves to the policy, for example io_uring allowed by name.
    [[nodiscard]] const SyscallSet& named() const noexcept { return named_; }

    friend bool operator==(const Policy& a, const Policy& b) noexcept {
        return a.default_ == b.default_ && a.rules_ == b.rules_;
    }

    /// A copy in which `rule` comes before the conditional rules of syscall `nr` (a rule that
    /// must win over everything the policy says about it). \pre nr in 0..511.
    [[nodiscard]] Policy with_rule_first(long nr, ConditionalRule rule) const {
        Policy out = *this;
        SyscallRules& r = out.slot(nr);
        r.conditional.insert(r.conditional.begin(), std::move(rule));
        return out;
    }

    /// A copy in which syscall `nr` gets `action` whatever the policy said (its conditional
    /// rules dropped). \pre nr in 0..511.
    [[nodiscard]] Policy with_action(long nr, Action action) const {
        Policy out = *this;
        SyscallRules& r = out.slot(nr);
        r.conditional.clear();
        r.fallback = action;
        return out;
    }

private:
    friend class PolicyBuilder;
    Policy(Action default_action, std::vector<SyscallRules> rules, SyscallSet named)
        : default_(default_action), rules_(std::move(rules)), named_(named) {}

    /// The rules of `nr`, made (with the default as fallback) when it had none.
    SyscallRules& slot(long nr) {
        auto it = std::lower_bound(rules_.begin(), rules_.end(), nr,
                                   [](const SyscallRules& r, long n) { return r.nr < n; });
        if (it == rules_.end() || it->nr != nr) {
            it = rules_.insert(it, SyscallRules{nr, {}, default_});
        }
        return *it;
    }

    Action default_;
    std::vector<SyscallRules> rules_;
    SyscallSet named_;
};

// --- Building one -------------------------------------------------------------------------------

/// Collects rules and checks them into a Policy. Rules name one syscall, several, or a group:
///
///     auto policy = sandbox::PolicyBuilder(sandbox::Action::fail(EPERM))
///                       .allow("@basic-io")
///                       .allow("@file-system")
///                       .allow("socket", {sandbox::arg(0) == AF_UNIX})
///                       .deny("unlinkat", EACCES)
///                       .build();
///
/// Precedence (sandbox/README.md): a syscall's conditional rules are tried in the order they
/// were added; then its own unconditional rule; then the unconditional rule of a group it is
/// in; then the default. Two unconditional rules of the same level that disagree, or two
/// conditional rules with the same conditions and different actions, are a conflict.
class PolicyBuilder {
public:
    explicit PolicyBuilder(Action default_action, RuleOrigin where = {}) {
        default_ = default_action;
        default_origin_ = where;
    }

    /// Adds a rule. `where` names it in errors (left default: its position among the rules).
    PolicyBuilder& add(Action action, const Syscalls& target,
                       std::initializer_list<ArgCondition> conditions = {}, RuleOrigin where = {}) {
        return add(action, target, std::vector<ArgCondition>(conditions), where);
    }
    PolicyBuilder& add(Action action, const Syscalls& target, std::vector<ArgCondition> conditions,
                       RuleOrigin where = {}) {
        if (where.line == 0 && where.column == 0) {
            where.column = pending_.size() + 1;
        }
        pending_.push_back({action, target, std::move(conditions), where});
        return *this;
    }

    PolicyBuilder& allow(const Syscalls& t, std::initializer_list<ArgCondition> c = {}) {
        return add(Action::allow(), t, c);
    }
    PolicyBuilder& deny(const Syscalls& t, int error = 1 /* EPERM */,
                        std::initializer_list<ArgCondition> c = {}) {
        return add(Action::fail(error), t, c);
    }
    PolicyBuilder& kill(const Syscalls& t, std::initializer_list<ArgCondition> c = {}) {
        return add(Action::kill(), t, c);
    }
    PolicyBuilder& log(const Syscalls& t, std::initializer_list<ArgCondition> c = {}) {
        return add(Action::log(), t, c);
    }
    PolicyBuilder& ask(const Syscalls& t, std::initializer_list<ArgCondition> c = {}) {
        return add(Action::ask(), t, c);
    }

    /// Checks every rule and returns the policy, or the first error in the order the rules were
    /// added.
    [[nodiscard]] PolicyResult<Policy> build() const {
        if (auto bad = check_action(default_, default_origin_)) {
            return *std::move(bad);
        }
        struct Slot {
            std::vector<ConditionalRule> conditional;
            std::optional<std::pair<Action, RuleOrigin>> own;   // the syscall's unconditional
            std::optional<std::pair<Action, RuleOrigin>> group; // a group's unconditional
            std::string_view group_name;
        };
        std::vector<Slot> slots(SyscallSet::capacity);
        SyscallSet named;
        for (const Pending& rule : pending_) {
            if (!rule.target.is_group()) {
                for (std::uint64_t nr = 0; nr < SyscallSet::capacity; ++nr) {
                    if (rule.target.set().contains(nr)) {
                        (void)named.insert(nr);
                    }
                }
            }
            if (auto bad = check_action(rule.action, rule.where)) {
                return *std::move(bad);
            }
            if (rule.target.is_group() && !rule.conditions.empty()) {
                return PolicyError{rule.where,
                                   "conditions apply to single syscalls, not to group '" +
                                       std::string(rule.target.name()) + "'"};
            }
            if (rule.conditions.size() > max_conditions) {
                return PolicyError{rule.where, "too many conditions (at most " +
                                                   std::to_string(max_conditions) + ")"};
            }
            for (std::uint64_t nr = 0; nr < SyscallSet::capacity; ++nr) {
                if (!rule.target.set().contains(nr)) {
                    continue;
                }
                Slot& slot = slots[nr];
                const long n = static_cast<long>(nr);
                if (!rule.conditions.empty()) {
                    auto resolved = resolve(n, rule.conditions, rule.where);
                    if (auto* error = std::get_if<PolicyError>(&resolved)) {
                        return std::move(*error);
                    }
                    ConditionalRule made{std::get<0>(std::move(resolved)), rule.action, rule.where};
                    for (const ConditionalRule& old : slot.conditional) {
                        if (old.conditions == made.conditions && old.action != made.action) {
                            return conflict(n, made.action, rule.where, old.action, old.origin,
                                            " under the same conditions");
                        }
                    }
                    slot.conditional.push_back(std::move(made));
                    continue;
                }
                auto& level = rule.target.is_group() ? slot.group : slot.own;
                if (level && level->first != rule.action) {
                    return conflict(n, rule.action, rule.where, level->first, level->second, "");
                }
                if (!level) {
                    level.emplace(rule.action, rule.where);
                }
            }
        }
        std::vector<SyscallRules> rules;
        for (std::size_t nr = 0; nr < slots.size(); ++nr) {
            Slot& slot = slots[nr];
            Action fallback = default_;
            if (slot.own) {
                fallback = slot.own->first;
            } else if (slot.group) {
                fallback = slot.group->first;
            }
            // A conditional rule that does what the fallback does anyway changes nothing.
            std::vector<ConditionalRule> conditional;
            for (ConditionalRule& rule : slot.conditional) {
                if (rule.action != fallback) {
                    conditional.push_back(std::move(rule));
                }
            }
            if (conditional.empty() && fallback == default_) {
                continue;
            }
            rules.push_back({static_cast<long>(nr), std::move(conditional), fallback});
        }
        return Policy(default_, std::move(rules), named);
    }

private:
    struct Pending {
        Action action;
        Syscalls target;
        std::vector<ArgCondition> conditions;
        RuleOrigin where;
    };

    static std::optional<PolicyError> check_action(const Action& action, RuleOrigin where) {
        if (action.kind() == ActionKind::Errno &&
            (action.error() < 1 || action.error() > Action::max_errno)) {
            return PolicyError{where, "bad value: errno " + std::to_string(action.error()) +
                                          " is out of range (1 to 4095)"};
        }
        return std::nullopt;
    }

    static std::string syscall_label(long nr) {
        const std::string_view name = syscall_name(nr);
        return name.empty() ? "syscall " + std::to_string(nr) : "'" + std::string(name) + "'";
    }

    static PolicyError conflict(long nr, const Action& now, RuleOrigin now_where,
                                const Action& before, RuleOrigin before_where,
                                std::string_view how) {
        return PolicyError{now_where, "conflicting rules: " + syscall_label(nr) + " gets '" +
                                          describe(now) + "' here and '" + describe(before) +
                                          "' on " + before_where.describe() + std::string(how)};
    }

    /// The conditions of a rule for syscall `nr`, widths resolved and values checked.
    static std::variant<std::vector<ArgCondition>, PolicyError>
    resolve(long nr, const std::vector<ArgCondition>& conditions, RuleOrigin where) {
        const std::optional<SyscallInfo> info = syscall_info(nr);
        std::vector<ArgCondition> out;
        for (ArgCondition c : conditions) {
            const unsigned count = info ? static_cast<unsigned>(info->arg_count) : 6U;
            if (c.index >= count) {
                return PolicyError{where, "argument " + std::to_string(c.index) +
                                              " out of range: " + syscall_label(nr) + " takes " +
                                              std::to_string(count) + " argument" +
                                              (count == 1 ? "" : "s")};
            }
            if (c.width == ArgWidth::Auto) {
                // The kernel's width (<ptrace/syscalls.hpp>): compared on 64 bits, a 32-bit
                // argument would let a program pass with a value in the high half, which the
                // kernel does not see (`deny ioctl if arg1 == TIOCSTI`).
                c.width =
                    info && info->arg_is_narrow(c.index) ? ArgWidth::Bits32 : ArgWidth::Bits64;
            }
            if (c.width == ArgWidth::Bits32) {
                // A 32-bit argument takes values that fit 32 bits, or negative ints written
                // as 64-bit values (sign-extended), which are cut to their low half.
                auto fits = [](std::uint64_t v) {
                    return (v >> 32) == 0 || (v >> 31) == 0x1ffffffffU;
                };
                const bool masked = c.op == Compare::MaskedEqual;
                if (!fits(c.value) || (masked && !fits(c.mask))) {
                    return PolicyError{
                        where, "bad value: " + std::to_string(fits(c.value) ? c.mask : c.value) +
                                   " does not fit argument " + std::to_string(c.index) + " of " +
                                   syscall_label(nr) + " (32 bits)"};
                }
                c.value &= 0xffffffffU;
                c.mask &= 0xffffffffU;
            }
            if (c.op == Compare::MaskedEqual && (c.value & ~c.mask) != 0) {
                return PolicyError{where, "bad value: the compared value has bits outside the "
                                          "mask, so the condition never holds"};
            }
            if (c.op != Compare::MaskedEqual) {
                c.mask = c.width == ArgWidth::Bits32 ? 0xffffffffU : ~std::uint64_t{0};
            }
            out.push_back(c);
        }
        return out;
    }

    Action default_ = Action::allow();
    RuleOrigin default_origin_;
    std::vector<Pending> pending_;
};

} // namespace ptrace_api::sandbox
