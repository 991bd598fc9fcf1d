"""Course section: Futures. The Python twin of shared_future.rs.

Three drinks wait for one kettle. An `asyncio.Future` can have any number of
waiters, and one that comes after the result was set gets it at once.

Run it with `python3 examples/shared_future.py`.
"""

import asyncio


def stamp(start: float) -> str:
    """`[ 3.0s]`: the seconds since `start`, on the event loop's clock."""
    return f"[{asyncio.get_running_loop().time() - start:4.1f}s]"


# ANCHOR: waiters
async def make_drinks(start: float) -> list[str]:
    """Three drinks wait for one kettle; the kettle boils once."""
    hot_water = asyncio.get_running_loop().create_future()

    async def make(drink: str) -> str:
        water = await hot_water
        return f"{stamp(start)} {drink} made with {water}"

    async with asyncio.TaskGroup() as group:
        drinks = [group.create_task(make(drink)) for drink in ["tea", "coffee", "cocoa"]]
        await asyncio.sleep(3)
        hot_water.set_result("water at 100 degrees")
    made = [drink.result() for drink in drinks]

    # A waiter that comes after the value was set gets it at once.
    water = await hot_water
    made.append(f"{stamp(start)} a late waiter gets {water}")
    return made
# ANCHOR_END: waiters


# ANCHOR: main
async def main() -> None:
    for line in await make_drinks(asyncio.get_running_loop().time()):
        print(line)


asyncio.run(main())
# ANCHOR_END: main
