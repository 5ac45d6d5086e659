// SPDX-License-Identifier: MIT
// Spec rules J (registers) and K (memory) without a tracee: the register handles' read and
// write (kernel-shim io.hpp) and the mem handle's read, write and lseek (memory_io.hpp) run
// through shim::Requests on a scripted backend (tests/support/fake_backend.hpp), as the tracer
// thread runs them: synthetic registers, address spaces and wait statuses in, the ptrace
// requests, memory transfers and results out. Table-driven where a rule has cases.
#include <ptrace/regs.hpp>
#include <ptrace/shim/io.hpp>
#include <ptrace/shim/memory_io.hpp>
#include <ptrace/shim/requests.hpp>
#include <ptrace/shim/rules.hpp>
#include <ptrace/signal_info.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_backend.hpp"
#include "queued_signal.hpp"

namespace {

using ptrace_api::EnvRegisters;
using ptrace_api::FloatRegisters;
using ptrace_api::IntRegisters;
using ptrace_api::PtraceFlags;
using ptrace_api::Result;
using test_support::FakeBackend;
using test_support::FakeSpace;
using test_support::PtraceCall;
using test_support::text;
namespace shim = ptrace_api::shim;
namespace detail = ptrace_api::shim::detail;
using F = PtraceFlags;

constexpr pid_t tid = 5151;
constexpr int interrupt = SIGTRAP | (PTRACE_EVENT_STOP << 8);
constexpr int syscall_stop = SIGTRAP | 0x80;
constexpr int exec_stop = SIGTRAP | (PTRACE_EVENT_EXEC << 8);

PtraceCall act(long request, long data = 0) {
    return {request, tid, static_cast<std::uintptr_t>(data)};
}

/// The register requests and the acts on the task (resumes, stops, attach, detach), in
/// order, leaving out the questions (siginfo, syscall info); then forgets all calls.
std::vector<PtraceCall> take(FakeBackend& be) {
    return be.take({PTRACE_CONT, PTRACE_SYSCALL, PTRACE_SINGLESTEP, PTRACE_LISTEN, PTRACE_DETACH},
                   {PTRACE_INTERRUPT, PTRACE_SEIZE, PTRACE_GETREGS, PTRACE_SETREGS,
                    PTRACE_GETFPREGS, PTRACE_SETFPREGS, PTRACE_PEEKDATA, PTRACE_POKEDATA});
}

/// Checks the calls `take` returns.
void expect(FakeBackend& be, const std::vector<PtraceCall>& want) {
    const auto got = take(be);
    CHECK_MESSAGE(got == want, "got " << text(got) << "want " << text(want));
}

/// The shim's state and logic with the tracer thread's `call` done in place: the request runs,
/// then the scripted stops are dispatched one by one until it completes (what the tracer
/// thread's waitid loop does). The register I/O takes this where it takes the Shim.
struct Core : shim::Requests {
    std::deque<int> stops; ///< wait statuses of `tid`, in the order the loop sees them

    explicit Core(FakeBackend& be) : shim::Requests(be, ::getpid(), false) {}

    template <class Fn>
    Result<std::uint64_t> call(Fn&& fn) {
        detail::Request req;
        if (!fn(req)) {
            while (!req.done && !stops.empty()) {
                const int status = stops.front();
                stops.pop_front();
                dispatch(tid, CLD_TRAPPED, status);
            }
        }
        // The script must complete every request: a pending one would leave a callback
        // holding this frame's Request.
        REQUIRE_MESSAGE(req.done, "the scripted stops ran out before the request completed");
        if (req.err != 0) {
            return ptrace_api::unexpected_errno(req.err);
        }
        return req.value;
    }
};

/// Linux registers with a distinct value in every field.
user_regs_struct sample_regs() {
    user_regs_struct r{};
    std::array<unsigned long long*, 27> fields{
        &r.r15,    &r.r14, &r.r13, &r.r12,     &r.rbp,     &r.rbx, &r.r11,      &r.r10, &r.r9,
        &r.r8,     &r.rax, &r.rcx, &r.rdx,     &r.rsi,     &r.rdi, &r.orig_rax, &r.rip, &r.cs,
        &r.eflags, &r.rsp, &r.ss,  &r.fs_base, &r.gs_base, &r.ds,  &r.es,       &r.fs,  &r.gs};
    for (std::size_t i = 0; i < fields.size(); ++i) {
        *fields[i] = 0x1000 + i;
    }
    return r;
}

/// The FXSAVE image with byte i = i % 251 (mxcsr_mask 0xffff).
user_fpregs_struct sample_fpregs() {
    user_fpregs_struct f{};
    auto* bytes = reinterpret_cast<unsigned char*>(&f);
    for (std::size_t i = 0; i < sizeof f; ++i) {
        bytes[i] = static_cast<unsigned char>(i % 251);
    }
    f.mxcsr = 0x1f80;
    f.mxcr_mask = 0xffff;
    return f;
}

/// A trace session on `tid` attached through the machine (as the shim's open does) and a
/// register handle on it.
struct Rig {
    FakeBackend be;
    Core core{be};
    std::shared_ptr<detail::Session> s = std::make_shared<detail::Session>();
    std::shared_ptr<detail::Handle> h = std::make_shared<detail::Handle>();

    /// `stopped`: opened with O_TRUNC, held at its first stop (A5); else running, resumed in
    /// the Linux mode of the breakpoint `bp` (B11).
    explicit Rig(bool stopped, PtraceFlags bp = PtraceFlags{}) {
        be.regs[tid] = sample_regs();
        be.fpregs[tid] = sample_fpregs();
        s->tid = tid;
        s->oflags = O_RDWR | (stopped ? O_TRUNC : 0);
        detail::Request attach;
        if (!core.attach(attach, s, stopped, false)) {
            core.dispatch(tid, CLD_TRAPPED, interrupt);
        }
        REQUIRE(attach.done);
        REQUIRE(attach.err == 0);
        if (!bp.is_empty()) {
            detail::Request req;
            CHECK(core.write_op(req, *s, 8, bp.bits()));
            core.dispatch(tid, CLD_TRAPPED, interrupt); // B11: resumed in the new mode
        }
        h->kind = detail::HandleKind::RegsInt;
        h->tid = tid;
        h->pidfd = core.find_tracee(tid)->pidfd;
        be.calls.clear();
    }

    detail::Tracee& tracee() { return *core.find_tracee(tid); }

    Result<IntRegisters> read_int() {
        IntRegisters out{};
        auto n = detail::read_int_regs(core, *h, std::as_writable_bytes(std::span(&out, 1)));
        if (!n) {
            return ptrace_api::unexpected_errno(n.error().value());
        }
        CHECK(*n == sizeof out);
        return out;
    }

