// SPDX-License-Identifier: MIT
// ptrace(2)'s requests as strace 6.1 prints them, for programs that trace others (gdb, strace
// itself, this library's tests): each request by name and with the arguments it reads, the
// user-area offsets of PTRACE_PEEKUSER and PTRACE_POKEUSER (`8*RIP`, `offsetof(struct user,
// u_debugreg)+56`), the register sets of PTRACE_GETREGS, PTRACE_GETFPREGS and
// PTRACE_GETREGSET (the general and the x87/SSE sets; NT_X86_XSTATE's as an address, as
// strace does), options, signals, siginfo and signal masks, the word a PEEK read, and the
// struct ptrace_syscall_info of PTRACE_GET_SYSCALL_INFO (this library's shim asks for it).
// Not decoded: the data of PTRACE_PEEKSIGINFO, PTRACE_SECCOMP_GET_FILTER and
// PTRACE_SECCOMP_GET_METADATA (shown as addresses, where strace shows what the kernel wrote).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <sys/user.h>

#include "format.hpp"
#include "structs.hpp"

namespace strace_example {

namespace detail {

inline constexpr std::array<FlagName, 42> ptrace_request_table{{
    {0, "PTRACE_TRACEME"},
    {1, "PTRACE_PEEKTEXT"},
    {2, "PTRACE_PEEKDATA"},
    {3, "PTRACE_PEEKUSER"},
    {4, "PTRACE_POKETEXT"},
    {5, "PTRACE_POKEDATA"},
    {6, "PTRACE_POKEUSER"},
    {7, "PTRACE_CONT"},
    {8, "PTRACE_KILL"},
    {9, "PTRACE_SINGLESTEP"},
    {12, "PTRACE_GETREGS"},
    {13, "PTRACE_SETREGS"},
    {14, "PTRACE_GETFPREGS"},
    {15, "PTRACE_SETFPREGS"},
    {16, "PTRACE_ATTACH"},
    {17, "PTRACE_DETACH"},
    {18, "PTRACE_GETFPXREGS"},
    {19, "PTRACE_SETFPXREGS"},
    {21, "PTRACE_OLDSETOPTIONS"},
    {24, "PTRACE_SYSCALL"},
    {25, "PTRACE_GET_THREAD_AREA"},
    {26, "PTRACE_SET_THREAD_AREA"},
    {30, "PTRACE_ARCH_PRCTL"},
    {31, "PTRACE_SYSEMU"},
    {32, "PTRACE_SYSEMU_SINGLESTEP"},
    {33, "PTRACE_SINGLEBLOCK"},
    {0x4200, "PTRACE_SETOPTIONS"},
    {0x4201, "PTRACE_GETEVENTMSG"},
    {0x4202, "PTRACE_GETSIGINFO"},
    {0x4203, "PTRACE_SETSIGINFO"},
    {0x4204, "PTRACE_GETREGSET"},
    {0x4205, "PTRACE_SETREGSET"},
    {0x4206, "PTRACE_SEIZE"},
    {0x4207, "PTRACE_INTERRUPT"},
    {0x4208, "PTRACE_LISTEN"},
    {0x4209, "PTRACE_PEEKSIGINFO"},
    {0x420a, "PTRACE_GETSIGMASK"},
    {0x420b, "PTRACE_SETSIGMASK"},
    {0x420c, "PTRACE_SECCOMP_GET_FILTER"},
    {0x420d, "PTRACE_SECCOMP_GET_METADATA"},
    {0x420e, "PTRACE_GET_SYSCALL_INFO"},
    {0x420f, "PTRACE_GET_RSEQ_CONFIGURATION"},
}};

inline constexpr std::array<FlagName, 10> ptrace_option_table{{
    {0x1, "PTRACE_O_TRACESYSGOOD"},
    {0x2, "PTRACE_O_TRACEFORK"},
    {0x4, "PTRACE_O_TRACEVFORK"},
    {0x8, "PTRACE_O_TRACECLONE"},
    {0x10, "PTRACE_O_TRACEEXEC"},
    {0x20, "PTRACE_O_TRACEVFORKDONE"},
    {0x40, "PTRACE_O_TRACEEXIT"},
    {0x80, "PTRACE_O_TRACESECCOMP"},
    {0x100000, "PTRACE_O_EXITKILL"},
    {0x200000, "PTRACE_O_SUSPEND_SECCOMP"},
}};

/// The ELF note types that name register sets (PTRACE_GETREGSET's addr), those strace 6.1
/// names on x86_64.
inline constexpr std::array<FlagName, 11> regset_table{{
    {1, "NT_PRSTATUS"},
    {2, "NT_FPREGSET"},
    {3, "NT_PRPSINFO"},
    {4, "NT_PRXREG"},
    {6, "NT_AUXV"},
    {0x200, "NT_386_TLS"},
    {0x201, "NT_386_IOPERM"},
    {0x202, "NT_X86_XSTATE"},
    {0x53494749, "NT_SIGINFO"},
    {0x46494c45, "NT_FILE"},
    {0x46e62b7f, "NT_PRXFPREG"},
}};

/// The named offsets of x86_64's struct user, as strace 6.1 prints them: the registers as
/// `8*NAME`, the other members as `offsetof(struct user, NAME)`, in order.
struct UserOffset {
    std::uint64_t offset;
    std::string_view name;
};
inline constexpr std::array<UserOffset, 36> user_offset_table{{
    {0, "8*R15"},
    {8, "8*R14"},
    {16, "8*R13"},
    {24, "8*R12"},
    {32, "8*RBP"},
    {40, "8*RBX"},
    {48, "8*R11"},
    {56, "8*R10"},
    {64, "8*R9"},
    {72, "8*R8"},
    {80, "8*RAX"},
    {88, "8*RCX"},
    {96, "8*RDX"},
    {104, "8*RSI"},
    {112, "8*RDI"},
    {120, "8*ORIG_RAX"},
    {128, "8*RIP"},
    {136, "8*CS"},
    {144, "8*EFL"},
    {152, "8*RSP"},
    {160, "8*SS"},
    {216, "offsetof(struct user, u_fpvalid)"},
    {224, "offsetof(struct user, i387)"},
    {736, "offsetof(struct user, u_tsize)"},
    {744, "offsetof(struct user, u_dsize)"},
    {752, "offsetof(struct user, u_ssize)"},
    {760, "offsetof(struct user, start_code)"},
    {768, "offsetof(struct user, start_stack)"},
    {776, "offsetof(struct user, signal)"},
    {784, "offsetof(struct user, reserved)"},
    {792, "offsetof(struct user, u_ar0)"},
    {800, "offsetof(struct user, u_fpstate)"},
    {808, "offsetof(struct user, magic)"},
    {816, "offsetof(struct user, u_comm)"},
    {848, "offsetof(struct user, u_debugreg)"},
    {912, "sizeof(struct user)"},
}};

/// PTRACE_PEEKUSER's and PTRACE_POKEUSER's addr: the named offset at or below it, plus the
/// rest (`8*SS+8`); past the end of struct user, the number in hex.
inline std::string user_offset_text(std::uint64_t addr) {
    const UserOffset* below = nullptr;
    for (const UserOffset& entry : user_offset_table) {
        if (entry.offset <= addr) {
            below = &entry;
        }
    }
    if (below == nullptr || (below == &user_offset_table.back() && addr > below->offset)) {
        return pointer(addr);
    }
    return std::string(below->name) +
           (addr == below->offset ? "" : "+" + std::to_string(addr - below->offset));
}

/// The general registers (PTRACE_GETREGS, NT_PRSTATUS): `{r15=0x..., ..., gs=0}`.
inline std::string user_regs_text(const user_regs_struct& r) {
    const std::array<std::pair<const char*, unsigned long long>, 27> fields{{
        {"r15", r.r15}, {"r14", r.r14},         {"r13", r.r13},         {"r12", r.r12},
        {"rbp", r.rbp}, {"rbx", r.rbx},         {"r11", r.r11},         {"r10", r.r10},
        {"r9", r.r9},   {"r8", r.r8},           {"rax", r.rax},         {"rcx", r.rcx},
        {"rdx", r.rdx}, {"rsi", r.rsi},         {"rdi", r.rdi},         {"orig_rax", r.orig_rax},
        {"rip", r.rip}, {"cs", r.cs},           {"eflags", r.eflags},   {"rsp", r.rsp},
        {"ss", r.ss},   {"fs_base", r.fs_base}, {"gs_base", r.gs_base}, {"ds", r.ds},
        {"es", r.es},   {"fs", r.fs},           {"gs", r.gs},
    }};
    std::string out = "{";
    for (const auto& [name, value] : fields) {
        out += (out.size() == 1 ? "" : ", ") + std::string(name) + "=" + hex(value);
    }
    return out + "}";
}

/// An array of 32-bit words in hex, at most `limit` of them (then `...`).
inline std::string words_text(const unsigned int* words, std::size_t count, std::size_t limit) {
    std::vector<std::string> items;
    for (std::size_t i = 0; i < count && i < limit; ++i) {
        items.push_back(hex(words[i]));
    }
    return array_text(items, count > limit);
}

/// The x87 and SSE registers (PTRACE_GETFPREGS, NT_FPREGSET): `{cwd=0x37f, ..., st_space=[...],
/// xmm_space=[...], padding=[...]}`, each array cut at `limit` words.
inline std::string user_fpregs_text(const user_fpregs_struct& f, std::size_t limit) {
    return "{cwd=" + hex(f.cwd) + ", swd=" + hex(f.swd) + ", ftw=" + hex(f.ftw) +
           ", fop=" + hex(f.fop) + ", rip=" + hex(f.rip) + ", rdp=" + hex(f.rdp) +
           ", mxcsr=" + hex(f.mxcsr) + ", mxcr_mask=" + hex(f.mxcr_mask) +
           ", st_space=" + words_text(f.st_space, std::size(f.st_space), limit) +
           ", xmm_space=" + words_text(f.xmm_space, std::size(f.xmm_space), limit) +
           ", padding=" + words_text(f.padding, std::size(f.padding), limit) + "}";
}

/// The general registers at `addr` (PTRACE_GETREGS, PTRACE_SETREGS, NT_PRSTATUS).
inline std::string user_regs_at(const ReadMemory& read, std::uint64_t addr) {
    user_regs_struct r{};
    return read_struct(read, addr, r) ? user_regs_text(r) : pointer(addr);
}

/// The x87/SSE registers at `addr` (PTRACE_GETFPREGS, PTRACE_SETFPREGS, NT_FPREGSET).
inline std::string user_fpregs_at(const ReadMemory& read, std::uint64_t addr, std::size_t limit) {
    user_fpregs_struct f{};
    return read_struct(read, addr, f) ? user_fpregs_text(f, limit) : pointer(addr);
}

/// A register set of `len` bytes at `addr`, decoded when its size is the set's: the general
/// registers, the x87/SSE ones; any other set (or size) as the address.
inline std::string regset_at(const ReadMemory& read, std::uint64_t type, std::uint64_t addr,
                             std::uint64_t len, std::size_t limit) {
    if (type == 1 && len == sizeof(user_regs_struct)) {
        return user_regs_at(read, addr);
    }
    if (type == 2 && len == sizeof(user_fpregs_struct)) {
        return user_fpregs_at(read, addr, limit);
    }
    return pointer(addr);
}

/// PTRACE_GETREGSET's and PTRACE_SETREGSET's struct iovec (iov_base, iov_len), read from the
/// tracee; nullopt when it cannot be.
inline std::optional<std::array<std::uint64_t, 2>> regset_iov(const ReadMemory& read,
                                                              std::uint64_t addr) {
    std::array<std::uint64_t, 2> iov{};
    if (addr == 0 || !read_struct(read, addr, iov)) {
        return std::nullopt;
    }
    return iov;
}

/// That iovec's text: `{iov_base={...}, iov_len=216}`; `given` is the length at entry when the
/// kernel may have changed it (`iov_len=4096 => 2432`), and `decode` says whether the set's
/// bytes are there to read.
inline std::string regset_iov_text(const ReadMemory& read, std::uint64_t type,
                                   const std::array<std::uint64_t, 2>& iov,
                                   std::optional<std::uint64_t> given, bool decode,
                                   std::size_t limit) {
    const std::string base =
        decode ? regset_at(read, type, iov[0], iov[1], limit) : pointer(iov[0]);
    const std::string len = given && *given != iov[1]
                                ? std::to_string(*given) + " => " + std::to_string(iov[1])
                                : std::to_string(iov[1]);
    return "{iov_base=" + base + ", iov_len=" + len + "}";
}

/// The iovec at `addr` (regset_iov_text()), or the address.
inline std::string regset_iov_at(const ReadMemory& read, std::uint64_t type, std::uint64_t addr,
                                 std::optional<std::uint64_t> given, bool decode,
                                 std::size_t limit) {
    const auto iov = regset_iov(read, addr);
    return iov ? regset_iov_text(read, type, *iov, given, decode, limit) : pointer(addr);
}

/// PTRACE_GET_SYSCALL_INFO's struct ptrace_syscall_info, as much of it as the kernel wrote
/// (`size`: the call's result, at most the room given): `{op=PTRACE_SYSCALL_INFO_ENTRY,
/// arch=AUDIT_ARCH_X86_64, instruction_pointer=0x..., stack_pointer=0x..., entry={nr=__NR_read,
/// args=[...]}}`; `exit={rval=-ENOENT, is_error=1}`; `seccomp={nr=..., args=[...],
/// ret_data=N}`. A syscall number of another architecture is shown as the number.
inline std::string syscall_info_at(const ReadMemory& read, std::uint64_t addr, std::uint64_t size) {
    struct Info {
        std::uint8_t op;
        std::array<std::uint8_t, 3> pad;
        std::uint32_t arch;
        std::uint64_t instruction_pointer;
        std::uint64_t stack_pointer;
        std::array<std::uint64_t, 7> data; // entry and seccomp: nr, args; exit: rval, is_error
        std::uint32_t ret_data;            // seccomp
    };
    constexpr std::uint64_t base = 24; // op to stack_pointer
    std::array<unsigned char, sizeof(Info)> raw{};
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, raw.size()));
    if (addr == 0 || n < base || !read(addr, std::as_writable_bytes(std::span(raw.data(), n)))) {
        return pointer(addr);
    }
    Info info{};
    std::memcpy(&info, raw.data(), raw.size());
    constexpr std::array<FlagName, 4> ops{{{0, "PTRACE_SYSCALL_INFO_NONE"},
                                           {1, "PTRACE_SYSCALL_INFO_ENTRY"},
                                           {2, "PTRACE_SYSCALL_INFO_EXIT"},
                                           {3, "PTRACE_SYSCALL_INFO_SECCOMP"}}};
    constexpr std::array<FlagName, 2> arches{
        {{0xc000003e, "AUDIT_ARCH_X86_64"}, {0x40000003, "AUDIT_ARCH_I386"}}};
    std::string out = "{op=" + constant(info.op, ops, "PTRACE_SYSCALL_INFO_") +
                      ", arch=" + constant(info.arch, arches, "AUDIT_ARCH_") +
                      ", instruction_pointer=" + pointer(info.instruction_pointer) +
                      ", stack_pointer=" + pointer(info.stack_pointer);
    const auto call = [&info](const char* field) {
        const std::string_view name =
            info.arch == 0xc000003e ? ptrace_api::syscall_name(static_cast<long>(info.data[0]))
                                    : std::string_view();
        std::vector<std::string> args;
        for (std::size_t i = 1; i < 7; ++i) {
            args.push_back(hex(info.data[i]));
        }
        return std::string(", ") + field + "={nr=" +
               (name.empty() ? std::to_string(info.data[0]) : "__NR_" + std::string(name)) +
               ", args=" + array_text(args, false);
    };
    if (info.op == 1 && n >= base + 56) {
        out += call("entry") + "}";
    } else if (info.op == 3 && n >= base + 60) {
        out += call("seccomp") + ", ret_data=" + std::to_string(info.ret_data) + "}";
    } else if (info.op == 2 && n >= base + 9) {
        const auto rval = static_cast<std::int64_t>(info.data[0]);
        const bool is_error = (info.data[1] & 0xff) != 0;
        const std::string_view errname = is_error && rval < 0
                                             ? ptrace_api::errno_name(static_cast<int>(-rval))
                                             : std::string_view();
        out += ", exit={rval=" +
               (errname.empty() ? std::to_string(rval) : "-" + std::string(errname)) +
               ", is_error=" + (is_error ? "1" : "0") + "}";
    }
    return out + "}";
}

} // namespace detail

