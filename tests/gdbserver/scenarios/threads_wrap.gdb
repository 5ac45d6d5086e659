# The threads scenario with thread ids that wrap around at pid_max, as they do on a busy
# machine (pid_max is 32768 on these): gdb runs in a PID namespace of its own (the harness's
# pid_namespace), and once the program is at main the namespace's last id is set to two below
# pid_max. The first worker then gets the last id, pid_max - 1, and the second and third the
# lowest free ids from 300 up (Linux skips the ids below 300 after a wrap). gdb numbers
# the threads in the order the server lists them; GNU gdbserver lists them in the order they
# were created, so thread 2 is the first worker although its id is the largest.
break main
continue
python
with open("/proc/sys/kernel/pid_max") as f:
    pid_max = int(f.read())
with open("/proc/sys/kernel/ns_last_pid", "w") as f:
    f.write(str(pid_max - 2))
end
break all_ready
continue
info threads
thread apply all backtrace
# Whether the ids wrapped as above, and gdb's thread 2 is the first worker: its id is the last
# one below pid_max, and threads 3 and 4 have smaller ones. (Whatever ids gdb and the server
# took before the program ran: their number depends on the machine, gdb's worker threads.)
python
ids = {t.num: t.ptid[1] for t in gdb.selected_inferior().threads()}
print("thread 2 has the last id, threads 3 and 4 smaller ones:",
      ids[2] == pid_max - 1 and ids[3] < ids[2] and ids[4] < ids[2])
end
delete
continue
