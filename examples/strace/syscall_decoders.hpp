// SPDX-License-Identifier: MIT
// The strace example's decoder of each syscall: what it shows at the call's entry, and how it
// prints the arguments the kernel writes once the call returns, as strace 6.1 does. decode.hpp
// runs them.
#pragma once

#include <ptrace/syscalls.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "syscall_args.hpp"

namespace strace_example::detail {

/// One call at its entry stop, as decode_entry() hands it to the entry decoder of its syscall
/// (syscall_decoders, below). `call.args` already holds each argument's generic text (by its
/// kind in the syscall table, and the buffers the tracee passes in with their length); a
/// decoder rewrites what strace shows otherwise, leaves out the arguments strace does not
/// show, and marks those the kernel writes (`at_exit`: the exit decoder prints them when the
/// call returns). One member per syscall, or per family of syscalls decoded alike, named as
/// strace names its decoders (`SYS_FUNC(open)`: sys_open).
struct Entering {
    PendingCall& call;
    const std::array<std::uint64_t, 6>& regs; ///< rdi, rsi, rdx, r10, r8, r9
    const ReadMemory& read;
    std::size_t limit;
    std::uint64_t sp; ///< the stack pointer (rt_sigreturn's signal frame is there)
    std::string_view name;

    /// Replaces the text of argument `i`, when the call has one.
    void set(unsigned i, std::string text) {
        if (i < call.args.size()) {
            call.args[i].text = std::move(text);
        }
    }
    /// Shows the first `n` arguments only.
    void keep(unsigned n) {
        if (call.args.size() > n) {
            call.args.resize(n);
        }
    }
    /// The vectored calls with an offset: its high half (x86_64: always 0) is not shown; the
    /// v2 calls' flags are.
    void offset_and_flags() {
        if (call.args.size() > 4) {
            call.args.erase(call.args.begin() + 4);
        }
        if (call.args.size() > 4) {
            constexpr std::array<FlagName, 5> rwf{{
                {1, "RWF_HIPRI"},
                {2, "RWF_DSYNC"},
                {4, "RWF_SYNC"},
                {8, "RWF_NOWAIT"},
                {16, "RWF_APPEND"},
            }};
            call.args[4].text = flag_names(regs[5], rwf);
        }
    }
    /// The calls whose one decoded argument is a 32-bit word of flags: flag_word_args' row.
    void flag_word() {
        if (const FlagWordArg* word = flag_word_arg(name)) {
            set(word->index,
                flags_or_unknown(regs[word->index] & 0xffffffff, word->table, word->prefix));
        }
    }

    void sys_open() {
        set(1, open_flags(regs[1]));
        keep((regs[1] & o_creat) != 0 || (regs[1] & o_tmpfile) == o_tmpfile ? 3 : 2);
    }

    void sys_openat() {
        set(2, open_flags(regs[2]));
        keep((regs[2] & o_creat) != 0 || (regs[2] & o_tmpfile) == o_tmpfile ? 4 : 3);
    }

    void sys_mmap() {
        set(2, mmap_prot(regs[2]));
        set(3, mmap_flags(regs[3]));
    }

    void sys_mprotect() { set(2, mmap_prot(regs[2])); }

    void sys_access() { set(1, access_mode(regs[1])); }

    void sys_faccessat() {
        set(2, access_mode(regs[2]));
        set(3, at_flags(regs[3]));
    }

    void sys_stat() {
        if (regs[1] != 0) {
            call.args[1].at_exit = true; // the struct stat, written by the kernel
        }
    }

    void sys_newfstatat() {
        set(3, at_flags(regs[3]));
        if (regs[2] != 0) {
            call.args[2].at_exit = true; // the struct stat, written by the kernel
        }
    }

    void sys_utimensat() {
        set(2, file_times_at(read, regs[2], false));
        set(3, at_flags(regs[3]));
    }

    void sys_fchownat() { set(4, at_flags(regs[4])); }

    void sys_unlinkat() { set(2, at_flags(regs[2], true)); }

    void sys_statx() {
        set(2, statx_flags(regs[2]));
        set(3, flag_names(regs[3] & 0xffffffff, statx_mask_table));
        if (regs[4] != 0) {
            call.args[4].at_exit = true; // the result is written by the kernel
        }
    }

    void sys_execveat() {
        set(3, envp_text(read, regs[3]));
        set(4, at_flags(regs[4]));
    }

    void sys_execve() { set(2, envp_text(read, regs[2])); }

    void sys_lseek() { set(2, value_name(regs[2], seek_table, std::to_string(as_int(regs[2])))); }

    void sys_rt_sigprocmask() {
        set(0, constant(regs[0], sigprocmask_table, "SIG_"));
        set(1, sigset_at(read, regs[1], regs[3]));
        if (regs[2] != 0) {
            call.args[2].at_exit = true; // the old mask is written by the kernel
        }
    }

    void sys_rt_sigtimedwait() {
        set(0, sigset_at(read, regs[0], regs[3]));
        call.args[1].at_exit = regs[1] != 0; // the siginfo of the signal taken
        set(2, timespec_at(read, regs[2]));
    }

    void sys_rt_sigaction() {
        set(1, sigaction_at(read, regs[1]));
        if (regs[2] != 0) {
            call.args[2].at_exit = true; // the old action is written by the kernel
        }
    }

    void sys_sigaltstack() {
        set(0, stack_at(read, regs[0]));
        if (regs[1] != 0) {
            call.args[1].at_exit = true; // the old stack is written by the kernel
        }
    }

    void sys_getgroups() {
        call.args[1].at_exit = true; // as many ids as it returns are written
    }

    void sys_setgroups() { set(1, gids_at(read, regs[1], regs[0] & 0xffffffff, limit)); }

    void sys_socket() {
        set(0, constant(regs[0], address_family_table, "AF_"));
        set(1, socket_type(regs[1]));
        if (regs[0] == 2 || regs[0] == 10) {
            set(2, constant(regs[2], ip_protocol_table, "IPPROTO_"));
        } else if (regs[0] == 16) {
            set(2, constant(regs[2], netlink_protocol_table, "NETLINK_"));
        }
        if (name == "socketpair") {
            call.args[3].at_exit = true; // the two fds are written by the kernel
        }
    }

    void sys_connect() { set(1, sockaddr_at(read, regs[1], regs[2] & 0xffffffff)); }

    void sys_sendto() {
        if (call.netlink) {
            if (auto messages = netlink_at(read, regs[1], regs[2], *call.netlink, limit)) {
                set(1, std::move(*messages));
            }
        }
        set(3, msg_flags_text(regs[3]));
        set(4, sockaddr_at(read, regs[4], regs[5] & 0xffffffff));
    }

    void sys_recvfrom() {
        // The sender's address and its length are written by the kernel, as accept's are.
        set(3, msg_flags_text(regs[3]));
        std::uint32_t len = 0;
        if (regs[4] != 0 && read_struct(read, regs[5], len)) {
            call.socklen = len;
            set(5, "[" + std::to_string(len) + "]");
        }
        call.args[4].at_exit = call.socklen.has_value();
        call.args[5].at_exit = call.socklen.has_value();
    }

