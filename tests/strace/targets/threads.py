# SPDX-License-Identifier: MIT
# A small multithreaded tracee: four threads, each doing the same few syscalls on its own file.
# The threads run at the same time; a lock around the file work keeps the descriptor numbers
# the same on every run (each thread opens and closes fd 3 while it holds the lock; threads
# that open at the same time would get 3 or 4 by timing).
import os
import sys
import threading
import time

file_lock = threading.Lock()


def work(index: int, directory: str) -> None:
    path = os.path.join(directory, f"thread-{index}")
    with file_lock:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, f"thread {index}\n".encode())
        os.close(fd)
    os.stat(path)
    os.unlink(path)


def main() -> int:
    directory = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
    threads = [threading.Thread(target=work, args=(i, directory)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # join() returns when a thread's Python code is done; its last syscalls (unblock signals,
    # free the stack, exit) follow. Give them time, so that exit_group does not cut them off.
    time.sleep(0.3)
    os.write(1, b"threads done\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
