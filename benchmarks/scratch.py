"""Where the benchmarks build, and two probes of how fast the machine is at that moment.

The benchmarks build their archives under `.bench/` beside the repository (git-ignored), on the
filesystem where a real archive lives, not in the system's temporary folder: on the development VM
/tmp sits in ext4 block groups churned by months of test runs, and that filesystem has no journal.
Without a journal, ext4 will not reuse an inode freed in the last 60 to 300 seconds, and it checks
every such inode, one by one, each time it allocates a new one (`recently_deleted` in
fs/ext4/ialloc.c, seen with `perf`). There, creating an empty file took 0.5 to 1.0 ms of kernel
time, against 0.02 to 0.03 ms in a folder beside the repository, and a 4,000-article build creates
about 27,000 files. `--work-dir` (or BENCH_WORK_DIR) builds elsewhere, /tmp included, for comparison.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PARENT = ROOT / ".bench"
PROBE_FILES = 400


def work_parent(requested: str | None) -> Path:
    """The folder the benchmark's scratch folders go in: --work-dir, BENCH_WORK_DIR, or .bench/."""
    parent = Path(requested or os.environ.get("BENCH_WORK_DIR") or DEFAULT_PARENT)
    parent.mkdir(parents=True, exist_ok=True)
    return parent


@contextmanager
def scratch_folder(prefix: str, requested_parent: str | None = None) -> Iterator[Path]:
    """A new folder under work_parent(), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=work_parent(requested_parent)))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cpu_probe_seconds() -> float:
    """A fixed piece of pure-Python work: the VM's CPU speed varies by up to 1.7x within minutes."""
    start = time.perf_counter()
    sum(i * i for i in range(10**7))
    return time.perf_counter() - start


def file_creation_ms(folder: Path) -> float:
    """Milliseconds to create one empty file in a new subfolder of `folder` (the files are left in
    place, so that the probe frees no inode that the build would then have to skip). Only the second
    half is timed: the first dirties the inode table, as a build does, and ext4 then skips inodes
    freed in the last 360 s instead of 60 s (`recently_deleted`)."""
    probe = Path(tempfile.mkdtemp(prefix="probe-", dir=folder))
    for i in range(PROBE_FILES):
        os.close(os.open(probe / f"warm{i}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    start = time.perf_counter()
    for i in range(PROBE_FILES):
        os.close(os.open(probe / f"f{i}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    return (time.perf_counter() - start) * 1000 / PROBE_FILES


SLOW_FILE_MS = 0.12  # above this, recently deleted inodes nearby are being skipped one by one
SETTLE_LIMIT_SECONDS = 420.0  # ext4 skips an inode freed up to 60 s ago, or 360 s if its table block is dirty
SETTLE_STEP_SECONDS = 20.0


def settle_filesystem(folder: Path) -> float:
    """Wait (up to SETTLE_LIMIT_SECONDS) until creating a file in `folder` is fast again; return the
    seconds waited. A benchmark's own clean-up (or any other large deletion on this filesystem in
    the last minutes) would otherwise add seconds of kernel time to the next timed build, which is
    the harness measuring itself, not the build (see the module docstring)."""
    start = time.perf_counter()
    while file_creation_ms(folder) > SLOW_FILE_MS and time.perf_counter() - start < SETTLE_LIMIT_SECONDS:
        time.sleep(SETTLE_STEP_SECONDS)
    return time.perf_counter() - start


def machine_state(folder: Path) -> str:
    """One line for the benchmark header: load, CPU probe, file-creation probe."""
    try:
        load = f"{os.getloadavg()[0]:.1f}"
    except OSError:  # pragma: no cover
        load = "?"
    return (f"load {load}; cpu probe {cpu_probe_seconds():.2f} s; "
            f"new file {file_creation_ms(folder):.3f} ms in {folder}")
