// SPDX-License-Identifier: MIT
// The Redox `proc:` scheme over Linux, everything: the user calls (api.hpp: open, close, read,
// write, lseek, fcntl, poll, dup, tid_of, fpath, run_on_tracer_thread) and the shim's
// internals that implement them (the Shim singleton, the handle table, the mem handle's I/O,
// the path parser), for the shim's own tests and tools. A program that only makes the calls
// includes api.hpp, which is much lighter in the separately compiled mode.
#pragma once

#include <ptrace/event.hpp>
#include <ptrace/flags.hpp>
#include <ptrace/regs.hpp>
#include <ptrace/result.hpp>
#include <ptrace/shim/api.hpp>
#include <ptrace/shim/convert.hpp>
#include <ptrace/shim/debugregs_io.hpp>
#include <ptrace/shim/inject.hpp>
#include <ptrace/shim/io.hpp>
#include <ptrace/shim/memory_io.hpp>
#include <ptrace/shim/paths.hpp>
#include <ptrace/shim/sys.hpp>
#include <ptrace/shim/tracer.hpp>
#include <ptrace/shim/xstate_io.hpp>
