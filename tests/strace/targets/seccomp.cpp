// SPDX-License-Identifier: MIT
// seccomp(2) and PR_SET_SECCOMP, each as strace decodes them: filters installed with and
// without flags (the program's length and address), unknown flags and operations, the action
// queries (by name, unknown), the notification sizes the kernel writes, and the failures that
// leave addresses. Every filter installed allows everything; the listener fd a
// SECCOMP_FILTER_FLAG_NEW_LISTENER filter returns is never used.
#include <cstdint>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

long seccomp(unsigned op, unsigned flags, const void* args) {
    return ::syscall(SYS_seccomp, op, flags, args);
}

/// An address that is never mapped (the first page).
const void* const unmapped = reinterpret_cast<const void*>(std::uintptr_t{8});

} // namespace

int main() {
    sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    const sock_fprog program{1, allow};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        return 1;
    }
    seccomp(SECCOMP_SET_MODE_FILTER, 0, &program);
    seccomp(SECCOMP_SET_MODE_FILTER,
            SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW,
            &program);
    seccomp(SECCOMP_SET_MODE_FILTER,
            SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH, &program);
    seccomp(SECCOMP_SET_MODE_FILTER, 0x100, &program); // EINVAL: an unknown flag
    seccomp(SECCOMP_SET_MODE_FILTER, 0, unmapped);     // EFAULT
    seccomp(SECCOMP_SET_MODE_FILTER, 0, nullptr);      // EFAULT
    std::uint32_t action = SECCOMP_RET_KILL_PROCESS;
    seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action);
    action = SECCOMP_RET_LOG;
    seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action);
    action = 0x12345678;
    seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action); // EOPNOTSUPP
    seccomp(SECCOMP_GET_ACTION_AVAIL, 0, unmapped);
    seccomp_notif_sizes sizes{};
    seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes);
    seccomp(SECCOMP_GET_NOTIF_SIZES, 0, unmapped);
    seccomp(9, 0, &program);                      // EINVAL: an unknown operation
    seccomp(SECCOMP_SET_MODE_STRICT, 1, nullptr); // EINVAL: flags in hex
    ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0);
    ::prctl(PR_SET_SECCOMP, 7, 0, 0, 0); // EINVAL
    ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
    return 0;
}
