"""Translation stage: Article records → the same records with an English `translation`.

We drive CTranslate2 and SentencePiece ourselves rather than calling
`argostranslate.translate.translate()`: that API splits sentences with stanza or MiniSBD (both
download data on first use, so it fails offline) and sends one paragraph per `translate_batch`
call with a 32-*token* batch limit, so news-length sentences decode one at a time. Here every
pending sentence of every article is collected, de-duplicated against the translation memory,
sorted by length and decoded in batches of similar-length sentences, one batch per core at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from generator.atomic import atomic_write_text
from generator.config import Settings, TranslationSettings
from generator.model import Article, LazyTranslation, SentencePair, Translation
from generator.text.arabic import memory_key
from generator.text.names import find_names, restore_names
from generator.translate.argos import ArgosPackage, find_package
from generator.translate.memory import MemoryEntry, TranslationMemory, find_memory, memory_path
from generator.translate.sentences import split_sentences
from generator.workers import map_split

if TYPE_CHECKING:
    from generator.translate.cluster import ClusterTranslator

ENGINE_NAME = "ctranslate2"
# One sentence decoded: its target pieces, and for each the [start, end) span of the source it attends to most.
Decoded = tuple[list[str], list[list[int]]]


class Engine:
    """One loaded Argos package: SentencePiece in, CTranslate2 batches, pieces + alignment out."""

    def __init__(self, package: ArgosPackage, settings: TranslationSettings) -> None:
        import ctranslate2
        import sentencepiece

        self.package = package
        self.settings = settings
        self.device, self.compute_type = resolve_device(settings)
        # Provenance: a GPU's (or another compute type's) decoding is told apart from the CPU's.
        placed = "" if (self.device, self.compute_type) == ("cpu", "default") else f" {self.device} {self.compute_type}"
        self.version = f"{ENGINE_NAME} {ctranslate2.__version__}{placed}"
        self.translator: Any = ctranslate2.Translator(
            str(package.model_dir), device=self.device, compute_type=self.compute_type,
            inter_threads=settings.inter_threads, intra_threads=settings.intra_threads,
        )
        self.sp = sentencepiece.SentencePieceProcessor(model_file=str(package.sentencepiece_model))

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def translate_chunks(self, chunks: list[list[str]]) -> Iterator[tuple[str, list[Decoded]]]:
        """Each chunk's (engine version, results), in order: what the translation memory stores."""
        for chunk in chunks:
            yield self.version, self.translate(chunk)

    def close(self) -> None:
        """Release the model: CTranslate2's worker threads end with the translator, so that the
        process can fork again (a fork copies threads in whatever state they are)."""
        translator, self.translator = self.translator, None
        if translator is not None:
            translator.unload_model()
            del translator

    @property
    def loaded(self) -> bool:
        return self.translator is not None

    def _encode(self, sentence: str) -> tuple[list[str], list[list[int]]]:
        """Source pieces and each piece's [start, end) character span in `sentence`."""
        proto = self.sp.encode(sentence, return_type="proto")  # pieces with byte offsets
        byte_to_char = _byte_to_char_map(sentence)
        pieces, spans = [], []
        for piece in proto.pieces:
            pieces.append(piece.piece)
            spans.append([byte_to_char[piece.begin], byte_to_char[piece.end]])
        return pieces, spans

    def translate(self, sentences: list[str], **options: Any) -> list[Decoded]:
        """(target pieces, alignment spans) per sentence; `options` go to `translate_batch`."""
        encoded = [self._encode(s) for s in sentences]
        decode = {"beam_size": self.settings.beam_size, "max_decoding_length": self.settings.max_decoding_length,
                  **options}
        results = self.translator.translate_batch(
            [pieces for pieces, _ in encoded], max_batch_size=self.settings.batch_size, batch_type="examples",
            return_attention=True, **decode,
        )
        out = []
        for (_, spans), result in zip(encoded, results, strict=True):
            target = result.hypotheses[0]
            attention = result.attention[0] if result.attention else []
            align = []
            for t in range(len(target)):
                weights = attention[t][: len(spans)] if t < len(attention) else []
                best = max(range(len(weights)), key=weights.__getitem__) if weights else None
                align.append(spans[best] if best is not None else [0, 0])
            out.append((target, align))
        return out


