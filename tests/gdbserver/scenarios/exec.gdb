# A real program that executes another: env runs ls (exec-events+). gdb prints `process N is
# executing new program: /usr/bin/ls`, loads ls and puts the pending breakpoint on opendir
# into it (the debugger kit follows the exec through the shim's exec stop, decision 26); ls
# stops there, and runs on to its end.
set breakpoint pending on
break opendir
continue
backtrace 2
continue