/// ptrace's arguments at entry (`regs`: rdi, rsi, rdx, r10): the texts in order, each with the
/// register it shows; `at_exit` names the one the kernel writes (shown by ptrace_exit_text()).
struct PtraceArgs {
    struct Text {
        std::string text;
        unsigned reg;
    };
    std::vector<Text> args;
    std::optional<unsigned> at_exit; ///< index into args
    /// PTRACE_GETREGSET's iov_len at entry, for ptrace_exit_text()'s `4096 => 2432`.
    std::optional<std::uint64_t> regset_len;
};

inline PtraceArgs ptrace_entry(const std::array<std::uint64_t, 6>& regs, const ReadMemory& read,
                               std::size_t limit) {
    using namespace detail;
    const std::uint64_t request = regs[0];
    const std::uint64_t addr = regs[2];
    const std::uint64_t data = regs[3];
    PtraceArgs out;
    out.args.push_back({constant(request, ptrace_request_table, "PTRACE_"), 0});
    if (request == 0) { // PTRACE_TRACEME: nothing else is read
        return out;
    }
    out.args.push_back({std::to_string(static_cast<std::int32_t>(regs[1])), 1});
    switch (request) {
    case 8:      // PTRACE_KILL
    case 16:     // PTRACE_ATTACH
    case 0x4207: // PTRACE_INTERRUPT
    case 0x4208: // PTRACE_LISTEN
        return out;
    case 12: // PTRACE_GETREGS, PTRACE_GETFPREGS: data only, written by the kernel
    case 14:
        out.args.push_back({"", 3});
        out.at_exit = 2;
        return out;
    case 13: // PTRACE_SETREGS, PTRACE_SETFPREGS: data only
        out.args.push_back({user_regs_at(read, data), 3});
        return out;
    case 15:
        out.args.push_back({user_fpregs_at(read, data, limit), 3});
        return out;
    default:
        break;
    }
    // addr
    std::string addr_text;
    switch (request) {
    case 3: // PTRACE_PEEKUSER, PTRACE_POKEUSER
    case 6:
        addr_text = user_offset_text(addr);
        break;
    case 0x4204: // PTRACE_GETREGSET, PTRACE_SETREGSET
    case 0x4205:
        addr_text = constant(addr, regset_table, "NT_");
        break;
    case 0x420a: // PTRACE_GETSIGMASK, PTRACE_SETSIGMASK: the mask's size
    case 0x420b:
    case 0x420c: // PTRACE_SECCOMP_GET_FILTER: the filter's index
    case 0x420d: // PTRACE_SECCOMP_GET_METADATA, PTRACE_GET_SYSCALL_INFO: a size
    case 0x420e:
        addr_text = std::to_string(addr);
        break;
    default:
        addr_text = pointer(addr);
    }
    out.args.push_back({std::move(addr_text), 2});
    // data
    switch (request) {
    case 7: // PTRACE_CONT, PTRACE_DETACH, PTRACE_SYSCALL, the steps and PTRACE_SYSEMU*
    case 9:
    case 17:
    case 24:
    case 31:
    case 32:
    case 33:
        out.args.push_back({signal_text(data), 3}); // the signal it delivers: 0, SIGCONT, 99
        break;
    case 21: // PTRACE_OLDSETOPTIONS, PTRACE_SETOPTIONS, PTRACE_SEIZE
    case 0x4200:
    case 0x4206:
        out.args.push_back({flag_names(data, ptrace_option_table), 3});
        break;
    case 0x4203: // PTRACE_SETSIGINFO
        out.args.push_back({siginfo_at(read, data), 3});
        break;
    case 0x420b: // PTRACE_SETSIGMASK
        out.args.push_back({sigset_at(read, data, addr), 3});
        break;
    case 0x4205: // PTRACE_SETREGSET
        out.args.push_back({regset_iov_at(read, addr, data, std::nullopt, true, limit), 3});
        break;
    case 1: // the PEEKs, PTRACE_GETEVENTMSG, PTRACE_GETSIGINFO, PTRACE_GETSIGMASK: written
    case 2:
    case 3:
    case 0x4201:
    case 0x4202:
    case 0x420a:
    case 0x420e: // PTRACE_GET_SYSCALL_INFO
        out.args.push_back({"", 3});
        out.at_exit = 3;
        break;
    case 0x4204: { // PTRACE_GETREGSET: the iovec as given, shown again at exit
        const auto iov = regset_iov(read, data);
        out.regset_len = iov ? std::optional<std::uint64_t>((*iov)[1]) : std::nullopt;
        out.args.push_back(
            {iov ? regset_iov_text(read, addr, *iov, std::nullopt, false, limit) : pointer(data),
             3});
        out.at_exit = 3;
        break;
    }
    default:
        out.args.push_back({pointer(data), 3});
    }
    return out;
}