class EngineError(Exception):
    """The engine cannot run as asked, with a one-line reason."""


def resolve_device(settings: TranslationSettings) -> tuple[str, str]:
    """CTranslate2's (device, compute type) for `settings.device`: "auto" takes CUDA when there is a GPU."""
    import ctranslate2

    gpus = ctranslate2.get_cuda_device_count()
    device = settings.device
    if device == "auto":
        device = "cuda" if gpus > 0 else "cpu"
    elif device == "cuda" and gpus == 0:
        raise EngineError("device cuda: CTranslate2 sees no CUDA device on this machine (use --device auto or cpu)")
    return device, settings.compute_type or ("int8_float16" if device == "cuda" else "default")


def open_decoder(package: ArgosPackage, settings: Settings) -> Engine | ClusterTranslator:
    """Where pending sentences are decoded: this process, or the Dask cluster `settings` names."""
    if not settings.translation.cluster:
        return Engine(package, settings.translation)
    try:
        from generator.translate.cluster import ClusterTranslator
    except ImportError as error:
        raise EngineError(f"translation cluster {settings.translation.cluster}: Dask is not installed "
                          f"({error.name}); install the extra: pip install -e '.[cluster]'") from error
    return ClusterTranslator(settings.translation.cluster, package, settings.translation, settings.packages_dir)


def _byte_to_char_map(text: str) -> list[int]:
    mapping = []
    for index, char in enumerate(text):
        mapping.extend([index] * len(char.encode("utf-8")))
    mapping.append(len(text))
    return mapping


# --- the stage --------------------------------------------------------------------------------


@dataclass
class TranslationStats:
    articles: int = 0
    sentences: int = 0  # sentence units in all articles (title, paragraphs, tags, ...)
    translated: int = 0  # decoded by the model in this run
    cache_hits: int = 0  # found in the translation memory
    pending: int = 0  # neither: no model installed
    model: str | None = None
    reviewed: int = 0
    stale_reviews: int = 0

    def as_report(self) -> dict[str, int]:
        return {"sentences": self.sentences, "translated": self.translated, "cache_hits": self.cache_hits,
                "pending": self.pending}


def _units(article: Article, sentences: list[list[str]] | None = None) -> list[str]:
    """Every text unit of an article that needs translating, as memory keys (`sentences` is `_split(article)`,
    split here when not given: benchmarks/site.py calls it with the article alone)."""
    if sentences is None:
        sentences = _split(article)
    units = [article.title or "", *(s for p in sentences for s in p), *article.tags]
    if article.category:
        units.append(article.category)
    if article.publisher and not article.publisher_en:
        units.append(article.publisher)
    return [memory_key(u) for u in units if u.strip()]


def _split(article: Article) -> list[list[str]]:
    """Each paragraph's sentences: split once, for the units and for the assembled translation."""
    return [split_sentences(p) for p in article.paragraphs]


