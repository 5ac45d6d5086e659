// SPDX-License-Identifier: MIT
// The tracee of the signals x waits matrix: blocks in one wait while a sender thread signals it,
// then prints only facts that do not depend on timing, so that an untraced run and a traced
// run must print the same lines and end the same way.
//
//   waits_target WAIT DISPOSITION COUNT [SLEEP_MS [BOUND_MS]]
//
// WAIT is one of kWaits below; each is made with syscall(2), so it is exactly that syscall.
// DISPOSITION: caught-restart (a handler, SA_RESTART), caught (a handler), ignored (SIG_IGN),
// default-term (SIG_DFL of a signal whose default is to terminate), default-ign (SIG_DFL of a
// signal whose default is to be ignored). COUNT: one, two, storm, timer.
//
// The signal is SIGRTMIN+4 (real-time: its default terminates and it queues, so every one
// sent is counted) except for default-ign, which needs a signal ignored by default: SIGWINCH
// (standard, so several may merge; no count of it is printed).
//
// The sender thread (all signals blocked) waits until the main thread sleeps in the wait
// (/proc/self/task/TID/stat and .../syscall), sends the signals to the process (kill), and
// then completes the wait (a byte on a pipe, a futex wake, a connect, the wait4 child's exit,
// SIGUSR1 for rt_sigsuspend; the two sleeps and rt_sigtimedwait need nothing) once the main
// thread is back in the wait or has left it. COUNT two: the second signal 20 ms after the
// first, once the main thread is back in the wait or has left it; storm: kStorm signals
// back to back; timer: one signal sent by the kernel, from a POSIX timer (SI_TIMER), armed by
// the sender while the main thread sleeps in the wait, or, for the waits that block the
// signal (below), armed by the main thread before the wait: "block, arm, wait", the signal is
// pending when the wait begins.
//
// Mask-swapping waits (ppoll, pselect6, epoll_pwait, epoll_pwait2, rt_sigsuspend) are used
// as programs use them: the signal is blocked, and the wait's own mask unblocks it. Their
// mask is kWaitOnly plus SIGUSR2 (blocked everywhere); a tracer that leaves the wait's mask
// installed, or the handler's, shows in the masks printed. rt_sigtimedwait waits for the
// blocked signal. The other waits run with the signal unblocked ("a signal arrives during a
// blocking read").
//
// Printed (stdout, each line written at once so that a death loses none): the case, the mask
// before the wait, the wait's result, the mask right after it, how many handlers ran during
// the wait where that is determined (the signal blocked outside the wait: exactly one runs),
// and, after the sender ended and the signal was unblocked: the handler count, the mask the
// first handler ran with and its si_code (SI_USER or SI_TIMER: a tracer that queues the signal
// again must keep its siginfo), SIGUSR1's count (rt_sigsuspend), the final mask. Anything that
// breaks the test's own assumptions goes to stderr as a "waits_target:" line.

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

