"""Who published an article and who wrote it, as lines state it: copyright lines, bylines,
credits under the headline, tag lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from generator.text.arabic import match_key, words
from generator.text.lexicon import glossary, outlets

# --- publisher --------------------------------------------------------------------------------

_YEAR = re.compile(r"[\d٠-٩]{4}(?:\s*[-–]\s*[\d٠-٩]{4})?")
_COPYRIGHT_WORDS = re.compile(
    r"©|\(c\)|copyright|all rights reserved|جميع|الحقوق|حقوق|محفوظة|محفوظه|النشر|الطبع|والنشر|لـ?\s*$",
    re.IGNORECASE,
)


def publisher_from_copyright(line: str) -> str | None:
    """ "جميع الحقوق محفوظة لمركز الاتحاد للأخبار 2024©" → "مركز الاتحاد للأخبار"."""
    text = _YEAR.sub(" ", line)
    text = _COPYRIGHT_WORDS.sub(" ", text)
    text = re.sub(r"[.,،:|\-–—]+", " ", text)
    tokens = text.split()
    if tokens and tokens[0].startswith(("لـ", "ل")) and len(tokens[0]) > 2:
        # "لمركز" → "مركز": the preposition glued to the owner's name.
        tokens[0] = tokens[0][2:] if tokens[0].startswith("لـ") else tokens[0][1:]
    name = " ".join(tokens).strip()
    return name if 0 < len(words(name)) <= 8 else None


# --- bylines ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Byline:
    text: str  # as printed
    dateline: str | None = None  # place
    agency: str | None = None
    outlet: str | None = None  # a publishing outlet named in the byline
    author: str | None = None


_AUTHOR_LABEL = re.compile(
    r"^(?:كتب|كتبت|بقلم|إعداد|اعداد|تقرير|متابعة|حوار|ترجمة|تحرير|by)\s*[:：\-–]?\s*(?P<name>[^:：\d]{3,60}?)\s*$",
    re.IGNORECASE,
)
_PAREN_CREDIT = re.compile(
    r"^(?P<place>[^\W\d_][^()\n:؛،,.!?؟]{0,40}?)?\s*[-–—ـ]*\s*\((?P<credit>[^()\n]{2,40})\)\s*(?P<sep>[-–—ـ:]*)\s*"
)
_SEGMENTS = re.compile(r"^(?P<head>[^:\n]{3,120}?)\s*:\s*")
_SEG_SPLIT = re.compile(r"\s*(?:ـ{2,}|[-–—]+|ـ\s)\s*")
_FOLLOWUP = re.compile(r"^(?P<outlet>[^\W\d_][^_\-–—\n]{1,40}?)\s*[_\-–—]\s*متابعات\s*$")
_PLACE_WORDS = 3
_GENERIC_CREDITS = {match_key(w) for w in ("وكالات", "عواصم", "خاص", "متابعات", "مراسلين", "مراسلون")}


def _credit_kind(segment: str) -> str | None:
    """'agency' / 'outlet' when a byline segment names one, 'generic' for "وكالات"-style credits."""
    key = match_key(segment)
    if key in _GENERIC_CREDITS:
        return "generic"
    outlet = outlets().lookup(segment)
    return outlet.kind if outlet else None


def parse_byline(line: str, standalone: bool) -> tuple[Byline, str] | None:
    """Recognise a byline/dateline at the start of `line`; return it and the rest of the line.

    Handles "موسكو (وكالات)", "القاهرة - (أ ف ب):", "دمشق ــ الوطن ــ عواصم ــ وكالات:",
    "المناطق_متابعات", and, on a line of its own, "كتب: أحمد علي".
    """
    text = line.strip()
    if standalone:
        follow = _FOLLOWUP.match(text)
        if follow:
            name = follow["outlet"].strip()
            return Byline(text, outlet=name), ""
        author = _AUTHOR_LABEL.match(text)
        if author and len(words(author["name"])) <= 5:
            return Byline(text, author=author["name"].strip()), ""

    paren = _PAREN_CREDIT.match(text)
    if paren:
        place = (paren["place"] or "").strip(" -–—ـ")
        credit = paren["credit"].strip()
        kind = _credit_kind(credit)
        if kind and len(words(place)) <= _PLACE_WORDS:
            rest = text[paren.end():]
            byline_text = text[: paren.end()].rstrip(" -–—ـ")
            return Byline(byline_text, dateline=place or None,
                          agency=credit if kind in ("agency", "generic") else None,
                          outlet=credit if kind == "outlet" else None), rest

    glued = _glued_credit(text)
    if glued:
        return glued

    seg = _SEGMENTS.match(text)
    if seg:
        segments = [s.strip() for s in _SEG_SPLIT.split(seg["head"]) if s.strip()]
        kinds = [_credit_kind(s) for s in segments]
        if len(segments) >= 2 and any(kinds[1:]) and all(len(words(s)) <= _PLACE_WORDS for s in segments):
            outlet = next((s for s, k in zip(segments, kinds, strict=True) if k == "outlet"), None)
            agencies = [s for s, k in zip(segments, kinds, strict=True) if k in ("agency", "generic")
                        and match_key(s) != match_key("عواصم")]
            place = segments[0] if kinds[0] is None else None
            return Byline(text[: seg.end()].rstrip(), dateline=place, agency=" / ".join(agencies) or None,
                          outlet=outlet), text[seg.end():]
    return None


# Words that mark a credit segment as an outlet even when the outlets table does not know it.
_OUTLET_HINTS = re.compile(
    r"نيوز|الإخبارية|الاخبارية|بوابة|صحيفة|جريدة|موقع|قناة|وكالة|تايمز|برس|أونلاين|اونلاين|\bنت\b")
_CREDIT_SPLIT = re.compile(r"\s*(?:[-–—/|:،,]+|\s+من\s+)\s*")


@cache
def _place_keys() -> frozenset[str]:
    return frozenset(match_key(form) for e in glossary() if e.type == "place" for form in e.forms)


def parse_credit(text: str) -> Byline:
    """A short credit line under a headline: "الحسكة – عنب بلدي", "هسبريس من الرباط",
    "بنغازي - بوابة الوسط: سالم العبيدي", "سلطان الزهراني (جدة)", or just an author's name."""
    parsed = parse_byline(text, standalone=True)
    if parsed and not parsed[1].strip():
        return parsed[0]
    plain = text.replace("(", " - ").replace(")", " ")
    segments = [s.strip() for s in _CREDIT_SPLIT.split(plain) if s.strip()]
    place = outlet = agency = None
    people: list[str] = []
    for segment in segments:
        known = outlets().lookup(segment)
        if known and known.kind == "agency":
            agency = agency or segment
        elif known or (outlet is None and _OUTLET_HINTS.search(segment)):
            outlet = outlet or segment
        elif place is None and match_key(segment) in _place_keys():
            place = segment
        else:
            people.append(segment)
    author = " ".join(people) if people and len(words(" ".join(people))) <= 5 else None
    return Byline(text.strip(), dateline=place, agency=agency, outlet=outlet, author=author)


