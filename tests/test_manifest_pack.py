"""The build manifest's pack of records and its lazily loaded translations: with finished
translations in the manifest, reviews, a pack cut short and pack rewrites, incremental generation
still ends byte-identical to a clean one."""

from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import pytest
import yaml

from generator.config import Settings
from generator.model import LazyTranslation, SentencePair, Translation
from generator.pipeline import manifest as manifest_module
from generator.pipeline.extraction import extract_all
from generator.translate.engine import _units, review_path
from generator.translate.memory import MemoryEntry, TranslationMemory, memory_path
from tests.conftest import SEEDS, make_archive
from tests.test_incremental import assert_same_as_clean, generate, variant

MODEL_ID = "translate-ar_en@1.0"


def add_memory(root: Path) -> None:
    """A translation memory holding every unit of the seeds (made-up English): translations are finished."""
    result = extract_all([str(root / "seeds")], Settings.for_root(root))
    units = dict.fromkeys(u for article in result.articles for u in _units(article))
    memory = TranslationMemory(memory_path(root / "translations" / "memory", MODEL_ID), MODEL_ID)
    entries = []
    for n, unit in enumerate(units):
        spans = [[m.start(), m.end()] for m in re.finditer(r"\S+", unit)] or [[0, len(unit)]]
        entries.append(MemoryEntry(unit, [f"▁w{n}x{i}" for i in range(len(spans))], spans, "ctranslate2 4.8.5",
                                   "2026-11-22"))
    memory.add(entries)
    memory.compact()


def packs(root: Path) -> list[Path]:
    return sorted((root / ".cache").glob("*.records"))


def make_root(tmp_path: Path) -> Path:
    root = make_archive(tmp_path / "archive", SEEDS[:4])
    (root / "seeds" / "v1.txt").write_text(variant(SEEDS[4 % len(SEEDS)], 1), encoding="utf-8")
    add_memory(root)
    # The clean generation copies only the seeds: give it the same memory through the archive template.
    return root


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    made = make_root(tmp_path)
    original = make_archive

    def with_memory(work: Path, seeds: list[Path]) -> Path:  # clean generations get the same memory
        archive = original(work, seeds)
        shutil.copytree(made / "translations", archive / "translations", dirs_exist_ok=True)
        return archive
    monkeypatch.setattr("tests.test_incremental.make_archive", with_memory)
    return made


def test_translations_come_back_lazily_and_stay_identical(root: Path, tmp_path: Path) -> None:
    first = generate(root)
    assert first.pending == 0
    assert len(packs(root)) == 1
    assert generate(root).written == 0
    assert_same_as_clean(root, tmp_path / "clean")

    # A review of an article whose translation comes from the manifest (lazily loaded).
    article = extract_all([str(root / "seeds")], Settings.for_root(root), base=root).articles[0]
    reviews = root / "translations" / "reviewed"
    reviews.mkdir(parents=True)
    review_path(reviews, article).write_text(yaml.safe_dump(
        {"title": "A reviewed title", "paragraphs": ["One.", "Two."], "source_hash": article.content_hash},
        allow_unicode=True), encoding="utf-8")
    assert generate(root).written >= 2
    assert_same_as_clean(root, tmp_path / "clean")

    shutil.copy(SEEDS[-1], root / "seeds" / "new.txt")  # not in the memory: pending
    size = packs(root)[0].stat().st_size
    assert generate(root).pending > 0
    assert packs(root)[0].stat().st_size > size  # appended to, not rewritten
    assert_same_as_clean(root, tmp_path / "clean")


