# Read before `target remote` in every scenario: settings that make gdb's output the same in
# any run (no pager, no questions, no styling, no line wrapping).
set pagination off
set confirm off
set height 0
set width 0
set style enabled off
set startup-with-shell off
set print thread-events on
# A server slow to answer on a loaded machine would otherwise see gdb send a packet again
# after 2 s (the retransmit scenario tests that case on purpose).
set remotetimeout 30
