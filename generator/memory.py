"""Translation memory: every sentence ever translated, per model, in a committable JSONL file.

Why JSONL in the repository rather than SQLite: the file is sorted and holds one sentence per
line, so `git diff` shows exactly which sentences were (re)translated, and a CI site build (or a
reader's machine without the model) renders English pages from the committed memory alone.

Crash safety: new entries are appended as whole lines and fsync'd after each chunk; a run killed
mid-write leaves at most one torn last line, which the next open trims. At the end of a run the
file is rewritten sorted (temporary file + rename), so an interrupted compaction loses nothing,
and the next open removes the temporary file it left (the folder is committed to git).
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from .atomic import atomic_write_text, fsync_directory, remove_stale_temps


@lru_cache(maxsize=1 << 16)  # translation and rendering both ask for every sentence's key
def memory_key(sentence: str) -> str:
    """The normalised source sentence: NFC with runs of whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", sentence).split())


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
        good_end = data.rfind(b"\n") + 1
        if good_end < len(data):  # a torn line from a killed run: drop it so appends start clean
            with self.path.open("r+b") as handle:
                handle.truncate(good_end)
            data = data[:good_end]
        keys: list[str] = []
        lines = data.decode("utf-8").splitlines()
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
        lines = "".join(json.dumps(asdict(e), ensure_ascii=False, separators=(",", ":")) + "\n" for e in entries)
        created = not self.path.exists()
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(lines)
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


def find_memory(directory: Path, from_code: str, to_code: str) -> str | None:
    """Model id of the newest memory for a language pair (used when no model is installed)."""
    if not directory.is_dir():
        return None
    ids = [p.stem for p in directory.glob(f"translate-{from_code}_{to_code}@*.jsonl")]
    return max(ids, key=lambda i: version_key(i.split("@", 1)[1]), default=None)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))
