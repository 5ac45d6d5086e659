# step into a call, finish out of it, next over calls, stepi and nexti, until the end; $_siginfo
# after a stepi (the step's SIGTRAP).
break compute
continue
step
step
finish
next
step
finish
next
stepi
stepi
print $_siginfo.si_signo
print $_siginfo.si_code
nexti
info line *$pc
next
next
delete
continue
