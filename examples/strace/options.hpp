// SPDX-License-Identifier: MIT
// Command line of the strace example: -f, -o FILE, -e trace=NAME,..., -s SIZE, -- CMD ARGS.
#pragma once

#include <ptrace/syscalls.hpp>

#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

namespace strace_example {

inline constexpr std::string_view usage =
    "usage: strace [-f] [-o FILE] [-e trace=NAME[,NAME...]] [-s SIZE] [--] CMD [ARGS...]\n"
    "  -f              follow forks and threads (advanced mode: one non-blocking trace handle\n"
    "                  per tracee, multiplexed with epoll); lines start with [pid N]\n"
    "  -o FILE         write the trace to FILE instead of stderr\n"
    "  -e trace=LIST   print only these syscalls (exact names, comma-separated)\n"
    "  -s SIZE         cut strings after SIZE characters (default 32)\n";

struct Options {
    bool follow = false;              ///< -f
    std::string output;               ///< -o FILE; empty = stderr
    std::vector<long> trace;          ///< -e trace=...: syscall numbers; empty = all
    std::size_t string_limit = 32;    ///< -s
    std::vector<std::string> command; ///< CMD ARGS...
};

/// The options, or an error message (for stderr, without the usage text).
struct ParsedOptions {
    std::optional<Options> options;
    std::string error;
    bool help = false;
};

/// `-e trace=open,read`: exact names only, every one must be a syscall (strace rejects unknown
/// names the same way). Classes such as %file are not supported.
inline std::optional<std::string> parse_trace_list(std::string_view expr, std::vector<long>& out) {
    constexpr std::string_view key = "trace=";
    if (expr.substr(0, key.size()) != key) {
        return "unsupported -e expression '" + std::string(expr) + "' (only trace=NAME,...)";
    }
    expr.remove_prefix(key.size());
    while (true) {
        const std::size_t comma = expr.find(',');
        const std::string_view name = expr.substr(0, comma);
        const auto nr = ptrace_api::syscall_number(name);
        if (!nr) {
            return "invalid system call '" + std::string(name) + "'";
        }
        out.push_back(*nr);
        if (comma == std::string_view::npos) {
            return std::nullopt;
        }
        expr.remove_prefix(comma + 1);
    }
}

/// Parses argv like strace's getopt: options first, the command starts at the first argument
/// that is not an option (or after `--`).
inline ParsedOptions parse_options(const std::vector<std::string>& args) {
    ParsedOptions parsed;
    Options opts;
    std::size_t i = 0;
    // An option's value: the rest of the same argument (-ofile) or the next argument.
    auto value = [&](const std::string& arg, std::optional<std::string>& out) {
        if (arg.size() > 2) {
            out = arg.substr(2);
        } else if (i + 1 < args.size()) {
            out = args[++i];
        }
    };
    for (; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--") {
            ++i;
            break;
        }
        if (arg.size() < 2 || arg[0] != '-') {
            break;
        }
        std::optional<std::string> v;
        switch (arg[1]) {
        case 'f':
            if (arg != "-f") {
                parsed.error = "unknown option '" + arg + "'";
                return parsed;
            }
            opts.follow = true;
            continue;
        case 'h':
            parsed.help = true;
            return parsed;
        case 'o':
            value(arg, v);
            if (!v || v->empty()) {
                parsed.error = "option -o needs a file name";
                return parsed;
            }
            opts.output = *v;
            continue;
        case 'e':
            value(arg, v);
            if (!v) {
                parsed.error = "option -e needs an expression";
                return parsed;
            }
            if (auto err = parse_trace_list(*v, opts.trace)) {
                parsed.error = *err;
                return parsed;
            }
            continue;
        case 's': {
            value(arg, v);
            char* end = nullptr;
            const unsigned long n = v ? std::strtoul(v->c_str(), &end, 10) : 0;
            if (!v || v->empty() || *end != '\0' || n == 0 || n > 65536) {
                parsed.error = "option -s needs a size between 1 and 65536";
                return parsed;
            }
            opts.string_limit = n;
            continue;
        }
        default:
            parsed.error = "unknown option '" + arg + "'";
            return parsed;
        }
    }
    opts.command.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    if (opts.command.empty()) {
        parsed.error = "must have PROG [ARGS]";
        return parsed;
    }
    parsed.options = std::move(opts);
    return parsed;
}

/// The program strace would run for `name`: itself when it contains a '/', else the first
/// executable regular file called `name` in $PATH (like execvp, which the tracee cannot use
/// here because we show its execve with the resolved path, as strace does).
inline std::optional<std::string> find_in_path(const std::string& name, const char* path_env) {
    auto runnable = [](const std::string& file) {
        struct stat st {};
        return ::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
               ::access(file.c_str(), X_OK) == 0;
    };
    if (name.find('/') != std::string::npos) {
        return runnable(name) ? std::optional<std::string>(name) : std::nullopt;
    }
    const std::string_view path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t colon = std::min(path.find(':', start), path.size());
        std::string dir(path.substr(start, colon - start));
        if (dir.empty()) {
            dir = "."; // an empty PATH entry means the current directory
        }
        const std::string file = dir + "/" + name;
        if (runnable(file)) {
            return file;
        }
        start = colon + 1;
    }
    return std::nullopt;
}

} // namespace strace_example