def translate_articles(articles: list[Article], settings: Settings,
                       progress: Callable[[int, int], None] | None = None,
                       package: ArgosPackage | None = None, cache: dict[str, bytes | memoryview] | None = None
                       ) -> TranslationStats:
    """Fill `article.translation` for every article; returns the counters for the report.

    `progress(done, total)` is called as sentences are decoded. Without a model, sentences found in
    the translation memory are still used and the rest are marked pending. `cache` (the manifest's,
    updated in place) holds finished translations by article content and model: an article seen
    before needs neither the memory nor the model, so the memory is only loaded for new articles.
    """
    tsettings = settings.translation
    package = package or find_package(tsettings.from_code, tsettings.to_code, settings.packages_dir)
    memory_dir = settings.translations_dir / "memory"
    model_id = package.model_id if package else find_memory(memory_dir, tsettings.from_code, tsettings.to_code)
    stats = TranslationStats(articles=len(articles), model=model_id)
    reviews = settings.translations_dir / "reviewed"

    todo = []
    todo_keys = []
    kept: dict[str, bytes | memoryview] = {}
    for article in articles:
        key = _cache_key(article, model_id)
        cached = cache.get(key) if cache is not None and model_id else None
        if cached is None:
            todo.append(article)
            todo_keys.append(key)  # translating changes only article.translation, not the key's inputs
            continue
        kept[key] = cached
        units, digest, head_size = _HEAD.unpack_from(cached)
        view = memoryview(cached)
        fields = pickle.loads(view[_HEAD.size:_HEAD.size + head_size])
        head = dict(zip(LazyTranslation.HEAD_FIELDS, fields, strict=True))
        article.translation = LazyTranslation(view[_HEAD.size + head_size:], digest.decode("ascii"), head)
        stats.sentences += units
        stats.cache_hits += units
    counts = _translate_new(todo, settings, package, model_id, progress, stats) if todo else []
    for article, key, units in zip(todo, todo_keys, counts, strict=True):
        if model_id and article.translation and article.translation.status == "machine":
            translation = article.translation
            head = pickle.dumps(tuple(getattr(translation, name) for name in LazyTranslation.HEAD_FIELDS),
                                protocol=pickle.HIGHEST_PROTOCOL)
            kept[key] = _HEAD.pack(units, translation.digest.encode("ascii"), len(head)) + head + pickle.dumps(
                translation, protocol=pickle.HIGHEST_PROTOCOL)
    if cache is not None:  # keep what this archive still holds
        cache.clear()
        cache.update(kept)
    if reviews.is_dir():
        for article in articles:
            _apply_review(article, reviews, stats)
    return stats


# A finished translation in the manifest: its number of text units, its digest (what the page
# fingerprints need, without unpickling it) and the size of the pickled fields list lines show
# (LazyTranslation.HEAD_FIELDS), then those, then the pickled Translation.
_HEAD = struct.Struct("<I40sI")


def _cache_key(article: Article, model_id: str | None) -> str:
    """A finished translation depends on the text units and the model (the glossary is in the code
    fingerprint of the manifest, reviews are applied afterwards)."""
    return hashlib.sha256(f"{article.units_digest}:{model_id}".encode("utf-8", "surrogatepass")).hexdigest()


def _translate_new(articles: list[Article], settings: Settings, package: ArgosPackage | None, model_id: str | None,
                   progress: Callable[[int, int], None] | None, stats: TranslationStats) -> list[int]:
    """Translate and assemble `articles`; returns each one's number of text units."""
    tsettings = settings.translation
    memory_dir = settings.translations_dir / "memory"
    memory = TranslationMemory(memory_path(memory_dir, model_id), model_id) if model_id else None
    split = map_split(_split, articles)  # sentence splitting: every other article on the second core
    all_units = [_units(a, sentences) for a, sentences in zip(articles, split, strict=True)]
    stats.sentences += sum(len(u) for u in all_units)
    unique = dict.fromkeys(u for units in all_units for u in units)
    pending = [u for u in unique if memory is None or u not in memory.entries]
    stats.cache_hits += sum(1 for units in all_units for u in units if memory is not None and u in memory.entries)

    if pending and package and memory is not None:
        today = dt.date.today().isoformat()
        pending.sort(key=len)  # similar lengths in one batch: little padding
        # The same chunks wherever they are decoded: a sentence's output depends on its batch (memory.py).
        size = tsettings.chunk_size
        chunks = [pending[start: start + size] for start in range(0, len(pending), size)]
        done = 0
        # Leaving the block ends the engine's threads (or the cluster's client): the assembly below forks.
        with open_decoder(package, settings) as decoder:
            for chunk, (version, results) in zip(chunks, decoder.translate_chunks(chunks), strict=True):
                memory.add([MemoryEntry(src, pieces, align, version, today)
                            for src, (pieces, align) in zip(chunk, results, strict=True)])
                done += len(chunk)
                if progress:
                    progress(done, len(pending))
    pending_set = set(pending)
    outstanding = sum(1 for units in all_units for u in units if u in pending_set)
    if package and memory is not None:
        stats.translated += outstanding
    else:
        stats.pending += outstanding

    model_name, model_version = ([*model_id.split("@", 1), None])[:2] if model_id else (None, None)
    english: dict[str, tuple[str | None, MemoryEntry | None]] = {}

    def assemble(item: tuple[Article, list[list[str]]]) -> Translation:
        translation = _assemble(*item, memory, model_name, model_version, english)
        translation.digest  # noqa: B018 - computed where it was assembled (the fork's travels back with it)
        return translation

    # Every other article on the second core: the names glossary search dominates this step.
    for article, translation in zip(articles, map_split(assemble, list(zip(articles, split, strict=True))),
                                    strict=True):
        article.translation = translation
    if memory is not None:
        memory.compact()
    return [len(units) for units in all_units]


