"""SIGKILL at random moments of extract, translate and build; the rerun ends identical to an uninterrupted run.

Each stage runs as a subprocess in its own session, so the kill takes the whole process group
(MkDocs runs Pagefind as a child). Kill moments are seeded-random offsets into a phase of the
stage, the phase lengths measured on the module's uninterrupted reference run; each kill is
anchored on the phase having started (a file it creates, or CTranslate2 loaded in the process),
so it lands mid-run whatever the machine's load (a run that got through the phase before the
kill, and so finished, is repeated with a shorter delay). After each kill the temporary files a kill
inside an atomic write would leave are planted where the stage writes, then the same command
runs to completion and its outputs are compared with the reference's, file by file (bytes and
mode).

Every run of a stage uses the same archive path, recreated empty, so that the interruption is the
only difference between the runs compared (whether a build elsewhere gives the same bytes is
another question: pages used to record the seeds' absolute path).
Run-activity counters in the report (sentences translated vs. taken from the memory, pages
written vs. unchanged vs. removed) describe what that run did, not its output: they are compared
as totals.

`test_translate.py` covers resumption of the translation memory itself (kills chained without a
completed run in between, torn lines).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator import atomic
from generator.atomic import atomic_write_text, remove_stale_temps
from generator.site.search import canonicalise_entry
from tests.conftest import make_archive

# Linux: the kill points watch /proc/<pid>/maps for CTranslate2 being loaded.
pytestmark = pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux /proc")

SEED = 20261122
TIMEOUT = 300
SITE_URL = "https://archive.example.org/"  # so the sitemap writer runs too


# --- running, watching and killing a stage ----------------------------------------------------


def _ctranslate2_loaded(pid: int) -> bool:
    """The stage has started translating: CTranslate2 is only loaded when sentences are pending."""
    try:
        return "ctranslate2" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


Marker = Callable[[Path, int], bool]

# Phases in run order, each with a marker that holds from the moment it starts until the end of
# the run (on a fresh archive). The phase at a given moment is the last one whose marker holds.
EXTRACT_PHASES: list[tuple[str, Marker]] = [
    ("report", lambda root, pid: (root / "build" / "report.json").exists()),
]
TRANSLATE_PHASES: list[tuple[str, Marker]] = [
    ("translate", lambda root, pid: _ctranslate2_loaded(pid)),
    ("memory-saved", lambda root, pid: (root / "translations" / "memory").is_dir()),
    ("report", lambda root, pid: (root / "build" / "report.json").exists()),
]
BUILD_PHASES: list[tuple[str, Marker]] = [
    ("translate", lambda root, pid: _ctranslate2_loaded(pid)),
    ("render", lambda root, pid: (root / "docs" / "archive").exists()),
    ("mkdocs", lambda root, pid: (root / "build" / "report.json").exists()),  # the pre-build hook's last write
    # Pagefind indexes each language from when its article pages are written: Arabic while English
    # builds, English while its index pages are built, the feeds written and after.
    ("english", lambda root, pid: (root / "site" / "en").exists()),
    ("feeds", lambda root, pid: (root / "site" / "feed.xml").exists()),
]


@dataclass
class Run:
    returncode: int
    elapsed: float
    phase_starts: dict[str, float]  # seconds from start


@dataclass
class Kill:
    stage: str
    anchor: str
    delay: float  # after the anchor phase started
    at: float  # seconds from start
    phase: str  # what the run was doing when killed
    returncode: int
    pid: int


def _phase_now(phases: list[tuple[str, Marker]], root: Path, pid: int, loaded: bool) -> str:
    current = "start"
    for name, marker in phases:
        if marker(root, pid) or (name == "translate" and loaded):
            current = name
    return current


class Stage:
    def __init__(self, name: str, root: Path, args: list[str], env: dict[str, str],
                 phases: list[tuple[str, Marker]]) -> None:
        self.name, self.root, self.args, self.env, self.phases = name, root, args, env, phases

    def _start(self) -> subprocess.Popen[bytes]:
        # Same environment handling as conftest.run_cli; a new session so killpg reaches MkDocs' children.
        with (self.root / "stdout").open("wb") as out, (self.root / "stderr").open("wb") as err:
            return subprocess.Popen([sys.executable, "-m", "generator", *self.args], cwd=self.root, stdout=out,
                                    stderr=err, env={**os.environ, **self.env}, start_new_session=True)

    def run(self) -> Run:
        """Run to completion, noting when each phase started."""
        started = time.monotonic()
        process = self._start()
        seen: dict[str, float] = {}
        while process.poll() is None:
            for name, marker in self.phases:
                if name not in seen and marker(self.root, process.pid):
                    seen[name] = time.monotonic() - started
            if time.monotonic() - started > TIMEOUT:
                os.killpg(process.pid, signal.SIGKILL)
            time.sleep(0.005)
        return Run(process.wait(), time.monotonic() - started, seen)

    def kill(self, anchor: str, delay: float) -> Kill:
        """Start the stage, wait for phase `anchor` to begin ("start": at once), then SIGKILL after `delay` s."""
        started = time.monotonic()
        process = self._start()
        marker = dict(self.phases).get(anchor)
        while marker is not None and process.poll() is None and not marker(self.root, process.pid):
            assert time.monotonic() - started < TIMEOUT, f"{self.name}: phase {anchor} never started"
            time.sleep(0.005)
        if process.poll() is None:
            time.sleep(delay)
        loaded = _ctranslate2_loaded(process.pid)  # readable only while the process lives
        with contextlib.suppress(ProcessLookupError):  # finished and reaped while we waited for the anchor
            os.killpg(process.pid, signal.SIGKILL)
        returncode = process.wait()
        at = time.monotonic() - started
        kill = Kill(self.name, anchor, round(delay, 3), round(at, 3),
                    _phase_now(self.phases, self.root, process.pid, loaded), returncode, process.pid)
        print(f"killed: {kill}")
        return kill


def _window(run: Run, phases: list[tuple[str, Marker]], anchor: str) -> float:
    """How long phase `anchor` lasted in the reference run (until the next phase or the end)."""
    order = ["start"] + [name for name, _ in phases]
    start = 0.0 if anchor == "start" else run.phase_starts[anchor]
    later = [run.phase_starts[n] for n in order[order.index(anchor) + 1:] if n in run.phase_starts]
    return (min(later) if later else run.elapsed) - start


# --- what a run leaves behind -------------------------------------------------------------------


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder`: content hash and mode."""
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): f"{hashlib.sha256(p.read_bytes()).hexdigest()} {p.stat().st_mode & 0o7777:o}"
            for p in sorted(folder.rglob("*")) if p.is_file()}


