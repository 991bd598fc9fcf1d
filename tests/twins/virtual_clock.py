"""Runs a Python twin on an event loop with a virtual clock.

    python3 tests/twins/virtual_clock.py examples/NAME.py [ARGS...]

The script runs as `__main__`, unchanged. Every event loop it creates, with
`asyncio.run` or `asyncio.Runner`, reads a clock that starts at 0 and, when
the loop has nothing to do but wait for a timer, jumps straight to that
timer. A program that sleeps for 19 seconds finishes in milliseconds, and
every time it prints is exact: the same idea as tokio's paused clock, which
the Rust examples use in the book's tests.

While a thread from the loop's executor is busy (`asyncio.to_thread`), the
clock stands still and the loop really waits for the thread, as tokio's paused
clock does while a `spawn_blocking` task runs.

Only the standard library is used. `tests/twins.rs` runs every twin this way.
"""

import asyncio
import runpy
import selectors
import sys


class VirtualClockSelector(selectors.DefaultSelector):
    """Never sleeps: where the loop would wait for a timer, moves the clock."""

    def __init__(self, loop: "VirtualClockLoop") -> None:
        super().__init__()
        self.loop = loop

    def select(self, timeout=None):
        ready = super().select(0)
        if ready or (timeout is not None and timeout <= 0):
            return ready
        if timeout is None or self.loop.threads_busy:
            # Nothing is scheduled, or a thread will report back: really wait.
            return super().select(None)
        self.loop.now += timeout  # the next timer is due now
        return []


class VirtualClockLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self.now = 0.0
        self.threads_busy = 0
        super().__init__(VirtualClockSelector(self))

    def time(self) -> float:
        return self.now

    def run_in_executor(self, executor, func, *args):
        future = super().run_in_executor(executor, func, *args)
        self.threads_busy += 1
        future.add_done_callback(self._thread_done)
        return future

    def _thread_done(self, _future) -> None:
        self.threads_busy -= 1

    async def shutdown_default_executor(self, *args) -> None:
        # `asyncio.run` ends by joining the executor's threads in another
        # thread, with a timeout of 300 seconds from Python 3.12 on: keep the
        # clock still meanwhile, or it jumps to the timeout and Python warns
        # that the threads did not finish.
        self.threads_busy += 1
        try:
            await super().shutdown_default_executor(*args)
        finally:
            self.threads_busy -= 1


def install() -> None:
    """Makes every new event loop a `VirtualClockLoop`.

    `asyncio.run` and `asyncio.Runner` (without a `loop_factory`) create
    their loop with `asyncio.events.new_event_loop()`, looked up when they
    run, on every version from 3.11 to 3.14. Replacing that function, rather
    than setting an event loop policy, uses nothing deprecated: the policy
    functions are deprecated from Python 3.14 on, and `asyncio.run` has no
    `loop_factory` argument before 3.12.
    """
    asyncio.events.new_event_loop = VirtualClockLoop
    asyncio.new_event_loop = VirtualClockLoop


def main() -> None:
    if sys.version_info < (3, 11):
        sys.exit(
            f"error: the Python twins need Python 3.11 or later, not {sys.version.split()[0]}"
        )
    if len(sys.argv) < 2:
        sys.exit("usage: python3 tests/twins/virtual_clock.py examples/NAME.py [ARGS...]")
    sys.argv = sys.argv[1:]  # the twin sees the arguments it would get from python3
    # Print each line at once, as a terminal does, so that stdout and stderr
    # keep their order when both go to one file.
    sys.stdout.reconfigure(line_buffering=True)
    install()
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
