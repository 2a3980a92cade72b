"""Runs the stages over many inputs: discovery, (parallel) extraction, and the build report."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import atomic_write_text
from .config import Settings
from .extract import extract_file, printable_name
from .manifest import FileState
from .model import Article, FileOutcome


@dataclass(frozen=True)
class InputFile:
    path: Path
    name: str  # the path as the user gave it (or under the directory they gave)


def _files_under(folder: str) -> list[str]:
    """Every file below `folder`, as sorted relative POSIX paths (os.walk: pathlib's rglob is slow here)."""
    found = []
    for current, _dirs, files in os.walk(folder):
        rel = os.path.relpath(current, folder)
        for name in files:
            if os.path.isfile(os.path.join(current, name)):
                found.append(name if rel == "." else f"{rel}/{name}".replace(os.sep, "/"))
    return sorted(found, key=lambda p: p.split("/"))  # = Path(p).parts here (joined above), without 5,000 Paths


def discover(paths: Iterable[str], base: Path | None = None) -> tuple[list[InputFile], list[FileOutcome]]:
    """Files named, and every file under directories named (recursively, sorted).

    Files are named as given, or relative to `base` (the archive root) when given, so that a
    record's `source` ("seeds/x.txt") is the same on every machine and in every checkout.
    """
    found: list[InputFile] = []
    problems: list[FileOutcome] = []
    for given in paths:
        path = Path(given)
        shown = Path(os.path.relpath(path, base)) if base is not None and path.resolve().is_relative_to(
            base.resolve()) else Path(given)
        if path.is_dir():
            prefix = shown.as_posix().rstrip("/") + "/" if shown.as_posix() != "." else ""
            for rel in _files_under(given):
                # Strings joined, one Path each: `path / rel` twice per file was a visible cost at 5,000 files.
                name = printable_name(prefix + rel)
                if any(part.startswith(".") for part in rel.split("/")):
                    problems.append(FileOutcome(name, "skipped", reason="hidden file"))
                else:
                    found.append(InputFile(Path(os.path.join(given, rel)), name))
        elif path.is_file():
            found.append(InputFile(path, given))
        else:
            problems.append(FileOutcome(printable_name(given), "rejected", reason="no such file or directory"))
    return found, problems


def _extract_one(item: InputFile, max_bytes: int) -> tuple[FileOutcome, list[Article]]:
    try:
        return extract_file(item.path, item.name, max_bytes)
    except Exception as error:  # a bug must not sink the batch: report it against the file
        return FileOutcome(item.name, "rejected", reason=f"internal error: {type(error).__name__}: {error}",
                           detail=traceback.format_exc()), []


def _extract_chunk(items: list[InputFile], max_bytes: int) -> list[tuple[FileOutcome, list[Article]]]:
    return [_extract_one(item, max_bytes) for item in items]


@dataclass
class ExtractResult:
    outcomes: list[FileOutcome] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)  # after merge_duplicates: the published copies
    merged: list[Article] = field(default_factory=list)  # copies merged into another file's article

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "rejected"]

    def every_article(self) -> list[Article]:
        """Published and merged records together, in input order (file order, then index in the file)."""
        position = {o.source: i for i, o in enumerate(self.outcomes)}
        return sorted([*self.articles, *self.merged], key=lambda a: (position.get(a.source, len(position)), a.index))


