# Functions called by gdb in the stopped program, and the program's state after them.
break compute
continue
print add(2, 3)
print square(7)
call bump()
print counter
print add(counter, 100)
print greeting
delete
continue
