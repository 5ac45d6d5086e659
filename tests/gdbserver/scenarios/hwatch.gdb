# A hardware watchpoint (debug registers) on a global, hit twice; skipped where they do not fire.
break vector_loaded
continue
watch counter
continue
continue
info watchpoints
kill
