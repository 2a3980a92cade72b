"""Search index: Pagefind over the built site (one bundle per language, Arabic stemming included).

Material's built-in search fails Arabic readers (no كرملين → الكرملين, no اسرائيل → إسرائيل) and
rebuilds its whole index in the browser on every visit; Pagefind ships an Arabic stemmer, runs
offline, and fetches only the index chunks a query needs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.atomic import atomic_write_text
from generator.config import ARTICLES_FOLDER as ARTICLES
from generator.internals import PAGEFIND_ENTRY, pagefind_listed

BUNDLE = "pagefind"  # Pagefind's output folder, in each language's root
ENTRY_FILE = PAGEFIND_ENTRY
log = logging.getLogger("mkdocs.plugins.archive")
# Only article pages carry data-pagefind-body; the glob (relative to a language's root) spares
# Pagefind parsing every index page, and keeps the English pages out of the Arabic index.
ARTICLES_FOLDER = str(ARTICLES)  # the article pages, relative to a language's site folder
ARTICLE_PAGES = f"{ARTICLES_FOLDER}/**/*.html"


class SearchIndexError(Exception):
    """Pagefind failed; the message is its last output line."""


@dataclass
class SearchIndexJob:
    """Pagefind indexing one language's pages, in the background."""

    language_root: Path
    process: subprocess.Popen[str]
    finished_marker: Path  # written when the run has finished and its bundle is complete


def start_search_index(language_root: Path, state_dir: Path) -> SearchIndexJob:
    """Start indexing the article pages under `language_root` (the site, or its /en/) into its pagefind/.

    One bundle per language: each language's search page loads only its own index, and the first
    language is indexed while MkDocs builds the next one. The last build's bundle stays: Pagefind
    only writes the fragment files it does not find (an unchanged page's), and finish_search_index
    removes those no page refers to any more. Unless that run did not finish (no marker for it in
    `state_dir`): a fragment file it was writing when it stopped would be kept as it is."""
    bundle = language_root / BUNDLE
    marker = state_dir / (hashlib.sha256(str(bundle.resolve()).encode()).hexdigest()[:16] + ".finished")
    try:
        marker.unlink()  # until this run finishes
    except FileNotFoundError:
        shutil.rmtree(bundle, ignore_errors=True)
    process = subprocess.Popen([sys.executable, "-m", "pagefind", "--site", str(language_root),
                                "--glob", ARTICLE_PAGES, "--silent"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return SearchIndexJob(language_root, process, marker)


def finish_search_index(job: SearchIndexJob) -> None:
    """Wait for the job; raise SearchIndexError if Pagefind failed."""
    stdout, stderr = job.process.communicate()
    if job.process.returncode != 0:
        lines = (stderr or stdout).strip().splitlines()
        raise SearchIndexError(lines[-1] if lines else f"pagefind exited with {job.process.returncode}")
    canonicalise_entry(job.language_root / BUNDLE / ENTRY_FILE)
    removed = prune_bundle(job.language_root / BUNDLE)
    if removed:
        log.debug("search index: %d stale files removed from %s", len(removed), job.language_root / BUNDLE)
    job.finished_marker.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(job.finished_marker, f"{job.language_root / BUNDLE}\n", durable=False)


def stop_search_index(job: SearchIndexJob) -> None:
    if job.process.poll() is None:
        job.process.kill()
    job.process.communicate()


def prune_bundle(bundle: Path) -> list[Path]:
    """Remove the files of `bundle` that its index no longer refers to; return them.

    Pagefind names each fragment, index chunk and filter file after a hash of its content and
    lists those names in the language's metadata file (gzip: "pagefind_dcd", then CBOR holding the
    names as text). What is not listed there is stale. If a folder holds files but none of them is
    listed, the format is not the one read here, and nothing is removed."""
    found = pagefind_listed(bundle)
    if found is None:
        log.info("search index: %s not pruned (not the index format Pagefind 1.5 writes)", bundle)
        return []
    listed, metas = found
    stale: list[Path] = []
    for folder in ("fragment", "index", "filter"):
        try:
            names = os.listdir(bundle / folder)
        except FileNotFoundError:
            continue
        unlisted = [name for name in names if name.rpartition(".")[0].encode() not in listed]
        if names and len(unlisted) == len(names):
            log.info("search index: %s not pruned (no %s file listed)", bundle, folder)
            return []
        stale += [bundle / folder / name for name in unlisted]
    stale += [path for path in bundle.glob("pagefind.*.pf_meta") if path.name not in metas]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


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
