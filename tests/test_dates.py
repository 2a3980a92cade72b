"""Behaviour of generator.text.dates: one line in, the date it states (and how much of the line is date) out."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.text.dates import DateMatch, normalize_digits, parse_date_line, to_hijri

D = dt.date
HIGH = 0.99  # a line that is nothing but the date expression

# --------------------------------------------------------------------------- month names

MONTHS = [
    # Egyptian / Gulf
    ("يناير", 1), ("فبراير", 2), ("مارس", 3), ("أبريل", 4), ("ابريل", 4), ("إبريل", 4), ("مايو", 5),
    ("يونيو", 6), ("يونية", 6), ("يوليو", 7), ("يولية", 7), ("أغسطس", 8), ("اغسطس", 8), ("سبتمبر", 9),
    ("أكتوبر", 10), ("اكتوبر", 10), ("نوفمبر", 11), ("ديسمبر", 12),
    # Levantine / Iraqi
    ("كانون الثاني", 1), ("شباط", 2), ("آذار", 3), ("اذار", 3), ("نيسان", 4), ("أيار", 5), ("ايار", 5),
    ("حزيران", 6), ("تموز", 7), ("آب", 8), ("اب", 8), ("أيلول", 9), ("ايلول", 9), ("تشرين الأول", 10),
    ("تشرين الاول", 10), ("تشرين الثاني", 11), ("كانون الأول", 12), ("كانون الاول", 12),
    # Algeria / Tunisia
    ("جانفي", 1), ("فيفري", 2), ("أفريل", 4), ("افريل", 4), ("ماي", 5), ("جوان", 6), ("جويلية", 7),
    ("جويليه", 7), ("أوت", 8), ("اوت", 8),
    # Morocco
    ("يوليوز", 7), ("غشت", 8), ("شتنبر", 9), ("نونبر", 11), ("دجنبر", 12),
    # English / French
    ("January", 1), ("Feb", 2), ("March", 3), ("Sept", 9), ("December", 12), ("février", 2), ("août", 8),
    ("décembre", 12),
]  # fmt: skip


@pytest.mark.parametrize(("name", "month"), MONTHS)
def test_every_month_name(name: str, month: int) -> None:
    match = parse_date_line(f"15 {name} 2019")
    assert match is not None
    assert match.date == D(2019, month, 15)
    assert match.coverage >= HIGH


HIJRI_MONTHS = [
    ("محرم", 1), ("صفر", 2), ("ربيع الأول", 3), ("ربيع الآخر", 4), ("ربيع الثاني", 4), ("جمادى الأولى", 5),
    ("جمادي الأول", 5), ("جمادى الأول", 5), ("جمادى الآخرة", 6), ("جمادى الثانية", 6), ("جمادي الثاني", 6),
    ("رجب", 7), ("شعبان", 8), ("رمضان", 9), ("شوال", 10), ("ذو القعدة", 11), ("ذي القعدة", 11),
    ("ذو الحجة", 12), ("ذي الحجة", 12),
]  # fmt: skip


@pytest.mark.parametrize(("name", "month"), HIJRI_MONTHS)
def test_every_hijri_month_name(name: str, month: int) -> None:
    match = parse_date_line(f"10 {name} 1440 هـ")
    assert match is not None
    assert match.hijri == f"1440-{month:02d}-10"
    assert match.date is not None  # converted through Umm al-Qura
    assert to_hijri(match.date) == match.hijri


# --------------------------------------------------------------------------- whole lines

# line, expected date, time, hijri, label; coverage is checked separately below.
LINES = [
    # the seed corpus, exactly
    ("12.04.2017 | 14:59", D(2017, 4, 12), "14:59", None, None),
    ("السبت 25 مارس 2017 م - ٢٦ جمادي الثاني ١٤٣٨ هـ", D(2017, 3, 25), None, "1438-06-26", None),
    ("13 ابريل 2017 10:48", D(2017, 4, 13), "10:48", None, None),
    ("تاريخ النشر: 24th, December 2024 GMT", D(2024, 12, 24), None, None, "published"),
    ("3 أبريل 2025 - 10:41 مساءً", D(2025, 4, 3), "22:41", None, None),
    # mixed traditions for one month
    ("3 تشرين الثاني / نوفمبر 2019", D(2019, 11, 3), None, None, None),
    ("5 أيار (مايو) 2018", D(2018, 5, 5), None, None, None),
    ("10 يناير كانون الثاني 2016", D(2016, 1, 10), None, None, None),
    ("1 كانون الثاني/يناير 2016", D(2016, 1, 1), None, None, None),
    ("السبت 14 كانون الأول / ديسمبر 2019 | 08:45", D(2019, 12, 14), "08:45", None, None),
    # digit systems
    ("٢٥ مارس ٢٠١٧", D(2017, 3, 25), None, None, None),
    ("۲۵ مارس ۲۰۱۷", D(2017, 3, 25), None, None, None),
    ("الثلاثاء ۱۸ ینایر ۲۰۲۲ - ۱۴:۳۵ بتوقيت غرينتش", D(2022, 1, 18), "14:35", None, None),
    ("١٥ مارس ٢٠٢٠ - ١٠:٣٠ ص", D(2020, 3, 15), "10:30", None, None),
    ("٢٥/٠٣/٢٠١٧", D(2017, 3, 25), None, None, None),
    # numeric layouts
    ("12/04/2017", D(2017, 4, 12), None, None, None),
    ("12-04-2017", D(2017, 4, 12), None, None, None),
    ("3/11/2019", D(2019, 11, 3), None, None, None),  # day first, the Arabic convention
    ("04/25/2017", D(2017, 4, 25), None, None, None),  # 25 cannot be a month: month first
    ("2017/04/12", D(2017, 4, 12), None, None, None),
    ("2017-04-12", D(2017, 4, 12), None, None, None),
    ("2017.04.12", D(2017, 4, 12), None, None, None),
    ("2024-09-18T10:10:00Z", D(2024, 9, 18), "10:10", None, None),
    ("تاريخ النشر: 2023-06-01T09:15:00+03:00", D(2023, 6, 1), "09:15", None, "published"),
    ("تاريخ النشر : 2009-06-14 12:40:35", D(2009, 6, 14), "12:40", None, "published"),
    ("29.02.2020", D(2020, 2, 29), None, None, None),
    # times: ص / م / words / English, year-suffix م is not p.m.
    ("الجمعة، 15 مارس 2019 02:30 م", D(2019, 3, 15), "14:30", None, None),
    ("01:15 م الأحد 07 يوليو 2019", D(2019, 7, 7), "13:15", None, None),
    ("14 فبراير 2022 | 07:30 م", D(2022, 2, 14), "19:30", None, None),
    ("12.04.2017 12:15 م", D(2017, 4, 12), "12:15", None, None),  # 12 م is noon
    ("12.04.2017 12:15 ص", D(2017, 4, 12), "00:15", None, None),  # 12 ص is just after midnight
    ("12.04.2017 - 09:05 صباحاً", D(2017, 4, 12), "09:05", None, None),
    ("الاثنين 3 أكتوبر 2022 07:05 مساءً", D(2022, 10, 3), "19:05", None, None),
    ("12.04.2017 1:30 ظهرا", D(2017, 4, 12), "13:30", None, None),
    ("5 يونيو 2017 الساعة 5 مساء", D(2017, 6, 5), "17:00", None, None),
    ("25 مارس 2017 م", D(2017, 3, 25), None, None, None),
    ("25 مارس 2017م 10:30 م", D(2017, 3, 25), "22:30", None, None),
    ("الخميس ١٣ أبريل ٢٠١٧م", D(2017, 4, 13), None, None, None),
    ("الأحد 5 شتنبر 2021 - 11:20", D(2021, 9, 5), "11:20", None, None),
    ("الإثنين 12 جويلية 2021 | 20:15", D(2021, 7, 12), "20:15", None, None),
    ("12 أبريل 2017 - 10:30 بتوقيت مكة المكرمة", D(2017, 4, 12), "10:30", None, None),
    # Hijri alone and with Gregorian
    ("١٢ رجب ١٤٣٨ هـ", D(2017, 4, 9), None, "1438-07-12", None),
    ("الأحد ١٤ شوال ١٤٤٣هـ", D(2022, 5, 15), None, "1443-10-14", None),
    ("1 رمضان 1445 هجري", D(2024, 3, 11), None, "1445-09-01", None),
    ("1438/06/26 هـ", D(2017, 3, 25), None, "1438-06-26", None),
    ("30 جمادى الآخرة 1438 هـ", D(2017, 3, 29), None, "1438-06-30", None),  # a sighted 30th
    ("الأحد 24 رمضان 1441 هـ - 17 مايو 2020 م", D(2020, 5, 17), None, "1441-09-24", None),
    ("الأحد 12 رجب 1438 هـ الموافق 9 أبريل 2017 م", D(2017, 4, 9), None, "1438-07-12", None),
    ("الثلاثاء - 5 جمادى الأولى 1444 هـ - 29 نوفمبر 2022 مـ", D(2022, 11, 29), None, "1444-05-05", None),
    # English / French
    ("Wednesday, September 18, 2024 10:10:00 AM", D(2024, 9, 18), "10:10", None, None),
    ("\u200eWednesday, September 18, 2024 10:10:00 AM\u200e", D(2024, 9, 18), "10:10", None, None),
    ("Sep 18, 2024", D(2024, 9, 18), None, None, None),
    ("18 September 2024", D(2024, 9, 18), None, None, None),
    ("December 24, 2024 at 5:30 pm", D(2024, 12, 24), "17:30", None, None),
    ("18/09/2024 12:00 AM", D(2024, 9, 18), "00:00", None, None),
    ("Wed, 18 Sep 2024 09:30 p.m.", D(2024, 9, 18), "21:30", None, None),
    ("18 septembre 2024", D(2024, 9, 18), None, None, None),
    ("le 1er mars 2017 à 14h30", D(2017, 3, 1), "14:30", None, None),
    # labels
    ("نشر في: 12/04/2017", D(2017, 4, 12), None, None, "published"),
    ("نُشر في 12 أبريل 2017", D(2017, 4, 12), None, None, "published"),
    ("نشر بتاريخ 12-04-2017", D(2017, 4, 12), None, None, "published"),
    ("بتاريخ 12 أبريل 2017", D(2017, 4, 12), None, None, "published"),
    ("نشر في 23 أوت 2022 على الساعة 10:05", D(2022, 8, 23), "10:05", None, "published"),
    ("نشر في: الثلاثاء 16 فبراير 2021 - 06:40 م", D(2021, 2, 16), "18:40", None, "published"),
    ("Published: 2024-09-18", D(2024, 9, 18), None, None, "published"),
    ("Posted on 18 Sept. 2024", D(2024, 9, 18), None, None, "published"),
    ("آخر تحديث: 4/11/2019 09:20 (مكة المكرمة)", D(2019, 11, 4), "09:20", None, "updated"),
    ("تحديث: 12 أبريل 2017", D(2017, 4, 12), None, None, "updated"),
    ("تم التحديث 12/04/2017 - 11:00", D(2017, 4, 12), "11:00", None, "updated"),
    ("Updated: September 18, 2024", D(2024, 9, 18), None, None, "updated"),
    ("التاريخ: 12/04/2017", D(2017, 4, 12), None, None, None),
    ("تاريخ: 12 أبريل 2017", D(2017, 4, 12), None, None, None),
    ("يوم الأربعاء الـ12 من أبريل 2017", D(2017, 4, 12), None, None, None),
]


@pytest.mark.parametrize(("line", "date", "time", "hijri", "label"), LINES)
def test_date_lines(line: str, date: dt.date, time: str | None, hijri: str | None, label: str | None) -> None:
    match = parse_date_line(line)
    assert match is not None
    assert (match.date, match.time, match.hijri, match.label) == (date, time, hijri, label)
    assert match.relative is None
    assert match.coverage >= HIGH, match
    assert match.warnings == (), match.warnings


def test_place_words_lower_coverage() -> None:
    match = parse_date_line("الأربعاء 24 ابريل 2024 أبوظبي الإمارات")
    assert match is not None
    assert match.date == D(2024, 4, 24)
    assert match.warnings == ()  # 2024-04-24 is a Wednesday
    assert 0.5 < match.coverage < 0.8
    assert match.text == "الأربعاء 24 ابريل 2024"


def test_text_is_the_expression_as_written() -> None:
    line = "السبت 25 مارس 2017 م - ٢٦ جمادي الثاني ١٤٣٨ هـ"
    match = parse_date_line(line)
    assert match is not None
    assert match.text == line  # tatweel of "هـ" and Eastern digits kept
    match = parse_date_line("\u200fنُشِرَ في: الأربعاءِ 12 أبريل 2017 - 10:41 مساءً")
    assert match is not None
    assert match.text == "الأربعاءِ 12 أبريل 2017 - 10:41 مساءً"  # label out, diacritics kept
    assert (match.time, match.label) == ("22:41", "published")


# --------------------------------------------------------------------------- warnings


def test_weekday_contradiction_warns() -> None:
    match = parse_date_line("الثلاثاء 12.04.2017")
    assert match is not None
    assert match.date == D(2017, 4, 12)  # the printed date stands
    assert match.warnings == ("weekday الثلاثاء contradicts 2017-04-12 (a Wednesday)",)


def test_english_weekday_contradiction_warns() -> None:
    match = parse_date_line("Monday, September 18, 2024")
    assert match is not None
    assert match.warnings == ("weekday Monday contradicts 2024-09-18 (a Wednesday)",)


def test_hijri_disagreeing_with_gregorian_warns() -> None:
    match = parse_date_line("السبت 25 مارس 2017 م - 15 رجب 1438 هـ")
    assert match is not None
    assert (match.date, match.hijri) == (D(2017, 3, 25), "1438-07-15")
    assert len(match.warnings) == 1
    assert match.warnings[0].startswith("Hijri 1438-07-15 disagrees with Gregorian 2017-03-25")


@pytest.mark.parametrize("day", [25, 27, 28])  # Umm al-Qura says 26; local sighting may differ by a day or two
def test_hijri_within_sighting_tolerance_is_quiet(day: int) -> None:
    match = parse_date_line(f"25 مارس 2017 - {day} جمادى الآخرة 1438 هـ")
    assert match is not None
    assert match.warnings == ()


def test_disagreeing_month_pair_warns() -> None:
    match = parse_date_line("3 تشرين الثاني / أكتوبر 2019")
    assert match is not None
    assert match.date == D(2019, 11, 3)
    assert "disagree" in match.warnings[0]


def test_hijri_outside_the_table_keeps_the_hijri() -> None:
    match = parse_date_line("5 محرم 1300 هـ")
    assert match is not None
    assert (match.date, match.hijri) == (None, "1300-01-05")
    assert "outside" in match.warnings[0]


# --------------------------------------------------------------------------- relative dates

RELATIVE = [
    ("منذ ساعتين", "منذ ساعتين", None),
    ("منذ 3 ساعات", "منذ 3 ساعات", None),
    ("منذ ٥ دقائق", "منذ ٥ دقائق", None),
    ("قبل يومين", "قبل يومين", None),
    ("قبل 3 أيام", "قبل 3 أيام", None),
    ("أمس", "أمس", None),
    ("اليوم", "اليوم", None),
    ("أمس الأول", "أمس الأول", None),
    ("أمس الجمعة", "أمس", None),
    ("yesterday", "yesterday", None),
    ("2 hours ago", "2 hours ago", None),
    ("آخر تحديث: منذ 5 دقائق", "منذ 5 دقائق", "updated"),
    ("نشر منذ ساعتين", "منذ ساعتين", "published"),
]


@pytest.mark.parametrize(("line", "relative", "label"), RELATIVE)
def test_relative_lines(line: str, relative: str, label: str | None) -> None:
    match = parse_date_line(line)
    assert match is not None
    assert (match.date, match.relative, match.label) == (None, relative, label)
    assert match.coverage >= HIGH


# --------------------------------------------------------------------------- not dates

NOT_DATES = [
    "وتقدم روسيا الدعم للنظام السوري من خلال تدخلها العسكري في سوريا منذ ايلول 2015,  والذي ساعد في "
    "استرداد العديد من المناطق من قبضة المعارضة المسلحة",
    "منذ ايلول 2015",  # month and year only
    "قتل 18 عنصرا خلال الـ24 ساعة",
    "الناتو: روسيا خسرت نحو 900 ألف جندي منذ اندلاع حرب أوكرانيا",
    "في عام 2017 أعلن الرئيس",
    "جميع الحقوق محفوظة 2003 - 2009",
    "أعلن الكرملين أمس",  # relative word inside a sentence
    "عدد اليوم",  # navigation link
    "اليوم السابع",  # a newspaper's name
    "الأربعاء",  # a weekday is not a date
    "14:59",
    "31.02.2020",  # impossible dates
    "13/13/2020",
    "30 فبراير 2020",
    "32 مارس 2017",
    "29.02.2019",
    "1225 مارس 2017",  # day glued to another number
    "",
]


@pytest.mark.parametrize("line", NOT_DATES)
def test_not_a_date(line: str) -> None:
    assert parse_date_line(line) is None


def test_date_inside_body_sentence_has_low_coverage() -> None:
    line = (
        "وكانت مدينة بنغازي قد شهدت في 19 مارس 2011 معارك عنيفة على مداخلها الجنوبية، قبل أن يعلن المجلس "
        "الانتقالي تحرير البلاد في وقت لاحق من العام نفسه بعد أشهر من القتال المتواصل في مناطق عدة"
    )
    match = parse_date_line(line)
    assert match is not None
    assert match.date == D(2011, 3, 19)
    assert match.coverage < 0.2


def test_long_paragraph_is_parsed_around_its_years() -> None:
    filler = "وقال المتحدث باسم الوزارة إن الاجتماع تناول عدة ملفات مهمة. " * 12
    match = parse_date_line(filler + "وفي 3 أبريل 2025 - 10:41 مساءً أعلن الوزير " + filler)
    assert match is not None
    assert (match.date, match.time) == (D(2025, 4, 3), "22:41")
    assert match.coverage < 0.05


def test_dateparser_fallback_reads_what_the_grammar_misses() -> None:
    match = parse_date_line("2017 مارس 25 م")  # year-first with a month name
    assert match is not None
    assert match.date == D(2017, 3, 25)
    assert match.time is None  # the lone "م" must not become p.m.
    assert "fallback" in match.warnings[0]


# --------------------------------------------------------------------------- helpers


def test_normalize_digits() -> None:
    assert normalize_digits("٢٦ جمادي ١٤٣٨ و ۱۴۰۲") == "26 جمادي 1438 و 1402"
    assert normalize_digits("abc 123") == "abc 123"


def test_to_hijri() -> None:
    assert to_hijri(D(2017, 3, 25)) == "1438-06-26"
    assert to_hijri(D(2020, 5, 17)) == "1441-09-24"
    assert to_hijri(D(1900, 1, 1)) is None  # outside the Umm al-Qura table: None, not an exception


ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
NOISE = st.sampled_from([*"0123456789 :/.-|()،,ـمهصT\u200f\u00a0", "مارس", "رجب", "منذ", "2017", "am"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(ARABIC, NOISE, st.characters()), max_size=200).map("".join))  # also > 300 chars
def test_never_raises(line: str) -> None:
    match = parse_date_line(line)
    assert match is None or isinstance(match, DateMatch)
    if match is not None:
        assert 0.0 <= match.coverage <= 1.0
        assert match.date is not None or match.relative is not None or match.hijri is not None
