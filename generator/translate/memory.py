"""Translation memory: every sentence ever translated, per model, in a committable JSONL file.

Why JSONL in the repository rather than SQLite: the file is sorted and holds one sentence per
line, so `git diff` shows exactly which sentences were (re)translated, and a CI site build (or a
reader's machine without the model) renders English pages from the committed memory alone.

Crash safety: each chunk of new entries is appended in one write, opened by a blank line, and
fsync'd; a run killed mid-write leaves at most one torn last line. The next open then drops the
whole chunk that line belongs to (from its blank line on), not the torn line alone: the resumed
run translates that chunk again with the same neighbours, so its entries come out byte for byte
as an uninterrupted run's. (CTranslate2's output for a sentence depends on the batch it is decoded
in: beam search reports the first step's attention of the batch's first sentence for all of them,
and padding moves the rest by rounding; re-translating only the torn sentence, in a different
batch, stored a different `align`.) At the end of a run the file is rewritten sorted, without the
blank lines (temporary file + rename), so an interrupted compaction loses nothing, and the next
open removes the temporary file it left (the folder is committed to git).
"""

from __future__ import annotations

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


def memory_path(directory: Path, model_id: str) -> Path:
    return directory / (re.sub(r"[^\w.@-]+", "-", model_id) + ".jsonl")


class TranslationMemory:
    def __init__(self, path: Path, model_id: str) -> None:
        self.path = path
        self.model_id = model_id
        self.entries: dict[str, MemoryEntry] = {}
        self._needs_compact = False  # set when the file on disk is not already sorted and de-duplicated
        self._load()

    def _load(self) -> None:
        remove_stale_temps(self.path.parent)  # a compaction killed before its rename
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):  # a torn line from a killed run: drop its chunk
            good_end = _chunk_start(data)
            with self.path.open("r+b") as handle:
                handle.truncate(good_end)
            data = data[:good_end]
        # Lines end at LF only: a JSON string may hold U+2028, U+0085 ..., where splitlines() breaks.
        lines = [line for line in data.decode("utf-8").split("\n") if line]
        if len(lines) < data.count(b"\n"):  # chunk marks: the file is an interrupted run's log
            self._needs_compact = True
        keys: list[str] = []
        for entry in self._parse_all(lines) or self._parse_each(lines):
            self.entries[entry.src] = entry
            keys.append(entry.src)
        if keys != sorted(self.entries):  # appended by an interrupted run, or duplicates
            self._needs_compact = True

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
            try:
                entries.append(MemoryEntry(**json.loads(line)))
            except (ValueError, TypeError):
                self._needs_compact = True  # a damaged line costs one re-translation, never the whole memory
        return entries

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, sentence: str) -> MemoryEntry | None:
        return self.entries.get(memory_key(sentence))

    def add(self, entries: list[MemoryEntry]) -> None:
        """Append entries durably (one fsync per call)."""
        if not entries:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The chunk's blank line first: where a reopening cuts when the chunk is torn (see the module).
        chunk = "\n" + "".join(json.dumps(asdict(e), ensure_ascii=False, separators=(",", ":")) + "\n"
                               for e in entries)
        created = not self.path.exists()
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if created:  # a new file's name is durable only once its folder is synced
            fsync_directory(self.path.parent)
        for entry in entries:
            self.entries[entry.src] = entry
        self._needs_compact = True

    def compact(self) -> None:
        """Rewrite sorted and de-duplicated: deterministic, diff-friendly content.

        Skipped when the file already is (serialising a large memory costs seconds per build)."""
        if not self.entries or not self._needs_compact:
            return
        lines = [json.dumps(asdict(self.entries[key]), ensure_ascii=False, separators=(",", ":"))
                 for key in sorted(self.entries)]
        text = "\n".join(lines) + "\n"
        if not self.path.exists() or self.path.read_text(encoding="utf-8") != text:
            atomic_write_text(self.path, text)
        self._needs_compact = False


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
    ids = [p.stem for p in directory.glob(f"translate-{from_code}_{to_code}@*.jsonl")]
    return max(ids, key=lambda i: version_key(i.split("@", 1)[1]), default=None)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))
