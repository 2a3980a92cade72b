"""Who published the article: the outlet the page names in its furniture.

Pages name their outlet in many places: an "المصدر:" line, a credit line under the headline
("رام الله - مصدر الإخبارية", "عمان- “رأي اليوم”- خالد الجيوسي:"), the dateline glued to the first
paragraph ("أربيل (كوردستان 24)- ..."), a copyright line, the masthead above the headline, the
site name around the headline ("صنعاء نيوز - <headline>"), or its web address. Every such place
gives candidates; the most explicit one wins (a credited source outranks the republishing site,
as an aggregator's copy should be credited to its source).

A segment of a credit line is taken as an outlet only with evidence that it is one: the known
outlets table, a word outlets use in their names (نيوز، الإخبارية، بوابة، صحيفة…), quotation
marks, a web address, or the same name elsewhere in the page's furniture. Places, people, agencies,
"متابعات"-style credits, photo credits and comment labels are never publishers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from generator.extract import boilerplate as bp
from generator.extract.credits import publisher_from_copyright
from generator.extract.lines import Line
from generator.text.arabic import match_key, words
from generator.text.lexicon import _LOADER, canonical_publisher, glossary, outlets

CONFIDENCE = {"html-meta": 0.85, "source-line": 0.9, "credit": 0.85, "copyright": 0.85, "masthead": 0.75,
              "headline": 0.75, "domain": 0.7, "mention": 0.6, "first-line": 0.5}
MAX_NAME_WORDS = 5
_SPLIT = re.compile(r"\s*(?:ـ{2,}|\s[-–—]+\s?|[-–—]+\s|[-–—]{2,}|\s/|/\s|[|:：،,()\[\]]|\s+من\s+)\s*")
_BRACKETED = re.compile(r"[(«“\"]([^()«»“”\"]{2,40})[)»”\"]")
_QUOTED = re.compile(r"[“”\"«»„]([^“”\"«»„]{2,40})[“”\"«»„]")
_DOMAIN = re.compile(r"\b((?:[a-z0-9-]+\.)+(?:com|net|org|info|co|tv|news|press|ma|dz|tn|ly|eg|sa|ae|qa|kw|bh"
                     r"|om|jo|lb|sy|iq|ye|sd|ps|fr|uk|cn|ru|tr|me|online|site|krd)(?:\.[a-z]{2})?)\b", re.IGNORECASE)
# Words outlets put in their own names.
_OUTLET_HINTS = re.compile(
    r"نيوز|الإخبارية|الاخبارية|الإخباري|الاخباري|بوابة|صحيفة|جريدة|موقع|قناة|وكالة|تايمز|برس|بوست|أونلاين|اونلاين"
    r"|شبكة|مجلة|راديو|إذاعة|اذاعة|تلفزيون|تي ?في|أف ?إم|اف ?ام|\bنت\b|24|٢٤|\bfm\b|\btv\b|news", re.IGNORECASE)
# Words that make a line a description of the site ("صحيفة ليبية شاملة"), not its name.
_DESCRIPTIVE = {match_key(w) for w in (
    "صحيفة", "جريدة", "موقع", "شبكة", "مجلة", "بوابة", "يومية", "شاملة", "مستقلة", "إلكترونية", "الكترونية",
    "إخبارية", "اخبارية", "أسبوعية", "سياسية", "عربية", "دولية", "محلية", "ثقافية", "رياضية", "اقتصادية",
    "جامعة", "حرة", "أولى", "الأولى", "رائدة", "متخصصة", "إخباري", "اخباري", "عربي", "شامل", "مستقل", "يومي")}
_NISBA_INDEFINITE = re.compile(r"^[^ا][^\s]*ي[ةه]?$")  # ليبية، عربي: an adjective, not a name
_GENERIC = {match_key(w) for w in ("وكالات", "عواصم", "خاص", "متابعات", "مراسلين", "مراسلون", "مراسلنا", "المحرر",
                                   "محرر", "الموقع", "تعليق", "تعليقات", "مشاركة", "أرشيف", "أرشيفية", "صورة")}
_PHOTO = re.compile(r"getty|shutterstock|istock|afp|reuters|epa|\bap\b|أرشيف|ارشيف|صورة|تصوير|يمين|يسار", re.IGNORECASE)


@dataclass
class PublisherChoice:
    name: str | None = None
    name_en: str | None = None
    source: str | None = None
    confidence: float = 0.0


@cache
def _place_keys() -> frozenset[str]:
    keys = {match_key(form) for e in glossary() if e.type == "place" for form in e.forms}
    data = resources.files("generator").joinpath("data/places.yaml")
    if data.is_file():
        for entry in yaml.load(data.read_text(encoding="utf-8"), Loader=_LOADER) or []:
            keys.update(match_key(n) for n in [entry["ar"], *(entry.get("aliases") or [])])
    return frozenset(keys)


def is_place(segment: str) -> bool:
    key = match_key(segment)
    if key in _place_keys():
        return True
    parts = key.split()  # "إقليم كوردستان العراق", "جنوب لبنان": a region word before a place
    return len(parts) > 1 and all(p in _place_keys() or p in _REGION_WORDS for p in parts) \
        and any(p in _place_keys() for p in parts)


_REGION_WORDS = {match_key(w) for w in ("إقليم", "محافظة", "ولاية", "مدينة", "جنوب", "شمال", "شرق", "غرب",
                                        "وسط", "ريف", "العاصمة", "منطقة")}


def is_description(name: str) -> bool:
    """ "صحيفة ليبية شاملة": a site's tagline, made of wrapper words and adjectives only."""
    tokens = match_key(name).split()
    return any(t in _DESCRIPTIVE for t in tokens) and all(t in _DESCRIPTIVE or _NISBA_INDEFINITE.match(t)
                                                          for t in tokens)


