// SPDX-License-Identifier: MIT
// Umbrella header: includes every public header of the value layer (no Linux ptrace headers)
// except the opt-in <ptrace/hana.hpp>, which costs what Boost.Hana costs.
#pragma once

#include <ptrace/bitflags.hpp>
#include <ptrace/bytes.hpp>
#include <ptrace/c_string.hpp>
#include <ptrace/config.hpp>
#include <ptrace/debug_registers.hpp>
#include <ptrace/errnos.hpp>
#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/fwd.hpp>
#include <ptrace/inject.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/result.hpp>
#include <ptrace/signal_info.hpp>
#include <ptrace/signals.hpp>
#include <ptrace/syscall_classes.hpp>
#include <ptrace/syscall_set.hpp>
#include <ptrace/syscalls.hpp>
#include <ptrace/version.hpp>
#include <ptrace/xstate.hpp>
