// SPDX-License-Identifier: MIT
// A reference row of bench/compile_cost.cpp, no target: bench/compile/spawn_tracer.cpp compiled
// against declarations alone. The library's types and calls that program uses are declared
// here as a separately compiled library could declare them at the least: no function bodies
// but the few the program's calls need inline, no reflection, no flag tables, no other member
// or overload. The API is the same (a Result per call, a std::variant to switch on events,
// IntRegisters by value), so this is the floor under row (b)'s separate mode that no
// reorganisation of the headers can go below while the API stays as it is. Compiled, never
// linked.
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include <sys/types.h>

namespace ptrace_api {

/// What a failed call returns (std::error_code and a message).
class Error {
public:
    std::string message() const;

private:
    std::error_code code_;
};

/// A value or an Error.
template <class T>
class Result {
public:
    explicit operator bool() const noexcept { return v_.index() == 0; }
    T& operator*() noexcept { return std::get<0>(v_); }
    const T& operator*() const noexcept { return std::get<0>(v_); }
    T* operator->() noexcept { return &std::get<0>(v_); }
    const T* operator->() const noexcept { return &std::get<0>(v_); }
    const Error& error() const noexcept { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

template <>
class Result<void> {
public:
    explicit operator bool() const noexcept { return !e_; }
    const Error& error() const noexcept { return *e_; }

private:
    std::optional<Error> e_;
};

class PtraceFlags {
public:
    static const PtraceFlags STOP_PRE_SYSCALL, STOP_POST_SYSCALL, STOP_SINGLESTEP, STOP_SIGNAL,
        STOP_BREAKPOINT, STOP_EXIT, EVENT_CLONE;
    friend constexpr PtraceFlags operator|(PtraceFlags a, PtraceFlags b) noexcept {
        PtraceFlags f;
        f.bits_ = a.bits_ | b.bits_;
        return f;
    }
    friend constexpr bool operator==(PtraceFlags, PtraceFlags) = default;

private:
    std::uint64_t bits_ = 0;
};

struct PtraceEvent {
    PtraceFlags cause;
    std::uint64_t a, b, c, d, e, f;
};

struct WaitStatus {
    std::uint64_t raw = 0;
    bool exited() const noexcept { return (raw & 0x7f) == 0; }
    int exit_code() const noexcept { return static_cast<int>((raw >> 8) & 0xff); }
};

namespace events {

struct PreSyscall {};

struct PostSyscall {};

struct SingleStep {};

struct Signal {
    int signal;
    std::uint64_t handler;
};

struct Breakpoint {};

struct Exit {
    WaitStatus status;
};

struct Clone {
    std::uint64_t pid;
};

struct Unknown {
    PtraceEvent event;
};

} // namespace events

using EventView =
    std::variant<events::PreSyscall, events::PostSyscall, events::SingleStep, events::Signal,
                 events::Breakpoint, events::Exit, events::Clone, events::Unknown>;

EventView view(const PtraceEvent& event) noexcept;

struct IntRegisters {
    std::uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi, rip, cs,
        rflags, rsp, ss, fs;
};

class Registers {
public:
    Result<IntRegisters> get_int() const;

private:
    int fd_ = -1;
};

class Tracer {
public:
    Tracer(Tracer&&) noexcept;
    Tracer& operator=(Tracer&&) noexcept;
    ~Tracer();
    Result<PtraceEvent> next(PtraceFlags flags);
    Registers& regs() noexcept;
    Result<void> close() &&;

private:
    void* state_ = nullptr;
};

class Child {
public:
    Child(Child&&) noexcept;
    ~Child();
    Result<WaitStatus> wait();

private:
    pid_t pid_ = 0;
};

struct Command {
    std::string program;
    std::vector<std::string> args;
    std::optional<std::vector<std::string>> env;
    std::optional<std::string> cwd;
};

struct Spawned {
    Child child;
    Tracer tracer;
};

Result<Spawned> spawn(const Command& command);
} // namespace ptrace_api

// The program itself, without its two library includes.
#define PTRACE_API_BENCH_DECLARATIONS_ONLY
#include "spawn_tracer.cpp"
