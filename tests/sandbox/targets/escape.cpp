// SPDX-License-Identifier: MIT
// Tries to create the directory DIR/ROUTE by one route out of a sandbox that denies mkdir and
// mkdirat (tests/sandbox/sandbox_test.py). Prints "ROUTE: RESULT" where RESULT is "created" or
// the errno's name of the last attempt; a route whose process the filter kills prints nothing.
//
//   escape ROUTE DIR
//
// Routes: direct, fork, thread, vfork, exec (/bin/mkdir), daemon (double fork and setsid; it
// tries after the command has exited, then leaves DIR/daemon-alive), kill-sandbox (SIGKILL to
// its parent, the sandbox, then tries), io_uring (a ring with IORING_OP_MKDIRAT), own-filter
// (installs a filter that allows everything, then tries), listener (a seccomp user-notification
// listener for openat), untraced (clone with CLONE_UNTRACED), clone3 (clone3 with
// CLONE_UNTRACED), ptrace (attaches to a child of its own and makes it mkdir), x32 (the x32 ABI
// number of mkdir), int80 (i386 mkdir through int 0x80), sandbox-mem (opens its parent's, the
// sandbox's, /proc/PID/mem for writing: with it the program could make the sandbox, which no
// filter binds, do what the policy denies; prints "opened"), pidfd-getfd (takes the
// sandbox's stderr with pidfd_getfd: prints "took"), tiocsti (types a byte into a terminal's
// input with TIOCSTI, once as the request is and once with its high half set, which the kernel
// ignores: a program could type a command into the shell that started the sandbox; prints
// "typed"; the terminal is a pseudo-terminal of its own, which root may type into).
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

std::string dir;
std::string route;

/// Prints the route's result: `success` for 0, the errno's name for -errno.
void report(long rc, const char* success = "created") {
    const std::string result =
        rc == 0 ? std::string(success) : (rc < 0 ? strerrorname_np(static_cast<int>(-rc)) : "?");
    std::printf("%s: %s\n", route.c_str(), result.c_str());
    std::fflush(stdout);
}

/// mkdir through the raw syscall: -errno or 0.
long try_mkdir(const std::string& path) {
    const long rc = ::syscall(SYS_mkdir, path.c_str(), 0755);
    return rc == 0 ? 0 : -errno;
}

std::string target() {
    return dir + "/" + route;
}

int child_mkdir_and_wait() {
    const pid_t pid = ::fork();
    if (pid == 0) {
        report(try_mkdir(target()));
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return 0;
}

long io_uring_mkdir() {
    io_uring_params params{};
    const long fd = ::syscall(SYS_io_uring_setup, 4, &params);
    if (fd < 0) {
        return -errno;
    }
    // A ring that works here would have to be driven; the setup alone is the escape.
    ::close(static_cast<int>(fd));
    return 0;
}

long own_filter_then_mkdir() {
    sock_filter allow{BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW};
    sock_fprog prog{1, &allow};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
        std::printf("own-filter: install failed: %s\n", strerrorname_np(errno));
    }
    return try_mkdir(target());
}

long listener() {
    // A listener of our own for openat: if it could be installed, the openat calls of this
    // process and its children would be answered by us (USER_NOTIF outranks the sandbox's
    // RET_TRACE), not by the sandbox's tracer. Nothing here calls openat afterwards.
    const std::array<sock_filter, 4> code{{
        {BPF_LD | BPF_W | BPF_ABS, 0, 0, 0}, // seccomp_data.nr
        {BPF_JMP | BPF_JEQ | BPF_K, 0, 1, SYS_openat},
        {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_USER_NOTIF},
        {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW},
    }};
    sock_fprog prog{static_cast<unsigned short>(code.size()),
                    const_cast<sock_filter*>(code.data())};
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    const long fd =
        ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    return fd < 0 ? -errno : 0;
}

long untraced() {
    const long pid = ::syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) {
        return -errno;
    }
    if (pid == 0) {
        report(try_mkdir(target()));
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(static_cast<pid_t>(pid), &status, 0);
    return 1; // the child reported
}

long clone3_untraced() {
    clone_args args{};
    args.flags = CLONE_UNTRACED;
    args.exit_signal = SIGCHLD;
    const long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) {
        return -errno;
    }
    if (pid == 0) {
        report(try_mkdir(target()));
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(static_cast<pid_t>(pid), &status, 0);
    return 1;
}

long ptrace_child() {
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::raise(SIGSTOP);
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, WUNTRACED);
    const long rc = ::ptrace(PTRACE_SEIZE, pid, nullptr, nullptr);
    const long result = rc == 0 ? 0 : -errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return result;
}

long x32_mkdir() {
    const std::string path = target();
    long rc = 0;
    asm volatile("syscall"
                 : "=a"(rc)
                 : "a"(0x40000000L | 83L), "D"(path.c_str()), "S"(0755L)
                 : "rcx", "r11", "memory");
    return rc;
}

