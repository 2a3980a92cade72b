"""Extraction stage: the cleaned text of one file → one `Article` per article in it.

The page is read as a sequence of lines. Each line is classified once (page furniture, date line,
byline, headline-like, prose). An article is then anchored on its first prose paragraph: the
headline is found in the lines above it, the body runs until page furniture closes it, and what
follows (source line, tags, copyright, signature) describes it. Further full articles in the same
file are recognised after that (a headline followed by a run of prose), while teaser lists
(headline + one excerpt) are dropped.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import boilerplate as bp
from .arabic import match_key, words
from .dates import DateMatch, parse_date_line
from .metadata import (
    Byline,
    canonical_publisher,
    outlets,
    parse_byline,
    parse_credit,
    publisher_from_copyright,
    split_unseparated_tags,
)
from .model import Article, FileOutcome
from .reader import SourceText, UnreadableInput, read_source

DATE_LINE_COVERAGE = 0.5  # share of a line that must be date for it to count as a date line
MAX_DATE_LINE_WORDS = 25
CREDIT_MAX_WORDS = 6  # longest credit line ("بنغازي - بوابة الوسط: سالم العبيدي")
LEAD_MIN_WORDS = 8  # a line under the headline this long is a standfirst, shorter ones are credits
SECOND_ARTICLE_MIN_PARAGRAPHS = 2
SECOND_ARTICLE_MIN_WORDS = 60
_SENTENCE_END = re.compile(r"[.!?؟…][\"'»”’)\]]*\s*$")
_HEADLINE_BAD_END = re.compile(r"[.،,:;؛]\s*$")


@dataclass
class Line:
    no: int  # 1-based line number in the file
    text: str
    furniture: bp.Furniture | None = None
    date: DateMatch | None = None
    byline: Byline | None = None  # set when the whole line is a byline
    n_words: int = 0

    @property
    def is_date(self) -> bool:
        return self.date is not None

    @property
    def is_prose(self) -> bool:
        if self.furniture or self.is_date or self.byline:
            return False
        return (self.n_words >= 8 and bool(_SENTENCE_END.search(self.text))) or self.n_words >= 25

    @property
    def is_headline(self) -> bool:
        if self.furniture or self.is_date or self.byline:
            return False
        return 2 <= self.n_words <= 40 and not _HEADLINE_BAD_END.search(self.text) and not self.is_prose


@dataclass
class Span:
    """Where one article lies in the line list."""

    title: int | None
    head_start: int
    anchor: int  # the first prose paragraph; the head (headline, dates, credits) lies above it
    body: list[int] = field(default_factory=list)  # indices of body lines
    end: int = 0  # first line after the body
    signature: list[int] = field(default_factory=list)
    next_article_follows: bool = False  # the body ran straight into another headline + dateline
    credits: list[int] = field(default_factory=list)  # byline/credit lines between headline and body
    date_lines: list[int] = field(default_factory=list)  # standalone date lines among the paragraphs


def prepare_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    for no, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        stripped = bp.strip_trailing_teaser(stripped)
        line = Line(no, stripped)
        furniture = bp.classify(stripped)
        if furniture and furniture.kind is bp.Kind.TEASER and furniture.value:
            # A related-links widget glued to the start of a body line: keep the body part.
            rest = bp.strip_glued_teaser(furniture)
            rest_words = len(words(rest))
            if rest_words >= 8 and (furniture.glued or _SENTENCE_END.search(rest) or rest_words >= 25):
                line.text, furniture = rest, None
        line.furniture = furniture
        line.n_words = len(words(line.text))
        if line.n_words <= MAX_DATE_LINE_WORDS and not (furniture and furniture.kind is bp.Kind.COPYRIGHT):
            match = parse_date_line(line.text)
            if match and (match.coverage >= DATE_LINE_COVERAGE or match.label):
                line.date = match
        if not furniture and not line.date and line.n_words <= 12:
            parsed = parse_byline(line.text, standalone=True)
            if parsed and not parsed[1].strip():
                line.byline = parsed[0]
        lines.append(line)
    return lines


def _pick_title(lines: list[Line], start: int, stop: int) -> int | None:
    """The headline among lines[start:stop] (the lines above the first paragraph)."""
    candidates = [i for i in range(start, stop) if lines[i].is_headline]
    if not candidates:
        return None
    seen: dict[str, int] = {}
    for i in range(start, stop):
        line = lines[i]
        if line.n_words > 40:
            continue
        keys = [match_key(line.text)]
        if line.furniture and line.furniture.kind is bp.Kind.NAV and bp.is_breadcrumb(line.text):
            keys = [match_key(bp.breadcrumb_parts(line.text)[-1])]
        for key in keys:
            if key in seen and lines[seen[key]].is_headline:
                return seen[key]  # a repeated headline (or a breadcrumb ending in it) is the title
            seen.setdefault(key, i)
    # The headline comes first; bylines, author names and standfirsts follow it. Section names
    # and menus above it are short, so the first substantial line is the headline.
    for minimum in (4, 3):
        substantial = [i for i in candidates if lines[i].n_words >= minimum]
        if substantial:
            return substantial[0]
    return candidates[0]


def _find_anchor(lines: list[Line], start: int, stop: int) -> int | None:
    return next((i for i in range(start, stop) if lines[i].is_prose), None)


def _is_meta(line: Line) -> bool:
    """Date, byline or short credit line, as found between a headline and its first paragraph."""
    if line.is_date or line.byline:
        return True
    return line.furniture is None and line.n_words <= CREDIT_MAX_WORDS and not line.is_prose


def _skip_meta(lines: list[Line], j: int, stop: int) -> int:
    for _ in range(3):
        if j < stop and _is_meta(lines[j]):
            j += 1
    return j


def _starts_new_article(lines: list[Line], i: int, stop: int) -> bool:
    """A headline followed by a date or byline line and then prose: another article begins."""
    if not lines[i].is_headline or i + 1 >= stop or not (lines[i + 1].is_date or lines[i + 1].byline):
        return False
    j = _skip_meta(lines, i + 1, stop)
    return j < stop and lines[j].is_prose


def _prose_run(lines: list[Line], start: int, stop: int) -> tuple[int, int]:
    """(paragraphs, words) of the run of prose from `start` until a headline or furniture."""
    paragraphs = n_words = 0
    for j in range(start, stop):
        line = lines[j]
        if line.furniture and line.furniture.kind in bp.TERMINATORS:
            break
        if line.is_headline or line.is_date:
            break
        if line.is_prose:
            paragraphs += 1
            n_words += line.n_words
    return paragraphs, n_words


def _find_next_article(lines: list[Line], start: int, stop: int) -> int | None:
    """Start of a further full article after `start` (headline + ≥ 2 paragraphs), not a teaser list."""
    for i in range(start, stop):
        if not lines[i].is_headline:
            continue
        paragraphs, n_words = _prose_run(lines, _skip_meta(lines, i + 1, stop), stop)
        if paragraphs >= SECOND_ARTICLE_MIN_PARAGRAPHS and n_words >= SECOND_ARTICLE_MIN_WORDS:
            return i
    return None


def _find_span(lines: list[Line], start: int, stop: int) -> Span | None:
    anchor = _find_anchor(lines, start, stop)
    if anchor is None:
        return None
    title = _pick_title(lines, start, anchor)
    if title is None and anchor + 1 < stop and lines[anchor].n_words <= 40 \
            and not _SENTENCE_END.search(lines[anchor].text):
        # A long headline read as prose: it is the title when more text follows.
        title, anchor = anchor, _find_anchor(lines, anchor + 1, stop) or anchor
    span = Span(title=title, head_start=start, anchor=anchor)
    title_key = match_key(lines[title].text) if title is not None else None
    title_len = len(lines[title].text) if title is not None else 0

    def repeats_title(line: Line) -> bool:  # length check first: match_key is the costly part
        return title_key is not None and abs(len(line.text) - title_len) <= 12 and match_key(line.text) == title_key

    # Between the headline and the first paragraph: a standfirst (long) belongs to the body;
    # short lines are bylines and credits ("الحسكة – عنب بلدي", an author's name).
    first = (title + 1) if title is not None else anchor
    for i in range(first, anchor):
        line = lines[i]
        if line.furniture or line.is_date or repeats_title(line):
            continue
        if line.byline is None and line.n_words >= LEAD_MIN_WORDS:
            span.body.append(i)
        else:
            span.credits.append(i)
    i = anchor
    while i < stop:
        line = lines[i]
        if line.furniture:
            if line.furniture.kind in bp.TERMINATORS and not (
                line.furniture.kind is bp.Kind.TEASER and line.furniture.value
            ):
                break
            i += 1
            continue
        if i > anchor and _starts_new_article(lines, i, stop):
            span.next_article_follows = True
            break
        if line.is_date:
            span.date_lines.append(i)
        elif not repeats_title(line):
            span.body.append(i)
        i += 1
    span.end = i
    # Short unpunctuated lines closing the body are a signature (outlet or author), not text.
    while span.body and len(span.body) > 1:
        last = lines[span.body[-1]]
        if last.n_words <= 4 and not _SENTENCE_END.search(last.text):
            span.signature.insert(0, span.body.pop())
        else:
            break
    return span


# --- metadata of one span ---------------------------------------------------------------------


def _choose_date(lines: list[Line], span: Span, tail: range, is_main: bool) -> tuple[Line | None, str]:
    head = range(span.head_start, span.anchor)
    after_title = [i for i in head if span.title is not None and i > span.title]
    before_title = [i for i in head if span.title is None or i < span.title]
    dated = lambda idx: [lines[i] for i in idx if lines[i].date and lines[i].date.date]  # noqa: E731
    published = [ln for ln in dated([*head, *span.date_lines, *tail]) if ln.date.label == "published"]
    if published:
        return published[0], "label"
    undated_labels = [ln for ln in dated([*head, *tail]) if ln.date.label == "updated"]
    plain = [ln for ln in dated(after_title) if not ln.date.label]
    if plain:
        return plain[0], "dateline"
    last_paragraph = span.body[-1] if span.body else -1
    closing = [i for i in span.date_lines if i > last_paragraph]
    footer = [ln for ln in dated([*closing, *span.signature]) if not ln.date.label]
    footer += [ln for ln in dated(list(tail)[:2]) if not ln.date.label]
    if footer:
        return footer[0], "footer"
    if undated_labels:
        return undated_labels[0], "label"
    if is_main:
        header = [ln for ln in dated(before_title) if not ln.date.label]
        if header:
            return header[0], "page-header"
    return None, "none"


_CONFIDENCE = {"html-meta": "high", "label": "high", "dateline": "high", "footer": "medium",
               "page-header": "low", "none": "none"}


def _apply_date(article: Article, line: Line | None, source: str) -> None:
    if line is None or line.date is None:
        return
    match = line.date
    article.date = match.date.isoformat() if match.date else None
    article.time = match.time
    article.hijri_date = match.hijri
    article.date_source = source
    article.date_text = line.text
    article.warnings.extend(match.warnings)
    confidence = _CONFIDENCE[source]
    if match.warnings and confidence == "high":
        confidence = "medium"
    if match.label == "updated":
        confidence = "medium"
        article.warnings.append("only an update date was found; used it as the publication date")
    article.date_confidence = confidence


def _tags_after(lines: list[Line], i: int, stop: int) -> list[str]:
    furniture = lines[i].furniture
    assert furniture is not None
    if furniture.value:
        parts = bp.split_tags(furniture.value)
        if len(parts) == 1 and len(parts[0].split()) > 3:
            parts = split_unseparated_tags(parts[0])
        return parts
    tags: list[str] = []
    for j in range(i + 1, stop):
        line = lines[j]
        if line.furniture or line.is_date or line.n_words > 4:
            break
        tags.extend(bp.split_tags(line.text))
    return tags


def _category(lines: list[Line], span: Span) -> str | None:
    if span.title is None:
        return None
    title_key = match_key(lines[span.title].text)
    for i in range(span.title - 1, span.head_start - 1, -1):
        line = lines[i]
        if line.is_date:
            continue
        if line.furniture and line.furniture.kind is bp.Kind.NAV and bp.is_breadcrumb(line.text):
            parts = [p for p in bp.breadcrumb_parts(line.text) if match_key(p) != title_key]
            return parts[-1] if len(parts) > 1 else None
        if (line.furniture is None or line.furniture.kind is bp.Kind.NAV) and 1 <= line.n_words <= 4:
            return line.text  # a section name; a line without words ("---", "***") is not one
        return None
    return None


def _build_article(lines: list[Line], span: Span, tail: range, index: int, source_name: str,
                   page_publisher: str | None) -> Article:
    article = Article(source=source_name, index=index)
    if span.title is not None:
        article.title = lines[span.title].text
    else:
        article.warnings.append("no headline found")

    # Byline: a line of its own between headline and body, or glued to the first paragraph.
    byline: Byline | None = None
    head = range(span.head_start if span.title is None else span.title + 1, span.anchor)
    byline = next((lines[i].byline for i in head if lines[i].byline), None)
    if byline is None and span.credits:
        byline = parse_credit(lines[span.credits[0]].text)
    paragraphs = [lines[i].text for i in span.body]
    if paragraphs and byline is None:
        parsed = parse_byline(paragraphs[0], standalone=False)
        if parsed and parsed[1].strip():
            byline, paragraphs[0] = parsed[0], parsed[1].strip()
    article.paragraphs = paragraphs
    if byline:
        article.byline = byline.text
        article.dateline = byline.dateline
        article.agency = byline.agency

    _apply_date(article, *_choose_date(lines, span, tail, index == 0))
    if article.date is None:
        relative = [lines[i].date.relative for i in [*head, *tail] if lines[i].date and lines[i].date.relative]
        if relative:
            article.warnings.append(f"relative date {relative[0]!r} not converted: no reference date")

    # Publisher, most explicit evidence first.
    candidates: list[tuple[str, str]] = []
    tags: list[str] = []
    for i in tail:
        line = lines[i]
        if line.furniture and line.furniture.kind is bp.Kind.SOURCE and line.furniture.value:
            candidates.append((line.furniture.value, "source-line"))
        elif line.furniture and line.furniture.kind is bp.Kind.TAGS and not tags:
            tags = _tags_after(lines, i, tail.stop)
    for i in tail:
        if lines[i].furniture and lines[i].furniture.kind is bp.Kind.COPYRIGHT:
            name = publisher_from_copyright(lines[i].text)
            if name:
                candidates.append((name, "copyright"))
    if page_publisher:
        candidates.append((page_publisher, "copyright"))
    if index == 0 and span.title is not None:
        # The site's logo/masthead line above the headline: a line that is exactly a known outlet.
        for i in range(span.head_start, span.title):
            outlet = outlets().lookup(lines[i].text)
            if outlet and outlet.kind == "outlet":
                candidates.append((lines[i].text, "masthead"))
                break
    signatures = [lines[i].text for i in span.signature]
    known = [s for s in signatures if (o := outlets().lookup(s)) and o.kind == "outlet"]
    candidates += [(s, "signature") for s in known]
    if byline and byline.outlet:
        candidates.append((byline.outlet, "byline"))
    for s in signatures:
        outlet = outlets().lookup(s)
        if outlet and outlet.kind == "agency":
            article.agency = article.agency or s
        elif s not in known and not parse_byline(s, standalone=True):
            candidates.append((s, "signature"))
        elif (parsed := parse_byline(s, standalone=True)) and parsed[0].author and not article.byline:
            article.byline = parsed[0].text
    if candidates:
        name, how = candidates[0]
        article.publisher, article.publisher_en = canonical_publisher(name)
        article.publisher_source = how
    article.tags = tags
    article.category = _category(lines, span)
    if not article.paragraphs:
        article.warnings.append("no body text found")
    return article


def extract_articles(source: SourceText, source_name: str) -> list[Article]:
    """All articles in one decoded file, main article first."""
    lines = prepare_lines(source.text)
    page_publisher = None
    for line in reversed(lines):
        if line.furniture and line.furniture.kind is bp.Kind.COPYRIGHT:
            page_publisher = publisher_from_copyright(line.text)
            break
    if page_publisher is None and (outlet := outlets().by_domain(source.text)):
        page_publisher = outlet.ar

    spans: list[tuple[Span, range]] = []
    start = 0
    while start < len(lines):
        span = _find_span(lines, start, len(lines))
        if span is None:
            break
        # After page furniture only a headline with a real run of prose starts another article
        # (teaser lists have one excerpt each); straight after a body, headline + dateline suffices.
        nxt = span.end if span.next_article_follows else _find_next_article(lines, span.end, len(lines))
        stop = nxt if nxt is not None else len(lines)
        spans.append((span, range(span.end, stop)))
        if nxt is None:
            break
        start = nxt

    articles = []
    for index, (span, tail) in enumerate(spans):
        article = _build_article(lines, span, tail, index, source_name, page_publisher)
        article.encoding = source.encoding
        article.warnings = [*source.warnings, *article.warnings]
        articles.append(article)
    if source.kind == "html" and articles:
        _apply_html_meta(articles[0], source.html_meta)
    return articles


def _apply_html_meta(article: Article, meta: dict[str, str | None]) -> None:
    """Metadata from the HTML <head> (via trafilatura) outranks guesses from the text."""
    if meta.get("title"):
        article.title = meta["title"]
    if meta.get("date"):
        article.date, article.time = meta["date"], None
        article.date_source, article.date_confidence = "html-meta", "high"
    if meta.get("sitename") and article.publisher_source in (None, "signature"):
        article.publisher, article.publisher_en = canonical_publisher(meta["sitename"] or "")
        article.publisher_source = "html-meta"
    if meta.get("author") and not article.byline:
        article.byline = meta["author"]


def printable_name(name: str) -> str:
    """A file name as text that UTF-8 (the report, the page metadata) can carry.

    On Linux a name is bytes: those that are not UTF-8 reach Python as lone surrogates, which no
    UTF-8 writer accepts. They are shown as Python escapes ("\\xff"), so the name stays recognisable.
    """
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def extract_file(path: Path, source_name: str, max_bytes: int) -> tuple[FileOutcome, list[Article]]:
    """Read and extract one file; bad input becomes a rejected outcome, never an exception."""
    source_name = printable_name(source_name)
    try:
        source = read_source(path, max_bytes=max_bytes)
    except UnreadableInput as error:
        return FileOutcome(source_name, "rejected", reason=str(error)), []
    articles = extract_articles(source, source_name)
    if not articles or not any(a.paragraphs for a in articles):
        return FileOutcome(source_name, "rejected", reason="no article text found",
                           encoding=source.encoding, warnings=source.warnings), []
    return FileOutcome(source_name, "ok", encoding=source.encoding, articles=len(articles),
                       warnings=source.warnings), articles
