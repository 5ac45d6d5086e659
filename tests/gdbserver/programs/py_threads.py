# SPDX-License-Identifier: MIT
# A threaded real program for the gdbserver tests (scenario py_threads): CPython with three
# worker threads blocked in a futex wait (threading.Event) when the main thread calls
# getppid(), where gdb stops it. The main thread waits until /proc shows every worker inside
# the futex system call (202 on x86_64), so that their backtraces are the same in every run.
import os
import threading
import time

ready = threading.Barrier(4)
go = threading.Event()


def worker():
    ready.wait()
    go.wait()


workers = [threading.Thread(target=worker) for _ in range(3)]
for w in workers:
    w.start()
ready.wait()


def in_futex(tid):
    with open("/proc/self/task/%d/syscall" % tid) as f:
        return f.read().split()[0] == "202"


deadline = time.monotonic() + 10
while not all(in_futex(w.native_id) for w in workers) and time.monotonic() < deadline:
    time.sleep(0.01)
os.getppid()
go.set()
for w in workers:
    w.join()
