"""The shortcuts that keep an incremental build fast say exactly what the plain code they replace
says: the one-call memory parse, records whose paragraphs load when read,
packed duplicate features, and the folder walk of input discovery."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
from array import array
from pathlib import Path

from generator.model import Article, FileOutcome
from generator.pipeline.duplicates import _Features
from generator.pipeline.extraction import _record, _unrecord
from generator.read.discover import _files_under
from generator.translate.memory import MemoryEntry, TranslationMemory


def entry(n: int) -> MemoryEntry:
    return MemoryEntry(f"جملة {n}", [f"▁w{n}", "▁x"], [[0, 4], [5, 6]], "ctranslate2 4.8.5", "2026-11-22")


def test_memory_parsed_at_once_or_line_by_line_alike(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    path = folder / "journal.jsonl"
    lines = [json.dumps(dataclasses.asdict(entry(n)), ensure_ascii=False, separators=(",", ":")) for n in range(5)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    memory = TranslationMemory(folder, "m")
    assert list(memory.entries.values()) == [entry(n) for n in range(5)]

    # Damaged lines (and lines that only parse together) cost their entries, not the others.
    damaged = [lines[0], '{"src":"x"', lines[1], "[1", "2]", "3,4", lines[2]]
    path.write_text("\n".join(damaged) + "\n", encoding="utf-8")
    memory = TranslationMemory(folder, "m")
    assert list(memory.entries.values()) == [entry(0), entry(1), entry(2)]
    assert memory._dirty  # the journal is merged into the shards on compaction


def test_a_recorded_article_reads_compares_and_pickles_as_the_article() -> None:
    first = Article("seeds/a.txt", 0, "عنوان", date="2026-01-02", tags=["وسم"],
                    paragraphs=["فقرة أولى.", "فقرة ثانية."])
    second = Article("seeds/a.txt", 1, "عنوان آخر", paragraphs=["فقرة ثالثة."])
    for article in (first, second):
        article.record_digest  # noqa: B018 - as extraction leaves them
    outcome = FileOutcome("seeds/a.txt", "ok", articles=2)
    again_outcome, again = _unrecord(memoryview(_record((outcome, [first, second]))))
    assert again_outcome == outcome
    assert "_paragraphs" in vars(again[0])  # not read yet
    assert again == [first, second] and [first, second] == again
    assert again[0].record_digest == first.record_digest and again[0].paragraphs == first.paragraphs
    assert again[1].paragraphs == ["فقرة ثالثة."]

    _, again = _unrecord(_record((outcome, [first, second])))
    plain = pickle.loads(pickle.dumps(again[1]))
    assert type(plain) is Article and plain == second and plain.paragraphs == second.paragraphs
    copy = dataclasses.replace(again[0], duplicates=["seeds/b.txt"])
    assert copy.paragraphs == first.paragraphs and copy.duplicates == ["seeds/b.txt"]
    assert dataclasses.asdict(again[0])["paragraphs"] == first.paragraphs
    again[0].paragraphs = ["بديلة."]
    assert again[0].paragraphs == ["بديلة."] and again[0] != first


def test_packed_features_come_back_as_they_were() -> None:
    samples = frozenset({0, 8, -16, 2**62, -(2**63)})
    features = _Features("hash", "title", array("q", samples).tobytes())
    features.samples  # noqa: B018 - made, and not pickled
    blob = pickle.dumps(features)
    again = pickle.loads(blob)
    assert b"samples" not in blob and "samples" not in vars(again)
    assert again.samples == samples and again.title == "title" and again.content_hash == "hash"
    assert again.shares_any(frozenset({8, 3})) and not again.shares_any(frozenset({3}))


def walked(folder: Path) -> list[str]:
    """What discovery found before: os.walk (links to folders not followed) and os.path.isfile."""
    found = []
    for current, _dirs, files in os.walk(folder):
        rel = os.path.relpath(current, folder)
        for name in files:
            if os.path.isfile(os.path.join(current, name)):
                found.append(name if rel == "." else f"{rel}/{name}")
    return sorted(found, key=lambda p: p.split("/"))


def test_discovery_walk_finds_what_os_walk_finds(tmp_path: Path) -> None:
    (tmp_path / "sub" / ".hidden").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    for name in ("a.txt", "sub/b.txt", "sub/.hidden/c.txt", ".d.txt", "other/e.txt", "sub-x.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "link-to-file.txt").symlink_to(tmp_path / "a.txt")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "link-to-folder").symlink_to(tmp_path / "other", target_is_directory=True)
    assert _files_under(str(tmp_path)) == walked(tmp_path)
    assert "link-to-file.txt" in _files_under(str(tmp_path))
    assert not any(p.startswith("link-to-folder") for p in _files_under(str(tmp_path)))


def test_a_single_file_memory_is_split_into_shards(tmp_path: Path) -> None:
    """Memories written before shards (one `<model>.jsonl`) are read, and split on compaction."""
    from generator.translate.memory import find_memory, memory_path, shard_of

    directory = tmp_path / "memory"
    directory.mkdir()
    legacy = directory / "translate-ar_en@1.0.jsonl"
    lines = [json.dumps(dataclasses.asdict(entry(n)), ensure_ascii=False, separators=(",", ":")) for n in range(200)]
    legacy.write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")
    assert find_memory(directory, "ar", "en") == "translate-ar_en@1.0"
    folder = memory_path(directory, "translate-ar_en@1.0")
    memory = TranslationMemory(folder, "translate-ar_en@1.0")
    assert len(memory) == 200
    memory.compact()
    assert not legacy.exists() and find_memory(directory, "ar", "en") == "translate-ar_en@1.0"
    shards = sorted(folder.iterdir())
    assert len(shards) > 32 and all(p.name.endswith(".jsonl") for p in shards)  # 200 sentences over 64 shards
    for shard in shards:
        keys = [json.loads(line)["src"] for line in shard.read_text(encoding="utf-8").splitlines()]
        assert keys == sorted(keys) and {shard_of(k) for k in keys} == {shard.name}
    again = TranslationMemory(folder, "translate-ar_en@1.0")
    assert again.entries == memory.entries and not again._dirty


def test_shards_are_read_lazily_and_alike(tmp_path: Path) -> None:
    """Opening a memory only locates each shard line; an entry is parsed when asked for. Keys with
    escaped characters, and a shard not in the shape compact() writes, read the same as parsed JSON."""
    from generator.translate.memory import memory_path

    folder = memory_path(tmp_path, "m@1")
    odd = [MemoryEntry(src, ["▁x"], [[0, 1]], "ctranslate2 4.8.5", "2026-12-07")
           for src in ('قال "الوزير": نعم', "سطر\\ب", "فاصل\u2028هنا", 'x", "y', "عادي")]
    memory = TranslationMemory(folder, "m@1")
    memory.add([*odd, *(entry(n) for n in range(50))])
    memory.compact()
    again = TranslationMemory(folder, "m@1")
    assert not again._dirty and len(again) == 55
    assert again.entries._new == {} and len(again.entries._where) == 55  # located, not parsed
    for item in [*odd, entry(7)]:
        assert again.entries[item.src] == item
    assert again.get("عادي") == odd[-1]  # get() normalises the sentence as translation keys it
    expected = dict(memory.entries.items())
    assert dict(again.entries.items()) == expected
    # A shard written by hand with its fields in another order: parsed, then rewritten by compaction.
    shard = next(p for p in sorted(folder.iterdir()) if p.name.endswith(".jsonl"))
    records = [json.loads(line) for line in shard.read_text(encoding="utf-8").split("\n") if line]
    shard.write_text("".join(json.dumps(dict(reversed(list(r.items()))), ensure_ascii=False) + "\n"
                             for r in records), encoding="utf-8")
    edited = TranslationMemory(folder, "m@1")
    assert shard.name in edited._dirty and dict(edited.entries.items()) == expected
    edited.compact()
    assert TranslationMemory(folder, "m@1")._dirty == set()
