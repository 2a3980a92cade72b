"""Translation memory: every sentence ever translated, per model, in committable JSONL shards.

Why JSONL in the repository rather than SQLite: the file is sorted and holds one sentence per
line, so `git diff` shows exactly which sentences were (re)translated, and a CI site build (or a
reader's machine without the model) renders English pages from the committed memory alone.

Crash safety: each chunk of new entries is appended to the model's journal in one write, opened by
a blank line, and fsync'd; a run killed mid-write leaves at most one torn last line. The next open then drops the
whole chunk that line belongs to (from its blank line on), not the torn line alone: the resumed
run translates that chunk again with the same neighbours, so its entries come out byte for byte
as an uninterrupted run's. (CTranslate2's output for a sentence depends on the batch it is decoded
in: beam search reports the first step's attention of the batch's first sentence for all of them,
and padding moves the rest by rounding; re-translating only the torn sentence, in a different
batch, stored a different `align`.) At the end of a run the journal is merged into the sorted
shards (each by temporary file + rename) and removed, so an interrupted compaction loses nothing,
and the next open removes the temporary files it left (the folder is committed to git).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from generator.atomic import atomic_write_text, fsync_directory, remove_stale_temps
from generator.text.arabic import memory_key


@dataclass(frozen=True)
class MemoryEntry:
    src: str  # normalised source sentence (the key)
    pieces: list[str]  # target SentencePiece pieces as the model produced them
    # For each target piece, the [start, end) character span of the source piece it attends to
    # most: lets names be restored from the glossary later without the model.
    align: list[list[int]]
    engine: str  # e.g. "ctranslate2 4.8.5"
    date: str  # YYYY-MM-DD of translation


SHARDS = 64  # files a model's memory is split into: ~9 MB each at a million sentences (a 50,000-article archive)
JOURNAL = "journal.jsonl"


def memory_path(directory: Path, model_id: str) -> Path:
    """The folder of one model's memory (`translate-ar_en@1.0/`, holding `00.jsonl` … and a journal)."""
    return directory / re.sub(r"[^\w.@-]+", "-", model_id)


def shard_of(key: str) -> str:
    """The shard file a sentence lives in: by a hash of its key, so that shards stay balanced."""
    return f"{int(hashlib.sha1(key.encode('utf-8', 'surrogatepass')).hexdigest()[:4], 16) % SHARDS:02d}.jsonl"


