# Four threads: the main one at a breakpoint, three workers blocked in read().
break all_ready
continue
info threads
thread 2
backtrace
thread apply all backtrace
thread 1
frame
delete
continue
