"""Course section: Asynchronous functions. The Python twin of hello_async.rs.

`asyncio.run(main())` starts an event loop, runs one coroutine to the end and
closes the loop.

Run it with `python3 examples/hello_async.py`.
"""

# ANCHOR: main
import asyncio


async def hello_world() -> None:
    """Says hello, waits two seconds, then says the rest, each line starting
    with the time since it began."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    print(f"[{loop.time() - start:4.1f}s] hello...")
    await asyncio.sleep(2)
    print(f"[{loop.time() - start:4.1f}s] ...world")


asyncio.run(hello_world())
# ANCHOR_END: main
