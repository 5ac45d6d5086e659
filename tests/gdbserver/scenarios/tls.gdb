# Thread-local variables (qGetTLSAddr; tests/targets/gdb_tls.cpp): libc's errno, the program's
# own thread_local in each thread, and the thread_local of a dlopen()ed library (dynamic TLS),
# which the main thread never used: its block is not allocated there, and gdb says so. GNU
# gdbserver answers through glibc's libthread_db, this server through the same descriptors of
# glibc's layout (the debugger kit's TlsLayout).
break all_ready
continue
print errno
print tls_index
thread apply all print tls_index
thread 2
print module_value
print errno
thread 3
print module_value
thread 1
python
try:
    gdb.execute("print module_value")
except gdb.error as e:
    print("error: %s" % e)
end
delete
continue
