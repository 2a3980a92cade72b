"""Processes of a build (issue 21): workers die with a killed build; one build at a time per archive.

Real builds as subprocesses, each in its own session so that whatever a test leaves running is
ended with its process group. Linux: processes are found through /proc.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS, make_archive

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux /proc needed")


def start_build(root: Path, *options: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--config", str(root / "mkdocs.yml"), "--site-dir",
         str(root / "site"), "--packages-dir", str(root / "no-packages"), *options],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, **(env or {})})


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a live process, None once it is gone (a zombie counts as gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in "ZX" else (fields[0], int(fields[1]))


def descendants(pid: int) -> set[int]:
    """The live processes below `pid` (children, their children, ...)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = found[1]
    below, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - below
        below |= frontier
    return below


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if _stat(pid) is not None}


@pytest.fixture
def cleanup() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test started: their process groups are killed at the end, whatever happened."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- orphaned workers -----------------------------------------------------------------------------


def test_extraction_workers_die_with_a_killed_build(tmp_path: Path, cleanup: list) -> None:
    """SIGKILL to the build during parallel extraction (200 files): no process of it remains after 5 s.
    The workers used to stay blocked forever, each holding the pipes the others wait on."""
    root = make_archive(tmp_path / "archive", [])
    text = "\n\n".join(seed.read_text(encoding="utf-8") for seed in SEEDS)
    for number in range(200):  # long files, so that extraction lasts seconds; each one different
        (root / "seeds" / f"{number:03d}.txt").write_text(f"{text}\n\nالملف رقم {number}\n" * 3, encoding="utf-8")
    build = start_build(root)
    cleanup.append(build)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and build.poll() is None and len(workers) < 2:
        workers = descendants(build.pid)  # the first children of a build are its extraction workers
        time.sleep(0.01)
    assert len(workers) >= 2, "the build never started its extraction workers"
    time.sleep(0.5)  # busy extracting, writing results
    workers = descendants(build.pid)
    os.kill(build.pid, signal.SIGKILL)  # the build alone, as a crash or the OOM killer would
    build.wait()
    deadline = time.monotonic() + 5
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(workers), f"workers left running after their build was killed: {sorted(alive(workers))}"
