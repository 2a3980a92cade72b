"""Extraction on the real seeds, on layouts written here, and through the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.extract import extract_articles
from generator.model import SourceText

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
SHARED = ROOT.parent / "shared"


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def extract_text(text: str) -> list:
    return extract_articles(SourceText(path=Path("case.txt"), text=text, encoding="utf-8"), "case.txt")


@pytest.fixture(scope="module")
def seed_records() -> dict[tuple[str, int], dict]:
    result = run_cli("extract", "seeds", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    return {(Path(r["source"]).name[:3], r["index"]): r for r in records}


@pytest.mark.skipif(not (SHARED / "tools" / "score_extraction.py").exists(), reason="../shared not beside repo")
def test_seeds_score_perfectly_with_the_shared_scorer(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = run_cli("extract", "seeds", "--format", "jsonl")
    out.write_text(result.stdout, encoding="utf-8")
    scored = subprocess.run([sys.executable, str(SHARED / "tools" / "score_extraction.py"), "--truth",
                             str(SHARED / "devset" / "truth"), str(out), "--json"],
                            capture_output=True, text=True, check=True)
    summary = json.loads(scored.stdout)
    for field in ("found", "title", "date", "time", "publisher", "body_p", "body_r", "body_f1"):
        assert summary[field] == 1.0, (field, summary)


def test_record_has_every_contract_key(seed_records: dict) -> None:
    keys = {"source", "index", "title", "date", "time", "date_source", "publisher", "byline", "dateline",
            "category", "tags", "paragraphs", "encoding", "warnings"}
    for record in seed_records.values():
        assert keys <= record.keys()
        assert record["source"].startswith("seeds/")


def test_second_article_in_seed_004_is_its_own_record(seed_records: dict) -> None:
    main, second = seed_records[("004", 0)], seed_records[("004", 1)]
    assert second["title"] == "الكرملين يدعو كل الأطراف لضبط النفس بشأن برنامج إيران النووي"
    assert second["paragraphs"][0].startswith("قالت روسيا، اليوم الجمعة")
    assert second["paragraphs"][-1].endswith("وهو ما تؤكد روسيا حقها فيه.")
    assert second["publisher"] == "المناطق"
    assert second["date"] is None  # only "اليوم الجمعة" and teaser dates: no publication date
    # The glued "أخبار قد تهمك" widget is cut off; its headlines are nowhere in the body.
    assert any(p.startswith("وقال المتحدث باسم الكرملين") for p in second["paragraphs"])
    assert not any("الناتو" in p for p in second["paragraphs"])
    assert not any("إيران" in p for p in main["paragraphs"])
    assert main["tags"] == ["الكرملين", "روسيا", "سوريا", "الأزمة السورية", "فلاديمير بوتين",
                            "الرئيس الروسي", "السلطات السورية", "أن روسیا", "فی سوریا"]


def test_boilerplate_never_reaches_a_body(seed_records: dict) -> None:
    furniture = ("اترك تعليق", "لن يتم نشر", "إلى الأعلى", "جميع الحقوق", "المصدر:", "شاهد أيضاً",
                 "كلمات دلالية", "TAG:", "أخبار ذات صلة", "مواقيت الصلاة", "الرئيسية /")
    for record in seed_records.values():
        body = "\n".join(record["paragraphs"])
        for phrase in furniture:
            assert phrase not in body, (record["source"], phrase)
        assert record["title"] not in record["paragraphs"]


def test_date_sources_say_where_each_date_came_from(seed_records: dict) -> None:
    assert seed_records[("000", 0)]["date_source"] == "dateline"
    header = seed_records[("001", 0)]
    assert (header["date_source"], header["date_confidence"]) == ("page-header", "low")
    assert header["hijri_date"] == "1438-06-26"
    # Seed 003 has a page-header date (2024) *and* a dateline (2017): the dateline wins.
    assert (seed_records[("003", 0)]["date"], seed_records[("003", 0)]["date_source"]) == ("2017-04-13", "dateline")
    assert seed_records[("004", 0)]["date_source"] == "label"
    assert seed_records[("002", 0)]["date_source"] == "none"


def test_bylines_and_datelines(seed_records: dict) -> None:
    assert seed_records[("001", 0)]["byline"] == "دمشق ــ الوطن ــ عواصم ــ وكالات:"
    assert seed_records[("001", 0)]["dateline"] == "دمشق"
    assert seed_records[("001", 0)]["paragraphs"][0].startswith("أعلن الكرملين أمس الجمعة")
    assert seed_records[("003", 0)]["byline"] == "موسكو (وكالات)"
    assert seed_records[("003", 0)]["paragraphs"][0].startswith("أعلن وزير الخارجية الروسي")


# --- layouts beyond the seeds ---------------------------------------------------------------------

BODY = [
    "أعلنت الحكومة اليوم عن خطة جديدة لدعم قطاع الزراعة في المناطق الريفية بقيمة مليار دولار.",
    "وقال وزير الزراعة في مؤتمر صحفي إن الخطة تشمل تقديم قروض ميسرة للمزارعين وتحديث أنظمة الري.",
    "وأضاف أن التنفيذ سيبدأ مطلع العام المقبل على أن يستمر ثلاث سنوات في جميع المحافظات.",
]


def test_label_date_beats_header_date_and_body_dates_are_ignored() -> None:
    text = "\n".join([
        "الخميس 1 يناير 2026",
        "الحكومة تطلق خطة لدعم الزراعة",
        "نشر في: 15 آذار 2021 - 09:30",
        *BODY,
        "وكانت الحكومة قد أعلنت في 12 مارس 2011 عن خطة مماثلة لم تنفذ.",
    ])
    [article] = extract_text(text)
    assert (article.date, article.time, article.date_source) == ("2021-03-15", "09:30", "label")
    assert article.title == "الحكومة تطلق خطة لدعم الزراعة"
    assert len(article.paragraphs) == 4


def test_header_date_is_only_a_fallback_and_says_so() -> None:
    [article] = extract_text("\n".join(["الأحد 5 شتنبر 2021", "عنوان الخبر المهم هنا اليوم", *BODY]))
    assert (article.date, article.date_source, article.date_confidence) == ("2021-09-05", "page-header", "low")


def test_relative_date_is_not_made_absolute() -> None:
    [article] = extract_text("\n".join(["الحكومة تطلق خطة لدعم الزراعة", "منذ ساعتين", *BODY]))
    assert article.date is None
    assert any("relative date" in w for w in article.warnings)


def test_contradicting_weekday_is_a_warning() -> None:
    # 2017-04-12 was a Wednesday, not a Monday.
    [article] = extract_text("\n".join(["الحكومة تطلق خطة لدعم الزراعة", "الاثنين 12 أبريل 2017", *BODY]))
    assert article.date == "2017-04-12"
    assert article.warnings and article.date_confidence == "medium"


def test_two_articles_without_furniture_between_them() -> None:
    other = ["وزير الصحة يفتتح مستشفى جديدا في العاصمة", "2 تشرين الثاني / نوفمبر 2019",
             "افتتح وزير الصحة اليوم مستشفى جديدا بسعة خمسمئة سرير في العاصمة بحضور عدد من المسؤولين.",
             "وقال الوزير إن المستشفى سيخدم أكثر من مليون نسمة في المنطقة ويضم أقساما متخصصة حديثة."]
    text = "\n".join(["الحكومة تطلق خطة لدعم الزراعة", "15/03/2021", *BODY, *other])
    first, second = extract_text(text)
    assert first.paragraphs == BODY and first.date == "2021-03-15"
    assert second.title == other[0] and second.date == "2019-11-02" and second.index == 1


def test_teaser_list_after_body_is_not_an_article() -> None:
    text = "\n".join(["الحكومة تطلق خطة لدعم الزراعة", *BODY, "اقرأ أيضا",
                      "وزير الصحة يفتتح مستشفى جديدا في العاصمة",
                      "افتتح وزير الصحة اليوم مستشفى جديدا بسعة خمسمئة سرير في العاصمة بحضور عدد من المسؤولين.",
                      "ارتفاع أسعار النفط في الأسواق العالمية"])
    articles = extract_text(text)
    assert len(articles) == 1 and articles[0].paragraphs == BODY


def test_inline_read_also_line_inside_body_is_dropped() -> None:
    text = "\n".join(["الحكومة تطلق خطة لدعم الزراعة", BODY[0], "اقرأ أيضا: ارتفاع أسعار النفط", *BODY[1:],
                      "شارك فيسبوك تويتر واتساب", "© 2022 جريدة الشرق الأوسط"])
    [article] = extract_text(text)
    assert article.paragraphs == BODY
    assert (article.publisher, article.publisher_en, article.publisher_source) == \
        ("الشرق الأوسط", "Asharq Al-Awsat", "copyright")


def test_author_byline_and_separated_tags() -> None:
    text = "\n".join(["الحكومة تطلق خطة لدعم الزراعة", "كتب: أحمد علي", *BODY,
                      "الوسوم: الزراعة، الحكومة، الري"])
    [article] = extract_text(text)
    assert article.byline == "كتب: أحمد علي"
    assert article.tags == ["الزراعة", "الحكومة", "الري"]
    assert article.paragraphs == BODY


# --- command line contract and bad input ------------------------------------------------------------


def test_cli_reports_bad_files_and_still_extracts_the_rest(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_bytes(SEEDS[0].read_bytes())
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "blank.txt").write_bytes(b"  \n\t\n")
    (inputs / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (inputs / "english.txt").write_text("The quick brown fox jumps over the lazy dog. " * 30)
    (inputs / "nested").mkdir()
    (inputs / "nested" / "win.txt").write_bytes(SEEDS[2].read_text(encoding="utf-8")
                                                .encode("cp1256", errors="replace"))
    report = tmp_path / "report.json"
    result = run_cli("extract", str(inputs), "--format", "jsonl", "--report", str(report))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 4 and all(line.count("\n") == 0 for line in errors)
    assert any("image.png" in line and "binary" in line for line in errors)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {Path(r["source"]).name for r in records} == {"good.txt", "win.txt"}
    assert next(r for r in records if r["source"].endswith("win.txt"))["encoding"] == "windows-1256"
    data = json.loads(report.read_text(encoding="utf-8"))
    accounted = {Path(f["source"]).name: f["status"] for f in data["files"]}
    assert accounted == {"good.txt": "ok", "win.txt": "ok", "empty.txt": "rejected", "blank.txt": "rejected",
                         "image.png": "rejected", "english.txt": "rejected"}
    assert all(f.get("reason") for f in data["files"] if f["status"] == "rejected")


def test_cli_gives_every_hostile_input_an_outcome(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    body = "".join(f"<p>{line}</p>" for line in SEEDS[0].read_text(encoding="utf-8").splitlines()[6:20] if line)
    (inputs / "page.html").write_text(
        f"<!DOCTYPE html><html lang='ar'><head><title>الكرملين يرد</title></head><body><article>"
        f"<h1>الكرملين يرد</h1>{body}</article></body></html>", encoding="utf-8")
    with (inputs / "huge.txt").open("wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50 * 1024 * 1024)
    (inputs / "garbage.txt").write_bytes(bytes(range(0x80, 0x100)) * 40)
    report = tmp_path / "report.json"
    result = run_cli("extract", str(inputs), "--report", str(report))
    outcomes = {Path(f["source"]).name: f for f in json.loads(report.read_text(encoding="utf-8"))["files"]}
    assert outcomes["page.html"]["status"] == "ok"
    assert outcomes["huge.txt"]["status"] == "rejected" and "too large" in outcomes["huge.txt"]["reason"]
    assert outcomes["garbage.txt"]["status"] == "rejected"
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["title"] == "الكرملين يرد" and len(record["paragraphs"]) >= 5


def test_cli_exit_zero_and_missing_path(tmp_path: Path) -> None:
    assert run_cli("extract", str(SEEDS[0])).returncode == 0
    missing = run_cli("extract", str(tmp_path / "nope.txt"))
    assert missing.returncode == 1 and "no such file" in missing.stderr


def test_cli_help_says_what_the_tool_does_and_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    assert "bilingual, searchable" in " ".join(result.stdout.split())
    for command in ("extract", "translate", "models", "build", "serve", "review"):
        assert f"\n    {command} " in result.stdout, command
    bare = run_cli()  # no command: a usage error naming what is missing, not a traceback
    assert bare.returncode == 2 and "COMMAND" in bare.stderr and "Traceback" not in bare.stderr


# --- robustness -------------------------------------------------------------------------------------

SEED_LINES = [line for path in SEEDS for line in path.read_text(encoding="utf-8").splitlines()]
arabic_text = st.text(alphabet=st.characters(min_codepoint=0x600, max_codepoint=0x6FF) | st.sampled_from(
    list(" \n:.،/|()-«»0123456789٠١٢٣٤٥٦٧٨٩")), max_size=400)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(SEED_LINES), arabic_text, st.text(max_size=80)), max_size=40))
def test_extractor_never_raises_on_random_and_mutated_text(lines: list[str]) -> None:
    for article in extract_text("\n".join(lines)):
        assert isinstance(article.paragraphs, list)
        assert article.date is None or len(article.date) == 10


def test_a_headline_with_pipes_stays_the_headline() -> None:
    # "|" separates a headline's parts as often as a breadcrumb's: only a path from a menu word is one.
    title = "الحكومة | الزراعة | خطة | دعم المزارعين في الأرياف"
    [article] = extract_text("\n".join([title, "12 مارس 2021", *BODY]))
    assert (article.title, article.date, len(article.paragraphs)) == (title, "2021-03-12", 3)


def test_a_very_long_first_line_is_still_the_headline_shown_cut() -> None:
    long_title = "عنوان " + " ".join(["طويل"] * 2000)  # about 10,000 characters
    [article] = extract_text("\n".join([long_title, "12 مارس 2021", *BODY]))
    assert article.title.startswith("عنوان طويل") and article.title.endswith(" …") and len(article.title) <= 302
    assert article.date == "2021-03-12" and article.paragraphs == BODY
    assert any("shown cut to 300" in w for w in article.warnings) and article.confidence["title"] <= 0.3
