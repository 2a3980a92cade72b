"""Translation on the real code path: a tiny real Argos package built here, CTranslate2, no network.

The model has random weights, so its English is gibberish: these tests check structure,
alignment, glossary names, caching, provenance, resumption and reviews, not wording.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from generator.config import DEFAULT, Settings
from generator.pipeline.extraction import extract_all
from generator.text.names import find_names
from generator.translate.engine import translate_articles
from generator.translate.memory import TranslationMemory, memory_path, shard_of
from tests.conftest import ROOT, run_cli

FAST = {"max_decoding_length": 24}  # random weights never emit </s>: bound the output


def settings_for(packages: Path, translations: Path, **translation: int) -> Settings:
    return replace(DEFAULT, packages_dir=packages, translations_dir=translations,
                   translation=replace(DEFAULT.translation, **{**FAST, **translation}))


@pytest.fixture(scope="module")
def translated(packages: Path, tmp_path_factory: pytest.TempPathFactory):
    settings = settings_for(packages, tmp_path_factory.mktemp("translations"))
    articles = extract_all(["seeds"], settings).articles
    stats = translate_articles(articles, settings)
    return articles, stats, settings


def test_every_article_is_translated_paragraph_for_paragraph(translated) -> None:
    articles, stats, _ = translated
    assert stats.translated == stats.sentences > 100 and stats.pending == 0
    for article in articles:
        t = article.translation
        assert t.status == "machine"
        assert len(t.paragraphs) == len(article.paragraphs)  # paragraphs map 1:1
        for arabic, pairs in zip(article.paragraphs, t.paragraphs, strict=True):
            # Each English sentence records its Arabic source sentence; together they are the paragraph.
            assert " ".join(p.ar for p in pairs) == " ".join(arabic.split())
            assert all(p.en and p.en.strip() for p in pairs)
        assert t.title and len(t.tags) == len(article.tags)


def test_provenance_is_recorded(translated) -> None:
    articles, _, _ = translated
    for article in articles:
        t = article.translation
        assert t.engine.startswith("ctranslate2 ")
        assert (t.model, t.model_version) == ("translate-ar_en", "1.0")
        assert t.translated_on == dt.date.today().isoformat()
    # Publishers take their English name from the outlets table, not from the model.
    assert articles[0].translation.publisher == "Syria News"


def test_glossary_names_come_out_in_english_on_the_real_path(translated) -> None:
    articles, _, _ = translated
    checked = 0
    for article in articles:
        for pairs in article.translation.paragraphs:
            for pair in pairs:
                for name in find_names(pair.ar):
                    assert name.entry.en in pair.en, (pair.ar, name.entry.en, pair.en)
                    checked += 1
    assert checked > 50
    english = " ".join(p.en for a in articles for pairs in a.translation.paragraphs for p in pairs)
    for name in ("Dmitry Peskov", "Sergei Lavrov", "the Kremlin", "ISIS", "Rex Tillerson"):
        assert name in english


def memory_files(folder: Path) -> dict[str, bytes]:
    """A model's memory as its files hold it: shard name → bytes (the journal too, if one is left)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def test_second_run_translates_nothing_and_changes_nothing(translated) -> None:
    articles, stats, settings = translated
    memory = memory_path(settings.translations_dir / "memory", "translate-ar_en@1.0")
    before = memory_files(memory)
    again = extract_all(["seeds"], settings).articles
    stats2 = translate_articles(again, settings)
    assert (stats2.translated, stats2.cache_hits) == (0, stats.sentences)
    assert memory_files(memory) == before  # sorted, de-duplicated, byte-stable
    assert [a.translation for a in again] == [a.translation for a in articles]
    assert "journal.jsonl" not in before and len(before) > 1
    total = 0
    for name, data in before.items():
        sources = [json.loads(line)["src"] for line in data.decode("utf-8").splitlines()]
        assert sources == sorted(sources) and all(shard_of(s) == name for s in sources)
        total += len(sources)
    assert total == len(TranslationMemory(memory, "translate-ar_en@1.0"))


