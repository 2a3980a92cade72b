"""Work split with forked processes, for the machine's other cores: the one way the archive runs in parallel.

`os.fork` gives the child the parent's whole state (records, templates, caches) for free, where a
process pool would pickle it across. Only where fork exists; elsewhere everything runs here.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class ForkError(Exception):
    """The forked process failed; its traceback went to stderr."""


def fork_available() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def die_with(parent: int) -> None:
    """Called in a fork: a killed parent must not leave its fork writing files (Linux)."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: no such call
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def fork_child(work: Callable[[], int]) -> int:
    """Run `work` in a forked process and return its pid; the process exits with work's return value
    (1 if it raised: its traceback goes to stderr). It dies with this process."""
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            die_with(parent)
            code = work()
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)  # no cleanup of the parent's state (atexit, open builds) in the fork
    return pid


def wait_child(pid: int) -> int:
    """The exit code of a child from `fork_child`."""
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def kill_child(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, ChildProcessError):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def map_split(function: Callable[[T], R], items: Sequence[T], min_items: int = 64, workers: int = 2,
              progress: Callable[[int], None] | None = None) -> list[R]:
    """[function(item) for item in items], shared with `workers - 1` forked processes (item k goes
    to worker k % workers; this process is worker 0).

    The only way the archive runs work in parallel: a fork shares this process's state (records,
    templates, caches) without pickling it, and dies with it. Never call it while a translation
    model is loaded (its threads would be copied in a broken state): the translation stage closes
    its engine first. `progress` is told of items done as this process does its share (it stands
    for the others too: the shares are alike), and of the rest at the end."""
    workers = max(1, min(workers, len(items)))
    if len(items) < min_items or workers < 2 or not fork_available():
        results = []
        for item in items:
            results.append(function(item))
            if progress:
                progress(1)
        return results
    pids: list[int] = []
    reads: list[int] = []
    try:
        for k in range(1, workers):
            read_end, write_end = os.pipe()

            def theirs(k: int = k, read_end: int = read_end, write_end: int = write_end) -> int:
                os.close(read_end)
                for other in reads:  # the earlier workers' pipes, inherited
                    os.close(other)
                data = pickle.dumps([function(item) for item in items[k::workers]], protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(data)
                return 0

            pids.append(fork_child(theirs))
            os.close(write_end)
            reads.append(read_end)
        mine = []
        reported = 0
        for item in items[0::workers]:
            mine.append(function(item))
            if progress and reported + workers <= len(items):
                progress(workers)
                reported += workers
        shares = []
        for read_end in reads:
            with os.fdopen(read_end, "rb") as pipe:
                shares.append(pipe.read())
        reads.clear()
    except BaseException:
        for read_end in reads:
            os.close(read_end)
        for pid in pids:
            kill_child(pid)
        raise
    if any(wait_child(pid) != 0 for pid in pids):
        raise ForkError("work in a second process failed (its error is above)")
    if progress and reported < len(items):
        progress(len(items) - reported)
    results: list[R] = [None] * len(items)  # type: ignore[list-item]
    results[0::workers] = mine
    for k, data in enumerate(shares, start=1):
        results[k::workers] = pickle.loads(data)
    return results
