# Reading memory (x in several formats, print of arrays and strings) and writing it (set var),
# then the program runs to its end with the values written (its exit code shows them).
break vector_loaded
continue
x/8xb pattern
x/4xh pattern
x/s greeting
print greeting
print pattern
print/x pattern
print counter
print total
set var counter = 41
print counter
set var total = 100
set var pattern[0] = 0x99
x/8xb pattern
print sizeof(pattern)
print &pattern[0] == pattern
delete
continue