def report(path: Path) -> dict:
    """The report with run-activity counters folded into totals (see the module docstring)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if "translation" in data:
        t = data["translation"]
        t["done"] = t.pop("translated") + t.pop("cache_hits")
    if "pages" in data:
        p = data["pages"]
        p["total"] = p.pop("written") + p.pop("unchanged")
        p.pop("removed")  # counts the stray temporary files a kill left in docs/archive/
    return data


def outputs(root: Path) -> dict[str, object]:
    return {
        "stdout": hashlib.sha256((root / "stdout").read_bytes()).hexdigest(),  # the records (build: empty)
        "report": report(root / "build" / "report.json"),
        "build": sorted(tree(root / "build")),
        "docs": tree(root / "docs"),
        "translations": tree(root / "translations"),
        "site": tree(root / "site"),
    }


def plant_temporaries(folders: list[Path], pid: int) -> list[Path]:
    """What a kill inside generator.atomic's write leaves: a hidden, half-written temporary file."""
    planted = []
    for i, folder in enumerate(folders):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f".file{i}.txt.{pid}-0123abcd.k1ll3d{i:02d}.tmp"
        path.write_bytes(b"half-writ")
        planted.append(path)
    return planted


def assert_same_as_reference(stage: Stage, reference: dict[str, object], reference_day: str) -> None:
    rerun = stage.run()
    assert rerun.returncode == 0, (stage.root / "stderr").read_text(encoding="utf-8")[-3000:]
    got = outputs(stage.root)
    differences = {key: _difference(value, got[key]) for key, value in reference.items() if got[key] != value}
    if differences and dt.date.today().isoformat() != reference_day:
        pytest.skip("the date changed since the reference run: fresh translations carry the new date")
    assert not differences
    assert not [p for p in stage.root.rglob("*.tmp")], "a temporary file survived the rerun"


def _difference(expected: object, got: object) -> object:
    """For file trees, only the files missing, extra or different; otherwise both values."""
    if isinstance(expected, dict) and isinstance(got, dict) and all(isinstance(v, str) for v in expected.values()):
        return {"missing": sorted(expected.keys() - got.keys()), "extra": sorted(got.keys() - expected.keys()),
                "changed": sorted(k for k in expected.keys() & got.keys() if expected[k] != got[k])}
    return {"expected": expected, "got": got}


