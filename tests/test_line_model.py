"""The learned line labeller and the rules around it: decoding constraints, a reproducible model,
date and publisher evidence, and the real pages (read from ../shared, never copied here)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.extract import extract_articles
from generator.extract.labeller import LABELS, can_be_headline, decode
from generator.extract.lines import prepare_lines
from generator.extract.publisher import PageNames, credit_outlets, inline_credit, is_description, segment_kind
from generator.model import SourceText
from generator.text.dates import date_mentions, parse_date_line, weekday_mentions
from generator.training.corpus import outlet_group, zone_labels
from generator.training.train import DEFAULT_REAL, MODEL_PATH, load_corpora, train

ROOT = Path(__file__).resolve().parent.parent
SCORER = ROOT.parent / "shared" / "tools" / "score_extraction.py"
needs_real = pytest.mark.skipif(not (DEFAULT_REAL / "truth").is_dir() or not SCORER.exists(),
                                reason="../shared/devset/real not beside the repository")


def extract_text(text: str) -> list:
    return extract_articles(SourceText(path=Path("case.txt"), text=text, encoding="utf-8"), "case.txt")


# --- decoding ------------------------------------------------------------------------------------


def _uniform(n: int, **overrides: dict[str, float]) -> list[dict[str, float]]:
    rows = [{label: 1 / len(LABELS) for label in LABELS} for _ in range(n)]
    for index, probabilities in overrides.items():
        rows[int(index[1:])] = probabilities
    return rows


def test_decoding_keeps_one_headline_above_one_body() -> None:
    # The model alone would say: headline, body, headline again, body.
    marginals = _uniform(4, i0={"T": 0.9, "B": 0.1}, i1={"B": 0.9, "T": 0.1}, i2={"T": 0.6, "B": 0.4},
                         i3={"B": 0.9, "T": 0.1})
    labels = decode(marginals)
    assert labels.count("T") == 1 and labels[0] == "T"
    body = [i for i, label in enumerate(labels) if label == "B"]
    assert body == [1, 2, 3] or (labels[2] == "X" and body == [1, 3])


def test_decoding_never_ends_outside_a_body_and_handles_one_line() -> None:
    assert decode(_uniform(1)) == ["B"]
    assert decode([]) == []
    assert decode(_uniform(3, i2={"PRE": 0.99})) [-1] in ("B", "POST")


def test_furniture_captions_and_bylines_cannot_be_headlines() -> None:
    lines = prepare_lines("اقرأ أيضاً\nالوزير خلال لقائه نظيره في العاصمة (أرشيف)/ getty images\nكتب: أحمد علي\n"
                          "وزير الخارجية يصل إلى العاصمة في زيارة رسمية")
    assert [can_be_headline(line) for line in lines] == [False, False, False, True]


# --- the model -----------------------------------------------------------------------------------


@needs_real
def test_the_committed_model_is_what_train_extractor_builds(tmp_path: Path) -> None:
    """Deterministic training from the corpora as they are: the committed file is reproducible."""
    rebuilt = tmp_path / "model"
    result = subprocess.run([sys.executable, "-m", "generator", "train-extractor", "--output", str(rebuilt)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    members = sorted(p.name for p in MODEL_PATH.glob("*.crfsuite"))
    assert members and sorted(p.name for p in rebuilt.glob("*.crfsuite")) == members
    for name in members:
        assert (rebuilt / name).read_bytes() == (MODEL_PATH / name).read_bytes(), \
            "retrain: python -m generator train-extractor"


def test_training_without_the_real_pages_still_gives_a_working_model(tmp_path: Path) -> None:
    models = train(load_corpora(real=None), tmp_path / "own", synthetic_count=60, members=1)
    from generator.extract.labeller import LineLabeller

    text = (ROOT / "seeds" / "000_7cc4ae428ed70fb2.txt").read_text(encoding="utf-8")
    [article] = extract_articles(SourceText(Path("x.txt"), text, "utf-8"), "x.txt", labeller=LineLabeller(models))
    assert article.title == "الكرملين: تخلي موسكو عن الأسد غير ممكن على الإطلاق"


def test_zone_labels_follow_the_truth() -> None:
    lines = prepare_lines("موقع\nالعنوان الرئيسي للخبر هنا\n12 مارس 2020\nفقرة أولى من النص.\nصورة\n"
                          "فقرة ثانية من النص.\nاقرأ أيضاً")
    labels, problems = zone_labels(lines, "العنوان الرئيسي للخبر هنا", ["فقرة أولى من النص.", "فقرة ثانية من النص."])
    assert labels == ["PRE", "T", "META", "B", "X", "B", "POST"] and not problems


def test_outlet_groups_join_mirrors() -> None:
    assert outlet_group("https://bh-mirror.noip.me/x", "a") == outlet_group("http://bh-mirror.ufcfan.org/y", "b")
    assert outlet_group("https://thenewkhalij.co/a", "a") == outlet_group("https://thenewkhalij.news/b", "b")
    assert outlet_group("http://arabic.china.org.cn/x", "a") == "china"
    assert outlet_group(None, "fallback") == "fallback"


@needs_real
def test_real_pages_with_the_shipped_model(tmp_path: Path) -> None:
    """The shipped model on the labelled real pages. These pages are in its training data, so this is
    a fitted score and only guards against regressions; benchmarks/quality.py gives the held-out one."""
    out = tmp_path / "out.jsonl"
    result = subprocess.run([sys.executable, "-m", "generator", "extract", str(DEFAULT_REAL / "cases"),
                             "--format", "jsonl"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    out.write_text(result.stdout, encoding="utf-8")
    scored = subprocess.run([sys.executable, str(SCORER), "--truth", str(DEFAULT_REAL / "truth"), str(out), "--json"],
                            capture_output=True, text=True, check=True)
    summary = json.loads(scored.stdout)
    assert summary["cases"] == 40
    for field, floor in (("title", 0.95), ("date", 0.95), ("publisher", 0.85), ("body_f1", 0.97)):
        assert summary[field] >= floor, (field, summary)


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "date", "time"), [
    ("3/5/2019 10:30:15 AM", "2019-03-05", "10:30"),  # en-US software's clock: month first
    ("نشر بتاريخ: 12/25/2019 9:03:44 PM", "2019-12-25", "21:03"),
    ("05/03/2019 10:30", "2019-03-05", "10:30"),  # without it: day first, the Arabic convention
    ("في يوم 8 ديسمبر، 2021 | بتوقيت 6:23 م", "2021-12-08", "18:23"),
    ("الأحد, 20-مارس-2022", "2022-03-20", None),
])
def test_date_lines(line: str, date: str, time: str | None) -> None:
    match = parse_date_line(line)
    assert match is not None and (match.date.isoformat(), match.time) == (date, time) and not match.warnings


def test_dates_in_running_text_carry_their_ties_to_the_day_of_writing() -> None:
    [today] = date_mentions("استقبل رئيس الحكومة اليوم الأربعاء ٩ تشرين الأول (أكتوبر) ٢٠١٩، وفدا")
    assert (today.date, today.weekday_agrees, today.today_word) == (dt.date(2019, 10, 9), True, "اليوم")
    [wrong_day] = date_mentions("وصل الوزير الاثنين 10 مايو 2022 إلى العاصمة")  # 10 May 2022 was a Tuesday
    assert not wrong_day.weekday_agrees
    assert weekday_mentions("أعلن الكرملين أمس الجمعة أن … وفي يوم الخميس") == [("امس", 4), (None, 3)]


def test_body_date_only_counts_when_the_text_makes_it_the_day_of_writing() -> None:
    body = ["وكانت الحكومة قد أعلنت في 12 مارس 2011 عن خطة مماثلة لم تنفذ في حينه بسبب الأزمة.",
            "وقال الوزير إن الخطة الجديدة تختلف عن سابقتها في مصادر التمويل وآليات التنفيذ والرقابة."]
    [past] = extract_text("\n".join(["الحكومة تطلق خطة جديدة لدعم المزارعين", *body]))
    assert past.date is None
    [today] = extract_text("\n".join(["الحكومة تطلق خطة جديدة لدعم المزارعين",
                                      "أطلقت الحكومة اليوم السبت 12 مارس 2011 خطة جديدة لدعم المزارعين في الأرياف.",
                                      *body]))
    assert (today.date, today.date_source) == ("2011-03-12", "body")


def test_a_header_clock_is_not_taken_unless_the_text_confirms_it() -> None:
    body = ["أعلنت وزارة الصحة أن حملة التطعيم ستشمل جميع المحافظات خلال الأسابيع المقبلة دون استثناء.",
            "وقال المتحدث باسم الوزارة إن الفرق الطبية جاهزة للعمل في المدارس والمراكز الصحية كافة."]
    page = ["الثلاثاء, مارس 17, 2026", "موقع الخبر", "الرئيسية", "أخبار", "وزارة الصحة تطلق حملة تطعيم واسعة", *body]
    [article] = extract_text("\n".join(page))
    assert article.date is None and any("not taken" in w for w in article.warnings)
    page[5] = "أعلنت وزارة الصحة اليوم الثلاثاء أن حملة التطعيم ستشمل جميع المحافظات خلال الأسابيع المقبلة."
    [confirmed] = extract_text("\n".join(page))
    assert (confirmed.date, confirmed.date_source, confirmed.date_confidence) == ("2026-03-17", "page-header", "low")


# --- publisher -----------------------------------------------------------------------------------


def _page(*texts: str) -> PageNames:
    lines = prepare_lines("\n".join(texts))
    return PageNames(lines, ["PRE"] * len(lines))


def test_credit_segments_are_told_apart() -> None:
    page = _page("صدى المدينة", "عنوان")
    assert segment_kind("رام الله", page) == "place"
    assert segment_kind("مصدر الإخبارية", page) == "outlet"  # a word outlets use in their names
    assert segment_kind("صدى المدينة", _page("صدى المدينة", "صدى المدينة – سامي علي")) == "outlet"  # stands twice
    assert segment_kind("سامي علي", page) == "person"
    assert segment_kind("متابعات", page) == "generic"
    assert segment_kind("getty images", page) == "generic"
    assert credit_outlets("عمان- “رأي اليوم”- خالد الجيوسي:", page) == ["رأي اليوم"]
    assert credit_outlets("النجداوي: 16 مليون دينار موازنة البلدية للعام المقبل", page) == []  # a sentence


def test_inline_credits_and_taglines() -> None:
    assert inline_credit("أربيل (كوردستان 24)- استقبل رئيس الحكومة") == "أربيل (كوردستان 24)-"
    assert inline_credit("أربيل، إقليم كوردستان (GOV.KRD) - استقبل الرئيس") == "أربيل، إقليم كوردستان (GOV.KRD) -"
    assert inline_credit("قال وزير الخارجية في مؤتمر صحفي عقده في العاصمة اليوم إن بلاده، ترحب") is None
    assert is_description("صحيفة ليبية شاملة") and is_description("موقع إخباري مستقل")
    assert not is_description("صحيفة صدى الشعب")
