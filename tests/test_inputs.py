"""Every path under seeds/ accounted for, every file name shown safely and unambiguously (issue 21).

Real builds of small throwaway archives (`python -m generator build`, no model), whose seeds/ hold
what a checkout never carries: a FIFO, symbolic links (a loop, a dangling one, one to a folder,
one leaving the archive), names that are not UTF-8, names holding terminal escape sequences and
bidi overrides. The checks read build/report.json, stderr, the generated pages and the built site.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from generator.config import DEFAULT
from generator.pipeline.extraction import extract_all
from generator.read.discover import discover
from generator.text.filenames import printable_name
from tests.conftest import ROOT, SEEDS, make_archive, run_cli

MORE = sorted((ROOT / "tests" / "cases").glob("0[1-4]_*.txt"))  # other articles (UTF-8)


def build(root: Path, *options: str) -> tuple[str, dict[str, dict], dict]:
    """Build the archive; (stderr, the report's entries by source, the report)."""
    result = run_cli("build", "--config", str(root / "mkdocs.yml"), "--site-dir", str(root / "site"),
                     "--packages-dir", str(root / "no-packages"), *options, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((root / "build" / "report.json").read_text(encoding="utf-8"))
    return result.stderr, {entry["source"]: entry for entry in report["files"]}, report


def seed_path(root: Path, name: bytes) -> str:
    """seeds/NAME of `root`, NAME given as the bytes the file system holds."""
    return os.fsdecode(os.fsencode(root / "seeds") + b"/" + name)


def front_matters(root: Path) -> list[dict]:
    """The front matter of every generated Arabic article page."""
    pages = sorted(p for p in (root / "docs" / "archive" / "articles").rglob("*.md") if not p.name.endswith(".en.md"))
    return [yaml.safe_load(p.read_text(encoding="utf-8").split("---\n")[1]) for p in pages]


# --- 1. inputs missing from the report -------------------------------------------------------------


def test_issue_repro_fifo_and_dangling_link_are_in_the_report(tmp_path: Path) -> None:
    """mkfifo seeds/f.txt; ln -s x seeds/x.txt; python -m generator build → both in the report."""
    root = make_archive(tmp_path / "archive", SEEDS[:1])
    os.mkfifo(root / "seeds" / "f.txt")
    (root / "seeds" / "x.txt").symlink_to("x")  # seeds/x does not exist
    _, entries, _ = build(root)
    assert entries["seeds/f.txt"]["status"] == "rejected"
    assert entries["seeds/f.txt"]["reason"] == "not a regular file (FIFO)"
    assert entries["seeds/x.txt"]["status"] == "rejected"
    assert entries["seeds/x.txt"]["reason"] == "dangling symlink (its target does not exist)"


@dataclass
class OddBuild:
    root: Path
    stderr: str
    entries: dict[str, dict]
    report: dict


ESCAPES = b"esc-\x1b]0;owned\x07\x1b[2J.txt"  # retitles and clears a terminal when printed raw
RLO = "rlo-\u202etxt.exe".encode()  # reads as "rlo-exe.txt" when shown raw
RAW = b"raw-\xff.txt"  # not UTF-8
TYPED = b"raw-\\xff.txt"  # a backslash, typed: what RAW used to print as


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> OddBuild:
    """One archive holding every kind of odd path, built twice (the second from the manifest)."""
    outside = tmp_path_factory.mktemp("outside")
    shutil.copy(MORE[0], outside / "elsewhere.txt")
    root = make_archive(tmp_path_factory.mktemp("odd") / "archive", SEEDS[:2])
    seeds = root / "seeds"
    os.mkfifo(seeds / "fifo.txt")
    (seeds / "loop-a.txt").symlink_to("loop-b.txt")
    (seeds / "loop-b.txt").symlink_to("loop-a.txt")
    (seeds / "dangling.txt").symlink_to("nowhere/missing.txt")
    (seeds / "folder").mkdir()
    shutil.copy(SEEDS[2], seeds / "folder" / "inside.txt")
    (seeds / "link-to-folder").symlink_to("folder", target_is_directory=True)
    (seeds / "link-inside.txt").symlink_to(root / "seeds" / "folder" / "inside.txt")
    (seeds / "link-outside.txt").symlink_to(outside / "elsewhere.txt")
    # Two files, one printable name before issue 21: same size, same mtime, different articles.
    first, second = SEEDS[3].read_bytes(), SEEDS[4].read_bytes()
    size = max(len(first), len(second))
    for name, data in ((RAW, first), (TYPED, second)):
        Path(seed_path(root, name)).write_bytes(data + b"\n" * (size - len(data)))
        os.utime(seed_path(root, name), ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    Path(seed_path(root, ESCAPES)).write_bytes(MORE[1].read_bytes())  # published: listed on its page
    Path(seed_path(root, RLO)).write_text("This file is English, not Arabic, so it is rejected.\n", encoding="utf-8")
    build(root)  # the first build fills the manifest
    stderr, entries, report = build(root)  # the second takes unchanged files from it
    return OddBuild(root, stderr, entries, report)


@pytest.mark.parametrize(("source", "status", "reason"), [
    ("seeds/fifo.txt", "rejected", "not a regular file (FIFO)"),
    ("seeds/loop-a.txt", "rejected", "symlink loop"),
    ("seeds/loop-b.txt", "rejected", "symlink loop"),
    ("seeds/dangling.txt", "rejected", "dangling symlink (its target does not exist)"),
    ("seeds/link-to-folder", "skipped", "symlink to a folder (not followed)"),
    ("seeds/link-outside.txt", "rejected", "symlink to a path outside the archive (refused)"),
])
def test_every_path_under_seeds_is_reported_with_a_reason(odd: OddBuild, source: str, status: str,
                                                          reason: str) -> None:
    assert odd.entries[source]["status"] == status
    assert odd.entries[source]["reason"] == reason


def test_the_report_accounts_for_every_path(odd: OddBuild) -> None:
    seeds = os.fsencode(odd.root / "seeds")
    every = set()
    for folder, dirs, files in os.walk(seeds):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            every.add(printable_name(b"seeds/" + os.path.relpath(os.path.join(folder, name), seeds)))
    assert every == set(odd.entries)
    assert odd.entries["seeds/link-inside.txt"]["status"] in ("ok", "duplicate")  # a link inside: read


def test_a_link_outside_the_archive_is_read_when_allowed(odd: OddBuild, tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:1])
    (root / "seeds" / "link-outside.txt").symlink_to((odd.root / "seeds" / "link-outside.txt").resolve())
    _, entries, _ = build(root, "--allow-links-outside")
    assert entries["seeds/link-outside.txt"]["status"] == "ok"


def test_an_unlistable_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The root user lists any folder, so the refusal is simulated where discovery lists it."""
    (tmp_path / "seeds" / "locked").mkdir(parents=True)
    shutil.copy(SEEDS[0], tmp_path / "seeds" / "a.txt")
    scandir = os.scandir

    def refusing(path: str) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", path)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    found, problems = discover([str(tmp_path / "seeds")], base=tmp_path)
    assert [item.name for item in found] == ["seeds/a.txt"]
    assert [(p.source, p.status, p.reason) for p in problems] == [
        ("seeds/locked", "rejected", "cannot list folder: Permission denied")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists a folder whatever its mode")
def test_an_unlistable_folder_is_reported_for_real(tmp_path: Path) -> None:
    (tmp_path / "seeds" / "locked").mkdir(parents=True)
    (tmp_path / "seeds" / "locked").chmod(0)
    try:
        _, problems = discover([str(tmp_path / "seeds")], base=tmp_path)
    finally:
        (tmp_path / "seeds" / "locked").chmod(stat.S_IRWXU)
    assert [(p.source, p.reason) for p in problems] == [("seeds/locked", "cannot list folder: Permission denied")]


def test_a_fifo_named_on_the_command_line_is_not_a_missing_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "f.txt")
    (tmp_path / "loop.txt").symlink_to("loop.txt")
    result = run_cli("extract", str(tmp_path / "f.txt"), str(tmp_path / "loop.txt"), str(tmp_path / "none.txt"),
                     timeout=60)  # opening the FIFO would block: the timeout catches it
    assert result.returncode == 1
    errors = sorted(line for line in result.stderr.splitlines() if line.startswith("error:"))
    assert errors == [f"error: {tmp_path}/f.txt: not a regular file (FIFO)",
                      f"error: {tmp_path}/loop.txt: symlink loop",
                      f"error: {tmp_path}/none.txt: no such file or directory"]


# --- 2. two files, one name --------------------------------------------------------------------


def test_two_names_that_printed_alike_stay_two_files(odd: OddBuild) -> None:
    raw, typed = "seeds/raw-\\xff.txt", "seeds/raw-\\\\xff.txt"
    sources = [entry["source"] for entry in odd.report["files"]]
    assert len(set(sources)) == len(sources), "a source reported twice"
    assert odd.entries[raw]["status"] == odd.entries[typed]["status"] == "ok"
    fronts = {front["source"]: front["title"] for front in front_matters(odd.root) if front["source_index"] == 0}
    first, second = (extract_all([str(seed)], DEFAULT).articles[0].title for seed in SEEDS[3:5])
    assert (fronts[raw], fronts[typed]) == (first, second)  # each file's own article, once


def test_the_cache_keeps_each_file_by_its_real_name(tmp_path: Path) -> None:
    """Same size, same mtime: the second run must not hand one file's extraction to the other."""
    first, second = SEEDS[3].read_bytes(), SEEDS[4].read_bytes()
    size = max(len(first), len(second))
    (tmp_path / "seeds").mkdir()
    for name, data in ((RAW, first), (TYPED, second)):
        Path(seed_path(tmp_path, name)).write_bytes(data + b"\n" * (size - len(data)))
        os.utime(seed_path(tmp_path, name), ns=(1_700_000_000_000_000_000,) * 2)
    cache: dict = {}
    runs = [extract_all([str(tmp_path / "seeds")], DEFAULT, cache=cache, base=tmp_path) for _ in range(2)]
    for result in runs:
        assert sorted(o.source for o in result.outcomes) == ["seeds/raw-\\\\xff.txt", "seeds/raw-\\xff.txt"]
        titles = {a.source: a.title for a in result.articles}
        assert len(titles) == 2 and len(set(titles.values())) == 2
    assert {a.source: a.title for a in runs[0].articles} == {a.source: a.title for a in runs[1].articles}
    assert sorted(cache) == sorted([b"seeds/" + RAW, b"seeds/" + TYPED])


def test_printable_names_are_one_to_one_and_safe() -> None:
    names = [b"a.txt", RAW, TYPED, b"raw-\\\\xff.txt", b"\\", b"\\\\", b"\xc2\x85", b"\x85", b"\\x85", b"\\u0085",
             ESCAPES, RLO, "مقال.txt".encode(), b"\xed\xb2\x80", b"a\nb", "\u2066x\u2069".encode()]
    shown = [printable_name(name) for name in names]
    assert len(set(shown)) == len(names), shown
    unsafe = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))} | set("\u061c\u200e\u200f\u2028\u2029") | {
        chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
    for text in shown:
        assert not unsafe & set(text), text
        text.encode("utf-8")  # no lone surrogates: UTF-8 writers carry it
    assert printable_name("مقال.txt") == "مقال.txt" and printable_name(os.fsdecode(RAW)) == "raw-\\xff.txt"


# --- 3. terminal escapes ----------------------------------------------------------------------------


def test_names_with_escapes_and_bidi_overrides_are_shown_escaped(odd: OddBuild) -> None:
    esc, rlo = printable_name(ESCAPES), printable_name(RLO)
    assert esc == "esc-\\x1b]0;owned\\x07\\x1b[2J.txt" and rlo == "rlo-\\u202etxt.exe"
    assert odd.entries[f"seeds/{esc}"]["status"] == "ok"
    assert f"error: seeds/{rlo}: not Arabic text" in odd.stderr  # the rejected one, on stderr
    assert [front["source"] for front in front_matters(odd.root) if front["source"].startswith("seeds/esc-")] == [
        f"seeds/{esc}"]
    texts = {"stderr": odd.stderr, "report": (odd.root / "build" / "report.json").read_text(encoding="utf-8")}
    for folder in (odd.root / "docs" / "archive", odd.root / "site"):
        for path in folder.rglob("*"):
            if path.suffix in (".md", ".html", ".xml", ".json"):
                texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    for where, text in texts.items():
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, where
    pages = [path for path in (odd.root / "site" / "archive" / "articles").rglob("index.html")
             if f"seeds/{esc}" in path.read_text(encoding="utf-8")]
    assert len(pages) == 1  # the page lists its source file, escaped


def test_extract_shows_escaped_names_on_stderr(tmp_path: Path) -> None:
    Path(os.fsdecode(os.fsencode(tmp_path) + b"/" + ESCAPES)).write_text("English only.\n", encoding="utf-8")
    result = run_cli("extract", str(tmp_path), "-v", timeout=60)
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert f"error: {tmp_path}/{printable_name(ESCAPES)}: not Arabic text" in result.stderr


# --- 4. text kept as typed (the reader's part) ---------------------------------------------------------


def _extract_one(path: Path) -> tuple[dict, list[dict]]:
    result = extract_all([str(path)], DEFAULT)
    [outcome] = result.outcomes
    return vars(outcome), [article.to_json() for article in result.articles]


def test_separators_inside_a_line_do_not_split_it(tmp_path: Path) -> None:
    """A vertical tab or form feed inside the headline (and NEL, U+2028 in a paragraph) left the
    headline cut in two; the words stay on their line, apart."""
    original = SEEDS[0].read_text(encoding="utf-8")
    _, [plain] = _extract_one(SEEDS[0])
    words = plain["title"].split(" ")
    assert len(words) >= 4
    damaged = original.replace(plain["title"], f"{words[0]}\x0b{' '.join(words[1:3])}\x0c{' '.join(words[3:])}")
    first = plain["paragraphs"][0].split(" ")
    damaged = damaged.replace(plain["paragraphs"][0], f"{' '.join(first[:3])}\u2028{' '.join(first[3:6])}\x85"
                                                      f"{' '.join(first[6:])}")
    (tmp_path / "separators.txt").write_text(damaged, encoding="utf-8")
    outcome, [article] = _extract_one(tmp_path / "separators.txt")
    assert outcome["status"] == "ok"
    assert article["title"] == plain["title"]
    assert article["paragraphs"][0].split() == plain["paragraphs"][0].split()
    assert len(article["paragraphs"]) == len(plain["paragraphs"]) and article["date"] == plain["date"]


def test_a_text_article_quoting_many_tags_is_read_as_text(tmp_path: Path) -> None:
    quoted = ('يشرح الكاتب الوسوم <p> و<div> و<span> و<br> و<a href="x"> و<table> و<tr> و<td> و<li> و<ul> '
              "التي تبني بها صفحات الويب في مقاله الأسبوعي عن تقنيات النشر الرقمي الحديثة.")
    original = SEEDS[0].read_text(encoding="utf-8")
    _, [plain] = _extract_one(SEEDS[0])
    last = plain["paragraphs"][-1]
    (tmp_path / "tags.txt").write_text(original.replace(last, f"{last}\n\n{quoted}"), encoding="utf-8")
    outcome, [article] = _extract_one(tmp_path / "tags.txt")
    assert outcome["status"] == "ok" and article["title"] == plain["title"]
    assert quoted in article["paragraphs"]
    assert [p for p in article["paragraphs"] if p != quoted] == plain["paragraphs"]
