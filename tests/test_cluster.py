"""Translation on a Dask cluster (issue 20): the tiny real Argos package, real worker processes.

The cluster must give what the embedded engine gives, byte for byte: the same translation memory
and the same pages, also when a worker is killed mid-run.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from generator.config import DEFAULT, Settings
from generator.pipeline.extraction import extract_all
from generator.translate.engine import EngineError, translate_articles
from generator.translate.memory import memory_path
from tests.conftest import make_archive, run_cli
from tests.test_site import build, tree_hash

distributed = pytest.importorskip("distributed", reason="the cluster extra (pip install -e '.[cluster]')")

MODEL = "translate-ar_en@1.0"


def memory_files(translations: Path) -> dict[str, bytes]:
    folder = memory_path(translations / "memory", MODEL)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def settings_for(packages: Path, translations: Path, cluster: str | None = None) -> Settings:
    # Small chunks: many of them, so that chunks finish out of order and a kill lands between them.
    return replace(DEFAULT, packages_dir=packages, translations_dir=translations,
                   translation=replace(DEFAULT.translation, chunk_size=8, max_decoding_length=64, cluster=cluster))


def test_cli_local_cluster_writes_the_embedded_engines_memory_and_records(packages: Path, tmp_path: Path) -> None:
    common = ["translate", "seeds", "--packages-dir", str(packages), "--max-length", "64", "--chunk-size", "8",
              "--format", "jsonl"]
    embedded = run_cli(*common, "--translations-dir", str(tmp_path / "embedded"))
    assert embedded.returncode == 0, embedded.stderr
    cluster = run_cli(*common, "--translations-dir", str(tmp_path / "cluster"), "--cluster", "local:2")
    assert cluster.returncode == 0, cluster.stderr
    assert cluster.stdout == embedded.stdout
    assert memory_files(tmp_path / "cluster") == memory_files(tmp_path / "embedded")
    assert "0 pending" in cluster.stderr and " 0 translated" not in cluster.stderr


def test_site_built_on_a_local_cluster_is_the_embedded_engines(packages: Path, tmp_path: Path) -> None:
    """mkdocs.yml's `translation_cluster: local:2` against a plain build: every file of docs/, site/ and
    the memory."""
    roots = {}
    for name in ("embedded", "cluster"):
        root = roots[name] = make_archive(tmp_path / name)
        if name == "cluster":
            config = root / "mkdocs.yml"
            text = config.read_text(encoding="utf-8")
            assert "  - archive:\n" in text
            config.write_text(text.replace("  - archive:\n", "  - archive:\n      translation_cluster: local:2\n"),
                              encoding="utf-8")
        result = build(root, packages)
        assert result.returncode == 0, result.stderr[-3000:]
    embedded, cluster = roots["embedded"], roots["cluster"]
    assert tree_hash(cluster / "translations") == tree_hash(embedded / "translations")
    assert tree_hash(cluster / "docs") == tree_hash(embedded / "docs")
    assert tree_hash(cluster / "site") == tree_hash(embedded / "site")
    assert memory_files(cluster / "translations")  # something was translated, not all pending


def test_a_worker_killed_mid_run_changes_nothing(packages: Path, tmp_path: Path) -> None:
    """A running scheduler's address (the remote path), two worker processes; one is SIGKILLed as the
    first chunk is stored. Its chunks run again elsewhere; the memory is the embedded engine's."""
    reference = settings_for(packages, tmp_path / "embedded")
    translate_articles(extract_all(["seeds"], reference).articles, reference)

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster) as watcher:
        pids = watcher.run(os.getpid)
        assert len(pids) == 2 and os.getpid() not in pids.values()
        work = settings_for(packages, tmp_path / "cluster", cluster=cluster.scheduler_address)
        killed: list[int] = []
        after_kill: list[int] = []

        def progress(done: int, total: int) -> None:
            if not killed:
                pid = sorted(pids.values())[0]
                os.kill(pid, signal.SIGKILL)
                killed.append(done)
            else:
                after_kill.append(done)

        stats = translate_articles(extract_all(["seeds"], work).articles, work, progress=progress)
        assert killed and after_kill  # the kill landed mid-run: chunks were stored after it
        assert stats.translated == stats.sentences and stats.pending == 0
        restarted = watcher.run(os.getpid)  # the nanny started a new worker in place of the killed one
        assert len(restarted) == 2 and set(restarted.values()) != set(pids.values())
    assert memory_files(tmp_path / "cluster") == memory_files(tmp_path / "embedded")
    assert not (memory_path(tmp_path / "cluster" / "memory", MODEL) / "journal.jsonl").exists()


def test_client_threads_end_with_the_run(packages: Path, tmp_path: Path) -> None:
    """The build forks right after translating: the client's threads and the local cluster must be gone."""
    before = {t.ident for t in threading.enumerate()}
    work = settings_for(packages, tmp_path / "t", cluster="local:1")
    translate_articles(extract_all(["seeds"], work).articles, work)
    left = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    assert not left, left


