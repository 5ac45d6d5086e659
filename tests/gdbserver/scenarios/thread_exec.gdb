# An exec from a thread other than the main one (stepping threadexec): the program's
# add_one(0) stops before it; after the exec the new program (stepping basic) has one thread,
# with the leader's id, and the breakpoint, set again by gdb in the new program, stops twice.
break add_one
continue
info threads
continue
info threads
continue
delete
continue
