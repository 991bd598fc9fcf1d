"""Course section: What, Why & Threads vs Asyncio. The Python side of many_connections.rs.

Two echo servers from the standard library: `asyncio.start_server`, a task
per connection, and `socketserver.ThreadingTCPServer`, a thread per
connection. The Rust example runs this program as a child process, once per
trial, and sends it the same load as its own servers:

    python3 examples/many_connections.py --serve asyncio
    python3 examples/many_connections.py --serve threads [IDLE_SECONDS]

It prints `listening HOST:PORT`, then serves on 127.0.0.1 until its standard
input closes. Standard library only, Python 3.11 or later.
"""

import asyncio
import os
import socket
import socketserver
import struct
import sys
import threading

MESSAGE_BYTES = 64
IDLE_LIMIT = 60.0  # seconds a connection may stay silent
BACKLOG = 1024  # as the Rust servers


# ANCHOR: servers
async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Sends back every byte it reads, until the client hangs up or stays
    silent for IDLE_LIMIT. (asyncio turns Nagle's algorithm off itself.)"""
    try:
        while True:
            async with asyncio.timeout(IDLE_LIMIT):  # no extra task per read
                data = await reader.read(MESSAGE_BYTES)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (TimeoutError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve_with_tasks() -> None:
    server = await asyncio.start_server(echo, "127.0.0.1", 0, backlog=BACKLOG)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"listening {host}:{port}", flush=True)
    async with server:
        await server.serve_forever()


class Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The kernel's own read time limit (SO_RCVTIMEO), as Rust's
        # set_read_timeout: settimeout() would make Python poll() before
        # every recv(). The socket stays blocking; a silent client makes
        # recv() fail with EAGAIN, which Python raises as BlockingIOError.
        limit = struct.pack("ll", int(IDLE_LIMIT), 0)
        self.request.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, limit)
        try:
            while data := self.request.recv(MESSAGE_BYTES):
                self.request.sendall(data)
        except (BlockingIOError, ConnectionError):
            pass


class ThreadingServer(socketserver.ThreadingTCPServer):
    request_queue_size = BACKLOG  # the default is 5
    daemon_threads = True  # the process ends without waiting for them


def serve_with_threads() -> None:
    with ThreadingServer(("127.0.0.1", 0), Echo) as server:
        host, port = server.server_address[:2]
        print(f"listening {host}:{port}", flush=True)
        server.serve_forever()
# ANCHOR_END: servers


def end_when_input_closes() -> None:
    """The program that started us holds our input open; when it closes it,
    or ends, we end, wherever the server is."""
    sys.stdin.buffer.read()
    os._exit(0)


def main(args: list[str]) -> int:
    global IDLE_LIMIT
    if len(args) not in (2, 3) or args[0] != "--serve" or args[1] not in ("asyncio", "threads"):
        print(__doc__, file=sys.stderr)
        return 2
    if len(args) == 3:  # a shorter idle limit, in whole seconds, for the tests
        IDLE_LIMIT = float(int(args[2]))
    threading.Thread(target=end_when_input_closes, daemon=True).start()
    if args[1] == "asyncio":
        asyncio.run(serve_with_tasks())
    else:
        serve_with_threads()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
