"""Runs the stages over many inputs: discovery, (parallel) extraction, and the build report."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .atomic import atomic_write_text
from .config import Settings
from .extract import extract_file, printable_name
from .model import Article, FileOutcome


@dataclass(frozen=True)
class InputFile:
    path: Path
    name: str  # the path as the user gave it (or under the directory they gave)


def discover(paths: Iterable[str]) -> tuple[list[InputFile], list[FileOutcome]]:
    """Files named, and every file under directories named (recursively, sorted)."""
    found: list[InputFile] = []
    problems: list[FileOutcome] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                rel = child.relative_to(path)
                name = printable_name(str(Path(given) / rel))
                if any(part.startswith(".") for part in rel.parts):
                    problems.append(FileOutcome(name, "skipped", reason="hidden file"))
                else:
                    found.append(InputFile(child, name))
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


def extract_all(paths: Iterable[str], settings: Settings,
                progress: Callable[[int], None] | None = None) -> ExtractResult:
    """Extract every input; results keep input order whatever the parallelism."""
    items, problems = discover(paths)
    result = ExtractResult(outcomes=list(problems))
    if len(items) >= settings.parallel_threshold and settings.jobs > 1:
        size = max(8, len(items) // (settings.jobs * 8))
        chunks = [items[i: i + size] for i in range(0, len(items), size)]
        with ProcessPoolExecutor(settings.jobs) as pool:
            futures = [pool.submit(_extract_chunk, chunk, settings.max_input_bytes) for chunk in chunks]
            batches = []
            for future, chunk in zip(futures, chunks, strict=True):
                batches.append(future.result())
                if progress:
                    progress(len(chunk))
    else:
        batches = []
        for item in items:
            batches.append([_extract_one(item, settings.max_input_bytes)])
            if progress:
                progress(1)
    for batch in batches:
        for outcome, articles in batch:
            result.outcomes.append(outcome)
            result.articles.extend(articles)
    return result


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
        "files": [{k: v for k, v in asdict(o).items() if v not in (None, [])} for o in outcomes],
        **(extra or {}),
    }
