// SPDX-License-Identifier: MIT
// The hardware debug registers of a thread (`proc:<pid>/regs/debug`, issue 13): DR0-DR7 as the
// 64 bytes the handle reads and writes, and a typed view of them: four watchpoint slots (an
// address, a length and what fires: execution, writes, or reads and writes), validated as Linux
// validates them, and the status register's report of which slot fired.
#pragma once

#include <ptrace/config.hpp>
#include <ptrace/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace ptrace_api {

/// What a watchpoint fires on: the R/W field of its slot in DR7 (Intel SDM vol. 3, 18.2.4).
/// The fourth encoding (binary 10, I/O ports) needs CR4.DE and ring 0: Linux refuses it.
enum class WatchKind : std::uint8_t {
    Execute = 0,   ///< the instruction at the address is about to run (length 1 only)
    Write = 1,     ///< a write to any byte of the range
    ReadWrite = 3, ///< a read or a write of any byte of the range (not an instruction fetch)
};

/// A hardware watchpoint (or, with WatchKind::Execute, a hardware breakpoint): the range
/// [address, address + length) and what fires on it.
struct Watchpoint {
    std::uint64_t address = 0;
    /// 1, 2, 4 or 8 bytes; the address must be a multiple of it. Execute: 1.
    std::uint8_t length = 1;
    WatchKind kind = WatchKind::Write;

    friend constexpr bool operator==(const Watchpoint&, const Watchpoint&) = default;
};

/// Why a watchpoint or a set of debug registers is refused. Each has an errno-style code
/// (watchpoint_errc) and a sentence (describe).
enum class WatchpointProblem : std::uint8_t {
    None,           ///< acceptable
    BadSlot,        ///< a slot other than 0-3 (ERANGE): there are four
    NoFreeSlot,     ///< all four slots are in use (ENOSPC)
    BadLength,      ///< a length other than 1, 2, 4 or 8 (EINVAL)
    Misaligned,     ///< the address is not a multiple of the length (EINVAL)
    ExecuteLength,  ///< an Execute watchpoint of a length other than 1 (EINVAL)
    BadKind,        ///< the I/O encoding (binary 10) or a value outside WatchKind (EINVAL)
    NotUserAddress, ///< the range reaches past user space (EFAULT)
    ReservedNotZero ///< DR4 or DR5 (which do not exist) is not 0 (EINVAL)
};

/// The errno-style code of `problem` (an empty error_code for None).
[[nodiscard]] inline std::error_code watchpoint_errc(WatchpointProblem problem) noexcept {
    switch (problem) {
    case WatchpointProblem::None:
        return {};
    case WatchpointProblem::BadSlot:
        return std::make_error_code(std::errc::result_out_of_range);
    case WatchpointProblem::NoFreeSlot:
        return std::make_error_code(std::errc::no_space_on_device);
    case WatchpointProblem::NotUserAddress:
        return std::make_error_code(std::errc::bad_address);
    case WatchpointProblem::BadLength:
    case WatchpointProblem::Misaligned:
    case WatchpointProblem::ExecuteLength:
    case WatchpointProblem::BadKind:
    case WatchpointProblem::ReservedNotZero:
        break;
    }
    return std::make_error_code(std::errc::invalid_argument);
}

/// A sentence naming `problem`, for messages.
[[nodiscard]] constexpr std::string_view describe(WatchpointProblem problem) noexcept {
    switch (problem) {
    case WatchpointProblem::None:
        return "acceptable";
    case WatchpointProblem::BadSlot:
        return "there are four slots, 0 to 3";
    case WatchpointProblem::NoFreeSlot:
        return "all four slots are in use";
    case WatchpointProblem::BadLength:
        return "the length must be 1, 2, 4 or 8 bytes";
    case WatchpointProblem::Misaligned:
        return "the address must be a multiple of the length";
    case WatchpointProblem::ExecuteLength:
        return "an execution breakpoint has length 1";
    case WatchpointProblem::BadKind:
        return "the kind must be execute, write or read/write (I/O is not supported)";
    case WatchpointProblem::NotUserAddress:
        return "the range must lie in user space (below 0x7ffffffff000)";
    case WatchpointProblem::ReservedNotZero:
        return "DR4 and DR5 do not exist and must be 0";
    }
    return "unknown problem";
}