def test_a_pack_cut_short_or_gone_is_ignored(root: Path, tmp_path: Path) -> None:
    generate(root)
    pack = packs(root)[0]
    pack.write_bytes(pack.read_bytes()[: pack.stat().st_size // 2])
    assert generate(root).written == 0  # everything redone from the seeds; the pages were right
    assert len(packs(root)) == 1 and packs(root)[0] != pack
    assert_same_as_clean(root, tmp_path / "clean")
    packs(root)[0].unlink()
    assert generate(root).written == 0
    assert_same_as_clean(root, tmp_path / "clean")


def test_a_mostly_dead_pack_is_rewritten(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifest_module, "COMPACT_MIN_DEAD", 0)
    generate(root)
    pack = packs(root)[0]
    (root / "seeds" / "extra.txt").write_bytes(b"")  # a rejected (empty) file: one more record
    generate(root)
    size = pack.stat().st_size
    assert packs(root) == [pack] and size > 0  # appended to
    for seed in (root / "seeds").glob("*.txt"):  # every record and finished translation dies
        seed.write_text(seed.read_text(encoding="utf-8").replace("في", "فى", 1), encoding="utf-8")
    generate(root)
    assert packs(root) != [pack] and len(packs(root)) == 1  # rewritten under a new name, the old one gone
    assert generate(root).written == 0
    assert_same_as_clean(root, tmp_path / "clean")


def test_a_lazy_translation_reads_pickles_and_compares_as_the_real_one() -> None:
    real = Translation(status="machine", title="Title", paragraphs=[[SentencePair("نص.", "Text.")]], tags=["a"],
                       engine="e", model="m", model_version="1", translated_on="2026-11-22")
    lazy = LazyTranslation(memoryview(pickle.dumps(real)), real.digest)
    assert lazy.digest == real.digest and "_blob" in lazy.__dict__  # the digest needs no unpickling
    assert lazy == real and real == lazy
    again = pickle.loads(pickle.dumps(lazy))
    assert type(again) is Translation and again == real
    lazy.__dict__.pop("digest")
    assert lazy.digest == real.digest
    lazy = LazyTranslation(memoryview(pickle.dumps(real)), real.digest)
    lazy.__dict__.pop("digest")  # what a review does before changing fields: the blob's must not come back
    lazy.title = "Other"
    assert lazy.digest != real.digest
    assert lazy.title == "Other" and lazy != real and lazy.tags == ["a"]
    # The fields index lines show, stored beside the blob, are read without unpickling it.
    lazy = LazyTranslation(memoryview(pickle.dumps(real)), real.digest, {"title": "Title", "publisher": None})
    assert lazy.title == "Title" and lazy.publisher is None and "_blob" in lazy.__dict__
    assert lazy.tags == ["a"] and "_blob" not in lazy.__dict__ and lazy == real
    assert type(pickle.loads(pickle.dumps(lazy))) is Translation
    lazy = LazyTranslation(memoryview(pickle.dumps(real)), real.digest, {"title": "Title", "publisher": None})
    lazy.title = "Changed"
    assert lazy.title == "Changed" and lazy.tags == ["a"]


def test_a_corrected_file_is_taken_from_the_cache_with_its_correction(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The correction's digest is saved with the file's record: an unchanged corrected file is not
    extracted again, and a changed correction is (generator/corrections.py)."""
    import hashlib

    import generator.pipeline.extraction as pipeline_module

    root = make_archive(tmp_path / "archive", SEEDS[:2])
    settings = Settings.for_root(root)
    seed = root / "seeds" / SEEDS[0].name
    sidecar = root / "corrections" / "seeds" / f"{SEEDS[0].name}.yaml"
    sidecar.parent.mkdir(parents=True)
    sidecar.write_text(yaml.safe_dump({"source": f"seeds/{SEEDS[0].name}",
                                       "source_sha256": hashlib.sha256(seed.read_bytes()).hexdigest(),
                                       "articles": [{"index": 0, "title": "عنوان مصحح"}]}, allow_unicode=True),
                       encoding="utf-8")
    path = tmp_path / "manifest.pickle"
    manifest = manifest_module.load_manifest(path)
    first = extract_all([str(root / "seeds")], settings, cache=manifest.files, base=root)
    manifest_module.save_manifest(path, manifest)
    assert first.articles[0].title == "عنوان مصحح"
    reloaded = manifest_module.load_manifest(path)
    assert sorted(s.corrections for s in reloaded.files.values()) == sorted(
        s.corrections for s in manifest.files.values()) and any(s.corrections for s in reloaded.files.values())

    extracted: list[str] = []
    original = pipeline_module._extract_one

    def counting(item, *args, **kwargs):  # type: ignore[no-untyped-def]
        extracted.append(item.name)
        return original(item, *args, **kwargs)

    monkeypatch.setattr(pipeline_module, "_extract_one", counting)
    again = extract_all([str(root / "seeds")], settings, cache=reloaded.files, base=root)
    assert extracted == [] and again.articles[0].title == "عنوان مصحح" and again.articles[0].corrected == ["title"]
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("عنوان مصحح", "عنوان آخر"), encoding="utf-8")
    changed = extract_all([str(root / "seeds")], settings, cache=reloaded.files, base=root)
    assert extracted == [f"seeds/{SEEDS[0].name}"] and changed.articles[0].title == "عنوان آخر"


def test_code_fingerprint_covers_every_stage_package(tmp_path: Path) -> None:
    """Caches made by other code are not reused: a change to a page template (render/), the
    extractor's data (data/) or the site layer changes the fingerprint, not only pipeline/ code."""
    import subprocess
    import sys

    package = Path(manifest_module.__file__).resolve().parents[1]
    shutil.copytree(package, tmp_path / "generator", ignore=shutil.ignore_patterns("__pycache__"))

    def fingerprint() -> str:
        code = "from generator.pipeline.manifest import code_fingerprint; print(code_fingerprint())"
        return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                              check=True, env={"PYTHONPATH": str(tmp_path)}).stdout.strip()

    seen = {fingerprint()}
    for rel in ("render/templates/article.ar.md.j2", "data/outlets.yaml", "site/plugin.py"):
        with (tmp_path / "generator" / rel).open("a", encoding="utf-8") as handle:
            handle.write("\n")
        seen.add(fingerprint())
    assert len(seen) == 4
