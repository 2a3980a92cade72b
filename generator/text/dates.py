"""Recognise publication dates in one line of Arabic (or English/French) news text.

The extractor calls `parse_date_line` on every candidate line and decides itself which line is
the publication date; this module only says what date a line states and how much of the line
is date (`coverage`), so a page header "السبت 25 مارس 2017 م" scores ~1.0 and a body sentence
that mentions a date scores ~0.1.

Why our own grammar instead of `dateparser.search.search_dates`:
  * over whole lines it finds false dates: "السبت 25 مارس 2017 م - ٢٦ جمادي الثاني ١٤٣٨ هـ" comes
    back as three "dates" ("السبت 25" → the 25th of the current month, "مارس 2017", and
    "١٤٣٨ هـ" → a day in the year 1438);
  * it reads the year suffix "م" (ميلادي) as p.m.: "25 مارس 2017 م 10:30" → 22:30, while
    "25 مارس 2017 م" alone makes parse() fail;
  * it knows neither Hijri months nor the double month names ("5 أيار (مايو) 2018");
  * it costs 1-100 ms per call, and the extractor runs this on every line of 10,000 files within
    a 30 s budget. The regex path here does ~40-60k mixed real lines/s (most lines leave after one
    cheap search for a 4-digit number or a relative-date keyword).
`dateparser.parse` remains only as a last resort for short lines (<= 12 words) that look date-like
(a 4-digit year, a month word and a 1-2 digit number) but that the grammar missed, e.g.
"2017 مارس 25" or "the 25th of March 2017": languages ar/en/fr, absolute dates only,
REQUIRE_PARTS day/month/year, labels and lone "م"/"ه" removed first, results cached.

Not recognised on purpose: two-digit years (12/04/17), dates without a year ("٢٦ مارس"),
spelled-out days ("الخامس والعشرين من مارس"), month + year alone ("منذ ايلول 2015").

Matching runs on a folded COPY of the line (digits → ASCII, alef/yeh/teh-marbuta variants merged,
tatweel/diacritics/bidi marks dropped, Latin lower-cased and de-accented). Folding maps every
character to at most one character, so spans map back to the original text by index.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from hijridate import Gregorian, Hijri

__all__ = ["DateMatch", "normalize_digits", "parse_date_line", "to_hijri"]


@dataclass(frozen=True)
class DateMatch:
    date: dt.date | None  # Gregorian (stated, or converted from a Hijri-only line)
    time: str | None  # "HH:MM", 24 h
    hijri: str | None  # Umm al-Qura "YYYY-MM-DD" when the line states a Hijri date
    coverage: float  # 0..1 share of the line's word tokens that belong to the date expression
    label: str | None  # "published" | "updated" | None
    relative: str | None = None  # "منذ ساعتين", "أمس", "2 hours ago"… when the line has only that
    warnings: tuple[str, ...] = ()
    text: str = ""  # the date expression as written in the line (labels excluded)


# --------------------------------------------------------------------------- folding

_EASTERN_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_DIGITS_TABLE = str.maketrans(_EASTERN_DIGITS + _PERSIAN_DIGITS, "0123456789" * 2)

# Characters dropped while folding: tatweel and harakat change nothing about the word, bidi and
# zero-width marks are invisible noise that Arabic web pages are full of.
_DROPPED_MARKS = "\u0640" + "".join(map(chr, range(0x064B, 0x0660))) + "\u0670"
_BIDI_AND_ZERO_WIDTH = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\ufeff"
)
_DROPPED = _DROPPED_MARKS + _BIDI_AND_ZERO_WIDTH


def _build_fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(c): None for c in _DROPPED}
    pairs = {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ة": "ه", "ک": "ك",
        "٫": ".", "٬": ",", "\u00a0": " ", "\u202f": " ", "\u3000": " ",
        "é": "e", "è": "e", "ê": "e", "ë": "e", "à": "a", "â": "a", "ä": "a", "î": "i", "ï": "i",
        "ô": "o", "ö": "o", "û": "u", "ù": "u", "ü": "u", "ç": "c",
        "É": "e", "È": "e", "Ê": "e", "À": "a", "Â": "a", "Î": "i", "Ô": "o", "Û": "u", "Ç": "c",
    }  # fmt: skip
    table.update({ord(k): v for k, v in pairs.items()})
    table.update({ord(a): d for a, d in zip(_EASTERN_DIGITS, "0123456789", strict=True)})
    table.update({ord(a): d for a, d in zip(_PERSIAN_DIGITS, "0123456789", strict=True)})
    table.update({c: " " for c in range(0x2000, 0x200B)})
    table.update({ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
    # The span map relies on one char → at most one char.
    assert all(v is None or len(v) == 1 for v in table.values())
    return table


_FOLD = _build_fold_table()


def _fold(text: str) -> str:
    return text.translate(_FOLD)


def normalize_digits(text: str) -> str:
    """Turn Eastern Arabic (٠-٩) and Persian (۰-۹) digits into ASCII; everything else is untouched."""
    return text.translate(_DIGITS_TABLE)


def _alternation(names: list[str]) -> str:
    """Regex alternation of folded names, longest first so "مايو" wins over "ماي"."""
    folded = sorted({" ".join(_fold(n).split()) for n in names}, key=len, reverse=True)
    return "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in folded)


def _table(spec: dict[int, list[str]]) -> dict[str, int]:
    return {" ".join(_fold(n).split()): num for num, names in spec.items() for n in names}


# --------------------------------------------------------------------------- vocabulary

_GREGORIAN_MONTHS = _table({
    1: ["يناير", "كانون الثاني", "كانون ثاني", "جانفي", "جانفييه", "january", "jan", "janvier", "janv"],
    2: ["فبراير", "شباط", "فيفري", "february", "feb", "février", "févr"],
    3: ["مارس", "آذار", "march", "mar", "mars"],
    4: ["أبريل", "إبريل", "نيسان", "أفريل", "april", "apr", "avril", "avr"],
    5: ["مايو", "أيار", "ماي", "may", "mai"],
    6: ["يونيو", "يونية", "حزيران", "جوان", "june", "jun", "juin"],
    7: ["يوليو", "يولية", "تموز", "جويلية", "جويليه", "يوليوز", "july", "jul", "juillet", "juil"],
    8: ["أغسطس", "آب", "أوت", "غشت", "august", "aug", "août"],
    9: ["سبتمبر", "أيلول", "شتنبر", "september", "sep", "sept", "septembre"],
    10: ["أكتوبر", "تشرين الأول", "تشرين أول", "october", "oct", "octobre"],
    11: ["نوفمبر", "تشرين الثاني", "تشرين ثاني", "نونبر", "november", "nov", "novembre"],
    12: ["ديسمبر", "كانون الأول", "كانون أول", "دجنبر", "december", "dec", "décembre"],
})  # fmt: skip

_HIJRI_MONTHS = _table({
    1: ["محرم", "المحرم", "محرم الحرام"],
    2: ["صفر", "صفر الخير"],
    3: ["ربيع الأول", "ربيع أول"],
    4: ["ربيع الآخر", "ربيع الثاني", "ربيع ثاني", "ربيع آخر"],
    5: ["جمادى الأولى", "جمادى الأول", "جمادى أولى", "جمادى أول"],
    6: ["جمادى الآخرة", "جمادى الثانية", "جمادى الثاني", "جمادى الآخر", "جمادى ثاني", "جمادى آخرة"],
    7: ["رجب", "رجب المرجب"],
    8: ["شعبان", "شعبان المعظم"],
    9: ["رمضان", "رمضان المبارك"],
    10: ["شوال"],
    11: ["ذو القعدة", "ذي القعدة"],
    12: ["ذو الحجة", "ذي الحجة"],
})  # fmt: skip

# Monday = 0, as datetime.weekday().
_WEEKDAYS = _table({
    0: ["الإثنين", "اثنين", "monday", "mon", "lundi"],
    1: ["الثلاثاء", "ثلاثاء", "tuesday", "tue", "tues", "mardi"],
    2: ["الأربعاء", "أربعاء", "wednesday", "wed", "mercredi"],
    3: ["الخميس", "خميس", "thursday", "thu", "thur", "thurs", "jeudi"],
    4: ["الجمعة", "جمعة", "friday", "fri", "vendredi"],
    5: ["السبت", "سبت", "saturday", "sat", "samedi"],
    6: ["الأحد", "أحد", "sunday", "sun", "dimanche"],
})  # fmt: skip
_WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_LABELS = {
    "published": ["تاريخ النشر", "تاريخ نشر", "نشر في", "نشر بتاريخ", "تم النشر", "تم نشره", "نشر",
                  "بتاريخ", "published on", "published", "posted on", "posted", "publié le",
                  "date de publication"],
    "updated": ["آخر تحديث", "تم التحديث", "تاريخ التحديث", "آخر تعديل", "تحديث", "محدث",
                "updated on", "last updated", "last update", "updated", "mis à jour le", "mis à jour",
                "modifié le"],
    "": ["تاريخ", "التاريخ", "date"],
}  # fmt: skip
_LABEL_KIND = {" ".join(_fold(n).split()): kind or None for kind, ns in _LABELS.items() for n in ns}

_MONTH_ALT = _alternation(list(_GREGORIAN_MONTHS))
_HIJRI_ALT = _alternation(list(_HIJRI_MONTHS))
_WEEKDAY_ALT = _alternation(list(_WEEKDAYS))
_LABEL_ALT = _alternation(list(_LABEL_KIND))

# --------------------------------------------------------------------------- grammar
# All patterns run on the folded line, so only ASCII digits, bare alef, ي and ه appear here.
# Every pattern STARTS with a literal or a character class: the regex engine then skips straight to
# candidate positions, while a leading lookbehind makes it try every position (~5x slower on long
# lines). The left word boundary is therefore checked in Python by `_scan` instead.

_NA = r"(?![\w])"  # word end
_DAY = r"(?P<d>[0-9]{1,2})(?:st|nd|rd|th|er)?(?![0-9])"  # a glued "ال" ("الـ25") is taken by _day_start
_OF = r"(?:\s*[,،\-]?\s*(?:من\s+)?(?:شهر\s+)?)"  # "25 من شهر مارس", "24th, December", "20-مارس-2022"
_YEAR_OF = r"\s*[,،\-]?\s*(?:(?:من\s+)?(?:عام|سنه)\s+)?"  # "مارس عام 2017"
_GREG_SUFFIX = r"(?:\s*(?:م|ميلادي|ميلاديه|للميلاد)" + _NA + ")?"
_HIJRI_SUFFIX = r"(?:\s*(?:ه|هجري|هجريه|للهجره)" + _NA + ")?"
# One month, or both traditions for the same month: "تشرين الثاني / نوفمبر", "أيار (مايو)",
# "يناير كانون الثاني".
_MONTH_EXPR = (
    rf"(?P<m1>{_MONTH_ALT})\.?{_NA}"
    rf"(?:\s*[/(\-–,،]?\s*(?P<m2>{_MONTH_ALT})\.?{_NA}\s*\)?)?"
)

_DAY_MONTH_YEAR = re.compile(rf"{_DAY}{_OF}{_MONTH_EXPR}{_YEAR_OF}(?P<y>[0-9]{{4}})(?![0-9]){_GREG_SUFFIX}")
_MONTH_DAY_YEAR = re.compile(  # "September 18, 2024", "Sep 18 2024"
    rf"{_MONTH_EXPR}\s*(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?(?![0-9])\s*[,،]?\s*"
    rf"(?P<y>[0-9]{{4}})(?![0-9]){_GREG_SUFFIX}"
)
_HIJRI_NAMED = re.compile(
    rf"{_DAY}{_OF}(?P<m1>{_HIJRI_ALT}){_NA}{_YEAR_OF}(?P<y>[0-9]{{4}})(?![0-9]){_HIJRI_SUFFIX}"
)
_NUM_SUFFIX = r"(?:\s*(?P<suf>م|ميلادي|ميلاديه|ه|هجري|هجريه)" + _NA + ")?"
_ISO = re.compile(  # 2017-04-12, 2017/04/12, 2024-09-18T10:10:00+03:00
    r"(?P<y>[0-9]{4})(?P<s>[-/.])(?P<m>[0-9]{1,2})(?P=s)(?P<d>[0-9]{1,2})(?![0-9])"
    r"(?:t(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::[0-9]{2}(?:\.[0-9]+)?)?(?:z|[+-][0-9]{2}:?[0-9]{2})?)?"
    + _NUM_SUFFIX
)
_DMY = re.compile(  # 12.04.2017, 12/04/2017, 12-04-2017, 26/06/1438 هـ
    r"(?P<a>[0-9]{1,2})\s?(?P<s>[-/.])\s?(?P<b>[0-9]{1,2})\s?(?P=s)\s?(?P<y>[0-9]{4})(?![0-9])" + _NUM_SUFFIX
)

# "م" right after a time is p.m.; after a year it is ميلادي (handled by the date patterns, which
# run first and claim it).
_US_CLOCK = re.compile(r"\s*,?\s*[0-9]{1,2}:[0-9]{2}:[0-9]{2}\s*(?:am|pm|a\.m\.|p\.m\.)(?![a-z])")
_AMPM = r"a\.m\.|p\.m\.|am|pm|صباحا|صباح|مساءا|مساء|ظهرا|ظهر|عصرا|عصر|ليلا|فجرا|ص|م"
_TIME = re.compile(
    r"(?P<h>[0-9]{1,2})\s?[:h]\s?(?P<mi>[0-9]{2})(?::[0-9]{2})?(?![0-9:])"
    rf"(?:\s*(?P<ap>{_AMPM}){_NA})?"
    # Hour-only times need an unambiguous word ("5 pm", "5 مساء"), never a bare ص/م.
    rf"|(?P<h2>[0-9]{{1,2}})\s*(?P<ap2>a\.m\.|p\.m\.|am|pm|صباحا|مساءا|مساء|ظهرا|عصرا|ليلا|فجرا){_NA}"
)
_PM = {"p.m.", "pm", "م", "مساء", "مساءا", "عصرا", "عصر"}
_AM = {"a.m.", "am", "ص", "صباحا", "صباح", "فجرا"}

_WEEKDAY = re.compile(rf"(?P<w>{_WEEKDAY_ALT})\.?{_NA}")
_LABEL = re.compile(rf"(?P<l>{_LABEL_ALT}){_NA}")
_CONNECTOR = re.compile(  # glue inside a date expression: "يوم الأربعاء", "على الساعة 10:05", "at 5:30 pm"
    r"(?:بتوقيت|في\s+تمام\s+الساعه|في\s+الساعه|علي\s+الساعه|تمام\s+الساعه|الساعه|الموافق\s+ل|الموافق|يوم|في|عند"
    rf"|at|on|a|le|the){_NA}"
)
_TZ = re.compile(
    r"(?:gmt|utc)(?:\s?[+-]\s?[0-9]{1,2}(?::?[0-9]{2})?)?(?![a-z])|ت\.غ"
    r"|بتوقيت\s+[^\s|،,\-–()0-9]+(?:\s+(?:المكرمه|المنوره|المحلي|الصيفي|الشتوي|غرينتش))?"
    r"|مكه\s+المكرمه"  # Al Jazeera's "(مكة المكرمة)" after a time means Makkah time
)

_NUMWORD = (
    r"(?:واحد|ثلاثه|ثلاث|اربعه|اربع|خمسه|خمس|سته|ست|سبعه|سبع|ثمانيه|ثماني|ثمان|تسعه|تسع|عشره|عشر"
    r"|بضعه|بضع|عده)"
)
_UNIT_AR = (
    r"(?:ثانيه|ثوان|ثواني|ثانيتين|دقيقه|دقائق|دقيقتين|دقيقتان|ساعه|ساعات|ساعتين|ساعتان|يوم|ايام|يومين|يومان|"
    r"اسبوع|اسابيع|اسبوعين|شهر|اشهر|شهور|شهرين|سنه|سنوات|سنين|سنتين|عام|اعوام|عامين)"
)
_RELATIVE = re.compile(
    rf"(?:(?:منذ|قبل)\s+(?:(?:[0-9]+|{_NUMWORD})\s+)?{_UNIT_AR}|(?:منذ|قبل)\s+(?:قليل|لحظات)"
    r"|امس\s+الاول|اول\s+(?:من\s+)?امس|امس|البارحه|اليوم|الان"
    r"|(?:[0-9]+|an?|one)\s+(?:second|sec|minute|min|hour|hr|day|week|month|year)s?\s+ago"
    r"|yesterday|today|just\s+now"
    r"|il\s+y\s+a\s+[0-9]+\s+(?:secondes?|minutes?|heures?|jours?|semaines?|mois|ans?)|hier|aujourd'hui"
    rf"){_NA}"
)


def _glued_word(c: str) -> bool:
    return c.isalnum()


def _glued_number(c: str) -> bool:
    return c in "0123456789.-/"


def _glued_time(c: str) -> bool:
    return c in "0123456789:."


def _scan(
    rx: re.Pattern[str], s: str, lo: int = 0, hi: int | None = None, glued: Callable[[str], bool] = _glued_word
) -> Iterator[re.Match[str]]:
    """`rx.finditer`, minus matches glued to the character before them (the left boundary)."""
    for m in rx.finditer(s, lo, len(s) if hi is None else hi):
        i = m.start()
        if i == 0 or not glued(s[i - 1]):
            yield m


def _day_start(s: str, i: int) -> int | None:
    """Start of a day number at i, including a prefixed "ال" ("الـ25"); None if glued to a word."""
    if i == 0 or not s[i - 1].isalnum():
        return i
    if i >= 2 and s.startswith("ال", i - 2) and (i == 2 or not s[i - 3].isalnum()):
        return i - 2
    return None


# Between two parts of one date expression only separators may stand.
_GAP = re.compile(r"[\s|/\\,،؛;:.\-–—•·()\[\]«»\"'*]*")
_WORDY = re.compile(r"[^\W_]")
_DROPPED_RX = re.compile(f"[{_DROPPED}]")
_CLOSE_PAREN = re.compile(r"\s*\)")
_ANY_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"
# Written digit-first (lookbehind after it) so the regex engine can skip ahead on the digit class.
_RAW_YEAR = re.compile(rf"[{_ANY_DIGIT}](?<![{_ANY_DIGIT}][{_ANY_DIGIT}])[{_ANY_DIGIT}]{{3}}(?![{_ANY_DIGIT}])")
# Cheap test on the unfolded line before folding it for _RELATIVE (lines with tatweel skip it).
_RAW_RELATIVE_HINT = re.compile(
    r"منذ|قبل|[اأإآ]مس|اليوم|البارح|الآن|الان|ago|yesterday|today|just now|hier|aujourd|il y a", re.IGNORECASE
)
_HIJRI_HINT = re.compile(r"محرم|صفر|ربيع|جماد|رجب|شعبان|رمضان|شوال|القعده|الحجه")
_YEARISH = re.compile(r"(?:18|19|20)[0-9]{2}(?![0-9])")
_DAYISH = re.compile(r"[0-9]{1,2}(?:st|nd|rd|th|er)?(?![0-9])")
_MONTH_WORD = re.compile(rf"(?:{_MONTH_ALT}){_NA}")
_LONE_SUFFIX = re.compile(rf"(?:م|ه|ميلادي|هجري){_NA}")

# Sighting-based Hijri calendars (Morocco, Egypt, Oman, Jordan…) may start a month a day before or
# after Umm al-Qura, and a header printed after sunset may already carry the next Hijri day; the two
# stack, so ±2 days is honest agreement. Real errors (wrong month/year) are off by weeks.
HIJRI_TOLERANCE_DAYS = 2
# A relative expression alone ("منذ ساعتين") is only a date line if it dominates the line;
# "عدد اليوم" (a nav link) or "أعلن الكرملين أمس" must not qualify.
RELATIVE_MIN_COVERAGE = 0.6
_FALLBACK_MAX_TOKENS = 12
# Longest line a relative expression can still dominate at RELATIVE_MIN_COVERAGE (fast-path bound).
_RELATIVE_MAX_TOKENS = 16
_WINDOW = 120  # chars around a date searched for its weekday, time, label…
_LONG_LINE = 300  # longer lines are body text: parsed in windows around their years
_LONG_LINE_MAX_YEARS = 8
_GREGORIAN_YEARS = range(1800, 2100)
_HIJRI_YEARS = range(1300, 1501)


@dataclass
class _Part:
    start: int
    end: int
    kind: str  # greg | hijri | rel | weekday | time | label | conn | tz | fallback
    value: Any = None  # greg: dt.date, hijri: (y, m, d), weekday: int, time: "HH:MM", label: kind
    time: str | None = None  # the "T10:10" of an ISO timestamp
    notes: tuple[str, ...] = ()  # warnings that only matter if this part survives overlap resolution


# --------------------------------------------------------------------------- conversions


def to_hijri(date: dt.date) -> str | None:
    """Umm al-Qura date "YYYY-MM-DD" for a Gregorian date; None outside hijridate's table
    (1924-08-01 … 2077-11-16) rather than raising, since callers use it for display only."""
    try:
        return Gregorian(date.year, date.month, date.day).to_hijri().isoformat()
    except (OverflowError, ValueError):
        return None


def _hijri_to_gregorian(year: int, month: int, day: int) -> dt.date | None:
    """Gregorian for a stated Hijri date; raises OverflowError outside the Umm al-Qura table."""
    try:
        return dt.date(*Hijri(year, month, day).to_gregorian().datetuple())
    except ValueError:
        # Day 30 of a month Umm al-Qura counts as 29 days is normal under local sighting.
        if day == 30 and 1 <= month <= 12:
            return dt.date(*Hijri(year, month, 29).to_gregorian().datetuple()) + dt.timedelta(days=1)
        return None


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# --------------------------------------------------------------------------- finding parts


def _month_of(m: re.Match[str], warnings: list[str]) -> int:
    first = " ".join(m.group("m1").split())
    month = _GREGORIAN_MONTHS[first]
    second = m.group("m2")
    if second:
        second = " ".join(second.split())
        if _GREGORIAN_MONTHS[second] != month:
            warnings.append(f"month names {first} and {second} disagree; using {first}")
    return month


def _date_parts(folded: str, warnings: list[str]) -> list[_Part]:
    """Every absolute date expression in the line, overlaps resolved (earliest, then longest)."""
    found: list[_Part] = []
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for m in pattern.finditer(folded):
            if pattern is _DAY_MONTH_YEAR:
                start = _day_start(folded, m.start())
            else:
                start = None if m.start() and folded[m.start() - 1].isalnum() else m.start()
            if start is None:
                continue
            year = int(m.group("y"))
            if year not in _GREGORIAN_YEARS:
                continue
            notes: list[str] = []
            date = _make_date(year, _month_of(m, notes), int(m.group("d")))
            if date:
                found.append(_Part(start, m.end(), "greg", date, notes=tuple(notes)))
    if _HIJRI_HINT.search(folded):
        for m in _HIJRI_NAMED.finditer(folded):
            start = _day_start(folded, m.start())
            hijri = (int(m.group("y")), _HIJRI_MONTHS[" ".join(m.group("m1").split())], int(m.group("d")))
            if start is not None and hijri[0] in _HIJRI_YEARS and 1 <= hijri[2] <= 30:
                found.append(_Part(start, m.end(), "hijri", hijri))
    for m in _scan(_ISO, folded, glued=_glued_number):
        part = _numeric(m, int(m.group("y")), int(m.group("m")), int(m.group("d")))
        if part:
            found.append(part)
    for m in _scan(_DMY, folded, glued=_glued_number):
        a, b = int(m.group("a")), int(m.group("b"))
        # Day-first is the Arabic convention; "04/25/2017" is month-first, and so is the US clock format
        # "3/5/2019 10:30:15 AM" (seconds and an English AM/PM: what en-US software prints).
        us_clock = m.group("s") == "/" and _US_CLOCK.match(folded, m.end()) is not None
        day, month = (b, a) if (b > 12 or us_clock) and a <= 12 else (a, b)
        part = _numeric(m, int(m.group("y")), month, day)
        if part:
            found.append(part)
    found.sort(key=lambda p: (p.start, p.start - p.end))
    kept: list[_Part] = []
    for part in found:
        if not kept or part.start >= kept[-1].end:
            kept.append(part)
    for part in kept:
        warnings.extend(part.notes)
    return kept


def _numeric(m: re.Match[str], year: int, month: int, day: int) -> _Part | None:
    """A numeric date is Hijri when its year is a Hijri year (1438/06/26 هـ), else Gregorian."""
    if year in _HIJRI_YEARS and (m.group("suf") or "ه") not in ("م", "ميلادي", "ميلاديه"):
        if 1 <= month <= 12 and 1 <= day <= 30:
            return _Part(m.start(), m.end(), "hijri", (year, month, day))
        return None
    if year not in _GREGORIAN_YEARS:
        return None
    date = _make_date(year, month, day)
    if date is None:
        return None
    part = _Part(m.start(), m.end(), "greg", date)
    if m.groupdict().get("H"):
        hour, minute = int(m.group("H")), int(m.group("M"))
        if hour < 24 and minute < 60:
            part.time = f"{hour:02d}:{minute:02d}"
    return part


def _time_of(m: re.Match[str]) -> str | None:
    if m.group("h") is not None:
        hour, minute, ap = int(m.group("h")), int(m.group("mi")), m.group("ap")
    else:
        hour, minute, ap = int(m.group("h2")), 0, m.group("ap2")
    if hour > 23 or minute > 59:
        return None
    return f"{_to_24h(hour, ap):02d}:{minute:02d}"


def _to_24h(hour: int, ap: str | None) -> int:
    if ap in _AM:
        return 0 if hour == 12 else hour  # "12:30 ص" is half past midnight
    if ap in _PM:
        return hour + 12 if hour < 12 else hour  # "12:30 م" is noon; "14:59 م" is already 24 h
    if ap in ("ظهرا", "ظهر"):
        return hour + 12 if 1 <= hour <= 5 else hour  # "1 ظهرا" is 13:00, "11 ظهرا" stays 11:00
    if ap == "ليلا":
        return hour + 12 if 6 <= hour < 12 else hour  # "10 ليلا" is 22:00, "2 ليلا" is 02:00
    return hour


def _candidate_parts(folded: str, seeds: list[_Part]) -> list[_Part]:
    """Words that belong to a date expression only when they touch one (closure decides).

    Only the neighbourhood of the seeds is searched: a label-weekday-date-time-zone chain never
    spans more than _WINDOW characters on either side, and body lines can be kilobytes long."""
    lo = max(0, min(p.start for p in seeds) - _WINDOW)
    hi = min(len(folded), max(p.end for p in seeds) + _WINDOW)
    parts: list[_Part] = []
    for m in _scan(_WEEKDAY, folded, lo, hi):
        parts.append(_Part(m.start(), m.end(), "weekday", _WEEKDAYS[m.group("w")]))
    for m in _scan(_TIME, folded, lo, hi, _glued_time):
        time = _time_of(m)
        if time:
            parts.append(_Part(m.start(), m.end(), "time", time))
    for m in _scan(_LABEL, folded, lo, hi):
        parts.append(_Part(m.start(), m.end(), "label", _LABEL_KIND[" ".join(m.group("l").split())]))
    for m in _scan(_CONNECTOR, folded, lo, hi):
        parts.append(_Part(m.start(), m.end(), "conn"))
    for m in _scan(_TZ, folded, lo, hi):
        parts.append(_Part(m.start(), m.end(), "tz"))
    for m in _scan(_RELATIVE, folded, lo, hi):
        parts.append(_Part(m.start(), m.end(), "rel"))
    # Longest-at-earliest wins, so "نشر في" is one label rather than "نشر" + connector "في".
    parts.sort(key=lambda p: (p.start, p.start - p.end))
    kept: list[_Part] = []
    for part in parts:
        if not kept or part.start >= kept[-1].end:
            kept.append(part)
    return kept


def _touches(folded: str, a: _Part, b: _Part) -> bool:
    if a.end <= b.start:
        return _GAP.fullmatch(folded, a.end, b.start) is not None
    if b.end <= a.start:
        return _GAP.fullmatch(folded, b.end, a.start) is not None
    return False


def _closure(folded: str, seeds: list[_Part], candidates: list[_Part]) -> list[_Part]:
    """Grow the date expression from its seeds through touching weekdays, times, labels…"""
    accepted = list(seeds)
    pending = [c for c in candidates if not any(c.start < s.end and s.start < c.end for s in seeds)]
    changed = True
    while changed and pending:
        changed = False
        for cand in list(pending):
            if any(_touches(folded, cand, a) for a in accepted):
                accepted.append(cand)
                pending.remove(cand)
                changed = True
    accepted.sort(key=lambda p: p.start)
    return accepted


def _count_words(text: str) -> int:
    """Word tokens: whitespace-delimited runs holding a letter or digit ("|", "-", "،" are not)."""
    return sum(1 for tok in text.split() if tok[0].isalnum() or _WORDY.search(tok))


def _coverage(folded: str, parts: list[_Part], total_tokens: int | None = None) -> float:
    """Share of the line's word tokens that the parts overlap (str.split work, no per-token regex)."""
    regions: list[list[int]] = []
    for start, end in sorted((p.start, p.end) for p in parts):
        while start > 0 and not folded[start - 1].isspace():  # widen to whole tokens
            start -= 1
        while end < len(folded) and not folded[end].isspace():
            end += 1
        if regions and start <= regions[-1][1]:
            regions[-1][1] = max(regions[-1][1], end)
        else:
            regions.append([start, end])
    covered = sum(_count_words(folded[start:end]) for start, end in regions)
    total = total_tokens or _count_words(folded)
    return round(covered / total, 3) if total else 0.0


