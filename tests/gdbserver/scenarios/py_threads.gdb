# A real threaded program, CPython (programs/py_threads.py): the main thread stops in
# getppid() with three workers blocked in a futex wait; the threads and their backtraces.
set breakpoint pending on
break getppid
continue
info threads
thread apply all backtrace 4
thread 2
frame
delete
continue
