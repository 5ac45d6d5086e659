// SPDX-License-Identifier: MIT
// gdbserver: a GDB remote serial protocol server on the library's debugger kit.
//
//   gdbserver [OPTIONS] COMM PROG [ARGS...]
//   gdbserver [OPTIONS] --attach COMM PID
//
// COMM is `-` (stdin/stdout: gdb's `target remote | gdbserver - PROG`) or `[HOST]:PORT` (one
// TCP connection on the loopback interface). See examples/gdbserver/README.md.

#include <ptrace/debugger/inferior.hpp>
#include <ptrace/spawn.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <pthread.h>

#include "connection.hpp"
#include "server.hpp"
#include "target.hpp"

namespace {

constexpr const char* usage_text =
    "Usage:\tgdbserver [OPTIONS] COMM PROG [ARGS ...]\n"
    "\tgdbserver [OPTIONS] --attach COMM PID\n"
    "\tgdbserver [OPTIONS] --multi COMM\n"
    "\n"
    "COMM may be '-' (stdin/stdout) or [HOST]:PORT (a loopback TCP port).\n"
    "\n"
    "Options:\n"
    "  --attach                  Attach to the running process PID.\n"
    "  --multi                   Start with no process: gdb's extended-remote `run` or\n"
    "                            `attach` gives one (PROG is then optional).\n"
    "  --once                    Serve one connection (always the case here).\n"
    "  --disable-randomization   Run PROG with address randomisation off (the default).\n"
    "  --no-disable-randomization  Keep address randomisation.\n"
    "  --version                 Print version information and exit.\n"
    "  --help                    Print this message and exit.\n";

int usage_error(const std::string& message) {
    std::fprintf(stderr, "gdbserver: %s\n%s", message.c_str(), usage_text);
    return 1;
}

struct Options {
    bool attach = false;
    bool multi = false;
    bool no_aslr = true;
    std::string comm;
    std::vector<std::string> rest; // PROG ARGS..., or PID
};

} // namespace

int main(int argc, char** argv) {
    Options o;
    int i = 1;
    for (; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--help") {
            std::fputs(usage_text, stdout);
            return 0;
        }
        if (a == "--version") {
            std::puts("gdbserver (ptrace-api example) for x86_64 GNU/Linux\n"
                      "A GDB remote serial protocol server built on the ptrace-api library.");
            return 0;
        }
        if (a == "--attach") {
            o.attach = true;
        } else if (a == "--multi") {
            o.multi = true;
        } else if (a == "--once" || a == "--disable-randomization") {
            // --once: one connection is all this server ever serves
            if (a == "--disable-randomization") {
                o.no_aslr = true;
            }
        } else if (a == "--no-disable-randomization") {
            o.no_aslr = false;
        } else if (a == "--") {
            ++i;
            break;
        } else if (a.size() > 1 && a[0] == '-' && a != "-") {
            return usage_error("unknown option '" + std::string(a) + "'");
        } else {
            break;
        }
    }
    if (i >= argc) {
        return usage_error("no COMM given");
    }
    o.comm = argv[i++];
    for (; i < argc; ++i) {
        o.rest.emplace_back(argv[i]);
    }
    if (o.rest.empty() && !(o.multi && !o.attach)) {
        return usage_error(o.attach ? "no PID given" : "no PROG given");
    }
    pid_t attach_pid = 0;
    if (o.attach) {
        char* end = nullptr;
        const long pid = std::strtol(o.rest[0].c_str(), &end, 10);
        if (o.rest.size() != 1 || end == o.rest[0].c_str() || *end != '\0' || pid <= 0 ||
            pid > 0x3fffffff) {
            return usage_error("bad PID '" + o.rest[0] + "'");
        }
        attach_pid = static_cast<pid_t>(pid);
    }
    std::string host;
    unsigned port = 0;
    if (o.comm != "-") {
        const std::size_t colon = o.comm.rfind(':');
        char* end = nullptr;
        const unsigned long p =
            colon == std::string::npos ? 0 : std::strtoul(o.comm.c_str() + colon + 1, &end, 10);
        if (colon == std::string::npos || end == o.comm.c_str() + colon + 1 || *end != '\0' ||
            p > 65535) {
            return usage_error("bad COMM '" + o.comm + "': expected '-' or [HOST]:PORT");
        }
        host = o.comm.substr(0, colon);
        port = static_cast<unsigned>(p);
    }

    // A write to a connection gdb closed must fail with EPIPE, not kill us with the
    // program stranded; blocked (not ignored) so the program starts with SIGPIPE as usual.
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);

    gdbserver::Connection conn;
    if (o.comm == "-") {
        if (!conn.open_stdio()) {
            std::fprintf(stderr, "gdbserver: cannot use stdin/stdout\n");
            return 1;
        }
        std::fputs("stdin/stdout redirected\n", stderr);
    }

    // --multi without a program: no process until gdb's `run` (vRun) or `attach` (vAttach).
    std::optional<gdbserver::Target> target;
    if (o.rest.empty()) {
        target.emplace();
    } else {
        auto inferior = [&]() -> ptrace_api::debugger::DebugResult<ptrace_api::debugger::Inferior> {
            if (o.attach) {
                return ptrace_api::debugger::Inferior::attach(
                    attach_pid, ptrace_api::AttachAccess::LinuxChecks);
            }
            ptrace_api::Command command;
            command.program = o.rest[0];
            command.args.assign(o.rest.begin() + 1, o.rest.end());
            command.no_aslr = o.no_aslr;
            return ptrace_api::debugger::Inferior::launch(command);
        }();
        if (!inferior) {
            std::fprintf(stderr, "gdbserver: %s\n", inferior.error().message.c_str());
            return 1;
        }
        if (o.attach) {
            std::fprintf(stderr, "Attached; pid = %d\n", inferior->pid());
        } else {
            std::fprintf(stderr, "Process %s created; pid = %d\n", o.rest[0].c_str(),
                         inferior->pid());
        }
        std::fflush(stderr);
        target.emplace(std::move(*inferior));
    }
    if (o.comm == "-") {
        std::fputs("Remote debugging using stdio\n", stderr);
    } else if (auto failed = conn.open_tcp(host, port)) {
        std::fprintf(stderr, "gdbserver: %s\n", failed->c_str());
        return 1; // the Target's end kills a program we started, detaches an attached one
    }
    std::fflush(stderr);
    // vRun starts the program again, maybe in another working directory (QSetWorkingDir):
    // a path with a slash is made absolute now, as the first start saw it.
    std::string program = o.attach || o.rest.empty() ? std::string() : o.rest[0];
    if (program.find('/') != std::string::npos) {
        std::error_code ec;
        const auto absolute = std::filesystem::absolute(program, ec);
        if (!ec) {
            program = absolute.string();
        }
    }
    gdbserver::Server server(conn, *target, gdbserver::Launch{program, o.no_aslr});
    return server.run();
}