def _original_text(line: str, folded: str, start: int, end: int) -> str:
    """Slice of the original line for a span of the folded line."""
    o_start, o_end = start, end
    if len(line) != len(folded):  # characters were dropped: shift past those before each index
        for m in _DROPPED_RX.finditer(line):
            if m.start() <= o_start:
                o_start += 1
            if m.start() < o_end:
                o_end += 1
            else:
                break
    while o_end < len(line) and line[o_end] in _DROPPED_MARKS:  # keep the tatweel of "هـ"
        o_end += 1
    return line[o_start:o_end]


# --------------------------------------------------------------------------- public entry point


def parse_date_line(line: str) -> DateMatch | None:
    """Parse one stripped line; None when it states neither a date nor a relative expression."""
    if not line:
        return None
    if len(line) > _LONG_LINE:
        return _parse_long_line(line)
    # Fast path: every absolute date has a 4-digit year and every relative expression a keyword;
    # most lines have neither and leave here without being folded.
    has_year = _RAW_YEAR.search(line) is not None
    folded = None
    if has_year:
        folded = _fold(line)
        warnings: list[str] = []
        seeds = _date_parts(folded, warnings)
        if seeds:
            return _assemble(line, folded, seeds, warnings)
    n_words = len(line.split())
    if n_words <= _RELATIVE_MAX_TOKENS and ("\u0640" in line or _RAW_RELATIVE_HINT.search(line)):
        folded = folded or _fold(line)
        m = next(_scan(_RELATIVE, folded), None)
        if m:
            found = _assemble(line, folded, [_Part(m.start(), m.end(), "rel")], [])
            if found:
                return found
    if has_year and folded is not None and n_words <= _FALLBACK_MAX_TOKENS:
        return _fallback(line, folded)
    return None


