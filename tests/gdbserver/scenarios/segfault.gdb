# A write through a null pointer: gdb stops on SIGSEGV, then continuing kills the program.
continue
backtrace
print where
continue
info threads