class PageNames:
    """What the page says outside its body, to tell an outlet's name from a person's or a place's."""

    def __init__(self, lines: list[Line], labels: list[str]) -> None:
        # Each distinct furniture line once (a repeated headline or caption is one statement), and
        # the names the body itself credits in brackets ("لـ(عاين)", "«الشرق الأوسط»").
        self.distinct = [f" {key} " for key in dict.fromkeys(
            line.key for line, label in zip(lines, labels, strict=False) if label != "B") if key]
        bracketed = [match_key(m) for line, label in zip(lines, labels, strict=False) if label == "B"
                     for m in _BRACKETED.findall(line.text)]
        self.distinct += [f" {key} " for key in dict.fromkeys(bracketed) if key]

    def recurs(self, name: str) -> bool:
        """The name stands in two different places (masthead and credit, credit and "(name)" in the text)."""
        key = match_key(name)
        if not key:
            return False
        return sum(1 for text in self.distinct if f" {key} " in text or f" ل{key} " in text) >= 2


def segment_kind(segment: str, page: PageNames, quoted: bool = False) -> str | None:
    """'outlet', 'agency', 'place', 'generic', 'date', 'person' or None for one credit segment."""
    text = segment.strip(" \"'“”«»()-–—:_/|.")
    key = match_key(text)
    if not key or len(words(text)) > MAX_NAME_WORDS:
        return None
    if key in _GENERIC or _PHOTO.search(text):
        return "generic"
    if any(c.isdigit() for c in key) and not _OUTLET_HINTS.search(text):
        return "date"
    if is_place(text):  # "الرياض" is a city before it is a newspaper: "سبق- الرياض", "الرياض: فهد الشمري"
        return "place"
    known = outlets().lookup(text)
    if known:
        return known.kind
    if is_description(text):
        return None
    if quoted or _DOMAIN.search(text) or _OUTLET_HINTS.search(text) or page.recurs(text):
        return "outlet"
    if re.search(r"[A-Za-z]", text) and not re.search(r"[\u0600-\u06ff]", text):
        return None  # a Latin word alone ("Tunisia", "TT") is a label, not a credited outlet
    return "person"


def credit_outlets(text: str, page: PageNames) -> list[str]:
    """Outlet names in one credit line ("عمان- “رأي اليوم”- خالد الجيوسي:", "أربيل (كوردستان 24)-").

    Every segment must be a short name, place, date or credit word: a line holding a sentence
    ("النجداوي: 16 مليون دينار موازنة …") is not a credit line.
    """
    quoted = {match_key(q) for q in _QUOTED.findall(text)}
    found: list[str] = []
    for segment in _SPLIT.split(text):
        segment = _clean(segment)
        if not segment:
            continue
        kind = segment_kind(segment, page, match_key(segment) in quoted)
        if kind is None and len(words(segment)) > MAX_NAME_WORDS - 1:
            return []
        if kind == "outlet":
            found.append(segment)
    return found


def _clean(name: str) -> str:
    return name.strip(" \"'“”«»()-–—:_/|.")