def _parse_long_line(line: str) -> DateMatch | None:
    """Body text: look for an absolute date only around its 4-digit numbers.

    Folding costs ~0.1 µs a character and paragraphs run to kilobytes, so only a window around each
    year is folded and parsed; coverage still counts every word of the line. Relative expressions
    and the dateparser fallback need short lines, so they cannot apply here."""
    total: int | None = None
    covered_to = 0
    for n, year in enumerate(_RAW_YEAR.finditer(line)):
        if n >= _LONG_LINE_MAX_YEARS:
            break
        if year.start() < covered_to:
            continue
        lo = line.rfind(" ", 0, max(0, year.start() - _WINDOW)) + 1  # cut windows at word boundaries
        hi = line.find(" ", min(len(line), year.end() + _WINDOW))
        hi = len(line) if hi < 0 else hi
        covered_to = hi
        segment = line[lo:hi]
        folded = _fold(segment)
        warnings: list[str] = []
        seeds = _date_parts(folded, warnings)
        if seeds:
            if total is None:
                total = _count_words(line)
            return _assemble(segment, folded, seeds, warnings, total_tokens=total)
    return None


def _assemble(
    line: str, folded: str, seeds: list[_Part], warnings: list[str], total_tokens: int | None = None
) -> DateMatch | None:
    """Grow the seeds into the full expression and turn it into a DateMatch.

    `line` may be a window of a longer line, whose word count is then `total_tokens`."""
    parts = _closure(folded, seeds, _candidate_parts(folded, seeds))
    coverage = _coverage(folded, parts, total_tokens)

    gregs = [p for p in parts if p.kind == "greg"]
    hijris = [p for p in parts if p.kind == "hijri"]
    times = [p.value for p in parts if p.kind == "time"]
    labels = [p.value for p in parts if p.kind == "label"]
    date: dt.date | None = None
    time: str | None = times[0] if times else None
    if gregs:
        date = gregs[0].value
        time = gregs[0].time or time  # an ISO timestamp's own time beats a loose one
        others = sorted({p.value.isoformat() for p in gregs[1:]} - {date.isoformat()})
        if others:
            ignored = ", ".join(others)
            warnings.append(f"several dates on one line: using {date.isoformat()}, ignoring {ignored}")

    hijri: str | None = None
    if hijris:
        hy, hm, hd = hijris[0].value
        hijri = f"{hy:04d}-{hm:02d}-{hd:02d}"
        try:
            converted = _hijri_to_gregorian(hy, hm, hd)
        except OverflowError:
            converted = None
            warnings.append(f"Hijri {hijri} is outside the Umm al-Qura table (1343-1500 AH)")
        if date is None:
            date = converted
        elif converted and abs((converted - date).days) > HIJRI_TOLERANCE_DAYS:
            warnings.append(
                f"Hijri {hijri} disagrees with Gregorian {date.isoformat()} "
                f"(Umm al-Qura gives {to_hijri(date) or 'no date'})"
            )

    relative: str | None = None
    if not gregs and not hijris:
        if coverage < RELATIVE_MIN_COVERAGE:
            return None
        relative = _original_text(line, folded, seeds[0].start, seeds[0].end)
    elif date is not None:
        for p in parts:
            if p.kind == "weekday" and p.value != date.weekday():
                word = _original_text(line, folded, p.start, p.end)
                actual = _WEEKDAY_EN[date.weekday()]
                warnings.append(f"weekday {word} contradicts {date.isoformat()} (a {actual})")

    shown = [p for p in parts if p.kind not in ("label", "conn")] or parts
    start, end = shown[0].start, max(p.end for p in shown)
    if folded.count("(", start, end) > folded.count(")", start, end):  # "09:20 (مكة المكرمة)"
        close = _CLOSE_PAREN.match(folded, end)
        end = close.end() if close else end
    text = _original_text(line, folded, start, end).strip(" |-–—،,/:")
    return DateMatch(
        date=date,
        time=time,
        hijri=hijri,
        coverage=coverage,
        label=labels[0] if labels else None,
        relative=relative,
        warnings=tuple(warnings),
        text=text,
    )


