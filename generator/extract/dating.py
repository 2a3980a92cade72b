"""Which of the dates a page states is the article's publication date.

Every date the page states is a candidate, placed by the zone its line was labelled with. The
order of trust follows how news pages are built:

1. a date labelled as the publication date ("نشر في", "تاريخ النشر");
2. the date line between the headline and the body (or a date inside a credit line there);
3. a date line closing the body (before any teaser or footer furniture);
4. a date the text itself gives as the day of writing ("اليوم الأربعاء 9 أكتوبر 2019", or a date
   whose weekday the text names with it) in the first paragraphs, or a date in the headline;
5. an "updated" date, when nothing else dates the article;
6. a date above the headline: the date line right above it, or a page-header date. A header date
   far above the headline is usually the day the page was *copied* (the site's clock), so it is
   only taken when the text's weekday words agree with it ("أمس الجمعة" under a Saturday header).

Dates in teasers, related items and further articles are never candidates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.extract import boilerplate as bp
from generator.extract.lines import Line
from generator.text.dates import DateMatch, date_mentions, weekday_mentions

# How many lines above the headline a date line still belongs to the article's head.
HEAD_REACH = 2
FIRST_PARAGRAPHS = 2  # body paragraphs searched for a date the text gives as its day
# How trustworthy each source is (the `date_confidence` shown in `check` and the front matter).
CONFIDENCE = {"html-meta": 0.95, "label": 0.95, "dateline": 0.9, "footer": 0.75, "body": 0.7, "headline": 0.7,
              "updated": 0.6, "page-header": 0.5, "none": 0.0}


@dataclass
class DateChoice:
    match: DateMatch | None
    source: str  # one of model.DATE_SOURCES
    text: str | None  # the line (or words) the date was read from
    confidence: float
    date: dt.date | None = None
    time: str | None = None
    hijri: str | None = None
    rejected: str | None = None  # a date seen but not taken, and why (shown by `check`)


def _choice(line: Line, match: DateMatch, source: str) -> DateChoice:
    confidence = CONFIDENCE[source]
    if match.warnings:
        confidence -= 0.15
    return DateChoice(match, source, line.text, round(confidence, 2), match.date, match.time, match.hijri)


def _weekday_support(body: list[Line], day: dt.date) -> bool:
    """The body's weekday words fit `day` as the day of writing (today's weekday, or yesterday's)."""
    mentions = [m for line in body[:4] for m in weekday_mentions(line.text)]
    if not mentions:
        return False
    for qualifier, weekday in mentions:
        if qualifier in ("امس", "البارحه"):
            expected = (weekday + 1) % 7
        elif qualifier == "امس الاول":
            expected = (weekday + 2) % 7
        else:
            expected = weekday
        if qualifier and expected != day.weekday():
            return False
    return any(q is not None or w in (day.weekday(), (day.weekday() - 1) % 7) for q, w in mentions)


def _heads(lines: list[Line], i: int, title: int) -> bool:
    """A date line right above the headline (a section name or kicker between at most) that the page
    does not repeat: the article's own date, not the site's clock."""
    if not 0 < title - i <= HEAD_REACH or any(lines[j].key == lines[i].key for j in range(len(lines)) if j != i):
        return False
    return all(lines[j].n_words <= 4 and not lines[j].date for j in range(i + 1, title))


def _ends_footer(line: Line) -> bool:
    """Teasers, tags, copyright or another item's headline: dates after this are not the article's."""
    if line.furniture and line.furniture.kind in bp.TERMINATORS:
        return True
    return line.is_headline and not line.is_date


def choose_date(lines: list[Line], labels: list[str], start: int, stop: int, title: int | None,
                body: list[int], is_main: bool) -> DateChoice:
    """The publication date of the article whose lines are lines[start:stop] (labels alike)."""
    dated = [i for i in range(start, stop) if lines[i].date and lines[i].date.date]
    zone = {i: labels[i] for i in range(start, stop)}
    body_lines = [lines[i] for i in body]
    last_body = body[-1] if body else start - 1
    # Furniture after the body (teasers, tags, copyright) ends the part of the page a date may close.
    footer_end = next((i for i in range(last_body + 1, stop) if _ends_footer(lines[i])), stop)
    head_from = (title - HEAD_REACH) if title is not None else start

    def usable(i: int) -> bool:  # not in a teaser list or a later item
        return zone[i] in ("T", "META", "X", "B") or (zone[i] == "PRE" and i >= head_from) \
            or (zone[i] == "POST" and i < footer_end)

    published = [i for i in dated if lines[i].date.label == "published" and (usable(i) or zone[i] == "PRE")]
    if published:
        return _choice(lines[published[0]], lines[published[0]].date, "label")
    meta = [i for i in range(start, stop) if zone[i] == "META" and (lines[i].date_inside or lines[i].date)]
    meta = [i for i in meta if not (lines[i].date and lines[i].date.label == "updated")]
    if meta:
        line = lines[meta[0]]
        match = line.date or line.date_inside
        if match and match.date:
            return _choice(line, match, "dateline")
    closing = [i for i in dated if zone[i] == "POST" and i < footer_end and lines[i].date.label != "updated"]
    if closing:
        return _choice(lines[closing[0]], lines[closing[0]].date, "footer")
    among = [i for i in dated if zone[i] == "X" and lines[i].date.label != "updated"]
    if among:  # a date line between the lead and the rest of the body
        return _choice(lines[among[0]], lines[among[0]].date, "dateline")
    # The text names its own day: "اليوم الأربعاء 9 أكتوبر 2019" anywhere, a weekday-dated date early on.
    for n, line in enumerate(body_lines):
        for mention in date_mentions(line.text):
            if mention.today_word or (mention.weekday_agrees and n < FIRST_PARAGRAPHS):
                match = DateMatch(mention.date, None, None, 0.0, None)
                return DateChoice(match, "body", line.text, CONFIDENCE["body"], mention.date)
    if title is not None:
        mentions = date_mentions(lines[title].text)
        if mentions:
            match = DateMatch(mentions[0].date, None, None, 0.0, None)
            return DateChoice(match, "headline", lines[title].text, CONFIDENCE["headline"], mentions[0].date)
    updated = [i for i in dated if lines[i].date.label == "updated" and usable(i)]
    if updated:
        choice = _choice(lines[updated[0]], lines[updated[0]].date, "updated")
        return choice
    above = [i for i in dated if zone[i] == "PRE" and not lines[i].date.label]
    near = [i for i in above if title is not None and _heads(lines, i, title)]
    if near:  # right above the headline: more likely the article's than a far header clock
        choice = _choice(lines[near[-1]], lines[near[-1]].date, "page-header")
        choice.confidence = round(choice.confidence + 0.1, 2)
        return choice
    if above and is_main:
        line = lines[above[0]]
        if _weekday_support(body_lines, line.date.date):
            return _choice(line, line.date, "page-header")
        return DateChoice(None, "none", None, 0.0,
                          rejected=f"page-header date {line.date.date.isoformat()} not taken: "
                                   "probably the day the page was copied (the text does not confirm it)")
    return DateChoice(None, "none", None, 0.0)
