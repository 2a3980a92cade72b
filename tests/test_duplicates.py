"""Duplicates: the same article saved twice is published once, and the report accounts for every file.

The inputs are real files made from the seeds: an identical copy, a copy re-saved with other page
furniture (CRLF, windows-1256, tatweel in the headline, a paragraph split in two), a different
article under the same headline, and a two-article file whose second article is saved on its own too.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from generator.config import Settings
from generator.model import Article, ExtractResult, FileOutcome
from generator.pipeline.duplicates import find_duplicates, merge_duplicates
from generator.pipeline.extraction import report_dict
from generator.pipeline.generate import generate_docs
from tests.conftest import SEEDS, make_archive, run_cli

MAIN = SEEDS[0]  # one article: headline, dateline date, body, signature, teaser list
OTHER = SEEDS[2]  # a different article, used as the body under MAIN's headline
TWO = SEEDS[4]  # two articles: the Kremlin on Syria, then the Kremlin on Iran
TITLE = "الكرملين: تخلي موسكو عن الأسد غير ممكن على الإطلاق"
IRAN_TITLE = "الكرملين يدعو كل الأطراف لضبط النفس بشأن برنامج إيران النووي"


def seed_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def resaved(path: Path) -> bytes:
    """The same page saved again from another view of the site: other furniture, CRLF, windows-1256."""
    out = ["الرئيسية | أخبار | سياسة | اقتصاد | رياضة", "", ""]
    for line in seed_lines(path):
        if line == TITLE:
            line = line.replace("الكرملين", "الكــرملين")  # tatweel
        if line.startswith("وقال المتحدث باسم الكرملين"):  # one paragraph split in two
            cut = line.index("، ") + 1
            out += [line[:cut], "", line[cut + 1:]]
            continue
        out += [line, ""]
        if line.startswith("12.04.2017"):
            out += ["شارك فيسبوك تويتر واتساب", ""]
        if line == "سيريانيوز":
            out += ["اقرأ أيضا: سوريا تطالب المجتمع الدولي بمحاسبة اسرائيل", "", "اترك تعليقاً",
                    "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *", "",
                    "جميع الحقوق محفوظة © 2017 سيريانيوز", "", ""]
    return "\r\n".join(out).encode("cp1256")


def same_title_other_body() -> str:
    """MAIN's headline and date line over another article's body: a recurring title, not a copy."""
    other = [line for line in seed_lines(OTHER)[1:] if line.strip()]
    return "\n".join([TITLE, "", "12.04.2017 | 14:59", "", *other])


def iran_alone() -> str:
    lines = seed_lines(TWO)
    return "\n".join(lines[lines.index(IRAN_TITLE):])


def make_inputs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a_original.txt").write_bytes(MAIN.read_bytes())
    (folder / "b_identical.txt").write_bytes(MAIN.read_bytes())
    (folder / "c_resaved.txt").write_bytes(resaved(MAIN))
    (folder / "d_same_title.txt").write_text(same_title_other_body(), encoding="utf-8")
    (folder / "e_iran.txt").write_text(iran_alone(), encoding="utf-8")
    (folder / "f_two_articles.txt").write_bytes(TWO.read_bytes())
    return folder


def extract(*args: str) -> tuple[list[dict], dict]:
    report = Path(args[0]).parent / "report.json"
    result = run_cli("extract", *args, "--report", str(report))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    return records, json.loads(report.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict], dict]:
    folder = make_inputs(tmp_path_factory.mktemp("dups") / "in")
    records, report = extract(str(folder))
    return folder, records, report


def by_name(records: list[dict]) -> dict[tuple[str, int], dict]:
    return {(Path(r["source"]).name, r["index"]): r for r in records}


def test_every_input_is_accounted_for(extracted: tuple[Path, list[dict], dict]) -> None:
    folder, _, report = extracted
    files = {Path(f["source"]).name: f for f in report["files"]}
    assert len(files) == len(report["files"]) == report["inputs"] == 6
    assert {name: f["status"] for name, f in files.items()} == {
        "a_original.txt": "ok", "b_identical.txt": "duplicate", "c_resaved.txt": "duplicate",
        "d_same_title.txt": "ok", "e_iran.txt": "ok", "f_two_articles.txt": "ok"}
    assert report["status_counts"] == {"duplicate": 2, "ok": 4}
    assert (report["articles"], report["duplicates_merged"]) == (4, 3)
    kept = str(folder / "a_original.txt")
    for name in ("b_identical.txt", "c_resaved.txt"):
        assert files[name]["duplicate_of"] == kept
        assert files[name]["reason"].startswith(f"same article as {kept} (")
    assert "identical" in files["b_identical.txt"]["reason"]
    assert "same title" in files["c_resaved.txt"]["reason"]
    assert files["a_original.txt"]["duplicates"] == [str(folder / "b_identical.txt"), str(folder / "c_resaved.txt")]
    # Part of a file merged: the file is published, and says which article went where.
    [merged] = files["f_two_articles.txt"]["merged"]
    assert merged["article"] == f"{folder / 'f_two_articles.txt'}#1" and merged["kept"] == str(folder / "e_iran.txt")
    assert files["e_iran.txt"]["duplicates"] == [f"{folder / 'f_two_articles.txt'}#1"]


def test_extract_keeps_every_record_and_marks_the_copies(extracted: tuple[Path, list[dict], dict]) -> None:
    folder, records, _ = extracted
    got = by_name(records)
    assert len(records) == 7  # every file's own extraction stays whole (it is scored file by file)
    assert got[("c_resaved.txt", 0)]["encoding"] == "windows-1256"
    assert got[("c_resaved.txt", 0)]["title"] != TITLE  # the tatweel is kept as written ...
    assert got[("c_resaved.txt", 0)]["content_hash"] != got[("a_original.txt", 0)]["content_hash"]  # ... and it differs
    assert got[("a_original.txt", 0)]["duplicates"] == [str(folder / "b_identical.txt"), str(folder / "c_resaved.txt")]
    assert got[("a_original.txt", 0)]["duplicate_of"] is None
    assert got[("b_identical.txt", 0)]["duplicate_of"] == got[("c_resaved.txt", 0)]["duplicate_of"] \
        == str(folder / "a_original.txt")
    # The same headline over another body is another article.
    assert got[("d_same_title.txt", 0)]["title"] == TITLE
    assert got[("d_same_title.txt", 0)]["duplicate_of"] is None and got[("d_same_title.txt", 0)]["duplicates"] == []
    # The two articles of one file stay two; only the second is a copy (of the file holding it alone).
    assert got[("f_two_articles.txt", 0)]["duplicate_of"] is None
    assert got[("f_two_articles.txt", 1)]["duplicate_of"] == str(folder / "e_iran.txt")
    assert got[("e_iran.txt", 0)]["title"] == IRAN_TITLE


def test_merge_duplicates_flag_prints_what_the_site_publishes(extracted: tuple[Path, list[dict], dict]) -> None:
    folder, _, _ = extracted
    result = run_cli("extract", str(folder), "--merge-duplicates")
    assert result.returncode == 0, result.stderr
    names = sorted((Path(r["source"]).name, r["index"]) for r in map(json.loads, result.stdout.splitlines()))
    assert names == [("a_original.txt", 0), ("d_same_title.txt", 0), ("e_iran.txt", 0), ("f_two_articles.txt", 0)]
    assert "3 duplicates of others" in result.stderr


def test_published_copy_does_not_depend_on_names_or_order(tmp_path: Path) -> None:
    """The copy with the better date evidence wins whichever file comes first."""
    undated = "\n".join(line for line in seed_lines(MAIN) if not line.startswith("12.04.2017"))
    chosen = []
    for dated_name, undated_name in (("1.txt", "2.txt"), ("2.txt", "1.txt")):
        folder = tmp_path / dated_name.removesuffix(".txt") / "in"
        folder.mkdir(parents=True)
        (folder / dated_name).write_bytes(MAIN.read_bytes())
        (folder / undated_name).write_text(undated, encoding="utf-8")
        for paths in ([folder / "1.txt", folder / "2.txt"], [folder / "2.txt", folder / "1.txt"]):
            records, report = extract(*map(str, paths))
            [published] = [r for r in records if r["duplicate_of"] is None]
            assert published["date"] == "2017-04-12" and published["date_source"] == "dateline"
            chosen.append(Path(published["source"]).name)
            assert {Path(f["source"]).name: f["status"] for f in report["files"]} == {
                dated_name: "ok", undated_name: "duplicate"}
    assert chosen == ["1.txt", "1.txt", "2.txt", "2.txt"]


def test_identical_copies_keep_the_same_one_in_any_order(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("x.txt", "y.txt", "z.txt"):
        (folder / name).write_bytes(MAIN.read_bytes())
    kept = set()
    for order in (("x.txt", "y.txt", "z.txt"), ("z.txt", "y.txt", "x.txt"), ("y.txt", "z.txt", "x.txt")):
        records, _ = extract(*(str(folder / name) for name in order))
        kept |= {Path(r["source"]).name for r in records if r["duplicate_of"] is None}
    assert kept == {"x.txt"}


def test_site_publishes_one_page_pair_and_records_both_sources(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "inputs")
    root = make_archive(tmp_path / "archive", sorted(inputs.glob("*.txt")))
    settings = replace(Settings.for_root(root), packages_dir=tmp_path / "no-packages")  # pending translations
    summary = generate_docs(settings)
    assert summary is not None and summary.articles == 4
    pages = sorted((root / "docs" / "archive" / "articles").rglob("*.md"))
    arabic = [p for p in pages if not p.name.endswith(".en.md")]
    assert len(arabic) == 4 and len(pages) == 8  # one Arabic + English pair per article
    fronts = [yaml.safe_load(p.read_text(encoding="utf-8").split("---\n")[1]) for p in arabic]
    published = sorted((Path(f["source"]).name, f["source_index"]) for f in fronts)
    assert published == [("a_original.txt", 0), ("d_same_title.txt", 0), ("e_iran.txt", 0), ("f_two_articles.txt", 0)]
    assert sum(f["title"] == TITLE for f in fronts) == 2  # the article, and the other one under its headline
    report = json.loads(settings.report_path.read_text(encoding="utf-8"))
    assert report["status_counts"] == {"duplicate": 2, "ok": 4}
    files = {Path(f["source"]).name: f for f in report["files"]}
    # Sources are named relative to the archive root, the same on every machine.
    assert files["a_original.txt"]["duplicates"] == ["seeds/b_identical.txt", "seeds/c_resaved.txt"]
    # The built page names every file the article was saved in.
    built = run_cli("build", "--config", str(root / "mkdocs.yml"), "--site-dir", str(root / "site"),
                    "--packages-dir", str(tmp_path / "no-packages"))
    assert built.returncode == 0, built.stderr[-2000:]
    kept = next(f for f in fronts if Path(f["source"]).name == "a_original.txt")
    for url in (kept["url"], kept["twin_url"]):
        html = (root / "site" / url / "index.html").read_text(encoding="utf-8")
        assert all(f"<code>{name}</code>" in html
                   for name in ("seeds/a_original.txt", "seeds/b_identical.txt", "seeds/c_resaved.txt"))


# --- the rule on records ------------------------------------------------------------------------------

BODY = ["أعلنت الحكومة اليوم عن خطة جديدة لدعم قطاع الزراعة في المناطق الريفية بقيمة مليار دولار.",
        "وقال وزير الزراعة في مؤتمر صحفي إن الخطة تشمل تقديم قروض ميسرة للمزارعين وتحديث أنظمة الري.",
        "وأضاف أن التنفيذ سيبدأ مطلع العام المقبل على أن يستمر ثلاث سنوات في جميع المحافظات."]


def article(source: str, index: int = 0, **fields: object) -> Article:
    return Article(source=source, index=index, **{"title": "الحكومة تطلق خطة لدعم الزراعة", "paragraphs": BODY,
                                                  **fields})


def test_two_articles_of_one_file_never_merge_even_through_a_third_file() -> None:
    x0, x1, y = article("x.txt"), article("x.txt", 1), article("y.txt")
    [(kept, copies)] = find_duplicates([x0, x1, y])
    assert {kept.ref, *(c.ref for c, _ in copies)} in ({"x.txt", "y.txt"}, {"x.txt#1", "y.txt"})


def test_same_text_reliably_dated_on_different_days_is_two_publications() -> None:
    a = article("a.txt", date="2023-04-21", date_source="label", date_confidence="high")
    b = article("b.txt", date="2024-04-10", date_source="label", date_confidence="high")
    assert find_duplicates([a, b]) == []
    # A page-header date is when the page was saved, not published: no conflict.
    c = article("c.txt", date="2025-01-01", date_source="page-header", date_confidence="low")
    [(kept, [(copy, _)])] = find_duplicates([a, c])
    assert (kept.ref, copy.ref) == ("a.txt", "c.txt")


def test_an_expanded_version_is_not_a_copy() -> None:
    """Same headline, the short text inside a much longer one: an update, kept apart."""
    longer = [*BODY, *(f"{p} وأشار المسؤول إلى تفاصيل إضافية رقم {n}." for n, p in enumerate(BODY * 3))]
    assert find_duplicates([article("a.txt"), article("b.txt", paragraphs=longer)]) == []


def test_report_counts_duplicates_and_keeps_every_file() -> None:
    a, b = article("a.txt"), article("b.txt")
    result = ExtractResult(outcomes=[FileOutcome("b.txt", "ok", articles=1), FileOutcome("a.txt", "ok", articles=1),
                                     FileOutcome("bad.txt", "rejected", reason="empty file")], articles=[b, a])
    merged = merge_duplicates(result)
    assert [x.ref for x in merged.articles] == ["a.txt"] and merged.articles[0].duplicates == ["b.txt"]
    assert [x.ref for x in merged.every_article()] == ["b.txt", "a.txt"]  # input order
    report = report_dict(merged)
    assert report["status_counts"] == {"duplicate": 1, "ok": 1, "rejected": 1}
    assert [f["source"] for f in report["files"]] == ["a.txt", "b.txt", "bad.txt"]
    assert result.articles[0].duplicate_of is None  # the input result is left as it was


def test_a_stray_headline_does_not_hide_a_copy_of_a_long_text() -> None:
    """Different titles merge only for a long, nearly identical text: short texts may be stock phrases."""
    long_body = [p for path in (MAIN,) for p in seed_lines(path) if len(p.split()) > 15]
    a = article("a.txt", title="الكرملين: تخلي موسكو عن الأسد", paragraphs=long_body)
    b = article("b.txt", title="آخر الأخبار من سوريا والعالم", paragraphs=[*long_body, "شارك الخبر مع أصدقائك الآن."])
    [(kept, [(copy, reason)])] = find_duplicates([b, a])
    assert (kept.ref, copy.ref) == ("a.txt", "b.txt") and reason.startswith("different title")
    assert find_duplicates([article("a.txt"), article("b.txt", title="عنوان آخر مختلف تماما")]) == []