# --------------------------------------------------------------------------- dateparser fallback


def _fallback(line: str, folded: str) -> DateMatch | None:
    """Last resort for short date-like lines the grammar missed ("2017 مارس 25", "the 25th of March 2017")."""
    # dateparser must find day, month and year, so skip it unless all three could be there.
    if not all(next(_scan(rx, folded), None) for rx in (_YEARISH, _MONTH_WORD, _DAYISH)):
        return None
    # dateparser reads a lone "م" as p.m. and chokes on labels, so hand it only the date words.
    cleaned = folded
    for rx in (_LABEL, _LONE_SUFFIX):
        for m in reversed(list(_scan(rx, cleaned))):
            cleaned = f"{cleaned[: m.start()]} {cleaned[m.end() :]}"
    cleaned = " ".join(cleaned.replace("|", " ").replace("،", " ").split())
    date = _dateparser_date(cleaned)
    if date is None:
        return None
    # No spans from dateparser, so count every word that could be part of a date.
    parts = [
        _Part(m.start(), m.end(), "fallback")
        for rx in (_MONTH_WORD, _YEARISH, _DAYISH, _WEEKDAY, _LABEL, _CONNECTOR, _TZ, _LONE_SUFFIX, _TIME)
        for m in _scan(rx, folded)
    ]
    times = [t for t in (_time_of(m) for m in _scan(_TIME, folded, glued=_glued_time)) if t]
    labels = [_LABEL_KIND[" ".join(m.group("l").split())] for m in _scan(_LABEL, folded)]
    return DateMatch(
        date=date,
        time=times[0] if times else None,
        hijri=None,
        coverage=_coverage(folded, parts),
        label=labels[0] if labels else None,
        warnings=("date read by the dateparser fallback",),
        text=line.strip(),
    )


