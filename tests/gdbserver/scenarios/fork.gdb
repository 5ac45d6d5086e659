# A fork with gdb's defaults (follow-fork-mode parent, detach-on-fork on): the server reports
# it (fork-events+), gdb takes its breakpoints out of the child and detaches it (`[Detaching
# after fork from child process N]`); the child runs through work() untraced, and the parent's
# exit code (033) says that it did (a child that met an int3 would die by SIGTRAP).
break work
continue
continue
continue
