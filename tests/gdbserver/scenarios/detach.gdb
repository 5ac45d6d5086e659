# Detach at a breakpoint: the program goes on without gdb and writes its file (checked).
break bump
continue
print counter
detach
info inferiors
