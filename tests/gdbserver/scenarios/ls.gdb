# A real program, /bin/ls (stripped): a breakpoint on a libc function it calls once
# (opendir), the backtrace through ls's own code, finish, then another libc function (write:
# the listing) and on to the end.
set breakpoint pending on
break opendir
continue
backtrace
finish
break write
continue
backtrace 2
delete
continue
