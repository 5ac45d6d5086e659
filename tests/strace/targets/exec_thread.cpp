// SPDX-License-Identifier: MIT
// A thread that is not the leader calls execve: Linux kills the other threads (the leader,
// here blocked in pause()), and the exec'ing thread takes the leader's pid. The new program
// (this one again, with the argument "exit7") exits with 7. The thread sleeps 200 ms first,
// so that the leader is in pause() by then under any tracer (it has two syscalls to make).
#include <chrono>
#include <cstring>
#include <thread>

#include <unistd.h>

int main(int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "exit7") == 0) {
        return 7;
    }
    std::thread exec_thread([argv] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        char* const args[] = {argv[0], const_cast<char*>("exit7"), nullptr};
        ::execv("/proc/self/exe", args);
        ::_exit(10); // not reached unless execv failed
    });
    ::pause(); // never returns: the exec kills this thread
    return 11;
}
