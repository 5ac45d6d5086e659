# Steps while the other threads run: gdb's default scheduler locking (`replay`: off while not
# replaying) resumes every thread while it steps one (`vCont;s:TID;c`, and `vCont;r...;c` for
# a source line), as GNU gdbserver runs them. The main thread's read of a pipe blocks until
# the writer thread, released from here, writes: a `stepi` of that syscall instruction, then a
# `next` over its line, end only because the writer ran meanwhile. The first `stepi` is over
# the breakpoint at handoff_before, which gdb takes out and steps the thread alone.
break *handoff_before
continue
set var handoff_release = 1
stepi
stepi
print (long)$pc - (long)&handoff_read
print $rax
continue
set var handoff_release = 2
next
print result
print (int)byte
delete
continue
