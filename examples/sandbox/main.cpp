// SPDX-License-Identifier: MIT
// sandbox: runs a command under a syscall policy that binds it and every descendant.
//
//   sandbox [--policy FILE] [--deny NAME[,NAME...]] [--allow NAME[,NAME...]]
//           [--ask NAME[,NAME...]] [--allow-path DIR]... [--log] [--keep-descendants]
//           [--trace-all] [--no-isolation] -- CMD [ARGS...]
//
// The policy is FILE (sandbox/README.md has the format), or `default allow` without one; the
// options add rules after it: --deny fails the syscalls (names, numbers or @groups) with EPERM,
// --allow lets them run, --ask stops them for this program to decide: a call whose path
// arguments all lie under a --allow-path DIR runs, any other fails with EACCES. Denials are in
// the kernel's seccomp filter, for CMD and everything it starts, followed or not, and after this
// program is gone. --log prints one strace-format line per denied or asked call on stderr.
// When CMD exits, whatever it left running is killed (--keep-descendants: left running).
// --trace-all makes the tracer stop at every syscall instead of only the asked ones (to
// measure what the kernel filter saves). CMD and its descendants cannot trace, read or write
// the memory of, or take descriptors from, any other process, this one included (a Landlock
// domain: Linux 5.19 or later); --no-isolation runs them without that, where the kernel has
// no Landlock.
// The exit status is CMD's, or 128 + N when a signal N killed it.
//
// Uses only the public API: <ptrace/sandbox/...> and spawn's Command. The call lines come from
// the strace example's decoder (examples/strace/decode.hpp).
#include <ptrace/sandbox/policy.hpp>
#include <ptrace/sandbox/policy_text.hpp>
#include <ptrace/sandbox/sandbox.hpp>
#include <ptrace/spawn.hpp>
#include <ptrace/syscalls.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "decode.hpp"

namespace {

namespace sb = ptrace_api::sandbox;

constexpr std::string_view usage =
    "usage: sandbox [--policy FILE] [--deny NAME[,NAME...]] [--allow NAME[,NAME...]]\n"
    "               [--ask NAME[,NAME...]] [--allow-path DIR]... [--log] [--keep-descendants]\n"
    "               [--trace-all] [--no-isolation] -- CMD [ARGS...]\n";

struct Options {
    std::string policy_file;
    std::string extra;                   ///< the rules of --deny/--allow/--ask, as policy text
    std::vector<std::string> allow_path; ///< --allow-path
    bool log = false;
    bool keep = false;
    bool trace_all = false; ///< --trace-all: stop at every syscall (for comparisons)
    bool isolate = true;    ///< false: --no-isolation
    std::vector<std::string> command;
};

void complain(const std::string& message) {
    std::fprintf(stderr, "sandbox: %s\n", message.c_str());
}

/// "a,b,c" -> "a b c": a rule's targets.
std::string targets(std::string list) {
    for (char& c : list) {
        c = c == ',' ? ' ' : c;
    }
    return list;
}

std::optional<Options> parse(int argc, char** argv) {
    Options o;
    int i = 1;
    for (; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= argc) {
                complain("option " + std::string(arg) + " needs a value");
                return std::nullopt;
            }
            return std::string(argv[++i]);
        };
        if (arg == "--") {
            ++i;
            break;
        }
        if (arg == "--log") {
            o.log = true;
        } else if (arg == "--keep-descendants") {
            o.keep = true;
        } else if (arg == "--trace-all") {
            o.trace_all = true;
        } else if (arg == "--no-isolation") {
            o.isolate = false;
        } else if (arg == "--policy" || arg == "--deny" || arg == "--allow" || arg == "--ask" ||
                   arg == "--allow-path") {
            const auto v = value();
            if (!v) {
                return std::nullopt;
            }
            if (arg == "--policy") {
                o.policy_file = *v;
            } else if (arg == "--allow-path") {
                o.allow_path.push_back(*v);
            } else {
                o.extra += std::string(arg.substr(2)) + " " + targets(*v) + "\n";
            }
        } else if (arg == "-h" || arg == "--help") {
            std::fputs(usage.data(), stdout);
            std::exit(0);
        } else if (arg.starts_with("-")) {
            complain("unknown option " + std::string(arg));
            return std::nullopt;
        } else {
            break;
        }
    }
    o.command.assign(argv + i, argv + argc);
    if (o.command.empty()) {
        complain("no command to run");
        std::fputs(usage.data(), stderr);
        return std::nullopt;
    }
    return o;
}

/// "/a/./b/../c" -> "/a/c": the path as written, without symlinks resolved (see README: a path
/// decision is advisory).
std::string normalised(const std::string& path) {
    std::vector<std::string> parts;
    std::stringstream in(path);
    std::string part;
    while (std::getline(in, part, '/')) {
        if (part.empty() || part == ".") {
            continue;
        }
        if (part == "..") {
            if (!parts.empty()) {
                parts.pop_back();
            }
            continue;
        }
        parts.push_back(part);
    }
    std::string out;
    for (const std::string& p : parts) {
        out += "/" + p;
    }
    return out.empty() ? "/" : out;
}

/// The directory a relative path of task `pid` starts from: its cwd, or the dirfd's target.
std::string base_dir(pid_t pid, std::int64_t dirfd) {
    const std::string link = dirfd == AT_FDCWD
                                 ? "/proc/" + std::to_string(pid) + "/cwd"
                                 : "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(dirfd);
    std::string target(4096, '\0');
    const ssize_t n = ::readlink(link.c_str(), target.data(), target.size());
    return n > 0 ? target.substr(0, static_cast<std::size_t>(n)) : std::string("/nonexistent");
}