long int80_mkdir() {
    // Only the low 32 bits of the address reach the i386 syscall: use a string below 4 GiB.
    void* low = ::mmap(reinterpret_cast<void*>(0x10000000), 4096, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (low == MAP_FAILED) {
        return -errno;
    }
    std::strncpy(static_cast<char*>(low), target().c_str(), 4095);
    long rc = 0;
    asm volatile("int $0x80" : "=a"(rc) : "a"(39L), "b"(low), "c"(0755L) : "memory");
    return rc;
}

/// Opens the sandbox's memory for writing. -errno or 0.
long sandbox_mem() {
    const std::string path = "/proc/" + std::to_string(::getppid()) + "/mem";
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    ::close(fd);
    return 0;
}

/// Takes a copy of the sandbox's stderr. -errno or 0.
long sandbox_fd() {
    const long pidfd = ::syscall(SYS_pidfd_open, ::getppid(), 0);
    if (pidfd < 0) {
        return -errno;
    }
    const long fd = ::syscall(SYS_pidfd_getfd, pidfd, 2, 0);
    const long rc = fd < 0 ? -errno : 0;
    if (fd >= 0) {
        ::close(static_cast<int>(fd));
    }
    ::close(static_cast<int>(pidfd));
    return rc;
}

/// TIOCSTI into a pseudo-terminal of our own: 0 when a byte was typed, else -errno of the
/// attempt with the high half set.
long type_into_terminal() {
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) {
        return -errno;
    }
    long rc = -ENOTTY;
    if (::grantpt(master) == 0 && ::unlockpt(master) == 0) {
        const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave >= 0) {
            const char byte = 'x';
            for (const unsigned long request : {0x5412UL, 0x5412UL | (1UL << 32)}) {
                rc = ::syscall(SYS_ioctl, slave, request, &byte) == 0 ? 0 : -errno;
                if (rc == 0) {
                    break;
                }
            }
            ::close(slave);
        } else {
            rc = -errno;
        }
    }
    ::close(master);
    return rc;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: escape ROUTE DIR\n");
        return 2;
    }
    route = argv[1];
    dir = argv[2];
    if (route == "direct") {
        report(try_mkdir(target()));
    } else if (route == "fork") {
        child_mkdir_and_wait();
    } else if (route == "thread") {
        std::thread([] { report(try_mkdir(target())); }).join();
    } else if (route == "vfork") {
        const std::string path = target();
        long rc = 0;
        const pid_t pid = ::vfork();
        if (pid == 0) {
            rc = ::syscall(SYS_mkdir, path.c_str(), 0755) == 0 ? 0 : -errno;
            ::_exit(0);
        }
        int status = 0;
        ::waitpid(pid, &status, 0);
        report(rc);
    } else if (route == "exec") {
        std::fflush(stdout);
        const std::string path = target();
        ::execl("/bin/mkdir", "mkdir", path.c_str(), static_cast<char*>(nullptr));
        report(-errno);
    } else if (route == "daemon") {
        if (::fork() == 0) {
            ::setsid();
            if (::fork() == 0) {
                ::sleep(2); // the command has exited by now
                const long rc = try_mkdir(target());
                const int fd = ::open((dir + "/daemon-alive").c_str(), O_CREAT | O_WRONLY, 0644);
                if (fd >= 0) {
                    const std::string line =
                        rc == 0 ? "created\n"
                                : strerrorname_np(static_cast<int>(-rc)) + std::string("\n");
                    (void)::write(fd, line.data(), line.size());
                    ::close(fd);
                }
                ::_exit(0);
            }
            ::_exit(0);
        }
        ::wait(nullptr);
        report(-EAGAIN); // the attempt is the daemon's, later
    } else if (route == "kill-sandbox") {
        ::kill(::getppid(), SIGKILL);
        ::usleep(200000);
        report(try_mkdir(target()));
    } else if (route == "io_uring") {
        report(io_uring_mkdir());
    } else if (route == "own-filter") {
        report(own_filter_then_mkdir());
    } else if (route == "listener") {
        report(listener());
    } else if (route == "untraced") {
        const long rc = untraced();
        if (rc != 1) {
            report(rc);
        }
    } else if (route == "clone3") {
        const long rc = clone3_untraced();
        if (rc != 1) {
            report(rc);
        }
    } else if (route == "ptrace") {
        report(ptrace_child());
    } else if (route == "x32") {
        report(x32_mkdir());
    } else if (route == "int80") {
        report(int80_mkdir());
    } else if (route == "sandbox-mem") {
        report(sandbox_mem(), "opened");
    } else if (route == "pidfd-getfd") {
        report(sandbox_fd(), "took");
    } else if (route == "tiocsti") {
        report(type_into_terminal(), "typed");
    } else {
        std::fprintf(stderr, "escape: unknown route %s\n", route.c_str());
        return 2;
    }
    return 0;
}
