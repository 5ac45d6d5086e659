# A software watchpoint (single steps, no debug registers) on a global, hit twice.
set can-use-hw-watchpoints 0
break vector_loaded
continue
watch counter
continue
continue
info watchpoints
kill
