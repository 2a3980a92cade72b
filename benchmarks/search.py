"""How much a first search transfers: a built site served on localhost, queried in headless Chromium.

    python benchmarks/site.py --counts 4000 --keep /tmp/bench   # builds the 4,000-article archive
    python benchmarks/search.py --site /tmp/bench/n4000/archive/site

Each query runs in a fresh browser context (empty cache), from opening the search page with
`?q=` to the results being shown. Bytes are what crosses the wire, served as GitHub Pages serves
them: text assets gzip-compressed, Pagefind's index files as they are (already compressed).
Target: the first query on the 4,000-article site transfers ≤ 300 KB of search data.
Last line: `first_query_kb=<float>` (the largest over the queries).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import quote, urlparse

QUERIES = ["كرملين", "اسرائيل", "الحكومة", "وزير الخارجية"]
ENGLISH_QUERIES = ["Kremlin", "minister"]


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves like GitHub Pages: text assets gzip-compressed; Pagefind's index files as they are
    (they are compressed already)."""

    TEXT = (".html", ".js", ".css", ".json", ".xml", ".svg", "/")

    def send_head(self):
        path = urlparse(self.path).path
        if "gzip" not in self.headers.get("Accept-Encoding", "") or not path.endswith(self.TEXT):
            return super().send_head()
        local = Path(self.translate_path(self.path))
        if local.is_dir():
            local = local / "index.html"
        if not local.is_file():
            return super().send_head()
        body = gzip.compress(local.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(local)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def measure(site_dir: Path) -> list[tuple[str, int, int, int]]:
    """(query, search-data bytes, all bytes, results shown) per query."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_GzipHandler, directory=str(site_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    rows = []
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"])
        for query, prefix in [*((q, "") for q in QUERIES), *((q, "en/") for q in ENGLISH_QUERIES)]:
            context = browser.new_context()
            page = context.new_page()
            sizes: dict[str, int] = {}

            def record(request: object, sizes: dict[str, int] = sizes) -> None:
                # Bytes on the wire: the encoded (compressed) body, plus headers.
                measured = request.sizes()  # type: ignore[attr-defined]
                sizes[request.url] = measured["responseBodySize"] + measured["responseHeadersSize"]  # type: ignore[attr-defined]

            page.on("requestfinished", record)
            page.goto(f"{base}{prefix}search/?q={quote(query)}")
            page.wait_for_selector(".pagefind-ui__message", timeout=60000)
            page.wait_for_function("!document.querySelector('.pagefind-ui__message').textContent.includes('...')",
                                   timeout=60000)
            page.wait_for_load_state("networkidle")
            shown = page.locator(".pagefind-ui__result").count()
            # Every search bundle: pagefind/, and pagefind-2/, ... in a large archive.
            search_bytes = sum(n for url, n in sizes.items() if re.search(r"/pagefind(-\d+)?/", urlparse(url).path))
            rows.append((f"{prefix}{query}", search_bytes, sum(sizes.values()), shown))
            context.close()
        browser.close()
    server.shutdown()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, required=True, help="a built site/ folder (see above)")
    args = parser.parse_args()
    if not (args.site / "pagefind").is_dir():
        parser.error(f"{args.site}: no pagefind/ folder: not a built archive site")
    rows = measure(args.site)
    print(f"{'query':24} {'search KB':>10} {'all KB':>8} {'results':>8}")
    for query, search_bytes, all_bytes, shown in rows:
        print(f"{query:24} {search_bytes / 1024:10.1f} {all_bytes / 1024:8.1f} {shown:8d}")
    print(f"first_query_kb={max(r[1] for r in rows) / 1024:.1f}")


if __name__ == "__main__":
    main()