/// The argument ptrace's request had the kernel write at `data`, once the call succeeded:
/// `[0x1122334455667788]`, `[768]`, a siginfo, a mask, registers. `regset_len`: the iovec's
/// length at entry (PTRACE_GETREGSET).
inline std::string ptrace_exit_text(const std::array<std::uint64_t, 6>& regs, std::int64_t ret,
                                    const ReadMemory& read, std::optional<std::uint64_t> regset_len,
                                    std::size_t limit) {
    using namespace detail;
    const std::uint64_t request = regs[0];
    const std::uint64_t data = regs[3];
    switch (request) {
    case 1: // the PEEKs: the word
    case 2:
    case 3:
        return written_at<std::uint64_t>(read, data, pointer);
    case 0x4201: // PTRACE_GETEVENTMSG
        return written_at<std::uint64_t>(read, data,
                                         [](std::uint64_t v) { return std::to_string(v); });
    case 0x4202:
        return siginfo_at(read, data);
    case 0x420a:
        return sigset_at(read, data, regs[2]);
    case 12:
        return user_regs_at(read, data);
    case 14:
        return user_fpregs_at(read, data, limit);
    case 0x4204:
        return regset_iov_at(read, regs[2], data, regset_len, true, limit);
    case 0x420e: // PTRACE_GET_SYSCALL_INFO: as many bytes as it returned
        return syscall_info_at(read, data, std::min(regs[2], static_cast<std::uint64_t>(ret)));
    default:
        return pointer(data);
    }
}

} // namespace strace_example