def test_memory_alone_translates_without_a_model(translated, tmp_path: Path) -> None:
    """A CI site build with the committed memory and no model installed."""
    _, stats, settings = translated
    no_model = replace(settings, packages_dir=tmp_path / "empty")
    articles = extract_all(["seeds"], no_model).articles
    stats2 = translate_articles(articles, no_model)
    assert (stats2.cache_hits, stats2.pending) == (stats.sentences, 0)
    assert all(a.translation.status == "machine" for a in articles)


def test_without_model_or_memory_everything_is_pending(tmp_path: Path) -> None:
    result = run_cli("translate", "seeds", "--packages-dir", str(tmp_path / "none"), "--translations-dir",
                     str(tmp_path / "t"), "--report", str(tmp_path / "r.json"))
    assert result.returncode == 0
    assert "argospm install translate-ar_en" in result.stderr and "models install" in result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["translation"]["status"] for r in records} == {"pending"}
    counters = json.loads((tmp_path / "r.json").read_text())["translation"]
    assert counters["pending"] == counters["sentences"] > 0 and counters["translated"] == 0
    strict = run_cli("translate", "seeds", "--packages-dir", str(tmp_path / "none"), "--translations-dir",
                     str(tmp_path / "t"), "--require-translation", "--format", "none")
    assert strict.returncode == 1 and "--require-translation" in strict.stderr


def test_cli_report_counts_translation(packages: Path, tmp_path: Path) -> None:
    args = ["translate", "seeds", "--packages-dir", str(packages), "--translations-dir", str(tmp_path),
            "--max-length", "16", "--format", "none", "--report", str(tmp_path / "r.json")]
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    counters = json.loads((tmp_path / "r.json").read_text())["translation"]
    assert counters["translated"] == counters["sentences"] > 0
    second = run_cli(*args)
    counters = json.loads((tmp_path / "r.json").read_text())["translation"]
    assert (counters["translated"], counters["cache_hits"]) == (0, counters["sentences"])
    assert "cache hits" in second.stderr