namespace {

using Mask = std::uint64_t; // the kernel's sigset_t on x86_64: bit sig-1

constexpr int kStorm = 32;
constexpr int kWaitOnly = SIGURG;     // blocked only while a mask-swapping wait sleeps
constexpr int kHandlerMask = SIGXCPU; // the handler's sa_mask
constexpr int kAlways = SIGUSR2;      // blocked all the time
constexpr int kTerminator = SIGUSR1;  // ends rt_sigsuspend when the signal did not

enum class Wait {
    read,
    nanosleep,
    clock_nanosleep,
    futex,
    wait4,
    accept,
    poll,
    select,
    ppoll,
    pselect6,
    epoll_wait,
    epoll_pwait,
    epoll_pwait2,
    rt_sigsuspend,
    rt_sigtimedwait,
};

struct WaitInfo {
    std::string_view name;
    Wait wait;
    long nr;
};

constexpr std::array kWaits{
    WaitInfo{"read", Wait::read, SYS_read},
    WaitInfo{"nanosleep", Wait::nanosleep, SYS_nanosleep},
    WaitInfo{"clock_nanosleep", Wait::clock_nanosleep, SYS_clock_nanosleep},
    WaitInfo{"futex", Wait::futex, SYS_futex},
    WaitInfo{"wait4", Wait::wait4, SYS_wait4},
    WaitInfo{"accept", Wait::accept, SYS_accept},
    WaitInfo{"poll", Wait::poll, SYS_poll},
    WaitInfo{"select", Wait::select, SYS_select},
    WaitInfo{"ppoll", Wait::ppoll, SYS_ppoll},
    WaitInfo{"pselect6", Wait::pselect6, SYS_pselect6},
    WaitInfo{"epoll_wait", Wait::epoll_wait, SYS_epoll_wait},
    WaitInfo{"epoll_pwait", Wait::epoll_pwait, SYS_epoll_pwait},
    WaitInfo{"epoll_pwait2", Wait::epoll_pwait2, SYS_epoll_pwait2},
    WaitInfo{"rt_sigsuspend", Wait::rt_sigsuspend, SYS_rt_sigsuspend},
    WaitInfo{"rt_sigtimedwait", Wait::rt_sigtimedwait, SYS_rt_sigtimedwait},
};

enum class Disposition { caught_restart, caught, ignored, default_term, default_ign };

constexpr Mask bit(int sig) {
    return Mask{1} << (sig - 1);
}

bool swaps_mask(Wait w) {
    return w == Wait::ppoll || w == Wait::pselect6 || w == Wait::epoll_pwait ||
           w == Wait::epoll_pwait2 || w == Wait::rt_sigsuspend;
}

bool blocks_signal(Wait w) {
    return swaps_mask(w) || w == Wait::rt_sigtimedwait;
}

// ---- output: one write(2) per line, no stdio buffer to lose at a death ----

void emit(const std::string& line) {
    std::string out = line + "\n";
    const char* p = out.data();
    std::size_t left = out.size();
    while (left > 0) {
        const ssize_t n = ::write(STDOUT_FILENO, p, left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

void complain(const char* what) {
    std::string out = std::string("waits_target: ") + what + "\n";
    (void)!::write(STDERR_FILENO, out.data(), out.size());
}

std::string signal_name(int sig) {
    static constexpr std::array<const char*, 32> names{
        "0",    "HUP",  "INT",  "QUIT", "ILL",    "TRAP",   "ABRT",  "BUS",  "FPE",  "KILL", "USR1",
        "SEGV", "USR2", "PIPE", "ALRM", "TERM",   "STKFLT", "CHLD",  "CONT", "STOP", "TSTP", "TTIN",
        "TTOU", "URG",  "XCPU", "XFSZ", "VTALRM", "PROF",   "WINCH", "IO",   "PWR",  "SYS"};
    if (sig > 0 && sig < 32) {
        return names[static_cast<std::size_t>(sig)];
    }
    if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
        return "RTMIN+" + std::to_string(sig - SIGRTMIN);
    }
    return std::to_string(sig);
}

std::string mask_text(Mask m) {
    std::string out;
    for (int sig = 1; sig <= 64; ++sig) {
        if ((m & bit(sig)) != 0) {
            out += (out.empty() ? "" : "|") + signal_name(sig);
        }
    }
    return out.empty() ? "none" : out;
}

std::string errno_text(int e) {
    switch (e) {
    case EINTR:
        return "EINTR";
    case EAGAIN:
        return "EAGAIN";
    case ECHILD:
        return "ECHILD";
    case ENOSYS:
        return "ENOSYS";
    case EINVAL:
        return "EINVAL";
    case EFAULT:
        return "EFAULT";
    default:
        return "errno " + std::to_string(e);
    }
}

Mask get_mask() {
    Mask old = 0;
    (void)::syscall(SYS_rt_sigprocmask, SIG_BLOCK, nullptr, &old, sizeof(Mask));
    return old;
}

void change_mask(int how, Mask m) {
    (void)::syscall(SYS_rt_sigprocmask, how, &m, nullptr, sizeof(Mask));
}

// ---- state shared by the main thread, its handlers and the sender thread ----

enum Phase : int { setup, waiting, returned };

struct Shared {
    Wait wait = Wait::read;
    long wait_nr = 0;
    int sig = 0;
    int count = 1;
    long sleep_ms = 200;
    long bound_ms = 1000;
    pid_t main_tid = 0;
    int pipe_read = -1;
    int pipe_write = -1;
    int helper_gate = -1; // write end: one byte lets the wait4 child exit
    pid_t helper = -1;
    int listen_fd = -1;
    sockaddr_un address{};
    socklen_t address_len = 0;
    std::atomic<int> phase{setup};
    std::atomic<int> futex_word{0};
    std::atomic<int> handled{0};
    std::atomic<int> terminators{0};
    std::atomic<Mask> first_handler_mask{0};
    std::atomic<int> first_handler_code{0};
    bool timer = false; // COUNT "timer": one signal from a POSIX timer
    timer_t timer_id{};
};

Shared g;

void on_signal(int /*sig*/, siginfo_t* info, void* /*context*/) {
    if (g.handled.fetch_add(1) == 0) {
        g.first_handler_mask.store(get_mask());
        g.first_handler_code.store(info->si_code);
    }
}

void on_terminator(int /*sig*/) {
    g.terminators.fetch_add(1);
}

void sleep_us(long us) {
    timespec ts{us / 1000000, (us % 1000000) * 1000};
    while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

long now_ms() {
    timespec ts{};
    (void)::clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/// The first line of a small /proc file ("" if unreadable).
std::string read_proc(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return {};
    }
    std::array<char, 512> buf{};
    const ssize_t n = ::read(fd, buf.data(), buf.size() - 1);
    (void)::close(fd);
    return n > 0 ? std::string(buf.data(), static_cast<std::size_t>(n)) : std::string{};
}

/// True when the main thread sleeps (state S) inside the wait's syscall, or inside
/// restart_syscall (a sleep or poll restarted after an ignored signal).
bool main_sleeps_in_wait() {
    const std::string task = "/proc/self/task/" + std::to_string(g.main_tid);
    const std::string stat = read_proc(task + "/stat");
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'S') {
        return false;
    }
    const std::string sys = read_proc(task + "/syscall");
    if (sys.empty() || sys[0] < '0' || sys[0] > '9') {
        return false; // "running", or "-1 ..." (asleep outside a syscall)
    }
    const long nr = std::strtol(sys.c_str(), nullptr, 10);
    return nr == g.wait_nr || nr == SYS_restart_syscall;
}

/// Waits until the main thread sleeps in the wait or has left it; \returns false after
/// bound_ms.
bool await_main() {
    const long deadline = now_ms() + g.bound_ms;
    while (now_ms() < deadline) {
        if (g.phase.load() == returned) {
            return true;
        }
        if (g.phase.load() == waiting && main_sleeps_in_wait()) {
            return true;
        }
        sleep_us(500);
    }
    return false;
}

void complete_wait() {
    switch (g.wait) {
    case Wait::read:
    case Wait::poll:
    case Wait::select:
    case Wait::ppoll:
    case Wait::pselect6:
    case Wait::epoll_wait:
    case Wait::epoll_pwait:
    case Wait::epoll_pwait2: {
        const char byte = 'x';
        (void)!::write(g.pipe_write, &byte, 1);
        break;
    }
    case Wait::futex:
        g.futex_word.store(1);
        (void)::syscall(SYS_futex, &g.futex_word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
        break;
    case Wait::wait4: {
        const char byte = 'x';
        (void)!::write(g.helper_gate, &byte, 1);
        break;
    }
    case Wait::accept: {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 ||
            ::connect(fd, reinterpret_cast<const sockaddr*>(&g.address), g.address_len) != 0) {
            complain("sender: connect failed");
        }
        if (fd >= 0) {
            (void)::close(fd);
        }
        break;
    }
    case Wait::rt_sigsuspend:
        (void)::kill(::getpid(), kTerminator);
        break;
    case Wait::nanosleep:
    case Wait::clock_nanosleep:
    case Wait::rt_sigtimedwait:
        break; // they end by themselves
    }
}

/// Fires the timer (once, in a microsecond).
void arm_timer() {
    itimerspec when{};
    when.it_value.tv_nsec = 1000;
    if (::timer_settime(g.timer_id, 0, &when, nullptr) != 0) {
        complain("timer_settime failed");
    }
}

void* sender(void* /*unused*/) {
    if (g.timer && blocks_signal(g.wait)) {
        // The signal was pending before the wait began: the wait may not sleep at all.
        if (!await_main()) {
            complain("sender: the main thread neither slept in the wait nor left it");
        }
        complete_wait();
        return nullptr;
    }
    if (!await_main() || g.phase.load() != waiting) {
        complain("sender: the main thread never slept in the wait");
    }
    if (g.timer) {
        arm_timer();
    }
    for (int i = 0; i < (g.timer ? 0 : g.count); ++i) {
        if (i == 1 && g.count == 2) {
            sleep_us(20000);
            if (!await_main()) {
                complain("sender: the main thread neither slept in the wait again nor left it "
                         "after the first signal");
            }
        }
        (void)::kill(::getpid(), g.sig);
    }
    if (!await_main()) {
        complain("sender: the main thread neither slept in the wait again nor left it after "
                 "the signals");
    }
    complete_wait();
    return nullptr;
}

// ---- the main thread ----

int usage() {
    complain("usage: waits_target WAIT caught-restart|caught|ignored|default-term|default-ign "
             "one|two|storm [SLEEP_MS [BOUND_MS]]");
    return 2;
}

bool parse_disposition(std::string_view s, Disposition& out) {
    constexpr std::array<std::pair<std::string_view, Disposition>, 5> table{{
        {"caught-restart", Disposition::caught_restart},
        {"caught", Disposition::caught},
        {"ignored", Disposition::ignored},
        {"default-term", Disposition::default_term},
        {"default-ign", Disposition::default_ign},
    }};
    for (const auto& [name, d] : table) {
        if (s == name) {
            out = d;
            return true;
        }
    }
    return false;
}

void install(int sig, void (*handler)(int), bool restart) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, kHandlerMask);
    sa.sa_flags = restart ? SA_RESTART : 0;
    if (::sigaction(sig, &sa, nullptr) != 0) {
        complain("sigaction failed");
    }
}

void install(int sig, void (*handler)(int, siginfo_t*, void*), bool restart) {
    struct sigaction sa {};
    sa.sa_sigaction = handler;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, kHandlerMask);
    sa.sa_flags = SA_SIGINFO | (restart ? SA_RESTART : 0);
    if (::sigaction(sig, &sa, nullptr) != 0) {
        complain("sigaction failed");
    }
}

