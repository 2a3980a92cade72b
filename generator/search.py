"""Search index: Pagefind over the built site (one index per <html lang>, Arabic stemming included).

Material's built-in search fails Arabic readers (no كرملين → الكرملين, no اسرائيل → إسرائيل) and
rebuilds its whole index in the browser on every visit; Pagefind ships an Arabic stemmer, runs
offline, and fetches only the index chunks a query needs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .atomic import atomic_write_text, remove_stale_temps

ENTRY_FILE = "pagefind-entry.json"
ARTICLE_PAGES = "**/archive/articles/**/*.html"  # Arabic and English (en/archive/articles/...)


class SearchIndexError(Exception):
    """Pagefind failed; the message is its last output line."""


def build_search_index(site_dir: Path) -> None:
    """Index every page marked `data-pagefind-body` under site_dir into site_dir/pagefind/."""
    # The site is final once indexed. MkDocs' cleaning keeps hidden files at the top of site/, so
    # a temporary file a killed run left there (feed, sitemap) would otherwise be published.
    remove_stale_temps(site_dir)
    # Only article pages carry data-pagefind-body; the glob spares Pagefind parsing every index page.
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site_dir), "--glob", ARTICLE_PAGES,
                             "--silent"], capture_output=True, text=True)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexError(lines[-1] if lines else f"pagefind exited with {result.returncode}")
    canonicalise_entry(site_dir / "pagefind" / ENTRY_FILE)


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
