# A real program, CPython (programs/py_libcall.py): a breakpoint in libc (getppid), the
# shared libraries then (its extension module loaded), and on to its exit code.
set breakpoint pending on
break getppid
continue
backtrace 3
info sharedlibrary
delete
continue
