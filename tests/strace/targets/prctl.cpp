// SPDX-License-Identifier: MIT
// prctl's options, each decoded its own way by strace: options without arguments, with one
// number, a capability, a signal, a name, a value the kernel writes back, and results shown by
// name. Every call is harmless to the process (it reads its own settings, or sets them to what
// they already were), except PR_SET_NO_NEW_PRIVS, last. Options this kernel refuses fail with
// EINVAL, which strace prints all the same. Also getresuid and getresgid, which write three ids.
#include <csignal>
#include <cstdint>

#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace {

long call(int option, unsigned long a = 0, unsigned long b = 0, unsigned long c = 0,
          unsigned long d = 0) {
    return ::prctl(option, a, b, c, d);
}

unsigned long address(const void* p) {
    return reinterpret_cast<std::uintptr_t>(p);
}

} // namespace

int main() {
    // No argument; results by name (dumpable) or in hex with flag names (securebits).
    call(PR_GET_DUMPABLE);
    call(PR_GET_SECUREBITS);
    call(PR_GET_KEEPCAPS);
    call(PR_GET_SECCOMP);
    call(PR_GET_TIMERSLACK);
    // One number or name.
    call(PR_SET_DUMPABLE, 1);
    call(PR_SET_DUMPABLE, 5); // EINVAL: not a SUID_DUMP_ value
    call(PR_SET_KEEPCAPS, 0);
    call(PR_SET_CHILD_SUBREAPER, 0);
    call(PR_SET_TIMERSLACK, 50000);
    call(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS);
    call(PR_GET_SECUREBITS);
    call(PR_SET_SECUREBITS, 0);
    call(PR_SET_TSC, PR_TSC_ENABLE);
    call(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_DEFAULT);
    call(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF);
    call(PR_SET_MM, 99); // EINVAL: not a PR_SET_MM_ field
    call(PR_GET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS);
    call(PR_GET_SPECULATION_CTRL, 99);
    call(PR_SET_SPECULATION_CTRL, 99, PR_SPEC_ENABLE);
    // Capabilities: known, past the last one this kernel has, and unknown to strace.
    call(PR_CAPBSET_READ, CAP_CHOWN);
    call(PR_CAPBSET_READ, CAP_CHECKPOINT_RESTORE);
    call(PR_CAPBSET_READ, 63);
    call(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW);
    call(PR_CAP_AMBIENT, 9, 1, 2, 3); // not a PR_CAP_AMBIENT_ operation
    // Signals.
    int sig = -1;
    call(PR_GET_PDEATHSIG, address(&sig));
    call(PR_SET_PDEATHSIG, SIGTERM);
    call(PR_GET_PDEATHSIG, address(&sig));
    call(PR_SET_PDEATHSIG, 0);
    call(PR_GET_PDEATHSIG, 1); // EFAULT: the address is shown
    // Names: the kernel keeps 15 characters and a NUL.
    char name[16] = {};
    call(PR_GET_NAME, address(name));
    call(PR_SET_NAME, address("prctl-probe"));
    call(PR_SET_NAME, address("a-name-longer-than-fifteen"));
    call(PR_SET_NAME, address("fifteen-chars-x")); // strace prints "..." after 15 all the same
    call(PR_GET_NAME, address(name));
    // Values written back.
    int value = -1;
    call(PR_GET_CHILD_SUBREAPER, address(&value));
    call(PR_GET_TSC, address(&value));
    call(PR_GET_ENDIAN, address(&value)); // EINVAL on x86: the address is shown
    // The others print their four arguments in hex, known option or not.
    call(PR_GET_NO_NEW_PRIVS);
    call(PR_GET_THP_DISABLE);
    call(PR_MCE_KILL_GET);
    call(0x1234, 1, 2, 3, 4);
    call(PR_SET_PTRACER, 0);
    call(PR_SET_PTRACER, static_cast<unsigned long>(PR_SET_PTRACER_ANY));
    // Anonymous mappings' names (EINVAL where the kernel lacks CONFIG_ANON_VMA_NAME).
    const long page = ::sysconf(_SC_PAGESIZE);
    void* map = ::mmap(nullptr, static_cast<std::size_t>(page), PROT_READ,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    call(PR_SET_VMA, PR_SET_VMA_ANON_NAME, address(map), static_cast<unsigned long>(page),
         address("probe"));
    ::munmap(map, static_cast<std::size_t>(page));
    // Ids written back.
    uid_t r = 0;
    uid_t e = 0;
    uid_t s = 0;
    ::getresuid(&r, &e, &s);
    gid_t rg = 0;
    gid_t eg = 0;
    gid_t sg = 0;
    ::getresgid(&rg, &eg, &sg);
    call(PR_SET_NO_NEW_PRIVS, 1);
    return 0;
}
