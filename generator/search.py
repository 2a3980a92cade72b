"""Search index: Pagefind over the built site (one bundle per language, Arabic stemming included).

Material's built-in search fails Arabic readers (no كرملين → الكرملين, no اسرائيل → إسرائيل) and
rebuilds its whole index in the browser on every visit; Pagefind ships an Arabic stemmer, runs
offline, and fetches only the index chunks a query needs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .atomic import atomic_write_text
from .forked import lower_priority

ENTRY_FILE = "pagefind-entry.json"
# Only article pages carry data-pagefind-body; the glob (relative to a language's root) spares
# Pagefind parsing every index page, and keeps the English pages out of the Arabic index.
ARTICLE_PAGES = "archive/articles/**/*.html"


class SearchIndexError(Exception):
    """Pagefind failed; the message is its last output line."""


@dataclass
class SearchIndexJob:
    """Pagefind indexing one language's pages, in the background."""

    language_root: Path
    process: subprocess.Popen[str]


def start_search_index(language_root: Path, background: bool = False) -> SearchIndexJob:
    """Start indexing the article pages under `language_root` (the site, or its /en/) into its pagefind/;
    `background`: at lower priority than the build (forked.lower_priority).

    One bundle per language: each language's search page loads only its own index, and the first
    language is indexed while MkDocs builds the next one."""
    process = subprocess.Popen([sys.executable, "-m", "pagefind", "--site", str(language_root),
                                "--glob", ARTICLE_PAGES, "--silent"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               # (not while serving: preexec_fn is unsafe in a process with threads;
                               # nor on Windows, which has no preexec_fn and no nice)
                               preexec_fn=lower_priority if background and hasattr(os, "nice") else None)
    return SearchIndexJob(language_root, process)


def finish_search_index(job: SearchIndexJob) -> None:
    """Wait for the job; raise SearchIndexError if Pagefind failed."""
    stdout, stderr = job.process.communicate()
    if job.process.returncode != 0:
        lines = (stderr or stdout).strip().splitlines()
        raise SearchIndexError(lines[-1] if lines else f"pagefind exited with {job.process.returncode}")
    canonicalise_entry(job.language_root / "pagefind" / ENTRY_FILE)


def stop_search_index(job: SearchIndexJob) -> None:
    if job.process.poll() is None:
        job.process.kill()
    job.process.communicate()


def canonicalise_entry(path: Path) -> None:
    """Sort the languages in Pagefind's entry file, which it writes in hash-map order (it varies
    from run to run: measured with Pagefind 1.5.2, the only file that did). The same site then
    gives the same bytes, and pagefind.js's fallback for a page language it has no index for
    (the language with most pages, ties in file order) always picks the same index."""
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    entry = json.loads(text)
    if isinstance(entry.get("languages"), dict):
        entry["languages"] = dict(sorted(entry["languages"].items()))
    canonical = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))  # Pagefind's own format
    if canonical != text:
        atomic_write_text(path, canonical, durable=False)
