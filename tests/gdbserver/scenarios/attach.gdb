# gdbserver --attach to a running program, which sleeps; set its flag and detach: it goes on
# and writes its file (checked).
backtrace
print stop
set var stop = 1
print stop
detach
