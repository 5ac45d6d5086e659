// SPDX-License-Identifier: MIT
// examples/gdbserver against GNU gdbserver, driven by the same gdb batch script over a pipe
// (`target remote | SERVER - PROGRAM`), on bench/gdbserver_target.cpp (issue 13):
//   (a) a breakpoint hit 1000 times, with `commands` / `silent` / `continue`;
//   (b) `stepi 1000`, and `next 1000` over the lines of a loop (gdb steps a line with one
//       vCont;r packet where the server offers range stepping, an instruction a packet where
//       it does not);
//   (c) 1 MiB read with `dump binary memory` (about 5 s over the pipe with GNU gdbserver);
//   (d) a session as gdb starts it by default: the program and its libraries read through the
//       server (`vFile:` packets, sysroot `target:`), to a breakpoint and a kill;
//   (e) a run of 100,000 syscalls (getppid) with gdb's default features, exec events among
//       them: what following exec costs a program while it runs (the debugger kit follows it
//       through the shim's exec stop, decision 26, and not at each syscall's entry).
// Each row times the whole gdb session (start-up, the work, the end) per unit of work, and
// reports the example's time over GNU gdbserver's (target <= 1.0x: as fast). In rows (a) to
// (c) gdb reads the program and its libraries locally (`set sysroot /`), so that they measure
// the work, not the remote file transfers; row (d) measures those. Before timing, each
// server's run is checked once: the program exits 0 (tick() ran 1000 times) or gdb's output
// shows the steps, the reads or the breakpoint.
#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "common.hpp"

namespace {

/// gdb's output (stdout and stderr) of `argv`, and whether it exited with 0.
bool capture(const std::vector<std::string>& argv, std::string& output) {
    std::string command;
    for (const auto& a : argv) {
        command += "'";
        for (const char c : a) {
            command += c == '\'' ? std::string("'\\''") : std::string(1, c);
        }
        command += "' ";
    }
    command += "2>&1 </dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return false;
    }
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) {
        output.append(buf.data(), n);
    }
    return pclose(pipe) == 0;
}

struct Row {
    std::string name;
    std::string script;   // after `target remote`
    std::string expected; // a line gdb must print
    double units;
    const char* unit;
    bool local_files = true; // `set sysroot /` and the program named to gdb
    std::string args{};      // the program's arguments (with a leading space)
};

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        bench::die("usage: gdbserver_compare OUR_GDBSERVER GDB_TARGET");
    }
    const std::string ours = argv[1];
    const std::string target = argv[2];
    const std::string gnu = "/usr/bin/gdbserver";
    const int reps = bench::repetitions(3);
    if (access(ours.c_str(), X_OK) != 0) {
        std::printf("gdbserver comparison\tnot measured: %s is not built\n", ours.c_str());
        return 0;
    }
    if (access(gnu.c_str(), X_OK) != 0 || system("gdb --version >/dev/null 2>&1") != 0) {
        std::printf("gdbserver comparison\tnot measured: gdb or GNU gdbserver is missing\n");
        return 0;
    }
    const std::vector<Row> rows = {
        {"gdb: breakpoint hit 1000 times (commands, silent, continue)",
         "break tick\ncommands\nsilent\ncontinue\nend\ncontinue\n", "[Inferior 1 (process", 1000,
         "us/hit"},
        {"gdb: stepi 1000", "break ready\ncontinue\nstepi 1000\nprint ticks\nkill\n", "$1 = ", 1000,
         "us/step"},
        {"gdb: next 1000 (the loop calling tick)",
         "break ready\ncontinue\nfinish\nnext 1000\nprint ticks\nkill\n", "$1 = ", 1000, "us/line"},
        {"gdb: dump memory 1 MiB",
         "break ready\ncontinue\ndump binary memory /dev/null (char*)buffer "
         "(char*)buffer+1048576\nprint 1\nkill\n",
         "$1 = 1", 1, "us/MiB"},
        {"gdb: start-up reading files through the server", "break ready\ncontinue\nprint 2\nkill\n",
         "$1 = 2", 1, "us/session", false},
        {"gdb: 100,000 syscalls, exec events on", "continue\n", "[Inferior 1 (process", 100000,
         "us/syscall", true, " syscalls 100000"},
    };
    char dir_template[] = "/tmp/gdbserver-bench-XXXXXX";
    const char* dir = mkdtemp(dir_template);
    if (dir == nullptr) {
        bench::die("mkdtemp failed");
    }
    const std::string script_path = std::string(dir) + "/script.gdb";
    for (const auto& row : rows) {
        if (FILE* f = std::fopen(script_path.c_str(), "w")) {
            std::fputs(row.script.c_str(), f);
            std::fclose(f);
        } else {
            bench::die("cannot write " + script_path);
        }
        const auto command = [&](const std::string& server) {
            std::vector<std::string> argv_ = {
                "gdb", "-nx", "-batch", "-ex", "set confirm off", "-ex", "set pagination off"};
            if (row.local_files) {
                argv_.insert(argv_.end(), {"-ex", "set sysroot /", target});
            }
            argv_.insert(argv_.end(),
                         {"-ex",
                          "target remote | " + server + " - " + target + row.args + " 2>/dev/null",
                          "-x", script_path});
            return argv_;
        };
        const auto theirs = command(gnu);
        const auto mine = command(ours);
        bool usable = true;
        for (const auto* argv_of : {&theirs, &mine}) {
            std::string output;
            const bool ok = capture(*argv_of, output);
            const bool exited_ok = row.expected.rfind("[Inferior", 0) != 0 ||
                                   output.find("exited normally]") != std::string::npos;
            if (!ok || output.find(row.expected) == std::string::npos || !exited_ok) {
                std::printf("%s\tnot measured: the run with %s did not do the work\n",
                            row.name.c_str(), argv_of == &theirs ? gnu.c_str() : ours.c_str());
                usable = false;
                break;
            }
        }
        if (!usable) {
            continue;
        }
        const auto timed = [&](const std::vector<std::string>& argv_) {
            bench::Sample s = bench::run_quiet(argv_);
            s.work = row.units;
            return s;
        };
        bench::compare_row(
            row.name, reps, [&] { return timed(theirs); }, [&] { return timed(mine); }, row.unit,
            1.0, true, false);
    }
    (void)unlink(script_path.c_str());
    (void)rmdir(dir);
    return 0;
}
