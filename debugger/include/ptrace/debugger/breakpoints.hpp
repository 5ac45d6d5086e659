// SPDX-License-Identifier: MIT
// Software breakpoints of one process: a table of int3 sites (address -> the byte the int3
// replaced), the user's breakpoints on them (enabled or not, hit counts, an optional
// condition), and the memory view a debugger needs with int3s in the text: reads that show
// the original bytes and writes that keep the breakpoints. Driving threads over them
// (continue, step over a hit, step, next, finish) is Inferior's job (inferior.hpp).
#pragma once

#include <ptrace/debugger/error.hpp>
#include <ptrace/debugger/maps.hpp>
#include <ptrace/memory.hpp>
#include <ptrace/regs.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace ptrace_api::debugger {

/// The one-byte int3 instruction a software breakpoint writes over an instruction's first
/// byte.
inline constexpr std::byte int3_opcode{0xCC};

/// Decides whether a hit stops: called with the thread that hit and its registers, rip already
/// moved back onto the breakpoint's address. False: the hit is counted as filtered and the
/// thread goes on as if nothing happened.
using BreakpointCondition = std::function<bool(pid_t tid, const IntRegisters& regs)>;

/// A user's breakpoint.
struct Breakpoint {
    std::uint64_t address = 0;
    bool enabled = true;
    /// Hits that stop: the int3 ran with no condition or with the condition true (counted when
    /// it ran; a hit kept while other threads were stopped is not reported if the breakpoint
    /// is disabled before its turn, see Inferior::cont).
    std::uint64_t hits = 0;
    /// Hits the condition turned down (the thread was stepped over the breakpoint silently).
    std::uint64_t filtered = 0;
    /// Empty: every hit stops.
    BreakpointCondition condition;
};

/// The breakpoints of one process. Every site is an address whose first byte this table
/// replaced by int3 (or would, when enabled) and the byte it saved. A site exists for a user's
/// breakpoint (set(), enabled or not) and for the temporary breakpoints Inferior places to
/// run to a return address (add_internal()); the int3 is in memory while one of them needs it.
///
/// The memory handle is the process's (`/proc/<pid>/mem` of any of its threads: one address
/// space). Errors name the address and the cause.
class Breakpoints {
public:
    /// A table over `memory`, the memory handle of the process (of any of its threads).
    explicit Breakpoints(Memory memory) noexcept : memory_(std::move(memory)) {}

    /// Opens the memory handle of `pid` for a new table.
    /// \errors ESRCH no such process; EPERM not allowed to trace it.
    [[nodiscard]] static DebugResult<Breakpoints> open(pid_t pid) {
        auto memory = Memory::open(pid);
        if (!memory) {
            return debug_errno(memory.error().value(),
                               "breakpoints: cannot open the memory of process " +
                                   std::to_string(pid));
        }
        return Breakpoints(std::move(*memory));
    }

    [[nodiscard]] pid_t pid() const noexcept { return memory_.pid(); }

    /// Sets an enabled breakpoint at `address`, checked against the process's memory map read
    /// now. \errors as the other overload; ESRCH the process is gone.
    DebugResult<const Breakpoint*> set(std::uint64_t address, BreakpointCondition condition = {}) {
        auto map = read_maps(pid());
        if (!map) {
            return map.error();
        }
        return set(address, *map, std::move(condition));
    }

    /// Sets an enabled breakpoint at `address` (its int3 is written at once), with an optional
    /// condition. `map` is the process's memory map (read_maps, SymbolTable::map()).
    /// \returns the breakpoint, valid until remove(address) or the table's end.
    /// \errors EFAULT no mapping of `map` holds `address`; EACCES its mapping is not
    /// executable; EEXIST a breakpoint is set at `address` already; the memory's errors
    /// (ESRCH the process is gone).
    DebugResult<const Breakpoint*> set(std::uint64_t address, const MemoryMap& map,
                                       BreakpointCondition condition = {}) {
        const MapEntry* entry = map.find(address);
        if (entry == nullptr) {
            return debug_error(std::errc::bad_address,
                               "breakpoint at " + detail::hex_address(address) +
                                   ": no mapping of process " + std::to_string(pid()) +
                                   " holds this address");
        }
        if (!entry->perms.execute) {
            return debug_error(std::errc::permission_denied,
                               "breakpoint at " + detail::hex_address(address) +
                                   ": not in executable memory (its mapping is '" +
                                   entry->perms.to_string() + " " + entry->path + "')");
        }
        auto found = sites_.find(address);
        if (found != sites_.end() && found->second.user) {
            return debug_error(std::errc::file_exists, "breakpoint at " +
                                                           detail::hex_address(address) +
                                                           ": one is set there already");
        }
        if (found == sites_.end()) {
            auto original = read_raw(address);
            if (!original) {
                return original.error();
            }
            found = sites_.emplace(address, Site{*original, false, {}, 0}).first;
        }
        Site& site = found->second;
        site.user = Breakpoint{address, true, 0, 0, std::move(condition)};
        if (auto r = sync(address, site); !r) {
            site.user.reset();
            forget_if_unused(found);
            return r.error();
        }
        return &*site.user;
    }

