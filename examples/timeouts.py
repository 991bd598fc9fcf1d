"""Course section: Structured concurrency. The Python twin of timeouts.rs.

`asyncio.wait_for` cancels the awaitable it was given when the time is up;
`async with asyncio.timeout(...)` cancels whatever step of its block is in
progress; `asyncio.timeout_at` takes a deadline on the loop's clock. A task
that should run on past the timeout must be shielded: unlike tokio, asyncio
cancels a task whose wait timed out.

Run it with `python3 examples/timeouts.py` (Python 3.11 or later).
"""

import asyncio


def say(start: float, what: object) -> None:
    """Prints `what` after the seconds since `start`, as `[ 1.0s] ...`."""
    print(f"[{asyncio.get_running_loop().time() - start:4.1f}s] {what}")


async def boil(what: str, seconds: float, start: float) -> None:
    try:
        await asyncio.sleep(seconds)
        say(start, f"{what} boiled")
    finally:
        say(start, f"{what} pot dropped")


# ANCHOR: one_future
async def one_future(start: float) -> None:
    try:
        await asyncio.wait_for(boil("egg", 3, start), 1)
    except TimeoutError:
        say(start, "the egg timed out")
# ANCHOR_END: one_future


# ANCHOR: block
async def a_block(start: float) -> None:
    try:
        async with asyncio.timeout(2.5):
            await boil("egg", 1, start)
            await boil("tea", 3, start)
    except TimeoutError:
        say(start, "the block timed out")
# ANCHOR_END: block


async def outcome(step) -> str:
    """"done" or "timed out"."""
    try:
        await step
        return "done"
    except TimeoutError:
        return "timed out"


# ANCHOR: deadline
async def timed(deadline: float, step) -> None:
    async with asyncio.timeout_at(deadline):
        await step


async def one_deadline(start: float) -> None:
    deadline = asyncio.get_running_loop().time() + 2
    egg = await outcome(timed(deadline, boil("egg", 1, start)))
    tea = await outcome(timed(deadline, boil("tea", 3, start)))
    say(start, f"egg: {egg}, tea: {tea}")
# ANCHOR_END: deadline


# ANCHOR: handle
async def a_task(start: float) -> None:
    task = asyncio.create_task(boil("egg", 3, start))
    try:
        await asyncio.wait_for(asyncio.shield(task), 1)  # without shield, the task is cancelled
    except TimeoutError:
        say(start, "stopped waiting for the task")
    await asyncio.sleep(3)
# ANCHOR_END: handle


# ANCHOR: main
async def main() -> None:
    loop = asyncio.get_running_loop()
    print("timeout on one future:")
    await one_future(loop.time())
    print("timeout on a block of steps:")
    await a_block(loop.time())
    print("timeout_at, one deadline for two waits:")
    await one_deadline(loop.time())
    print("timeout on a task's handle:")
    await a_task(loop.time())


asyncio.run(main())
# ANCHOR_END: main
