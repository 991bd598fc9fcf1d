"""Course section: Asynchronous functions. The Python twin of lazy_future.rs.

Calling an `async def` function returns a coroutine object and runs none of
its body. Awaiting the coroutine runs it. A coroutine that is thrown away
unawaited never runs, and Python warns about it at run time.

Run it with `python3 examples/lazy_future.py`.
"""

import asyncio


# ANCHOR: greet
async def greet(name: str) -> str:
    print(f'  greet("{name}") is running')
    return f"hello, {name}"
# ANCHOR_END: greet


# ANCHOR: main
async def main() -> None:
    print('1. calling greet("Ada")')
    coroutine = greet("Ada")
    print("2. got a coroutine back; greet has not run")

    greeting = await coroutine
    print(f"3. awaited it: {greeting}")

    never_awaited = greet("Grace")
    del never_awaited
    print("4. dropped a second coroutine unawaited; greet never ran for Grace")


asyncio.run(main())
# ANCHOR_END: main
