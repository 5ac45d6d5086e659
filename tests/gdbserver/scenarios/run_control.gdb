# Run control beyond step and next: until, advance, finish with its value, return (a frame
# popped), a software watchpoint, and a jump to the line of a breakpoint the thread stands on:
# gdb leaves that breakpoint in and resumes, so the thread hits it again at once, without
# running the line (counter unchanged), as with GNU gdbserver; then info frame, the symbol and
# type of a function, the memory map and the auxiliary vector, which gdb reads from the server.
tbreak compute
continue
info frame
x/3i $pc
until
advance square
bt
finish
next
print value
return
bt
set can-use-hw-watchpoints 0
watch total
continue
continue
delete
break bump
continue
print counter
jump 36
print counter
set var counter = 40
print counter
info symbol bump
ptype compute
info proc mappings
info auxv
delete
continue
print $_exitcode