/// The name of `kind` ("execute", "write", "read/write").
[[nodiscard]] constexpr std::string_view describe(WatchKind kind) noexcept {
    switch (kind) {
    case WatchKind::Execute:
        return "execute";
    case WatchKind::Write:
        return "write";
    case WatchKind::ReadWrite:
        return "read/write";
    }
    return "invalid";
}

/// The eight debug registers of a thread as `proc:<pid>/regs/debug` reads and writes them
/// (8 native-endian u64, 64 bytes): DR0-DR3 the slots' addresses, DR4 and DR5 reserved
/// (read as 0, must be written as 0), DR6 the status, DR7 the control. The values are
/// Linux's ptrace view (PTRACE_PEEKUSER of `u_debugreg`): DR7 reads back as written, DR6 in
/// the architectural polarity (0xffff0ff0 when nothing was reported).
///
/// The typed view: slot `i` (0-3) is enabled when its local or global enable bit in DR7 is
/// set; its kind and length are DR7's R/W and LEN fields for it; its address is DR`i`.
/// set() and add() validate a watchpoint as Linux does (check()); clear() disables a slot and
/// zeroes its fields. The status: which slots fired (DR6 bits 0-3) and the single-step bit
/// (bit 14), as Linux reports them after a debug trap of the thread.
///
/// Linux checks the fields of all four slots, enabled or not (it keeps a breakpoint object
/// per slot once an address was written): a disabled slot must hold a valid combination too;
/// check_all() says whether the whole set is one Linux would take.
class DebugRegisters {
public:
    static constexpr std::size_t slot_count = 4;
    /// Linux's TASK_SIZE_MAX with 4-level paging: the first address no user watchpoint may
    /// reach (the last user page is excluded too).
    static constexpr std::uint64_t user_address_end = 0x7fff'ffff'f000ULL;
    /// DR6 with nothing reported (the reserved bits read as 1).
    static constexpr std::uint64_t dr6_clear = 0xffff'0ff0ULL;
    /// DR6: the single-step bit (BS).
    static constexpr std::uint64_t dr6_single_step = std::uint64_t{1} << 14;

    /// Nothing set: every slot disabled, DR6 as after a reset.
    constexpr DebugRegisters() noexcept { dr_[6] = dr6_clear; }

    /// The registers as the handle gives them (DR0 first).
    [[nodiscard]] static constexpr DebugRegisters
    from_raw(const std::array<std::uint64_t, 8>& values) noexcept {
        DebugRegisters regs;
        regs.dr_ = values;
        return regs;
    }
    /// DR0-DR7.
    [[nodiscard]] constexpr const std::array<std::uint64_t, 8>& raw() const noexcept { return dr_; }

    /// DR`i` (0-7). \pre i < 8.
    [[nodiscard]] constexpr std::uint64_t dr(std::size_t i) const noexcept {
        PTRACE_API_ASSERT(i < 8, "DebugRegisters: there are eight debug registers");
        return dr_[i];
    }
    /// Sets DR`i` (0-7) as it is, for raw edits (nothing is checked). \pre i < 8.
    constexpr void set_dr(std::size_t i, std::uint64_t value) noexcept {
        PTRACE_API_ASSERT(i < 8, "DebugRegisters: there are eight debug registers");
        dr_[i] = value;
    }
    [[nodiscard]] constexpr std::uint64_t dr6() const noexcept { return dr_[6]; }
    [[nodiscard]] constexpr std::uint64_t dr7() const noexcept { return dr_[7]; }