    /// Enables the breakpoint at `address` (writes its int3). \errors ENOENT none is set there;
    /// the memory's errors.
    DebugResult<void> enable(std::uint64_t address) { return set_enabled(address, true); }

    /// Disables the breakpoint at `address` (puts the original byte back, unless a temporary
    /// breakpoint needs the int3 there). Its counts are kept. \errors as enable().
    DebugResult<void> disable(std::uint64_t address) { return set_enabled(address, false); }

    /// Replaces the condition of the breakpoint at `address` (empty: none).
    /// \errors ENOENT none is set there.
    DebugResult<void> set_condition(std::uint64_t address, BreakpointCondition condition) {
        Breakpoint* bp = user_at(address);
        if (bp == nullptr) {
            return unknown(address);
        }
        bp->condition = std::move(condition);
        return {};
    }

    /// Removes the breakpoint at `address` (puts the original byte back unless a temporary
    /// breakpoint needs the int3). \errors ENOENT none is set there; the memory's errors.
    DebugResult<void> remove(std::uint64_t address) {
        const auto found = sites_.find(address);
        if (found == sites_.end() || !found->second.user) {
            return unknown(address);
        }
        std::optional<Breakpoint> old = std::move(found->second.user);
        found->second.user.reset();
        if (auto r = sync(address, found->second); !r) {
            found->second.user = std::move(old);
            return r.error();
        }
        forget_if_unused(found);
        return {};
    }

    /// The user's breakpoint at `address`; nullptr when none is set there.
    [[nodiscard]] const Breakpoint* find(std::uint64_t address) const noexcept {
        const auto found = sites_.find(address);
        return found == sites_.end() || !found->second.user ? nullptr : &*found->second.user;
    }

    /// Every user breakpoint, by address.
    [[nodiscard]] std::vector<const Breakpoint*> list() const {
        std::vector<const Breakpoint*> out;
        for (const auto& [address, site] : sites_) {
            if (site.user) {
                out.push_back(&*site.user);
            }
        }
        return out;
    }

    /// Whether an int3 of this table is in memory at `address` now.
    [[nodiscard]] bool inserted(std::uint64_t address) const noexcept {
        const auto found = sites_.find(address);
        return found != sites_.end() && found->second.inserted;
    }

    /// Fills `out` with the process's bytes at `address`, with the original byte wherever an
    /// int3 of this table is. \errors EFAULT part of the range is unmapped; ESRCH the process
    /// is gone.
    DebugResult<void> read_memory(std::uint64_t address, std::span<std::byte> out) {
        if (auto r = memory_.read(address, out); !r) {
            return memory_error(r.error(), "read", address, out.size());
        }
        for (auto it = sites_.lower_bound(address);
             it != sites_.end() && it->first - address < out.size(); ++it) {
            if (it->second.inserted) {
                out[it->first - address] = it->second.original;
            }
        }
        return {};
    }

    /// `size` bytes at `address` as read_memory() shows them.
    DebugResult<std::vector<std::byte>> read_memory(std::uint64_t address, std::size_t size) {
        std::vector<std::byte> out(size);
        if (auto r = read_memory(address, std::span<std::byte>(out)); !r) {
            return r.error();
        }
        return out;
    }

    /// Writes `data` at `address` and keeps the breakpoints: where an int3 of this table is,
    /// the new byte becomes the saved original byte and the int3 stays; at a site whose int3
    /// is not in memory the saved byte is updated too. \errors as Memory::write.
    DebugResult<void> write_memory(std::uint64_t address, std::span<const std::byte> data) {
        std::vector<std::byte> bytes(data.begin(), data.end());
        for (auto it = sites_.lower_bound(address);
             it != sites_.end() && it->first - address < bytes.size(); ++it) {
            if (it->second.inserted) {
                bytes[it->first - address] = int3_opcode;
            }
        }
        if (auto r = memory_.write(address, bytes); !r) {
            return memory_error(r.error(), "write", address, bytes.size());
        }
        for (auto it = sites_.lower_bound(address);
             it != sites_.end() && it->first - address < bytes.size(); ++it) {
            it->second.original = data[it->first - address];
        }
        return {};
    }

