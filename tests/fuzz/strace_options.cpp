// SPDX-License-Identifier: MIT
// Fuzzes the strace example's command line (examples/strace/options.hpp): parse_options over an
// argv, parse_trace_list over an expression, and find_in_path over a PATH value.
//
// Input: the argv, arguments separated by NUL bytes (at most 32). The whole input is also the
// `-e` expression, and its first argument a PATH value for find_in_path (looked up only when it
// has few entries: every entry costs a stat(2)).
//
// Properties:
// - exactly one outcome: options, an error message, or help;
// - with options: the command is the non-empty tail of argv after the options (and `--`);
//   -s is within 1..65536; every traced number names a syscall and the filter selects it;
//   -o is a non-empty name; -f was given;
// - parse_trace_list accepts exactly `trace=` and a comma-separated list of syscall names,
//   and appends their numbers in order;
// - find_in_path returns a regular executable file, found in one of the PATH entries (or the
//   name itself when it has a '/').
#include <ptrace/syscalls.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
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
    FUZZ_CHECK(!o.command.empty() && o.command.size() <= args.size(), what);
    FUZZ_CHECK(std::equal(o.command.begin(), o.command.end(),
                          args.end() - static_cast<std::ptrdiff_t>(o.command.size())),
               what);
    // What came before the command: options and their values, then maybe `--`.
    const std::size_t first = args.size() - o.command.size();
    if (first == 0 || args[first - 1] != "--") {
        FUZZ_CHECK(o.command.front().size() < 2 || o.command.front()[0] != '-', what);
    }
    FUZZ_CHECK(o.string_limit >= 1 && o.string_limit <= 65536, what);
    if (!o.trace.empty()) {
        const Filter filter(o.trace);
        for (const long nr : o.trace) {
            FUZZ_CHECK(ptrace_api::syscall_info(nr).has_value() && filter.wants(nr), what);
        }
    }
    if (o.follow) {
        FUZZ_CHECK(std::find(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(first),
                             "-f") != args.begin() + static_cast<std::ptrdiff_t>(first),
                   what);
    }
    FUZZ_CHECK(o.output.empty() || first >= 1, what);
}

void check_trace_list(std::string_view expr) {
    std::vector<long> numbers{-7}; // the list is appended to
    const auto error = parse_trace_list(expr, numbers);
    FUZZ_CHECK(!numbers.empty() && numbers.front() == -7, fuzz::escaped(expr));
    bool valid = expr.starts_with("trace=");
    std::vector<long> expected{-7};
    if (valid) {
        std::string_view list = expr.substr(6);
        for (;;) {
            const std::size_t comma = list.find(',');
            const auto nr = ptrace_api::syscall_number(list.substr(0, comma));
            if (!nr) {
                valid = false;
                break;
            }
            expected.push_back(*nr);
            if (comma == std::string_view::npos) {
                break;
            }
            list.remove_prefix(comma + 1);
        }
    }
    FUZZ_CHECK(valid == !error.has_value(), fuzz::escaped(expr) + " error: " + error.value_or(""));
    if (valid) {
        FUZZ_CHECK(numbers == expected, fuzz::escaped(expr));
    } else {
        FUZZ_CHECK(!error->empty(), fuzz::escaped(expr));
    }
}

void check_find_in_path(const std::string& path_env, const std::string& name) {
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
    if (name.find('/') != std::string::npos) {
        FUZZ_CHECK(*found == name, what);
        return;
    }
    FUZZ_CHECK(found->ends_with("/" + name), what);
    const std::string dir = found->substr(0, found->size() - name.size() - 1);
    bool listed = false;
    std::string_view entries = path_env;
    for (;;) {
        const std::size_t colon = entries.find(':');
        const std::string_view entry = entries.substr(0, colon);
        listed = listed || entry == dir || (entry.empty() && dir == ".");
        if (colon == std::string_view::npos) {
            break;
        }
        entries.remove_prefix(colon + 1);
    }
    FUZZ_CHECK(listed, what);
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