@functools.lru_cache(maxsize=4096)
def _dateparser_date(cleaned: str) -> dt.date | None:
    import dateparser  # imported lazily: it costs ~0.2 s and most runs never reach this point

    try:
        parsed = dateparser.parse(
            cleaned,
            languages=["ar", "en", "fr"],
            settings={
                "REQUIRE_PARTS": ["day", "month", "year"],
                "PARSERS": ["absolute-time"],
                "DATE_ORDER": "DMY",
                "RETURN_AS_TIMEZONE_AWARE": False,
            },
        )
    except Exception:  # dateparser raises assorted errors on odd input; a miss is the right answer
        return None
    if parsed is None or parsed.year not in _GREGORIAN_YEARS:
        return None
    return parsed.date()


# --------------------------------------------------------------------------- dates inside running text

_TODAY_WORDS = re.compile(r"(?:اليوم|يومه|امس(?:\s+الاول)?|البارحه|today|yesterday)\s*[,،]?\s*$")
_WEEKDAY_BEFORE = re.compile(rf"(?P<w>{_WEEKDAY_ALT})\.?\s*[,،]?\s*(?:(?:الموافق|يوم)\s+)?$")


@dataclass(frozen=True)
class DateMention:
    """An absolute date inside running text, with the words that tie it to the day of writing."""

    date: dt.date
    weekday_agrees: bool  # a weekday name right before it, and the date falls on that weekday
    today_word: str | None  # "اليوم", "يومه", "امس" … right before the weekday or the date (folded)