    Result<std::size_t> write_int(const IntRegisters& in, std::size_t len = sizeof(IntRegisters)) {
        return detail::write_int_regs(core, *h, std::as_bytes(std::span(&in, 1)).first(len));
    }
};

/// Redox registers with a distinct value in every field (21 words, spec 1.3).
IntRegisters input_regs() {
    static_assert(sizeof(IntRegisters) == 21 * 8);
    std::array<std::uint64_t, 21> words{};
    for (std::size_t i = 0; i < words.size(); ++i) {
        words[i] = 0x7000 + i;
    }
    IntRegisters in{};
    std::memcpy(&in, words.data(), sizeof in);
    return in;
}

// ---- J1 ----

TEST_CASE("J1: an int read at a stop is one GETREGS, cached for the stop, the tracee stays") {
    Rig rig(true);
    rig.tracee().regs.reset(); // a stop at which the machine itself read no register
    const auto got = rig.read_int();
    REQUIRE(got);
    expect(rig.be, std::vector{act(PTRACE_GETREGS)});
    // The Redox layout (spec 1.3): r15..rdi as Linux orders them, then rip, cs, rflags, rsp,
    // ss, fs; orig_rax, fs_base, gs_base, ds, es and gs are not part of it.
    const user_regs_struct& r = rig.be.regs[tid];
    CHECK(got->r15 == r.r15);
    CHECK(got->rdi == r.rdi);
    CHECK(got->rax == r.rax); // an INTERRUPT stop: the user's rax (J3)
    CHECK(got->rip == r.rip);
    CHECK(got->cs == r.cs);
    CHECK(got->rflags == r.eflags);
    CHECK(got->rsp == r.rsp);
    CHECK(got->ss == r.ss);
    CHECK(got->fs == r.fs);
    REQUIRE(rig.read_int());
    expect(rig.be, {}); // spec 3.J: fetched once per stop
    CHECK(rig.tracee().run == detail::Run::Stopped);
    CHECK(rig.s->queue.empty());
}

TEST_CASE("J1: an int read returns min(len, 168) bytes") {
    struct Case {
        std::size_t len;
        std::size_t want;
    };
    for (const Case c : {Case{0, 0}, Case{8, 8}, Case{167, 167}, Case{168, 168}, Case{4096, 168}}) {
        CAPTURE(c.len);
        Rig rig(true);
        std::vector<std::byte> buf(c.len, std::byte{0x5a});
        const auto n = detail::read_int_regs(rig.core, *rig.h, std::span(buf));
        REQUIRE(n);
        CHECK(*n == c.want);
        if (c.len >= 8) {
            std::uint64_t r15 = 0;
            std::memcpy(&r15, buf.data(), sizeof r15);
            CHECK(r15 == rig.be.regs[tid].r15);
        }
        if (c.len > 168) {
            CHECK(buf[168] == std::byte{0x5a}); // nothing past the structure
        }
    }
}

TEST_CASE("J1: a read while the tracee runs: INTERRUPT, read at that stop, resume in its mode") {
    struct Case {
        const char* what;
        PtraceFlags bp;
        long resume;
    };
    for (const Case c :
         {Case{"no breakpoint: PTRACE_CONT", PtraceFlags{}, PTRACE_CONT},
          Case{"PRE: PTRACE_SYSCALL", F::STOP_PRE_SYSCALL, PTRACE_SYSCALL},
          Case{"SINGLESTEP: PTRACE_SINGLESTEP", F::STOP_SINGLESTEP, PTRACE_SINGLESTEP}}) {
        INFO(std::string(c.what));
        Rig rig(false, c.bp);
        rig.core.stops = {interrupt};
        REQUIRE(rig.read_int());
        const auto got = take(rig.be);
        const std::vector want{act(PTRACE_INTERRUPT), act(PTRACE_GETREGS), act(c.resume)};
        CHECK_MESSAGE(got == want, "got " << text(got) << "want " << text(want));
        CHECK(rig.s->queue.empty()); // the INTERRUPT stop is nobody's event
        CHECK(rig.tracee().run == detail::Run::Running);
    }
}

TEST_CASE("J1: a real stop that arrives before the INTERRUPT's is the stop: read there, held") {
    Rig rig(false, F::STOP_PRE_SYSCALL);
    user_regs_struct r = sample_regs();
    r.orig_rax = SYS_getpid;
    r.rax = static_cast<unsigned long long>(-ENOSYS);
    rig.be.regs[tid] = r;
    rig.core.stops = {syscall_stop};
    const auto got = rig.read_int();
    REQUIRE(got);
    CHECK(got->rax == SYS_getpid); // read at the PRE stop (J3)
    expect(rig.be, std::vector{act(PTRACE_INTERRUPT), act(PTRACE_GETREGS)}); // no resume
    REQUIRE(rig.s->queue.size() == 1);
    CHECK(shim::rules::cause_bits(rig.s->queue.front()) == F::STOP_PRE_SYSCALL.bits());
    CHECK(rig.tracee().run == detail::Run::Held); // reported: the breakpoint is reached (C4)
    rig.s->queue.clear();
    // The next write resumes it; the INTERRUPT's own stop then passes unreported, in the
    // breakpoint's mode.
    detail::Request req;
    CHECK(rig.core.write_op(req, *rig.s, 8, F::STOP_PRE_SYSCALL.bits()));
    expect(rig.be, std::vector{act(PTRACE_SYSCALL)});
    rig.core.dispatch(tid, CLD_TRAPPED, interrupt);
    expect(rig.be, std::vector{act(PTRACE_SYSCALL)});
    CHECK(rig.s->queue.empty());
}

TEST_CASE("J1/G1: a register access to a task that is gone is ESRCH, with no request") {
    Rig rig(false);
    rig.be.exited.insert(tid);
    const auto got = rig.read_int();
    REQUIRE_FALSE(got);
    CHECK(got.error() == std::errc::no_such_process);
    CHECK(rig.write_int(input_regs()).error() == std::errc::no_such_process);
    expect(rig.be, {});
}

TEST_CASE("J1/A8: registers of a task traced by nobody: SEIZE, INTERRUPT, GETREGS, DETACH") {
    FakeBackend be;
    Core core(be);
    be.regs[tid] = sample_regs();
    shim::sys::ProcStatus st{};
    st.state = 'S';
    st.tgid = tid;
    st.ppid = 1;
    be.status[tid] = st;
    be.stops_waiting[tid] = {interrupt};
    detail::Handle h;
    h.kind = detail::HandleKind::RegsInt;
    h.tid = tid;
    h.pidfd = detail::PidFd::adopt(be.pidfd_open(tid));
    IntRegisters out{};
    const auto n = detail::read_int_regs(core, h, std::as_writable_bytes(std::span(&out, 1)));
    REQUIRE(n);
    CHECK(out.rip == be.regs[tid].rip);
    expect(be, std::vector{act(PTRACE_SEIZE), act(PTRACE_INTERRUPT), act(PTRACE_GETREGS),
                           act(PTRACE_DETACH)});
    CHECK(core.find_tracee(tid) == nullptr);
}

// ---- J2 ----

TEST_CASE("J2: an int write shorter than 168 bytes returns 0 and makes no request") {
    for (const std::size_t len : {std::size_t{0}, std::size_t{8}, std::size_t{167}}) {
        CAPTURE(len);
        Rig rig(true);
        const auto n = rig.write_int(input_regs(), len);
        REQUIRE(n);
        CHECK(*n == 0);
        CHECK(rig.be.calls.empty());
    }
}

TEST_CASE("J2/decision 9: GETREGS, every Redox register merged over it, SETREGS") {
    Rig rig(true);
    rig.tracee().regs.reset(); // a stop at which the machine itself read no register
    const user_regs_struct before = rig.be.regs[tid];
    const IntRegisters in = input_regs();
    const auto n = rig.write_int(in);
    REQUIRE(n);
    CHECK(*n == 168);
    expect(rig.be, std::vector{act(PTRACE_GETREGS), act(PTRACE_SETREGS)});
    const user_regs_struct& r = rig.be.regs[tid];
    // Decision 9: not only K19's r15..rdi and rip, but cs, rflags, rsp, ss and fs too (Linux
    // refuses what it must itself).
    CHECK(r.r15 == in.r15);
    CHECK(r.rdi == in.rdi);
    CHECK(r.rax == in.rax);
    CHECK(r.rip == in.rip);
    CHECK(r.cs == in.cs);
    CHECK(r.eflags == in.rflags);
    CHECK(r.rsp == in.rsp);
    CHECK(r.ss == in.ss);
    CHECK(r.fs == in.fs);
    // What the Redox layout lacks stays as Linux had it.
    CHECK(r.orig_rax == before.orig_rax);
    CHECK(r.fs_base == before.fs_base);
    CHECK(r.gs_base == before.gs_base);
    CHECK(r.ds == before.ds);
    CHECK(r.es == before.es);
    CHECK(r.gs == before.gs);
    // Linux may have masked bits: the next read asks it again.
    const auto back = rig.read_int();
    REQUIRE(back);
    CHECK(*back == in);
    expect(rig.be, std::vector{act(PTRACE_GETREGS)});
    CHECK(rig.tracee().run == detail::Run::Stopped);
}

TEST_CASE("J2/decision 9: a value Linux refuses (SETREGS EIO) is EINVAL; other errors pass") {
    struct Case {
        int linux_errno;
        std::errc want;
    };
    for (const Case c :
         {Case{EIO, std::errc::invalid_argument}, Case{ESRCH, std::errc::no_such_process}}) {
        CAPTURE(c.linux_errno);
        Rig rig(true);
        rig.be.fail[PTRACE_SETREGS] = c.linux_errno;
        const auto n = rig.write_int(input_regs());
        REQUIRE_FALSE(n);
        CHECK(n.error() == c.want);
    }
}

TEST_CASE("J2: a write while the tracee runs: INTERRUPT, GETREGS, SETREGS, resume") {
    Rig rig(false);
    rig.core.stops = {interrupt};
    const auto n = rig.write_int(input_regs());
    REQUIRE(n);
    CHECK(*n == 168);
    const auto got = take(rig.be);
    const std::vector want{act(PTRACE_INTERRUPT), act(PTRACE_GETREGS), act(PTRACE_SETREGS),
                           act(PTRACE_CONT)};
    CHECK_MESSAGE(got == want, "got " << text(got) << "want " << text(want));
    CHECK(rig.be.regs[tid].rip == input_regs().rip);
}

// ---- J3 ----

TEST_CASE("J3/decision 7: rax is the syscall number at PRE, the result at POST, else rax") {
    const auto neg = [](long v) { return static_cast<unsigned long long>(v); };
    struct Case {
        const char* what;
        PtraceFlags bp;
        int syscall_stops; // dispatched after the B11 resume; the last one is reported
        unsigned long long orig_rax, rax;
        std::uint64_t read_rax;
        std::uint64_t written;
        unsigned long long want_orig_rax, want_rax;
        bool entry_written;
    };
    const std::vector<Case> cases{
        {"PRE: the number; a write changes the syscall (orig_rax and rax)", F::STOP_PRE_SYSCALL, 1,
         SYS_getpid, neg(-ENOSYS), SYS_getpid, SYS_getppid, SYS_getppid, SYS_getppid, true},
        {"POST: the result; a write changes only the result", F::STOP_POST_SYSCALL, 2, SYS_getpid,
         tid, tid, 7, SYS_getpid, 7, false},
        {"elsewhere (a stop in user code): the user's rax", F::STOP_SINGLESTEP, 0, neg(-1), 42, 42,
         43, neg(-1), 43, false},
    };
    for (const Case& c : cases) {
        INFO(std::string(c.what));
        Rig rig(false, c.bp);
        user_regs_struct r = sample_regs();
        r.orig_rax = c.orig_rax;
        r.rax = c.rax;
        rig.be.regs[tid] = r;
        if (c.syscall_stops == 0) {
            rig.be.trap_code[tid] = TRAP_TRACE;
            rig.core.dispatch(tid, CLD_TRAPPED, SIGTRAP); // the single-step's trap
        }
        for (int i = 0; i < c.syscall_stops; ++i) {
            rig.core.dispatch(tid, CLD_TRAPPED, syscall_stop);
        }
        REQUIRE(rig.s->queue.size() == 1);
        CHECK(shim::rules::cause_bits(rig.s->queue.front()) == c.bp.bits());
        rig.be.calls.clear();
        const auto got = rig.read_int();
        REQUIRE(got);
        CHECK(got->rax == c.read_rax);
        IntRegisters in = *got;
        in.rax = c.written;
        REQUIRE(rig.write_int(in));
        CHECK(rig.be.regs[tid].orig_rax == c.want_orig_rax);
        CHECK(rig.be.regs[tid].rax == c.want_rax);
        CHECK(rig.tracee().entry_regs_written == c.entry_written);
        // At most one GETREGS for the stop (the machine may have made it), then SETREGS.
        auto calls = take(rig.be);
        REQUIRE_FALSE(calls.empty());
        CHECK(calls.back() == act(PTRACE_SETREGS));
        calls.pop_back();
        CHECK(calls.size() <= 1);
        for (const PtraceCall& call : calls) {
            CHECK(call == act(PTRACE_GETREGS));
        }
    }
}

// ---- J4 ----

TEST_CASE("J4: a float read is the first 416 bytes of GETFPREGS, min(len, 416) of them") {
    for (const std::size_t len :
         {std::size_t{0}, std::size_t{10}, std::size_t{416}, std::size_t{512}}) {
        CAPTURE(len);
        Rig rig(true);
        std::vector<std::byte> buf(len, std::byte{0xee});
        const auto n = detail::read_float_regs(rig.core, *rig.h, std::span(buf));
        REQUIRE(n);
        CHECK(*n == std::min<std::size_t>(len, 416));
        CHECK((*n == 0 || std::memcmp(buf.data(), &rig.be.fpregs[tid], *n) == 0));
        if (len > 416) {
            CHECK(buf[416] == std::byte{0xee});
        }
        expect(rig.be, std::vector{act(PTRACE_GETFPREGS)});
    }
}

TEST_CASE("J4: a float write under 416 bytes returns 0 and makes no request") {
    Rig rig(true);
    const std::vector<std::byte> buf(415, std::byte{1});
    const auto n = detail::write_float_regs(rig.core, *rig.h, std::span(buf));
    REQUIRE(n);
    CHECK(*n == 0);
    CHECK(rig.be.calls.empty());
}

TEST_CASE("J4: a float write replaces the first 416 bytes, reserved mxcsr bits cleared") {
    struct Case {
        std::uint32_t mask; // what GETFPREGS reports as mxcsr_mask
        std::uint32_t written_mxcsr;
        std::uint32_t want_mxcsr;
        std::uint32_t want_mask;
    };
    for (const Case c : {Case{0xffff, 0xffffffff, 0xffff, 0xffff},
                         Case{0, 0xffffffff, 0xffbf, 0xffbf}, // 0: the default mask, no DAZ
                         Case{0xffff, 0x1f80, 0x1f80, 0xffff}}) {
        CAPTURE(c.mask);
        Rig rig(true);
        rig.be.fpregs[tid].mxcr_mask = c.mask;
        const user_fpregs_struct before = rig.be.fpregs[tid];
        FloatRegisters in{};
        std::memset(&in, 0x33, sizeof in);
        in.mxcsr = c.written_mxcsr;
        const auto n = detail::write_float_regs(rig.core, *rig.h, std::as_bytes(std::span(&in, 1)));
        REQUIRE(n);
        CHECK(*n == 416);
        expect(rig.be, std::vector{act(PTRACE_GETFPREGS), act(PTRACE_SETFPREGS)});
        const user_fpregs_struct& f = rig.be.fpregs[tid];
        CHECK(f.mxcsr == c.want_mxcsr);
        CHECK(f.mxcr_mask == c.want_mask);
        CHECK(f.cwd == 0x3333);
        CHECK(f.xmm_space[63] == 0x33333333U); // the last xmm word, bytes 412-415
        // Bytes 416-511 (not Redox's) stay as Linux had them.
        CHECK(std::memcmp(reinterpret_cast<const char*>(&f) + 416,
                          reinterpret_cast<const char*>(&before) + 416, 96) == 0);
    }
}

TEST_CASE("J4: float access while the tracee runs takes the INTERRUPT dance of J1") {
    Rig rig(false, F::STOP_PRE_SYSCALL);
    rig.core.stops = {interrupt, interrupt};
    FloatRegisters out{};
    REQUIRE(detail::read_float_regs(rig.core, *rig.h, std::as_writable_bytes(std::span(&out, 1))));
    // GETREGS: the machine's own look at its INTERRUPT stop (a syscall to restart, B11).
    expect(rig.be, std::vector{act(PTRACE_INTERRUPT), act(PTRACE_GETREGS), act(PTRACE_GETFPREGS),
                               act(PTRACE_SYSCALL)});
    CHECK(out.fcw == rig.be.fpregs[tid].cwd);
    REQUIRE(detail::write_float_regs(rig.core, *rig.h, std::as_bytes(std::span(&out, 1))));
    expect(rig.be, std::vector{act(PTRACE_INTERRUPT), act(PTRACE_GETREGS), act(PTRACE_GETFPREGS),
                               act(PTRACE_SETFPREGS), act(PTRACE_SYSCALL)});
}

TEST_CASE("J4: a failed GETFPREGS is the read's and the write's error, and nothing is set") {
    Rig rig(true);
    rig.be.fail[PTRACE_GETFPREGS] = ESRCH;
    FloatRegisters f{};
    CHECK(detail::read_float_regs(rig.core, *rig.h, std::as_writable_bytes(std::span(&f, 1)))
              .error() == std::errc::no_such_process);
    CHECK(detail::write_float_regs(rig.core, *rig.h, std::as_bytes(std::span(&f, 1))).error() ==
          std::errc::no_such_process);
    expect(rig.be, std::vector{act(PTRACE_GETFPREGS), act(PTRACE_GETFPREGS)});
}

TEST_CASE("regs/env: fs_base and gs_base read and merged like J1/J2") {
    Rig rig(true);
    rig.tracee().regs.reset(); // a stop at which the machine itself read no register
    EnvRegisters env{};
    REQUIRE(detail::read_env_regs(rig.core, *rig.h, std::as_writable_bytes(std::span(&env, 1))));
    CHECK(env.fsbase == rig.be.regs[tid].fs_base);
    CHECK(env.gsbase == rig.be.regs[tid].gs_base);
    const user_regs_struct before = rig.be.regs[tid];
    const EnvRegisters in{0x7f0000001000, 0x7f0000002000};
    REQUIRE(detail::write_env_regs(rig.core, *rig.h, std::as_bytes(std::span(&in, 1))));
    CHECK(rig.be.regs[tid].fs_base == in.fsbase);
    CHECK(rig.be.regs[tid].gs_base == in.gsbase);
    CHECK(rig.be.regs[tid].rip == before.rip);
    expect(rig.be, std::vector{act(PTRACE_GETREGS), act(PTRACE_SETREGS)});
}

// ---- decision 27: siginfo ----

/// How many `request`s the backend saw since its calls were last cleared.
std::size_t count_of(const FakeBackend& be, long request) {
    std::size_t n = 0;
    for (const PtraceCall& c : be.calls) {
        n += c.request == request ? 1 : 0;
    }
    return n;
}

/// Where a SignalRig's tracee is.
enum class At : std::uint8_t {
    Signal,  ///< held at a reached STOP_SIGNAL breakpoint for the SIGSEGV
    Running, ///< running under that breakpoint, the SIGSEGV not come yet
    Freeze,  ///< held at an O_TRUNC freeze (an INTERRUPT stop), no breakpoint
};

/// A Rig with a siginfo handle, whose signal, when it comes, is a SIGSEGV at 0xdead000
/// (SEGV_MAPERR).
struct SignalRig : Rig {
    explicit SignalRig(At at = At::Signal)
        : Rig(at == At::Freeze, at == At::Freeze ? PtraceFlags{} : F::STOP_SIGNAL) {
        h->kind = detail::HandleKind::Siginfo;
        siginfo_t si{};
        si.si_signo = SIGSEGV;
        si.si_code = SEGV_MAPERR;
        si.si_addr = reinterpret_cast<void*>(std::uintptr_t{0xdead000});
        be.siginfo[tid] = si;
        shim::sys::ProcStatus st{};
        st.state = 't';
        st.tgid = tid;
        st.ppid = 1;
        be.status[tid] = st; // no handler: SIG_DFL, no D5 probe
        if (at == At::Signal) {
            core.dispatch(tid, CLD_TRAPPED, SIGSEGV); // the signal-delivery-stop
            REQUIRE(s->queue.size() == 1);
            REQUIRE(tracee().run == detail::Run::Held);
        }
        be.calls.clear();
    }