    void sys_sendmsg() {
        set(1, msghdr_at(read, regs[1], std::nullopt, std::nullopt, limit,
                         call.netlink.value_or(netlink_unknown)));
        set(2, msg_flags_text(regs[2]));
    }

    void sys_sendmmsg() {
        call.args[1].at_exit = true; // the messages, with what each sent
        set(2, std::to_string(regs[2] & 0xffffffff));
        set(3, msg_flags_text(regs[3]));
    }

    void sys_recvmmsg() {
        // Each message's msg_namelen at entry (the room for its name), at most 1024 (IOV_MAX).
        std::vector<std::uint32_t> namelens;
        for (std::uint64_t i = 0; i < std::min<std::uint64_t>(regs[2] & 0xffffffff, 1024); ++i) {
            std::uint32_t namelen = 0;
            if (!read_struct(read,
                             regs[1] + i * sizeof(::mmsghdr) + offsetof(::msghdr, msg_namelen),
                             namelen)) {
                break;
            }
            namelens.push_back(namelen);
        }
        call.namelens = std::move(namelens);
        call.args[1].at_exit = true;
        set(2, std::to_string(regs[2] & 0xffffffff));
        set(3, msg_flags_text(regs[3]));
        set(4, timespec_at(read, regs[4])); // the timeout as it was at entry
    }

    void sys_recvmsg() {
        std::uint32_t namelen = 0; // msghdr's msg_namelen, at offset 8: the room for a name
        if (regs[1] != 0 && read_struct(read, regs[1] + offsetof(::msghdr, msg_namelen), namelen)) {
            call.socklen = namelen;
        }
        call.args[1].at_exit = true;
        set(2, msg_flags_text(regs[2]));
    }

    void sys_accept() {
        // The address and its length are written by the kernel; the length is also an input.
        std::uint32_t len = 0;
        if (read_struct(read, regs[2], len)) {
            call.socklen = len;
            set(2, "[" + std::to_string(len) + "]");
        }
        call.args[1].at_exit = regs[1] != 0;
        call.args[2].at_exit = call.socklen.has_value();
        if (name == "accept4") {
            set(3, flag_names(regs[3], sock_flag_table));
        }
    }

    void sys_setsockopt() {
        set(1, sockopt_level_text(regs[1]));
        set(2, sockopt_name_text(regs[1], regs[2], name == "getsockopt"));
        if (name == "setsockopt") {
            set(3, setsockopt_value(read, regs[1], regs[2], regs[3], as_int(regs[4]), limit));
        } else if (std::int32_t len = 0; read_struct(read, regs[4], len)) {
            call.socklen = static_cast<std::uint32_t>(len);
            set(4, "[" + std::to_string(len) + "]");
            call.args[3].at_exit = true; // the value and its length are written by the kernel
            call.args[4].at_exit = true;
        }
    }

    void sys_poll() {
        set(0, pollfds_entry(read, regs[0], regs[1] & 0xffffffff,
                             limit)); // nfds: unsigned int
        if (name == "ppoll") {
            set(2, timespec_at(read, regs[2]));
            set(3, sigset_at(read, regs[3], regs[4]));
        }
    }

    void sys_select() {
        // The sets are read now: the kernel overwrites them with the ready fds.
        for (unsigned i = 1; i <= 3; ++i) {
            set(i, fd_set_entry(read, regs[i], as_int(regs[0])));
        }
        if (name == "select") {
            set(4, timeval_at(read, regs[4]));
        } else {
            set(4, timespec_at(read, regs[4]));
            set(5, pselect6_sigmask_at(read, regs[5]));
        }
    }

    void sys_epoll_ctl() {
        set(1, constant(regs[1] & 0xffffffff, epoll_ctl_table, "EPOLL_CTL_"));
        set(3, epoll_ctl_event(read, regs[1], regs[3]));
    }

    void sys_epoll_wait() {
        call.args[1].at_exit = true; // the events are written by the kernel
        if (name == "epoll_pwait2") {
            set(3, timespec_at(read, regs[3]));
        }
        if (name != "epoll_wait") {
            set(4, sigset_at(read, regs[4], regs[5]));
        }
    }

    void sys_getdents64() {
        call.args[1].at_exit = true; // the entries are written by the kernel
    }

    void sys_prlimit64() {
        set(1, constant(regs[1], rlimit_table, "RLIMIT_"));
        set(2, rlimit_at(read, regs[2]));
        if (regs[3] != 0) {
            call.args[3].at_exit = true; // the old limits are written by the kernel
        }
    }

    void sys_getrlimit() {
        set(0, constant(regs[0], rlimit_table, "RLIMIT_"));
        if (name == "setrlimit") {
            set(1, rlimit_at(read, regs[1]));
        } else {
            call.args[1].at_exit = true; // the limits are written by the kernel
        }
    }

    void sys_madvise() { set(2, constant(regs[2], madvise_table, "MADV_")); }

    void sys_fadvise64() { set(3, constant(regs[3], fadvise_table, "POSIX_FADV_")); }

    void sys_writev() { set(1, iovec_text(read, regs[1], regs[2], std::nullopt, limit)); }

    void sys_pwritev() {
        sys_writev();
        offset_and_flags();
    }

    /// The ranges as addresses, then the advice.
    void sys_process_madvise() {
        set(1, iovec_text(read, regs[1], regs[2], std::nullopt, limit, true));
        set(3, constant(regs[3] & 0xffffffff, madvise_table, "MADV_"));
    }

    void sys_mincore() {
        call.args[2].at_exit = true; // a byte per page, written by the kernel
    }

    void sys_readv() {
        call.args[1].at_exit = true; // the data is written by the kernel
    }

    void sys_preadv() {
        sys_readv();
        offset_and_flags();
    }

    void sys_getpriority() {
        set(0, constant(regs[0] & 0xffffffff, priority_which_table, "PRIO_"));
    }

    void sys_ioprio_get() {
        set(0, constant(regs[0] & 0xffffffff, ioprio_who_table, "IOPRIO_WHO_"));
        set(2, ioprio_text(regs[2]));
    }

    void sys_prctl() {
        PrctlArgs p = prctl_entry(regs, read, limit);
        call.args.clear();
        for (unsigned i = 0; i < p.texts.size(); ++i) {
            call.args.push_back({std::move(p.texts[i]), p.at_exit == i, i});
        }
    }

    void sys_ptrace() {
        PtraceArgs p = ptrace_entry(regs, read, limit);
        call.args.clear();
        for (unsigned i = 0; i < p.args.size(); ++i) {
            call.args.push_back({std::move(p.args[i].text), p.at_exit == i, p.args[i].reg});
        }
        call.regset_len = p.regset_len;
    }

    void sys_capget() {
        set(0, cap_header_at(read, regs[0])); // capget's version is read back at exit
        if (name == "capget") {
            call.args[1].at_exit = true; // the sets are written by the kernel
        } else {
            set(1, cap_data_at(read, regs[0], regs[1]));
        }
    }

