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
# compare-sections (qCRC): gdb asks for the CRC of each section at its address in the file,
# which for this PIE is not where it is mapped: the server answers E01, as GNU's does, and gdb
# says "target memory fault" (the error is caught so that the scenario goes on).
python
try:
    gdb.execute("compare-sections .text")
except gdb.error as e:
    print("compare-sections:", e)
end
delete
continue
print $_exitcode