    Result<std::size_t> read(std::span<std::byte> buf) {
        return detail::read_siginfo(core, *h, buf);
    }
};

TEST_CASE("Decision 27: siginfo at a held SIGNAL stop is one GETSIGINFO, min(len, 128) bytes") {
    for (const std::size_t len :
         {std::size_t{0}, std::size_t{12}, std::size_t{128}, std::size_t{4096}}) {
        CAPTURE(len);
        SignalRig rig;
        std::vector<std::byte> buf(len, std::byte{0x5a});
        const auto n = rig.read(buf);
        REQUIRE(n);
        CHECK(*n == std::min<std::size_t>(len, 128));
        CHECK(count_of(rig.be, PTRACE_GETSIGINFO) == 1);
        ptrace_api::SignalInfo info;
        if (len != 0) { // an empty vector's data() may be null
            std::memcpy(info.bytes.data(), buf.data(), std::min<std::size_t>(len, 128));
        }
        if (len >= 12) {
            CHECK(info.signo() == SIGSEGV);
            CHECK(info.code() == SEGV_MAPERR);
        }
        if (len >= 128) {
            CHECK(info.fault_address() == 0xdead000);
            CHECK_FALSE(info.from_user());
        }
        if (len > 128) {
            CHECK(buf[128] == std::byte{0x5a}); // nothing past the record
        }
        CHECK(rig.tracee().run == detail::Run::Held); // reading lets nothing go
        CHECK(rig.s->queue.size() == 1);
    }
}

TEST_CASE("Decision 27: no siginfo away from a held SIGNAL, BREAKPOINT or SINGLESTEP stop: "
          "ENODATA, EPERM, ESRCH, and never a request that stops the task") {
    struct Case {
        const char* what;
        At at;
        void (*change)(SignalRig&);
        std::errc want;
    };
    const std::vector<Case> cases{
        {"running under STOP_SIGNAL (no INTERRUPT to find out)", At::Running, [](SignalRig&) {},
         std::errc::no_message_available},
        {"held at an O_TRUNC freeze, an INTERRUPT stop", At::Freeze, [](SignalRig&) {},
         std::errc::no_message_available},
        {"a task this process does not trace", At::Signal,
         [](SignalRig& rig) {
             rig.h->tid = tid + 1;
             rig.h->pidfd = detail::PidFd::adopt(rig.be.pidfd_open(tid + 1));
         },
         std::errc::operation_not_permitted},
        {"a running task that is gone (G1)", At::Running,
         [](SignalRig& rig) { rig.be.exited.insert(tid); }, std::errc::no_such_process},
    };
    for (const Case& c : cases) {
        INFO(std::string(c.what));
        SignalRig rig(c.at);
        c.change(rig);
        rig.be.calls.clear();
        std::array<std::byte, 128> buf{};
        const auto n = rig.read(buf);
        REQUIRE_FALSE(n);
        CHECK(n.error() == c.want);
        CHECK(rig.be.calls.empty()); // no GETSIGINFO, no INTERRUPT, no resume
    }
}

TEST_CASE("Decision 27: at a reached BREAKPOINT or SINGLESTEP breakpoint, the SIGTRAP Linux "
          "stopped the tracee with") {
    struct Case {
        const char* what;
        PtraceFlags bp;
        int code;
    };
    for (const Case c : {Case{"an int3: SI_KERNEL", F::STOP_BREAKPOINT, SI_KERNEL},
                         Case{"a step: TRAP_TRACE", F::STOP_SINGLESTEP, TRAP_TRACE}}) {
        INFO(std::string(c.what));
        Rig rig(false, c.bp);
        rig.h->kind = detail::HandleKind::Siginfo;
        siginfo_t si{};
        si.si_signo = SIGTRAP;
        si.si_code = c.code;
        rig.be.siginfo[rig.h->tid] = si;
        rig.be.trap_code[tid] = c.code; // what the classification asks
        rig.core.dispatch(tid, CLD_TRAPPED, SIGTRAP);
        REQUIRE(rig.s->queue.size() == 1);
        REQUIRE(rig.tracee().run == detail::Run::Held);
        rig.be.calls.clear();
        ptrace_api::SignalInfo info;
        const auto n = detail::read_siginfo(rig.core, *rig.h, info.bytes);
        REQUIRE(n);
        CHECK(*n == 128);
        CHECK(info.signo() == SIGTRAP);
        CHECK(info.code() == c.code);
        CHECK(count_of(rig.be, PTRACE_GETSIGINFO) == 1);
    }
}

TEST_CASE("Decision 27: a failed GETSIGINFO is the read's error") {
    SignalRig rig;
    rig.be.fail[PTRACE_GETSIGINFO] = ESRCH;
    std::array<std::byte, 128> buf{};
    CHECK(rig.read(buf).error() == std::errc::no_such_process);
    CHECK(rig.tracee().run == detail::Run::Held);
}

/// The signal (data) of the last resume the backend saw: PTRACE_CONT, SYSCALL or SINGLESTEP.
long last_resume_signal(const FakeBackend& be) {
    long data = -1;
    for (const PtraceCall& c : be.calls) {
        if (c.request == PTRACE_CONT || c.request == PTRACE_SYSCALL ||
            c.request == PTRACE_SINGLESTEP) {
            data = static_cast<long>(c.data);
        }
    }
    return data;
}

TEST_CASE("Decision 27: a siginfo write at a held SIGNAL stop is one SETSIGINFO; the record "
          "is read back and its signal is the one the next resume delivers (E2)") {
    SignalRig rig;
    const ptrace_api::SignalInfo usr1 = test_support::queued_usr1();
    const auto n = detail::write_siginfo(rig.core, *rig.h, usr1.bytes);
    REQUIRE(n);
    CHECK(*n == 128);
    CHECK(count_of(rig.be, PTRACE_SETSIGINFO) == 1);
    CHECK(rig.tracee().stop_sig == SIGUSR1);
    CHECK(rig.tracee().run == detail::Run::Held); // writing lets nothing go
    ptrace_api::SignalInfo back;
    REQUIRE(rig.read(back.bytes));
    CHECK(back == usr1);
    rig.be.calls.clear();
    detail::Request req;
    rig.core.write_op(req, *rig.s, 8, F::STOP_SIGNAL.bits());
    CHECK(last_resume_signal(rig.be) == SIGUSR1);
}

TEST_CASE("Decision 27: a siginfo written at an int3 or after a step is delivered by a resume "
          "without IGNORE, and thrown away with it") {
    for (const bool ignore : {false, true}) {
        for (const PtraceFlags bp : {F::STOP_BREAKPOINT, F::STOP_SINGLESTEP}) {
            CAPTURE(ignore);
            CAPTURE(bp.bits());
            Rig rig(false, bp);
            rig.h->kind = detail::HandleKind::Siginfo;
            const int code = bp == F::STOP_BREAKPOINT ? int{SI_KERNEL} : int{TRAP_TRACE};
            rig.be.trap_code[tid] = code;
            rig.core.dispatch(tid, CLD_TRAPPED, SIGTRAP);
            REQUIRE(rig.tracee().run == detail::Run::Held);
            const ptrace_api::SignalInfo usr1 = test_support::queued_usr1();
            REQUIRE(detail::write_siginfo(rig.core, *rig.h, usr1.bytes));
            rig.be.calls.clear();
            detail::Request req;
            const PtraceFlags next = bp | (ignore ? F::FLAG_IGNORE : PtraceFlags{});
            rig.core.write_op(req, *rig.s, 8, next.bits());
            CHECK(last_resume_signal(rig.be) == (ignore ? 0 : SIGUSR1));
        }
    }
}

TEST_CASE("Decision 27: a siginfo write that is not the whole record, names no signal, or "
          "finds no held signal fails and changes nothing") {
    struct Case {
        const char* what;
        At at;
        std::size_t len;
        int signo;
        std::errc want;
    };
    const std::vector<Case> cases{
        {"12 bytes", At::Signal, 12, SIGUSR1, std::errc::invalid_argument},
        {"129 bytes", At::Signal, 129, SIGUSR1, std::errc::invalid_argument},
        {"si_signo 0", At::Signal, 128, 0, std::errc::invalid_argument},
        {"si_signo 65", At::Signal, 128, 65, std::errc::invalid_argument},
        {"running", At::Running, 128, SIGUSR1, std::errc::no_message_available},
        {"at a freeze", At::Freeze, 128, SIGUSR1, std::errc::no_message_available},
    };
    for (const Case& c : cases) {
        INFO(std::string(c.what));
        SignalRig rig(c.at);
        const int before = rig.tracee().stop_sig;
        std::vector<std::byte> buf(c.len);
        std::memcpy(buf.data(), &c.signo, std::min<std::size_t>(c.len, sizeof c.signo));
        const auto n = detail::write_siginfo(rig.core, *rig.h, buf);
        REQUIRE_FALSE(n);
        CHECK(n.error() == c.want);
        CHECK(count_of(rig.be, PTRACE_SETSIGINFO) == 0);
        CHECK(rig.tracee().stop_sig == before);
    }
    SignalRig failing;
    failing.be.fail[PTRACE_SETSIGINFO] = ESRCH;
    const auto n =
        detail::write_siginfo(failing.core, *failing.h, test_support::queued_usr1().bytes);
    REQUIRE_FALSE(n);
    CHECK(n.error() == std::errc::no_such_process);
    CHECK(failing.tracee().stop_sig == SIGSEGV);
}

// ---- K ----

constexpr std::uint64_t base = 0x10000; // 3 mapped pages of 0xaa, then a hole
constexpr std::uint64_t hole = base + 3 * FakeSpace::page;
constexpr std::uint64_t text_page = 0x40000; // read-only, 0xcc

/// A mem handle on `tid` whose address space the test shapes; `core` is the tracer thread,
/// which does not trace `tid` (K2's fallback seizes it for the time of the write, A8).
struct MemRig {
    FakeBackend be;
    Core core{be};
    std::shared_ptr<FakeSpace> space = std::make_shared<FakeSpace>();
    detail::Handle h;

