# --attach to a real program, a bash waiting in `read`: its backtrace, detach; bash goes on
# when the harness writes its input line, writes its file and exits 0 (checked).
backtrace 3
info threads
detach