    void sys_getresuid() {
        for (Arg& arg : call.args) {
            arg.at_exit = true; // the three ids are written by the kernel
        }
    }

    void sys_arch_prctl() {
        set(0, value_name(regs[0], arch_prctl_table, hex(regs[0])));
        if (regs[0] == 0x1003 || regs[0] == 0x1004) { // ARCH_GET_FS, ARCH_GET_GS: `[0x7f...]`
            call.args[1].at_exit = true;
        }
    }

    void sys_getcpu() {
        for (const unsigned i : {0U, 1U}) {
            if (regs[i] != 0) {
                call.args[i].at_exit = true; // `[1]`: the CPU and the NUMA node
            }
        }
    }

    void sys_get_robust_list() {
        call.args[1].at_exit = true; // the list's head and its size
        call.args[2].at_exit = true;
    }

    void sys_io_setup() {
        call.args[1].at_exit = true; // the context the kernel made
    }

    void sys_openat2() { set(2, open_how_at(read, regs[2], regs[3], limit)); }

    void sys_ioctl() {
        IoctlArgs io = ioctl_entry(regs[1], regs[2], read);
        set(1, std::move(io.request));
        if (!io.arg) {
            keep(2);
        } else {
            set(2, std::move(*io.arg));
            call.args[2].at_exit = io.arg_at_exit;
        }
    }

    void sys_mremap() {
        set(3, flags_or_unknown(regs[3], mremap_table, "MREMAP_"));
        if ((regs[3] & 3) != 3) {
            keep(4); // the new address only with MREMAP_MAYMOVE|MREMAP_FIXED
        }
    }

    void sys_dup3() { set(2, open_flags_no_mode(regs[2])); }

    void sys_pipe() {
        call.args[0].at_exit = true; // the two fds are written by the kernel
    }

    void sys_pipe2() {
        sys_pipe();
        set(1, open_flags_no_mode(regs[1]));
    }

    void sys_getrandom() { set(2, flag_names(regs[2], grnd_table)); }

    void sys_wait4() {
        set(2, flags_or_unknown(regs[2] & 0xffffffff, wait_table, "W"));
        if (regs[1] != 0) {
            call.args[1].at_exit = true; // the status is written by the kernel
        }
    }

    void sys_fcntl() {
        const std::uint64_t cmd = regs[1];
        set(1, value_name(cmd, fcntl_table, std::to_string(as_int(cmd))));
        if (cmd == 1 || cmd == 3 || cmd == 9 || cmd == 11 || cmd == 1032 || cmd == 1034) {
            keep(2); // the F_GET* commands take no third argument
        } else if (cmd == 10) {
            set(2, regs[2] == 0 ? std::string("0") : signal_text(regs[2])); // F_SETSIG
        } else if (cmd == 2) {
            set(2, regs[2] == 1 ? std::string("FD_CLOEXEC") : hex(regs[2]));
        } else if (cmd == 4) {
            set(2, open_flags(regs[2]));
        } else if (cmd == 0 || cmd == 1030 || cmd == 1031 || cmd == 8) {
            set(2, std::to_string(as_int(regs[2])));
        }
    }

    void sys_futex() {
        const std::uint64_t cmd = regs[1] & 0x7f;
        set(1, futex_op(regs[1]));
        set(2, std::to_string(as_int(regs[2])));
        if (cmd == 1) {
            keep(3); // FUTEX_WAKE(addr, op, count)
        } else if (cmd == 0) {
            keep(4); // FUTEX_WAIT(addr, op, value, timeout)
        } else if (cmd == 9) {
            // FUTEX_WAIT_BITSET(addr, op, value, timeout, bitset): strace skips uaddr2.
            call.args.erase(call.args.begin() + 4);
            call.args[4].text =
                as_int(regs[5]) == -1 ? std::string("FUTEX_BITSET_MATCH_ANY") : hex(regs[5]);
        }
    }

    void sys_rt_sigreturn() {
        // The mask the signal frame restores (strace shows it; the frame is on the stack).
        if (sp != 0) {
            call.args.push_back(
                {"{mask=" + sigset_at(read, sp + sigframe_mask_offset, 8) + "}", false, 0});
        }
    }

    void sys_setitimer() {
        set(0, constant(regs[0], itimer_table, "ITIMER_"));
        if (name == "setitimer") {
            set(1, itimerval_at(read, regs[1]));
        }
        const unsigned out = name == "setitimer" ? 2 : 1;
        if (regs[out] != 0) {
            call.args[out].at_exit = true; // the old (or current) timer is written by the kernel
        }
    }

    void sys_clone() {
        // strace names clone's arguments and shows only those the flags make meaningful.
        // x86_64 order: flags, stack, parent_tid, child_tid, tls.
        const std::uint64_t flags = regs[0];
        call.args.clear();
        call.args.push_back({"child_stack=" + pointer(regs[1]), false, 1});
        call.args.push_back({"flags=" + clone_flags(flags), false, 0});
        // strace's order: parent_tid (what the kernel wrote there, at exit), tls, child_tidptr.
        if ((flags & 0x101000) != 0) { // CLONE_PARENT_SETTID | CLONE_PIDFD
            call.args.push_back({"parent_tid=" + pointer(regs[2]), true, 2});
        }
        if ((flags & 0x80000) != 0) { // CLONE_SETTLS
            call.args.push_back({"tls=" + pointer(regs[4]), false, 4});
        }
        if ((flags & 0x1200000) != 0) { // CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID
            call.args.push_back({"child_tidptr=" + pointer(regs[3]), false, 3});
        }
    }

    void sys_clone3() {
        set(0, clone3_entry(read, regs[0], regs[1]));
        call.args[0].at_exit = true; // at exit: ` => {parent_tid=[N]}`
    }

    void sys_rt_sigsuspend() { set(0, sigset_at(read, regs[0], regs[1])); }

    void sys_nanosleep() {
        set(0, timespec_at(read, regs[0]));
        call.args[1].at_exit = true; // the time left, when a signal interrupted it
    }

    void sys_clock_nanosleep() {
        set(0, clock_text(regs[0]));
        set(1, timer_flags_text(regs[1]));
        set(2, timespec_at(read, regs[2]));
        call.args[3].at_exit = true;
    }

    void sys_clock_gettime() {
        set(0, clock_text(regs[0]));
        call.args[1].at_exit = true; // the time, or the resolution
    }

    void sys_clock_settime() {
        set(0, clock_text(regs[0]));
        set(1, timespec_at(read, regs[1]));
    }

    void sys_clock_adjtime() {
        set(0, clock_text(regs[0]));
        call.args[1].at_exit = true; // the struct timex, as the kernel left it
    }

    void sys_adjtimex() { call.args[0].at_exit = true; }

    void sys_timerfd_create() {
        constexpr std::array<FlagName, 2> tfd{{{02000000, "TFD_CLOEXEC"}, {04000, "TFD_NONBLOCK"}}};
        set(0, clock_text(regs[0]));
        set(1, flags_or_unknown(regs[1] & 0xffffffff, tfd, "TFD_"));
    }