# --- fixtures -------------------------------------------------------------------------------------


@dataclass
class Reference:
    stage: Stage
    run: Run
    outputs: dict[str, object]
    day: str
    folders: set[Path]  # relative to the root: where the stage writes, so where a kill can leave a temporary


@pytest.fixture(scope="module")
def archive_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("interrupt") / "archive"


def fresh(root: Path) -> Path:
    if root.exists():
        shutil.rmtree(root)
    return make_archive(root)


def _reference(stage: Stage) -> Reference:
    fresh(stage.root)
    day = dt.date.today().isoformat()
    run = stage.run()
    assert run.returncode == 0, (stage.root / "stderr").read_text(encoding="utf-8")[-3000:]
    print(f"reference {stage.name}: {run.elapsed:.2f} s, phases {run.phase_starts}")
    folders = {p.relative_to(stage.root) for p in stage.root.rglob("*") if p.is_dir()}
    return Reference(stage, run, outputs(stage.root), day, folders)


@pytest.fixture(scope="module")
def extract_ref(archive_root: Path) -> Reference:
    args = ["extract", "seeds", "--format", "jsonl", "--report", "build/report.json"]
    return _reference(Stage("extract", archive_root, args, {}, EXTRACT_PHASES))


@pytest.fixture(scope="module")
def translate_ref(archive_root: Path, packages: Path, argos_home: dict[str, str]) -> Reference:
    # Short outputs and small chunks: many saves to the memory in a run of a few seconds.
    args = ["translate", "seeds", "--packages-dir", str(packages), "--translations-dir", "translations",
            "--max-length", "48", "--chunk-size", "8", "--format", "jsonl", "--report", "build/report.json"]
    return _reference(Stage("translate", archive_root, args, argos_home, TRANSLATE_PHASES))


@pytest.fixture(scope="module")
def build_ref(archive_root: Path, packages: Path, argos_home: dict[str, str]) -> Reference:
    args = ["build", "--config", str(archive_root / "mkdocs.yml"), "--site-dir", str(archive_root / "site"),
            "--packages-dir", str(packages)]
    reference = _reference(Stage("build", archive_root, args, {**argos_home, "SITE_URL": SITE_URL}, BUILD_PHASES))
    assert (archive_root / "site" / "sitemap.xml").exists() and (archive_root / "site" / "pagefind").is_dir()
    shutil.copytree(archive_root / "translations", archive_root.parent / "reference-translations",
                    dirs_exist_ok=True)
    return reference


# --- the tests ------------------------------------------------------------------------------------

rng = random.Random(SEED)
# (anchor phase, fraction of that phase's reference length to wait before the kill)
EXTRACT_KILLS = [("start", rng.uniform(0.2, 0.5)), ("start", rng.uniform(0.5, 0.8)), ("start", rng.uniform(0.8, 0.97))]
TRANSLATE_KILLS = [("start", rng.uniform(0.3, 0.9)), ("translate", rng.uniform(0.1, 0.5)),
                   ("memory-saved", rng.uniform(0.3, 0.9))]
# Kills after translation start from the reference's translation memory: the model would take
# ~10 s of each run, and resuming the memory is covered by the first kill and test_translate.py.
BUILD_KILLS = [("translate", rng.uniform(0.2, 0.8)), ("render", rng.uniform(0.0, 0.9)),
               ("mkdocs", rng.uniform(0.1, 0.9)), ("english", rng.uniform(0.1, 0.9)), ("feeds", rng.uniform(0.0, 0.7))]


def _kill_and_rerun(ref: Reference, anchor: str, fraction: float, folders: Callable[[Path, Kill], list[Path]],
                    seed_memory: bool = False) -> tuple[Kill, list[Path]]:
    stage = ref.stage
    delay = fraction * _window(ref.run, stage.phases, anchor)
    for _ in range(4):
        fresh(stage.root)
        if seed_memory:
            shutil.copytree(stage.root.parent / "reference-translations", stage.root / "translations")
        kill = stage.kill(anchor, delay)
        if kill.returncode != 0:
            break
        delay /= 3  # this run got through the phase faster than the reference did: aim earlier
    assert kill.returncode in (0, -signal.SIGKILL), (stage.root / "stderr").read_text(encoding="utf-8")[-3000:]
    assert kill.returncode == -signal.SIGKILL, f"the run had finished before the kill: {kill}"
    order = ["start"] + [name for name, _ in stage.phases]
    assert order.index(kill.phase) >= order.index(anchor), kill
    planted = plant_temporaries([f for f in folders(stage.root, kill) if f.relative_to(stage.root) in ref.folders],
                                kill.pid)
    assert_same_as_reference(stage, ref.outputs, ref.day)
    return kill, [p.parent.relative_to(stage.root) for p in planted]


