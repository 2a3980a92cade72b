"""Search index: Pagefind over the built site (one index per <html lang>, Arabic stemming included).

Material's built-in search fails Arabic readers (no كرملين → الكرملين, no اسرائيل → إسرائيل) and
rebuilds its whole index in the browser on every visit; Pagefind ships an Arabic stemmer, runs
offline, and fetches only the index chunks a query needs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


class SearchIndexError(Exception):
    """Pagefind failed; the message is its last output line."""


def build_search_index(site_dir: Path) -> None:
    """Index every page marked `data-pagefind-body` under site_dir into site_dir/pagefind/."""
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site_dir), "--silent"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexError(lines[-1] if lines else f"pagefind exited with {result.returncode}")
