# A server started with no process (`gdbserver --multi -`, gdb's extended-remote): gdb's `run`
# starts the program it was told of (`set remote exec-file`, vRun), twice: to its exit, and
# again to a breakpoint, then `kill`. Before the first `run` the server answers `?` with W00
# (no process), as GNU gdbserver does.
break work
run
print n
continue
continue
run
print n
kill
