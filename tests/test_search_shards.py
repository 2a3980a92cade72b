"""Search bundles of a large archive (generator/site/search.py): the article pages split into
bundles of at most N pages (years together, a large year by months), each indexed by its own
Pagefind run, one run at a time; an unchanged bundle is not indexed again; the search page merges
them. Built for real with a small limit."""

from __future__ import annotations

import fnmatch
import re
import shutil
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

from generator.site.search import ARTICLE_PAGES, BUNDLE, is_bundle, plan_shards

from .conftest import CHROMIUM, SEEDS, make_archive, serve_folder
from .test_site import build, tree_hash


def _folders(counts: dict[str, int]) -> list[str]:
    """Article folders: {"2017-03": 5} gives five articles of March 2017."""
    return [f"{month[:4]}/{month}-{day % 28 + 1:02d}-{month.replace('-', '')}{day:04d}"
            for month, count in counts.items() for day in range(count)]


def _matches(glob: str, folder: str) -> bool:
    """Whether Pagefind's glob (braces expanded here) takes the folder's page."""
    page = f"archive/articles/{folder}/index.html"
    options = [glob]
    while any("{" in option for option in options):
        expanded = []
        for option in options:
            match = re.search(r"\{([^{}]*)\}", option)
            if not match:
                expanded.append(option)
                continue
            expanded += [option[:match.start()] + alt + option[match.end():] for alt in match[1].split(",")]
        options = expanded
    return any(fnmatch.fnmatch(page, option.replace("**/", "")) for option in options)


def test_a_small_archive_is_one_bundle_as_before() -> None:
    folders = _folders({"2017-01": 3, "2024-05": 2})
    [shard] = plan_shards(folders, limit=10)
    assert (shard.bundle, shard.glob, len(shard.folders)) == (BUNDLE, ARTICLE_PAGES, 5)


def test_years_are_packed_newest_first_and_a_large_year_goes_by_months() -> None:
    folders = _folders({"2015-02": 3, "2016-07": 4, "2017-01": 2, "2024-01": 6, "2024-02": 5, "2024-03": 1})
    shards = plan_shards(folders, limit=7, head=7)
    assert [shard.bundle for shard in shards] == ["pagefind", "pagefind-2", "pagefind-3", "pagefind-4"]
    assert all(len(shard.folders) <= 7 for shard in shards)
    # Every page is in exactly one bundle, by its glob as Pagefind reads it and by its list.
    for folder in folders:
        assert [shard.bundle for shard in shards if _matches(shard.glob, folder)] == \
            [shard.bundle for shard in shards if folder in shard.folders]
        assert sum(folder in shard.folders for shard in shards) == 1
    assert all(folder.startswith("2024/2024-0") for folder in shards[0].folders)  # the newest first
    # 2024 (12 pages) by months: March with February, then January; 2017 and 2016 together; 2015.
    assert [sorted({f[5:12] for f in shard.folders}) for shard in shards] == \
        [["2024-02", "2024-03"], ["2024-01"], ["2016-07", "2017-01"], ["2015-02"]]


def test_the_newest_months_are_a_small_bundle_of_their_own() -> None:
    """New articles land in the newest months: their bundle, re-indexed on every addition, is small."""
    folders = _folders({"2016-07": 4, "2017-01": 2, "2024-01": 6, "2024-02": 5, "2024-03": 1})
    shards = plan_shards(folders, limit=7, head=2)
    assert [sorted({f[5:12] for f in shard.folders}) for shard in shards] == \
        [["2024-03"], ["2024-02"], ["2024-01"], ["2016-07", "2017-01"]]
    # A newest year within the head bound is still a bundle of its own.
    shards = plan_shards(_folders({"2016-07": 4, "2017-01": 2, "2024-01": 2}), limit=7, head=2)
    assert [sorted({f[5:12] for f in shard.folders}) for shard in shards] == [["2024-01"], ["2016-07", "2017-01"]]
    for folder in folders:
        assert sum(_matches(shard.glob, folder) for shard in plan_shards(folders, limit=7, head=2)) == 1
    # Undated articles are not where new articles go: they come last, with the oldest years.
    undated = [f"undated/{n:010x}" for n in range(3)]
    shards = plan_shards(folders + undated, limit=7, head=2)
    assert set(undated) <= set(shards[-1].folders)
    assert shards[0].folders == tuple(f for f in folders if f.startswith("2024/2024-03"))


def test_folder_names_that_a_glob_cannot_hold_keep_one_bundle() -> None:
    [shard] = plan_shards(["2017/2017-01-01-a", "2017/2017-01-02-b", "undated/x{y}"], limit=1)
    assert shard.glob == ARTICLE_PAGES


