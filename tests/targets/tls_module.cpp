// SPDX-License-Identifier: MIT
// The library gdb_tls dlopen()s: a thread_local of a module loaded after the program started,
// so its block is in each thread's DTV, allocated at the thread's first use of it.
thread_local int module_value = 0;

extern "C" void set_module_value(int value) {
    module_value = value;
}