_GLUED_CREDIT = re.compile(r"^(?P<credit>(?:[^\W\d_][^\n:،,.!?؟\-–—]{1,30}?\s*[-–—:]\s*){1,3})(?=\S)")


def _glued_credit(text: str) -> tuple[Byline, str] | None:
    """ "عمون - تتأثر المملكة ..." / "الخرطوم: باج نيوز – أعلنت ...": a credit glued to the first
    paragraph. Every segment must be a known outlet, agency or place (or look like an outlet)."""
    match = _GLUED_CREDIT.match(text)
    if not match:
        return None
    segments = [s.strip() for s in re.split(r"\s*[-–—:]\s*", match["credit"]) if s.strip()]
    if not segments or any(len(words(s)) > _PLACE_WORDS for s in segments):
        return None
    credit = parse_credit(match["credit"].strip(" -–—:"))
    if credit.author or not (credit.outlet or credit.agency):
        return None
    return Byline(match["credit"].strip(), dateline=credit.dateline, agency=credit.agency,
                  outlet=credit.outlet), text[match.end():]


# --- tags -------------------------------------------------------------------------------------

_NISBA = re.compile(r"(ي|يه|يين|يون)$")  # relational adjectives: السورية، الروسي
_PARTICLES = {match_key(w) for w in ("أن", "إن", "في", "من", "على", "عن", "إلى", "مع", "بين", "ضد", "حول")}


def split_unseparated_tags(value: str) -> list[str]:
    """Split a tag line that lists multi-word tags with plain spaces.

    "الكرملين روسيا الأزمة السورية فلاديمير بوتين" → ["الكرملين", "روسيا", "الأزمة السورية",
    "فلاديمير بوتين"]: known multi-word names from the glossary stay whole, a particle binds to the
    next word, and a definite noun binds a following definite nisba adjective ("الرئيس الروسي").
    """
    tokens = value.split()
    keys = [match_key(t) for t in tokens]
    names = sorted({match_key(f) for e in glossary() for f in e.forms if " " in f} |
                   {k for o in outlets().outlets for k in o.keys if " " in k}, key=lambda k: -len(k.split()))
    tags: list[str] = []
    i = 0
    while i < len(tokens):
        span = 1
        for name in names:
            n = len(name.split())
            if " ".join(keys[i: i + n]) == name:
                span = n
                break
        else:
            nxt = keys[i + 1] if i + 1 < len(keys) else ""
            binds = keys[i] in _PARTICLES or (
                keys[i].startswith("ال") and nxt.startswith("ال") and bool(_NISBA.search(nxt)))
            if nxt and binds:
                span = 2
        tags.append(" ".join(tokens[i: i + span]))
        i += span
    return tags
