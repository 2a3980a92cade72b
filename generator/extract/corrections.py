"""Human corrections to extraction: small YAML sidecars under corrections/, reviewed in git.

`python -m generator correct seeds/x.txt --date 2021-03-05` writes corrections/seeds/x.txt.yaml:

    source: seeds/x.txt
    source_sha256: 9f2c…            # the bytes the correction was made against
    articles:
    - index: 0
      date: '2021-03-05'
      publisher: null               # a field set to null: the page names none
      drop_paragraphs:
      - {sha1: 1b2f…, text: "first words of the paragraph…"}

Every build applies them right after extraction (before anything is cached or rendered), so they
survive regeneration. When the source file's bytes change, its correction is *stale*: it is kept,
not applied, and listed by `python -m generator check` and in the build report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.atomic import atomic_write_text
from generator.model import Article
from generator.text.lexicon import canonical_publisher

FIELDS = ("title", "date", "time", "publisher")  # fields a correction can set
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_EXCERPT = 80


class CorrectionError(ValueError):
    """A correction that cannot be made or read; the message names the file and the reason."""


def paragraph_id(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class ArticleCorrection:
    index: int
    values: dict[str, str | None] = field(default_factory=dict)  # field → corrected value (None: none)
    drop_paragraphs: list[dict[str, str]] = field(default_factory=list)  # {"sha1", "text"}

    @property
    def fields(self) -> list[str]:
        return sorted([*self.values, *(["paragraphs"] if self.drop_paragraphs else [])])

    def to_yaml(self) -> dict[str, Any]:
        data: dict[str, Any] = {"index": self.index, **{k: self.values[k] for k in FIELDS if k in self.values}}
        if self.drop_paragraphs:
            data["drop_paragraphs"] = self.drop_paragraphs
        return data


@dataclass
class Correction:
    """The corrections to one source file."""

    source: str
    source_sha256: str
    articles: dict[int, ArticleCorrection] = field(default_factory=dict)
    digest: str = ""  # of the sidecar's bytes: a cached extraction is reused only with the same corrections

    def to_text(self) -> str:
        header = (f"# Corrections to the extraction of {self.source}, made with `python -m generator correct`.\n"
                  "# Applied on every build while the source's bytes match source_sha256; review them in git.\n")
        body = {"source": self.source, "source_sha256": self.source_sha256,
                "articles": [self.articles[i].to_yaml() for i in sorted(self.articles)]}
        return header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=1000)


def sidecar_path(folder: Path, source: str) -> Path:
    """corrections/<source>.yaml for the archive-relative source name "seeds/x.txt"."""
    return folder / f"{source}.yaml"


def _validate(values: dict[str, Any], where: str) -> dict[str, str | None]:
    clean: dict[str, str | None] = {}
    for key, value in values.items():
        if key not in FIELDS:
            continue
        if value is not None and not isinstance(value, str | dt.date):
            raise CorrectionError(f"{where}: {key} must be text or null, not {type(value).__name__}")
        text = value.isoformat() if isinstance(value, dt.date) else value
        if key == "date" and text is not None:
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                raise CorrectionError(f"{where}: date {text!r} is not a date (YYYY-MM-DD)") from None
        if key == "time" and text is not None and not _TIME.match(text):
            raise CorrectionError(f"{where}: time {text!r} is not a time (HH:MM, 24 h)")
        if key == "title" and text is not None and not text.strip():
            raise CorrectionError(f"{where}: title is empty")
        clean[key] = text.strip() if isinstance(text, str) else text
    return clean


def read_correction(path: Path) -> Correction:
    """Parse one sidecar; CorrectionError names the file and what is wrong."""
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise CorrectionError(f"{path}: not readable YAML ({str(error).splitlines()[0]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("source"), str) \
            or not isinstance(data.get("source_sha256"), str):
        raise CorrectionError(f"{path}: needs 'source' and 'source_sha256'")
    correction = Correction(data["source"], data["source_sha256"], digest=hashlib.sha1(raw).hexdigest())
    for entry in data.get("articles") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("index", 0), int):
            raise CorrectionError(f"{path}: each article needs an integer 'index'")
        index = entry.get("index", 0)
        drops = entry.get("drop_paragraphs") or []
        if not all(isinstance(d, dict) and isinstance(d.get("sha1"), str) for d in drops):
            raise CorrectionError(f"{path}: drop_paragraphs entries need a 'sha1'")
        correction.articles[index] = ArticleCorrection(index, _validate(entry, f"{path} (article {index})"),
                                                       [{"sha1": d["sha1"], "text": str(d.get("text", ""))}
                                                        for d in drops])
    return correction


class Corrections:
    """Every sidecar of an archive, by source name; read once per run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._by_source: dict[str, Correction] = {}
        self.errors: list[str] = []  # unreadable sidecars: reported, never fatal to a build
        if folder.is_dir():
            for path in sorted(folder.rglob("*.yaml")):
                try:
                    correction = read_correction(path)
                except (CorrectionError, OSError) as error:
                    self.errors.append(str(error))
                    continue
                self._by_source[correction.source] = correction

    def __len__(self) -> int:
        return len(self._by_source)

    def for_source(self, source: str) -> Correction | None:
        return self._by_source.get(source)


