# SPDX-License-Identifier: MIT
# An asyncio event loop, as Python's network programs run it (strace_test.py compare): a stream
# over one end of a Unix socket pair, a line sent from the other end and read back. The loop
# waits in epoll_wait; its epoll_ctl calls carry the fd in the event's data, whose upper half
# Python leaves uninitialised (strace_test.py masks it).

import asyncio
import socket


async def main():
    a, b = socket.socketpair()
    reader, writer = await asyncio.open_unix_connection(sock=a)
    b.send(b"ping\n")
    print((await reader.readline()).decode().strip())
    writer.close()
    await writer.wait_closed()
    b.close()


asyncio.run(main())
