"""Course section: Asynchronous Iterators. The Python twin of egg_boiler.rs.

`EggBoiler` is an async iterator: `__anext__` hands out one egg at a time,
`async for` boils them one after another, and `asyncio.gather` boils them
all at once.

Run it with `python3 examples/egg_boiler.py`, or `python3 examples/egg_boiler.py 6`
for six eggs.
"""

import asyncio
import sys
from dataclasses import dataclass

MAX_EGGS = 12  # a dozen eggs is as many as the pot takes


def stamp(start: float) -> str:
    """`[ 5.0s]`: the seconds since `start`, on the event loop's clock."""
    return f"[{asyncio.get_running_loop().time() - start:4.1f}s]"


# ANCHOR: egg
# Boiling times in seconds. Fixed, not random, so that every run tells the
# same story: egg 5 takes as long as egg 1, egg 6 as long as egg 2, and so on.
BOIL_SECS = [5, 2, 4, 3]


@dataclass
class Egg:
    number: int

    async def boil(self, start: float) -> int:
        await asyncio.sleep(BOIL_SECS[(self.number - 1) % len(BOIL_SECS)])
        print(f"{stamp(start)} egg {self.number} is boiled")
        return self.number
# ANCHOR_END: egg


# ANCHOR: boiler
class EggBoiler:
    """Hands out eggs one at a time: an async iterator."""

    def __init__(self, amount: int) -> None:
        self.numbers = iter(range(1, amount + 1))

    def __aiter__(self) -> "EggBoiler":
        return self

    async def __anext__(self) -> Egg:
        number = next(self.numbers, None)
        if number is None:
            raise StopAsyncIteration  # ends `async for`
        return Egg(number)
# ANCHOR_END: boiler


# ANCHOR: one_at_a_time
async def boil_one_at_a_time(eggs: EggBoiler, start: float) -> list[int]:
    boiled = []
    async for egg in eggs:
        boiled.append(await egg.boil(start))
    return boiled
# ANCHOR_END: one_at_a_time


# ANCHOR: all_at_once
async def boil_all_at_once(eggs: EggBoiler, start: float) -> list[int]:
    boiling = [egg.boil(start) async for egg in eggs]
    return await asyncio.gather(*boiling)
# ANCHOR_END: all_at_once


def egg_count(args: list[str]) -> int:
    """Reads the optional number of eggs; a `ValueError` says what is wrong."""
    if not args:
        return 4
    arg, *extra = args
    if extra:
        raise ValueError(f"unexpected argument `{extra[0]}`: give at most one number of eggs")
    if arg.isascii() and arg.isdigit() and 1 <= int(arg) <= MAX_EGGS:
        return int(arg)
    raise ValueError(
        f"the number of eggs must be a whole number from 1 to {MAX_EGGS}, not `{arg}`"
    )


# ANCHOR: main
async def main(amount: int) -> None:
    loop = asyncio.get_running_loop()
    eggs = "egg" if amount == 1 else "eggs"
    print(f"Boiling {amount} {eggs} one at a time:")
    start = loop.time()
    await boil_one_at_a_time(EggBoiler(amount), start)
    print(f"{stamp(start)} all boiled\n")

    print(f"Boiling {amount} {eggs} all at once:")
    start = loop.time()
    await boil_all_at_once(EggBoiler(amount), start)
    print(f"{stamp(start)} all boiled")


try:
    amount = egg_count(sys.argv[1:])
except ValueError as error:
    sys.exit(f"error: {error}")  # prints to stderr, exits with status 1
asyncio.run(main(amount))
# ANCHOR_END: main
