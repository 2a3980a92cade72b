"""site/ rewritten in place (generator/site/folder.py) and the search bundles pruned (search.prune_bundle):
a rebuild over the last build's site/ ends byte-identical to a build into an empty one."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from generator.site.folder import prune, take_inventory
from generator.site.search import prune_bundle

from .conftest import SEEDS, make_archive
from .test_site import build, tree_hash


def _plant(path: Path, text: str = "stale") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_rebuild_in_place_equals_a_clean_build(packages: Path, tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive")
    site = root / "site"
    assert build(root, packages).returncode == 0
    kept_page = site / "about" / "index.html"
    with kept_page.open("ab") as page:  # longer than the page the rebuild writes over it
        page.write(b"<!-- left over -->" * 1000)
    inode = kept_page.stat().st_ino
    fragments = {path: path.stat().st_mtime_ns for path in (site / "pagefind" / "fragment").iterdir()}
    stale = [
        _plant(site / "bogus" / "deeper" / "index.html"),
        _plant(site / "old.txt"),
        # An old article page: it must be gone before Pagefind indexes the language.
        _plant(site / "archive" / "articles" / "2000" / "2000-01-01-0000000000" / "index.html",
               '<html lang="ar"><body><article data-pagefind-body>صفحة قديمة</article></body></html>'),
        _plant(site / "en" / "pagefind" / "fragment" / "en_0000000.pf_fragment"),
        _plant(site / "fr" / "pagefind" / "pagefind.js"),  # a language no longer built
    ]
    hidden = _plant(site / ".kept-by-mkdocs-too")
    seed = root / "seeds" / SEEDS[0].name
    seed.write_text(seed.read_text(encoding="utf-8").replace("قال", "أضاف", 1), encoding="utf-8")

    result = build(root, packages)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not [path for path in stale if path.exists()]
    assert not (site / "bogus").exists() and not (site / "fr").exists()
    assert hidden.exists()  # as MkDocs' own cleaning does
    assert kept_page.stat().st_ino == inode  # written over, not deleted and created again
    # Pagefind kept the fragments of the unchanged articles (one article changed: one fragment went).
    assert sum(path.exists() and path.stat().st_mtime_ns == mtime for path, mtime in fragments.items()) \
        == len(fragments) - 1
    in_place = tree_hash(site)

    for entry in site.iterdir():
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    assert build(root, packages).returncode == 0
    assert tree_hash(site) == {path: digest for path, digest in in_place.items() if path != hidden.name}


def test_a_search_bundle_whose_indexing_did_not_finish_is_made_again(packages: Path, tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:2])
    site = root / "site"
    assert build(root, packages).returncode == 0
    clean = tree_hash(site)
    fragment = next((site / "pagefind" / "fragment").iterdir())
    fragment.write_bytes(fragment.read_bytes()[:10])  # as a killed Pagefind may leave it
    shutil.rmtree(root / ".cache" / "search")  # no record of the last run finishing
    assert build(root, packages).returncode == 0
    assert tree_hash(site) == clean


def test_a_dirty_build_is_refused_in_one_line_and_changes_nothing(tmp_path: Path) -> None:
    # `mkdocs build --dirty` would skip reading unchanged pages, and their untouched files would
    # look stale to the in-place rebuild.
    root = make_archive(tmp_path / "archive", SEEDS[:1])
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"), "-d", str(root / "site")]
    assert subprocess.run(command, capture_output=True, timeout=600).returncode == 0
    before = tree_hash(root / "site")
    result = subprocess.run([*command, "--dirty"], capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert any(line.startswith("archive: --dirty is not supported") for line in output.splitlines())
    assert tree_hash(root / "site") == before


def test_whole_second_timestamps_mean_the_folder_is_emptied_as_before(tmp_path: Path) -> None:
    page = _plant(tmp_path / "site" / "a" / "index.html")
    assert take_inventory(tmp_path / "site", [tmp_path / "site"]) is not None
    os.utime(page, ns=(1_700_000_000 * 10**9, 1_700_000_000 * 10**9))  # as FAT keeps them
    assert take_inventory(tmp_path / "site", [tmp_path / "site"]) is None
    assert take_inventory(tmp_path / "missing", []) is None


def test_a_page_in_the_way_of_a_folder_is_reported(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _plant(site / "notes")  # a file where the new build needs a folder
    _plant(site / "guide" / "index.html")  # a folder where the new build writes a file
    inventory = take_inventory(site, [site])
    assert inventory is not None
    assert inventory.blocks([str(site / "notes" / "index.html")]) == "notes"
    assert inventory.blocks([str(site / "guide")]) == "guide"
    assert inventory.blocks([str(site / "guide" / "index.html"), str(site / "new" / "index.html")]) is None


def test_prune_below_touches_only_that_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    article = _plant(site / "archive" / "articles" / "x" / "index.html")
    other = _plant(site / "archive" / "index.html")
    rewritten = _plant(site / "archive" / "articles" / "y" / "index.html")
    inventory = take_inventory(site, [site])
    assert inventory is not None
    rewritten.write_text("new", encoding="utf-8")
    os.utime(rewritten, ns=(rewritten.stat().st_atime_ns, rewritten.stat().st_mtime_ns + 1))

    assert prune(inventory, below=site / "archive" / "articles") == ["archive/articles/x/index.html"]
    assert not article.parent.exists() and rewritten.exists() and other.exists()
    assert prune(inventory) == ["archive/index.html"]


def _bundle(folder: Path, meta: bytes, fragments: list[str]) -> Path:
    entry = {"version": "1.5.2", "languages": {"ar": {"hash": "ar_1234567890", "wasm": "ar", "page_count": 1}}}
    _plant(folder / "pagefind-entry.json", json.dumps(entry))
    (folder / "pagefind.ar_1234567890.pf_meta").write_bytes(gzip.compress(meta))
    for name in fragments:
        _plant(folder / "fragment" / f"{name}.pf_fragment")
    return folder


def test_prune_bundle_removes_what_the_index_does_not_list(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path / "pagefind", b"pagefind_dcd\x86e1.5.2\x82jar_aaaaaaa\x18\xf2",
                     ["ar_aaaaaaa", "ar_bbbbbbb"])
    _plant(bundle / "pagefind.ar_0000000000.pf_meta")
    removed = prune_bundle(bundle)
    assert sorted(p.name for p in removed) == ["ar_bbbbbbb.pf_fragment", "pagefind.ar_0000000000.pf_meta"]
    assert (bundle / "fragment" / "ar_aaaaaaa.pf_fragment").exists()


def test_prune_bundle_removes_nothing_from_a_format_it_does_not_know(tmp_path: Path) -> None:
    unknown = _bundle(tmp_path / "a", b"other-format ar_aaaaaaa", ["ar_aaaaaaa", "ar_bbbbbbb"])
    unlisted = _bundle(tmp_path / "b", b"pagefind_dcd names stored otherwise", ["ar_aaaaaaa", "ar_bbbbbbb"])
    assert prune_bundle(unknown) == [] and prune_bundle(unlisted) == []
    assert len(list((tmp_path / "b" / "fragment").iterdir())) == 2