/// Creates what the wait waits on; \returns false on a setup error.
bool prepare(Wait w, int& epoll_fd) {
    int fds[2] = {-1, -1};
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return false;
    }
    g.pipe_read = fds[0];
    g.pipe_write = fds[1];
    if (w == Wait::epoll_wait || w == Wait::epoll_pwait || w == Wait::epoll_pwait2) {
        epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = g.pipe_read;
        if (epoll_fd < 0 || ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, g.pipe_read, &ev) != 0) {
            return false;
        }
    }
    if (w == Wait::accept) {
        g.listen_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g.address.sun_family = AF_UNIX;
        // An abstract name (leading NUL): nothing to remove afterwards.
        const std::string name = "waits_target." + std::to_string(::getpid());
        std::memcpy(g.address.sun_path + 1, name.data(), name.size());
        g.address_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
        if (g.listen_fd < 0 ||
            ::bind(g.listen_fd, reinterpret_cast<const sockaddr*>(&g.address), g.address_len) !=
                0 ||
            ::listen(g.listen_fd, 4) != 0) {
            return false;
        }
    }
    if (w == Wait::wait4) {
        int gate[2] = {-1, -1};
        if (::pipe2(gate, O_CLOEXEC) != 0) {
            return false;
        }
        const pid_t parent = ::getpid();
        g.helper = ::fork();
        if (g.helper < 0) {
            return false;
        }
        if (g.helper == 0) {
            // The child that exits later: when the sender says so, or with its parent.
            Mask all = ~Mask{0};
            change_mask(SIG_SETMASK, all);
            (void)::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent) {
                ::_exit(1);
            }
            (void)::close(gate[1]);
            char byte = 0;
            while (::read(gate[0], &byte, 1) < 0 && errno == EINTR) {
            }
            ::_exit(0);
        }
        (void)::close(gate[0]);
        g.helper_gate = gate[1];
    }
    return true;
}

