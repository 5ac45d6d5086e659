# break, tbreak, info breakpoints, delete, disable, enable, continue to the end.
break compute
tbreak square
info breakpoints
continue
continue
continue
delete 1
break bump
disable 3
break add
info breakpoints
continue
enable 3
continue
delete
continue
