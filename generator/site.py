"""Site stage: seeds/ → extract → translate → render into docs/archive/, then MkDocs builds site/.

`generate_docs` is called by the MkDocs hook (generator/mkdocs_hooks.py) before every build,
so `mkdocs build`, `mkdocs serve` (which also watches seeds/) and `python -m generator build`
all share one code path.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from .atomic import atomic_write_text
from .config import Settings
from .duplicates import merge_duplicates
from .pipeline import extract_all, report_dict
from .progress import SentenceProgress
from .render import PagePayload, render_site
from .translate import translate_articles

# Options of the current run, passed from `python -m generator build/serve` through the environment
# because MkDocs runs the hook in its own process.
ENV_REQUIRE_TRANSLATION = "ARCHIVE_REQUIRE_TRANSLATION"
ENV_PACKAGES_DIR = "ARCHIVE_PACKAGES_DIR"


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
    return settings


_last_fingerprint: tuple | None = None
_payloads: dict[str, PagePayload] = {}


def page_payload(src_uri: str) -> PagePayload | None:
    """The generated page at docs-relative `src_uri`, as the last `generate_docs` in this process made it."""
    return _payloads.get(src_uri)


def article_metas() -> list[dict]:
    """Front matter of every generated article page (both languages), for feeds."""
    return [payload.meta for _, payload in sorted(_payloads.items())]


def _fingerprint(settings: Settings) -> tuple:
    """Cheap identity of every input of the generated pages (file stats, not contents)."""
    def stats(root: Path) -> tuple:
        if not root.is_dir():
            return ()
        return tuple((str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns)
                     for p in sorted(root.rglob("*")) if p.is_file())
    return (stats(settings.seeds_dir), stats(settings.translations_dir), str(settings.packages_dir),
            (settings.docs_dir / "archive").is_dir())


def generate_docs(settings: Settings, require_translation: bool = False) -> GenerateSummary | None:
    """Regenerate docs/archive/ from the seeds and write the build report.

    MkDocs (with the i18n plugin) starts one build per language in the same process; the second
    finds nothing changed and returns None at once.
    """
    global _last_fingerprint
    fingerprint = _fingerprint(settings)
    if fingerprint == _last_fingerprint and _payloads:
        return None
    result = merge_duplicates(extract_all([str(settings.seeds_dir)], settings))  # one page per article
    for outcome in result.failed:
        print(f"error: {outcome.source}: {outcome.reason}", file=sys.stderr)
    bar = SentenceProgress("translating", "sentences")
    try:
        stats = translate_articles(result.articles, settings, progress=bar)
    finally:
        bar.close()
    if require_translation and stats.pending:
        raise BuildError(f"{stats.pending} sentences have no translation and no model is installed "
                         "(run: argospm install translate-ar_en)")
    rendered = render_site(result.articles, settings.docs_dir)
    _payloads.clear()
    _payloads.update(rendered.payloads)
    report = report_dict(result, {"translation": stats.as_report(),
                                  "pages": {"written": len(rendered.written), "unchanged": rendered.unchanged,
                                            "removed": len(rendered.removed)}})
    atomic_write_text(settings.report_path, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"archive: {len(result.articles)} articles from {len(result.outcomes) - len(result.failed)} files "
          f"({len(result.failed)} rejected); translation: {stats.translated} translated, {stats.cache_hits} "
          f"from memory, {stats.pending} pending; pages: {len(rendered.written)} written, "
          f"{len(rendered.removed)} removed", file=sys.stderr)
    _last_fingerprint = _fingerprint(settings)
    return GenerateSummary(len(result.articles), len(result.failed), len(rendered.written),
                           len(rendered.removed), stats.pending)
