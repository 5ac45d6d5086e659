// SPDX-License-Identifier: MIT
// A pseudo-terminal's ioctls, each as strace decodes it, as script(1), ssh and terminal
// emulators make them: the pty's number and lock (ints), the peer (flags in hex), struct
// termios read and written (every flag of each word, the delay fields, speeds with and without
// a separate input speed, character sizes, unknown bits), struct winsize, the requests whose
// argument is a number or a named constant (TCSBRK, TIOCSCTTY, TCFLSH, TCXONC), TIOCNOTTY,
// unknown requests spelled with _IOC, and the failures that leave addresses; then signalfd4's
// mask and flags. Nothing here blocks, and the terminal is a new pty, not the caller's.
#include <array>
#include <csignal>
#include <cstdint>
#include <cstdio>

#include <asm/termbits.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

/// ioctl(2) through syscall(2): <asm/termbits.h>'s struct termios (the kernel's) cannot be
/// used beside <termios.h>'s, and glibc's tcsetattr would translate it.
long io(int fd, unsigned long request, const void* arg) {
    return ::syscall(SYS_ioctl, fd, request, arg);
}

long io(int fd, unsigned long request, long arg) {
    return ::syscall(SYS_ioctl, fd, request, arg);
}

/// An address that is never mapped (the first page).
void* const unmapped = reinterpret_cast<void*>(std::uintptr_t{8});

} // namespace

int main() {
    const int master = ::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) {
        std::perror("terminal: no pseudo-terminal: /dev/ptmx");
        return 77; // a skip (strace_test.py compare)
    }
    int number = 0;
    int unlock = 0;
    io(master, TIOCGPTN, &number);
    io(master, TIOCSPTLCK, &unlock);
    const auto slave = static_cast<int>(io(master, TIOCGPTPEER, O_RDWR | O_NOCTTY));
    if (slave < 0) {
        return 1;
    }

    // struct termios: as the kernel set it up, then set back three ways.
    termios t{};
    io(slave, TCGETS, &t);
    io(slave, TCSETS, &t);
    io(slave, TCSETSW, &t);
    io(slave, TCSETSF, &t);
    // Every named bit of each flag word, with unknown ones; then words of 0.
    termios all{};
    all.c_iflag = 0xffffffff;
    all.c_lflag = 0xffffffff;
    io(slave, TCSETS, &all);
    all.c_iflag = 0;
    all.c_lflag = 0;
    all.c_oflag = ~static_cast<tcflag_t>(NLDLY | CRDLY | TABDLY | BSDLY | VTDLY | FFDLY);
    all.c_cflag = ~static_cast<tcflag_t>(CBAUD | CIBAUD | CSIZE);
    io(slave, TCSETS, &all);
    // The delay fields' values, speeds (a separate input speed, BOTHER), character sizes.
    termios odd{};
    odd.c_oflag = NL1 | CR1 | TAB1 | BS1 | VT1 | FF1 | OPOST;
    odd.c_cflag = B57600 | (B2400 << IBSHIFT) | CS7 | CREAD;
    io(slave, TCSETS, &odd);
    odd.c_oflag = CR2 | TAB2;
    odd.c_cflag = B4000000 | (B4000000 << IBSHIFT) | CS6;
    io(slave, TCSETS, &odd);
    odd.c_oflag = CR3 | TAB3;
    odd.c_cflag = BOTHER | CS8 | CLOCAL;
    io(slave, TCSETS, &odd);
    odd = t;
    odd.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    odd.c_cflag = (odd.c_cflag & ~static_cast<tcflag_t>(CBAUD)) | B9600;
    io(slave, TCSETSW, &odd);
    io(slave, TCGETS, &odd);
    io(slave, TCSETSF, &t);
    io(slave, TCGETS, nullptr);  // EFAULT: NULL
    io(slave, TCGETS, unmapped); // EFAULT: the address
    io(slave, TCSETS, unmapped);

    // struct winsize.
    winsize size{24, 80, 0, 0};
    io(slave, TIOCSWINSZ, &size);
    size = winsize{};
    io(slave, TIOCGWINSZ, &size);
    io(master, TIOCGWINSZ, &size);
    io(slave, TIOCSWINSZ, nullptr);

    // Numbers and named constants; a request without an argument.
    io(slave, TCSBRK, 1L);
    io(slave, TCFLSH, long{TCIFLUSH});
    io(slave, TCFLSH, long{TCIOFLUSH});
    io(slave, TCFLSH, 7L); // EINVAL: `0x7 /* TC??? */`
    io(slave, TCXONC, long{TCOON});
    io(slave, TCXONC, long{TCIOFF});
    io(slave, TCXONC, long{TCION});
    io(slave, TCXONC, 9L);     // EINVAL
    io(slave, TIOCSCTTY, 0L);  // EPERM: not a session leader
    io(slave, TIOCSCTTY, -1L); // EPERM
    io(slave, TIOCNOTTY, 0L);  // ENOTTY: not our controlling terminal
    int nonblocking = 1;
    io(slave, FIONBIO, &nonblocking);
    int queued = -1;
    io(slave, FIONREAD, &queued);
    io(slave, FIONREAD, nullptr); // EFAULT: NULL
    // Requests no table names: their _IOC fields (direction, type, number, size).
    io(slave, 0xc010ee12UL, 0L);
    io(slave, 0x8008ee7fUL, 0L);
    io(slave, 0xee00UL, 0L);
    io(slave, 0x1ee00UL, 0L);

    // signalfd4: the mask and the flags; a size the kernel refuses; an unreadable mask.
    sigset_t mask{};
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGCHLD);
    const auto fd = static_cast<int>(
        ::syscall(SYS_signalfd4, -1, &mask, sizeof(std::uint64_t), SFD_CLOEXEC | SFD_NONBLOCK));
    ::syscall(SYS_signalfd4, fd, &mask, sizeof(std::uint64_t), 0);
    ::syscall(SYS_signalfd4, -1, &mask, 4, 0);                        // EINVAL: the address
    ::syscall(SYS_signalfd4, -1, unmapped, sizeof(std::uint64_t), 0); // EFAULT
    ::syscall(SYS_signalfd4, -1, &mask, sizeof(std::uint64_t), 0x10); // EINVAL
    return 0;
}
