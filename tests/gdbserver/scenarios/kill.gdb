# Kill at a breakpoint: nothing is left.
break compute
continue
kill
info threads
info inferiors
