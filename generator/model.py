"""The data model that flows through every stage: read → extract → translate → render → site.

One `Article` record per article; a file may hold several (index 0 is the main one).
Stages add to the record (translation fills `translation`), they never invent other shapes.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import unicodedata
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

# Where a publication date came from, most trusted first.
DATE_SOURCES = ("html-meta", "label", "dateline", "footer", "body", "headline", "updated", "page-header", "hijri",
                "none")


def digest(*parts: object) -> str:
    """SHA-1 of `parts` pickled. Pickle, not repr: it serialises a whole record in C. "Fast" mode keeps
    no memo, so a string shared by two fields and two equal strings give the same bytes (fresh and
    cached records differ only in such sharing)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(parts)
    return hashlib.sha1(buffer.getvalue()).hexdigest()


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

    @cached_property  # kept in the build manifest with the finished translation; a review clears it
    def digest(self) -> str:
        """Hash of every field: what a page fingerprint needs of the translation, without pickling it each run."""
        return digest(*(getattr(self, f.name) for f in fields(self)))


class LazyTranslation(Translation):
    """A finished translation from the build manifest, unpickled when a field is first read or set.

    An incremental build renders a few pages, but every article's translation used to be
    unpickled (a third of such a run at 5,000 articles); page fingerprints need only its `digest`,
    stored beside it. Reads as, pickles as and compares equal to the `Translation` it holds.
    """

    # Read without unpickling when stored beside the blob: an index page's list lines show the
    # translated title and publisher of thousands of articles.
    HEAD_FIELDS = ("title", "publisher")

    def __init__(self, blob: bytes | memoryview, digest: str, head: dict[str, Any] | None = None) -> None:
        self.__dict__["_blob"] = blob
        self.__dict__["digest"] = digest
        self.__dict__["_head"] = head or {}

    def _load(self) -> dict[str, Any]:
        state = self.__dict__
        blob = state.pop("_blob", None)
        if blob is not None:  # the digest stays as it is (a review that changed fields has dropped it)
            state.pop("_head", None)
            state.update((k, v) for k, v in pickle.loads(blob).__dict__.items() if k != "digest")
        return state

    def __reduce_ex__(self, protocol: object) -> Any:
        return _plain_translation, ({k: v for k, v in self._load().items() if k not in ("digest", "_head")},)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Translation):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(Translation))

    __hash__ = None  # type: ignore[assignment] - mutable, like the dataclass


def _plain_translation(state: dict[str, Any]) -> Translation:
    """A pickled LazyTranslation comes back as the Translation it holds."""
    translation = Translation.__new__(Translation)
    translation.__dict__.update(state)
    return translation


def _lazy_field(name: str) -> property:
    def get(self: LazyTranslation) -> Any:
        state = self.__dict__
        if "_blob" in state and name in state["_head"]:
            return state["_head"][name]
        return self._load()[name]

    def put(self: LazyTranslation, value: Any) -> None:
        self._load()[name] = value
    return property(get, put)


for _field in fields(Translation):  # data descriptors: they win over the dataclass's class-level defaults
    setattr(LazyTranslation, _field.name, _lazy_field(_field.name))


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
    # source-line | credit | copyright | masthead | headline | domain | mention | first-line | html-meta
    publisher_source: str | None = None
    byline: str | None = None  # as printed, e.g. "موسكو (وكالات)"
    agency: str | None = None  # e.g. "وكالات", "رويترز"
    dateline: str | None = None  # place, e.g. "موسكو"
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    # How sure extraction is of each field, 0..1 (`python -m generator check` lists the doubtful ones).
    confidence: dict[str, float] = field(default_factory=dict)
    # Fields a person corrected (generator/corrections.py), e.g. ["date", "publisher"].
    corrected: list[str] = field(default_factory=list)
    # Set by generator/pipeline/duplicates.py. On the published copy: the other files holding the same
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

    @cached_property  # kept with the record in the build manifest (computed right after extraction)
    def record_digest(self) -> str:
        """Hash of every field as they are when first asked (the manifest asks right after extraction).

        Later stages change only `source` (cli renames), `duplicates`, `duplicate_of`, `warnings`
        and `translation`: a page fingerprint adds those to this (see render._entries).
        """
        return digest(*(getattr(self, f.name) for f in fields(self)))

    @cached_property  # kept with the record in the build manifest
    def text_digest(self) -> str:
        """Identity of the exact title and paragraphs (duplicate detection's features are cached by it)."""
        return hashlib.sha1(repr((self.title, self.paragraphs)).encode("utf-8", "surrogatepass")).hexdigest()

    @cached_property  # kept with the record in the build manifest
    def units_digest(self) -> str:
        """Identity of every text a translation is made of (with the model: a finished translation's key)."""
        return hashlib.sha256(repr((self.title, self.paragraphs, self.tags, self.category, self.publisher,
                                    self.publisher_en)).encode("utf-8", "surrogatepass")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        record = asdict(self)
        record["content_hash"] = self.content_hash
        return record


@dataclass
class SourceText:
    """One successfully read input file."""

    path: Path
    text: str  # cleaned text (read/source.py: clean_text), lines separated by "\n"
    encoding: str  # one of: "utf-8", "utf-8-sig", "utf-16", "windows-1256", "iso-8859-6"
    kind: str = "text"  # "text" or "html"
    html_meta: dict[str, str | None] = field(default_factory=dict)  # html: title, date, sitename, author
    warnings: list[str] = field(default_factory=list)



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
    correction: str | None = None  # "applied", or why a human correction was not ("stale: …")

@dataclass
class ExtractResult:
    outcomes: list[FileOutcome] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)  # after merge_duplicates: the published copies
    merged: list[Article] = field(default_factory=list)  # copies merged into another file's article
    correction_errors: list[str] = field(default_factory=list)  # sidecars in corrections/ that cannot be read

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "rejected"]

    def every_article(self) -> list[Article]:
        """Published and merged records together, in input order (file order, then index in the file)."""
        position = {o.source: i for i, o in enumerate(self.outcomes)}
        return sorted([*self.articles, *self.merged], key=lambda a: (position.get(a.source, len(position)), a.index))
