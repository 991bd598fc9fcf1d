"""Course section: Context Manager Classes. The Python twin of log_file_class.rs.

`LogFile` is an async context manager class: `async with` awaits
`__aenter__` on the way in and `__aexit__` on the way out, whether the body
finished, raised, or was cancelled. Here they call `open` and `close`, which
a caller can also call by hand.

Run it with `python3 examples/log_file_class.py`.
"""

import asyncio
import os
import tempfile
from collections.abc import Awaitable
from pathlib import Path
from types import TracebackType


# ANCHOR: log_file
class LogFile:
    """A log whose lines wait in a buffer until `close` writes them out."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def open(self) -> "LogFile":
        """Opens the file for appending, creating it if needed."""
        self.file = await asyncio.to_thread(open, self.path, "a")
        return self

    def write_line(self, line: str) -> None:
        self.file.write(line + "\n")  # into the buffer

    async def close(self) -> None:
        """Hands the buffered lines to the OS, waits until they are on the
        disk, and closes the file, on a worker thread."""

        def flush_sync_close() -> None:
            with self.file:
                self.file.flush()
                os.fsync(self.file.fileno())

        await asyncio.to_thread(flush_sync_close)
        print("  close: flushed and synced")  # shows in the output when it ran

    async def __aenter__(self) -> "LogFile":
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()  # returns None: the body's exception goes on
# ANCHOR_END: log_file


# ANCHOR: use
async def boil_eggs(log: LogFile, eggs: int) -> None:
    """The body of the `async with` block."""
    log.write_line("water on")
    if eggs > 4:
        raise ValueError(f"the pot holds 4 eggs, not {eggs}")
    log.write_line(f"{eggs} eggs in")
    await asyncio.sleep(3)
    log.write_line("eggs done")


async def boil_and_close(path: Path, eggs: int) -> None:
    async with LogFile(path) as log:
        await boil_eggs(log, eggs)


async def boil_and_forget(log: LogFile, eggs: int) -> None:
    """The same without `async with`, and a mistake: an exception skips `close`."""
    await log.open()
    await boil_eggs(log, eggs)
    await log.close()
# ANCHOR_END: use


async def lines_on_disk(path: Path) -> list[str]:
    """The lines that reached the file."""
    text = await asyncio.to_thread(path.read_text)
    return text.splitlines()


async def outcome(work: Awaitable[object]) -> str:
    """`Ok(value)` if `work` returns, `Err(message)` if it raises."""
    try:
        return f"Ok({await work!r})"
    except Exception as error:
        return f"Err({str(error) or type(error).__name__})"


# ANCHOR: main
async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="async-rust-book-") as scratch:
        print("boil_and_close, 2 eggs:")
        path = Path(scratch, "two.log")
        print(f"  result:  {await outcome(boil_and_close(path, 2))}")
        print(f"  on disk: {await lines_on_disk(path)}")

        print("boil_and_close, 6 eggs:")
        path = Path(scratch, "six.log")
        print(f"  result:  {await outcome(boil_and_close(path, 6))}")
        print(f"  on disk: {await lines_on_disk(path)}")

        print("boil_and_forget, 6 eggs:")
        forgotten = LogFile(Path(scratch, "forgot.log"))
        print(f"  result:  {await outcome(boil_and_forget(forgotten, 6))}")
        print(f"  on disk: {await lines_on_disk(forgotten.path)}")

        print("boil_and_close, 2 eggs, cancelled after 1 s:")
        path = Path(scratch, "cancelled.log")
        print(f"  result:  {await outcome(asyncio.wait_for(boil_and_close(path, 2), 1))}")
        print(f"  on disk: {await lines_on_disk(path)}")


asyncio.run(main())
# ANCHOR_END: main
