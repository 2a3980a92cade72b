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
from collections.abc import Iterator, Mapping
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


# A shard line as _line writes it starts with its key. Read from the bytes, so that loading a million
# sentences does not parse a million JSON objects (they are parsed when asked for).
_KEY_START = b'{"src":"'


class MemoryEntries(Mapping[str, MemoryEntry]):
    """The entries of a memory, by key: shard lines are located when the memory is opened and parsed
    only when an entry is asked for (each time: a run reads most entries once, and keeping them
    parsed would hold every sentence's pieces and alignment in memory at once)."""

    def __init__(self) -> None:
        self._files: list[Path] = []
        self._where: dict[str, tuple[int, int, int]] = {}  # key → file number, offset, length
        self._new: dict[str, MemoryEntry] = {}  # entries of the journal and of this run

    def locate(self, path: Path, data: bytes) -> list[str] | None:
        """Index the lines of a shard (its bytes `data`); its keys in file order, or None when a line
        is not of the shape _line writes (then the caller parses the file)."""
        number = len(self._files)
        keys: list[str] = []
        where: list[tuple[int, int]] = []
        offset = 0
        for line in data.split(b"\n"):  # a shard at a time: a few MB copied, never the whole memory
            if line:
                if not line.startswith(_KEY_START):
                    return None
                end = line.find(b'",', len(_KEY_START))
                raw = line[len(_KEY_START): end]
                if end < 0:
                    return None
                if b"\\" in raw:  # an escaped character in the key: JSON decides where the string ends
                    try:
                        key = json.decoder.scanstring(line.decode("utf-8"), len(_KEY_START))[0]
                    except ValueError:
                        return None
                else:
                    key = raw.decode("utf-8")
                keys.append(key)
                where.append((offset, len(line)))
            offset += len(line) + 1
        self._files.append(path)
        for key, (start, length) in zip(keys, where, strict=True):
            self._where[key] = (number, start, length)
            self._new.pop(key, None)
        return keys

    def put(self, entry: MemoryEntry) -> None:
        self._new[entry.src] = entry

    def line(self, key: str) -> str:
        """The entry's JSON line (without its line end)."""
        entry = self._new.get(key)
        if entry is not None:
            return _line(entry)
        number, offset, length = self._where[key]
        with self._files[number].open("rb") as file:
            return os.pread(file.fileno(), length, offset).decode("utf-8")

    def __getitem__(self, key: str) -> MemoryEntry:
        entry = self._new.get(key)
        if entry is not None:
            return entry
        return MemoryEntry(**json.loads(self.line(key)))

    def __contains__(self, key: object) -> bool:
        return key in self._new or key in self._where

    def __iter__(self) -> Iterator[str]:
        yield from self._where
        yield from (key for key in self._new if key not in self._where)

    def __len__(self) -> int:
        return len(self._where) + sum(1 for key in self._new if key not in self._where)


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
        self.entries = MemoryEntries()
        self._dirty: set[str] = set()  # shards whose file is not what compact() would write
        self._load()

    def _load(self) -> None:
        remove_stale_temps(self.path)  # a compaction killed before its renames
        remove_stale_temps(self.path.parent)
        if self.path.is_dir():
            for shard in sorted(self.path.glob("[0-9][0-9].jsonl")):
                data = shard.read_bytes()
                keys = self.entries.locate(shard, data)
                if keys is None:  # edited by hand or damaged: parsed line by line, rewritten on compaction
                    keys = self._read(data)
                    self._dirty.add(shard.name)
                elif keys != sorted(keys) or len(set(keys)) != len(keys):  # not as compact() writes it
                    self._dirty.add(shard.name)
        for log in (self.legacy, self.journal):  # the old single file, then this memory's open journal
            if log.exists():
                self._dirty.update(shard_of(k) for k in self._read(self._untorn(log)))

    def _read(self, data: bytes) -> list[str]:
        """Add the entries in `data` (JSON lines), parsed; their keys, in file order."""
        # Lines end at LF only: a JSON string may hold U+2028, U+0085 ..., where splitlines() breaks.
        lines = [line for line in data.decode("utf-8").split("\n") if line]
        keys = []
        for entry in self._parse_all(lines) or self._parse_each(lines):
            self.entries.put(entry)
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
            self.entries.put(entry)
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
        texts = {name: "".join(self.entries.line(key) + "\n" for key in sorted(keys))
                 for name, keys in by_shard.items()}  # every line read before any shard is replaced
        for name in sorted(texts):
            target = self.path / name
            if not texts[name]:
                target.unlink(missing_ok=True)
                continue
            if not target.exists() or target.read_text(encoding="utf-8") != texts[name]:
                atomic_write_text(target, texts[name])
            self.entries.locate(target, texts[name].encode("utf-8"))  # the lines' new places
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
