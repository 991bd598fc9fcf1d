"""Course section: Structured concurrency. The Python twin of orphans.rs.

A task from a bare `asyncio.create_task` runs on when the coroutine that
created it is cancelled; a task in a `TaskGroup` is cancelled with it. To
wait for background tasks at shutdown, keep them in a set and gather them.

Run it with `python3 examples/orphans.py` (Python 3.11 or later).
"""

import asyncio
from collections.abc import Coroutine


def say(start: float, what: object) -> None:
    """Prints `what` after the seconds since `start`, as `[ 1.0s] ...`."""
    print(f"[{asyncio.get_running_loop().time() - start:4.1f}s] {what}")


async def stopwatch(start: float) -> None:
    """Counts the seconds up to 3: the child task."""
    for count in range(1, 4):
        await asyncio.sleep(1)
        say(start, f"child {count}")


# The loop keeps only weak references to tasks: keep the orphan alive.
background: set[asyncio.Task] = set()


# ANCHOR: parents
async def parent(start: float) -> None:
    child = asyncio.create_task(stopwatch(start))
    background.add(child)
    child.add_done_callback(background.discard)
    await asyncio.sleep(60)


async def tied_parent(start: float) -> None:
    async with asyncio.TaskGroup() as group:
        group.create_task(stopwatch(start))
        await asyncio.sleep(60)
# ANCHOR_END: parents


# ANCHOR: cancel_parent
async def cancel_after_a_second_and_a_half(parent: Coroutine, start: float) -> None:
    try:
        await asyncio.wait_for(parent, 1.5)
    except TimeoutError:
        pass
    say(start, "parent dropped")
    await asyncio.sleep(2.5)
# ANCHOR_END: cancel_parent


# ANCHOR: tracker
async def job(seconds: int, start: float) -> None:
    await asyncio.sleep(seconds)
    say(start, f"job of {seconds}s done")


async def shut_down_cleanly(start: float) -> None:
    jobs = [asyncio.create_task(job(seconds, start)) for seconds in (2, 1)]
    await asyncio.gather(*jobs)
    say(start, "every tracked task is done")
# ANCHOR_END: tracker


# ANCHOR: main
async def main() -> None:
    loop = asyncio.get_running_loop()
    print("A spawned child outlives its parent:")
    start = loop.time()
    await cancel_after_a_second_and_a_half(parent(start), start)

    print("A TaskGroup child dies with its parent:")
    start = loop.time()
    await cancel_after_a_second_and_a_half(tied_parent(start), start)

    print("gather waits for its tasks:")
    await shut_down_cleanly(loop.time())


asyncio.run(main())
# ANCHOR_END: main
