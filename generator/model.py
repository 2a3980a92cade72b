"""The data model that flows through every stage: read → extract → translate → render → site.

One `Article` record per article; a file may hold several (index 0 is the main one).
Stages add to the record (translation fills `translation`), they never invent other shapes.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

# Where a publication date came from, most trusted first.
DATE_SOURCES = ("html-meta", "label", "dateline", "footer", "page-header", "hijri", "none")


@dataclass
class SentencePair:
    """One Arabic sentence and its English translation: the alignment the site shows side by side."""

    ar: str
    en: str | None  # None while pending


@dataclass
class Translation:
    """The English side of an article, with its provenance."""

    status: str = "pending"  # "machine" | "reviewed" | "pending"
    title: str | None = None
    paragraphs: list[list[SentencePair]] = field(default_factory=list)  # 1:1 with Article.paragraphs
    tags: list[str] = field(default_factory=list)
    category: str | None = None
    publisher: str | None = None
    engine: str | None = None  # e.g. "ctranslate2 4.8.5"
    model: str | None = None  # Argos package name, e.g. "translate-ar_en"
    model_version: str | None = None
    translated_on: str | None = None  # YYYY-MM-DD (latest sentence in the translation memory)
    reviewed_source_hash: str | None = None  # content hash of the Arabic a reviewer worked from
    review_stale: bool = False  # the Arabic changed after the human review


@dataclass
class Article:
    source: str  # the input path as given on the command line
    index: int = 0  # 0 = main article of the file, 1.. = further articles in the same file
    title: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD (Gregorian)
    time: str | None = None  # HH:MM, 24 h
    date_source: str = "none"  # one of DATE_SOURCES
    date_confidence: str = "none"  # high | medium | low | none
    date_text: str | None = None  # the raw text the date was read from
    hijri_date: str | None = None  # YYYY-MM-DD in the Umm al-Qura calendar, when known
    publisher: str | None = None
    publisher_en: str | None = None  # from the outlets table, when the outlet is known
    publisher_source: str | None = None  # source-line | copyright | signature | byline | html-meta
    byline: str | None = None  # as printed, e.g. "موسكو (وكالات)"
    agency: str | None = None  # e.g. "وكالات", "رويترز"
    dateline: str | None = None  # place, e.g. "موسكو"
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Set by generator/duplicates.py. On the published copy: the other files holding the same
    # article (their `ref`s, sorted). On a copy merged into another: the published copy's `ref`.
    duplicates: list[str] = field(default_factory=list)
    duplicate_of: str | None = None
    translation: Translation | None = None

    @property
    def ref(self) -> str:
        """Names one article among all inputs: the source path, plus "#index" for further articles."""
        return self.source if self.index == 0 else f"{self.source}#{self.index}"

    @cached_property  # kept with the record (and in the build manifest); title and body are final once extracted
    def content_hash(self) -> str:
        """Stable identity of what the article says (title + body), blind to boilerplate and spacing."""
        text = "\n".join([self.title or "", *self.paragraphs])
        text = " ".join(unicodedata.normalize("NFC", text).split())
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        record = asdict(self)
        record["content_hash"] = self.content_hash
        return record


@dataclass
class FileOutcome:
    """What happened to one input file: the build report accounts for every one."""

    source: str
    status: str  # "ok" | "duplicate" (every article merged into another file's copy) | "rejected" | "skipped"
    reason: str | None = None  # one line, for rejected and duplicate files
    encoding: str | None = None
    articles: int = 0
    warnings: list[str] = field(default_factory=list)
    detail: str | None = None  # traceback or extra context, shown under --verbose
    duplicate_of: str | None = None  # status "duplicate": the published copy of the file's main article
    # Articles of this file merged into another file's copy: {"article", "kept", "reason"} each.
    merged: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # other files' copies merged into this file's articles