long do_wait(Wait w, int epoll_fd, Mask wait_mask, std::string& detail) {
    char byte = 0;
    pollfd pfd{g.pipe_read, POLLIN, 0};
    std::array<unsigned long, 16> read_set{}; // an fd_set, filled by hand
    read_set[static_cast<std::size_t>(g.pipe_read) / 64] |= 1UL << (g.pipe_read % 64);
    epoll_event ev{};
    const Mask wait_set = bit(g.sig);
    timespec sleep{g.sleep_ms / 1000, (g.sleep_ms % 1000) * 1000000L};
    switch (w) {
    case Wait::read:
        return ::syscall(SYS_read, g.pipe_read, &byte, 1);
    case Wait::nanosleep:
        return ::syscall(SYS_nanosleep, &sleep, nullptr);
    case Wait::clock_nanosleep:
        return ::syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &sleep, nullptr);
    case Wait::futex:
        return ::syscall(SYS_futex, &g.futex_word, FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
    case Wait::wait4: {
        int status = 0;
        const long r = ::syscall(SYS_wait4, g.helper, &status, 0, nullptr);
        if (r == g.helper) {
            detail = "helper status=" + std::to_string(status);
            g.helper = -1;
        }
        return r;
    }
    case Wait::accept: {
        const long r = ::syscall(SYS_accept, g.listen_fd, nullptr, nullptr);
        if (r >= 0) {
            detail = "a connection";
            (void)::close(static_cast<int>(r));
        }
        return r;
    }
    case Wait::poll:
        return ::syscall(SYS_poll, &pfd, 1, -1);
    case Wait::select:
        return ::syscall(SYS_select, g.pipe_read + 1, read_set.data(), nullptr, nullptr, nullptr);
    case Wait::ppoll:
        return ::syscall(SYS_ppoll, &pfd, 1, nullptr, &wait_mask, sizeof(Mask));
    case Wait::pselect6: {
        struct {
            const Mask* set;
            std::size_t size;
        } sigmask{&wait_mask, sizeof(Mask)};
        return ::syscall(SYS_pselect6, g.pipe_read + 1, read_set.data(), nullptr, nullptr, nullptr,
                         &sigmask);
    }
    case Wait::epoll_wait:
        return ::syscall(SYS_epoll_wait, epoll_fd, &ev, 1, -1);
    case Wait::epoll_pwait:
        return ::syscall(SYS_epoll_pwait, epoll_fd, &ev, 1, -1, &wait_mask, sizeof(Mask));
    case Wait::epoll_pwait2:
        return ::syscall(SYS_epoll_pwait2, epoll_fd, &ev, 1, nullptr, &wait_mask, sizeof(Mask));
    case Wait::rt_sigsuspend:
        return ::syscall(SYS_rt_sigsuspend, &wait_mask, sizeof(Mask));
    case Wait::rt_sigtimedwait: {
        siginfo_t info{};
        const long r = ::syscall(SYS_rt_sigtimedwait, &wait_set, &info, nullptr, sizeof(Mask));
        if (r > 0) {
            detail = "signal " + signal_name(static_cast<int>(r)) +
                     " code=" + std::to_string(info.si_code);
        }
        return r;
    }
    }
    return -1;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        return usage();
    }
    const WaitInfo* info = nullptr;
    for (const WaitInfo& w : kWaits) {
        if (w.name == argv[1]) {
            info = &w;
        }
    }
    Disposition disposition{};
    const std::string_view count_name = argv[3];
    if (info == nullptr || !parse_disposition(argv[2], disposition) ||
        (count_name != "one" && count_name != "two" && count_name != "storm" &&
         count_name != "timer")) {
        return usage();
    }
    g.sleep_ms = argc > 4 ? std::atol(argv[4]) : 200;
    g.bound_ms = argc > 5 ? std::atol(argv[5]) : 1000;
    g.wait = info->wait;
    g.wait_nr = info->nr;
    g.count = count_name == "two" ? 2 : count_name == "storm" ? kStorm : 1;
    g.timer = count_name == "timer";
    g.sig = disposition == Disposition::default_ign ? SIGWINCH : SIGRTMIN + 4;
    g.main_tid = static_cast<pid_t>(::syscall(SYS_gettid));
    const Wait w = g.wait;

    // Dispositions: the signal's as asked; SIGUSR1 ends rt_sigsuspend (caught, so that it
    // does); the rest of the signals used in masks keep their defaults and are never sent.
    switch (disposition) {
    case Disposition::caught_restart:
    case Disposition::caught:
        install(g.sig, &on_signal, disposition == Disposition::caught_restart);
        break;
    case Disposition::ignored:
        (void)::signal(g.sig, SIG_IGN);
        break;
    case Disposition::default_term:
    case Disposition::default_ign:
        (void)::signal(g.sig, SIG_DFL);
        break;
    }
    install(kTerminator, &on_terminator, disposition == Disposition::caught_restart);

    Mask outside = bit(kAlways);
    if (blocks_signal(w)) {
        outside |= bit(g.sig);
    }
    if (w == Wait::rt_sigsuspend) {
        outside |= bit(kTerminator);
    }
    const Mask wait_mask = bit(kAlways) | bit(kWaitOnly);

    emit("case wait=" + std::string(info->name) + " disposition=" + argv[2] +
         " signals=" + std::string(count_name) + " signal=" + signal_name(g.sig));

    int epoll_fd = -1;
    if (!prepare(w, epoll_fd)) {
        complain("setup failed");
        return 2;
    }
    if (g.timer) {
        sigevent event{};
        event.sigev_notify = SIGEV_SIGNAL;
        event.sigev_signo = g.sig;
        if (::timer_create(CLOCK_MONOTONIC, &event, &g.timer_id) != 0) {
            complain("timer_create failed");
            return 2;
        }
    }
    // The sender inherits a mask that blocks everything, so every signal is the main
    // thread's to take.
    change_mask(SIG_SETMASK, ~Mask{0});
    pthread_t thread{};
    if (::pthread_create(&thread, nullptr, &sender, nullptr) != 0) {
        complain("pthread_create failed");
        return 2;
    }
    change_mask(SIG_SETMASK, outside);
    emit("mask before the wait: " + mask_text(get_mask()));
    if (g.timer && blocks_signal(w)) {
        // Block, arm, wait: the signal is pending when the wait begins.
        arm_timer();
        const long deadline = now_ms() + g.bound_ms;
        Mask pending = 0;
        while ((pending & bit(g.sig)) == 0 && now_ms() < deadline) {
            (void)::syscall(SYS_rt_sigpending, &pending, sizeof(Mask));
        }
        if ((pending & bit(g.sig)) == 0) {
            complain("the timer's signal never became pending");
        }
    }

    std::string detail;
    g.phase.store(waiting);
    const long r = do_wait(w, epoll_fd, wait_mask, detail);
    const int err = errno;
    const Mask after = get_mask();
    const int handled_in_wait = g.handled.load();
    g.phase.store(returned);

    emit(r < 0 ? "result: -1 " + errno_text(err)
               : "result: " + (detail.empty() ? std::to_string(r) : detail));
    if (r < 0 && err == ENOSYS) {
        emit("unsupported: " + std::string(info->name));
    }
    emit("mask after the wait: " + mask_text(after));
    if (blocks_signal(w)) {
        emit("handlers run during the wait: " + std::to_string(handled_in_wait));
    }

    (void)::pthread_join(thread, nullptr);
    // Finish what the wait left: every signal sent is now pending or handled.
    if (w == Wait::futex) {
        while (g.futex_word.load() == 0) {
            (void)::syscall(SYS_futex, &g.futex_word, FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
        }
    }
    if (w == Wait::wait4 && g.helper > 0) {
        int status = 0;
        while (::waitpid(g.helper, &status, 0) < 0 && errno == EINTR) {
        }
        emit("helper reaped after the wait: status=" + std::to_string(status));
    }
    change_mask(SIG_UNBLOCK, bit(g.sig) | bit(kTerminator)); // the pending ones run now

    if (disposition == Disposition::caught_restart || disposition == Disposition::caught) {
        emit("handlers run: " + std::to_string(g.handled.load()));
        if (g.handled.load() > 0) {
            emit("mask in the first handler: " + mask_text(g.first_handler_mask.load()));
            emit("si_code in the first handler: " + std::to_string(g.first_handler_code.load()));
        }
    }
    if (w == Wait::rt_sigsuspend) {
        emit("SIGUSR1 handlers run: " + std::to_string(g.terminators.load()));
    }
    emit("mask at the end: " + mask_text(get_mask()));
    return 0;
}
