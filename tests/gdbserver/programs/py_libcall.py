# SPDX-License-Identifier: MIT
# A real program for the gdbserver tests (scenario py_libcall): CPython, which loads an
# extension module (_bz2, a shared library) and calls getppid() once (the breakpoint), then
# exits with code 3.
import os
import sys
import _bz2

_bz2.BZ2Compressor().compress(b"gdbserver")
os.getppid()
sys.exit(3)
