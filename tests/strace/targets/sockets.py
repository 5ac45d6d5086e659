# SPDX-License-Identifier: MIT
# Unix sockets' addresses and their lengths, which the kernel writes back (strace_test.py
# compare, run in the fixture directory): a listening socket bound to a path, a client that
# connects to it, the connection accept4 returns (its peer is unnamed), the names each end
# reports, a socket with an abstract name, and shutdown's how.
import os
import socket

PATH = "sock"

server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(PATH)
server.listen(1)
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client.connect(PATH)
connection, _ = server.accept()
server.getsockname()
client.getpeername()
connection.getpeername()
abstract = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
abstract.bind("\0strace-example-sockets")
abstract.getsockname()
try:
    abstract.getpeername()
except OSError:
    pass  # ENOTCONN: the length is shown as given
client.shutdown(socket.SHUT_WR)  # shutdown's how, by name
connection.shutdown(socket.SHUT_RDWR)
for s in (abstract, connection, client, server):
    s.close()
os.unlink(PATH)
