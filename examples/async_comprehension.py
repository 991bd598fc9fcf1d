"""Course section: Asynchronous List Comprehension. The Python twin of
async_comprehension.rs.

`[r async for r in download(urls) if r.status != 200]` reads an async
generator to the end and keeps what passes the `if`.

Run it with `python3 examples/async_comprehension.py`.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass
class Response:
    url: str
    status: int


# The pretend internet: how many seconds each URL takes to answer, and its
# status. Fixed, so that every run prints the same times.
ROUTES = {
    "google.com": (1, 200),
    "duckduckgo.com": (1, 200),
    "bing.com/old-page": (2, 404),
    "example.com/crash": (1, 500),
    "example.org/busy": (2, 503),
}
GONE = (1, 410)  # any other URL

URLS = [
    "google.com",
    "bing.com/old-page",
    "duckduckgo.com",
    "example.com/crash",
    "example.org/busy",
    "example.net/gone",
]


async def download(urls: list[str]) -> AsyncIterator[Response]:
    """The async generator of the previous chapter, without the failures."""
    for url in urls:
        secs, status = ROUTES.get(url, GONE)
        await asyncio.sleep(secs)
        yield Response(url, status)


# ANCHOR: filter
async def error_responses(urls: list[str]) -> list[Response]:
    return [r async for r in download(urls) if r.status != 200]
# ANCHOR_END: filter


# ANCHOR: filter_map
async def error_urls(urls: list[str]) -> list[str]:
    return [r.url async for r in download(urls) if r.status != 200]
# ANCHOR_END: filter_map


def stamp(start: float) -> str:
    """`[ 1.0s]`: the seconds since `start`, on the event loop's clock."""
    return f"[{asyncio.get_running_loop().time() - start:4.1f}s]"


# ANCHOR: main
async def main() -> None:
    loop = asyncio.get_running_loop()
    print("[r async for r in ... if ...]:")
    start = loop.time()
    errors = await error_responses(URLS)
    print(f"{stamp(start)} {len(errors)} error responses")
    for error in errors:
        print(f"        {error.status} {error.url}")

    print("\n[r.url async for r in ... if ...]:")
    start = loop.time()
    urls = await error_urls(URLS)
    print(f"{stamp(start)} {urls}")


asyncio.run(main())
# ANCHOR_END: main
