// SPDX-License-Identifier: MIT
// A small interactive debugger for teaching, built only on the public API: the debugger kit
// (Inferior, Breakpoints, SymbolTable, MemoryMap) and the handles. This file is the main loop:
// it starts the program, reads one command per line from stdin, parses it (command.hpp) and
// hands it to the Session (session.hpp), which does it and prints the result (format.hpp).
//
//     debugger PROG [ARGS...]
//
// On a terminal it prints a prompt, "(dbg) ". From a pipe or a file it prints no prompt but
// echoes each command after "(dbg) ", so that the output reads as a transcript. The end of
// the input kills the program if it is still there. See examples/debugger/README.md.
#include <ptrace/spawn.hpp>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "command.hpp"
#include "session.hpp"

namespace {

constexpr std::string_view usage = "usage: debugger PROG [ARGS...]\n"
                                   "Reads commands from stdin, one per line; `help` lists them.\n";

/// Lines of a file descriptor, read with read(2): no stdio buffer that a child could share.
class LineReader {
public:
    explicit LineReader(int fd) : fd_(fd) {}

    /// The next line without its newline; nothing at the end of the input (a last line
    /// without a newline still counts).
    std::optional<std::string> next() {
        for (;;) {
            if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            char chunk[4096];
            const ssize_t n = ::read(fd_, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) {
                continue; // Ctrl-C: see main()
            }
            if (n <= 0) {
                if (buffer_.empty()) {
                    return std::nullopt;
                }
                return std::exchange(buffer_, std::string());
            }
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

private:
    int fd_;
    std::string buffer_;
};

extern "C" void on_sigint(int) {}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h") {
        std::cout << usage;
        return argc < 2 ? 2 : 0;
    }
    // Our output and the program's share stdout: write ours at once, so they interleave in
    // the order things happened.
    std::cout << std::unitbuf;

    // Commands from a pipe or a file: read them from a copy of stdin that the program does
    // not inherit (close-on-exec), and give the program /dev/null as its stdin, so that it
    // cannot read (and eat) the commands meant for us. On a terminal both share it, as in gdb.
    const bool interactive = ::isatty(0) == 1;
    int command_fd = 0;
    if (!interactive) {
        command_fd = ::fcntl(0, F_DUPFD_CLOEXEC, 3);
        const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (command_fd < 0 || null < 0 || ::dup2(null, 0) < 0) {
            std::cout << "debugger: cannot set up stdin: " << std::strerror(errno) << "\n";
            return 1;
        }
        ::close(null);
    }

    // Ctrl-C on a terminal goes to the whole foreground process group: the program gets its
    // SIGINT (the kit delivers the program's signals), and the debugger, with a handler that
    // does nothing, survives to report how the program ended. A handler and not SIG_IGN:
    // an ignored signal would stay ignored in the program after its exec.
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sa.sa_flags = SA_RESTART; // the library's threads may take it: their calls go on
    ::sigaction(SIGINT, &sa, nullptr);

    ptrace_api::Command program;
    program.program = argv[1];
    // As gdb does, address space randomisation is off for the program (spawn sets the
    // personality in the child before its exec): addresses are the same from run to run.
    program.no_aslr = true;
    for (int i = 2; i < argc; ++i) {
        program.args.emplace_back(argv[i]);
    }
    debugger_example::Session session(std::move(program), std::cout);
    if (!session.start()) {
        return 1;
    }

    LineReader input(command_fd);
    for (;;) {
        if (interactive) {
            std::cout << "(dbg) ";
        }
        const std::optional<std::string> line = input.next();
        if (!line) {
            if (interactive) {
                std::cout << "\n";
            }
            std::cout << "(end of input)\n";
            session.end();
            return 0;
        }
        if (!interactive) {
            std::cout << "(dbg) " << *line << "\n";
        }
        const debugger_example::Parsed parsed = debugger_example::parse(*line);
        if (!parsed.ok()) {
            std::cout << "error: " << parsed.error << "\n";
            continue;
        }
        if (parsed.command && !session.execute(*parsed.command)) {
            return 0;
        }
    }
}