/// The --ask decision: every path argument under a --allow-path directory, else EACCES.
sb::Action decide(const Options& o, const sb::SyscallStop& stop) {
    const auto info = ptrace_api::syscall_info(stop.nr);
    if (!info) {
        return sb::Action::fail(EACCES);
    }
    bool any_path = false;
    for (int i = 0; i < info->arg_count; ++i) {
        if (info->args[static_cast<std::size_t>(i)] != ptrace_api::ArgKind::Path) {
            continue;
        }
        any_path = true;
        const auto path = stop.memory->read_c_string(stop.args[static_cast<std::size_t>(i)], 4095);
        if (!path || path->truncated) {
            return sb::Action::fail(EACCES);
        }
        std::string p = path->text;
        if (p.empty() || p.front() != '/') {
            // *at syscalls: a relative path starts at the dirfd argument just before it.
            const bool at =
                i > 0 && info->args[static_cast<std::size_t>(i - 1)] == ptrace_api::ArgKind::Fd;
            const auto dirfd =
                at ? static_cast<std::int32_t>(stop.args[static_cast<std::size_t>(i - 1)])
                   : AT_FDCWD;
            p = base_dir(stop.pid, dirfd) + "/" + p;
        }
        p = normalised(p);
        bool inside = false;
        for (const std::string& dir : o.allow_path) {
            const std::string d = normalised(dir);
            inside = inside || p == d || p.starts_with(d == "/" ? d : d + "/");
        }
        if (!inside) {
            return sb::Action::fail(EACCES);
        }
    }
    return any_path ? sb::Action::allow() : sb::Action::fail(EACCES);
}

} // namespace

int main(int argc, char** argv) {
    const std::optional<Options> o = parse(argc, argv);
    if (!o) {
        return 2;
    }
    std::string text = "default allow\n";
    std::string source = "command line";
    std::size_t file_lines = 0;
    if (!o->policy_file.empty()) {
        std::ifstream in(o->policy_file);
        if (!in) {
            complain("cannot read policy " + o->policy_file);
            return 2;
        }
        std::stringstream all;
        all << in.rdbuf();
        text = all.str();
        if (!text.empty() && text.back() != '\n') {
            text += '\n';
        }
        file_lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
        source = o->policy_file;
    } else {
        file_lines = 1;
    }
    const auto policy = sb::parse_policy(text + o->extra);
    if (!policy) {
        const sb::PolicyError& e = policy.error();
        const auto extra_lines =
            static_cast<std::size_t>(std::count(o->extra.begin(), o->extra.end(), '\n'));
        const bool from_options =
            e.where.line > file_lines && e.where.line <= file_lines + extra_lines;
        complain(from_options ? "option " + std::to_string(e.where.line - file_lines) +
                                    " of --deny/--allow/--ask: " + e.message
                              : e.describe(source));
        return 2;
    }

    // --log: strace's line for each denied or asked call, decoded at entry, printed at exit.
    sb::SandboxOptions options;
    options.log_denied = o->log;
    options.trace_every_syscall = o->trace_all;
    options.isolate_processes = o->isolate;
    options.descendants = o->keep ? sb::Descendants::Keep : sb::Descendants::Kill;
    options.ask = [&](const sb::SyscallStop& stop) { return decide(*o, stop); };
    std::vector<std::pair<pid_t, strace_example::PendingCall>> open_calls;
    if (o->log) {
        options.on_syscall = [&](const sb::SyscallStop& stop) {
            const strace_example::ReadMemory read = [&stop](std::uint64_t addr,
                                                            std::span<std::byte> out) {
                return static_cast<bool>(stop.memory->read(addr, out));
            };
            if (!stop.result) {
                open_calls.emplace_back(
                    stop.pid,
                    strace_example::decode_entry(stop.nr, stop.args, read,
                                                 strace_example::default_string_limit, stop.sp));
                return;
            }
            for (auto it = open_calls.begin(); it != open_calls.end(); ++it) {
                if (it->first == stop.pid) {
                    const std::string line =
                        "[pid " + std::to_string(stop.pid) + "] " +
                        strace_example::call_text(it->second, stop.result, read) + " = " +
                        strace_example::result_text(it->second, stop.result, read);
                    std::fprintf(stderr, "%s\n", line.c_str());
                    open_calls.erase(it);
                    return;
                }
            }
        };
    }
    auto box = sb::Sandbox::create(*policy, options);
    if (!box) {
        complain(box.error().message);
        return 2;
    }
    ptrace_api::Command command;
    command.program = o->command.front();
    command.args.assign(o->command.begin() + 1, o->command.end());
    auto box_value = *std::move(box);
    const auto status = box_value.run(command);
    if (!status) {
        const int err = status.error().value();
        if (o->isolate && (err == ENOSYS || err == EOPNOTSUPP)) {
            complain("cannot keep " + command.program +
                     " from other processes: " + status.error().message() +
                     " (this needs Landlock, Linux 5.19 or later, enabled; --no-isolation runs "
                     "without it)");
        } else {
            complain("cannot run " + command.program + ": " + status.error().message());
        }
        return 127;
    }
    if (status->signaled()) {
        return 128 + status->term_signal();
    }
    return status->exit_code();
}
