"""Generated pages kept from the last build (generator/site/page_cache.py): after articles are
added, changed and removed, or the theme changes, the site is byte-identical to a clean build's,
and the pages no input of which changed were not written again."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from .conftest import SEEDS, make_archive
from .test_site import build, tree_hash


def _kept(stderr: str) -> int:
    found = re.findall(r"archive: (\d+) generated pages kept as the last build wrote them", stderr)
    return sum(int(n) for n in found)


def _clean_build(root: Path, packages: Path) -> dict[str, str]:
    """The site built from nothing (no site/, no page cache), as a tree hash."""
    site = root / "site"
    shutil.rmtree(site)
    (root / ".cache" / "site-pages.pickle").unlink()
    result = build(root, packages)
    assert result.returncode == 0, result.stderr[-3000:]
    assert _kept(result.stderr) == 0
    return tree_hash(site)


def _mtimes(site: Path) -> dict[str, int]:
    return {str(p.relative_to(site)): p.stat().st_mtime_ns for p in site.rglob("*.html")}


def test_one_article_added_changed_and_removed_equals_a_clean_build(packages: Path, tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:3])
    site = root / "site"
    assert build(root, packages).returncode == 0
    before = _mtimes(site)

    shutil.copy(SEEDS[3], root / "seeds" / SEEDS[3].name)  # one article added
    result = build(root, packages)
    assert result.returncode == 0, result.stderr[-3000:]
    assert _kept(result.stderr) > 0
    after = _mtimes(site)
    untouched = {path for path, mtime in before.items() if after.get(path) == mtime}
    # The other articles' pages were kept as they were (a few probes aside); the index pages that
    # list the new article were written again.
    assert sum(path.startswith("archive/articles/") for path in untouched) >= 2
    assert "archive/index.html" not in untouched and "en/archive/index.html" not in untouched
    updated = tree_hash(site)
    assert updated == _clean_build(root, packages)

    changed = root / "seeds" / SEEDS[0].name
    changed.write_text(changed.read_text(encoding="utf-8").replace("قال", "أضاف", 1), encoding="utf-8")
    (root / "seeds" / SEEDS[1].name).unlink()
    result = build(root, packages)
    assert result.returncode == 0, result.stderr[-3000:]
    assert _kept(result.stderr) > 0
    updated = tree_hash(site)
    assert updated == _clean_build(root, packages)


def test_a_theme_change_rebuilds_every_page(packages: Path, tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:2])
    assert build(root, packages).returncode == 0
    override = next(path for path in sorted((root / "overrides").rglob("*.html")))
    override.write_text(override.read_text(encoding="utf-8") + "\n<!-- changed -->\n", encoding="utf-8")
    result = build(root, packages)
    assert result.returncode == 0, result.stderr[-3000:]
    assert _kept(result.stderr) == 0
    assert tree_hash(root / "site") == _clean_build(root, packages)


def test_probes_catch_a_change_the_keys_do_not_see(packages: Path, tmp_path: Path) -> None:
    """Every generated page's file is altered behind the cache's back (its time restored): the
    probes find their files differ from a new render, and every page is built again."""
    root = make_archive(tmp_path / "archive", SEEDS[:2])
    site = root / "site"
    assert build(root, packages).returncode == 0
    clean = tree_hash(site)
    for page in (site / "archive").rglob("*.html"):
        stat = page.stat()
        page.write_bytes(page.read_bytes() + b"<!-- altered -->")
        os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = build(root, packages)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "would change although its inputs did not: building every page" in result.stderr
    assert tree_hash(site) == clean


def test_a_damaged_cache_costs_a_full_build_not_the_build(packages: Path, tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:2])
    assert build(root, packages).returncode == 0
    clean = tree_hash(root / "site")
    (root / ".cache" / "site-pages.pickle").write_bytes(b"not a pickle")
    result = build(root, packages)
    assert result.returncode == 0, result.stderr[-3000:]
    assert _kept(result.stderr) == 0
    assert tree_hash(root / "site") == clean


def test_a_hand_written_link_to_a_kept_page_still_resolves(packages: Path, tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:2])
    assert build(root, packages).returncode == 0
    articles = (root / "docs" / "archive" / "articles").rglob("*.md")
    article = sorted(path for path in articles if not path.name.endswith(".en.md"))[0]
    target = article.relative_to(root / "docs").as_posix()
    about = root / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + f"\n\n[مقال]({target})\n", encoding="utf-8")
    result = build(root, packages)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARNING" not in result.stderr  # strict: an unresolved link would fail the build
    assert _kept(result.stderr) > 0
    folder = target.removesuffix(".md")
    assert f'href="../{folder}/"' in (root / "site" / "about" / "index.html").read_text(encoding="utf-8")
    assert tree_hash(root / "site") == _clean_build(root, packages)
