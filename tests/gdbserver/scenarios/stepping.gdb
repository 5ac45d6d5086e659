# step into a call, finish out of it, next over calls, stepi and nexti, until the end.
break compute
continue
step
step
finish
next
step
finish
next
stepi
stepi
nexti
info line *$pc
next
next
delete
continue