    void sys_timerfd_settime() {
        constexpr std::array<FlagName, 2> tfd{
            {{1, "TFD_TIMER_ABSTIME"}, {2, "TFD_TIMER_CANCEL_ON_SET"}}};
        set(1, flags_or_unknown(regs[1] & 0xffffffff, tfd, "TFD_"));
        set(2, itimerspec_at(read, regs[2]));
        call.args[3].at_exit = true; // the old setting
    }

    void sys_timerfd_gettime() { call.args[1].at_exit = true; }

    void sys_personality() {
        const auto persona = static_cast<std::uint32_t>(regs[0]);
        set(0, persona == 0xffffffffU ? hex(persona) : personality_text(persona)); // a query
    }

    void sys_syslog() {
        // The action, then only the arguments it reads: a buffer and its length to read into,
        // a console level, or nothing.
        const int action = as_int(regs[0]);
        set(0, std::to_string(action) + " /* " +
                   value_name(static_cast<std::uint64_t>(action), syslog_action_table,
                              "SYSLOG_ACTION_???") +
                   " */");
        if (action >= 2 && action <= 4) {
            call.args[1].at_exit = true; // the bytes read, as many as it returns
        } else if (action == 8) {
            const int level = as_int(regs[2]);
            set(2,
                std::to_string(level) + " /* " +
                    value_name(static_cast<std::uint64_t>(level), loglevel_table, "LOGLEVEL_???") +
                    " */");
        } else if (action >= 0 && action <= 10) {
            keep(1);
        }
    }

    void sys_membarrier() {
        set(0, constant(regs[0] & 0xffffffff, membarrier_cmd_table, "MEMBARRIER_CMD_"));
        constexpr std::array<FlagName, 1> flags{{{1, "MEMBARRIER_CMD_FLAG_CPU"}}};
        set(1, flags_or_unknown(regs[1] & 0xffffffff, flags, "MEMBARRIER_CMD_FLAG_"));
        if ((regs[1] & 1) == 0) {
            keep(2); // the CPU only with MEMBARRIER_CMD_FLAG_CPU
        }
    }

    void sys_utimes() { set(1, file_times_at(read, regs[1], true)); }

    void sys_futimesat() { set(2, file_times_at(read, regs[2], true)); }

    void sys_settimeofday() {
        set(0, timeval_at(read, regs[0]));
        set(1, timezone_at(read, regs[1]));
    }

    /// The class of listener, then the other flags.
    void sys_fanotify_init() {
        constexpr std::uint64_t class_bits = 0xc;
        const std::uint64_t flags = regs[0] & 0xffffffff;
        const std::uint64_t rest = flags & ~class_bits;
        std::string text = constant(flags & class_bits, fanotify_class_table, "FAN_CLASS_");
        if (rest != 0) {
            text += "|" + flags_or_unknown(rest, fanotify_flag_table, "FAN_");
        }
        set(0, text);
        set(1, open_flags(regs[1] & 0xffffffff));
    }

    /// The two indices only for the types that take them.
    void sys_kcmp() {
        const std::uint64_t type = regs[2] & 0xffffffff;
        set(2, constant(type, kcmp_table, "KCMP_"));
        if (type == 0) { // KCMP_FILE: two descriptors
            set(3, std::to_string(regs[3]));
            set(4, std::to_string(regs[4]));
        } else if (type == 7) { // KCMP_EPOLL_TFD: a descriptor, a struct kcmp_epoll_slot
            set(3, std::to_string(regs[3]));
            set(4, pointer(regs[4]));
        } else if (type <= 6) {
            keep(3);
        } else { // an unknown type: both in hex
            set(3, hex(regs[3]));
            set(4, hex(regs[4]));
        }
    }

    void sys_rseq() {
        set(0, hex(regs[0])); // strace prints this address in hex, 0 included
    }

    /// The flags, then a huge page size's log2, 6 bits.
    void sys_memfd_create() {
        constexpr std::array<FlagName, 3> mfd{
            {{1, "MFD_CLOEXEC"}, {2, "MFD_ALLOW_SEALING"}, {4, "MFD_HUGETLB"}}};
        const std::uint64_t flags = regs[1] & 0xffffffff;
        const std::uint64_t huge = flags >> 26U;
        const std::uint64_t rest = flags & ((std::uint64_t{1} << 26U) - 1);
        std::string text = rest != 0 || huge == 0 ? flags_or_unknown(rest, mfd, "MFD_") : "";
        if (huge != 0) {
            text += (text.empty() ? "" : "|") + std::to_string(huge) + "<<MFD_HUGE_SHIFT";
        }
        set(1, text);
    }

    void sys_unshare() { set(0, flags_or_unknown(regs[0], unshare_table, "CLONE_")); }

    /// One namespace type, or 0 for any.
    void sys_setns() {
        const std::uint64_t type = regs[1] & 0xffffffff;
        set(1, type == 0 ? std::string("0") : constant(type, namespace_table, "CLONE_NEW"));
    }

    void sys_shutdown() {
        constexpr std::array<FlagName, 3> how{{{0, "SHUT_RD"}, {1, "SHUT_WR"}, {2, "SHUT_RDWR"}}};
        set(1, constant(regs[1] & 0xffffffff, how, "SHUT_"));
    }

    void sys_timer_create() {
        set(0, clock_text(regs[0]));
        set(1, sigevent_at(read, regs[1]));
        call.args[2].at_exit = true; // the timer id
    }

    void sys_timer_settime() {
        set(1, timer_flags_text(regs[1]));
        set(2, itimerspec_at(read, regs[2]));
        call.args[3].at_exit = true; // the old setting
    }

    void sys_timer_gettime() { call.args[1].at_exit = true; }

    void sys_getrusage() {
        constexpr std::array<FlagName, 3> who{{
            {0, "RUSAGE_SELF"},
            {0xffffffff, "RUSAGE_CHILDREN"},
            {1, "RUSAGE_THREAD"},
        }};
        set(0, value_name(regs[0] & 0xffffffff, who, std::to_string(as_int(regs[0]))));
        call.args[1].at_exit = true;
    }

    void sys_times() { call.args[0].at_exit = true; }

    void sys_sysinfo() { call.args[0].at_exit = true; }

    void sys_statfs() { call.args[1].at_exit = true; }

    void sys_sched_setaffinity() { set(2, cpu_set_at(read, regs[2], regs[1] & 0xffffffff)); }

    void sys_sched_getaffinity() {
        call.args[2].at_exit = true; // the CPU set, as many bytes as the call returns
    }

    void sys_sched_setattr() {
        set(1, sched_setattr_entry(read, regs[1]));
        set(2, std::to_string(regs[2] & 0xffffffff));
        call.args[1].at_exit = true; // E2BIG: ` => {size=56}`, the size the kernel wants
    }

