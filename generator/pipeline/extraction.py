"""Runs extraction over many inputs (in worker processes), reuses the cache, and writes the build report."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import struct
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import SupportsIndex

from generator.atomic import atomic_write_text
from generator.config import DEFAULT, Settings
from generator.extract import extract_articles
from generator.extract.checks import summary
from generator.extract.corrections import Correction, Corrections, apply_correction
from generator.model import Article, ExtractResult, FileOutcome
from generator.pipeline.manifest import FileState
from generator.read.discover import InputFile, discover
from generator.read.source import UnreadableInput, read_source
from generator.workers import map_split


def extract_file(path: Path, source_name: str, max_bytes: int) -> tuple[FileOutcome, list[Article]]:
    """Read and extract one file; bad input becomes a rejected outcome, never an exception.

    `source_name` is the name as shown and reported (generator/text/filenames.py), already printable."""
    try:
        source = read_source(path, max_bytes=max_bytes)
    except UnreadableInput as error:
        return FileOutcome(source_name, "rejected", reason=str(error)), []
    articles = extract_articles(source, source_name)
    if not articles or not any(a.paragraphs for a in articles):
        return FileOutcome(source_name, "rejected", reason="no article text found",
                           encoding=source.encoding, warnings=source.warnings), []
    return FileOutcome(source_name, "ok", encoding=source.encoding, articles=len(articles),
                       warnings=source.warnings), articles


# What extraction gives for one input: its outcome, its articles, and (when asked for the
# manifest) the file's content id (`_content_id`).
_Extracted = tuple[FileOutcome, list[Article], str | None]


def _extract_one(item: InputFile, max_bytes: int, record: bool = False, hash_size: int | None = None,
                 correction: Correction | None = None) -> _Extracted:
    """Extract one input and apply its human correction. With `record`, also compute the digests the
    manifest keeps with each article, and with `hash_size` (the file's size as the parent saw it) its
    content id: here, in the worker process, rather than one after another in the parent."""
    try:
        outcome, articles = extract_file(item.path, item.name, max_bytes)
        if correction is not None and articles:
            with item.path.open("rb") as stream:
                sha = hashlib.file_digest(stream, "sha256").hexdigest()
            outcome.correction = apply_correction(articles, correction, sha)
    except Exception as error:  # a bug must not sink the batch: report it against the file
        return FileOutcome(item.name, "rejected", reason=f"internal error: {type(error).__name__}: {error}",
                           detail=traceback.format_exc()), [], None
    if record:
        for article in articles:  # cached properties: pickled back with the record
            article.content_hash  # noqa: B018
            article.text_digest  # noqa: B018
            article.units_digest  # noqa: B018
            article.record_digest  # noqa: B018 - as extracted: later stages have not touched it
    content_id = None
    if hash_size is not None:
        with contextlib.suppress(OSError):  # gone or unreadable since: the parent records it by its size
            content_id = _content_id(item.path, hash_size, max_bytes)
    return outcome, articles, content_id


# One file to extract: the input, the size to hash it at (None: the parent knows its hash), its correction.
_Job = tuple[InputFile, int | None, Correction | None]





def extract_all(paths: Iterable[str], settings: Settings, progress: Callable[[int], None] | None = None,
                cache: dict[bytes, FileState] | None = None, base: Path | None = None,
                stats: Mapping[str, tuple[int, int]] | None = None, archive: Path | None = None) -> ExtractResult:
    """Extract every input; results keep input order whatever the parallelism.

    With `cache` (the manifest's file states, updated in place), a file whose size and mtime are
    unchanged, or whose bytes hash the same, is not extracted again: its recorded result is used.
    `stats` maps paths the caller has just looked at to their (size, mtime_ns), so that they are
    not looked at again (taken before reading, as here: a file changed since is seen next time).
    `archive` is the archive root that links below the folders given may lead into (default `base`).
    """
    items, problems = discover(paths, base, settings.allow_links_outside, archive)
    result = ExtractResult(outcomes=list(problems))
    corrections = Corrections(settings.corrections_dir)
    result.correction_errors = corrections.errors
    fixes = {i: corrections.for_source(_archive_name(item, settings.root)) for i, item in enumerate(items)} \
        if len(corrections) else {}
    done: dict[int, tuple[FileOutcome, list[Article]]] = {}
    todo: list[tuple[int, InputFile]] = []
    stamps: dict[int, tuple[int, int, str | None]] = {}  # size, mtime and (if known yet) hash of a file to record
    for position, item in enumerate(items):
        fix = fixes.get(position)
        recorded = _recorded(item, cache, settings, stamps, position, stats, fix.digest if fix else "") \
            if cache is not None else None
        if recorded is None:
            todo.append((position, item))
        else:
            done[position] = _unrecord(recorded)
    if progress and done:
        progress(len(done))  # recorded results count as done at once
    jobs: list[_Job] = []
    for position, item in todo:
        stamp = stamps.get(position)  # a new file's hash is left to its extraction worker (at the size seen here)
        jobs.append((item, stamp[0] if stamp is not None and stamp[2] is None else None, fixes.get(position)))
    extracted_items = _extract_items(jobs, settings, progress, record=cache is not None)
    for (position, item), (outcome, articles, content_id) in zip(todo, extracted_items, strict=True):
        done[position] = (outcome, articles)
        if cache is not None and position in stamps:
            size, mtime_ns, known = stamps[position]
            sha = known or content_id or f"size:{size}"
            fix = fixes.get(position)
            cache[item.key] = FileState(size, mtime_ns, sha, _record((outcome, articles)), fix.digest if fix else "")
    if cache is not None:
        for key in set(cache) - {item.key for item in items}:
            del cache[key]  # a removed input
    for position in range(len(items)):
        outcome, articles = done[position]
        result.outcomes.append(outcome)
        result.articles.extend(articles)
    return result


# A recorded extraction, as the manifest keeps it: the length of part one, then part one, the
# pickled (FileOutcome, [each article's attributes but its paragraphs]), then part two, the pickled
# [each article's paragraphs]. Paragraphs are nine tenths of the bytes and an incremental build
# reads those of the few articles it renders or compares: decoding all of them was a sixth of such
# a run at 5,000 articles.
_PART_ONE = struct.Struct("<Q")


def _record(extracted: tuple[FileOutcome, list[Article]]) -> bytes:
    outcome, articles = extracted
    states = [{k: v for k, v in vars(article).items() if k != "paragraphs"} for article in articles]
    one = pickle.dumps((outcome, states), protocol=pickle.HIGHEST_PROTOCOL)
    two = pickle.dumps([article.paragraphs for article in articles], protocol=pickle.HIGHEST_PROTOCOL)
    return _PART_ONE.pack(len(one)) + one + two


def _unrecord(blob: bytes | memoryview) -> tuple[FileOutcome, list[Article]]:
    view = memoryview(blob)
    end = _PART_ONE.size + _PART_ONE.unpack_from(view)[0]
    outcome, states = pickle.loads(view[_PART_ONE.size: end])
    paragraphs = view[end:]
    articles: list[Article] = []
    for number, state in enumerate(states):
        article = _RecordedArticle.__new__(_RecordedArticle)
        state["_paragraphs"] = (paragraphs, number)
        article.__dict__ = state
        articles.append(article)
    return outcome, articles


class _RecordedArticle(Article):
    """An Article from the build manifest whose paragraphs are unpickled when first read (see
    `_record`). Reads, compares and pickles as the Article it is."""

    @property  # type: ignore[override]  # a data descriptor: wins over the dataclass field
    def paragraphs(self) -> list[str]:
        state = self.__dict__
        if "_paragraphs" in state:
            blob, number = state.pop("_paragraphs")
            state["paragraphs"] = pickle.loads(blob)[number]
        return state["paragraphs"]

    @paragraphs.setter
    def paragraphs(self, value: list[str]) -> None:
        self.__dict__.pop("_paragraphs", None)
        self.__dict__["paragraphs"] = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Article):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(Article))

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple:
        self.paragraphs  # noqa: B018 - read in, so that the state holds them
        return _plain_article, ({k: v for k, v in self.__dict__.items()},)


def _plain_article(state: dict) -> Article:
    """A pickled _RecordedArticle comes back as a plain Article."""
    article = Article.__new__(Article)
    article.__dict__.update(state)
    return article


def _archive_name(item: InputFile, root: Path) -> str:
    """The input's path relative to the archive root ("seeds/x.txt"): what corrections are named by."""
    where = os.path.abspath(item.where)
    base = os.path.abspath(root)
    return os.path.relpath(where, base).replace(os.sep, "/") if where.startswith(base + os.sep) else item.name


def _recorded(item: InputFile, cache: dict[bytes, FileState], settings: Settings,
              stamps: dict[int, tuple[int, int, str | None]], position: int,
              stats: Mapping[str, tuple[int, int]] | None, corrections: str = "") -> bytes | memoryview | None:
    """The cached extraction of an unchanged file (same size and mtime, or same bytes) with the same
    correction, else None.

    A file that must be extracted leaves its size, mtime and hash in `stamps`, for recording; the
    hash of a file the cache does not know is left to the extraction worker (None here)."""
    state = cache.get(item.key)
    if state is not None and state.corrections != corrections:
        state = None  # a correction added, changed or removed: extract and correct again
    known = stats.get(item.where) if stats is not None else None
    if known is None:
        try:
            st = os.stat(item.where)
        except OSError:
            return None  # extraction reports the problem
        known = (st.st_size, st.st_mtime_ns)
    size, mtime_ns = known
    if state is None:
        stamps[position] = (size, mtime_ns, None)
        return None
    if (size, mtime_ns) == (state.size, state.mtime_ns):
        return state.extracted
    sha = _content_id(item.path, size, settings.max_input_bytes)
    if state.sha256 == sha:  # touched, not changed
        cache[item.key] = FileState(size, mtime_ns, sha, state.extracted, corrections)
        return state.extracted
    stamps[position] = (size, mtime_ns, sha)
    return None


def _content_id(path: Path, size: int, max_bytes: int) -> str:
    """What the manifest compares to tell a touched file from a changed one: the SHA-256 of its bytes,
    or only its size when it is too large to be read (extraction refuses it anyway)."""
    if size > max_bytes:
        return f"size:{size}"
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _extract_items(jobs: list[_Job], settings: Settings,
                   progress: Callable[[int], None] | None, record: bool = False) -> list[_Extracted]:
    """Extract each job's input (with the size to hash it at, or None), in worker processes when
    there are many; results in input order."""
    def one(job: _Job) -> _Extracted:
        item, hash_size, correction = job
        return _extract_one(item, settings.max_input_bytes, record, hash_size, correction)

    # Forked workers (workers.map_split) die with this process: a build killed mid-extraction
    # leaves none behind.
    return map_split(one, jobs, min_items=settings.parallel_threshold, workers=settings.jobs, progress=progress)


def write_report(path: Path, result: ExtractResult, extra: dict | None = None) -> None:
    """JSON report accounting for every input file."""
    atomic_write_text(path, report_text(report_dict(result, extra)))


def report_text(report: dict) -> str:
    """The report file's text: indented, non-ASCII letters as themselves."""
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def report_dict(result: ExtractResult, extra: dict | None = None, threshold: float = DEFAULT.review_threshold) -> dict:
    outcomes = sorted(result.outcomes, key=lambda o: o.source)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    review = summary(result.articles, outcomes, threshold)
    if result.correction_errors:
        review["unreadable_corrections"] = result.correction_errors
    return {
        "inputs": len(outcomes),
        "articles": len(result.articles),
        "duplicates_merged": len(result.merged),
        "status_counts": dict(sorted(counts.items())),
        "review": review,  # what `python -m generator check` lists, counted
        "files": [{k: v for k, v in vars(o).items() if v not in (None, [])} for o in outcomes],  # flat: no asdict
        **(extra or {}),
    }
