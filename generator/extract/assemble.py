"""From labelled lines to `Article` records: headline, body, byline, tags, category, date, publisher.

The labeller says where the headline and the body of the main article are. Further full articles
in the same file are found after it (a headline followed by a run of prose, not a teaser list) and
labelled on their own. Each field then comes from the zone it belongs to, with a confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.extract import boilerplate as bp
from generator.extract.credits import Byline, parse_byline, parse_credit, split_unseparated_tags
from generator.extract.dating import choose_date
from generator.extract.labeller import Labelling, LineLabeller
from generator.extract.lines import SENTENCE_END, Line
from generator.extract.publisher import PageNames, choose_publisher, site_prefix
from generator.model import Article
from generator.text.arabic import match_key
from generator.text.lexicon import canonical_publisher, outlets

CREDIT_MAX_WORDS = 6  # longest credit line ("بنغازي - بوابة الوسط: سالم العبيدي")
SECOND_ARTICLE_MIN_PARAGRAPHS = 2
SECOND_ARTICLE_MIN_WORDS = 60
TITLE_SHOWN_CHARS = 300
_PUNCTUATED = re.compile(r"[.،,:;؛!?؟]")  # a "headline" longer than this is shown cut (the text is kept in the body)


def confidence_level(value: float) -> str:
    """The word shown for a confidence: high ≥ 0.85 > medium ≥ 0.65 > low > none."""
    return "high" if value >= 0.85 else "medium" if value >= 0.65 else "low" if value > 0 else "none"


@dataclass
class Region:
    """One article's lines: lines[start:stop], labelled."""

    start: int
    stop: int
    labelling: Labelling


def _skip_meta(lines: list[Line], j: int, stop: int) -> int:
    for _ in range(3):
        line = lines[j] if j < stop else None
        if line and (line.is_date or line.byline or
                     (line.furniture is None and line.n_words <= CREDIT_MAX_WORDS and not line.is_prose)):
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


def _shift(labelling: Labelling, offset: int) -> Labelling:
    return Labelling(labelling.labels, labelling.confidence,
                     None if labelling.title is None else labelling.title + offset,
                     [i + offset for i in labelling.body])


def find_regions(lines: list[Line], labeller: LineLabeller) -> list[Region]:
    """The articles of a page, main article first."""
    regions: list[Region] = []
    start = 0
    while start < len(lines) and len(regions) < 50:
        part = lines[start:]
        labelling = _shift(labeller.label(part), start)
        if not any(lines[i].is_prose for i in labelling.body):
            break  # a headline alone, a menu: no article text
        labels = ["PRE"] * start + labelling.labels
        # The body ran straight into another headline + dateline: a second article, not body.
        cut = next((i for i in range(labelling.body[0] + 1, labelling.body[-1] + 1)
                    if _starts_new_article(lines, i, len(lines))), None)
        if cut is not None:
            body = [i for i in labelling.body if i < cut]
            labels = labels[:cut] + ["POST"] * (len(lines) - cut)
            nxt: int | None = cut
        else:
            body = labelling.body
            nxt = _find_next_article(lines, body[-1] + 1, len(lines))
        stop = nxt if nxt is not None else len(lines)
        regions.append(Region(start, stop, Labelling(labels, [0.0] * start + labelling.confidence,
                                                     labelling.title, body)))
        if nxt is None:
            break
        start = nxt
    return regions


# --- fields -------------------------------------------------------------------------------------


def _title(lines: list[Line], region: Region, page: PageNames) -> tuple[str | None, float]:
    index = region.labelling.title
    if index is None:
        return None, 0.0
    line = lines[index]
    confidence = region.labelling.confidence[index]
    text = line.text
    # The headline inside a breadcrumb or after the site name: the standalone line or the bare headline.
    first_body = region.labelling.body[0] if region.labelling.body else region.stop
    inner = [j for j in range(region.start, first_body) if j != index and len(lines[j].key) >= 12
             and lines[j].key in line.key and lines[j].key != line.key and lines[j].is_headline
             and 2 * lines[j].n_words >= line.n_words]
    if inner:
        text = lines[inner[0]].text
    elif line.furniture and line.furniture.kind is bp.Kind.NAV and bp.is_breadcrumb(text):
        text = bp.breadcrumb_parts(text)[-1]
    else:
        prefixed = site_prefix(text, page)
        if prefixed:
            text = prefixed[1]
    if len(text) > TITLE_SHOWN_CHARS:  # shown cut, with a warning: pages and indexes stay readable
        cut = text.rfind(" ", 0, TITLE_SHOWN_CHARS)
        text = text[: cut if cut > 0 else TITLE_SHOWN_CHARS] + " …"
        confidence = min(confidence, 0.3)
    return text, confidence


def _byline(lines: list[Line], region: Region, paragraphs: list[str]) -> tuple[Byline | None, list[str]]:
    labels = region.labelling.labels
    meta = [i for i in range(region.start, region.stop) if labels[i] == "META"]
    byline = next((lines[i].byline for i in meta if lines[i].byline), None)
    if byline is None:
        credit = next((i for i in meta if lines[i].furniture is None and not lines[i].is_date
                       and lines[i].n_words <= CREDIT_MAX_WORDS), None)
        if credit is not None:
            byline = parse_credit(lines[credit].text)
    if paragraphs and byline is None:
        parsed = parse_byline(paragraphs[0], standalone=False)
        if parsed and parsed[1].strip():
            byline, paragraphs = parsed[0], [parsed[1].strip(), *paragraphs[1:]]
    return byline, paragraphs


