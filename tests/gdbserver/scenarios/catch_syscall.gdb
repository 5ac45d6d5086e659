# A real program, ls (no debug information): gdb's `catch syscall` (QCatchSyscalls) on write
# and exit_group: the write's entry (its fd in rdi) and return (its count in rax), then
# exit_group's entry, which has no return, and the hit counts. gdb turns the catchpoints off
# at every stop and on again before it resumes; the return is still reported.
catch syscall write
catch syscall exit_group
continue
info registers rdi
continue
info registers rax
continue
info breakpoints
continue
