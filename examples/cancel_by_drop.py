"""Course section: Ways to Run & Cancel. The Python twin of cancel_by_drop.rs.

Three ways to stop waiting: `wait_for` cancels a coroutine at its deadline,
`asyncio.wait` races two tasks and the loser is cancelled, and `shield`
keeps a task running when the wait for it times out.

Run it with `python3 examples/cancel_by_drop.py`.
"""

import asyncio
from collections.abc import Awaitable


def say(start: float, what: object) -> None:
    """Prints `what` after the seconds since `start`, as `[ 2.0s] ...`."""
    print(f"[{asyncio.get_running_loop().time() - start:4.1f}s] {what}")


# ANCHOR: boil_egg
async def boil_egg(start: float) -> str:
    try:
        say(start, "egg in the pot")
        await asyncio.sleep(3)  # cancelling raises CancelledError here
        say(start, "egg boiled")
        return "a boiled egg"
    finally:
        say(start, "pot dropped")  # runs however it ends; it could even await
# ANCHOR_END: boil_egg


async def stopwatch(start: float) -> None:
    """The course's stopwatch: 1, 2, 3, ... once a second, forever."""
    count = 0
    while True:
        await asyncio.sleep(1)
        count += 1
        say(start, count)


async def outcome(work: Awaitable[object]) -> str:
    """`Ok(value)` if `work` returns, `Err(message)` if it raises."""
    try:
        return f"Ok({await work!r})"
    except Exception as error:
        return f"Err({str(error) or type(error).__name__})"


# ANCHOR: timeout
async def cancel_with_timeout(start: float) -> None:
    result = await outcome(asyncio.wait_for(boil_egg(start), 1))
    say(start, f"timeout gave {result}")
# ANCHOR_END: timeout


# ANCHOR: select
async def cancel_with_wait(start: float) -> None:
    watch = asyncio.create_task(stopwatch(start))
    nap = asyncio.create_task(asyncio.sleep(2.5))
    done, pending = await asyncio.wait({watch, nap}, return_when=asyncio.FIRST_COMPLETED)
    for loser in pending:
        loser.cancel()  # asyncio.wait leaves the loser running; cancel it by hand
    if nap in done:
        say(start, "the sleep won")
# ANCHOR_END: select


# ANCHOR: shield
async def shield_a_task(start: float) -> str:
    boiling = asyncio.create_task(boil_egg(start))
    # Without `shield`, wait_for would cancel the task at its deadline.
    result = await outcome(asyncio.wait_for(asyncio.shield(boiling), 1))
    say(start, f"timeout gave {result}")
    egg = await boiling
    say(start, f"got {egg}")
    return egg
# ANCHOR_END: shield


# ANCHOR: main
async def main() -> None:
    clock = asyncio.get_running_loop()
    print("wait_for(1 s) around boil_egg():")
    await cancel_with_timeout(clock.time())
    print("asyncio.wait between the stopwatch and a 2.5 s sleep:")
    await cancel_with_wait(clock.time())
    print("a boil_egg() task, wait_for(1 s) around shield(task):")
    await shield_a_task(clock.time())


asyncio.run(main())
# ANCHOR_END: main
