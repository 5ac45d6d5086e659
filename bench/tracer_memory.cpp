// SPDX-License-Identifier: MIT
// Tracer memory: resident size of this process before and after opening a trace handle on each
// of 1000 threads of one tracee, and the bytes that costs per traced thread.
#include <ptrace/shim/api.hpp>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.hpp"

namespace {

namespace shim = ptrace_api::shim;

long rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::stol(line.substr(6));
        }
    }
    return -1;
}

void* park(void*) {
    for (;;) {
        pause();
    }
}

std::vector<pid_t> threads_of(pid_t pid) {
    std::vector<pid_t> tids;
    const std::string dir = "/proc/" + std::to_string(pid) + "/task";
    if (DIR* d = opendir(dir.c_str())) {
        while (const dirent* e = readdir(d)) {
            if (e->d_name[0] != '.') {
                tids.push_back(static_cast<pid_t>(std::stol(e->d_name)));
            }
        }
        closedir(d);
    }
    return tids;
}

} // namespace

int main(int argc, char** argv) {
    const int count = argc > 1 ? std::atoi(argv[1]) : 1000;
    rlimit files{};
    (void)getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &files);

    int ready[2];
    if (pipe(ready) != 0) {
        bench::die("pipe");
    }
    const pid_t pid = fork();
    if (pid == 0) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        for (int i = 1; i < count; ++i) {
            pthread_t t;
            if (pthread_create(&t, &attr, park, nullptr) != 0) {
                _exit(3);
            }
        }
        (void)!write(ready[1], "x", 1);
        park(nullptr);
    }
    char c = 0;
    if (read(ready[0], &c, 1) != 1) {
        bench::die("tracee did not start its threads");
    }
    const auto tids = threads_of(pid);

    // Warm up: the first open starts the tracer thread; count only the per-tracee cost.
    std::vector<int> handles;
    const auto first = shim::open("proc:" + std::to_string(tids.front()) + "/trace", 0);
    if (!first) {
        bench::die("open: " + first.error().message());
    }
    handles.push_back(*first);
    const long before = rss_kib();
    for (std::size_t i = 1; i < tids.size(); ++i) {
        const auto fd = shim::open("proc:" + std::to_string(tids[i]) + "/trace", 0);
        if (!fd) {
            bench::die("open thread " + std::to_string(tids[i]) + ": " + fd.error().message());
        }
        handles.push_back(*fd);
    }
    const long after = rss_kib();
    const double per =
        static_cast<double>(after - before) * 1024.0 / static_cast<double>(tids.size() - 1);
    std::printf("tracer memory, %zu traced threads\tRSS %ld KiB -> %ld KiB\t%.0f bytes/tracee\t"
                "(no baseline)\n",
                tids.size(), before, after, per);
    for (const int fd : handles) {
        (void)shim::close(fd);
    }
    (void)kill(pid, SIGKILL);
    int status = 0;
    (void)waitpid(pid, &status, 0);
    return 0;
}