    /// Whether `w` could be set in a slot: None, or the first problem found (kind, length,
    /// execute length, alignment, user space, in that order).
    [[nodiscard]] static constexpr WatchpointProblem check(const Watchpoint& w) noexcept {
        if (w.kind != WatchKind::Execute && w.kind != WatchKind::Write &&
            w.kind != WatchKind::ReadWrite) {
            return WatchpointProblem::BadKind;
        }
        if (w.length != 1 && w.length != 2 && w.length != 4 && w.length != 8) {
            return WatchpointProblem::BadLength;
        }
        if (w.kind == WatchKind::Execute && w.length != 1) {
            return WatchpointProblem::ExecuteLength;
        }
        if ((w.address & (w.length - 1U)) != 0) {
            return WatchpointProblem::Misaligned;
        }
        if (w.address >= user_address_end || user_address_end - w.address < w.length) {
            return WatchpointProblem::NotUserAddress;
        }
        return WatchpointProblem::None;
    }

    /// Sets `w` in `slot` and enables the slot (its local enable bit).
    /// \errors ERANGE slot > 3; EINVAL a bad length, kind or alignment, or Execute with a
    /// length other than 1; EFAULT a range outside user space (check() names the problem).
    /// Nothing changes on error.
    Result<void> set(std::size_t slot, const Watchpoint& w) noexcept {
        if (slot >= slot_count) {
            return Unexpected(watchpoint_errc(WatchpointProblem::BadSlot));
        }
        if (const WatchpointProblem p = check(w); p != WatchpointProblem::None) {
            return Unexpected(watchpoint_errc(p));
        }
        dr_[slot] = w.address;
        std::uint64_t control = dr_[7] & ~slot_mask(slot);
        control |= std::uint64_t{1} << (2 * slot); // local enable
        control |= std::uint64_t{static_cast<std::uint8_t>(w.kind)} << rw_shift(slot);
        control |= std::uint64_t{len_field(w.length)} << len_shift(slot);
        dr_[7] = control;
        return {};
    }

    /// Sets `w` in the first slot not enabled. \returns the slot.
    /// \errors ENOSPC every slot is enabled; set()'s errors.
    Result<std::size_t> add(const Watchpoint& w) noexcept {
        for (std::size_t slot = 0; slot < slot_count; ++slot) {
            if (!enabled(slot)) {
                if (auto r = set(slot, w); !r) {
                    return Unexpected(r.error());
                }
                return slot;
            }
        }
        return Unexpected(watchpoint_errc(WatchpointProblem::NoFreeSlot));
    }

    /// Disables `slot` and zeroes its address, kind and length. \errors ERANGE slot > 3.
    Result<void> clear(std::size_t slot) noexcept {
        if (slot >= slot_count) {
            return Unexpected(watchpoint_errc(WatchpointProblem::BadSlot));
        }
        dr_[slot] = 0;
        dr_[7] &= ~slot_mask(slot);
        return {};
    }

    /// Whether `slot` is enabled (its local or global enable bit). \pre slot < 4.
    [[nodiscard]] constexpr bool enabled(std::size_t slot) const noexcept {
        PTRACE_API_ASSERT(slot < slot_count, "DebugRegisters: there are four slots");
        return ((dr_[7] >> (2 * slot)) & 3U) != 0;
    }

    /// What `slot` holds, enabled or not: its address, kind and length; nothing when its
    /// fields do not make a watchpoint (the I/O kind). \pre slot < 4.
    [[nodiscard]] constexpr std::optional<Watchpoint>
    watchpoint_at(std::size_t slot) const noexcept {
        PTRACE_API_ASSERT(slot < slot_count, "DebugRegisters: there are four slots");
        const auto rw = static_cast<unsigned>((dr_[7] >> rw_shift(slot)) & 3U);
        const auto len = static_cast<unsigned>((dr_[7] >> len_shift(slot)) & 3U);
        if (rw == 2) {
            return std::nullopt;
        }
        constexpr std::array<std::uint8_t, 4> lengths{1, 2, 8, 4}; // LEN 00, 01, 10, 11
        return Watchpoint{dr_[slot], lengths[len], static_cast<WatchKind>(rw)};
    }

