"""Site stage: seeds/ → extract → translate → render into docs/archive/, then MkDocs builds site/.

`generate_docs` is called by the MkDocs plugin (generator/site/plugin.py) before every build,
so `mkdocs build`, `mkdocs serve` (which also watches seeds/) and `python -m generator build`
all share one code path.
"""

from __future__ import annotations

import gc
import heapq
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from generator.atomic import atomic_write_text, remove_stale_temps
from generator.config import Settings
from generator.pipeline.duplicates import merge_duplicates
from generator.pipeline.extraction import extract_all, report_dict, report_text
from generator.pipeline.manifest import load_manifest, save_manifest
from generator.progress import SentenceProgress
from generator.read.discover import files_below
from generator.render.pages import PagePayload, render_site
from generator.translate.engine import EngineError, translate_articles

# Options of the current run, passed from `python -m generator build/serve` through the environment
# because MkDocs runs the hook in its own process.
ENV_REQUIRE_TRANSLATION = "ARCHIVE_REQUIRE_TRANSLATION"
ENV_PACKAGES_DIR = "ARCHIVE_PACKAGES_DIR"
ENV_WAIT_LOCK = "ARCHIVE_WAIT_LOCK"  # "1": wait for another build of the archive to end (buildlock.py)
# Where a build decodes (TranslationSettings.device, .cluster): `build --device/--cluster`, or set by hand.
ENV_TRANSLATION = {"device": "ARCHIVE_TRANSLATION_DEVICE", "cluster": "ARCHIVE_TRANSLATION_CLUSTER"}
ENV_ALLOW_LINKS_OUTSIDE = "ARCHIVE_ALLOW_LINKS_OUTSIDE"  # "1": accept seeds/ links leading outside the archive


class BuildError(Exception):
    """The build must stop; the message is one line for the user."""


@dataclass
class GenerateSummary:
    articles: int
    rejected: int
    written: int
    removed: int
    pending: int


def settings_from_env(settings: Settings) -> Settings:
    if os.environ.get(ENV_PACKAGES_DIR):
        settings = replace(settings, packages_dir=Path(os.environ[ENV_PACKAGES_DIR]))
    placement = {name: os.environ[variable] for name, variable in ENV_TRANSLATION.items() if os.environ.get(variable)}
    if placement:
        settings = replace(settings, translation=replace(settings.translation, **placement))
    if os.environ.get(ENV_ALLOW_LINKS_OUTSIDE) == "1":
        settings = replace(settings, allow_links_outside=True)
    return settings


_last_fingerprint: tuple | None = None
_payloads: dict[str, Callable[[], PagePayload]] = {}
_fronts: dict[str, Callable[[], dict]] = {}  # article pages only
_fingerprints: dict[str, str] = {}  # page -> hash of everything its payload is made from
_orders: dict[str, tuple[str, str, str]] = {}  # article page -> (date, time, id): the "latest" order
_last_payload: tuple[str, PagePayload] | None = None  # MkDocs asks three times per page, in a row
_generation = 0  # counts the generations of this process: what is derived from the pages may be kept until it changes


def is_generated(src_uri: str) -> bool:
    return src_uri in _payloads


def generation() -> int:
    """Which `generate_docs` made the current pages (the same number: the same pages)."""
    return _generation


def generated_sources() -> list[str]:
    """Every generated page (docs-relative sources, both languages), as the last `generate_docs` made them."""
    return sorted(_payloads)


def is_article_page(src_uri: str) -> bool:
    """A generated article page (either language), without making its front matter."""
    return src_uri in _fronts


def page_payload(src_uri: str) -> PagePayload | None:
    """The generated page at docs-relative `src_uri`, as the last `generate_docs` in this process made it."""
    global _last_payload
    if _last_payload is not None and _last_payload[0] == src_uri:
        return _last_payload[1]
    make = _payloads.get(src_uri)
    if make is None:
        return None
    _last_payload = (src_uri, make())
    return _last_payload[1]


def page_fingerprint(src_uri: str) -> str | None:
    """Hash of everything the generated page at `src_uri` is made from (its payload's inputs)."""
    return _fingerprints.get(src_uri)


def page_front(src_uri: str) -> dict | None:
    """The front matter of the generated article page at `src_uri` (None for other pages)."""
    make = _fronts.get(src_uri)
    return make() if make is not None else None


def article_metas(latest: int | None = None) -> list[dict]:
    """Front matter of every generated article page (both languages), for feeds; with `latest`,
    only of the `latest` newest dated pages of each language (what a feed lists: making the front
    matter of every article, translation included, took 4 s of a 4,000-article rebuild)."""
    if latest is None:
        return [make() for _, make in sorted(_fronts.items())]
    chosen: list[str] = []
    for english in (False, True):
        dated = [src for src, order in _orders.items() if order[0] and src.endswith(".en.md") == english]
        chosen += heapq.nlargest(latest, dated, key=_orders.__getitem__)
    return [_fronts[src]() for src in sorted(chosen)]


def forget_last_generation() -> None:
    """Make the next `generate_docs` in this process work from the manifest, as a new process would
    (it otherwise returns None at once when no input changed since its last call)."""
    global _last_fingerprint
    _last_fingerprint = None