@pytest.mark.parametrize(("anchor", "fraction"), EXTRACT_KILLS, ids=[f"{a}+{f:.2f}" for a, f in EXTRACT_KILLS])
def test_killed_extract_reruns_to_the_same_output(extract_ref: Reference, anchor: str, fraction: float) -> None:
    _, planted = _kill_and_rerun(extract_ref, anchor, fraction, lambda root, kill: [root / "build"])
    assert planted == [Path("build")]


@pytest.mark.parametrize(("anchor", "fraction"), TRANSLATE_KILLS, ids=[f"{a}+{f:.2f}" for a, f in TRANSLATE_KILLS])
def test_killed_translate_reruns_to_the_same_output(translate_ref: Reference, anchor: str, fraction: float) -> None:
    def folders(root: Path, kill: Kill) -> list[Path]:
        return [root / "build", root / "translations" / "memory"]

    kill, planted = _kill_and_rerun(translate_ref, anchor, fraction, folders)
    assert planted == [Path("build"), Path("translations/memory")]
    if anchor == "memory-saved":
        assert kill.phase in ("memory-saved", "report")  # killed with part of the memory saved


@pytest.mark.parametrize(("anchor", "fraction"), BUILD_KILLS, ids=[f"{a}+{f:.2f}" for a, f in BUILD_KILLS])
def test_killed_build_reruns_to_the_same_output(build_ref: Reference, anchor: str, fraction: float) -> None:
    def kill_folders(root: Path, kill: Kill) -> list[Path]:
        # Where the build writes atomically: the report, pages, feeds/sitemap in site/, the build cache
        # (.cache/) when there is one, and the memory, rewritten at the end of translation only.
        folders = [root / "build", root / "docs" / "archive", root / "docs" / "archive" / "articles" / "2017",
                   root / "site", root / "site" / "en", root / ".cache"]
        return folders + ([root / "translations" / "memory"] if kill.phase in ("start", "translate") else [])

    _, planted = _kill_and_rerun(build_ref, anchor, fraction, kill_folders, seed_memory=anchor != "translate")
    assert {Path("site"), Path("build"), Path("docs/archive/articles/2017")} <= set(planted)


def test_atomic_write_clears_only_dead_writers_temporaries(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    stale = tmp_path / f".page.md.{int(finished.stdout)}-0123abcd.abc_12xy.tmp"
    # Left by an earlier process that had this process's PID (another token): stale too.
    other_token = "0123abcd" if atomic._TOKEN != "0123abcd" else "deadbeef"
    reused = tmp_path / f".page.md.{os.getpid()}-{other_token}.abc_12xy.tmp"
    live = tmp_path / f".page.md.{running.pid}-0123abcd.abc_12xy.tmp"  # a concurrent writer's: must survive
    in_flight = tmp_path / f".other.md.{os.getpid()}-{atomic._TOKEN}.abc_12xy.tmp"  # another thread's
    unrelated = [tmp_path / ".keep.tmp", tmp_path / "notes.1-0123abcd.abc.tmp", tmp_path / ".git", in_flight]
    for path in (stale, reused, live, *unrelated):
        path.write_bytes(b"x")
    try:
        atomic_write_text(tmp_path / "page.md", "text")
    finally:
        running.kill()
        running.wait()
    assert not stale.exists() and not reused.exists() and live.exists() and all(p.exists() for p in unrelated)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["page.md", live.name, *(p.name for p in unrelated)])
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "page.md").stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600
    assert remove_stale_temps(tmp_path / "missing") == []


def test_pagefind_entry_lists_languages_in_a_fixed_order(tmp_path: Path) -> None:
    """Pagefind writes them in hash-map order, which changes from run to run."""
    entry = tmp_path / "pagefind-entry.json"
    entry.write_text('{"version":"1.5.2","languages":{"en":{"hash":"en_1","page_count":6},'
                     '"ar":{"hash":"ar_2","page_count":6}},"include_characters":["_","‿"]}', encoding="utf-8")
    canonicalise_entry(entry)
    assert entry.read_text(encoding="utf-8") == ('{"version":"1.5.2","languages":{"ar":{"hash":"ar_2","page_count":6},'
                                                 '"en":{"hash":"en_1","page_count":6}},"include_characters":["_","‿"]}')
