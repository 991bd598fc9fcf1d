"""Course section: Structured concurrency. The Python twin of task_group.rs.

`async with asyncio.TaskGroup()` cancels the other tasks when one fails,
waits for all of them before the block ends, and raises the failures
together in an `ExceptionGroup`. Each task's `finally` prints "cleaned up".

Run it with `python3 examples/task_group.py` (Python 3.11 or later).
"""

import asyncio


def say(start: float, what: object) -> None:
    """Prints `what` after the seconds since `start`, as `[ 1.0s] ...`."""
    print(f"[{asyncio.get_running_loop().time() - start:4.1f}s] {what}")


# ANCHOR: cook
async def cook(name: str, seconds: float, fails: bool, start: float) -> str:
    try:
        await asyncio.sleep(seconds)  # cancelling raises CancelledError here
        if fails:
            say(start, f"{name} failed")
            raise RuntimeError(f"the {name} caught fire")
        say(start, f"{name} done")
        return name
    finally:
        say(start, f"{name} cleaned up")
# ANCHOR_END: cook


# ANCHOR: main
async def main() -> None:
    start = asyncio.get_running_loop().time()
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(cook("kettle", 0.5, False, start))
            group.create_task(cook("toaster", 1.0, True, start))
            group.create_task(cook("egg", 3.0, False, start))
    except* RuntimeError as failed:
        for error in failed.exceptions:
            say(start, f"the group failed: {error}")


asyncio.run(main())
# ANCHOR_END: main
