// SPDX-License-Identifier: MIT
// Fuzzes the command-line parsers: the strace example's (examples/strace/options.hpp):
// parse_options over an argv, parse_trace_list over an expression, find_in_path over a PATH
// value; and spawn()'s PATH search (ptrace_api::detail::exec_candidates).
//
// Input: the argv, arguments separated by NUL bytes (at most 32). The whole input is also the
// `-e` expression, and its first two arguments a PATH value and a program name (find_in_path
// looks only at PATH values of few entries: every entry costs a stat(2)).
//
// Properties:
// - exactly one outcome: options, an error message, or help;
// - with options: the command is the non-empty tail of argv after the options (and `--`);
//   -s is within 1..65536; every traced number names a syscall and the filter selects
//   exactly the traced numbers;
//   -o is a non-empty name; -f was given;
// - parse_trace_list accepts `trace=SET` (or SET alone, without '='): an optional '!', then
//   comma-separated names, classes (with or without '%'), numbers of the table, `all`; it
//   gives the set the elements name (its complement in the table after '!'; nullopt for
//   `all`), or an error and leaves its output alone;
// - a command, or -p PID, never both;
// - exec_candidates lists the name itself when it has a '/', else one `DIR/name` per PATH
//   entry in order, `.` for an empty entry;
// - find_in_path returns a regular executable file, found in one of the PATH entries (or the
//   name itself when it has a '/'), and it is one of the candidates spawn() would try.
#include <ptrace/spawn.hpp>
#include <ptrace/syscall_classes.hpp>
#include <ptrace/syscall_set.hpp>
#include <ptrace/syscalls.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdlib.h>
#include <string>
#include <string_view>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.hpp"
#include "options.hpp"
#include "printer.hpp"

