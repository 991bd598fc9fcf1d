"""Course section: Ways to Run & Cancel. The Python twin of stopwatch_abort.rs.

The course's stopwatch runs as a task; `main` cancels it after 2.5 seconds
and awaits it, which raises `CancelledError`.

Run it with `python3 examples/stopwatch_abort.py`.
"""

import asyncio


def say(start: float, what: object) -> None:
    """Prints `what` after the seconds since `start`, as `[ 2.0s] ...`."""
    print(f"[{asyncio.get_running_loop().time() - start:4.1f}s] {what}")


# ANCHOR: stopwatch
async def stopwatch(start: float) -> None:
    """The course's stopwatch: 1, 2, 3, ... once a second, forever."""
    count = 0
    while True:
        await asyncio.sleep(1)
        count += 1
        say(start, count)
# ANCHOR_END: stopwatch


# ANCHOR: main
async def main() -> None:
    start = asyncio.get_running_loop().time()
    task = asyncio.create_task(stopwatch(start))

    # Half a second past a tick, so that the cancel and a tick never tie.
    await asyncio.sleep(2.5)
    task.cancel()
    say(start, "main: cancel()")

    try:
        await task
    except asyncio.CancelledError:
        say(start, f"main: cancelled() = {task.cancelled()}")


asyncio.run(main())
# ANCHOR_END: main
