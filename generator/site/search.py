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
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
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


# Article pages per Pagefind run (and bundle). Pagefind holds about 300 KB per page while it
# indexes (measured with Pagefind 1.5: 1.38 GB for 4,278 pages, 180 MB for 545, 5.9 GB for about
# 21,000): an archive larger than this is indexed in several bundles, one run after another, and
# the search page merges them.
SHARD_PAGES = 6000
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]+\Z")  # folder names safe to write into a glob as they are


class SearchIndexError(Exception):
    """Pagefind failed; the message is its last output line."""


@dataclass(frozen=True)
class SearchShard:
    """One Pagefind bundle of a language: its folder in the language root and the pages it indexes."""

    bundle: str  # "pagefind" (the one the search page loads first), then "pagefind-2", ...
    glob: str  # Pagefind's --glob, relative to the language root
    folders: tuple[str, ...]  # the article folders it indexes, below the articles folder


def plan_shards(article_folders: Iterable[str], limit: int = SHARD_PAGES, head: int | None = None) -> list[SearchShard]:
    """Bundles for a language's article pages, given as their folders below the articles folder
    ("2017/2017-01-01-553381fc31"): one bundle while there are at most `limit`; otherwise the
    newest year in a bundle of its own, its newest months in one of at most `head` pages (a
    quarter of `limit` by default) when it is larger, then whole years together, newest first, up
    to `limit` pages a bundle, and a larger year by months.

    An archive grows at its newest end: a new article changes the small first bundle only, and an
    unchanged bundle is not indexed again (SearchIndexer). A single month holding more pages than
    its bound stays one bundle."""
    head = limit // 4 if head is None else head
    folders = sorted(article_folders)
    if len(folders) <= limit:
        return [SearchShard(BUNDLE, ARTICLE_PAGES, tuple(folders))]
    years: dict[str, Counter[str]] = {}
    for folder in folders:
        year, _, name = folder.partition("/")
        years.setdefault(year, Counter())[name[:7]] += 1
    names = [year for year in years] + [prefix for months in years.values() for prefix in months]
    if not all(_PLAIN_NAME.match(name) for name in names):
        return [SearchShard(BUNDLE, ARTICLE_PAGES, tuple(folders))]  # cannot be globbed safely
    groups: list[tuple[list[str], list[str]]] = []  # (whole years, or one year and its month prefixes)
    current: list[str] = []
    count = 0
    newest = max((year for year in years if year.isdigit()), default=None)
    # Newest year first; folders that are not years (undated articles) last, with the oldest.
    def order(year: str) -> tuple[bool, str]:
        return year.isdigit(), year

    for year in sorted(years, key=order, reverse=True):
        pages = sum(years[year].values())
        bound = head if year == newest else limit
        if pages > bound:  # by months, in its own bundles
            months: list[str] = []
            month_count = 0
            for prefix in sorted(years[year], reverse=True):
                if months and month_count + years[year][prefix] > bound:
                    groups.append(([year], months))
                    months, month_count, bound = [], 0, limit
                months.append(prefix)
                month_count += years[year][prefix]
            groups.append(([year], months))
            continue
        if year == newest:  # a bundle of its own: where new articles go
            groups.append(([year], []))
            continue
        if current and count + pages > limit:
            groups.append((current, []))
            current, count = [], 0
        current.append(year)
        count += pages
    if current:
        groups.append((current, []))
    groups.sort(key=lambda group: (order(group[0][0]), group[1][:1]), reverse=True)  # the newest pages first
    shards = []
    for number, (group_years, months) in enumerate(groups, start=1):
        where = _alternatives(group_years)
        if months:
            where += "/" + _alternatives([prefix + "*" for prefix in months])
        members = tuple(folder for folder in folders if folder.partition("/")[0] in group_years
                        and (not months or folder.partition("/")[2][:7] in months))
        shards.append(SearchShard(BUNDLE if number == 1 else f"{BUNDLE}-{number}",
                                  f"{ARTICLES_FOLDER}/{where}/**/*.html", members))
    return shards


def _alternatives(names: list[str]) -> str:
    return names[0] if len(names) == 1 else "{" + ",".join(names) + "}"


def is_bundle(name: str) -> bool:
    """Whether a folder in a language root is one of its search bundles."""
    return name == BUNDLE or (name.startswith(BUNDLE + "-") and name[len(BUNDLE) + 1:].isdigit())


