# Four threads: the main one at a breakpoint, three workers blocked in read(). A worker's
# $_siginfo is the SIGSTOP that stopped it for the breakpoint (SI_TKILL, from the server).
break all_ready
continue
info threads
thread 2
backtrace
print $_siginfo.si_signo
print $_siginfo.si_code
thread apply all backtrace
thread 1
frame
print $_siginfo.si_signo
delete
continue
