"""Course section: Ways to Run & Cancel. The Python twin of cancellation_token.rs.

A cook and a dish washer work until closing time. `main` does not cancel
their tasks: it sets an `Event`, and each worker decides when to stop. The
cook finishes the order it has started, then cleans the stove. Before
Python 3.13 a `Queue` cannot be closed (3.13 added `Queue.shutdown`), so
where the Rust cook also stops when every sender is gone, this one waits
for orders until closing time.

Run it with `python3 examples/cancellation_token.py`.
"""

import asyncio


def say(start: float, what: object) -> None:
    """Prints `what` after the seconds since `start`, as `[ 2.0s] ...`."""
    print(f"[{asyncio.get_running_loop().time() - start:4.1f}s] {what}")


# ANCHOR: cook
async def next_order(closing: asyncio.Event, orders: asyncio.Queue) -> str | None:
    """The next order, waiting for one if need be, or None at closing time.
    Closing time is checked first: no new order is taken after it."""
    if closing.is_set():
        return None
    getting = asyncio.create_task(orders.get())
    closed = asyncio.create_task(closing.wait())
    await asyncio.wait({getting, closed}, return_when=asyncio.FIRST_COMPLETED)
    closed.cancel()
    if getting.done():
        return getting.result()
    getting.cancel()  # a `Queue.get` cancelled while it waits takes nothing
    return None


async def cook(closing: asyncio.Event, orders: asyncio.Queue, start: float) -> int:
    """Cooks orders until closing time. An order that has started is always
    finished; then the stove is cleaned."""
    served = 0
    while (order := await next_order(closing, orders)) is not None:
        # Not raced against closing time: this part always runs to the end.
        say(start, f"cook: {order} started")
        await asyncio.sleep(2)
        say(start, f"cook: {order} served")
        served += 1
    # Nobody cancels this task, so this clean-up may await as long as it needs.
    say(start, "cook: cleaning the stove")
    await asyncio.sleep(1)
    say(start, "cook: stove clean")
    return served
# ANCHOR_END: cook


# ANCHOR: washer
async def washer(closing: asyncio.Event, start: float) -> int:
    """Washes a dish every 1.5 s until closing time. Stopping halfway through
    a dish loses nothing that matters, so the wait itself is cut short."""
    washed = 0
    while True:
        try:
            await asyncio.wait_for(closing.wait(), timeout=1.5)
            break
        except TimeoutError:
            washed += 1
            say(start, f"washer: dish {washed} clean")
    say(start, "washer: going home")
    return washed
# ANCHOR_END: washer


# ANCHOR: main
async def main() -> None:
    start = asyncio.get_running_loop().time()
    orders = asyncio.Queue(8)
    for order in ["soup", "pasta", "cake"]:
        await orders.put(order)

    closing_time = asyncio.Event()
    async with asyncio.TaskGroup() as group:
        cooking = group.create_task(cook(closing_time, orders, start))
        washing = group.create_task(washer(closing_time, start))

        await asyncio.sleep(3.5)
        say(start, "main: closing time")
        closing_time.set()  # only asks: each worker decides when to stop

    say(start, f"main: {cooking.result()} orders served, {washing.result()} dishes washed")


asyncio.run(main())
# ANCHOR_END: main
