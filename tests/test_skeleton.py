"""Generated pages filled into a skeleton of Material's template (generator/site/skeleton.py), article
and index pages built outside MkDocs' file list (generator/site/generated_pages.py), shares of them by forked
processes (generator/site/page_workers.py): all must be the very bytes MkDocs and Material render for
them in one process. The seeds and the hostile bad-input corpus are built both ways, with a site
URL (canonical links), and every file of the two sites is compared."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from generator.site import page_workers
from generator.site.skeleton import ENV_FULL_RENDER
from generator.workers import fork_child
from tests.conftest import make_archive
from tests.test_badinput import CORPUS, corpus_files
from tests.test_site import tree_hash


def _mkdocs_build(root: Path, site: str, env: dict[str, str]) -> str:
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-v", "-f", str(root / "mkdocs.yml"),
                             "-d", str(root / site)], capture_output=True, text=True, timeout=600,
                            env={**os.environ, **env})
    assert result.returncode == 0, "\n".join(line for line in result.stderr.splitlines() if "DEBUG" not in line)[-3000:]
    return result.stderr


def test_filled_article_pages_are_the_bytes_material_renders(packages: Path, argos_home: dict[str, str],
                                                            tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive")
    for name in corpus_files():
        target = root / "seeds" / "corpus" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / name, target)
    env = {**argos_home, "ARCHIVE_PACKAGES_DIR": str(packages), "SITE_URL": "https://example.org/press/"}

    log = _mkdocs_build(root, "filled", env)
    counts = re.findall(r"archive: (\d+) pages filled from \d+ layouts \(([^)]*)\)", log)
    articles = len(list((root / "docs" / "archive" / "articles").rglob("*.md")))
    # Both languages, each in the build process and its fork, took the fast path: every layout's
    # skeleton was verified, and only the first two pages of each were rendered in full.
    assert len(counts) == 4 and all("full" not in layouts for _, layouts in counts)
    assert sum(int(n) for n, _ in counts) >= articles // 2

    _mkdocs_build(root, "full", {**env, ENV_FULL_RENDER: "1"})
    filled_site, full_site = tree_hash(root / "filled"), tree_hash(root / "full")
    assert filled_site.keys() == full_site.keys()
    differing = [path for path, digest in filled_site.items() if full_site[path] != digest]
    assert differing == []


def test_a_failed_or_warning_fork_fails_the_build(caplog: pytest.LogCaptureFixture) -> None:
    def fork_exiting(code: int) -> int:
        return fork_child(lambda: code)

    with pytest.raises(page_workers.PageWorkerError, match="second process failed"):
        page_workers.wait([fork_exiting(0), fork_exiting(1)])
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.archive"):
        page_workers.wait([fork_exiting(page_workers.WARNINGS_EXIT)])  # strict mode counts this warning
    assert "logged warnings" in caplog.text
    workers = [fork_exiting(0)]
    page_workers.wait(workers)
    assert workers == []


def test_split_work_comes_back_in_order_and_a_failing_fork_fails() -> None:
    from generator.workers import ForkError, map_split

    items = list(range(200))
    results = map_split(lambda n: (n * n, os.getpid()), items)
    assert [r for r, _ in results] == [n * n for n in items]
    assert len({pid for _, pid in results}) == 2  # half was done by a second process

    def fails_in_fork(n: int) -> int:
        if n == 101 and os.getpid() != parent:
            raise ValueError("boom")
        return n

    parent = os.getpid()
    with pytest.raises(ForkError):
        map_split(fails_in_fork, items)


def test_a_hand_written_link_to_a_generated_page_resolves(packages: Path, argos_home: dict[str, str],
                                                          tmp_path: Path) -> None:
    """Generated pages outside the navigation are built out of MkDocs' file list (generator/site/generated_pages.py);
    a hand-written page may still link to one, in strict mode, and the link points at the built page."""
    root = make_archive(tmp_path / "archive")
    env = {**argos_home, "ARCHIVE_PACKAGES_DIR": str(packages)}
    _mkdocs_build(root, "site", env)
    article, tag = (sorted(p for p in (root / "docs" / "archive" / folder).rglob("*.md")
                           if p.name != "index.md" and not p.name.endswith(".en.md"))[0]
                    for folder in ("articles", "tags"))  # Arabic pages, linked from the Arabic about.md
    about = root / "docs" / "about.md"
    links = [p.relative_to(root / "docs").as_posix() for p in (article, tag)]
    about.write_text(about.read_text(encoding="utf-8") + "".join(f"\n[link]({link})\n" for link in links),
                     encoding="utf-8")
    _mkdocs_build(root, "site", env)  # --strict: a link MkDocs could not resolve would fail the build
    html = (root / "site" / "about" / "index.html").read_text(encoding="utf-8")
    for link in links:
        target = "../" + quote(link[:-3]) + "/"  # about/ -> archive/... (use_directory_urls)
        assert f'href="{target}"' in html
        assert (root / "site" / link[:-3] / "index.html").is_file()