def _file_stats(folder: Path) -> list[tuple[str, int, int]]:
    """(path, size, mtime) of every file under `folder`, sorted; a path that is not read (a FIFO,
    a broken link, a folder that cannot be listed) with size and mtime -1, so that its coming or
    going regenerates the report too."""
    files, unread = files_below(str(folder))
    stats = []
    for _, entry in files:
        try:
            st = entry.stat()
        except OSError:  # gone since the folder was listed
            continue
        stats.append((entry.path, st.st_size, st.st_mtime_ns))
    stats.extend((os.path.join(folder, odd.rel), -1, -1) for odd in unread)
    return sorted(stats)


def _fingerprint(settings: Settings) -> tuple:
    """Cheap identity of every input of the generated pages (file stats, not contents)."""
    return (_file_stats(settings.seeds_dir), _file_stats(settings.translations_dir), str(settings.packages_dir),
            (settings.docs_dir / "archive").is_dir())


def _counter(bar: SentenceProgress, total: int) -> Callable[[int], None]:
    """Adapts `advance(n)` callbacks to a (done, total) bar."""
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        bar(done, max(total, done))
    return advance


def _memory_size(settings: Settings) -> int:
    folder = settings.translations_dir / "memory"
    return sum(p.stat().st_size for p in folder.rglob("*.jsonl")) if folder.is_dir() else 0


def generate_docs(settings: Settings, require_translation: bool = False) -> GenerateSummary | None:
    """Regenerate docs/archive/ from the seeds and write the build report.

    MkDocs (with the i18n plugin) starts one build per language in the same process; the second
    finds nothing changed and returns None at once.
    """
    # The manifest and the records are millions of small objects made and dropped in bulk, without
    # reference cycles to speak of: the cyclic collector scanning them again and again cost ~1 s
    # of an incremental run at 5,000 articles.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(settings, require_translation)
    finally:
        if enabled:
            gc.enable()


def _generate(settings: Settings, require_translation: bool) -> GenerateSummary | None:
    global _last_fingerprint
    fingerprint = _fingerprint(settings)
    if fingerprint == _last_fingerprint and _payloads:
        return None
    remove_stale_temps(settings.translations_dir / "memory")  # a killed compaction's leftover (committed folder)
    manifest = load_manifest(settings.manifest_path)
    memory_size = _memory_size(settings)
    if memory_size < manifest.memory_size:  # the memory was replaced or cut: finished translations may be gone
        manifest.translations.clear()
    manifest.memory_size = memory_size
    files = SentenceProgress("extracting", "files")
    try:
        extracted = extract_all([str(settings.seeds_dir)], settings, cache=manifest.files, base=settings.root,
                                progress=_counter(files, len(fingerprint[0])),  # the seed files, just listed
                                stats={path: (size, mtime_ns) for path, size, mtime_ns in fingerprint[0]
                                       if size >= 0})
    finally:
        files.close()
    result = merge_duplicates(extracted, cache=manifest.duplicates)
    for outcome in result.failed:
        print(f"error: {outcome.source}: {outcome.reason}", file=sys.stderr)
    bar = SentenceProgress("translating", "sentences")
    try:
        stats = translate_articles(result.articles, settings, progress=bar, cache=manifest.translations)
    except EngineError as error:
        raise BuildError(str(error)) from error
    finally:
        bar.close()
    if require_translation and stats.pending:
        raise BuildError(f"{stats.pending} sentences have no translation and no model is installed "
                         "(run: argospm install translate-ar_en)")
    pages = SentenceProgress("rendering", "pages")
    try:
        rendered = render_site(result.articles, settings.docs_dir, previous=manifest.pages,
                               text_cache=manifest.by_text, progress=pages, line_cache=manifest.lines,
                               template_cache=settings.template_cache_dir)
    finally:
        pages.close()
    global _last_payload, _generation
    _last_payload = None
    _generation += 1
    _payloads.clear()
    _payloads.update(rendered.payloads)
    _fronts.clear()
    _fronts.update(rendered.fronts)
    _orders.clear()
    _orders.update(rendered.orders)
    manifest.pages = rendered.pages
    _fingerprints.clear()
    _fingerprints.update((key, state[0]) for key, state in rendered.pages.items())
    live = {a.content_hash for a in result.articles}
    manifest.by_text = {k: v for k, v in manifest.by_text.items() if k in live}
    save_manifest(settings.manifest_path, manifest)
    report = report_dict(result, {"translation": stats.as_report(),
                                  "pages": {"written": len(rendered.written), "unchanged": rendered.unchanged,
                                            "removed": len(rendered.removed)}})
    atomic_write_text(settings.report_path, report_text(report))
    print(f"archive: {len(result.articles)} articles from {len(result.outcomes) - len(result.failed)} files "
          f"({len(result.failed)} rejected); translation: {stats.translated} translated, {stats.cache_hits} "
          f"from memory, {stats.pending} pending; pages: {len(rendered.written)} written, "
          f"{len(rendered.removed)} removed", file=sys.stderr)
    # Seeds as they were before reading (a seed changed meanwhile is seen next time); translations
    # as this run left them (it writes the memory itself).
    # As things are now: the memory may have grown, and docs/archive/ exists (the next language's
    # build must find nothing changed, not generate again).
    _last_fingerprint = (fingerprint[0], _file_stats(settings.translations_dir), fingerprint[2],
                         (settings.docs_dir / "archive").is_dir())
    return GenerateSummary(len(result.articles), len(result.failed), len(rendered.written),
                           len(rendered.removed), stats.pending)
