"""Course section: Asynchronous functions. The Python twin of runtime_by_hand.rs.

`asyncio.run(coro)` creates an event loop, runs one coroutine to the end,
returns its result and closes the loop. `asyncio.Runner` (Python 3.11) is the
same in parts: the `with` block owns the loop, and `run` drives one coroutine.

Run it with `python3 examples/runtime_by_hand.py`.
"""

import asyncio


async def add_slowly(a: int, b: int) -> int:
    await asyncio.sleep(0)  # give other tasks a turn
    return a + b


# ANCHOR: main
def main() -> None:
    # One event loop, created when the `with` block starts.
    with asyncio.Runner() as runner:
        # `run` is `asyncio.run` without the set-up: it drives one coroutine
        # to the end and returns its result.
        total = runner.run(add_slowly(2, 40))
        print(f"add_slowly(2, 40) returned {total}")
    # Leaving the block closes the loop, as `asyncio.run` does.


main()
# ANCHOR_END: main