def test_killed_run_leaves_a_usable_memory_and_resumes(packages: Path, tmp_path: Path) -> None:
    """SIGKILL at random moments; each rerun resumes; the end result equals an uninterrupted run."""
    reference_dir = tmp_path / "reference"
    base = ["translate", "seeds", "--packages-dir", str(packages), "--max-length", "48", "--chunk-size", "8",
            "--format", "jsonl"]
    reference = run_cli(*base, "--translations-dir", str(reference_dir))
    assert reference.returncode == 0, reference.stderr
    work = tmp_path / "work"
    memory = memory_path(work / "memory", "translate-ar_en@1.0")
    journal = memory / "journal.jsonl"
    rng = random.Random(7)
    sizes = []

    def saved() -> int:
        return sum(len(data) for data in memory_files(memory).values())

    for attempt in range(3):
        size_before = saved()
        process = subprocess.Popen([sys.executable, "-m", "generator", *base, "--translations-dir", str(work)],
                                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if attempt:  # later kills land after this run has saved something, at a random moment
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and process.poll() is None and saved() <= size_before:
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.3))
        else:  # the first may well die before saving anything
            time.sleep(rng.uniform(0.2, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if journal.exists():
            with journal.open("ab") as handle:  # what a kill inside a write leaves behind
                handle.write(b'{"src":"torn')
        if memory.exists():
            sizes.append(len(TranslationMemory(memory, "translate-ar_en@1.0")))
    assert sizes and sizes == sorted(sizes), sizes  # each killed run kept what the previous ones saved
    resumed = run_cli(*base, "--translations-dir", str(work), "--report", str(tmp_path / "r.json"))
    assert resumed.returncode == 0, resumed.stderr
    counters = json.loads((tmp_path / "r.json").read_text())["translation"]
    assert counters["cache_hits"] > 0  # it resumed rather than starting over
    assert resumed.stdout == reference.stdout
    assert memory_files(memory) == memory_files(memory_path(reference_dir / "memory", "translate-ar_en@1.0"))


def test_human_review_is_kept_and_flagged_when_arabic_changes(packages: Path, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    common = ["--packages-dir", str(packages), "--translations-dir", str(tmp_path / "t"), "--max-length", "16"]
    source = str(seeds / "000_7cc4ae428ed70fb2.txt")
    started = run_cli("review", source, *common)
    assert started.returncode == 0, started.stderr
    [review_file] = (tmp_path / "t" / "reviewed").glob("*.yaml")
    review = yaml.safe_load(review_file.read_text(encoding="utf-8"))
    review["title"] = "Kremlin: Moscow abandoning Assad is out of the question"
    review["paragraphs"][0] = "The Kremlin said on Wednesday that Western demands amount to freeing terrorists."
    review_file.write_text(yaml.safe_dump(review, allow_unicode=True), encoding="utf-8")

    def english() -> dict:
        result = run_cli("translate", source, *common)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.splitlines()[0])

    record = english()
    assert record["translation"]["status"] == "reviewed"
    assert record["translation"]["title"] == review["title"]
    assert record["translation"]["paragraphs"][0][0]["en"] == review["paragraphs"][0]
    assert record["translation"]["review_stale"] is False

    path = Path(source)
    path.write_text(path.read_text(encoding="utf-8").replace("يوم الأربعاء", "يوم الخميس", 1), encoding="utf-8")
    record = english()
    assert record["translation"]["title"] == review["title"]  # the correction survives regeneration
    assert record["translation"]["review_stale"] is True
    assert any("predates a change" in w for w in record["warnings"])


def test_bad_package_file_is_refused_clearly(tmp_path: Path) -> None:
    bogus = tmp_path / "broken.argosmodel"
    bogus.write_bytes(b"not a zip")
    result = run_cli("models", "install", str(bogus), "--packages-dir", str(tmp_path / "p"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {bogus}: not an .argosmodel package (not a zip archive)"


def test_a_torn_chunk_is_translated_again_as_an_uninterrupted_run_did(packages: Path, tmp_path: Path) -> None:
    """Issue 21: a run dies while appending a chunk to the memory, its last line torn. The resumed run
    must store what an uninterrupted run stores, byte for byte. Re-translating only the torn
    sentence decoded it in another batch, and CTranslate2's attention (so the stored `align`)
    depends on the batch; the whole torn chunk is translated again instead."""
    model = "translate-ar_en@1.0"

    class Killed(Exception):
        pass

    def killed_after_three_chunks(done: int, total: int) -> None:
        if done >= 3 * 8:
            raise Killed

    reference = settings_for(packages, tmp_path / "reference", chunk_size=8)
    translate_articles(extract_all(["seeds"], reference).articles, reference)
    expected = memory_files(memory_path(reference.translations_dir / "memory", model))
    work = settings_for(packages, tmp_path / "work", chunk_size=8)
    with pytest.raises(Killed):
        translate_articles(extract_all(["seeds"], work).articles, work, progress=killed_after_three_chunks)
    memory = memory_path(work.translations_dir / "memory", model)
    journal = memory / "journal.jsonl"
    data = journal.read_bytes()
    last_line = data.rstrip(b"\n").rfind(b"\n") + 1
    journal.write_bytes(data[: last_line + (len(data) - last_line) // 2])  # what a crash mid-write leaves
    assert len(TranslationMemory(memory, model)) == 2 * 8  # the torn chunk is gone, not only its last line
    stats = translate_articles(extract_all(["seeds"], work).articles, work)
    assert stats.cache_hits > 0 and stats.translated > 0
    assert memory_files(memory) == expected