def test_bundle_names() -> None:
    assert is_bundle("pagefind") and is_bundle("pagefind-12")
    assert not is_bundle("pagefind-x") and not is_bundle("pagefinder") and not is_bundle("archive")


def _set_limit(root: Path, limit: int) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("      corrections_dir: corrections\n",
                        f"      corrections_dir: corrections\n      search_shard_pages: {limit}\n")
    assert f"search_shard_pages: {limit}" in text
    config.write_text(text, encoding="utf-8")


def test_a_sharded_site_indexes_every_article_once_and_keeps_unchanged_bundles(packages: Path,
                                                                               tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS)
    _set_limit(root, 2)
    site = root / "site"
    result = build(root, packages)
    assert result.returncode == 0, result.stderr[-3000:]
    for language_root in (site, site / "en"):
        bundles = sorted(p.name for p in language_root.iterdir() if is_bundle(p.name))
        assert len(bundles) >= 2 and bundles[0] == BUNDLE
        search_page = (language_root / "search" / "index.html").read_text(encoding="utf-8")
        listed = re.search(r'data-bundles="([^"]*)"', search_page)
        assert listed is not None
        assert [path.rstrip("/").rsplit("/", 1)[-1] for path in listed[1].split()] == bundles[1:]
        # Each article page is in one bundle: the bundles' fragments count the article pages.
        fragments = sum(len(list((language_root / bundle / "fragment").iterdir())) for bundle in bundles)
        assert fragments == len(list((language_root / "archive" / "articles").rglob("index.html")))
    first = tree_hash(site)
    marker_times = {p: p.stat().st_mtime_ns for p in (root / ".cache" / "search").glob("*.finished")}
    assert build(root, packages).returncode == 0
    assert tree_hash(site) == first
    # Nothing changed: no bundle was indexed again.
    assert {p: p.stat().st_mtime_ns for p in (root / ".cache" / "search").glob("*.finished")} == marker_times

    # Fewer articles, fewer bundles: the stale ones go, and the site equals a clean build.
    for seed in SEEDS[2:]:
        (root / "seeds" / seed.name).unlink()
    assert build(root, packages).returncode == 0
    rebuilt = tree_hash(site)
    shutil.rmtree(site)
    shutil.rmtree(root / ".cache")
    assert build(root, packages).returncode == 0
    assert tree_hash(site) == rebuilt


def test_a_limit_that_is_not_a_number_is_refused_by_name(tmp_path: Path) -> None:
    """search_shard_pages is a typed option: mkdocs.yml with a word there fails before anything is built."""
    root = make_archive(tmp_path / "archive", SEEDS[:1])
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "      corrections_dir: corrections\n", "      corrections_dir: corrections\n      search_shard_pages: many\n"),
        encoding="utf-8")
    result = build(root, None)
    assert result.returncode != 0
    assert "search_shard_pages" in result.stderr
    assert not (root / "site").exists()


def _results(browser: object, url: str) -> list[str]:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto(url)
    page.wait_for_selector(".pagefind-ui__result-link, .pagefind-ui__message:has-text('0')", timeout=20000)
    page.wait_for_load_state("networkidle")
    links = sorted(link.get_attribute("href") for link in page.query_selector_all(".pagefind-ui__result-link"))
    context.close()
    assert hosts <= {urlparse(url).netloc}, hosts  # nothing leaves the site
    return links


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
@pytest.mark.parametrize("query", ["بيسكوف", "الكرملين"])
def test_the_search_page_merges_the_bundles(browser: object, packages: Path, tmp_path: Path, query: str) -> None:
    """In a real browser, the sharded site finds the same articles as the site with one bundle."""
    found = {}
    for limit in (2, 1000):
        root = make_archive(tmp_path / f"archive-{limit}", SEEDS)
        _set_limit(root, limit)
        assert build(root, packages).returncode == 0
        bundles = [p for p in (root / "site").iterdir() if is_bundle(p.name)]
        assert (len(bundles) > 1) == (limit == 2)
        with serve_folder(root / "site") as url:
            # The links as the search page shows them: the same pages, the same URLs.
            found[limit] = {lang: _results(browser, f"{url}{prefix}search/?q={quote(query)}")
                            for lang, prefix in (("ar", ""), ("en", "en/"))}
    assert all(link.startswith("/en/archive/articles/") for link in found[2]["en"])
    assert len(found[2]["ar"]) >= 3  # more than one bundle of two pages holds them
    assert found[2] == found[1000]
