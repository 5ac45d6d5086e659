// SPDX-License-Identifier: MIT
// Command line of the strace example: -f, -o FILE, -e trace=SET, -s SIZE, -p PID, -- CMD ARGS.
#pragma once

#include <ptrace/syscall_classes.hpp>
#include <ptrace/syscall_set.hpp>
#include <ptrace/syscalls.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace strace_example {

inline constexpr std::string_view usage =
    "usage: strace [-f] [-o FILE] [-e trace=SET] [-s SIZE] { -p PID | [--] CMD [ARGS...] }\n"
    "  -f              follow forks and threads (advanced mode: one non-blocking trace handle\n"
    "                  per tracee, multiplexed with epoll); lines start with [pid N]\n"
    "  -o FILE         write the trace to FILE instead of stderr\n"
    "  -e trace=SET    trace only these syscalls: names, numbers and classes (%file, %desc,\n"
    "                  %network or %net, %process, %signal, %memory, %ipc, %creds, %clock),\n"
    "                  comma-separated; !SET = all but these; all. With -f a spawned\n"
    "                  command is filtered in the kernel (seccomp), else in the library\n"
    "  -p PID          attach to the running process PID (its thread PID) instead of running\n"
    "                  a command; Ctrl-C (SIGINT), SIGTERM or SIGHUP detach and leave it running\n"
    "  -s SIZE         cut strings after SIZE characters (default 32)\n";

struct Options {
    bool follow = false; ///< -f
    std::string output;  ///< -o FILE; empty = stderr
    /// -e trace=...: the syscalls traced; nullopt = every syscall (no filter at all).
    std::optional<ptrace_api::SyscallSet> trace;
    std::size_t string_limit = 32;    ///< -s
    pid_t attach = 0;                 ///< -p PID; 0 = run the command
    std::vector<std::string> command; ///< CMD ARGS...
};

/// The options, or an error message (for stderr, without the usage text).
struct ParsedOptions {
    std::optional<Options> options;
    std::string error;
    bool help = false;
};

/// Every syscall of the table (what `all` and `!` start from).
inline ptrace_api::SyscallSet every_syscall() {
    ptrace_api::SyscallSet set;
    for (const ptrace_api::SyscallInfo& info : ptrace_api::syscall_table) {
        (void)set.insert(static_cast<std::uint64_t>(info.number));
    }
    return set;
}

/// The syscalls one element of a trace list names: a syscall name ("openat"), a number of the
/// table ("257"), a class with its '%' ("%file", syscall_classes.hpp) or without it ("file",
/// strace's older spelling), or `all`. nullopt when it names nothing (strace then says
/// "invalid system call").
inline std::optional<ptrace_api::SyscallSet> trace_element(std::string_view item) {
    if (item == "all") {
        return every_syscall();
    }
    if (auto c = ptrace_api::syscall_class(item)) {
        return c;
    }
    if (auto c = ptrace_api::syscall_class("%" + std::string(item)); c && !item.empty()) {
        return c;
    }
    std::optional<long> nr = ptrace_api::syscall_number(item);
    if (!nr && !item.empty() && item.find_first_not_of("0123456789") == std::string_view::npos &&
        item.size() <= 4) {
        const long n = std::strtol(std::string(item).c_str(), nullptr, 10);
        if (!ptrace_api::syscall_name(n).empty()) {
            nr = n;
        }
    }
    if (!nr) {
        return std::nullopt;
    }
    return ptrace_api::SyscallSet{static_cast<std::uint64_t>(*nr)};
}

/// `-e trace=SET` or `-e SET`, as strace 6.1 reads it: a comma-separated list of elements
/// (trace_element(); empty ones are skipped), all of it negated by a leading `!`. A later
/// -e trace= replaces an earlier one, as with strace. Not supported: strace's `/REGEX`, `?`
/// (ignore unknown names), `none` and `!all` (an empty SyscallSet means "every syscall").
/// \returns an error message, or nullopt with `out` set (nullopt there for `all`).
inline std::optional<std::string> parse_trace_list(std::string_view expr,
                                                   std::optional<ptrace_api::SyscallSet>& out) {
    constexpr std::string_view key = "trace=";
    if (expr.substr(0, key.size()) == key) {
        expr.remove_prefix(key.size());
    } else if (expr.find('=') != std::string_view::npos) {
        return "unsupported -e expression '" + std::string(expr) + "' (only trace=SET)";
    }
    const std::string_view whole = expr;
    const bool negated = !expr.empty() && expr.front() == '!';
    if (negated) {
        expr.remove_prefix(1);
    }
    ptrace_api::SyscallSet set;
    bool all = false;
    bool named = false;
    while (true) {
        const std::size_t comma = expr.find(',');
        const std::string_view item = expr.substr(0, comma);
        if (!item.empty()) {
            const auto element = trace_element(item);
            if (!element) {
                return "invalid system call '" + std::string(item) + "'";
            }
            all = all || item == "all";
            named = true;
            for (std::uint64_t nr = 0; nr < ptrace_api::SyscallSet::capacity; ++nr) {
                if (element->contains(nr)) {
                    (void)set.insert(nr);
                }
            }
        }
        if (comma == std::string_view::npos) {
            break;
        }
        expr.remove_prefix(comma + 1);
    }
    if (!named) {
        return "invalid system call '" + std::string(whole) + "'";
    }
    if (negated) {
        if (all) {
            return "unsupported -e trace=" + std::string(whole) + " (no syscall at all)";
        }
        const ptrace_api::SyscallSet chosen = set;
        set = every_syscall();
        for (std::uint64_t nr = 0; nr < ptrace_api::SyscallSet::capacity; ++nr) {
            if (chosen.contains(nr)) {
                set.erase(nr);
            }
        }
    }
    out = all ? std::nullopt : std::optional<ptrace_api::SyscallSet>(set);
    return std::nullopt;
}

/// `-p PID`: a positive decimal pid.
inline std::optional<pid_t> parse_pid(const std::string& text) {
    char* end = nullptr;
    errno = 0;
    const long n = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0 || n <= 0 || n > 0x3fffffff) {
        return std::nullopt;
    }
    return static_cast<pid_t>(n);
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
        case 'p': {
            value(arg, v);
            const auto pid = v ? parse_pid(*v) : std::nullopt;
            if (!pid) {
                parsed.error = "Invalid process id: '" + v.value_or("") + "'";
                return parsed;
            }
            if (opts.attach != 0 && opts.attach != *pid) {
                parsed.error = "only one -p PID is supported";
                return parsed;
            }
            opts.attach = *pid;
            continue;
        }
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
    if (opts.command.empty() && opts.attach == 0) {
        parsed.error = "must have PROG [ARGS] or -p PID";
        return parsed;
    }
    if (!opts.command.empty() && opts.attach != 0) {
        parsed.error = "-p PID and a command cannot be used together here";
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