def apply_correction(articles: list[Article], correction: Correction, source_sha256: str) -> str:
    """Apply `correction` to a file's articles; return "applied" or why it was not ("stale: …")."""
    if correction.source_sha256 != source_sha256:
        for article in articles:
            article.warnings.append("correction not applied: the source file changed since it was made "
                                    "(python -m generator check lists it)")
        return "stale: the source file changed since the correction was made"
    missing = 0
    for article in articles:
        fix = correction.articles.get(article.index)
        if fix is None:
            continue
        for key, value in fix.values.items():
            if key == "publisher":
                article.publisher, article.publisher_en = canonical_publisher(value) if value else (None, None)
                article.publisher_source = "correction"
            elif key == "date":
                article.date, article.date_source, article.date_text = value, "correction", None
                article.hijri_date = None
                article.date_confidence = "high" if value else "none"
                if value is None:
                    article.time = None
            else:
                setattr(article, key, value)
            article.confidence[key] = 1.0
        if fix.drop_paragraphs:
            drop = {d["sha1"] for d in fix.drop_paragraphs}
            kept = [p for p in article.paragraphs if paragraph_id(p) not in drop]
            missing += len(drop) - (len(article.paragraphs) - len(kept))
            article.paragraphs = kept
        article.corrected = fix.fields
    if missing:
        return f"applied ({missing} dropped paragraph(s) no longer found)"
    return "applied"


def record_correction(folder: Path, source: str, source_sha256: str, index: int, values: dict[str, str | None],
                      drop: list[str], unset: list[str]) -> Path:
    """Add to (or start) the sidecar of `source`: `values` set, paragraphs `drop` dropped, fields `unset` reverted."""
    path = sidecar_path(folder, source)
    correction = read_correction(path) if path.exists() else Correction(source, source_sha256)
    correction.source_sha256 = source_sha256  # made against the file as it is now
    fix = correction.articles.setdefault(index, ArticleCorrection(index))
    for key in unset:
        if key == "paragraphs":
            fix.drop_paragraphs = []
        fix.values.pop(key, None)
    fix.values.update(_validate(values, str(path)))
    known = {d["sha1"] for d in fix.drop_paragraphs}
    for text in drop:
        if paragraph_id(text) not in known:
            excerpt = text if len(text) <= _EXCERPT else text[:_EXCERPT].rsplit(" ", 1)[0] + " …"
            fix.drop_paragraphs.append({"sha1": paragraph_id(text), "text": excerpt})
    if not fix.values and not fix.drop_paragraphs:
        del correction.articles[index]
    if correction.articles:
        atomic_write_text(path, correction.to_text())
    else:
        path.unlink(missing_ok=True)
    return path