    /// The memory handle, for raw access: it shows the int3s as they are.
    [[nodiscard]] Memory& memory() noexcept { return memory_; }

    // For Inferior: temporary breakpoints and the step over a site.

    /// Adds a temporary breakpoint at `address` (reference counted; not listed, never counted).
    /// \errors the memory's (EFAULT unmapped).
    DebugResult<void> add_internal(std::uint64_t address) {
        auto found = sites_.find(address);
        if (found == sites_.end()) {
            auto original = read_raw(address);
            if (!original) {
                return original.error();
            }
            found = sites_.emplace(address, Site{*original, false, {}, 0}).first;
        }
        ++found->second.internal;
        if (auto r = sync(address, found->second); !r) {
            --found->second.internal;
            forget_if_unused(found);
            return r.error();
        }
        return {};
    }

    /// Drops one reference to the temporary breakpoint at `address`.
    DebugResult<void> remove_internal(std::uint64_t address) {
        const auto found = sites_.find(address);
        if (found == sites_.end() || found->second.internal == 0) {
            return debug_error(std::errc::no_such_file_or_directory,
                               "no temporary breakpoint at " + detail::hex_address(address));
        }
        --found->second.internal;
        auto r = sync(address, found->second);
        forget_if_unused(found);
        return r;
    }

    /// Whether a temporary breakpoint is at `address`.
    [[nodiscard]] bool has_internal(std::uint64_t address) const noexcept {
        const auto found = sites_.find(address);
        return found != sites_.end() && found->second.internal > 0;
    }

    /// Takes the int3 at `address` out of memory for a step over it (the site stays; lower()
    /// puts it back). \pre inserted(address)
    DebugResult<void> lift(std::uint64_t address) {
        const auto found = sites_.find(address);
        PTRACE_API_ASSERT(found != sites_.end() && found->second.inserted, "lift: no int3 there");
        if (auto r = write_raw(address, found->second.original); !r) {
            return r;
        }
        found->second.inserted = false;
        found->second.lifted = true;
        return {};
    }

    /// Ends a step over `address`: writes the int3 again if the site still needs it.
    DebugResult<void> lower(std::uint64_t address) {
        const auto found = sites_.find(address);
        if (found == sites_.end()) {
            return {};
        }
        found->second.lifted = false;
        return sync(address, found->second);
    }

    /// Takes every int3 out of memory and keeps them out, whatever the breakpoints ask
    /// (set(), enable(), temporary ones), until as many put_back() calls: while a process
    /// that the debugger does not trace (a vfork child) runs in this memory, where an int3
    /// would kill it by SIGTRAP. \errors the memory's (the int3s written out so far stay out).
    DebugResult<void> take_out() {
        ++out_;
        for (auto& [address, site] : sites_) {
            if (site.inserted) {
                if (auto r = write_raw(address, site.original); !r) {
                    return r;
                }
                site.inserted = false;
            }
        }
        return {};
    }

    /// Ends one take_out(): after the last, every int3 the breakpoints ask for is written
    /// again. \errors the memory's.
    DebugResult<void> put_back() {
        PTRACE_API_ASSERT(out_ > 0, "put_back: no take_out");
        if (--out_ > 0) {
            return {};
        }
        DebugResult<void> result;
        for (auto& [address, site] : sites_) {
            if (auto r = sync(address, site); !r && result) {
                result = r.error();
            }
        }
        return result;
    }

    /// Whether the int3s are out of memory (take_out()).
    [[nodiscard]] bool taken_out() const noexcept { return out_ > 0; }

    /// The addresses whose int3 is in memory now (for taking them out of a forked copy).
    [[nodiscard]] std::vector<std::uint64_t> inserted_sites() const {
        std::vector<std::uint64_t> out;
        for (const auto& [address, site] : sites_) {
            if (site.inserted) {
                out.push_back(address);
            }
        }
        return out;
    }