@dataclass
class _Run:
    language_root: Path
    shard: SearchShard
    marker: Path  # holds the digest of the shard's pages once its bundle is complete
    digest: str


@dataclass
class SearchIndexer:
    """Pagefind over every language's bundles, in the background, one run at a time.

    The runs of a language go through one child process (generator/site/pagefind_runner.py), one
    bundle after another, so that one Pagefind per language is in memory at a time; the languages
    are indexed while the build goes on (the first while the second is built). A bundle whose pages
    are the files its last finished run indexed (same names, sizes and times) is kept as it is."""

    state_dir: Path
    runs: list[_Run] = field(default_factory=list)
    processes: list[subprocess.Popen[str]] = field(default_factory=list)
    bundles: dict[Path, set[str]] = field(default_factory=dict)  # language root -> its bundles

    def start(self, language_root: Path, shards: list[SearchShard]) -> None:
        """Index `language_root`'s article pages (all written) into the bundles of `shards`."""
        self.bundles[language_root] = {shard.bundle for shard in shards}
        todo = []
        for shard in shards:
            bundle = language_root / shard.bundle
            marker = self.state_dir / (hashlib.sha256(str(bundle.resolve()).encode()).hexdigest()[:16] + ".finished")
            digest = _pages_digest(language_root, shard)
            try:
                done = marker.read_text(encoding="utf-8").splitlines()[1:2] == [digest]
                if done and (bundle / ENTRY_FILE).is_file():
                    continue  # the same pages as the last finished run: the bundle is as it would be made
                marker.unlink()  # until this run finishes
            except FileNotFoundError:
                # The bundle's last run did not finish: a fragment file it was writing may be cut
                # short, and Pagefind keeps a fragment file it finds. Made again from nothing.
                shutil.rmtree(bundle, ignore_errors=True)
            todo.append(_Run(language_root, shard, marker, digest))
        if not todo:
            return
        self.runs += todo
        self.state_dir.mkdir(parents=True, exist_ok=True)
        args = [sys.executable, "-m", "generator.site.pagefind_runner", str(language_root)]
        for run in todo:
            args += [run.shard.bundle, run.shard.glob]
        self.processes.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                               env={**os.environ, "PYTHONPATH": _import_path()}))

    def finish(self) -> None:
        """Wait for every run; tidy each bundle; remove bundles no longer planned. Raises
        SearchIndexError if Pagefind failed."""
        failure = None
        while self.processes:
            process = self.processes.pop(0)
            stdout, stderr = process.communicate()
            if process.returncode != 0 and failure is None:
                lines = (stderr or stdout).strip().splitlines()
                failure = lines[-1] if lines else f"pagefind exited with {process.returncode}"
        if failure is not None:
            self.runs.clear()
            raise SearchIndexError(failure)
        for run in self.runs:
            bundle = run.language_root / run.shard.bundle
            canonicalise_entry(bundle / ENTRY_FILE)
            removed = prune_bundle(bundle)
            if removed:
                log.debug("search index: %d stale files removed from %s", len(removed), bundle)
            run.marker.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(run.marker, f"{bundle}\n{run.digest}\n", durable=False)
        self.runs.clear()
        for language_root, planned in self.bundles.items():
            for stale in sorted(language_root.glob(BUNDLE + "-*")):
                if is_bundle(stale.name) and stale.name not in planned:
                    shutil.rmtree(stale, ignore_errors=True)
        self.bundles.clear()

    def stop(self) -> None:
        while self.processes:
            process = self.processes.pop()
            if process.poll() is None:
                process.kill()
            process.communicate()
        self.runs.clear()


def _pages_digest(language_root: Path, shard: SearchShard) -> str:
    """The names, sizes and modification times of the pages a shard indexes, and Pagefind's version."""
    digest = hashlib.sha256(f"{_pagefind_version()}\0{shard.glob}\0".encode())
    articles = os.path.join(language_root, ARTICLES_FOLDER)
    for folder in shard.folders:
        try:
            stat = os.stat(os.path.join(articles, folder, "index.html"))
        except FileNotFoundError:
            continue
        digest.update(f"{folder}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _pagefind_version() -> str:
    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return "unknown"


def _import_path() -> str:
    """PYTHONPATH for the runner: this `generator` package first, whatever the build's cwd."""
    package_parent = str(Path(__file__).resolve().parents[2])
    existing = os.environ.get("PYTHONPATH")
    return package_parent + (os.pathsep + existing if existing else "")


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
