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
import threading
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
    # The first children of a build are its extraction forks (workers.map_split: one per core but
    # the build's own, which extracts a share itself).
    while time.monotonic() < deadline and build.poll() is None and not workers:
        workers = descendants(build.pid)
        time.sleep(0.01)
    assert workers, "the build never started its extraction workers"
    time.sleep(0.3)  # busy extracting, writing results
    workers = descendants(build.pid)
    assert workers, "extraction ended before the kill: make the files longer"
    os.kill(build.pid, signal.SIGKILL)  # the build alone, as a crash or the OOM killer would
    build.wait()
    deadline = time.monotonic() + 5
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(workers), f"workers left running after their build was killed: {sorted(alive(workers))}"


# --- one build at a time ---------------------------------------------------------------------------


def lock_holder(root: Path, timeout: float = 60) -> int:
    """The PID written in the archive's lock file once a build holds it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            return int((root / ".cache" / "build.lock").read_text(encoding="ascii"))
        time.sleep(0.01)
    raise AssertionError("no build took the lock")


def holding(root: Path, cleanup: list) -> subprocess.Popen[str]:
    """A real build of `root`, stopped (SIGSTOP) once it holds the archive's lock: it holds it
    until the test lets it go on (SIGCONT), however long the test needs."""
    build = start_build(root)
    cleanup.append(build)
    assert lock_holder(root) == build.pid
    os.killpg(build.pid, signal.SIGSTOP)
    return build


def finish(process: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str]:
    """Exit status and output (MkDocs prints an Abort's message on stdout, its log on stderr)."""
    stdout, stderr = process.communicate(timeout=timeout)
    return process.returncode, stdout + stderr


class Lines:
    """A process's stderr as it comes, read by a thread (a test waits for a line with a deadline)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert process.stderr is not None
        self.thread = threading.Thread(target=lambda: self.lines.extend(process.stderr), daemon=True)
        self.thread.start()

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in list(self.lines) if text in line]
            if found:
                return found[0]
            time.sleep(0.02)
        raise AssertionError(f"{text!r} not shown: {''.join(self.lines)[-2000:]}")


def test_a_second_build_is_refused_while_one_runs(tmp_path: Path, cleanup: list) -> None:
    root = make_archive(tmp_path / "archive", SEEDS)
    first = holding(root, cleanup)
    second = start_build(root)
    cleanup.append(second)
    code, output = finish(second, timeout=120)
    assert code != 0
    lines = [line for line in output.splitlines() if "another build" in line]
    assert lines == [f"archive: another build of {root} is running (pid {first.pid}); wait for it to end, or pass "
                     "--wait-lock (ARCHIVE_WAIT_LOCK=1 for mkdocs) to wait for it"], output[-2000:]
    assert "Traceback" not in output
    assert " articles from " not in output  # it generated nothing (generate_docs prints that summary)
    plain = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"), "-d",
                            str(root / "site")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert plain.returncode != 0 and f"archive: another build of {root} is running (pid {first.pid})" in plain.stdout
    os.killpg(first.pid, signal.SIGCONT)
    code, output = finish(first)
    assert code == 0, output[-3000:]


def test_a_build_asked_to_wait_starts_when_the_other_ends(tmp_path: Path, cleanup: list) -> None:
    root = make_archive(tmp_path / "archive", SEEDS)
    first = holding(root, cleanup)
    waiting = start_build(root, "--wait-lock")
    cleanup.append(waiting)
    lines = Lines(waiting)
    lines.wait_for(f"archive: waiting for the build of {root} running in pid {first.pid} to end")
    time.sleep(1)
    assert waiting.poll() is None and " articles from " not in "".join(lines.lines)  # still waiting
    os.killpg(first.pid, signal.SIGCONT)
    code, output = finish(first)
    assert code == 0, output[-3000:]
    assert waiting.wait(timeout=300) == 0, "".join(lines.lines)[-3000:]
    lines.thread.join(timeout=10)
    assert any(" articles from " in line for line in lines.lines)  # then it built


def test_the_lock_goes_with_a_killed_build(tmp_path: Path, cleanup: list) -> None:
    root = make_archive(tmp_path / "archive", SEEDS)
    first = holding(root, cleanup)
    os.killpg(first.pid, signal.SIGKILL)  # stopped or not, SIGKILL ends it
    first.wait()
    second = start_build(root)
    cleanup.append(second)
    code, output = finish(second)
    assert code == 0, output[-3000:]


def test_serve_waits_for_a_running_build(tmp_path: Path, cleanup: list) -> None:
    """`serve` and `build` share the lock: a server started during a build waits for it to end."""
    root = make_archive(tmp_path / "archive", SEEDS)
    build = holding(root, cleanup)
    serve = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--config", str(root / "mkdocs.yml"), "--dev-addr",
         "127.0.0.1:0", "--packages-dir", str(root / "no-packages")],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    cleanup.append(serve)
    lines = Lines(serve)
    lines.wait_for(f"archive: waiting for the build of {root} running in pid {build.pid} to end")
    os.killpg(build.pid, signal.SIGCONT)
    code, output = finish(build)
    assert code == 0, output[-3000:]
    lines.wait_for("Serving on")  # its first build done, once the other ended