def date_mentions(text: str, limit: int = 6) -> list[DateMention]:
    """The first `limit` absolute Gregorian dates stated in `text` (a paragraph, a headline)."""
    if _RAW_YEAR.search(text) is None:
        return []
    folded = _fold(text)
    mentions: list[DateMention] = []
    for part in _date_parts(folded, []):
        if part.kind != "greg":
            continue
        before = folded[max(0, part.start - 40): part.start]
        weekday = _WEEKDAY_BEFORE.search(before)
        agrees = bool(weekday) and _WEEKDAYS[" ".join(weekday.group("w").split())] == part.value.weekday()
        head = before[: weekday.start()] if weekday else before
        today = _TODAY_WORDS.search(head)
        mentions.append(DateMention(part.value, agrees, today.group(0).strip(" ,،") if today else None))
        if len(mentions) >= limit:
            break
    return mentions


_WEEKDAY_WORD = re.compile(rf"(?:(?P<q>اليوم|يومه|امس(?:\s+الاول)?|البارحه)\s+)?(?:يوم\s+)?(?P<w>{_WEEKDAY_ALT}){_NA}")


def weekday_mentions(text: str) -> list[tuple[str | None, int]]:
    """Weekday names in running text, each with the word that dates it ("اليوم", "امس") if any.

    Arabic news writes the day of an event as its weekday ("أعلن الكرملين أمس الجمعة"), so these tie
    an article to the weekday it was written on. Monday = 0.
    """
    folded = _fold(text)
    found: list[tuple[str | None, int]] = []
    for m in _scan(_WEEKDAY_WORD, folded):
        qualifier = " ".join(m.group("q").split()) if m.group("q") else None
        found.append((qualifier, _WEEKDAYS[" ".join(m.group("w").split())]))
    return found
