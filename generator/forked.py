"""Work split with a forked process, for the machine's second core.

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


def map_split(function: Callable[[T], R], items: Sequence[T], min_items: int = 64) -> list[R]:
    """[function(item) for item in items], every other item done by a forked process.

    The results come back in order; the fork's are pickled through a pipe."""
    if len(items) < min_items or not fork_available():
        return [function(item) for item in items]
    read_end, write_end = os.pipe()

    def theirs() -> int:
        os.close(read_end)
        data = pickle.dumps([function(item) for item in items[1::2]], protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        return 0

    pid = fork_child(theirs)
    os.close(write_end)
    try:
        mine = [function(item) for item in items[0::2]]
    except BaseException:
        os.close(read_end)
        kill_child(pid)
        raise
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    if wait_child(pid) != 0:
        raise ForkError("work in a second process failed (its error is above)")
    results: list[R] = [None] * len(items)  # type: ignore[list-item]
    results[0::2] = mine
    results[1::2] = pickle.loads(data)
    return results
