"""Course section: What, Why & Threads vs Asyncio. The Python side of threads_vs_tasks.rs.

Many jobs that each wait on an event: as asyncio tasks awaiting an
`asyncio.Event`, or as threads waiting on a `threading.Event`. The Rust
example runs this program as a child process, once per trial, and puts what
it prints in the same table as its own rows, measured the same way:

    python3 examples/threads_vs_tasks.py --trial asyncio JOBS
    python3 examples/threads_vs_tasks.py --trial threads JOBS [STACK_BYTES] [--fail-early]

It prints `key value` lines (times in nanoseconds, memory from the kernel's
own accounting in /proc, so Linux only), the same keys as the Rust trials.
`--fail-early` limits the address space first, so that starting threads
fails after a few of them, as the book's tests need. Standard library only,
Python 3.11 or later.
"""

import asyncio
import resource
import sys
import threading
import time


def kib(path: str, key: str) -> int:
    """The number after `key` in a /proc file, such as `VmRSS:  1234 kB`."""
    with open(path) as file:
        for line in file:
            if line.startswith(key):
                return int(line.split()[1])
    raise KeyError(key)


def memory() -> dict[str, int]:
    """This process's memory and the kernel's share, in KiB (see the Rust side)."""
    status, machine = "/proc/self/status", "/proc/meminfo"
    return {
        "resident": kib(status, "VmRSS:"),
        "peak": kib(status, "VmHWM:"),
        "kernel": kib(status, "VmPTE:")
        + kib(machine, "KernelStack:")
        + kib(machine, "SUnreclaim:"),
    }


def mappings() -> int:
    """The lines of /proc/self/maps: one per memory mapping."""
    with open("/proc/self/maps") as file:
        return sum(1 for _ in file)


class Probe:
    """Takes the timings and the memory readings of one trial."""

    def __init__(self) -> None:
        self.before = memory()
        self.mappings_before = mappings()
        self.clock = time.perf_counter_ns()

    def started(self, threads: int) -> None:
        if threads % 10 == 0:  # printed at once: if the process dies, it counts
            print(f"started {threads}", flush=True)

    def spawn_failed(self, started: int, error: BaseException) -> None:
        print(f"spawn_failed {started} {type(error).__name__}: {error}", flush=True)
        print(f"mappings_at_failure {mappings()}", flush=True)

    def all_waiting(self, waiting: int, finished: int) -> None:
        now = time.perf_counter_ns()
        print(f"waiting {waiting}")
        print(f"start_ns {now - self.clock}")
        print(f"finished_early {finished}")
        print(f"mappings_before {self.mappings_before}")
        print(f"mappings_waiting {mappings()}")
        after, jobs = memory(), max(waiting, 1)
        print(f"resident_per_job {max(after['peak'] - self.before['resident'], 0) * 1024 // jobs}")
        print(f"kernel_per_job {int((after['kernel'] - self.before['kernel']) * 1024 / jobs)}")
        self.clock = time.perf_counter_ns()

    def all_joined(self, joined: int) -> None:
        print(f"join_ns {time.perf_counter_ns() - self.clock}")
        print(f"joined {joined}")
        print(f"peak_kib {memory()['peak']}")


# ANCHOR: tasks
async def tasks_waiting(jobs: int, probe: Probe) -> None:
    """One asyncio task per job. Each says it is waiting, then waits."""
    release, all_ready = asyncio.Event(), asyncio.Event()
    ready = 0

    async def job() -> None:
        nonlocal ready
        ready += 1
        if ready == jobs:
            all_ready.set()
        await release.wait()

    tasks = [asyncio.create_task(job()) for _ in range(jobs)]
    await all_ready.wait()
    # None should have finished: each one waits for the release.
    probe.all_waiting(ready, sum(task.done() for task in tasks))

    release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    probe.all_joined(sum(result is None for result in results))
# ANCHOR_END: tasks


# ANCHOR: threads
def threads_waiting(jobs: int, probe: Probe) -> None:
    """One thread per job, each waiting on the same event. Stops starting
    threads at the first one the system refuses."""
    release, ready = threading.Event(), threading.Semaphore(0)

    def job() -> None:
        ready.release()
        release.wait()

    threads: list[threading.Thread] = []
    for _ in range(jobs):
        thread = threading.Thread(target=job)
        try:
            thread.start()
        except (RuntimeError, MemoryError) as error:  # "can't start new thread"
            probe.spawn_failed(len(threads), error)
            break
        threads.append(thread)
        probe.started(len(threads))
    for _ in threads:
        ready.acquire()
    # None should have finished: each one waits for the release.
    probe.all_waiting(len(threads), sum(not thread.is_alive() for thread in threads))

    release.set()
    for thread in threads:
        thread.join()
    probe.all_joined(len(threads))
# ANCHOR_END: threads


# How much more than it has mapped a trial may map with --fail-early.
FAIL_EARLY_BYTES = 64 * 1024 * 1024


def main(args: list[str]) -> int:
    if len(args) < 3 or args[0] != "--trial" or args[1] not in ("asyncio", "threads"):
        print(__doc__, file=sys.stderr)
        return 2
    rest = args[3:]
    if rest[-1:] == ["--fail-early"]:
        rest = rest[:-1]
        mapped = kib("/proc/self/status", "VmSize:") * 1024
        limit = mapped + FAIL_EARLY_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if rest:  # a stack size for each new thread, as Rust's Builder::stack_size
        threading.stack_size(int(rest[0]))
    jobs = int(args[2])
    if args[1] == "asyncio":

        async def trial() -> None:
            # The event loop exists before the first reading, as tokio's
            # runtime does on the Rust side.
            await tasks_waiting(jobs, Probe())

        asyncio.run(trial())
    else:
        threads_waiting(jobs, Probe())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
