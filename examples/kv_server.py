"""Course section: Real I/O (a server, as `asyncio.start_server` writes one). The Python twin of kv_server.rs.

A key-value store that clients talk to over TCP, one command per line:
`SET key value`, `GET key`, `DEL key`, `QUIT`. Run the demo with
`python3 examples/kv_server.py`; `--port 7878` serves on 127.0.0.1:7878
until Ctrl-C or SIGTERM (`--port 0` lets the system pick, and prints the
port); `--client 7878` runs the demo's client against a server on that port.
"""

import asyncio
import signal
import sys

# ANCHOR: limits
MAX_CLIENTS = 100  # served at once; the next one gets `ERR busy`
MAX_LINE = 1024  # the longest line, newline included; a longer one ends the connection
IDLE = 30.0  # seconds to finish a line, or to take an answer
DRAIN = 10.0  # seconds shutdown waits for connections to finish
# ANCHOR_END: limits


def execute(line: str, store: dict[str, str]) -> tuple[str, bool]:
    """Runs one command line; returns the answer and whether to hang up."""
    match line.split(" ", 2):
        case ["SET", key, value]:
            store[key] = value
            return "OK", False
        case ["GET", key]:
            return (f"VALUE {store[key]}" if key in store else "NOT_FOUND"), False
        case ["DEL", key]:
            return ("OK" if store.pop(key, None) is not None else "NOT_FOUND"), False
        case ["QUIT"]:
            return "BYE", True
        case ["SET" | "GET" | "DEL" | "QUIT", *_]:
            return "ERR wrong number of arguments", False
        case _:
            return "ERR unknown command", False


# ANCHOR: connection
class KvServer:
    def __init__(self) -> None:
        self.store: dict[str, str] = {}
        self.slots = asyncio.Semaphore(MAX_CLIENTS)
        self.stopping = asyncio.Event()
        # Each connection's task, and its writer (to cut it at the deadline).
        self.connections: dict[asyncio.Task, asyncio.StreamWriter] = {}

    async def next_line(self, reader: asyncio.StreamReader) -> bytes | None:
        """The next line (or what came before the end), or None on shutdown."""
        read = asyncio.create_task(reader.readline())
        stop = asyncio.create_task(self.stopping.wait())
        try:
            async with asyncio.timeout(IDLE):
                await asyncio.wait({read, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            read.cancel()
            stop.cancel()
        return read.result() if read.done() else None

    async def send(self, writer: asyncio.StreamWriter, answer: str) -> None:
        """Writes one answer line; TimeoutError if the client does not take it."""
        writer.write(f"{answer}\n".encode())
        async with asyncio.timeout(IDLE):
            await writer.drain()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        """start_server runs this in a task of its own for each client."""
        self.connections[asyncio.current_task()] = writer
        try:
            if self.slots.locked():
                writer.write(b"ERR busy\n")
                await writer.drain()
                return
            async with self.slots:
                await self.converse(reader, writer)
        except ConnectionError:
            pass  # the client went away
        except TimeoutError:
            writer.transport.abort()  # it never reads: close() would wait
        finally:
            self.connections.pop(asyncio.current_task(), None)
            writer.close()

    async def converse(self, reader, writer) -> None:
        while True:
            try:
                line = await self.next_line(reader)
            except TimeoutError:
                answer, hang_up = "BYE idle timeout", True
            except ValueError:  # readline's LimitOverrunError, re-raised
                answer, hang_up = "ERR line too long", True
            else:
                if line is None:
                    await self.send(writer, "BYE shutting down")
                    return
                if not line.endswith(b"\n"):
                    return  # the client closed, maybe halfway through a line
                try:
                    text = line.decode()
                except UnicodeDecodeError:
                    answer, hang_up = "ERR not UTF-8", False
                else:
                    answer, hang_up = execute(text.rstrip("\r\n"), self.store)
            await self.send(writer, answer)
            if hang_up:
                return
# ANCHOR_END: connection


# ANCHOR: serve
async def serve(server: asyncio.Server, kv: KvServer, shutdown) -> int:
    """Serves until `shutdown` completes, then tells every client
    `BYE shutting down` and waits at most DRAIN seconds for them. Returns
    how many connections were still open when the deadline passed."""
    await shutdown
    server.close()  # stop accepting; open connections go on
    kv.stopping.set()
    pending = set()
    if kv.connections:
        _, pending = await asyncio.wait(set(kv.connections), timeout=DRAIN)
    for task in pending:
        # Cut it: abort() drops what is waiting to be sent (close() would
        # wait for a client that never reads), and the handler then ends.
        kv.connections[task].transport.abort()
    await asyncio.gather(*pending, return_exceptions=True)
    await server.wait_closed()
    return len(pending)
# ANCHOR_END: serve


# ANCHOR: signals
async def run_server(port: int) -> int:
    kv = KvServer()
    server = await asyncio.start_server(kv.handle, "127.0.0.1", port, limit=MAX_LINE - 1)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"listening on {host}:{port}", flush=True)
    first, second = asyncio.Event(), asyncio.Event()
    last = signal.SIGINT

    def on_signal(number: signal.Signals) -> None:
        nonlocal last
        last = number
        (second if first.is_set() else first).set()

    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, on_signal, number)

    async def stopping() -> None:
        await first.wait()
        print("stopping: no new clients, telling the others BYE", flush=True)

    serving = asyncio.create_task(serve(server, kv, stopping()))
    now = asyncio.create_task(second.wait())
    await asyncio.wait({serving, now}, return_when=asyncio.FIRST_COMPLETED)
    if serving.done():
        now.cancel()
        print(f"stopped; connections cut at the deadline: {serving.result()}")
        return 0
    print("second signal: stopping now", flush=True)
    return 128 + last  # as a shell reports it; asyncio.run cancels the rest
