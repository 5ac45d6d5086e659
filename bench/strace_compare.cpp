// SPDX-License-Identifier: MIT
// examples/strace against strace(1), both writing to /dev/null, on a syscall-heavy workload
// (find over a tree), a fork-heavy one (a shell loop of /bin/true), a threaded one and one of
// socket calls (UDP datagrams to self: the example asks the kernel, at each send or receive
// call, whether the descriptor is a netlink socket), in
// simple mode (no -f, against plain strace) and advanced mode (-f, against strace -f); then
// the syscall filter (issue 12): -f -e trace=openat on the find, the example's kernel filter
// (Command::syscalls) against `strace -f --seccomp-bpf -e trace=openat` (target <= 1.0x).
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.hpp"

int main(int argc, char** argv) {
    if (argc < 5) {
        bench::die("usage: strace_compare OUR_STRACE THREADS_PROGRAM SOCKETS_PROGRAM FIND_ROOT");
    }
    const std::string ours = argv[1];
    const std::string threaded = argv[2];
    const std::string sockets = argv[3];
    const std::string root = argv[4];
    const int reps = bench::repetitions(3);
    if (access(ours.c_str(), X_OK) != 0) {
        std::printf("strace comparison\tnot measured: %s is not built\n", ours.c_str());
        return 0;
    }
    struct Workload {
        std::string name;
        std::vector<std::string> command;
    };
    const std::vector<Workload> workloads = {
        {"find " + root, {"find", root}},
        {"300 x /bin/true", {"sh", "-c", "for i in $(seq 300); do /bin/true; done"}},
        {"8 threads x 20k getppid", {threaded, "8", "20000"}},
        {"20k UDP sendto + recvfrom", {sockets, "20000"}},
    };
    for (const auto& w : workloads) {
        for (const bool follow : {false, true}) {
            std::vector<std::string> theirs = {"strace", "-o", "/dev/null"};
            std::vector<std::string> mine = {ours, "-o", "/dev/null"};
            if (follow) {
                theirs.insert(theirs.begin() + 1, "-f");
                mine.insert(mine.begin() + 1, "-f");
            }
            mine.emplace_back("--");
            theirs.insert(theirs.end(), w.command.begin(), w.command.end());
            mine.insert(mine.end(), w.command.begin(), w.command.end());
            bench::compare_row(
                std::string("strace") + (follow ? " -f" : "") + ", " + w.name, reps,
                [&] { return bench::run_quiet(theirs); }, [&] { return bench::run_quiet(mine); },
                "us/run", 1.0, true, false);
        }
    }
    // The filtered row: both stop only at openat (and the example at the few syscalls its
    // printer follows, examples/strace/main.cpp stopping_syscalls()).
    const int filtered_reps = bench::repetitions(5);
    const std::vector<std::string> filtered_theirs = {
        "strace", "-f", "--seccomp-bpf", "-e", "trace=openat", "-o", "/dev/null", "find", root};
    const std::vector<std::string> filtered_mine = {
        ours, "-f", "-e", "trace=openat", "-o", "/dev/null", "--", "find", root};
    bench::compare_row(
        "strace -f -e trace=openat (seccomp), find " + root, filtered_reps,
        [&] { return bench::run_quiet(filtered_theirs); },
        [&] { return bench::run_quiet(filtered_mine); }, "us/run", 1.0, true, false);
    return 0;
}
