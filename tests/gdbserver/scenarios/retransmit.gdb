# The server starts 2.5 s late, after gdb's 2 s remote timeout: gdb sends qSupported again
# (`set remotetimeout 2`, the default), and the session must go on as with a prompt server.
info threads
kill
