# Scheduler locking: with `set scheduler-locking on` gdb resumes the thread it steps or
# continues alone (vCont;c:TID with no action for the others), so the spinning worker does not
# count while the main thread runs `next` and `continue` (spins stays), as with GNU gdbserver;
# `step` locks only the stepping commands. Unlocked, every thread runs again.
break tick
continue
set scheduler-locking on
set $before = spins
next
next
print spins == $before
continue
print spins == $before
print ticks
set scheduler-locking step
next
print spins == $before
set scheduler-locking off
delete
continue
