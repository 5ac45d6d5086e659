# `queue-signal` of a signal the thread blocks: at a breakpoint in the SIGUSR1 handler (SIGUSR1
# is blocked there), gdb queues SIGUSR1 and continues (vCont;C1e). The kernel holds it until the
# handler returns (it queues a blocked signal a tracer injects again), and its arrival then is
# a new signal, reported by its `handle`, before the handler runs a second time (`handled` is
# still 1), as with GNU gdbserver; the server used to let it pass unreported. Then every signal
# passes: the handler runs four times in all (the exit code).
break on_usr1
continue
continue
queue-signal SIGUSR1
continue
print handled
delete
handle SIGUSR1 nostop noprint
continue