def _tags(lines: list[Line], region: Region) -> list[str]:
    labels = region.labelling.labels
    for i in range(region.start, region.stop):
        line = lines[i]
        if labels[i] in ("B",) or not (line.furniture and line.furniture.kind is bp.Kind.TAGS):
            continue
        if line.furniture.value:
            parts = bp.split_tags(line.furniture.value)
            if len(parts) == 1 and len(parts[0].split()) > 3:
                parts = split_unseparated_tags(parts[0])
            return parts
        tags: list[str] = []
        for j in range(i + 1, region.stop):
            other = lines[j]
            if other.furniture or other.is_date or other.n_words > 4:
                if not tags and not other.furniture and not other.is_date and other.n_words <= 16 \
                        and not _PUNCTUATED.search(other.text):
                    return split_unseparated_tags(other.text)  # one line of space-separated tags
                break
            tags.extend(bp.split_tags(other.text))
        return tags
    return []


def _category(lines: list[Line], region: Region, title: int | None) -> str | None:
    if title is None:
        return None
    title_key = lines[title].key
    for i in range(title - 1, region.start - 1, -1):
        line = lines[i]
        if line.is_date:
            continue
        if line.furniture and line.furniture.kind is bp.Kind.NAV and bp.is_breadcrumb(line.text):
            parts = [p for p in bp.breadcrumb_parts(line.text) if match_key(p) != title_key]
            return parts[-1] if len(parts) > 1 else None
        if (line.furniture is None or line.furniture.kind is bp.Kind.NAV) and 1 <= line.n_words <= 4 \
                and not outlets().lookup(line.text):
            return line.text  # a section name; a line without words ("---", "***") is not one
        return None
    return None


def _signature(lines: list[Line], body: list[int]) -> tuple[list[int], list[int]]:
    """Short unpunctuated lines closing the body are a signature (outlet or author), not text."""
    body = list(body)
    signature: list[int] = []
    while len(body) > 1:
        last = lines[body[-1]]
        if last.n_words <= 4 and not SENTENCE_END.search(last.text):
            signature.insert(0, body.pop())
        else:
            break
    return body, signature


def build_article(lines: list[Line], region: Region, index: int, source_name: str,
                  page_publisher: str | None) -> Article:
    article = Article(source=source_name, index=index)
    labels = list(region.labelling.labels)
    body, signature = _signature(lines, region.labelling.body)
    for i in signature:
        labels[i] = "POST"
    region = Region(region.start, region.stop, Labelling(labels, region.labelling.confidence,
                                                         region.labelling.title, body))
    page = PageNames(lines, labels)
    article.title, title_confidence = _title(lines, region, page)
    if article.title is None:
        article.warnings.append("no headline found")
    elif article.title.endswith(" …") and len(lines[region.labelling.title or 0].text) > TITLE_SHOWN_CHARS:
        article.warnings.append(f"headline of {len(lines[region.labelling.title or 0].text)} characters "
                                f"shown cut to {TITLE_SHOWN_CHARS}")
    byline, paragraphs = _byline(lines, region, [lines[i].text for i in body])
    article.paragraphs = paragraphs
    if byline:
        article.byline, article.dateline, article.agency = byline.text, byline.dateline, byline.agency
    for i in signature:
        outlet = outlets().lookup(lines[i].text)
        if outlet and outlet.kind == "agency":
            article.agency = article.agency or lines[i].text
        elif (parsed := parse_byline(lines[i].text, standalone=True)) and parsed[0].author and not article.byline:
            article.byline = parsed[0].text

    is_main = index == 0
    date = choose_date(lines, labels, region.start, region.stop, region.labelling.title, body, is_main)
    if date.date:
        article.date = date.date.isoformat()
        article.time = date.time
        article.hijri_date = date.hijri
        article.date_source = date.source
        article.date_text = date.text
        if date.match:
            article.warnings.extend(date.match.warnings)
        if date.source == "updated":
            article.warnings.append("only an update date was found; used it as the publication date")
    elif date.rejected:
        article.warnings.append(date.rejected)
    else:
        relative = [lines[i].date.relative for i in range(region.start, region.stop)
                    if labels[i] in ("META", "PRE", "T") and lines[i].date and lines[i].date.relative]
        if relative:
            article.warnings.append(f"relative date {relative[0]!r} not converted: no reference date")
    article.date_confidence = confidence_level(date.confidence)

    publisher = choose_publisher(lines, labels, region.start, region.stop, region.labelling.title, body,
                                 is_main, page_publisher)
    if publisher.name is None and byline and byline.outlet:
        publisher.name, publisher.name_en = canonical_publisher(byline.outlet)
        publisher.source, publisher.confidence = "credit", 0.8
    article.publisher, article.publisher_en, article.publisher_source = \
        publisher.name, publisher.name_en, publisher.source
    article.tags = _tags(lines, region)
    article.category = _category(lines, region, region.labelling.title)
    article.confidence = {"title": round(title_confidence, 2), "date": date.confidence,
                          "publisher": publisher.confidence}
    if not article.paragraphs:
        article.warnings.append("no body text found")
    return article