    /// The table of a forked copy of this process, over `child` (the child's memory handle):
    /// the child's memory holds the int3s this table had in memory at the fork, so the copy
    /// starts from the same sites. User breakpoints are copied (enabled or not, with their
    /// conditions; counts start at 0); temporary breakpoints are not, and an int3 that only
    /// they needed is taken out of the child's memory (errors writing it are ignored: the
    /// child may be gone).
    [[nodiscard]] Breakpoints forked_copy(Memory child) const {
        Breakpoints copy(std::move(child));
        for (const auto& [address, site] : sites_) {
            Site s;
            s.original = site.original;
            s.inserted = site.inserted;
            if (site.user) {
                s.user = *site.user;
                s.user->hits = 0;
                s.user->filtered = 0;
            }
            const auto it = copy.sites_.emplace(address, std::move(s)).first;
            (void)copy.sync(address, it->second);
            copy.forget_if_unused(it);
        }
        return copy;
    }

    /// The byte saved at the site `address`. \pre a site exists there.
    [[nodiscard]] std::byte original(std::uint64_t address) const noexcept {
        const auto found = sites_.find(address);
        PTRACE_API_ASSERT(found != sites_.end(), "original: no site there");
        return found->second.original;
    }

    /// Counts a hit of the user's breakpoint at `address` as stopped or filtered.
    void count(std::uint64_t address, bool stopped) noexcept {
        if (Breakpoint* bp = user_at(address)) {
            ++(stopped ? bp->hits : bp->filtered);
        }
    }

    /// The user's enabled breakpoint at `address`, for evaluating a hit; nullptr otherwise.
    [[nodiscard]] const Breakpoint* enabled_at(std::uint64_t address) const noexcept {
        const Breakpoint* bp = find(address);
        return bp != nullptr && bp->enabled ? bp : nullptr;
    }

private:
    struct Site {
        std::byte original{};
        bool inserted = false; ///< the int3 is in memory
        std::optional<Breakpoint> user;
        unsigned internal = 0; ///< temporary breakpoints here
        bool lifted = false;   ///< taken out for a step over it
    };

    Breakpoint* user_at(std::uint64_t address) noexcept {
        const auto found = sites_.find(address);
        return found == sites_.end() || !found->second.user ? nullptr : &*found->second.user;
    }

    static DebugError unknown(std::uint64_t address) {
        return debug_error(std::errc::no_such_file_or_directory,
                           "no breakpoint is set at " + detail::hex_address(address));
    }

    DebugError memory_error(std::error_code code, const char* what, std::uint64_t address,
                            std::size_t size) const {
        std::string message = std::string("cannot ") + what + " " + std::to_string(size) +
                              " bytes at " + detail::hex_address(address) + " in process " +
                              std::to_string(pid());
        if (code == std::errc::no_such_process) {
            message += ": the process is gone";
        } else if (code == std::errc::bad_address) {
            message += ": part of the range is unmapped";
        }
        return DebugError{code, std::move(message)};
    }

    DebugResult<std::byte> read_raw(std::uint64_t address) {
        std::byte b{};
        if (auto r = memory_.read(address, std::span<std::byte>(&b, 1)); !r) {
            return memory_error(r.error(), "read", address, 1);
        }
        return b;
    }

    DebugResult<void> write_raw(std::uint64_t address, std::byte b) {
        if (auto r = memory_.write(address, std::span<const std::byte>(&b, 1)); !r) {
            return memory_error(r.error(), "write", address, 1);
        }
        return {};
    }

    DebugResult<void> set_enabled(std::uint64_t address, bool on) {
        const auto found = sites_.find(address);
        if (found == sites_.end() || !found->second.user) {
            return unknown(address);
        }
        const bool before = found->second.user->enabled;
        found->second.user->enabled = on;
        if (auto r = sync(address, found->second); !r) {
            found->second.user->enabled = before;
            return r;
        }
        return {};
    }

    /// Puts the int3 in memory or takes it out, as the site's users need (not while lifted;
    /// always out while taken out).
    DebugResult<void> sync(std::uint64_t address, Site& site) {
        const bool wanted = out_ == 0 && ((site.user && site.user->enabled) || site.internal > 0);
        if (site.lifted || wanted == site.inserted) {
            return {};
        }
        if (auto r = write_raw(address, wanted ? int3_opcode : site.original); !r) {
            return r;
        }
        site.inserted = wanted;
        return {};
    }

    void forget_if_unused(std::map<std::uint64_t, Site>::iterator it) {
        if (!it->second.user && it->second.internal == 0 && !it->second.inserted &&
            !it->second.lifted) {
            sites_.erase(it);
        }
    }

    Memory memory_;
    std::map<std::uint64_t, Site> sites_;
    unsigned out_ = 0; ///< take_out() calls not ended by put_back()
};

} // namespace ptrace_api::debugger
