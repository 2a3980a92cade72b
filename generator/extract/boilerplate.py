"""Recognise the page furniture that web copies carry around an article.

Each rule is a phrase list, matched tolerantly (letter variants, diacritics, spacing) at the start
of a line. Rules say what a line *is*; the extractor decides what to do with it (a tag line ends
the body and yields tags, a share line is just dropped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from generator.text.arabic import match_key, phrase_pattern, words


class Kind(StrEnum):
    TEASER = "teaser"  # "اقرأ أيضاً", "أخبار ذات صلة": links to other articles
    COMMENTS = "comments"
    SHARE = "share"
    COPYRIGHT = "copyright"
    TO_TOP = "to-top"
    TAGS = "tags"
    SOURCE = "source"  # "المصدر: ..."
    NAV = "nav"  # menus, breadcrumbs, section names
    NOISE = "noise"  # view counters, reading time, "follow us", image credits


# Kinds that close an article's body when they appear on a line of their own.
TERMINATORS = frozenset({Kind.TEASER, Kind.COMMENTS, Kind.COPYRIGHT, Kind.TO_TOP, Kind.TAGS, Kind.SOURCE})

# Labels: a phrase at the start of the line, optionally followed by ":" and a value.
_LABELS: dict[Kind, tuple[str, ...]] = {
    Kind.TEASER: (
        "اقرأ أيضا", "اقرأ المزيد", "اقرأ كذلك", "شاهد أيضا", "شاهد كذلك", "طالع أيضا", "تابع أيضا",
        "أخبار ذات صلة", "أخبار ذات علاقة", "مواضيع ذات صلة", "موضوعات ذات صلة", "مقالات ذات صلة",
        "أخبار متعلقة", "مواضيع متعلقة", "أخبار قد تهمك", "مواضيع قد تهمك", "قد يهمك أيضا", "قد يهمك",
        "قد يعجبك أيضا", "قد يعجبك", "اخترنا لك", "الأكثر قراءة", "الأكثر مشاهدة", "الأكثر تداولا",
        "المزيد من الأخبار", "المزيد من", "أحدث الأخبار", "آخر الأخبار", "مقالات مشابهة", "أخبار مشابهة",
        "read also", "read more", "related articles", "related news", "related", "see also",
    ),
    Kind.COMMENTS: (
        "اترك تعليقا", "اترك ردا", "أضف تعليقا", "أضف تعليق", "اكتب تعليقك", "أضف تعليقك", "التعليقات",
        "لن يتم نشر عنوان بريدك الإلكتروني", "الحقول الإلزامية مشار إليها", "إرسال التعليق",
        "احفظ اسمي", "leave a comment", "leave a reply", "comments",
    ),
    Kind.TAGS: (
        "كلمات دلالية", "الكلمات الدلالية", "كلمات مفتاحية", "الكلمات المفتاحية", "الوسوم", "وسوم",
        "الأوسمة", "الهاشتاغ", "مواضيع", "المواضيع", "الكلمات الدالة", "كلمات دالة", "الكلمات الرئيسية",
        "كلمات رئيسية", "tags", "tag",
    ),
    Kind.SOURCE: ("المصدر", "مصدر الخبر", "المصدر الأصلي", "source"),
    Kind.TO_TOP: ("إلى الأعلى", "العودة إلى الأعلى", "العودة للأعلى", "للأعلى", "back to top"),
    Kind.NOISE: (
        "عدد المشاهدات", "عدد القراءات", "مشاهدات", "المشاهدات", "وقت القراءة", "مدة القراءة",
        "تابعونا على", "تابعنا على", "حمل تطبيق", "للاشتراك في", "اشترك في", "صورة أرشيفية",
        "أرشيفية", "مصدر الصورة", "الصورة", "تصوير",
        # opinion disclaimers
        "المقالات المنشورة تعبر", "المقالات المنشورة لا تعبر", "الآراء الواردة", "الآراء المنشورة",
        "هذا المقال يعبر عن رأي", "المقال يعبر عن رأي", "جميع المقالات تعبر",
    ),
}

# Whole-line vocabularies: a short line made only of these words is furniture.
_SHARE_WORDS = frozenset(
    match_key(w)
    for w in (
        "شارك", "شاركها", "مشاركة", "شارك الخبر", "شارك المقال", "انشر", "طباعة", "اطبع", "أرسل لصديق",
        "حجم الخط", "فيسبوك", "فيس بوك", "تويتر", "واتساب", "واتس اب", "تلغرام", "تليجرام", "لينكد إن",
        "بريد", "نسخ الرابط", "facebook", "twitter", "whatsapp", "telegram", "linkedin", "email", "print",
        "share", "x", "messenger", "pinterest", "reddit", "copy", "link",
    )
    for w in match_key(w).split()
)
_NAV_WORDS = frozenset(
    match_key(w)
    for w in (
        "الرئيسية", "الصفحة الرئيسية", "مواقيت الصلاة", "أبرز الأخبار", "عدد اليوم", "اتصل بنا", "من نحن",
        "أخبار", "الأخبار", "آخر", "رياضة", "الرياضة", "اقتصاد", "الاقتصاد", "سياسة", "السياسة", "فيديو",
        "صور", "منوعات", "ثقافة", "تكنولوجيا", "صحة", "محليات", "عربي", "دولي", "عربي ودولي", "مقالات",
        "رأي", "الرأي", "الطقس", "بث مباشر", "english", "القائمة", "بحث", "تسجيل الدخول", "اشترك",
        "النشرة البريدية", "العالم", "العالمية", "السياسية", "المحلية", "الاقتصادية", "الرياضية", "الأولى",
        "home", "news", "menu", "search", "عاجل", "الصلاة", "مواقيت", "اليوم", "عدد", "أبرز", "الاخبار",
    )
    for w in match_key(w).split()
)
_COPYRIGHT = re.compile(
    "©|\\(c\\)\\s*\\d{4}|copyright|all rights reserved|"
    + "|".join(phrase_pattern(p) for p in ("جميع الحقوق محفوظة", "الحقوق محفوظة", "حقوق النشر", "حقوق الطبع")),
    re.IGNORECASE,
)
_BREADCRUMB_SEP = re.compile(r"\s+(?:/|>|»|›|\\|\|)\s+")

def _label_re(phrases: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(phrase_pattern(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(r"^\s*(?:" + alternatives + ")", re.IGNORECASE)


# One-word labels ("المصدر", "tags") are also ordinary words: as labels they need a colon or a
# line of their own. Multi-word phrases are distinctive enough to match anywhere at line start.
_LABEL_RES: list[tuple[Kind, bool, re.Pattern[str]]] = [
    (kind, strict, _label_re([p for p in phrases if (" " not in p) == strict]))
    for kind, phrases in _LABELS.items()
    for strict in (False, True)
    if any((" " not in p) == strict for p in phrases)
]
_LABEL_TAIL = re.compile(r"^\s*[:：\-–—|]*\s*")
_COLON_NEXT = re.compile(r"^\s*[:：\-–—|]")


@dataclass(frozen=True)
class Furniture:
    kind: Kind
    value: str  # what follows the label ("" when the line is only the label)
    glued: bool = False  # the label ran straight into the next word with no space or colon


def classify(line: str) -> Furniture | None:
    """What kind of page furniture `line` is, or None for ordinary text."""
    stripped = line.strip()
    if not stripped:
        return None
    if _COPYRIGHT.search(stripped) and len(words(stripped)) <= 25:
        return Furniture(Kind.COPYRIGHT, stripped)
    for kind, strict, pattern in _LABEL_RES:
        match = pattern.match(stripped)
        if not match:
            continue
        rest = stripped[match.end():]
        glued = bool(rest) and rest[0].isalnum()
        if strict and rest and not _COLON_NEXT.match(rest):
            continue
        if glued and kind is not Kind.TEASER:  # a longer word that merely starts like a label
            continue
        return Furniture(kind, _LABEL_TAIL.sub("", rest).strip(), glued)
    if len(stripped) > 160:  # share bars, menus and breadcrumbs are short
        return None
    tokens = match_key(stripped).split()
    if tokens and len(tokens) <= 12 and all(t in _SHARE_WORDS or t.isdigit() for t in tokens):
        return Furniture(Kind.SHARE, stripped)
    if is_breadcrumb(stripped):
        return Furniture(Kind.NAV, stripped)
    if tokens and len(tokens) <= 4 and all(t in _NAV_WORDS for t in tokens):
        return Furniture(Kind.NAV, stripped)
    return None


def is_breadcrumb(line: str) -> bool:
    stripped = line.strip()
    if len(stripped) > 1 and stripped[0] == stripped[-1] == "|":
        return False  # "| a | b |": a table row (article text), not a path of section names
    parts = _BREADCRUMB_SEP.split(line)
    if len(parts) < 3:
        return False
    if match_key(parts[0]) in _NAV_WORDS:
        return True
    # "|" also separates the parts of a headline ("الحكومة | الزراعة | خطة | …"): with it, only a
    # path starting at a menu word is a breadcrumb.
    return "|" not in line and all(len(words(p)) <= 4 for p in parts[:-1])


def breadcrumb_parts(line: str) -> list[str]:
    return [p.strip() for p in _BREADCRUMB_SEP.split(line) if p.strip()]


_STAMP = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:(?:صباح|مساء|ص|م)[اًٌٍَُِ\u0640]*|am|pm)?", re.IGNORECASE)


_TRAILING_TEASER = re.compile(
    r"(?<=[.!?؟…])[\"'»”]?\s*(?:" + "|".join(phrase_pattern(p) for p in _LABELS[Kind.TEASER] if " " in p)
    + r")\s*[:：]?.*$", re.IGNORECASE)


def strip_trailing_teaser(text: str) -> str:
    """Cut a "اقرأ أيضاً: ..." link glued after the last full stop of a paragraph."""
    return _TRAILING_TEASER.sub("", text).rstrip()


def strip_glued_teaser(furniture: Furniture) -> str:
    """Body text left after a teaser widget that was glued to the start of a body line.

    Widgets list other headlines with their time stamps ("... 3 أبريل 2025 - 10:41 مساءً"),
    so the article text resumes after the last stamp; without stamps it is what follows the label.
    """
    rest = furniture.value
    stamps = list(_STAMP.finditer(rest))
    if stamps:
        rest = rest[stamps[-1].end():]
    return rest.strip()


def split_tags(value: str) -> list[str]:
    """Split a tag line on its separators ("،", ",", "|", "#", "؛")."""
    parts = re.split(r"\s*[،,|#؛;•·]\s*|\s{2,}|\s+-\s+", value)
    return [p.strip(" .:") for p in parts if p.strip(" .:")]
