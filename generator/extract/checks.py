"""What extraction is unsure of: the fields `python -m generator check` lists for a person to review.

Each article carries a confidence per field (title, date, publisher: 0..1). A field below the
threshold, a missing one, and a correction that no longer applies become one `Doubt` each, with
the reason in words, so that a person can confirm it or fix it with `python -m generator correct`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from generator.model import Article, FileOutcome

CHECKED = ("title", "date", "publisher")
_DATE_WHY = {
    "page-header": "taken from the page header (may be the day the page was copied)",
    "body": "read from the article's text, not from a date line",
    "headline": "read from the headline",
    "updated": "only an 'updated' date was found",
    "footer": "from a date line after the body",
}
_PUBLISHER_WHY = {
    "first-line": "guessed from the page's first line",
    "mention": "an outlet named in a caption or credit, not as the publisher",
    "domain": "from a web address on the page",
}


@dataclass(frozen=True)
class Doubt:
    ref: str  # "seeds/x.txt" or "seeds/x.txt#1"
    field: str
    value: str | None
    why: str

    def line(self) -> str:
        shown = "—" if self.value is None else self.value if len(self.value) <= 60 else self.value[:59] + "…"
        return f"{self.ref}\t{self.field}\t{shown}\t{self.why}"


def _missing_why(article: Article, field: str) -> str:
    if field == "title":
        return "no headline found"
    if field == "date":
        rejected = next((w for w in article.warnings if "not taken" in w or "relative date" in w), None)
        return rejected or "no publication date found on the page"
    return "no outlet named on the page (or none recognised)"


def article_doubts(article: Article, threshold: float) -> list[Doubt]:
    doubts: list[Doubt] = []
    for field in CHECKED:
        if field in article.corrected:
            continue
        value = getattr(article, field)
        confidence = article.confidence.get(field, 0.0 if value is None else 1.0)
        if value is None:
            doubts.append(Doubt(article.ref, field, None, _missing_why(article, field)))
        elif confidence < threshold:
            source = article.date_source if field == "date" else article.publisher_source if field == "publisher" \
                else None
            why = (_DATE_WHY if field == "date" else _PUBLISHER_WHY if field == "publisher" else {}).get(
                source or "", f"confidence {confidence:.2f}" + (f" ({source})" if source else ""))
            doubts.append(Doubt(article.ref, field, value, why))
    return doubts


def outcome_doubts(outcome: FileOutcome) -> list[Doubt]:
    if outcome.correction and outcome.correction.startswith("stale"):
        return [Doubt(outcome.source, "correction", "stale", outcome.correction.removeprefix("stale: "))]
    return []


def summary(articles: list[Article], outcomes: list[FileOutcome], threshold: float) -> dict:
    """Counts for the build report: doubtful fields, and corrections applied or stale."""
    doubtful = Counter(d.field for a in articles for d in article_doubts(a, threshold))
    corrections = Counter("stale" if o.correction.startswith("stale") else "applied"
                          for o in outcomes if o.correction)
    return {"threshold": threshold, "doubtful_fields": {f: doubtful.get(f, 0) for f in CHECKED},
            "corrections": {"applied": corrections.get("applied", 0), "stale": corrections.get("stale", 0)}}
