# SPDX-License-Identifier: MIT
# A small multithreaded tracee: four threads, each doing the same few syscalls on its own file.
import os
import sys
import threading


def work(index: int, directory: str) -> None:
    path = os.path.join(directory, f"thread-{index}")
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
    os.write(1, b"threads done\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