def _domain_name(text: str) -> str | None:
    """The web address a line names, as written ("arabic.china.org.cn"): the page shows no other name."""
    match = _DOMAIN.search(text)
    return match.group(1).lower().removeprefix("www.") if match else None


_INLINE_END = re.compile(r"\s*(?:[-–—]+|:)\s|\)\s*[-–—:]*\s")


def inline_credit(paragraph: str) -> str | None:
    """The credit glued before a first paragraph's text: "أربيل (كوردستان 24)- استقبل …" → "أربيل (كوردستان 24)"."""
    end = _INLINE_END.search(paragraph, 0, 100)
    if end is None:
        return None
    credit = paragraph[: end.end()].strip()
    return credit if 1 <= len(words(credit)) <= 10 else None


def choose_publisher(lines: list[Line], labels: list[str], start: int, stop: int, title: int | None,
                     body: list[int], is_main: bool, page_publisher: str | None) -> PublisherChoice:
    """The publisher of the article in lines[start:stop]; `page_publisher` is the page's copyright owner."""
    page = PageNames(lines, labels)
    candidates: list[tuple[str, str]] = []
    zone = labels

    def add(name: str | None, source: str) -> None:
        if name and _clean(name):
            candidates.append((_clean(name), source))

    # 1. "المصدر: …" after the body (or between the headline and the body).
    for i in range(start, stop):
        line = lines[i]
        if line.furniture and line.furniture.kind is bp.Kind.SOURCE and zone[i] != "B":
            value = line.furniture.value
            if value and len(words(value)) <= MAX_NAME_WORDS + 2 and not _PHOTO.search(value):
                add(_domain_name(value) if _DOMAIN.search(value) and not re.search("[\u0600-\u06ff]", value)
                    else value, "source-line")
    # 2. Credit lines between the headline and the body, the dateline glued to the first paragraph,
    #    and short signature lines closing the body.
    credits: list[str] = []
    head = [i for i in range(start, stop) if zone[i] == "META" or (zone[i] == "PRE" and title is None and i >= start)]
    title_key = lines[title].key if title is not None else None
    for i in head:
        line = lines[i]
        if line.furniture or line.n_words > 12 or line.key == title_key:
            continue
        text = line.text
        if line.date and line.date.text:
            text = text.replace(line.date.text, " - ")
        credits += credit_outlets(text, page)
    if body:
        first = lines[body[0]].text
        inline = inline_credit(first)
        if inline:
            credits += credit_outlets(inline, page)
    tail = [i for i in range(body[-1] + 1 if body else start, min(stop, (body[-1] + 3) if body else stop))]
    for i in tail:  # a signature: the outlet's name alone on a line right after the body
        line = lines[i]
        if line.furniture:
            break
        if line.n_words <= 4 and not line.date and segment_kind(line.text, page) == "outlet" \
                and (outlets().lookup(line.text) or _OUTLET_HINTS.search(line.text)):
            credits.append(line.text)
    site_sources = _site_sources(lines, zone, title, page) if is_main else []
    site_names = [name for name, _ in site_sources]
    site_keys = {match_key(n) for n in site_names}
    # A credit naming another outlet than the site itself is the source the site republished.
    credits.sort(key=lambda c: match_key(c) in site_keys or _same_outlet(c, site_names))
    for name in credits:
        add(name, "credit")
    # 3. Copyright.
    for i in range(start, stop):
        if lines[i].furniture and lines[i].furniture.kind is bp.Kind.COPYRIGHT and zone[i] != "B":
            add(publisher_from_copyright(lines[i].text), "copyright")
    if page_publisher and is_main:
        add(page_publisher, "copyright")
    # 4. The site's own name: masthead, around the headline, web address.
    for name, how in site_sources:
        add(name, how)
    # 5. A known outlet mentioned in the furniture (a photo credit «(«الشرق الأوسط»)», a caption).
    if is_main:
        for i, line in enumerate(lines):
            if zone[i] in ("PRE", "META", "X") and not line.furniture:
                known = outlets().search(line.text, kind="outlet")
                if known:
                    add(known.ar, "mention")
                    break
    if not candidates:
        return PublisherChoice()
    name, source = candidates[0]
    if source in ("credit", "source-line") and outlets().lookup(name) is None and len(candidates) > 1:
        # An unknown credited name that the page also shows elsewhere is confirmed.
        confidence = CONFIDENCE[source] if page.recurs(name) or _OUTLET_HINTS.search(name) else 0.7
    else:
        confidence = CONFIDENCE[source]
    if source == "domain" or _DOMAIN.fullmatch(name):
        # Only a web address: shown as the page writes it, with the table's English name when known.
        known = outlets().by_domain(name)
        return PublisherChoice(name, known.en if known else None, source, round(confidence, 2))
    canonical, english = canonical_publisher(name)
    if outlets().lookup(name):
        confidence = max(confidence, 0.9)
    return PublisherChoice(canonical, english, source, round(confidence, 2))


