# gdb's `set follow-fork-mode child` (detach-on-fork on): at the fork gdb takes its
# breakpoints out of both processes, detaches the parent (`D;<parent>`) and goes on with the
# child, which the server then serves as its process (registers, memory, breakpoints,
# resuming, its exit), as GNU gdbserver does. The parent runs on untraced.
set follow-fork-mode child
break work
continue
continue
print n
bt
info threads
continue