namespace {

using namespace strace_example;

std::vector<std::string> split_args(std::string_view text) {
    std::vector<std::string> args;
    while (args.size() < 32) {
        const std::size_t nul = text.find('\0');
        args.emplace_back(text.substr(0, nul));
        if (nul == std::string_view::npos) {
            break;
        }
        text.remove_prefix(nul + 1);
    }
    return args;
}

std::string describe(const std::vector<std::string>& args) {
    std::string out = "argv:";
    for (const std::string& a : args) {
        out += " \"" + fuzz::escaped(a) + "\"";
    }
    return out;
}

void check_options(const std::vector<std::string>& args) {
    const ParsedOptions parsed = parse_options(args);
    const std::string what = describe(args);
    const int outcomes =
        (parsed.options ? 1 : 0) + (parsed.error.empty() ? 0 : 1) + (parsed.help ? 1 : 0);
    FUZZ_CHECK(outcomes == 1, what + " error: " + parsed.error);
    if (!parsed.options) {
        return;
    }
    const Options& o = *parsed.options;
    // A command, or -p PID: exactly one of them.
    FUZZ_CHECK(o.command.empty() == (o.attach != 0) && o.command.size() <= args.size(), what);
    FUZZ_CHECK(o.attach >= 0, what);
    FUZZ_CHECK(std::equal(o.command.begin(), o.command.end(),
                          args.end() - static_cast<std::ptrdiff_t>(o.command.size())),
               what);
    // What came before the command: options and their values, then maybe `--`.
    const std::size_t first = args.size() - o.command.size();
    if (!o.command.empty() && (first == 0 || args[first - 1] != "--")) {
        FUZZ_CHECK(o.command.front().size() < 2 || o.command.front()[0] != '-', what);
    }
    FUZZ_CHECK(o.string_limit >= 1 && o.string_limit <= 65536, what);
    if (o.trace) {
        const Filter filter(*o.trace);
        for (std::uint64_t nr = 0; nr < ptrace_api::SyscallSet::capacity; ++nr) {
            const auto n = static_cast<long>(nr);
            FUZZ_CHECK(filter.wants(n) == o.trace->contains(nr), what);
            FUZZ_CHECK(!o.trace->contains(nr) || ptrace_api::syscall_info(n).has_value(), what);
        }
    }
    if (o.follow) {
        FUZZ_CHECK(std::find(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(first),
                             "-f") != args.begin() + static_cast<std::ptrdiff_t>(first),
                   what);
    }
    FUZZ_CHECK(o.output.empty() || first >= 1, what);
}

/// The syscalls one element of a trace list names (written again from strace's rules, not
/// from options.hpp): `all`, a class with or without its '%', a name, or a decimal number of
/// at most four digits that names a syscall.
std::optional<ptrace_api::SyscallSet> expected_element(std::string_view item) {
    ptrace_api::SyscallSet set;
    if (item == "all") {
        for (const auto& info : ptrace_api::syscall_table) {
            (void)set.insert(static_cast<std::uint64_t>(info.number));
        }
        return set;
    }
    if (const auto c = ptrace_api::syscall_class(item)) {
        return c;
    }
    if (const auto c = ptrace_api::syscall_class("%" + std::string(item))) {
        return c;
    }
    if (const auto nr = ptrace_api::syscall_number(item)) {
        return ptrace_api::SyscallSet{static_cast<std::uint64_t>(*nr)};
    }
    if (!item.empty() && item.size() <= 4 &&
        std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        const long nr = std::stol(std::string(item));
        if (ptrace_api::syscall_info(nr)) {
            return ptrace_api::SyscallSet{static_cast<std::uint64_t>(nr)};
        }
    }
    return std::nullopt;
}

void check_trace_list(std::string_view expr) {
    std::optional<ptrace_api::SyscallSet> got = ptrace_api::SyscallSet{7}; // replaced on success
    const auto error = parse_trace_list(expr, got);
    // The expected outcome: `trace=` (or no '=' at all), an optional '!', then elements.
    std::string_view list = expr;
    bool valid = true;
    if (list.starts_with("trace=")) {
        list.remove_prefix(6);
    } else if (list.find('=') != std::string_view::npos) {
        valid = false;
    }
    const bool negated = list.starts_with("!");
    if (negated) {
        list.remove_prefix(1);
    }
    ptrace_api::SyscallSet set;
    bool all = false;
    bool named = false;
    for (std::size_t start = 0; valid && start <= list.size();) {
        const std::size_t comma = std::min(list.find(',', start), list.size());
        const std::string_view item = list.substr(start, comma - start);
        start = comma + 1;
        if (item.empty()) {
            continue;
        }
        const auto element = expected_element(item);
        if (!element) {
            valid = false;
            break;
        }
        named = true;
        all = all || item == "all";
        for (std::uint64_t nr = 0; nr < ptrace_api::SyscallSet::capacity; ++nr) {
            if (element->contains(nr)) {
                (void)set.insert(nr);
            }
        }
    }
    valid = valid && named && !(negated && all);
    FUZZ_CHECK(valid == !error.has_value(), fuzz::escaped(expr) + " error: " + error.value_or(""));
    if (!valid) {
        FUZZ_CHECK(!error->empty(), fuzz::escaped(expr));
        FUZZ_CHECK(got == ptrace_api::SyscallSet{7}, fuzz::escaped(expr)); // left alone
        return;
    }
    if (all) {
        FUZZ_CHECK(!got.has_value(), fuzz::escaped(expr));
        return;
    }
    FUZZ_CHECK(got.has_value(), fuzz::escaped(expr));
    for (std::uint64_t nr = 0; nr < ptrace_api::SyscallSet::capacity; ++nr) {
        const bool named_nr = set.contains(nr);
        const bool want =
            negated ? (!named_nr && ptrace_api::syscall_info(static_cast<long>(nr))) : named_nr;
        FUZZ_CHECK(got->contains(nr) == want, fuzz::escaped(expr) + " nr " + std::to_string(nr));
    }
}

/// The PATH entries, split at ':', empty ones included.
std::vector<std::string_view> path_entries(std::string_view path) {
    std::vector<std::string_view> out;
    for (;;) {
        const std::size_t colon = path.find(':');
        out.push_back(path.substr(0, colon));
        if (colon == std::string_view::npos) {
            return out;
        }
        path.remove_prefix(colon + 1);
    }
}

/// Sets PATH for exec_candidates, which reads it with getenv. The variable points into one
/// static buffer that is rewritten (putenv keeps the pointer): setenv would keep every value
/// ever set.
void set_path(const std::string& value) {
    static std::array<char, 8192> buffer{};
    static bool installed = false;
    const std::string entry = "PATH=" + value.substr(0, buffer.size() - 6);
    std::copy(entry.begin(), entry.end(), buffer.begin());
    buffer[entry.size()] = '\0';
    if (!installed) {
        FUZZ_CHECK(::putenv(buffer.data()) == 0, "putenv");
        installed = true;
    }
}

std::vector<std::string> check_candidates(const std::string& path_env, const std::string& name) {
    set_path(path_env);
    const std::vector<std::string> got = ptrace_api::detail::exec_candidates(name);
    const std::string what = "exec_candidates(\"" + fuzz::escaped(name) + "\") with PATH \"" +
                             fuzz::escaped(path_env) + "\"";
    if (name.find('/') != std::string::npos) {
        FUZZ_CHECK(got == std::vector<std::string>{name}, what);
        return got;
    }
    const auto entries = path_entries(path_env);
    FUZZ_CHECK(got.size() == entries.size(), what);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::string dir = entries[i].empty() ? std::string(".") : std::string(entries[i]);
        FUZZ_CHECK(got[i] == dir + "/" + name, what + ": " + fuzz::escaped(got[i]));
    }
    return got;
}

void check_find_in_path(const std::string& path_env, const std::string& name) {
    const std::vector<std::string> candidates = check_candidates(path_env, name);
    if (std::count(path_env.begin(), path_env.end(), ':') > 8 || name.empty()) {
        return;
    }
    const auto found = find_in_path(name, path_env.c_str());
    if (!found) {
        return;
    }
    const std::string what = "find_in_path(\"" + fuzz::escaped(name) + "\", \"" +
                             fuzz::escaped(path_env) + "\") = " + fuzz::escaped(*found);
    struct stat st {};
    FUZZ_CHECK(::stat(found->c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
                   ::access(found->c_str(), X_OK) == 0,
               what);
    FUZZ_CHECK(std::find(candidates.begin(), candidates.end(), *found) != candidates.end(), what);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    const std::vector<std::string> args = split_args(text);
    check_options(args);
    check_trace_list(text);
    check_trace_list(args.front());
    if (args.size() >= 2) {
        check_find_in_path(args[0], args[1]);
    }
    return 0;
}
