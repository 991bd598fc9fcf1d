"""Course section: What, why, and threads vs asyncio. The Python twin of
waiting_together.rs.

Three simulated downloads run one after another, then all at once with
`asyncio.gather`, and every line says which thread ran it.

Run it with `python3 examples/waiting_together.py`.
"""

import asyncio
import threading


# ANCHOR: download
async def download(page: str, latency: float, start: float) -> int:
    """Stands in for a network request: almost all of it is waiting."""
    await asyncio.sleep(latency)
    thread = threading.current_thread().name
    elapsed = asyncio.get_running_loop().time() - start
    print(f"[{elapsed:4.1f}s] got {page:<9} on thread {thread}")
    return len(page)
# ANCHOR_END: download


PAGES = [("/news", 1.2), ("/weather", 0.8), ("/sports", 1.0)]


# ANCHOR: one_after_another
async def one_after_another(start: float) -> None:
    for page, latency in PAGES:
        await download(page, latency, start)
# ANCHOR_END: one_after_another


# ANCHOR: all_at_once
async def all_at_once(start: float) -> None:
    await asyncio.gather(*(download(page, latency, start) for page, latency in PAGES))
# ANCHOR_END: all_at_once


async def main() -> None:
    loop = asyncio.get_running_loop()
    print("One after another:")
    await one_after_another(loop.time())

    print("\nAll at once:")
    await all_at_once(loop.time())


asyncio.run(main())
