# SIGUSR1 raised three times: stopped on, suppressed with `signal 0`, passed with continue,
# then passed without stopping; the exit code counts what the program's handler saw (2).
info signals SIGUSR1
continue
signal 0
continue
handle SIGUSR1 nostop noprint pass
continue
