# Backtraces, frames, arguments and locals two calls deep.
break add
continue
continue
backtrace
backtrace full
frame 1
info locals
up
info args
down 2
info frame
kill
