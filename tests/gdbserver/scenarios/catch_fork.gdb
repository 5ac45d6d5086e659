# catch fork: the catchpoint fires at the program's fork and names the child; the table shows
# the hit. Silent, because the stop's place is not the same: GNU gdbserver stops the parent at
# the fork's return (arch_fork), the example shortly after it (the Redox model queues the
# clone event while the parent runs on, spec rule C5). Continuing, gdb detaches the child,
# which runs through work() untraced (exit 033).
catch fork
commands
  silent
  info breakpoints
end
break work
continue
continue
continue
continue
