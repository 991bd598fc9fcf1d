"""Course section: Asynchronous functions. The Python twin of hello_async.rs.

`asyncio.run(main())` starts an event loop, runs one coroutine to the end and
closes the loop.

Run it with `python3 examples/hello_async.py`.
"""

# ANCHOR: main
import asyncio
from collections.abc import Callable


async def hello_world(say: Callable[[str], None]) -> None:
    """Says hello, waits two seconds, then says the rest. Each line starts
    with the time since it began; `say` is what to do with a line."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    say(f"[{loop.time() - start:4.1f}s] hello...")
    await asyncio.sleep(2)
    say(f"[{loop.time() - start:4.1f}s] ...world")


async def main() -> None:
    await hello_world(print)


asyncio.run(main())
# ANCHOR_END: main
