"""Runs the stages over many inputs: discovery, (parallel) extraction, and the build report."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import pickle
import stat
import struct
import traceback
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import SupportsIndex

from .atomic import atomic_write_text
from .checks import summary
from .config import DEFAULT, Settings
from .corrections import Correction, Corrections, apply_correction
from .extract import extract_file
from .filenames import printable_name
from .forked import die_with
from .manifest import FileState
from .model import Article, FileOutcome


@dataclass(frozen=True)
class InputFile:
    where: str  # the file's path, to open it
    name: str  # the path as the user gave it (or under the directory they gave), printable (filenames.py)
    key: bytes  # the same path as the file system holds it: what the build manifest keys the file by

    @cached_property  # only for the files extracted: 5,000 Paths a run were a visible cost
    def path(self) -> Path:
        return Path(self.where)


@dataclass(frozen=True)
class Unread:
    """A path found below a folder that is not read as an input, and why (for the report)."""

    rel: str  # relative POSIX path, as the file system names it ("" for the folder itself)
    status: str  # "rejected" or "skipped"
    reason: str


_KINDS = ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
          (stat.S_ISBLK, "block device"))


def _not_regular(mode: int) -> str:
    return next((f"not a regular file ({kind})" for test, kind in _KINDS if test(mode)), "not a regular file")


def _link_problem(error: OSError) -> str:
    """Why a symbolic link cannot be followed."""
    if error.errno == errno.ELOOP:
        return "symlink loop"
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return "dangling symlink (its target does not exist)"
    return f"cannot read: {error.strerror or error}"


def _inside(path: str, boundaries: tuple[str, ...]) -> bool:
    real = os.path.realpath(path)
    return any(real == folder or real.startswith(folder.rstrip(os.sep) + os.sep) for folder in boundaries)


def files_below(folder: str, boundaries: tuple[str, ...] | None = None
                ) -> tuple[list[tuple[str, os.DirEntry[str]]], list[Unread]]:
    """Every regular file below `folder`, as (relative POSIX path, its os.scandir entry), unsorted,
    and every other path found there with the reason it is not read: what os.walk (not following
    links to folders) and os.path.isfile find, without a stat per file. Input discovery and the
    build's input fingerprint (generator/site.py) both walk with it.

    A symbolic link is followed to a regular file only; one whose target lies outside every folder
    of `boundaries` (resolved paths; None: anywhere) is refused, so that an archive never publishes
    a file from elsewhere on the machine that a link points to."""
    found: list[tuple[str, os.DirEntry[str]]] = []
    unread: list[Unread] = []

    def walk(current: str, rel: str) -> None:
        try:
            entries = list(os.scandir(current))
        except OSError as error:
            unread.append(Unread(rel.rstrip("/"), "rejected", f"cannot list folder: {error.strerror or error}"))
            return
        for entry in entries:
            name = rel + entry.name
            try:
                if entry.is_symlink():
                    _link(entry, name)
                elif entry.is_dir(follow_symlinks=False):
                    walk(entry.path, name + "/")
                elif entry.is_file(follow_symlinks=False):
                    found.append((name, entry))
                else:
                    unread.append(Unread(name, "rejected", _not_regular(entry.stat(follow_symlinks=False).st_mode)))
            except OSError as error:  # gone since the folder was listed, or unreadable
                unread.append(Unread(name, "rejected", f"cannot read: {error.strerror or error}"))

    def _link(entry: os.DirEntry[str], name: str) -> None:
        try:
            mode = entry.stat().st_mode  # follows the link
        except OSError as error:
            unread.append(Unread(name, "rejected", _link_problem(error)))
            return
        if boundaries is not None and not _inside(entry.path, boundaries):
            unread.append(Unread(name, "rejected", "symlink to a path outside the archive (refused)"))
        elif stat.S_ISDIR(mode):
            unread.append(Unread(name, "skipped", "symlink to a folder (not followed)"))
        elif stat.S_ISREG(mode):
            found.append((name, entry))
        else:
            unread.append(Unread(name, "rejected", _not_regular(mode)))

    walk(folder, "")
    return found, unread


def _files_under(folder: str) -> list[str]:
    """The relative paths of `files_below`, sorted as Path(p).parts (without 5,000 Paths)."""
    return sorted((rel for rel, _ in files_below(folder)[0]), key=lambda p: p.split("/"))


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))


def discover(paths: Iterable[str], base: Path | None = None, allow_links_outside: bool = False,
             archive: Path | None = None) -> tuple[list[InputFile], list[FileOutcome]]:
    """Files named, and every file under directories named (recursively, sorted); every other path
    found, with the reason it is not read.

    Files are named as given, or relative to `base` (the archive root) when given, so that a
    record's `source` ("seeds/x.txt") is the same on every machine and in every checkout. A link
    below a folder named must lead inside that folder or the archive root (`archive`, else `base`)
    unless `allow_links_outside`; a file named itself is read wherever it is.
    """
    found: list[InputFile] = []
    problems: list[FileOutcome] = []
    for given in paths:
        path = Path(given)
        shown = Path(os.path.relpath(path, base)) if base is not None and path.resolve().is_relative_to(
            base.resolve()) else Path(given)
        try:
            mode = os.stat(given).st_mode
        except OSError as error:
            if error.errno == errno.ENOENT and not os.path.islink(given):
                reason = "no such file or directory"
            else:
                reason = _link_problem(error) if os.path.islink(given) else f"cannot read: {error.strerror or error}"
            problems.append(FileOutcome(printable_name(given), "rejected", reason=reason))
            continue
        if stat.S_ISDIR(mode):
            prefix = shown.as_posix().rstrip("/") + "/" if shown.as_posix() != "." else ""
            # The folder named, and the archive holding it (seeds/ may itself be a link to elsewhere).
            root = archive if archive is not None else base
            boundaries = None if allow_links_outside else tuple(
                os.path.realpath(p) for p in (given, *([root] if root is not None else [])))
            files, unread = files_below(given, boundaries)
            for rel in sorted((rel for rel, _ in files), key=lambda p: p.split("/")):
                # Strings joined, one Path each: `path / rel` twice per file was a visible cost at 5,000 files.
                real = prefix + rel
                if _hidden(rel):
                    problems.append(FileOutcome(printable_name(real), "skipped", reason="hidden file"))
                else:
                    found.append(InputFile(os.path.join(given, rel), printable_name(real), os.fsencode(real)))
            for odd in sorted(unread, key=lambda u: u.rel.split("/")):  # listing order varies: sorted
                real = prefix + odd.rel if odd.rel else shown.as_posix()
                hidden = _hidden(odd.rel) if odd.rel else False
                problems.append(FileOutcome(printable_name(real), "skipped" if hidden else odd.status,
                                            reason="hidden file" if hidden else odd.reason))
        elif stat.S_ISREG(mode):
            found.append(InputFile(given, printable_name(given), os.fsencode(given)))
        else:
            problems.append(FileOutcome(printable_name(given), "rejected", reason=_not_regular(mode)))
    return found, problems


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


def _extract_chunk(jobs: list[_Job], max_bytes: int, record: bool) -> list[_Extracted]:
    return [_extract_one(item, max_bytes, record, hash_size, correction) for item, hash_size, correction in jobs]


@dataclass
class ExtractResult:
    outcomes: list[FileOutcome] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)  # after merge_duplicates: the published copies
    merged: list[Article] = field(default_factory=list)  # copies merged into another file's article
    correction_errors: list[str] = field(default_factory=list)  # sidecars in corrections/ that cannot be read

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "rejected"]

    def every_article(self) -> list[Article]:
        """Published and merged records together, in input order (file order, then index in the file)."""
        position = {o.source: i for i, o in enumerate(self.outcomes)}
        return sorted([*self.articles, *self.merged], key=lambda a: (position.get(a.source, len(position)), a.index))


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
    if len(jobs) >= settings.parallel_threshold and settings.jobs > 1:
        size = max(8, len(jobs) // (settings.jobs * 8))
        chunks = [jobs[i: i + size] for i in range(0, len(jobs), size)]
        out = []
        # Each worker dies with this process (forked.die_with): a build killed mid-extraction
        # otherwise left them blocked for ever, each holding open the pipes the others wait on.
        with ProcessPoolExecutor(settings.jobs, initializer=die_with, initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(_extract_chunk, chunk, settings.max_input_bytes, record) for chunk in chunks]
            for future, chunk in zip(futures, chunks, strict=True):
                out.extend(future.result())
                if progress:
                    progress(len(chunk))
        return out
    out = []
    for item, hash_size, correction in jobs:
        out.append(_extract_one(item, settings.max_input_bytes, record, hash_size, correction))
        if progress:
            progress(1)
    return out


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