    /// The watchpoint of `slot` if it is enabled. \pre slot < 4.
    [[nodiscard]] constexpr std::optional<Watchpoint> get(std::size_t slot) const noexcept {
        return enabled(slot) ? watchpoint_at(slot) : std::nullopt;
    }

    /// The problem Linux would refuse this set for (None: it takes it): DR4 or DR5 not 0, or a
    /// slot, enabled or not, whose fields are not a valid watchpoint (check()): an I/O kind,
    /// an execution slot with a length, a misaligned address, an address outside user space.
    /// `bad_slot`, when given, receives the slot at fault.
    [[nodiscard]] constexpr WatchpointProblem
    check_all(std::size_t* bad_slot = nullptr) const noexcept {
        if (dr_[4] != 0 || dr_[5] != 0) {
            return WatchpointProblem::ReservedNotZero;
        }
        for (std::size_t i = 0; i < slot_count; ++i) {
            const auto rw = static_cast<unsigned>((dr_[7] >> rw_shift(i)) & 3U);
            const auto len = static_cast<unsigned>((dr_[7] >> len_shift(i)) & 3U);
            WatchpointProblem p = WatchpointProblem::None;
            if (rw == 2) {
                p = WatchpointProblem::BadKind;
            } else if (rw == 0 && len != 0) {
                p = WatchpointProblem::ExecuteLength;
            } else {
                p = check(*watchpoint_at(i));
            }
            if (p != WatchpointProblem::None) {
                if (bad_slot != nullptr) {
                    *bad_slot = i;
                }
                return p;
            }
        }
        return WatchpointProblem::None;
    }

    /// Whether `slot`'s condition was reported by the last debug trap (DR6 bit `slot`).
    /// \pre slot < 4.
    [[nodiscard]] constexpr bool hit(std::size_t slot) const noexcept {
        PTRACE_API_ASSERT(slot < slot_count, "DebugRegisters: there are four slots");
        return ((dr_[6] >> slot) & 1U) != 0;
    }
    /// The lowest slot DR6 reports as hit, or nothing.
    [[nodiscard]] constexpr std::optional<std::size_t> fired_slot() const noexcept {
        for (std::size_t i = 0; i < slot_count; ++i) {
            if (hit(i)) {
                return i;
            }
        }
        return std::nullopt;
    }
    /// Whether DR6 reports a single-step trap (bit 14; Linux also sets it for PTRACE_SINGLESTEP).
    [[nodiscard]] constexpr bool single_step() const noexcept {
        return (dr_[6] & dr6_single_step) != 0;
    }
    /// Sets DR6 to its value with nothing reported. Linux resets it at each debug trap of the
    /// thread, to what that trap reports.
    constexpr void clear_status() noexcept { dr_[6] = dr6_clear; }

    friend constexpr bool operator==(const DebugRegisters&, const DebugRegisters&) = default;

private:
    static constexpr unsigned rw_shift(std::size_t slot) noexcept {
        return static_cast<unsigned>(16 + 4 * slot);
    }
    static constexpr unsigned len_shift(std::size_t slot) noexcept {
        return static_cast<unsigned>(18 + 4 * slot);
    }
    /// The enable bits and the R/W and LEN fields of `slot` in DR7.
    static constexpr std::uint64_t slot_mask(std::size_t slot) noexcept {
        return (std::uint64_t{3} << (2 * slot)) | (std::uint64_t{0xf} << rw_shift(slot));
    }
    /// LEN: 1 -> 00, 2 -> 01, 8 -> 10, 4 -> 11. \pre a valid length.
    static constexpr unsigned len_field(std::uint8_t length) noexcept {
        switch (length) {
        case 2:
            return 1;
        case 8:
            return 2;
        case 4:
            return 3;
        default:
            return 0;
        }
    }

    std::array<std::uint64_t, 8> dr_{};
};

static_assert(sizeof(DebugRegisters) == 64);

} // namespace ptrace_api
