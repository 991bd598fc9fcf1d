"""Course section: Asynchronous List Comprehension. The Python twin of
handle_errors.rs.

`[await handle(e) for e in errors]` awaits one `handle` after another.
`asyncio.gather` runs them all at once, and a `Semaphore` lets at most `n`
run at a time, with or without keeping the results.

Run it with `python3 examples/handle_errors.py`.
"""

import asyncio
from dataclasses import dataclass


def stamp(start: float) -> str:
    """`[ 1.0s]`: the seconds since `start`, on the event loop's clock."""
    return f"[{asyncio.get_running_loop().time() - start:4.1f}s]"


# ANCHOR: handle
@dataclass(frozen=True)
class ErrorResponse:
    """An error response, as the comprehension of async_comprehension.py
    collected it."""

    url: str
    status: int
    # How long `handle` takes for this one. Fixed, not random, so that every
    # run prints the same times, and no two handlers finish together.
    handling_secs: int


async def handle(error: ErrorResponse, start: float) -> str:
    """Logs one error response (to a slow log server) and returns its URL."""
    await asyncio.sleep(error.handling_secs)
    print(f"{stamp(start)} logged {error.status} {error.url}")
    return error.url
# ANCHOR_END: handle


# What the comprehension collected: handling takes 4, 1, 2 and 3 seconds.
ERRORS = [
    ErrorResponse("bing.com/old-page", 404, handling_secs=4),
    ErrorResponse("example.com/crash", 500, handling_secs=1),
    ErrorResponse("example.org/busy", 503, handling_secs=2),
    ErrorResponse("example.net/gone", 410, handling_secs=3),
]


# ANCHOR: one_at_a_time
async def one_at_a_time(errors: list[ErrorResponse], start: float) -> list[str]:
    return [await handle(e, start) for e in errors]
# ANCHOR_END: one_at_a_time


# ANCHOR: gather
async def all_at_once(errors: list[ErrorResponse], start: float) -> list[str]:
    return await asyncio.gather(*(handle(e, start) for e in errors))
# ANCHOR_END: gather


# ANCHOR: at_most
async def at_most(limit: int, errors: list[ErrorResponse], start: float) -> list[str]:
    """At most `limit` handlers at a time; results in the order they finish."""
    slots = asyncio.Semaphore(limit)

    async def handle_in_slot(error: ErrorResponse) -> str:
        async with slots:
            return await handle(error, start)

    async with asyncio.TaskGroup() as group:
        handling = [group.create_task(handle_in_slot(e)) for e in errors]
        return [await done for done in asyncio.as_completed(handling)]
# ANCHOR_END: at_most


# ANCHOR: at_most_no_results
async def at_most_no_results(limit: int, errors: list[ErrorResponse], start: float) -> None:
    """At most `limit` handlers at a time; no results kept."""
    slots = asyncio.Semaphore(limit)

    async def handle_in_slot(error: ErrorResponse) -> None:
        async with slots:
            await handle(error, start)

    async with asyncio.TaskGroup() as group:
        for error in errors:
            group.create_task(handle_in_slot(error))
# ANCHOR_END: at_most_no_results


# ANCHOR: main
async def main() -> None:
    loop = asyncio.get_running_loop()
    print("One at a time, a comprehension with await:")
    start = loop.time()
    handled = await one_at_a_time(ERRORS, start)
    print(f"{stamp(start)} done: {handled}\n")

    print("All at once, asyncio.gather:")
    start = loop.time()
    handled = await all_at_once(ERRORS, start)
    print(f"{stamp(start)} done: {handled}\n")

    print("Two at a time, a Semaphore(2) and as_completed:")
    start = loop.time()
    handled = await at_most(2, ERRORS, start)
    print(f"{stamp(start)} done: {handled}\n")

    print("Two at a time, a Semaphore(2), no results:")
    start = loop.time()
    await at_most_no_results(2, ERRORS, start)
    print(f"{stamp(start)} done")


asyncio.run(main())
# ANCHOR_END: main
