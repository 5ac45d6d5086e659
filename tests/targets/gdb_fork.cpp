// SPDX-License-Identifier: MIT
// The gdbserver tests' forking program (tests/gdbserver, scenario fork): the parent calls
// work(1), forks a child that calls work(2) and exits with 20 + what work returned, waits for
// it, calls work(3) and exits with the sum of work(3) and the child's exit code. With gdb's
// default fork handling the child runs through a breakpoint on work untraced (the server takes
// the breakpoint out of the child's copy of memory before gdb detaches it); a child that met
// an int3 would die by SIGTRAP, and the parent's exit code would say so. Prints nothing.
// `gdb_fork vfork` makes the child with vfork (scenario vfork): it runs in the parent's memory,
// where the int3s are, until its _exit.
//
// Exits with 27 (work(3) = 4, the child's 23) when the child ran through.
#include <cstdlib>
#include <cstring>

#include <sys/wait.h>
#include <unistd.h>

int work(int n) {
    const int result = n + 1;
    return result;
}

int main(int argc, char** argv) {
    const bool use_vfork = argc > 1 && std::strcmp(argv[1], "vfork") == 0;
    work(1);
    const pid_t child = use_vfork ? vfork() : fork();
    if (child == 0) {
        _exit(20 + work(2));
    }
    if (child < 0) {
        return 1;
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child) {
        return 2;
    }
    const int from_child = WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
    return work(3) + from_child;
}
