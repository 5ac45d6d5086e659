# The threads scenario with thread ids that wrap around at pid_max, as they do on a busy
# machine (pid_max is 32768 on these): gdb runs in a PID namespace of its own (the harness's
# pid_namespace), and once the program is at main the namespace's last id is set to two below
# pid_max. The first worker then gets the last id, pid_max - 1, and the second and third ids
# from the bottom again (300 and 301: Linux skips the ids below 300 after a wrap). gdb numbers
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
# Each thread's rank by id, in gdb's numbering: [0, 3, 1, 2] when the ids wrapped as above.
python
ids = {t.num: t.ptid[1] for t in gdb.selected_inferior().threads()}
print("ranks of the thread ids:", [sorted(ids.values()).index(ids[n]) for n in sorted(ids)])
end
delete
continue
