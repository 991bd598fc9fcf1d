"""Course section: Task Objects. The Python twin of done_callbacks.rs.

A done callback runs when a task is done. Python has `add_done_callback`;
the code after an `await` does the same job, and `as_completed` acts on
each of many tasks the moment it is done.

Run it with `python3 examples/done_callbacks.py`.
"""

import asyncio


def stamp(start: float) -> str:
    """`[ 2.0s]`: the seconds since `start`, on the event loop's clock."""
    return f"[{asyncio.get_running_loop().time() - start:4.1f}s]"


# ANCHOR: stopwatch
async def stopwatch(limit: int) -> int:
    """The course's stopwatch, with an end: counts the seconds up to `limit`,
    then returns how far it counted."""
    for count in range(1, limit + 1):
        await asyncio.sleep(1)
        print(count)
    return limit
# ANCHOR_END: stopwatch


# ANCHOR: callback
def report(task: asyncio.Task) -> None:
    # Called for every ending: task.result() raises if it failed or was cancelled.
    print(f"task is done: counted to {task.result()}")


async def with_callback() -> int:
    task = asyncio.create_task(stopwatch(3))
    task.add_done_callback(report)
    return await task
# ANCHOR_END: callback


# ANCHOR: compose
async def compose() -> int:
    """The code after the `await` is a callback too, in the same task."""

    async def count_and_report() -> int:
        counted = await stopwatch(2)
        print(f"task is done: counted to {counted}")
        return counted

    return await asyncio.create_task(count_and_report())
# ANCHOR_END: compose


# ANCHOR: as_completed
async def as_they_finish(start: float) -> list[str]:
    """Start several tasks, then act on each result the moment it is done."""

    async def cook(dish: str, secs: int) -> str:
        await asyncio.sleep(secs)
        return dish

    kitchen = [cook(dish, secs) for dish, secs in [("egg", 5), ("tea", 3), ("toast", 2)]]
    ready = []
    for next_done in asyncio.as_completed(kitchen):
        dish = await next_done
        print(f"{stamp(start)} {dish} is ready")
        ready.append(dish)
    return ready
# ANCHOR_END: as_completed


# ANCHOR: main
async def main() -> None:
    print("add_done_callback:")
    counted = await with_callback()
    print(f"main got {counted}\n")

    print("Code after the await:")
    counted = await compose()
    print(f"main got {counted}\n")

    print("as_completed, in the order they finish:")
    ready = await as_they_finish(asyncio.get_running_loop().time())
    print(f"ready: {ready}")


asyncio.run(main())
# ANCHOR_END: main
