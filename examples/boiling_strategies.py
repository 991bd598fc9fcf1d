"""Course section: Asynchronous Iterators. The Python twin of boiling_strategies.rs.

Three ways to boil four eggs together: `asyncio.gather` (everything at once,
results in the order given), a `Semaphore` of two (at most two at a time,
results as they finish) and a `TaskGroup` (one task per egg, results as they
finish).

Run it with `python3 examples/boiling_strategies.py`.
"""

import asyncio

BOIL_SECS = [5, 2, 4, 3]  # egg n boils for BOIL_SECS[n - 1] seconds


async def boil(egg: int, start: float) -> int:
    await asyncio.sleep(BOIL_SECS[egg - 1])
    elapsed = asyncio.get_running_loop().time() - start
    print(f"[{elapsed:4.1f}s] egg {egg} is boiled")
    return egg


# ANCHOR: gather
async def with_gather(start: float) -> list[int]:
    """Every egg in the pot at once; results come back in the order given."""
    return await asyncio.gather(*(boil(egg, start) for egg in range(1, 5)))
# ANCHOR_END: gather


# ANCHOR: semaphore
async def two_at_a_time(start: float) -> list[int]:
    """A pot that holds two eggs: the next one goes in when one comes out."""
    pot = asyncio.Semaphore(2)

    async def boil_in_pot(egg: int) -> int:
        async with pot:
            return await boil(egg, start)

    async with asyncio.TaskGroup() as group:
        boiling = [group.create_task(boil_in_pot(egg)) for egg in range(1, 5)]
        return [await done for done in asyncio.as_completed(boiling)]
# ANCHOR_END: semaphore


# ANCHOR: task_group
async def with_task_group(start: float) -> list[int]:
    """Each egg a task; results come back as they finish."""
    async with asyncio.TaskGroup() as group:
        boiling = [group.create_task(boil(egg, start)) for egg in range(1, 5)]
        return [await done for done in asyncio.as_completed(boiling)]
# ANCHOR_END: task_group


async def main() -> None:
    loop = asyncio.get_running_loop()
    print("asyncio.gather:")
    print(f"results in order given: {await with_gather(loop.time())}\n")

    print("Semaphore(2):")
    print(f"results as they finish: {await two_at_a_time(loop.time())}\n")

    print("TaskGroup:")
    print(f"results as they finish: {await with_task_group(loop.time())}")


asyncio.run(main())
