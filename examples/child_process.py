"""Course section: What, Why & Threads vs Asyncio (a child process). The Python twin of child_process.rs.

Run it with `python3 examples/child_process.py`. Like the Rust example, it
starts itself as its child (`--child ...`), so it needs nothing installed.
"""

import asyncio
import sys
import time
from asyncio.subprocess import PIPE

# This interpreter, running this file again.
CHILD = [sys.executable, __file__, "--child"]


# ANCHOR: child
def be_the_child(args):
    """What the program does as a child: plain blocking code."""
    match args:
        case ["count", n]:
            for i in range(1, int(n) + 1):
                time.sleep(0.1)
                # A pipe keeps output in a buffer: send each line now.
                print(f"egg {i} of {n} is done", flush=True)
        case ["shout"]:
            for line in sys.stdin:
                print(line.rstrip("\n").upper(), flush=True)
        case ["sleep", seconds]:
            time.sleep(int(seconds))
        case _:
            sys.exit(f"unknown child: {args}")
# ANCHOR_END: child


# ANCHOR: follow
async def follow(proc, on_line):
    async for line in proc.stdout:
        on_line(line.decode().rstrip("\n"))
    return await proc.wait()
# ANCHOR_END: follow


# ANCHOR: shout
async def shout(proc, words):
    heard = []
    for word in words:
        proc.stdin.write(f"{word}\n".encode())
        await proc.stdin.drain()
        answer = await proc.stdout.readline()
        if not answer:
            raise EOFError("the child stopped answering")
        heard.append(answer.decode().rstrip("\n"))
    proc.stdin.close()  # the child reads the end of its input, and stops
    return heard
# ANCHOR_END: shout


# ANCHOR: wait_or_kill
async def wait_or_kill(proc, limit):
    try:
        async with asyncio.timeout(limit):
            return await proc.wait()
    except TimeoutError:
        proc.kill()  # sends the kill, and returns at once
        return await proc.wait()
# ANCHOR_END: wait_or_kill


# ANCHOR: dropped
async def sleep_in_a_child():
    proc = await asyncio.create_subprocess_exec(*CHILD, "sleep", "10")
    try:
        return await proc.wait()
    finally:
        if proc.returncode is None:  # cancelled: kill what would outlive us
            proc.kill()
            await proc.wait()
# ANCHOR_END: dropped


# ANCHOR: describe
def describe(returncode):
    if returncode >= 0:
        return f"exited with code {returncode}"
    return "was killed by a signal"  # -N: killed by signal N
# ANCHOR_END: describe


# ANCHOR: main
async def parent():
    counter = await asyncio.create_subprocess_exec(*CHILD, "count", "3", stdout=PIPE)
    status = await follow(counter, lambda line: print(f"child: {line}"))
    print(f"the counter {describe(status)}")

    shouter = await asyncio.create_subprocess_exec(
        *CHILD, "shout", stdin=PIPE, stdout=PIPE
    )
    words = ["soft", "runny"]
    for word, answer in zip(words, await shout(shouter, words)):
        print(f"sent {word}, read {answer}")
    print(f"the shouter {describe(await shouter.wait())}")

    sleeper = await asyncio.create_subprocess_exec(*CHILD, "sleep", "10")
    print(f"the sleeper {describe(await wait_or_kill(sleeper, 0.2))}")

    try:
        async with asyncio.timeout(0.2):
            status = await sleep_in_a_child()
        print(f"the second sleeper {describe(status)}")
    except TimeoutError:
        print("gave up on the second sleeper, and dropped it: killed")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        be_the_child(sys.argv[2:])
    else:
        asyncio.run(parent())
# ANCHOR_END: main