    void sys_sched_getattr() {
        call.args[1].at_exit = true;
        set(3, std::to_string(regs[3] & 0xffffffff));
    }

    void sys_sched_setscheduler() {
        const unsigned param = name == "sched_setparam" ? 1 : 2;
        if (param == 2) {
            set(1, sched_policy_text(regs[1] & 0xffffffff));
        }
        set(param, int_at(read, regs[param]));
    }

    void sys_sched_getparam() {
        call.args[1].at_exit = true; // the priority
    }

    void sys_sched_get_priority_max() { set(0, sched_policy_text(regs[0] & 0xffffffff)); }

    void sys_sched_rr_get_interval() { call.args[1].at_exit = true; }

    void sys_get_mempolicy() {
        call.args[0].at_exit = true; // the mode and the node mask are written by the kernel
        call.args[1].at_exit = true;
        if (regs[2] == 0) {
            // A mask of no word needs no read: `[]` (or NULL), shown after a failure too.
            set(1, nodemask_at(read, regs[1], 0, limit));
        }
        set(4, flags_or_unknown(regs[4], get_mempolicy_flag_table, "MPOL_"));
    }

    void sys_set_mempolicy() {
        set(0, mempolicy_mode_text(regs[0] & 0xffffffff));
        set(1, nodemask_at(read, regs[1], regs[2], limit));
    }

    void sys_mbind() {
        set(2, mempolicy_mode_text(regs[2] & 0xffffffff));
        set(3, nodemask_at(read, regs[3], regs[4], limit));
        set(5, flags_or_unknown(regs[5] & 0xffffffff, mbind_flag_table, "MPOL_"));
    }

    void sys_waitid() {
        set(0, constant(regs[0] & 0xffffffff, waitid_idtype_table, "P_"));
        set(3, flags_or_unknown(regs[3] & 0xffffffff, waitid_option_table, "W"));
        call.args[2].at_exit = regs[2] != 0; // the child's siginfo, written by the kernel
        call.args[4].at_exit = regs[4] != 0; // its resource usage
    }

    void sys_rt_sigqueueinfo() {
        const unsigned sent = name == "rt_sigqueueinfo" ? 2 : 3; // the siginfo sent
        set(sent, siginfo_at(read, regs[sent]));
    }

    void sys_seccomp() {
        // The flags are named for SECCOMP_SET_MODE_FILTER only (strace: hex for the others).
        const std::uint64_t op = regs[0] & 0xffffffff;
        set(0, constant(op, seccomp_op_table, "SECCOMP_SET_MODE_"));
        set(1, op == seccomp_set_mode_filter
                   ? flags_or_unknown(regs[1] & 0xffffffff, seccomp_filter_flag_table,
                                      "SECCOMP_FILTER_FLAG_")
                   : hex(regs[1] & 0xffffffff));
        if (op == seccomp_set_mode_filter) {
            set(2, sock_fprog_at(read, regs[2]));
        } else if (op == seccomp_get_action_avail) {
            set(2, written_at<std::uint32_t>(read, regs[2], [](std::uint32_t action) {
                    return constant(action, seccomp_ret_table, "SECCOMP_RET_");
                }));
        } else if (op == seccomp_get_notif_sizes) {
            call.args[2].at_exit = true; // the three sizes are written by the kernel
        }
    }

    void sys_landlock_create_ruleset() {
        constexpr std::array<FlagName, 1> version{{{1, "LANDLOCK_CREATE_RULESET_VERSION"}}};
        set(0, landlock_ruleset_at(read, regs[0], regs[1]));
        set(2, flags_or_unknown(regs[2] & 0xffffffff, version, "LANDLOCK_CREATE_RULESET_"));
    }

    void sys_landlock_add_rule() {
        constexpr std::array<FlagName, 1> types{
            {{landlock_rule_path_beneath, "LANDLOCK_RULE_PATH_BENEATH"}}};
        const std::uint64_t type = regs[1] & 0xffffffff;
        set(1, constant(type, types, "LANDLOCK_RULE_"));
        if (type == landlock_rule_path_beneath) {
            set(2, landlock_path_beneath_at(read, regs[2]));
        }
    }

    void sys_signalfd4() {
        set(1, sigset_at(read, regs[1], regs[2]));
        if (name == "signalfd4") {
            constexpr std::array<FlagName, 2> sfd{
                {{02000000, "SFD_CLOEXEC"}, {04000, "SFD_NONBLOCK"}}};
            set(3, flags_or_unknown(regs[3], sfd, "SFD_"));
        }
    }

    void sys_epoll_create1() {
        set(0, flag_names(regs[0], std::array<FlagName, 1>{{{02000000, "EPOLL_CLOEXEC"}}}));
    }
};

/// An argument the kernel wrote (`at_exit`), as exit_arg() hands it to the exit decoder of its
/// syscall when the call returned `ret`. Unless its row says otherwise, a decoder sees only
/// calls that succeeded with a non-null address: exit_arg() prints the others as they were at
/// entry (unwritten()).
struct Exiting {
    const PendingCall& call;
    const Arg& arg;
    std::int64_t ret;
    const ReadMemory& read;
    std::size_t limit;
    std::uint64_t addr; ///< the argument's register

    [[nodiscard]] bool failed() const { return is_error_return(ret); }
    /// What a call that wrote nothing there shows: the text known at entry, or the address.
    [[nodiscard]] std::string unwritten() const {
        return arg.text.empty() ? pointer(addr) : arg.text;
    }
    /// What the call returned, as a count (of bytes, entries, messages...).
    [[nodiscard]] std::uint64_t returned() const { return static_cast<std::uint64_t>(ret); }
    /// An out buffer (read, pread64, readlink...): `ret` bytes were written; `hex_all` prints
    /// every byte in hex (getrandom's).
    [[nodiscard]] std::string out_buffer(bool hex_all = false) const {
        return buffer_text(read, addr, returned(), limit, hex_all);
    }
    [[nodiscard]] int netlink() const { return call.netlink.value_or(netlink_unknown); }

    // Decoders that see every return (the row's `failures`).
    std::string sys_clone3() const {
        return failed() ? arg.text : arg.text + clone3_exit(read, addr);
    }
    std::string sys_nanosleep() const {
        if (ret == -EINTR && addr != 0) {
            return timespec_at(read, addr); // the time left
        }
        return failed() || addr == 0 ? unwritten() : pointer(addr); // nothing was written
    }
    std::string sys_sched_setattr() const {
        // E2BIG: the kernel wrote the size it wants into the struct.
        std::uint32_t size = 0;
        return ret == -E2BIG && read_struct(read, addr, size)
                   ? arg.text + " => {size=" + std::to_string(size) + "}"
                   : arg.text;
    }
    std::string sys_readv() const {
        if (failed()) {
            return iovec_text(read, addr, call.regs[2], 0, limit, true); // the bases' addresses
        }
        return addr == 0 ? unwritten() : iovec_text(read, addr, call.regs[2], returned(), limit);
    }
    std::string sys_sendmmsg() const { // a failure shows the messages all the same, no msg_len
        return mmsghdrs_at(read, addr, call.regs[2] & 0xffffffff, failed() ? 0 : returned(), false,
                           std::nullopt, limit, netlink());
    }
    std::string sys_recvmmsg() const { // the messages received, no more
        if (failed()) {
            return unwritten();
        }
        return mmsghdrs_at(read, addr, returned(), returned(), true, call.namelens, limit,
                           netlink());
    }
    std::string sys_recvmsg() const {
        if (!call.socklen) {
            return pointer(addr); // unreadable at entry
        }
        return failed()
                   ? "{msg_namelen=" + std::to_string(static_cast<std::int32_t>(*call.socklen)) +
                         "}"
                   : msghdr_at(read, addr, call.socklen, returned(), limit, netlink());
    }

