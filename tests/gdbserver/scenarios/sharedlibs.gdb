# The shared libraries of a program stopped in main.
info sharedlibrary
break vector_loaded
continue
info sharedlibrary
kill