    MemRig() {
        be.spaces[tid] = space;
        space->map(base, 3, std::byte{0xaa});
        space->map(text_page, 1, std::byte{0xcc}, false);
        h.kind = detail::HandleKind::Mem;
        h.tid = tid;
        h.pidfd = detail::PidFd::adopt(be.pidfd_open(tid));
        h.memfd = detail::open_mem(be, tid);
        REQUIRE(h.memfd.valid());
        be.mem_calls.clear();
    }

    Result<std::size_t> read_at(std::uint64_t at, std::vector<std::byte>& out) {
        h.offset = at;
        return detail::mem_read(be, h, std::span(out));
    }

    Result<std::size_t> write_at(std::uint64_t at, const std::vector<std::byte>& in) {
        h.offset = at;
        return detail::mem_write(core, h, std::span(in));
    }

    /// The task can be seized and stopped (A8: SEIZE, INTERRUPT, its stop, DETACH).
    void seizable() {
        shim::sys::ProcStatus st{};
        st.state = 'S';
        st.tgid = tid;
        st.ppid = 1;
        be.status[tid] = st;
        be.stops_waiting[tid] = {interrupt};
    }
};

TEST_CASE("K1: read and write move exactly len bytes at the offset, or fail with EFAULT "
          "moving nothing and leaving the offset") {
    struct Case {
        const char* what;
        std::uint64_t at;
        std::size_t len;
        std::size_t chunk; // the most one pread/pwrite moves (0: all)
        int eintr;         // calls that fail with EINTR first
        bool ok;
    };
    const std::vector<Case> cases{
        {"inside one page", base + 8, 16, 0, 0, true},
        {"across two mapped pages", base + FakeSpace::page - 4, 8, 0, 0, true},
        {"in short pieces, as Linux's bounce buffer moves them", base, 3 * FakeSpace::page - 1,
         1000, 0, true},
        {"after EINTR", base, 64, 0, 2, true},
        {"running into an unmapped page: a short count, then EIO", hole - 4, 8, 0, 0, false},
        {"starting in an unmapped page", hole, 8, 0, 0, false},
        {"below every mapping", 0x1000, 1, 0, 0, false},
        {"past off_t (an address >= 2^63)", std::uint64_t{1} << 63, 8, 0, 0, false},
        {"ending past off_t", std::numeric_limits<std::int64_t>::max() - 3, 8, 0, 0, false},
    };
    for (const Case& c : cases) {
        for (const bool writing : {false, true}) {
            INFO(std::string(c.what));
            CAPTURE(writing);
            MemRig rig;
            rig.be.chunk = c.chunk;
            rig.be.eintr_once = c.eintr;
            std::vector<std::byte> buf(c.len, std::byte{0x11});
            const auto n = writing ? rig.write_at(c.at, buf) : rig.read_at(c.at, buf);
            if (c.ok) {
                REQUIRE(n);
                CHECK(*n == c.len);
                CHECK(rig.h.offset == c.at + c.len);
                for (std::size_t i = 0; i < c.len; i += 97) {
                    const bool moved = writing ? rig.space->at(c.at + i) == std::byte{0x11}
                                               : buf[i] == std::byte{0xaa};
                    CHECK(moved);
                }
            } else {
                REQUIRE_FALSE(n);
                CHECK(n.error() == std::errc::bad_address);
                CHECK(rig.h.offset == c.at);
                CHECK(rig.be.mem_count('w') == 0); // a write checks the whole range first
                if (c.at >= base && c.at < hole) {
                    CHECK(rig.space->at(c.at) == std::byte{0xaa});
                }
            }
        }
    }
}

TEST_CASE("K1: 0 bytes move nothing and ask nothing") {
    MemRig rig;
    std::vector<std::byte> none;
    CHECK(rig.read_at(hole, none).value() == 0);
    CHECK(rig.write_at(hole, none).value() == 0);
    CHECK(rig.h.offset == hole);
    CHECK(rig.be.mem_calls.empty());
}

TEST_CASE("K1: a large read takes process_vm_readv; a fault there leaves /proc/<tid>/mem to "
          "decide") {
    MemRig rig;
    rig.space->map(0x100000, 32, std::byte{0x77}); // 128 KiB
    std::vector<std::byte> buf(detail::vm_readv_threshold);
    REQUIRE(rig.read_at(0x100000, buf));
    CHECK(buf.back() == std::byte{0x77});
    CHECK(rig.be.mem_count('v') == 1);
    CHECK(rig.be.mem_count('r') == 0);
    rig.be.mem_calls.clear();
    // The range runs into an unmapped page: process_vm_readv comes back short, the pread path
    // gives the exact answer.
    const auto n = rig.read_at(0x100000 + 32 * FakeSpace::page - 4096, buf);
    REQUIRE_FALSE(n);
    CHECK(n.error() == std::errc::bad_address);
    CHECK(rig.be.mem_count('v') == 1);
    CHECK(rig.be.mem_count('r') >= 1);
}

TEST_CASE("K1: lseek sets, moves and clamps the offset; another whence is EBADF") {
    constexpr auto imax = std::numeric_limits<std::int64_t>::max();
    const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
    struct Case {
        const char* what;
        std::uint64_t from;
        std::int64_t off;
        int whence;
        std::uint64_t want; // the offset after (and the result when ok)
        bool ok;
    };
    const std::vector<Case> cases{
        {"SEEK_SET: absolute", 5, 0x1000, SEEK_SET, 0x1000, true},
        {"SEEK_SET: negative taken as unsigned (Redox `as usize`)", 5, -1, SEEK_SET,
         ~std::uint64_t{0}, true},
        {"SEEK_CUR: forward", 0x1000, 16, SEEK_CUR, 0x1010, true},
        {"SEEK_CUR: back, clamped at 0", 0x1000, -0x2000, SEEK_CUR, 0, true},
        {"SEEK_CUR: past INT64_MAX, clamped", u(imax) - 1, 10, SEEK_CUR, u(imax), true},
        {"SEEK_CUR: from above INT64_MAX counts from INT64_MAX", ~std::uint64_t{0}, -1, SEEK_CUR,
         u(imax) - 1, true},
        {"SEEK_END: the size is INT64_MAX", 0, 0, SEEK_END, u(imax), true},
        {"SEEK_END: back from it", 0, -10, SEEK_END, u(imax) - 10, true},
        {"SEEK_END: past it, clamped", 0, 5, SEEK_END, u(imax), true},
        {"SEEK_DATA: EBADF, offset kept", 0x42, 0, SEEK_DATA, 0x42, false},
        {"whence 77: EBADF, offset kept", 0x42, 0, 77, 0x42, false},
    };
    for (const Case& c : cases) {
        INFO(std::string(c.what));
        MemRig rig;
        rig.h.offset = c.from;
        const auto r = detail::mem_seek(rig.h, c.off, c.whence);
        if (c.ok) {
            REQUIRE(r);
            CHECK(*r == c.want);
        } else {
            REQUIRE_FALSE(r);
            CHECK(r.error() == std::errc::bad_file_descriptor);
        }
        CHECK(rig.h.offset == c.want);
        CHECK(rig.be.mem_calls.empty());
    }
}

TEST_CASE("K2: a write to a read-only page goes through /proc/<tid>/mem (forced)") {
    MemRig rig;
    const std::vector<std::byte> in(16, std::byte{0x90});
    const auto n = rig.write_at(text_page + 32, in);
    REQUIRE(n);
    CHECK(*n == 16);
    CHECK(rig.space->at(text_page + 32) == std::byte{0x90});
    CHECK(rig.space->at(text_page + 47) == std::byte{0x90});
    CHECK(rig.space->at(text_page + 48) == std::byte{0xcc});
    CHECK(rig.be.mem_count('w') == 1);
}

constexpr std::uint64_t ro_pair = 0x60000;    // 2 read-only pages of 0xcc, then a hole
constexpr std::uint64_t rw_then_ro = 0x71000; // a writable page of 0xaa below, read-only 0xcc

/// `len` bytes 0x40, 0x41, ...: every byte of a write tells where it landed.
std::vector<std::byte> pattern(std::size_t len) {
    std::vector<std::byte> in(len);
    for (std::size_t i = 0; i < len; ++i) {
        in[i] = static_cast<std::byte>(0x40 + i);
    }
    return in;
}

TEST_CASE("K2: where Linux refuses forced writes (proc_mem.force_override=never, or =ptrace from "
          "a thread other than the tracer thread) the refused part goes through POKEDATA, K1 "
          "kept") {
    struct Case {
        const char* what;
        std::uint64_t at;
        std::size_t len;
        long fail_request; // a ptrace request failing at the stop (0: none)
        int fail_errno;
        std::errc want;       // {} for success
        std::size_t pwritten; // bytes /proc/<tid>/mem wrote in the range (a write-back too)
        std::size_t pokes;
        bool stops; // the task is seized and stopped for the fallback
    };
    const std::vector<Case> cases{
        {"aligned words", text_page + 32, 16, 0, 0, {}, 0, 2, true},
        {"unaligned head and tail: the words around are read at the stop and kept",
         text_page + 3,
         13,
         0,
         0,
         {},
         0,
         2,
         true},
        {"inside one word", text_page + 9, 3, 0, 0, {}, 0, 1, true},
        {"across two read-only pages", ro_pair + FakeSpace::page - 5, 10, 0, 0, {}, 0, 2, true},
        {"writable bytes first: written through /proc/<tid>/mem, only the rest poked",
         rw_then_ro - 5,
         16,
         0,
         0,
         {},
         5,
         2,
         true},
        {"crossing into an unmapped page: EFAULT, nothing written, no stop",
         ro_pair + 2 * FakeSpace::page - 4, 8, 0, 0, std::errc::bad_address, 0, 0, false},
        {"a page unmapped by the time of the stop: EFAULT before any poke, the written part "
         "written back",
         rw_then_ro - 5, 16, PTRACE_PEEKDATA, EIO, std::errc::bad_address, 5 + 5, 0, true},
        {"the task dies at the stop: ESRCH (G1), nothing poked", text_page + 32, 16,
         PTRACE_POKEDATA, ESRCH, std::errc::no_such_process, 0, 0, true},
    };
    for (const Case& c : cases) {
        INFO(std::string(c.what));
        MemRig rig;
        rig.space->map(ro_pair, 2, std::byte{0xcc}, false);
        rig.space->map(rw_then_ro - FakeSpace::page, 1, std::byte{0xaa});
        rig.space->map(rw_then_ro, 1, std::byte{0xcc}, false);
        rig.seizable();
        rig.be.force_refused = true;
        if (c.fail_request != 0) {
            rig.be.fail[c.fail_request] = c.fail_errno;
        }
        const FakeSpace original = *rig.space;
        const auto in = pattern(c.len);
        const auto n = rig.write_at(c.at, in);
        if (c.want == std::errc{}) {
            REQUIRE(n);
            CHECK(*n == c.len);
            CHECK(rig.h.offset == c.at + c.len);
            for (std::size_t i = 0; i < c.len; ++i) {
                CHECK(rig.space->at(c.at + i) == in[i]);
            }
        } else {
            REQUIRE_FALSE(n);
            CHECK(n.error() == c.want);
            CHECK(rig.h.offset == c.at);
        }
        // K1: nothing else changed, and nothing at all on failure.
        std::uint64_t changed = 0;
        for (const auto& [addr, bytes] : rig.space->pages) {
            for (std::uint64_t i = 0; i < FakeSpace::page && changed == 0; ++i) {
                const std::uint64_t a = addr + i;
                const bool written = c.want == std::errc{} && a >= c.at && a < c.at + c.len;
                if (!written && bytes[i] != original.at(a)) {
                    changed = a;
                }
            }
        }
        CHECK(changed == 0);
        std::size_t pwritten = 0;
        for (const auto& m : rig.be.mem_calls) {
            if (m.what == 'w' && m.result > 0 && m.at >= c.at && m.at < c.at + c.len) {
                pwritten += static_cast<std::size_t>(m.result);
            }
        }
        CHECK(pwritten == c.pwritten);
        CHECK(rig.be.mem_count('p') == c.pokes);
        const auto calls = take(rig.be);
        if (c.stops) {
            REQUIRE(calls.size() >= 3);
            CHECK(calls.front() == act(PTRACE_SEIZE));
            CHECK(calls[1] == act(PTRACE_INTERRUPT));
            CHECK(calls.back() == act(PTRACE_DETACH));
        } else {
            CHECK(calls.empty());
        }
        CHECK(rig.core.find_tracee(tid) == nullptr);
    }
}

TEST_CASE("K2: with forced writes allowed, or to writable pages, no POKEDATA and no stop") {
    for (const bool refused : {false, true}) {
        CAPTURE(refused);
        MemRig rig;
        rig.be.force_refused = refused;
        const auto in = pattern(16);
        REQUIRE(rig.write_at(refused ? base + 8 : text_page + 8, in).value() == 16);
        CHECK(rig.be.calls.empty());
        CHECK(rig.be.mem_count('w') == 1);
    }
}

/// A mem handle on the traced `tid` of `rig`, over an address space with `text_page`.
std::shared_ptr<FakeSpace> traced_mem(Rig& rig, detail::Handle& h) {
    auto space = std::make_shared<FakeSpace>();
    space->map(text_page, 1, std::byte{0xcc}, false);
    rig.be.spaces[tid] = space;
    rig.be.force_refused = true;
    h.kind = detail::HandleKind::Mem;
    h.tid = tid;
    h.pidfd = rig.tracee().pidfd;
    h.memfd = detail::open_mem(rig.be, tid);
    REQUIRE(h.memfd.valid());
    return space;
}

TEST_CASE("K2/J1: the POKEDATA fallback on a running tracee: INTERRUPT, poke, resumed in its "
          "mode") {
    Rig rig(false, F::STOP_PRE_SYSCALL);
    detail::Handle h;
    const auto space = traced_mem(rig, h);
    rig.core.stops = {interrupt};
    const auto in = pattern(5);
    h.offset = text_page + 6; // words at +0 and +8, both merged
    REQUIRE(detail::mem_write(rig.core, h, std::span(in)).value() == 5);
    // GETREGS: the machine's own look at its INTERRUPT stop (a syscall to restart, B11).
    expect(rig.be, std::vector{act(PTRACE_INTERRUPT), act(PTRACE_GETREGS), act(PTRACE_PEEKDATA),
                               act(PTRACE_PEEKDATA), act(PTRACE_POKEDATA), act(PTRACE_PEEKDATA),
                               act(PTRACE_POKEDATA), act(PTRACE_SYSCALL)});
    CHECK(space->at(text_page + 5) == std::byte{0xcc});
    CHECK(space->at(text_page + 6) == std::byte{0x40});
    CHECK(space->at(text_page + 10) == std::byte{0x44});
    CHECK(space->at(text_page + 11) == std::byte{0xcc});
    CHECK(rig.tracee().run == detail::Run::Running);
    CHECK(h.offset == text_page + 11);
}

TEST_CASE("K2/J1: the POKEDATA fallback on a tracee held at a stop pokes there, no INTERRUPT") {
    Rig rig(true);
    detail::Handle h;
    const auto space = traced_mem(rig, h);
    const auto in = pattern(8);
    h.offset = text_page;
    REQUIRE(detail::mem_write(rig.core, h, std::span(in)).value() == 8);
    expect(rig.be, std::vector{act(PTRACE_PEEKDATA), act(PTRACE_POKEDATA)});
    CHECK(space->at(text_page + 7) == std::byte{0x47});
    CHECK(rig.tracee().stopped());
}

TEST_CASE("K2/G1: a refused write to a task that is gone is ESRCH, with no request") {
    MemRig rig;
    rig.be.force_refused = true;
    rig.be.exited.insert(tid);
    const auto n = rig.write_at(text_page, pattern(8));
    REQUIRE_FALSE(n);
    CHECK(n.error() == std::errc::no_such_process);
    CHECK(rig.h.offset == text_page);
    CHECK(rig.space->at(text_page) == std::byte{0xcc});
    CHECK(rig.be.calls.empty());
}

TEST_CASE("K3: memory of a running tracee is read and written without a stop") {
    Rig rig(false, F::STOP_PRE_SYSCALL);
    auto space = std::make_shared<FakeSpace>();
    space->map(base, 1, std::byte{0xaa});
    rig.be.spaces[tid] = space;
    detail::Handle h;
    h.kind = detail::HandleKind::Mem;
    h.tid = tid;
    h.pidfd = rig.tracee().pidfd;
    h.memfd = detail::open_mem(rig.be, tid);
    std::vector<std::byte> buf(8, std::byte{0x55});
    h.offset = base;
    REQUIRE(detail::mem_write(rig.core, h, std::span(buf)));
    h.offset = base;
    std::vector<std::byte> back(8);
    REQUIRE(detail::mem_read(rig.be, h, std::span(back)));
    CHECK(back == buf);
    CHECK(rig.be.calls.empty()); // no INTERRUPT, no ptrace request at all
    CHECK(rig.tracee().run == detail::Run::Running);
}

TEST_CASE("K4: after an exec the handle reads the new address space") {
    struct Case {
        const char* what;
        bool vfork_child; // its old address space is its parent's, which lives on
        bool exec_seen;   // the tracer thread saw the exec stop (mem_stale)
        std::byte want;
        std::size_t opens;
    };
    const std::vector<Case> cases{
        {"exec seen: reopened before the read", false, true, std::byte{0xbb}, 1},
        {"exec not seen: the old fd reads EOF, reopened", false, false, std::byte{0xbb}, 1},
        {"vfork child, exec seen: reopened (EOF would never come)", true, true, std::byte{0xbb}, 1},
    };
    constexpr pid_t parent = 5000;
    for (const Case& c : cases) {
        INFO(std::string(c.what));
        Rig rig(false);
        auto old_space = std::make_shared<FakeSpace>();
        old_space->map(base, 1, std::byte{0xaa});
        rig.be.spaces[tid] = old_space;
        if (c.vfork_child) {
            rig.be.spaces[parent] = old_space;
        }
        auto h = std::make_shared<detail::Handle>();
        h->kind = detail::HandleKind::Mem;
        h->fd = 900;
        h->tid = tid;
        h->pidfd = rig.tracee().pidfd;
        h->memfd = detail::open_mem(rig.be, tid);
        rig.core.handles()[h->fd] = h;
        rig.be.exec(tid);
        rig.be.spaces[tid]->map(base, 1, std::byte{0xbb});
        if (c.exec_seen) {
            rig.be.event_msg[tid] = static_cast<unsigned long>(tid);
            rig.core.dispatch(tid, CLD_TRAPPED, exec_stop);
            CHECK(h->mem_stale.load());
        }
        rig.be.mem_calls.clear();
        std::vector<std::byte> buf(4);
        h->offset = base;
        REQUIRE(detail::mem_read(rig.be, *h, std::span(buf)));
        CHECK(buf[0] == c.want);
        CHECK(rig.be.mem_count('o') == c.opens);
        CHECK_FALSE(h->mem_stale.load());
    }
}

TEST_CASE("K4: a vfork child's exec that the tracer did not see reads the parent's memory") {
    // The hazard the exec stop's mem_stale exists for (spec 3.K4): the old fd names the
    // parent's address space, which lives on, so it never reads EOF.
    MemRig rig;
    constexpr pid_t parent = 5000;
    rig.be.spaces[parent] = rig.space;
    rig.be.exec(tid);
    rig.be.spaces[tid]->map(base, 1, std::byte{0xbb});
    std::vector<std::byte> buf(4);
    REQUIRE(rig.read_at(base, buf));
    CHECK(buf[0] == std::byte{0xaa}); // the parent's bytes
    CHECK(rig.be.mem_count('o') == 0);
}

TEST_CASE("K4/G1: an old fd at EOF whose task is gone: ESRCH once reaped, EFAULT a zombie; a "
          "recycled pid is never reopened") {
    struct Case {
        const char* what;
        bool reopen_fails;
        bool reaped;
        std::errc want;
    };
    const std::vector<Case> cases{
        {"zombie: /proc/<tid>/mem will not open, the pidfd still names it", true, false,
         std::errc::bad_address},
        {"reaped", true, true, std::errc::no_such_process},
        {"reaped, its pid taken by another task: opened, then refused by the pidfd", false, true,
         std::errc::no_such_process},
    };
    for (const Case& c : cases) {
        INFO(std::string(c.what));
        MemRig rig;
        rig.be.exec(tid); // the old fd's space is gone: EOF
        rig.be.spaces[tid]->map(base, 1, std::byte{0xbb});
        if (c.reopen_fails) {
            rig.be.open_fails[tid] = ESRCH;
        }
        if (c.reaped) {
            rig.be.reaped.insert(tid);
        }
        const int old_fd = rig.h.memfd.get();
        std::vector<std::byte> buf(4, std::byte{0x11});
        const auto n = rig.read_at(base, buf);
        REQUIRE_FALSE(n);
        CHECK(n.error() == c.want);
        CHECK(rig.h.offset == base);
        CHECK(rig.h.memfd.get() == old_fd); // the fd of the right task stays
        CHECK(buf[0] == std::byte{0x11});
        CHECK(rig.be.mem_count('o') == 1);
    }
}

} // namespace