class TranslationMemory:
    """One model's memory: sorted shard files, plus the journal the current run appends to.

    Each shard holds the sentences whose key hashes to it, one JSON line each, sorted: a new
    sentence changes one line of one shard in `git diff`, and no file grows past GitHub's limits
    (50 MB warns, 100 MB refuses) before the archive holds millions of sentences. A memory written
    as one file (`<model>.jsonl`, before shards) is read and split on its first compaction."""

    def __init__(self, path: Path, model_id: str) -> None:
        self.path = path
        self.model_id = model_id
        self.journal = path / JOURNAL
        self.legacy = path.with_name(path.name + ".jsonl")
        self.entries: dict[str, MemoryEntry] = {}
        self._dirty: set[str] = set()  # shards whose file is not what compact() would write
        self._load()

    def _load(self) -> None:
        remove_stale_temps(self.path)  # a compaction killed before its renames
        remove_stale_temps(self.path.parent)
        if self.path.is_dir():
            for shard in sorted(self.path.glob("[0-9][0-9].jsonl")):
                keys = self._read(shard.read_bytes())
                if keys != sorted(keys) or len(set(keys)) != len(keys) or any(shard_of(k) != shard.name for k in keys):
                    self._dirty.add(shard.name)  # edited by hand or damaged: rewritten on compaction
        for log in (self.legacy, self.journal):  # the old single file, then this memory's open journal
            if log.exists():
                self._dirty.update(shard_of(k) for k in self._read(self._untorn(log)))

    def _read(self, data: bytes) -> list[str]:
        """Add the entries in `data` (JSON lines); their keys, in file order."""
        # Lines end at LF only: a JSON string may hold U+2028, U+0085 ..., where splitlines() breaks.
        lines = [line for line in data.decode("utf-8").split("\n") if line]
        keys = []
        for entry in self._parse_all(lines) or self._parse_each(lines):
            self.entries[entry.src] = entry
            keys.append(entry.src)
        return keys

    @staticmethod
    def _untorn(log: Path) -> bytes:
        """The log's bytes without a torn last chunk (cut from the file too: see the module)."""
        data = log.read_bytes()
        if data and not data.endswith(b"\n"):
            good_end = _chunk_start(data)
            with log.open("r+b") as handle:
                handle.truncate(good_end)
            data = data[:good_end]
        return data

    @staticmethod
    def _parse_all(lines: list[str]) -> list[MemoryEntry] | None:
        """Every line, parsed as one JSON array (one C call instead of thousands), or None when
        any line is damaged."""
        try:
            records = json.loads("[" + ",".join(lines) + "]")
            if len(records) != len(lines):  # lines that only parse together: not one record each
                return None
            return [MemoryEntry(**record) for record in records]
        except (ValueError, TypeError):
            return None

    def _parse_each(self, lines: list[str]) -> list[MemoryEntry]:
        entries = []
        for line in lines:
            with contextlib.suppress(ValueError, TypeError):  # a damaged line costs one re-translation
                entries.append(MemoryEntry(**json.loads(line)))
        return entries

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, sentence: str) -> MemoryEntry | None:
        return self.entries.get(memory_key(sentence))

    def add(self, entries: list[MemoryEntry]) -> None:
        """Append entries to the journal durably (one fsync per call)."""
        if not entries:
            return
        created = not self.path.is_dir()
        self.path.mkdir(parents=True, exist_ok=True)
        if created:
            fsync_directory(self.path.parent)
        # The chunk's blank line first: where a reopening cuts when the chunk is torn (see the module).
        chunk = "\n" + "".join(_line(e) + "\n" for e in entries)
        new = not self.journal.exists()
        with self.journal.open("a", encoding="utf-8") as handle:
            handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if new:  # a new file's name is durable only once its folder is synced
            fsync_directory(self.path)
        for entry in entries:
            self.entries[entry.src] = entry
            self._dirty.add(shard_of(entry.src))

    def compact(self) -> None:
        """Rewrite the shards the journal (or an old single file) touched, sorted and de-duplicated,
        then drop the journal: deterministic, diff-friendly files.

        Each shard is replaced atomically; a run killed in between leaves the journal, whose entries
        the next run merges again (the same result)."""
        if not self._dirty:
            return
        by_shard: dict[str, list[str]] = {name: [] for name in self._dirty}
        for key in self.entries:
            name = shard_of(key)
            if name in by_shard:
                by_shard[name].append(key)
        self.path.mkdir(parents=True, exist_ok=True)
        for name in sorted(by_shard):
            target = self.path / name
            keys = sorted(by_shard[name])
            if not keys:
                target.unlink(missing_ok=True)
                continue
            text = "".join(_line(self.entries[key]) + "\n" for key in keys)
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                atomic_write_text(target, text)
        for log in (self.journal, self.legacy):
            log.unlink(missing_ok=True)
        fsync_directory(self.path)
        self._dirty.clear()


def _line(entry: MemoryEntry) -> str:
    return json.dumps(asdict(entry), ensure_ascii=False, separators=(",", ":"))


def _chunk_start(data: bytes) -> int:
    """Where the last chunk of a torn memory file began: its blank line (JSON lines never hold a raw
    LF, so an empty line is a chunk's mark), else the end of the last whole line."""
    mark = data.rfind(b"\n\n")
    if mark >= 0:
        return mark + 1  # keep the LF ending the line before the chunk
    if data.startswith(b"\n"):
        return 0  # the file's first chunk
    return data.rfind(b"\n") + 1


def find_memory(directory: Path, from_code: str, to_code: str) -> str | None:
    """Model id of the newest memory for a language pair (used when no model is installed)."""
    if not directory.is_dir():
        return None
    ids = {p.name.removesuffix(".jsonl") for p in directory.glob(f"translate-{from_code}_{to_code}@*")}
    return max(ids, key=lambda i: version_key(i.split("@", 1)[1]), default=None)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))
