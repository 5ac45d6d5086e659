# A vfork with gdb's defaults: the child runs in its parent's memory, untraced, through work()
# and _exit. GNU gdbserver reports the vfork (vfork-events) and gdb takes its breakpoints out
# until the child is gone; this server offers no vfork events: the debugger kit keeps the int3s
# out of that memory itself while the parent is in the vfork. `next` over the vfork puts gdb's
# step-resume breakpoint where both processes return to, and work has one: the child meets
# neither, the parent stops after the call and then at work(3), and its exit code (033) says
# that the child ran through (a child that met an int3 would die by SIGTRAP). gdb's lines about
# the child (`[Detaching after vfork from child process N]`), which only vfork events give, are
# not printed.
set print inferior-events off
break work
continue
finish
next
next
continue
continue
print $_exitcode