@pytest.mark.parametrize(("spec", "message"), [
    ("local:0", "local:N needs a number of worker processes ≥ 1"),
    ("somewhere", "expected local:N or a scheduler address"),
])
def test_a_bad_cluster_is_one_clear_line(packages: Path, tmp_path: Path, spec: str, message: str) -> None:
    result = run_cli("translate", "seeds", "--packages-dir", str(packages), "--translations-dir", str(tmp_path),
                     "--format", "none", "--cluster", spec, timeout=120)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr[-2000:]
    assert "Traceback" not in result.stderr


def test_build_passes_its_cluster_to_the_archive_plugin(packages: Path, tmp_path: Path) -> None:
    result = build(make_archive(tmp_path / "archive"), packages, "--cluster", "local:0")
    assert result.returncode == 1
    output = result.stdout + result.stderr  # MkDocs prints an aborted build's reason on stdout
    assert "archive: translation cluster 'local:0': local:N needs a number of worker processes" in output
    assert "Traceback" not in result.stderr


def test_an_unreachable_scheduler_is_named(packages: Path, tmp_path: Path) -> None:
    from generator.translate.argos import find_package
    from generator.translate.cluster import ClusterTranslator

    settings = replace(DEFAULT.translation, cluster_connect_seconds=2.0)
    with pytest.raises(EngineError, match=r"translation cluster tcp://127\.0\.0\.1:9: cannot connect"), \
            ClusterTranslator("tcp://127.0.0.1:9", find_package(directory=packages), settings, packages):
        pass


def test_cuda_without_a_gpu_is_refused_and_auto_runs_on_the_cpu(packages: Path, tmp_path: Path) -> None:
    import ctranslate2

    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("this machine has a GPU")
    common = ["translate", "seeds/000_7cc4ae428ed70fb2.txt", "--packages-dir", str(packages), "--translations-dir",
              str(tmp_path), "--format", "none", "--max-length", "8"]
    refused = run_cli(*common, "--device", "cuda")
    assert refused.returncode == 1
    assert "error: device cuda: CTranslate2 sees no CUDA device" in refused.stderr
    assert not (tmp_path / "memory").exists()
    auto = run_cli(*common, "--device", "auto")
    assert auto.returncode == 0, auto.stderr
    shards = memory_path(tmp_path / "memory", MODEL).glob("*.jsonl")
    engines = {json.loads(line)["engine"] for shard in shards for line in shard.read_text().splitlines()}
    assert engines == {f"ctranslate2 {ctranslate2.__version__}"}  # the CPU, named as before


def test_engine_error_names_the_missing_model_on_a_worker(tmp_path: Path, packages: Path) -> None:
    """A worker whose machine lacks the client's model says so (here: a model id no worker has)."""
    from generator.translate.argos import find_package
    from generator.translate.cluster import ClusterTranslator

    package = replace(find_package(directory=packages), version="9.9")
    with (pytest.raises(EngineError, match=r"Argos package translate-ar_en@9\.9 is not installed"),
          ClusterTranslator("local:1", package, DEFAULT.translation, packages) as translator):
        list(translator.translate_chunks([["جملة"]]))


def test_without_dask_the_cluster_option_says_how_to_install_it(packages: Path, tmp_path: Path) -> None:
    """`make site` installs no Dask: --cluster then names the extra (Dask hidden from this process)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = ("import sys; sys.modules['distributed'] = None; from generator.cli import main; "
            f"sys.exit(main(['translate', 'seeds', '--packages-dir', {str(packages)!r}, '--translations-dir', "
            f"{str(tmp_path)!r}, '--format', 'none', '--cluster', 'local:2']))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert ("error: translation cluster local:2: Dask is not installed (distributed); install the extra: "
            "pip install -e '.[cluster]'") in result.stderr
    assert not (tmp_path / "memory").exists()


def test_a_killed_cluster_run_resumes_to_the_embedded_engines_memory(packages: Path, tmp_path: Path) -> None:
    """The whole run (client and its local cluster: one process group) SIGKILLed once chunks are stored;
    the rerun keeps them, translates the rest on the cluster, and ends with the embedded engine's memory."""
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    common = ["translate", "seeds", "--packages-dir", str(packages), "--max-length", "64", "--chunk-size", "8",
              "--format", "none"]
    assert run_cli(*common, "--translations-dir", str(tmp_path / "embedded")).returncode == 0
    work = tmp_path / "cluster"
    journal = memory_path(work / "memory", MODEL) / "journal.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "generator", *common, "--translations-dir", str(work),
                                "--cluster", "local:2"], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)

    def stored_chunks() -> int:  # each chunk opens with a blank line (memory.py)
        return journal.read_bytes().count(b"\n\n") + journal.read_bytes().startswith(b"\n") \
            if journal.exists() else 0

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None and stored_chunks() < 2:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL  # killed mid-run, not finished
    kept = stored_chunks()
    resumed = run_cli(*common, "--translations-dir", str(work), "--cluster", "local:2", "--report",
                      str(tmp_path / "report.json"))
    assert resumed.returncode == 0, resumed.stderr
    assert kept >= 2 and "cache hits" in resumed.stderr and " 0 cache hits" not in resumed.stderr
    assert memory_files(work) == memory_files(tmp_path / "embedded")
