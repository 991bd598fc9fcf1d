"""Course section: Asynchronous Generators. The Python twin of download_stream.rs,
and of download_unfold.rs and download_by_hand.rs, two more Rust ways to write
the same generator.

`download(urls)` is an async generator: an `async def` with `yield` in it,
read with `async for`. Nothing is fetched until someone asks for an item.

Run it with `python3 examples/download_stream.py`.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TypeVar


def stamp(start: float) -> str:
    """`[ 1.0s]`: the seconds since `start`, on the event loop's clock."""
    return f"[{asyncio.get_running_loop().time() - start:4.1f}s]"


# ANCHOR: client
@dataclass
class Response:
    """What a server sends back. A 404 is an answer too, so it is a Response."""

    url: str
    status: int


class FetchError(Exception):
    """A request that got no answer at all."""

    def __init__(self, url: str) -> None:
        super().__init__(f"cannot resolve host `{url}`")
        self.url = url


# The pretend internet: how many seconds each URL takes to answer, and its
# status. Fixed, so that every run prints the same times.
ROUTES = {
    "google.com": (1, 200),
    "bing.com": (2, 200),
    "duckduckgo.com": (1, 200),
    "example.com/missing": (1, 404),
}


class Client:
    """Stands in for an HTTP client such as `aiohttp.ClientSession`, and
    counts the requests it sends."""

    def __init__(self) -> None:
        self.requests_sent = 0

    async def get(self, url: str) -> Response:
        self.requests_sent += 1
        if url not in ROUTES:
            raise FetchError(url)  # no such host: fails at once
        secs, status = ROUTES[url]
        await asyncio.sleep(secs)
        return Response(url, status)
# ANCHOR_END: client


URLS = ["google.com", "bing.com", "nowhere.invalid", "duckduckgo.com", "example.com/missing"]


# ANCHOR: download
async def download(client: Client, urls: list[str]) -> AsyncIterator[Response | FetchError]:
    """Every result is an item, failures too; the generator goes on after one."""
    for url in urls:
        try:
            response = await client.get(url)
        except FetchError as error:
            yield error
        else:
            yield response
# ANCHOR_END: download


# ANCHOR: try_download
async def try_download(client: Client, urls: list[str]) -> AsyncIterator[Response]:
    """The first error ends the generator, and flies out of the `async for`."""
    for url in urls:
        yield await client.get(url)
# ANCHOR_END: try_download


# ANCHOR: print_all
async def print_all(responses: AsyncIterator[Response | FetchError], start: float) -> None:
    async for response in responses:
        match response:
            case Response(url=url, status=status):
                print(f"{stamp(start)} {status} {url}")
            case FetchError() as error:
                print(f"{stamp(start)} error: {error}")
# ANCHOR_END: print_all


# ANCHOR: print_until_error
async def print_until_error(responses: AsyncIterator[Response | FetchError], start: float) -> None:
    """Stops at the first error by raising it: the loop ends, and the URLs
    after it are never fetched."""
    async for response in responses:
        if isinstance(response, FetchError):
            raise response
        print(f"{stamp(start)} {response.status} {response.url}")
# ANCHOR_END: print_until_error


T = TypeVar("T")


async def first(n: int, items: AsyncIterator[T]) -> AsyncIterator[T]:
    """The first `n` items of `items`; then it stops asking for more."""
    if n <= 0:
        return
    async for item in items:
        yield item
        n -= 1
        if n == 0:
            break


# ANCHOR: main
async def main() -> None:
    loop = asyncio.get_running_loop()
    print("async generator, every result is an item:")
    client = Client()
    responses = download(client, URLS)
    print(f"(generator created, {client.requests_sent} requests sent)")
    start = loop.time()
    await print_all(responses, start)
    print(f"{client.requests_sent} requests sent\n")

    print("async generator that raises, the first error ends it:")
    client = Client()
    start = loop.time()
    try:
        await print_all(try_download(client, URLS), start)
    except FetchError as error:
        print(f"{stamp(start)} error: {error}")
    print(f"{client.requests_sent} requests sent\n")

    print("async generator, and `raise` in the loop that reads it:")
    client = Client()
    start = loop.time()
    try:
        await print_until_error(download(client, URLS), start)
    except FetchError as error:
        print(f"{stamp(start)} stopped: {error}")
    print(f"{client.requests_sent} requests sent\n")

    print("async generator, but take only the first 2:")
    client = Client()
    start = loop.time()
    await print_all(first(2, download(client, URLS)), start)
    print(f"{client.requests_sent} requests sent")


asyncio.run(main())
# ANCHOR_END: main
