# break, tbreak, info breakpoints, delete, disable, enable, continue to the end; $_siginfo at a
# breakpoint hit (the int3's SIGTRAP, SI_KERNEL).
break compute
tbreak square
info breakpoints
continue
print $_siginfo.si_signo
print $_siginfo.si_code
continue
continue
delete 1
break bump
disable 3
break add
info breakpoints
continue
enable 3
continue
delete
continue
