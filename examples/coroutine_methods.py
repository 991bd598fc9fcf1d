"""Course section: Coroutines & Awaitables. The Python twin of coroutine_methods.rs.

The course's `stopwatch`, driven by hand with `send(None)` and stopped with
`close()`, then cancelled by a timeout, then asked to stop by an `Event`.
Its `finally` block says how far it got, however it ends.

Run it with `python3 examples/coroutine_methods.py`.
"""

import asyncio


# ANCHOR: stopwatch
async def stopwatch() -> None:
    """Counts 1, 2, 3, ... once a second, forever."""
    count = 0
    try:
        while True:
            await asyncio.sleep(1)
            count += 1
            print(f"stopwatch: {count}")
    finally:
        # Runs on close(), on cancellation and on return; it could even await
        # (except after close(), where awaiting is a RuntimeError).
        print(f"stopwatch: dropped at {count}")
# ANCHOR_END: stopwatch


# ANCHOR: until
async def stopwatch_until(stop: asyncio.Event) -> int:
    """A stopwatch that stops when asked, and returns its count."""
    count = 0
    try:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=1)
            except TimeoutError:
                count += 1
                print(f"stopwatch: {count}")
        return count
    finally:
        print(f"stopwatch: dropped at {count}")
# ANCHOR_END: until


def send_none(coro) -> str:
    """Runs `coro` up to its next `await` that has to wait, like one poll."""
    try:
        coro.send(None)
    except StopIteration as done:
        return f"Ready({done.value!r})"
    return "Pending"


async def outcome(work) -> str:
    """`Ok(value)` if `work` returns, `Err(message)` if it raises."""
    try:
        return f"Ok({await work!r})"
    except Exception as error:
        return f"Err({str(error) or type(error).__name__})"


# ANCHOR: main
async def main() -> None:
    print("poll it by hand, like coro.send(None):")
    watch = stopwatch()
    print(f"-> {send_none(watch)}")
    await asyncio.sleep(1.5)
    print("1.5 s later, poll it again:")
    print(f"-> {send_none(watch)}")

    print("drop it, like coro.close():")
    watch.close()  # GeneratorExit at its await: `finally` runs

    print("race it against a 3.5 s timeout:")
    print(f"-> {await outcome(asyncio.wait_for(stopwatch(), 3.5))}")

    print("ask it to stop after 2.5 s:")
    stop = asyncio.Event()

    async def stop_later() -> None:
        await asyncio.sleep(2.5)
        stop.set()

    async with asyncio.TaskGroup() as group:
        counting = group.create_task(outcome(stopwatch_until(stop)))
        group.create_task(stop_later())
    print(f"-> {counting.result()}")


asyncio.run(main())
# ANCHOR_END: main
