"""One build at a time per archive: an exclusive lock on `.cache/build.lock` under the archive root.

Two builds of one archive at once interleave their writes to docs/archive/, the build manifest,
the report and site/: when the seeds changed between their starts, both exited 0 and site/en/
kept the pages and search entries of deleted articles. Every build takes the lock before it
writes anything: `python -m generator build` and `serve` (both run MkDocs), and a plain
`mkdocs build` or `mkdocs serve`, through the archive plugin (generator/site/plugin.py).

The lock is `flock` on the file: the kernel releases it when its holder ends, however it ends
(SIGKILL included), so a killed build never leaves a stale lock behind. The file holds the
holder's PID, for the message the next build shows. A build refuses by default when another one
holds the lock (a second build at once is usually a mistake, and a script must not hang on it);
`--wait-lock` (ARCHIVE_WAIT_LOCK=1 for plain MkDocs) waits. `serve` always waits: its rebuilds
follow edits and cannot be retried by hand.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable
from pathlib import Path

from generator.text.filenames import printable_name

LOCK_FILE = Path(".cache") / "build.lock"

# The locks this process holds, by lock file. Process-wide on purpose: MkDocs makes a new plugin
# instance for each configuration it reads (serve's rebuilds),
# and a second flock of the same file from this process, through another open file, would wait
# for the first for ever.
_held: dict[Path, int] = {}


class BuildLocked(Exception):
    """Another build of the archive holds the lock (or the lock file cannot be opened); the message
    is one line for the user."""


def lock_path(root: Path) -> Path:
    return Path(os.path.abspath(root)) / LOCK_FILE


def holder(path: Path) -> int | None:
    """The PID the lock file names (None when it names none yet)."""
    with contextlib.suppress(OSError, ValueError):
        return int(path.read_text(encoding="ascii").strip())
    return None


def acquire(root: Path, wait: bool, on_wait: Callable[[str], None] | None = None) -> None:
    """Take the build lock of the archive at `root`, unless this process holds it already.

    Raises BuildLocked when another process holds it and `wait` is false; otherwise waits for it,
    calling `on_wait` with a one-line message first."""
    path = lock_path(root)
    if path in _held:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        reason = error.strerror or str(error)
        raise BuildLocked(f"cannot open the build lock {printable_name(str(path))}: {reason}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = holder(path)
            who = f"pid {pid}" if pid is not None else "a process that is starting"
            where = printable_name(str(path.parent.parent))
            if not wait:
                raise BuildLocked(f"another build of {where} is running ({who}); wait for it to end, or pass "
                                  "--wait-lock (ARCHIVE_WAIT_LOCK=1 for mkdocs) to wait for it") from None
            if on_wait is not None:
                on_wait(f"waiting for the build of {where} running in {who} to end")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    except BaseException:
        os.close(fd)
        raise
    _held[path] = fd


def release(root: Path) -> None:
    """Let the next build of the archive at `root` start (nothing if this process holds no lock).
    The file stays: removing it would let a build that opened it lock a file no longer there."""
    fd = _held.pop(lock_path(root), None)
    if fd is not None:
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)  # not only on close: a fork may share the open file
        os.close(fd)


def release_all() -> None:
    """Release every build lock this process holds (a build that failed or a server shutting down)."""
    for path in list(_held):
        release(path.parent.parent)
