# Scheduler locking on a thread that exits: with `set scheduler-locking on` gdb continues the
# writer thread of `gdb_threads handoff` alone (vCont;c:TID); it writes both bytes and ends.
# Nothing gdb resumed is left, so the reply is `N` (gdb prints "No unwaited-for children
# left."), as GNU gdbserver gives it, and the main thread has not moved. (The server used to
# resume every thread then, and gdb died of an internal error at the main thread's stop.)
break *handoff_before
continue
set var handoff_release = 2
python
[t for t in gdb.selected_inferior().threads() if t.num == 2][0].switch()
end
set scheduler-locking on
continue
info threads
set scheduler-locking off
thread 1
delete
continue
