# gdb's `signal SIG` at a stop for another signal: the one the thread stopped at is discarded
# and SIG is delivered as the thread goes on, without a stop for it, as GNU gdbserver gives it
# to PTRACE_CONT. SIGWINCH (ignored by default) lets the program go on to its next SIGUSR1;
# SIGUSR2, which gdb would stop at if it arrived on its own, ends the program.
continue
signal SIGWINCH
print $_siginfo.si_signo
print handled
signal SIGUSR2
