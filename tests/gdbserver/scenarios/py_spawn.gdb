# A real program, CPython (programs/py_spawn.py): a breakpoint on libc's execve, which only
# the posix_spawn child runs, untraced, in its parent's memory. The parent never stops there,
# and its exit code (03) says that the child did not meet the int3 either.
set print inferior-events off
set breakpoint pending on
break execve
continue
info breakpoints
