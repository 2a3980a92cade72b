"""Atomic file writes: a temporary file in the same folder, then rename over the target.

A reader, or a run killed half-way, sees either the old file or the new one, never a mixture.

A run killed between creating the temporary file and renaming it leaves the temporary behind.
Its name is hidden (`.<name>.<pid>-<process token>.<number>.tmp`), so MkDocs neither builds it as
a page nor copies it into site/ (dotfiles are always excluded from docs/). It also names its
writer, so the first write into a folder removes the temporaries of writers that are no longer
running, and a leftover never accumulates or outlives the next run. A live writer's temporary
(a concurrent `serve`) is left alone. Hidden files survive MkDocs' cleaning of site/, so this
matters there too. The token tells this process from an earlier one that had the same PID (a
container restarted on the same workspace often gets the same PIDs).
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
from pathlib import Path

_TEMP_NAME = re.compile(r"^\..+\.(\d+)-([0-9a-f]{8})\.[a-z0-9_]+\.tmp$")
_TOKEN = secrets.token_hex(4)
_swept: set[str] = set()  # folders already created and cleared of stale temporaries by this process
_counter = itertools.count()  # numbers this process's temporary files (next() is atomic under the GIL)
_mode: int | None = None


def _new_file_mode() -> int:
    """The mode `open(path, "w")` would give a new file (mkstemp's 0600 would make feeds and
    pages unreadable to a web server running as another user)."""
    global _mode
    if _mode is None:
        umask = None
        try:  # read without changing it: os.umask() is process-wide and racy under threads
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("Umask:"):
                    umask = int(line.split()[1], 8)
        except (OSError, ValueError):
            pass
        if umask is None:
            umask = os.umask(0o022)
            os.umask(umask)
        _mode = 0o666 & ~umask
    return _mode


def _running(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    # A writer killed with its build (a fork dies with its parent) can linger a moment as a zombie
    # or while dying: it writes nothing more.
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rpartition(b")")[2].split()[0]
    except (OSError, IndexError):
        return True
    return state not in (b"Z", b"X")


def is_temp(name: str) -> bool:
    """A temporary file of an atomic write (ours, from this process or another)."""
    return _TEMP_NAME.match(name) is not None


def is_stale_temp(name: str) -> bool:
    """A temporary file of ours whose writer is no longer running."""
    match = _TEMP_NAME.match(name)
    if not match:
        return False
    pid = int(match.group(1))
    if pid == os.getpid():
        return match.group(2) != _TOKEN  # ours is in flight; another token had our PID before
    return not _running(pid)


def remove_stale_temps(directory: Path) -> list[Path]:
    """Delete the temporaries killed writers left in `directory` (not recursive); return them."""
    removed = []
    try:
        entries = os.scandir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return removed
    with entries:
        for entry in entries:
            if is_stale_temp(entry.name) and entry.is_file(follow_symlinks=False):
                try:
                    os.unlink(entry.path)
                except FileNotFoundError:
                    continue
                removed.append(Path(entry.path))
    return removed


def fsync_directory(directory: Path) -> None:
    # The rename itself is only durable once the folder's entry is on disk.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. platforms that cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """Replace `path` with `data` atomically. `durable=False` skips fsync: the rename alone is
    atomic against a killed process; fsync only guards against power loss, which a regenerable
    file (a rendered page) does not need to pay for on every write."""
    directory = path.parent
    key = os.path.abspath(directory)
    if key not in _swept:  # once per folder and process: a folder may hold thousands of pages
        directory.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(directory)
        _swept.add(key)
    fd, tmp = _create_temp(path)
    try:
        try:
            os.fchmod(fd, _new_file_mode())
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        fsync_directory(directory)


def _create_temp(path: Path) -> tuple[int, str]:
    """Create the temporary file for `path`: `.<name>.<pid>-<token>.<n>.tmp`, n counting this
    process's writes (mkstemp's random names and retries cost more than the write at archive scale)."""
    made = False
    while True:
        tmp = os.path.join(path.parent, f".{path.name}.{os.getpid()}-{_TOKEN}.{next(_counter)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600), tmp
        except FileExistsError:  # left by an earlier process with our PID and token: take the next number
            continue
        except FileNotFoundError:  # the folder went away since it was first written to
            if made:
                raise
            path.parent.mkdir(parents=True, exist_ok=True)
            made = True


def atomic_write_text(path: Path, text: str, durable: bool = True) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), durable)