def _same_outlet(name: str, others: list[str]) -> bool:
    key = match_key(name)
    return any(key in match_key(o) or match_key(o) in key for o in others if o)


def _site_sources(lines: list[Line], zone: list[str], title: int | None, page: PageNames) -> list[tuple[str, str]]:
    """The site's own name: from the masthead, the headline's site-name prefix, a web address."""
    found: list[tuple[str, str]] = []
    top = title if title is not None else next((i for i, z in enumerate(zone) if z != "PRE"), len(lines))
    if title is not None:
        prefix = site_prefix(lines[title].text, page)
        if prefix:
            found.append((prefix[0], "headline"))
    leading = [i for i in range(top) if not lines[i].date][:2]
    for i in range(top):
        line = lines[i]
        if line.date or line.n_words > 8 or not line.key:
            continue
        if line.furniture:
            # A menu item can be an outlet's name too ("الرأي" is also the opinion section): only a
            # line at the very top, where the logo stands, is taken for the masthead.
            known = outlets().lookup(line.text)
            if i in leading and line.furniture.kind is bp.Kind.NAV and known and known.kind == "outlet":
                found.append((line.text, "masthead"))
            continue
        for part in [line.text, *(_SPLIT.split(line.text) if re.search(r"\s[—–|-]\s", line.text) else [])]:
            part = _clean(part)
            if not part or is_description(part) or len(words(part)) > MAX_NAME_WORDS:
                continue
            known = outlets().lookup(part)
            if known and known.kind == "outlet":
                found.append((part, "masthead"))
            elif segment_kind(part, page) == "outlet" and (_OUTLET_HINTS.search(part) or page.recurs(part)) \
                    and not _DOMAIN.search(part):
                found.append((_strip_wrapper(part), "masthead"))
    for i in range(min(len(lines), (title or 0) + 6)):
        if zone[i] in ("PRE", "META") and not lines[i].furniture:
            domain = _domain_name(lines[i].text)
            if domain:
                found.append((domain, "domain"))
                break
    first = lines[0] if lines else None
    if first is not None and zone[0] == "PRE" and 1 <= first.n_words <= 3 and not first.furniture \
            and not first.date and not is_place(first.text) and not is_description(first.text) \
            and re.search("[\u0600-\u06ff]", first.text) and segment_kind(first.text, page) in ("person", "outlet"):
        found.append((first.text, "first-line"))
    # Keep the first of each name.
    seen: set[str] = set()
    unique = []
    for name, how in found:
        if match_key(name) not in seen:
            seen.add(match_key(name))
            unique.append((name, how))
    return unique


_WRAPPERS = re.compile(r"^(?:صحيفة|جريدة|موقع|شبكة|بوابة)\s+")


def _strip_wrapper(name: str) -> str:
    """ "صحيفة صدى الشعب" → "صدى الشعب" when the rest is a name (not "صحيفة الاتحاد"'s known alias)."""
    if outlets().lookup(name):
        return name
    rest = _WRAPPERS.sub("", name)
    return rest if rest and not is_description(rest) else name


_TITLE_SITE = re.compile(r"^(?P<site>[^-–—|:]{2,40}?)\s*(?:[-–—|]|::)\s+(?P<rest>.+)$"
                         r"|^(?P<rest2>.+?)\s+(?:[-–—|]|::)\s*(?P<site2>[^-–—|:]{2,40})$")


def site_prefix(title: str, page: PageNames) -> tuple[str, str] | None:
    """ "صنعاء نيوز - <headline>" → ("صنعاء نيوز", "<headline>"), when that side names an outlet."""
    match = _TITLE_SITE.match(title)
    if not match:
        return None
    site, rest = (match.group("site"), match.group("rest")) if match.group("site") else \
        (match.group("site2"), match.group("rest2"))
    site = _clean(site)
    if len(words(rest)) < 3 or len(words(site)) > 4:
        return None
    known = outlets().lookup(site)
    if (known and known.kind == "outlet") or (_OUTLET_HINTS.search(site) and not is_description(site)) \
            or (page.recurs(site) and segment_kind(site, page) == "outlet"):
        return site, rest.strip()
    return None
