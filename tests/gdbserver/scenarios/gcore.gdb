# gdb's `gcore` at a breakpoint: every mapping of the program read through the server (its
# memory map from /proc/PID/maps and smaps through vFile:, then m packets), written to
# /dev/null. The same warnings as with GNU gdbserver (a mapping that cannot be read). The core
# has no NT_SIGINFO note with this server (no qXfer:siginfo, README "Differences").
break vector_loaded
continue
gcore /dev/null
print counter
continue
