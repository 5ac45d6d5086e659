// SPDX-License-Identifier: MIT
// examples/sandbox against the same command untraced (issue 12): an allow-most policy that
// denies a few syscalls, on a syscall-heavy workload (find over a tree), a fork-heavy one (a
// shell loop of /bin/true) and a compiler (gcc -c); target <= 1.05x. Then a policy that asks
// the tracer about every openat of the find: against untraced, and against the same policy with
// the tracer stopping at every syscall (--trace-all), for comparison. A reference row gives the
// floor: the same commands under a one-instruction filter that allows everything (this
// program re-executed as `sandbox_compare --allow-all CMD...`), what any seccomp filter costs.
#include <string>
#include <vector>

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.hpp"

namespace {

std::vector<std::string> joined(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

} // namespace

int main(int argc, char** argv) {
    if (argc >= 3 && std::string(argv[1]) == "--allow-all") {
        sock_filter allow{BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW};
        sock_fprog prog{1, &allow};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
            bench::die("cannot install the allow-all filter");
        }
        execvp(argv[2], argv + 2);
        bench::die(std::string("cannot run ") + argv[2]);
    }
    if (argc < 3) {
        bench::die("usage: sandbox_compare SANDBOX FIND_ROOT");
    }
    const std::string sandbox = argv[1];
    const std::string root = argv[2];
    if (access(sandbox.c_str(), X_OK) != 0) {
        std::printf("sandbox comparison\tnot measured: %s is not built\n", sandbox.c_str());
        return 0;
    }
    char dir_template[] = "/tmp/sandbox-bench-XXXXXX";
    const char* dir = mkdtemp(dir_template);
    if (dir == nullptr) {
        bench::die("mkdtemp failed");
    }
    const std::string source = std::string(dir) + "/hello.c";
    {
        const int fd = open(source.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
        const std::string text = "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n";
        if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
            bench::die("cannot write " + source);
        }
        close(fd);
    }
    const int reps = bench::repetitions(5);
    const std::vector<std::string> allow_most = {sandbox, "--deny",
                                                 "@mount,@reboot,@module,ptrace,kexec_load", "--"};
    struct Workload {
        std::string name;
        std::vector<std::string> command;
    };
    const std::vector<Workload> workloads = {
        {"find " + root, {"find", root}},
        {"300 x /bin/true", {"sh", "-c", "for i in $(seq 300); do /bin/true; done"}},
        {"gcc -c hello.c", {"gcc", "-c", "-o", std::string(dir) + "/hello.o", source}},
    };
    const std::vector<std::string> allow_all = {argv[0], "--allow-all"};
    for (const auto& w : workloads) {
        bench::compare_row(
            "reference: allow-all seccomp filter, " + w.name, reps,
            [&] { return bench::run_quiet(w.command); },
            [&] { return bench::run_quiet(joined(allow_all, w.command)); }, "us/run",
            bench::no_target, true, false);
        bench::compare_row(
            "sandbox, allow-most, " + w.name, reps, [&] { return bench::run_quiet(w.command); },
            [&] { return bench::run_quiet(joined(allow_most, w.command)); }, "us/run", 1.05, true,
            false);
    }
    const std::vector<std::string> find = {"find", root};
    const std::vector<std::string> ask = {sandbox, "--ask", "openat", "--allow-path", "/", "--"};
    const std::vector<std::string> ask_all = {sandbox, "--ask",       "openat", "--allow-path",
                                              "/",     "--trace-all", "--"};
    bench::compare_row(
        "sandbox asking every openat, find " + root + " (vs untraced)", reps,
        [&] { return bench::run_quiet(find); }, [&] { return bench::run_quiet(joined(ask, find)); },
        "us/run", bench::no_target, true, false);
    bench::compare_row(
        "sandbox asking every openat, find " + root + " (vs tracing every syscall)", reps,
        [&] { return bench::run_quiet(joined(ask_all, find)); },
        [&] { return bench::run_quiet(joined(ask, find)); }, "us/run", bench::no_target, true,
        false);
    (void)unlink((std::string(dir) + "/hello.o").c_str());
    (void)unlink(source.c_str());
    (void)rmdir(dir);
    return 0;
}
