# gdb's `call` at a signal stop: the function's return is a stop of its own (a SIGSEGV at the
# dummy frame gdb puts on the stack) whose siginfo replaced the signal's, and gdb writes the
# saved one back (qXfer:siginfo:write) before it goes on. The program's SA_SIGINFO handler must
# then receive the record sigqueue(3) sent (SI_QUEUE, the value 42): it exits 0 only for that.
# (No frame arguments: the stop's frame shows sigqueue's pid argument.)
set print frame-arguments none
continue
print $_siginfo.si_code
print $_siginfo._sifields._rt.si_sigval.sival_int
print twice(21)
print $_siginfo.si_signo
print $_siginfo.si_code
print $_siginfo._sifields._rt.si_sigval.sival_int
continue
