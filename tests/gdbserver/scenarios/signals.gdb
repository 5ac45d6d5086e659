# SIGUSR1 raised three times: stopped on, suppressed with `signal 0`, passed with continue,
# then passed without stopping; the exit code counts what the program's handler saw (2).
# $_siginfo at each stop (qXfer:siginfo:read): raise(3) is tgkill(2), si_code SI_TKILL (-6).
info signals SIGUSR1
continue
print $_siginfo.si_signo
print $_siginfo.si_code
signal 0
continue
print $_siginfo.si_code
handle SIGUSR1 nostop noprint pass
continue