    // Decoders of calls that succeeded, with a non-null address.
    std::string sys_clone() const { return "parent_tid=" + int_at(read, addr); }
    /// A value the kernel wrote and its length, when the length was read at entry: the value
    /// (argument `value_index`) as an address, or as getsockopt's option value (`sockopt`);
    /// the length (the next argument) `[16]`, or `[110 => 12]` when the kernel wrote another.
    std::string written_with_length(unsigned value_index, bool sockopt) const {
        if (!call.socklen) {
            return pointer(addr);
        }
        std::uint32_t len = 0;
        if (!read_struct(read, call.regs[value_index + 1], len)) {
            return arg.index == value_index ? pointer(addr) : arg.text;
        }
        if (arg.index == value_index) {
            return sockopt ? getsockopt_value(read, call.regs[1], call.regs[2], addr,
                                              static_cast<std::int32_t>(*call.socklen),
                                              static_cast<std::int32_t>(len), limit)
                           : sockaddr_at(read, addr, std::min(len, *call.socklen));
        }
        if (len == *call.socklen) {
            return arg.text; // `[16]`
        }
        const auto given = static_cast<std::int32_t>(*call.socklen); // `[110 => 12]`
        return "[" + std::to_string(given) + " => " +
               std::to_string(static_cast<std::int32_t>(len)) + "]";
    }
    /// accept's, accept4's, getsockname's and getpeername's address and its length.
    std::string sys_accept() const { return written_with_length(1, false); }
    std::string sys_getsockopt() const { return written_with_length(3, true); }
    std::string sys_getrandom() const { return out_buffer(true); }
    std::string sys_recvfrom() const { // the buffer, or the sender's address and its length
        if (arg.index >= 4) {
            return written_with_length(4, false);
        }
        if (call.netlink) {
            if (auto messages = netlink_at(read, addr, returned(), *call.netlink, limit)) {
                return std::move(*messages);
            }
        }
        return out_buffer();
    }
    std::string sys_timer_create() const { return int_at(read, addr); }
    std::string sys_timer_settime() const { return itimerspec_at(read, addr); }
    std::string sys_clock_gettime() const { return timespec_at(read, addr); }
    std::string sys_adjtimex() const { return timex_at(read, addr); }
    std::string sys_getrusage() const { return rusage_at(read, addr); }
    std::string sys_waitid() const { // the child's siginfo, then its resource usage
        return arg.index == 4 ? rusage_at(read, addr) : siginfo_at(read, addr);
    }
    std::string sys_rt_sigtimedwait() const { return siginfo_at(read, addr); }
    std::string sys_sysinfo() const { return sysinfo_at(read, addr); }
    std::string sys_uname() const { return utsname_at(read, addr); }
    std::string sys_times() const { return tms_at(read, addr); }
    std::string sys_rt_sigpending() const { // as many bytes of the set as asked for, 1 to 8
        return sigset_part_at(read, addr, call.regs[1]);
    }
    std::string sys_statfs() const { return statfs_at(read, addr); }
    std::string sys_sched_getaffinity() const { return cpu_set_at(read, addr, returned()); }
    std::string sys_ioctl() const { return ioctl_exit_text(call.regs[1], addr, read); }
    std::string sys_seccomp() const { return seccomp_notif_sizes_at(read, addr); }
    std::string sys_sched_getattr() const {
        return sched_getattr_exit(read, addr, call.regs[2] & 0xffffffff);
    }
    std::string sys_get_mempolicy() const {
        return arg.index == 0 ? mempolicy_mode_at(read, addr)
                              : nodemask_at(read, addr, call.regs[2], limit);
    }
    std::string sys_epoll_wait() const { return epoll_events_at(read, addr, returned(), limit); }
    std::string sys_getcwd() const { return path_text(read, addr); }
    std::string sys_rt_sigprocmask() const { return sigset_at(read, addr, call.regs[3]); }
    std::string sys_rt_sigaction() const { return sigaction_at(read, addr); }
    std::string sys_sigaltstack() const { return stack_at(read, addr); }
    std::string sys_getgroups() const { return gids_at(read, addr, returned(), limit); }
    std::string sys_getresuid() const {
        return written_at<std::uint32_t>(read, addr, id_text); // `[0]`
    }
    std::string sys_mincore() const { // each page's residency bit: `[1, 0, 0]`, at most `limit`
        const std::uint64_t pages = call.regs[1] / 4096 + (call.regs[1] % 4096 != 0 ? 1 : 0);
        std::vector<std::uint8_t> vec(
            static_cast<std::size_t>(std::min<std::uint64_t>(pages, limit)));
        if (!vec.empty() && !read(addr, std::as_writable_bytes(std::span(vec)))) {
            return hex(addr);
        }
        std::vector<std::string> items;
        for (const std::uint8_t page : vec) {
            items.push_back(std::to_string(page & 1U));
        }
        return array_text(items, pages > vec.size());
    }
    std::string sys_getcpu() const {
        return written_at<std::uint32_t>(read, addr,
                                         [](std::uint32_t v) { return std::to_string(v); });
    }
    std::string sys_arch_prctl() const { return written_at<std::uint64_t>(read, addr, pointer); }
    std::string sys_get_robust_list() const { // the list's head, then its size
        if (arg.index == 1) {
            return written_at<std::uint64_t>(read, addr, pointer);
        }
        return written_at<std::uint64_t>(read, addr,
                                         [](std::uint64_t v) { return std::to_string(v); });
    }
    std::string sys_prctl() const { return prctl_exit_text(call.regs[0], addr, read); }
    std::string sys_ptrace() const {
        return ptrace_exit_text(call.regs, ret, read, call.regset_len, limit);
    }
    std::string sys_capget() const { return cap_data_at(read, call.regs[0], addr); }
    std::string sys_prlimit64() const { return rlimit_at(read, addr); }
    std::string sys_statx() const { return statx_at(read, addr); }
    std::string sys_getdents64() const { return dirents_at(read, addr, returned()); }
    std::string sys_stat() const { return stat_at(read, addr); }
    std::string sys_setitimer() const { return itimerval_at(read, addr); }
    std::string sys_wait4() const {
        if (ret == 0) {
            return hex(addr); // WNOHANG and nothing to report: the status was not written
        }
        std::uint32_t status = 0;
        if (!read(addr, std::as_writable_bytes(std::span(&status, 1)))) {
            return hex(addr);
        }
        return wait_status_text(status);
    }
    std::string sys_pipe() const { // pipe's, pipe2's and socketpair's two descriptors
        std::array<std::int32_t, 2> fds{};
        if (!read(addr, std::as_writable_bytes(std::span(fds)))) {
            return hex(addr);
        }
        return "[" + std::to_string(fds[0]) + ", " + std::to_string(fds[1]) + "]";
    }
};

/// A syscall's decoders: at its entry (nullptr: each argument's generic text), and of the arguments
/// the kernel writes (nullptr: an out buffer of `ret` bytes). The exit decoder sees calls that
/// failed or were given a null address only when `failures` is set; exit_arg() prints those
/// arguments as at entry otherwise.
struct SyscallDecoder {
    std::string_view name;
    void (Entering::*entry)() = nullptr;
    std::string (Exiting::*exit)() const = nullptr;
    bool failures = false;
};

/// The decoders, one row per syscall that has one: {name, entry, exit, failures}. A row's
/// name must be a syscall of ptrace_api's table, once (a unit case checks).
inline constexpr auto syscall_decoders = std::to_array<SyscallDecoder>({
    {"open", &Entering::sys_open},
    {"openat", &Entering::sys_openat},
    {"mmap", &Entering::sys_mmap},
    {"mprotect", &Entering::sys_mprotect},
    {"pkey_mprotect", &Entering::sys_mprotect},
    {"access", &Entering::sys_access},
    {"faccessat", &Entering::sys_faccessat},
    {"faccessat2", &Entering::sys_faccessat},
    {"stat", &Entering::sys_stat, &Exiting::sys_stat},
    {"fstat", &Entering::sys_stat, &Exiting::sys_stat},
    {"lstat", &Entering::sys_stat, &Exiting::sys_stat},
    {"newfstatat", &Entering::sys_newfstatat, &Exiting::sys_stat},
    {"utimensat", &Entering::sys_utimensat},
    {"fchownat", &Entering::sys_fchownat},
    {"linkat", &Entering::sys_fchownat},
    {"unlinkat", &Entering::sys_unlinkat},
    {"statx", &Entering::sys_statx, &Exiting::sys_statx},
    {"execveat", &Entering::sys_execveat},
    {"execve", &Entering::sys_execve},
    {"lseek", &Entering::sys_lseek},
    {"rt_sigprocmask", &Entering::sys_rt_sigprocmask, &Exiting::sys_rt_sigprocmask},
    {"rt_sigtimedwait", &Entering::sys_rt_sigtimedwait, &Exiting::sys_rt_sigtimedwait},
    {"rt_sigaction", &Entering::sys_rt_sigaction, &Exiting::sys_rt_sigaction},
    {"sigaltstack", &Entering::sys_sigaltstack, &Exiting::sys_sigaltstack},
    {"getgroups", &Entering::sys_getgroups, &Exiting::sys_getgroups},
    {"setgroups", &Entering::sys_setgroups},
    {"socket", &Entering::sys_socket},
    {"socketpair", &Entering::sys_socket, &Exiting::sys_pipe},
    {"connect", &Entering::sys_connect},
    {"bind", &Entering::sys_connect},
    {"sendto", &Entering::sys_sendto},
    {"recvfrom", &Entering::sys_recvfrom, &Exiting::sys_recvfrom},
    {"sendmsg", &Entering::sys_sendmsg},
    {"sendmmsg", &Entering::sys_sendmmsg, &Exiting::sys_sendmmsg, true},
    {"recvmmsg", &Entering::sys_recvmmsg, &Exiting::sys_recvmmsg, true},
    {"recvmsg", &Entering::sys_recvmsg, &Exiting::sys_recvmsg, true},
    {"accept", &Entering::sys_accept, &Exiting::sys_accept},
    {"accept4", &Entering::sys_accept, &Exiting::sys_accept},
    {"getsockname", &Entering::sys_accept, &Exiting::sys_accept},
    {"getpeername", &Entering::sys_accept, &Exiting::sys_accept},
    {"setsockopt", &Entering::sys_setsockopt},
    {"getsockopt", &Entering::sys_setsockopt, &Exiting::sys_getsockopt},
    {"poll", &Entering::sys_poll},
    {"ppoll", &Entering::sys_poll},
    {"select", &Entering::sys_select},
    {"pselect6", &Entering::sys_select},
    {"epoll_ctl", &Entering::sys_epoll_ctl},
    {"epoll_wait", &Entering::sys_epoll_wait, &Exiting::sys_epoll_wait},
    {"epoll_pwait", &Entering::sys_epoll_wait, &Exiting::sys_epoll_wait},
    {"epoll_pwait2", &Entering::sys_epoll_wait, &Exiting::sys_epoll_wait},
    {"getdents64", &Entering::sys_getdents64, &Exiting::sys_getdents64},
    {"getcwd", nullptr, &Exiting::sys_getcwd},
    {"prlimit64", &Entering::sys_prlimit64, &Exiting::sys_prlimit64},
    {"getrlimit", &Entering::sys_getrlimit, &Exiting::sys_prlimit64},
    {"setrlimit", &Entering::sys_getrlimit},
    {"madvise", &Entering::sys_madvise},
    {"fadvise64", &Entering::sys_fadvise64},
    {"writev", &Entering::sys_writev},
    {"pwritev", &Entering::sys_pwritev},
    {"pwritev2", &Entering::sys_pwritev},
    {"vmsplice", &Entering::sys_writev},
    {"process_madvise", &Entering::sys_process_madvise},
    {"mincore", &Entering::sys_mincore, &Exiting::sys_mincore},
    {"readv", &Entering::sys_readv, &Exiting::sys_readv, true},
    {"preadv", &Entering::sys_preadv, &Exiting::sys_readv, true},
    {"preadv2", &Entering::sys_preadv, &Exiting::sys_readv, true},
    {"getpriority", &Entering::sys_getpriority},
    {"setpriority", &Entering::sys_getpriority},
    {"ioprio_get", &Entering::sys_ioprio_get},
    {"ioprio_set", &Entering::sys_ioprio_get},
    {"prctl", &Entering::sys_prctl, &Exiting::sys_prctl},
    {"ptrace", &Entering::sys_ptrace, &Exiting::sys_ptrace},
    {"capget", &Entering::sys_capget, &Exiting::sys_capget},
    {"capset", &Entering::sys_capget},
    {"getresuid", &Entering::sys_getresuid, &Exiting::sys_getresuid},
    {"getresgid", &Entering::sys_getresuid, &Exiting::sys_getresuid},
    {"arch_prctl", &Entering::sys_arch_prctl, &Exiting::sys_arch_prctl},
    {"getcpu", &Entering::sys_getcpu, &Exiting::sys_getcpu},
    {"get_robust_list", &Entering::sys_get_robust_list, &Exiting::sys_get_robust_list},
    {"io_setup", &Entering::sys_io_setup, &Exiting::sys_arch_prctl},
    {"openat2", &Entering::sys_openat2},
    {"ioctl", &Entering::sys_ioctl, &Exiting::sys_ioctl},
    {"mremap", &Entering::sys_mremap},
    {"dup3", &Entering::sys_dup3},
    {"pipe", &Entering::sys_pipe, &Exiting::sys_pipe},
    {"pipe2", &Entering::sys_pipe2, &Exiting::sys_pipe},
    {"getrandom", &Entering::sys_getrandom, &Exiting::sys_getrandom},
    {"wait4", &Entering::sys_wait4, &Exiting::sys_wait4},
    {"fcntl", &Entering::sys_fcntl},
    {"futex", &Entering::sys_futex},
    {"rt_sigreturn", &Entering::sys_rt_sigreturn},
    {"setitimer", &Entering::sys_setitimer, &Exiting::sys_setitimer},
    {"getitimer", &Entering::sys_setitimer, &Exiting::sys_setitimer},
    {"clone", &Entering::sys_clone, &Exiting::sys_clone},
    {"clone3", &Entering::sys_clone3, &Exiting::sys_clone3, true},
    {"rt_sigsuspend", &Entering::sys_rt_sigsuspend},
    {"nanosleep", &Entering::sys_nanosleep, &Exiting::sys_nanosleep, true},
    {"clock_nanosleep", &Entering::sys_clock_nanosleep, &Exiting::sys_nanosleep, true},
    {"clock_gettime", &Entering::sys_clock_gettime, &Exiting::sys_clock_gettime},
    {"clock_getres", &Entering::sys_clock_gettime, &Exiting::sys_clock_gettime},
    {"clock_settime", &Entering::sys_clock_settime},
    {"clock_adjtime", &Entering::sys_clock_adjtime, &Exiting::sys_adjtimex},
    {"adjtimex", &Entering::sys_adjtimex, &Exiting::sys_adjtimex},
    {"timerfd_create", &Entering::sys_timerfd_create},
    {"timerfd_settime", &Entering::sys_timerfd_settime, &Exiting::sys_timer_settime},
    {"timerfd_gettime", &Entering::sys_timerfd_gettime, &Exiting::sys_timer_settime},
    {"personality", &Entering::sys_personality},
    {"eventfd2", &Entering::flag_word},
    {"syslog", &Entering::sys_syslog},
    {"membarrier", &Entering::sys_membarrier},
    {"utimes", &Entering::sys_utimes},
    {"futimesat", &Entering::sys_futimesat},
    {"settimeofday", &Entering::sys_settimeofday},
    {"fanotify_init", &Entering::sys_fanotify_init},
    {"kcmp", &Entering::sys_kcmp},
    {"rseq", &Entering::sys_rseq},
    {"memfd_create", &Entering::sys_memfd_create},
    {"unshare", &Entering::sys_unshare},
    {"setns", &Entering::sys_setns},
    {"pkey_alloc", &Entering::flag_word},
    {"shutdown", &Entering::sys_shutdown},
    {"timer_create", &Entering::sys_timer_create, &Exiting::sys_timer_create},
    {"timer_settime", &Entering::sys_timer_settime, &Exiting::sys_timer_settime},
    {"timer_gettime", &Entering::sys_timer_gettime, &Exiting::sys_timer_settime},
    {"getrusage", &Entering::sys_getrusage, &Exiting::sys_getrusage},
    {"times", &Entering::sys_times, &Exiting::sys_times},
    {"rt_sigpending", &Entering::sys_times, &Exiting::sys_rt_sigpending},
    {"sysinfo", &Entering::sys_sysinfo, &Exiting::sys_sysinfo},
    {"uname", &Entering::sys_sysinfo, &Exiting::sys_uname},
    {"statfs", &Entering::sys_statfs, &Exiting::sys_statfs},
    {"fstatfs", &Entering::sys_statfs, &Exiting::sys_statfs},
    {"sched_setaffinity", &Entering::sys_sched_setaffinity},
    {"sched_getaffinity", &Entering::sys_sched_getaffinity, &Exiting::sys_sched_getaffinity},
    {"sched_setattr", &Entering::sys_sched_setattr, &Exiting::sys_sched_setattr, true},
    {"sched_getattr", &Entering::sys_sched_getattr, &Exiting::sys_sched_getattr},
    {"sched_setscheduler", &Entering::sys_sched_setscheduler},
    {"sched_setparam", &Entering::sys_sched_setscheduler},
    {"sched_getparam", &Entering::sys_sched_getparam, &Exiting::sys_timer_create},
    {"sched_get_priority_max", &Entering::sys_sched_get_priority_max},
    {"sched_get_priority_min", &Entering::sys_sched_get_priority_max},
    {"sched_rr_get_interval", &Entering::sys_sched_rr_get_interval, &Exiting::sys_clock_gettime},
    {"get_mempolicy", &Entering::sys_get_mempolicy, &Exiting::sys_get_mempolicy},
    {"set_mempolicy", &Entering::sys_set_mempolicy},
    {"mbind", &Entering::sys_mbind},
    {"waitid", &Entering::sys_waitid, &Exiting::sys_waitid},
    {"rt_sigqueueinfo", &Entering::sys_rt_sigqueueinfo},
    {"rt_tgsigqueueinfo", &Entering::sys_rt_sigqueueinfo},
    {"pidfd_open", &Entering::flag_word},
    {"seccomp", &Entering::sys_seccomp, &Exiting::sys_seccomp},
    {"landlock_create_ruleset", &Entering::sys_landlock_create_ruleset},
    {"landlock_add_rule", &Entering::sys_landlock_add_rule},
    {"signalfd4", &Entering::sys_signalfd4},
    {"signalfd", &Entering::sys_signalfd4},
    {"epoll_create1", &Entering::sys_epoll_create1},
    {"flock", &Entering::flag_word},
    {"inotify_init1", &Entering::flag_word},
    {"inotify_add_watch", &Entering::flag_word},
    {"mlockall", &Entering::flag_word},
    {"msync", &Entering::flag_word},
    {"close_range", &Entering::flag_word},
    {"fallocate", &Entering::flag_word},
    {"sync_file_range", &Entering::flag_word},
});

/// The decoder row of syscall `nr`, or nullptr; the rows are indexed by number at the first
/// call.
inline const SyscallDecoder* syscall_decoder(long nr) {
    constexpr auto size = static_cast<std::size_t>(ptrace_api::max_syscall_number) + 1;
    static const std::array<const SyscallDecoder*, size> by_number = [] {
        std::array<const SyscallDecoder*, size> index{};
        for (const SyscallDecoder& row : syscall_decoders) {
            if (const auto number = ptrace_api::syscall_number(row.name)) {
                index[static_cast<std::size_t>(*number)] = &row;
            }
        }
        return index;
    }();
    return nr >= 0 && nr < static_cast<long>(size) ? by_number[static_cast<std::size_t>(nr)]
                                                   : nullptr;
}

} // namespace strace_example::detail
