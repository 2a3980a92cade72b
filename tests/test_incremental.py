"""Incremental generation: after any sequence of additions, changes and removals, docs/ and the
report are byte-identical to a clean generation of the same seeds, and only affected pages are written."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from generator.config import Settings
from generator.pipeline import extraction as pipeline
from generator.pipeline.generate import GenerateSummary, forget_last_generation, generate_docs
from tests.conftest import SEEDS, make_archive


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def generate(root: Path) -> GenerateSummary:
    forget_last_generation()  # each build is a new process: only the manifest carries over
    summary = generate_docs(Settings.for_root(root))
    assert summary is not None
    return summary


def clean_generation(seeds: Path, work: Path) -> Path:
    """The same seeds generated in a fresh root: no manifest, no earlier pages."""
    if work.exists():
        shutil.rmtree(work)
    root = make_archive(work, [])
    for seed in sorted(seeds.iterdir()):
        shutil.copy(seed, root / "seeds" / seed.name)
    generate(root)
    return root


def assert_same_as_clean(root: Path, work: Path) -> None:
    clean = clean_generation(root / "seeds", work)
    assert tree(root / "docs" / "archive") == tree(clean / "docs" / "archive")
    ours, theirs = (json.loads((r / "build" / "report.json").read_text(encoding="utf-8")) for r in (root, clean))
    for report in (ours, theirs):
        report.pop("pages")  # what this run wrote: differs by design
    assert ours == theirs


def variant(seed: Path, number: int) -> str:
    """Another article made from a seed: a new headline and the body cut short (not a duplicate)."""
    lines = seed.read_text(encoding="utf-8").split("\n")
    body = [i for i, line in enumerate(lines) if len(line.split()) > 12]
    keep = set(body[: 1 + number % 2])
    title = next(i for i, line in enumerate(lines) if 3 <= len(line.split()) <= 14 and i not in keep)
    lines[title] = f"{lines[title]} ({number})"
    return "\n".join(line for i, line in enumerate(lines) if i not in body or i in keep)


def test_add_change_remove_one_article(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:3])
    first = generate(root)
    assert first.written > 20

    again = generate(root)
    assert again.written == 0 and again.removed == 0  # nothing changed: nothing rewritten

    articles = root / "docs" / "archive" / "articles"
    before = {p: p.stat().st_mtime_ns for p in articles.rglob("*.md")}
    added = root / "seeds" / "new article.txt"
    added.write_text(variant(SEEDS[3], 1), encoding="utf-8")
    summary = generate(root)
    # Its two pages and the index pages that list it; the other articles' pages are not rewritten.
    assert summary.written >= 2
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert len(list(articles.rglob("*.md"))) == len(before) + 2
    assert_same_as_clean(root, tmp_path / "clean")

    added.write_text(variant(SEEDS[3], 1).replace("روسيا", "موسكو"), encoding="utf-8")
    summary = generate(root)
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert_same_as_clean(root, tmp_path / "clean")

    added.unlink()
    summary = generate(root)
    assert summary.removed >= 2
    assert_same_as_clean(root, tmp_path / "clean")


@pytest.mark.parametrize("seed", [1, 2])
def test_random_sequences_end_as_a_clean_generation(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    pool = {f"s{i}.txt": s.read_text(encoding="utf-8") for i, s in enumerate(SEEDS)}
    pool.update({f"v{n}.txt": variant(SEEDS[n % len(SEEDS)], n) for n in range(4)})
    pool["copy of s0.txt"] = pool["s0.txt"]  # a duplicate: merged while both exist
    root = make_archive(tmp_path / "archive", [])
    seeds = root / "seeds"
    for step in range(8):
        present = sorted(p.name for p in seeds.iterdir())
        action = rng.choice(["add", "add", "remove", "change"] if present else ["add"])
        if action == "add" and len(present) < len(pool):
            name = rng.choice(sorted(set(pool) - set(present)))
            (seeds / name).write_text(pool[name], encoding="utf-8")
        elif action == "remove" and present:
            (seeds / rng.choice(present)).unlink()
        elif present:
            name = rng.choice(present)
            (seeds / name).write_text((seeds / name).read_text(encoding="utf-8").replace("في", "فى", 1),
                                      encoding="utf-8")
        generate(root)
        if step % 3 == 2:
            assert_same_as_clean(root, tmp_path / "clean")
    assert_same_as_clean(root, tmp_path / "clean")


def test_a_damaged_manifest_is_ignored(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:2])
    generate(root)
    manifest = Settings.for_root(root).manifest_path
    assert manifest.is_file()
    manifest.write_bytes(manifest.read_bytes()[:100])  # a torn write
    summary = generate(root)
    assert summary.articles == 2 and summary.written == 0  # pages on disk were already right
    assert_same_as_clean(root, tmp_path / "clean")


def test_files_extracted_in_worker_processes_are_recorded_with_their_hash(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker processes hash each new file and digest its articles (not the parent, one after
    another): the manifest gets the file's true SHA-256, so a file touched but unchanged is not
    extracted again, and records equal to those made in one process."""
    seeds = tmp_path / "inputs"
    seeds.mkdir()
    for number, seed in enumerate(SEEDS):
        for copy in range(3):
            (seeds / f"{number}-{copy}.txt").write_text(variant(seed, copy), encoding="utf-8")
    settings = replace(Settings.for_root(tmp_path), jobs=2, parallel_threshold=1)
    cache: dict = {}
    pooled = pipeline.extract_all([str(seeds)], settings, cache=cache, base=tmp_path)
    alone = pipeline.extract_all([str(seeds)], replace(settings, jobs=1), base=tmp_path)
    assert pooled.articles == alone.articles and len(cache) == 15
    for name, state in cache.items():  # keyed by the real path (bytes)
        assert state.sha256 == hashlib.sha256((tmp_path / os.fsdecode(name)).read_bytes()).hexdigest(), name
        recorded = pipeline._unrecord(state.extracted)[1]
        assert all("record_digest" in vars(article) for article in recorded)

    touched = seeds / "2-1.txt"
    stat = touched.stat()
    touched.touch()
    assert touched.stat().st_mtime_ns != stat.st_mtime_ns
    extracted: list[str] = []
    real = pipeline._extract_items

    def spy(items: list, *args: object, **kwargs: object) -> list:
        extracted.extend(item.name for item in items)
        return real(items, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_extract_items", spy)
    again = pipeline.extract_all([str(seeds)], settings, cache=cache, base=tmp_path)
    assert extracted == [] and again.articles == pooled.articles
