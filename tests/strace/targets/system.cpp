// SPDX-License-Identifier: MIT
// system(): glibc ignores SIGINT and SIGQUIT, blocks SIGCHLD, spawns `sh -c COMMAND` and
// waits for it; the shell's exit code (3) becomes this program's.
#include <cstdlib>

#include <sys/wait.h>

int main() {
    const int status = std::system("echo from system; exit 3");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 10;
}