# ANCHOR_END: signals


# ANCHOR: client
async def client(port: int, name: str, commands: list[str]) -> None:
    """The demo's client: sends each command, prints it and the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for command in commands:
            shown = command if len(command) <= 40 else f"{command[:10]}... ({len(command)} bytes)"
            print(f"{name}> {shown}")
            writer.write(f"{command}\n".encode())
            await writer.drain()
            try:
                answer = await reader.readline()
            except ConnectionError:
                answer = b""  # a reset also means the server hung up
            if not answer:
                print(f"{name}: the server closed the connection")
                break
            print(f"{name}< {answer.decode().rstrip()}")
    finally:
        writer.close()


async def demo_client(port: int) -> None:
    long = "SET big " + "x" * 2000
    await client(port, "alice", ["SET lang rust", "GET lang", "GET nope"])
    await client(port, "bob", ["DEL lang", "GET lang", "FLY away", "QUIT"])
    await client(port, "carol", ["SET a 1", long])
# ANCHOR_END: client


# ANCHOR: main
async def demo() -> int:
    kv = KvServer()
    server = await asyncio.start_server(kv.handle, "127.0.0.1", 0, limit=MAX_LINE - 1)
    port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(server, kv, stop.wait()))
    await demo_client(port)

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"SET last word\n")
    answer = await reader.readline()
    print(f"dave> SET last word\ndave< {answer.decode().rstrip()}")
    print("-- the server stops --")
    stop.set()
    print(f"dave< {(await reader.readline()).decode().rstrip()}")
    writer.close()
    still_open = await serving
    print(f"server stopped; connections cut at the deadline: {still_open}")
    return 0


def main(args: list[str]) -> int:
    match args:
        case []:
            return asyncio.run(demo())
        case ["--port", port] if port.isdigit():
            return asyncio.run(run_server(int(port)))
        case ["--client", port] if port.isdigit():
            asyncio.run(demo_client(int(port)))
            return 0
        case _:
            print("usage: kv_server.py [--port PORT | --client PORT]", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
# ANCHOR_END: main
