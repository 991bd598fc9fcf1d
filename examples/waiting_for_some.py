"""Course section: Structured concurrency. The Python twin of waiting_for_some.rs.

`gather(..., return_exceptions=True)` waits for every job and keeps each
result; a `TaskGroup` cancels the jobs still running at the first error;
`asyncio.wait(..., return_when=FIRST_COMPLETED)` returns the unfinished
tasks, still running, to cancel or to wait for; `as_completed` yields each
result as its job finishes.

Run it with `python3 examples/waiting_for_some.py` (Python 3.11 or later).
"""

import asyncio


def say(start: float, what: object) -> None:
    """Prints `what` after the seconds since `start`, as `[ 1.0s] ...`."""
    print(f"[{asyncio.get_running_loop().time() - start:4.1f}s] {what}")


# ANCHOR: job
async def job(name: str, seconds: float, fails: bool, start: float) -> str:
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        say(start, f"{name} dropped before it finished")
        raise
    if fails:
        raise RuntimeError(f"{name} failed")
    return name


def three_jobs(start: float) -> list:
    """a: 1 s, b: 2 s and fails, c: 3 s."""
    return [job("a", 1, False, start), job("b", 2, True, start), job("c", 3, False, start)]
# ANCHOR_END: job


def show(result: object) -> str:
    """`a`, or `error: b failed`."""
    return f"error: {result}" if isinstance(result, Exception) else str(result)


# ANCHOR: gather
async def all_results(start: float) -> None:
    results = await asyncio.gather(*three_jobs(start), return_exceptions=True)
    say(start, ", ".join(show(result) for result in results))
# ANCHOR_END: gather


# ANCHOR: task_group
async def until_an_error(start: float) -> None:
    try:
        async with asyncio.TaskGroup() as group:
            for coroutine in three_jobs(start):
                group.create_task(coroutine)
    except* RuntimeError as failed:
        say(start, f"the first error: {failed.exceptions[0]}")
# ANCHOR_END: task_group


# ANCHOR: wait
async def the_first_of_two(start: float) -> None:
    fast = asyncio.create_task(job("a", 1, False, start))
    slow = asyncio.create_task(job("c", 3, False, start))
    done, pending = await asyncio.wait({fast, slow}, return_when=asyncio.FIRST_COMPLETED)
    say(start, f"first: {show(done.pop().result())}")
    for loser in pending:
        loser.cancel()  # or await it: it is still running
    await asyncio.wait(pending)
# ANCHOR_END: wait


# ANCHOR: as_completed
async def as_they_finish(start: float) -> None:
    for next_done in asyncio.as_completed(three_jobs(start)):
        try:
            result = await next_done
        except RuntimeError as error:
            result = error
        say(start, show(result))
# ANCHOR_END: as_completed


# ANCHOR: main
async def main() -> None:
    loop = asyncio.get_running_loop()
    print("asyncio.gather(return_exceptions=True):")
    await all_results(loop.time())
    print("TaskGroup:")
    await until_an_error(loop.time())
    print("asyncio.wait(FIRST_COMPLETED):")
    await the_first_of_two(loop.time())
    print("asyncio.as_completed:")
    await as_they_finish(loop.time())


asyncio.run(main())
# ANCHOR_END: main
