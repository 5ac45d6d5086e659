// SPDX-License-Identifier: MIT
// SignalInfo (decision 27): the accessors read the x86_64 Linux siginfo_t at its offsets, checked
// against glibc's own siginfo_t filled field by field.
#include <ptrace/signal_info.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>

#include <signal.h>
#include <unistd.h>

using ptrace_api::SignalInfo;

namespace {

SignalInfo from(const siginfo_t& si) {
    static_assert(sizeof si == sizeof(SignalInfo));
    SignalInfo info;
    std::memcpy(info.bytes.data(), &si, sizeof si);
    return info;
}

} // namespace

TEST_CASE("Decision 27: SignalInfo reads a fault's signo, errno, code and address") {
    siginfo_t si{};
    si.si_signo = SIGSEGV;
    si.si_errno = 5;
    si.si_code = SEGV_ACCERR;
    si.si_addr = reinterpret_cast<void*>(std::uintptr_t{0x7fff'1234'5678});
    const SignalInfo info = from(si);
    CHECK(info.signo() == SIGSEGV);
    CHECK(info.errno_value() == 5);
    CHECK(info.code() == SEGV_ACCERR);
    CHECK(info.fault_address() == 0x7fff'1234'5678);
    CHECK_FALSE(info.from_user());
}

TEST_CASE("Decision 27: SignalInfo reads the sender of a signal a process sent") {
    siginfo_t si{};
    si.si_signo = SIGUSR1;
    si.si_code = SI_QUEUE;
    si.si_pid = 4242;
    si.si_uid = 1000;
    const SignalInfo info = from(si);
    CHECK(info.signo() == SIGUSR1);
    CHECK(info.sender_pid() == 4242);
    CHECK(info.sender_uid() == 1000);
    CHECK(info.from_user());
}

TEST_CASE("Decision 27: from_user() is Linux's SI_FROMUSER, si_code <= 0") {
    struct Case {
        int code;
        bool sent;
    };
    for (const Case c :
         {Case{SI_USER, true}, Case{SI_QUEUE, true}, Case{SI_TKILL, true}, Case{SI_TIMER, true},
          Case{SI_KERNEL, false}, Case{SEGV_MAPERR, false}, Case{CLD_EXITED, false}}) {
        CAPTURE(c.code);
        siginfo_t si{};
        si.si_code = c.code;
        CHECK(from(si).from_user() == c.sent);
    }
}

TEST_CASE("Decision 27: a SignalInfo is its 128 bytes: equal bytes, equal values") {
    SignalInfo a;
    SignalInfo b;
    CHECK(a == b);
    b.bytes[127] = std::byte{1};
    CHECK_FALSE(a == b);
    CHECK(a.signo() == 0);
    CHECK(a.fault_address() == 0);
}