def _english(text: str, memory: TranslationMemory | None,
             done: dict[str, tuple[str | None, MemoryEntry | None]]) -> tuple[str | None, MemoryEntry | None]:
    """The English of one unit from the memory, with glossary names restored (None if not there).

    `done` remembers each unit's result for this run: tags, categories and repeated sentences
    (wire copy, boilerplate) come up many times."""
    key = memory_key(text)
    found = done.get(key)
    if found is None:
        entry = memory.entries.get(key) if memory is not None else None
        found = done[key] = (None, None) if entry is None else (
            restore_names(entry.pieces, entry.align, find_names(key)), entry)
    return found


def _assemble(article: Article, sentences: list[list[str]], memory: TranslationMemory | None, model: str | None,
              version: str | None, done: dict[str, tuple[str | None, MemoryEntry | None]]) -> Translation:
    used: list[MemoryEntry] = []
    missing = False

    def english(text: str) -> str | None:
        nonlocal missing
        result, entry = _english(text, memory, done)
        if entry is None:
            missing = True
        else:
            used.append(entry)
        return result

    translation = Translation(model=model, model_version=version)
    translation.title = english(article.title) if article.title else None
    translation.paragraphs = [[SentencePair(s, english(s)) for s in paragraph] for paragraph in sentences]
    translation.tags = [english(t) or "" for t in article.tags]
    translation.category = english(article.category) if article.category else None
    translation.publisher = article.publisher_en or (english(article.publisher) if article.publisher else None)
    if used:
        translation.engine = max(e.engine for e in used)
        translation.translated_on = max(e.date for e in used)
    translation.status = "pending" if missing or not used else "machine"
    return translation


# --- human post-edits -------------------------------------------------------------------------


def review_path(directory: Path, article: Article) -> Path:
    """Sidecar file holding a person's corrected English for one article."""
    stem = re.sub(r"[^\w.-]+", "_", article.source).strip("_")
    return directory / f"{stem}.{article.index}.yaml"


def _apply_review(article: Article, directory: Path, stats: TranslationStats) -> None:
    path = review_path(directory, article)
    if not path.exists():
        return
    review = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    translation = article.translation or Translation()
    translation.__dict__.pop("digest", None)  # changed below: hash it again when asked
    translation.status = "reviewed"
    translation.title = review.get("title", translation.title)
    paragraphs = review.get("paragraphs")
    if isinstance(paragraphs, list):
        # A reviewer edits whole paragraphs: each is one aligned unit with its Arabic paragraph.
        arabic = article.paragraphs + [""] * max(0, len(paragraphs) - len(article.paragraphs))
        translation.paragraphs = [[SentencePair(ar, str(en))] for ar, en in zip(arabic, paragraphs, strict=False)]
    for key in ("tags", "category", "publisher"):
        if key in review:
            setattr(translation, key, review[key])
    translation.reviewed_source_hash = review.get("source_hash")
    translation.review_stale = translation.reviewed_source_hash != article.content_hash
    stats.reviewed += 1
    if translation.review_stale:
        stats.stale_reviews += 1
        article.warnings.append(f"reviewed translation {path.name} predates a change to the Arabic source: re-check it")
    article.translation = translation


def write_review_template(article: Article, directory: Path) -> Path:
    """Start a human review from the current (machine) translation."""
    translation = article.translation or Translation()
    data = {
        "source": article.source,
        "index": article.index,
        "source_hash": article.content_hash,
        "title": translation.title,
        "paragraphs": [" ".join(p.en or "" for p in para) for para in translation.paragraphs],
        "tags": translation.tags,
    }
    path = review_path(directory, article)
    atomic_write_text(path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))
    return path


__all__ = ["Engine", "EngineError", "TranslationStats", "find_package", "open_decoder", "translate_articles"]
