// SPDX-License-Identifier: MIT
// posix_spawn(): glibc creates the child with clone3(CLONE_VM|CLONE_VFORK) and runs execve in
// it; the parent waits for it.
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

int main() {
    char arg0[] = "echo";
    char arg1[] = "spawned";
    char* const args[] = {arg0, arg1, nullptr};
    pid_t child = 0;
    if (::posix_spawn(&child, "/bin/echo", nullptr, nullptr, args, environ) != 0) {
        return 10;
    }
    int status = 0;
    if (::waitpid(child, &status, 0) != child) {
        return 11;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 12;
}
