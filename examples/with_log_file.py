"""Course section: The `@asynccontextmanager` Decorator. The Python twin of
with_log_file.rs.

`log_file` sets up a buffered log file, `yield`s it to the body of an
`async with` block, and flushes and syncs it afterwards, whatever the body
did: returned, raised, or was cancelled.

Run it with `python3 examples/with_log_file.py`.
"""

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TextIO


# ANCHOR: open_close
async def open_log(path: Path) -> TextIO:
    """Set-up: open the log for appending (creating it). Python's file object
    keeps written lines in a buffer, so each line costs no trip to the disk."""
    return await asyncio.to_thread(open, path, "a")


async def close_log(log: TextIO) -> None:
    """Tear-down: hand the buffered lines to the OS, wait until the OS has put
    them on the disk, and close. The standard library has no async files, so
    these blocking calls run on a worker thread."""

    def flush_sync_close() -> None:
        with log:  # closes the file even if a step fails
            log.flush()
            os.fsync(log.fileno())

    await asyncio.to_thread(flush_sync_close)
    print("  close_log: flushed and synced")  # shows in the output when it ran
# ANCHOR_END: open_close


# ANCHOR: log_file
@asynccontextmanager
async def log_file(path: Path) -> AsyncIterator[TextIO]:
    log = await open_log(path)
    try:
        yield log  # the body of `async with` runs here
    finally:
        await close_log(log)  # runs when the body returns, raises or is cancelled
# ANCHOR_END: log_file


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


# ANCHOR: bodies
async def boil_two(path: Path) -> int:
    async with log_file(path) as log:
        log.write("water on\n")
        log.write("2 eggs in\n")
        return 2


async def run_out_of_eggs(path: Path) -> int:
    async with log_file(path) as log:
        log.write("water on\n")
        raise OSError("the carton is empty")


async def boil_slowly(path: Path) -> int:
    async with log_file(path) as log:
        log.write("water on\n")
        await asyncio.to_thread(log.flush)  # this line goes to the OS now
        log.write("2 eggs in\n")  # this one waits in the buffer
        await asyncio.sleep(3)
        return 2
# ANCHOR_END: bodies


# ANCHOR: main
async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="async-rust-book-") as scratch:
        print("The body succeeds:")
        path = Path(scratch, "ok.log")
        print(f"  result:  {await outcome(boil_two(path))}")
        print(f"  on disk: {await lines_on_disk(path)}")

        print("The body fails:")
        path = Path(scratch, "err.log")
        print(f"  result:  {await outcome(run_out_of_eggs(path))}")
        print(f"  on disk: {await lines_on_disk(path)}")

        print("The body is cancelled after 1 s:")
        path = Path(scratch, "cancelled.log")
        print(f"  result:  {await outcome(asyncio.wait_for(boil_slowly(path), 1))}")
        print(f"  on disk: {await lines_on_disk(path)}")


asyncio.run(main())
# ANCHOR_END: main