def extract_all(paths: Iterable[str], settings: Settings, progress: Callable[[int], None] | None = None,
                cache: dict[str, FileState] | None = None, base: Path | None = None) -> ExtractResult:
    """Extract every input; results keep input order whatever the parallelism.

    With `cache` (the manifest's file states, updated in place), a file whose size and mtime are
    unchanged, or whose bytes hash the same, is not extracted again: its recorded result is used.
    """
    items, problems = discover(paths, base)
    result = ExtractResult(outcomes=list(problems))
    done: dict[int, tuple[FileOutcome, list[Article]]] = {}
    todo: list[tuple[int, InputFile]] = []
    hashes: dict[int, tuple[int, int, str]] = {}
    for position, item in enumerate(items):
        recorded = _recorded(item, cache, settings, hashes, position) if cache is not None else None
        if recorded is None:
            todo.append((position, item))
        else:
            done[position] = pickle.loads(recorded)
    if progress and done:
        progress(len(done))  # recorded results count as done at once
    for (position, item), extracted in zip(todo, _extract_items([i for _, i in todo], settings, progress), strict=True):
        done[position] = extracted
        if cache is not None and position in hashes:
            size, mtime_ns, sha = hashes[position]
            for article in extracted[1]:  # computed once, kept with the cached record
                article.content_hash  # noqa: B018
                article.text_digest  # noqa: B018
                article.units_digest  # noqa: B018
                article.record_digest  # noqa: B018 - as extracted: later stages have not touched it
            cache[item.name] = FileState(size, mtime_ns, sha, pickle.dumps(extracted, protocol=pickle.HIGHEST_PROTOCOL))
    if cache is not None:
        for name in set(cache) - {item.name for item in items}:
            del cache[name]  # a removed input
    for position in range(len(items)):
        outcome, articles = done[position]
        result.outcomes.append(outcome)
        result.articles.extend(articles)
    return result


def _recorded(item: InputFile, cache: dict[str, FileState], settings: Settings,
              hashes: dict[int, tuple[int, int, str]], position: int) -> bytes | memoryview | None:
    """The cached extraction of an unchanged file (same size and mtime, or same bytes), else None.

    A file that must be extracted leaves its size, mtime and hash in `hashes`, for recording.
    """
    state = cache.get(item.name)
    try:
        st = item.path.stat()
    except OSError:
        return None  # extraction reports the problem
    if state is not None and (st.st_size, st.st_mtime_ns) == (state.size, state.mtime_ns):
        return state.extracted
    sha = _sha256(item.path) if st.st_size <= settings.max_input_bytes else f"size:{st.st_size}"
    if state is not None and state.sha256 == sha:  # touched, not changed
        cache[item.name] = FileState(st.st_size, st.st_mtime_ns, sha, state.extracted)
        return state.extracted
    hashes[position] = (st.st_size, st.st_mtime_ns, sha)
    return None


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _extract_items(items: list[InputFile], settings: Settings,
                   progress: Callable[[int], None] | None) -> list[tuple[FileOutcome, list[Article]]]:
    if len(items) >= settings.parallel_threshold and settings.jobs > 1:
        size = max(8, len(items) // (settings.jobs * 8))
        chunks = [items[i: i + size] for i in range(0, len(items), size)]
        out = []
        with ProcessPoolExecutor(settings.jobs) as pool:
            futures = [pool.submit(_extract_chunk, chunk, settings.max_input_bytes) for chunk in chunks]
            for future, chunk in zip(futures, chunks, strict=True):
                out.extend(future.result())
                if progress:
                    progress(len(chunk))
        return out
    out = []
    for item in items:
        out.append(_extract_one(item, settings.max_input_bytes))
        if progress:
            progress(1)
    return out


def write_report(path: Path, result: ExtractResult, extra: dict | None = None) -> None:
    """JSON report accounting for every input file."""
    atomic_write_text(path, json.dumps(report_dict(result, extra), ensure_ascii=False, indent=2) + "\n")


def report_dict(result: ExtractResult, extra: dict | None = None) -> dict:
    outcomes = sorted(result.outcomes, key=lambda o: o.source)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    return {
        "inputs": len(outcomes),
        "articles": len(result.articles),
        "duplicates_merged": len(result.merged),
        "status_counts": dict(sorted(counts.items())),
        "files": [{k: v for k, v in vars(o).items() if v not in (None, [])} for o in outcomes],  # flat: no asdict
        **(extra or {}),
    }
