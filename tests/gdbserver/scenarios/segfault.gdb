# A write through a null pointer: gdb stops on SIGSEGV, shows its siginfo ($_siginfo, SEGV_MAPERR
# at 0), then continuing kills the program.
continue
print $_siginfo.si_signo
print $_siginfo.si_code
print $_siginfo._sifields._sigfault.si_addr
backtrace
print where
continue
info threads
