"""Course section: Coroutines & Awaitables. The Python twin of retry.rs.

`retry` must be given an async function, and checks that at run time with
`inspect.iscoroutinefunction`; Rust says it in `retry`'s signature instead.

Run it with `python3 examples/retry.py`.
"""

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


# ANCHOR: retry
async def retry(attempts: int, operation: Callable[[], Awaitable[T]]) -> T:
    """Awaits `operation()` until it succeeds, at most `attempts` times (and
    at least once), and returns its result or raises its last error."""
    if not inspect.iscoroutinefunction(operation):
        raise TypeError(f"{operation!r} is not an async function")
    attempt = 1
    while True:
        try:
            return await operation()
        except OSError:
            if attempt >= attempts:
                raise
            attempt += 1
# ANCHOR_END: retry


# ANCHOR: lighter
class Lighter:
    """A gas lighter that only lights on its third click."""

    CLICKS_NEEDED = 3

    def __init__(self) -> None:
        self.clicks = 0

    async def click(self) -> int:
        await asyncio.sleep(0.5)
        self.clicks += 1
        if self.clicks < self.CLICKS_NEEDED:
            raise OSError(f"no flame after {self.clicks} clicks")
        return self.clicks
# ANCHOR_END: lighter


async def outcome(work: Awaitable[object]) -> str:
    """`Ok(value)` if `work` returns, `Err(message)` if it raises."""
    try:
        return f"Ok({await work!r})"
    except OSError as error:
        return f"Err({str(error)!r})"


# ANCHOR: main
async def main() -> None:
    lighter = Lighter()
    print(f"5 attempts: {await outcome(retry(5, lighter.click))}")

    lighter = Lighter()
    print(f"2 attempts: {await outcome(retry(2, lighter.click))}")


asyncio.run(main())
# ANCHOR_END: main
