# SPDX-License-Identifier: MIT
# A real program for the gdbserver tests (scenario py_spawn): CPython starting /bin/true
# through subprocess without close_fds, which is posix_spawn: glibc makes the child with
# clone3(CLONE_VM|CLONE_VFORK), and the child runs libc's execve in its parent's memory.
# Exits with 3 when the child exited 0, with 100 otherwise (a child that met an int3 in that
# memory dies by SIGTRAP).
import subprocess
import sys

child = subprocess.run(["/bin/true"], close_fds=False, check=False)
sys.exit(3 if child.returncode == 0 else 100)
