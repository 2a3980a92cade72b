"""Extraction stage: the cleaned text of one file → one `Article` per article in it.

The page is read as a sequence of lines (`lines.py`), each classified once by rule-based readers
(furniture, dates, bylines). A learned line labeller (`labeller.py`) decides from those features
which line is the headline and which lines are the body; further full articles in the file are
found after the main one (`assemble.py`). The publication date (`dating.py`) and the publisher
(`publisher.py`) are chosen among the candidates the page's zones offer, each with a confidence.
"""

from __future__ import annotations

from functools import cache

from generator.extract import boilerplate as bp
from generator.extract.assemble import build_article, find_regions
from generator.extract.credits import publisher_from_copyright
from generator.extract.labeller import LineLabeller
from generator.extract.lines import prepare_lines
from generator.model import Article, SourceText
from generator.text.lexicon import canonical_publisher, outlets

__all__ = ["extract_articles"]


@cache
def default_labeller() -> LineLabeller:
    """The packaged line model, loaded once per process."""
    return LineLabeller()


def extract_articles(source: SourceText, source_name: str, labeller: LineLabeller | None = None) -> list[Article]:
    """All articles in one decoded file, main article first."""
    lines = prepare_lines(source.text)
    page_publisher = None
    for line in reversed(lines):
        if line.furniture and line.furniture.kind is bp.Kind.COPYRIGHT:
            page_publisher = publisher_from_copyright(line.text)
            break
    if page_publisher is None and (outlet := outlets().by_domain(source.text)):
        page_publisher = outlet.ar
    regions = find_regions(lines, labeller or default_labeller())
    articles = []
    for index, region in enumerate(regions):
        article = build_article(lines, region, index, source_name, page_publisher)
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
        article.confidence["title"] = 0.9
    if meta.get("date"):
        article.date, article.time = meta["date"], None
        article.date_source, article.date_confidence = "html-meta", "high"
        article.confidence["date"] = 0.95
    if meta.get("sitename") and article.publisher_source in (None, "first-line", "mention"):
        article.publisher, article.publisher_en = canonical_publisher(meta["sitename"] or "")
        article.publisher_source = "html-meta"
        article.confidence["publisher"] = 0.85
    if meta.get("author") and not article.byline:
        article.byline = meta["author"]
