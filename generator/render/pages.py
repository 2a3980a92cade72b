"""Render stage: Article records → Markdown pages in docs/archive/ (Arabic + English twins).

Everything generated lives under docs/archive/; hand-written pages elsewhere in docs/ are never
touched. Files are written only when their bytes change (atomically), and generated files that
no longer correspond to an article or index are removed, so the same inputs always give a
byte-identical docs/ tree and git diffs show real changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from operator import attrgetter
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import jinja2
import jinja2.bccache

from generator.atomic import atomic_write_bytes, atomic_write_text, is_stale_temp, is_temp, remove_stale_temps
from generator.config import ARCHIVE_FOLDER, ARTICLES_FOLDER
from generator.internals import bytecode_cache_filename
from generator.model import Article, Translation, digest
from generator.render.frontmatter import dump_page
from generator.render.markup import (
    HtmlWriter,
    MarkdownWriter,
    md_inline,
    md_text,
    page_url,
    relative_url,
    toc_tokens,
)
from generator.render.sidebyside import parallel_html
from generator.text.arabic import match_key, memory_key
from generator.text.dates import to_hijri
from generator.text.lexicon import GlossaryEntry, glossary
from generator.text.names import find_names
from generator.workers import map_split

ARCHIVE = ARCHIVE_FOLDER  # generated pages, relative to docs/
ARTICLES = ARTICLES_FOLDER
LATEST_COUNT = 50
AR_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
             "نوفمبر", "ديسمبر")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
HIJRI_AR = ("محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة", "رجب", "شعبان", "رمضان",
            "شوال", "ذو القعدة", "ذو الحجة")
HIJRI_EN = ("Muharram", "Safar", "Rabi al-Awwal", "Rabi al-Thani", "Jumada al-Awwal", "Jumada al-Thani", "Rajab",
            "Shaban", "Ramadan", "Shawwal", "Dhu al-Qadah", "Dhu al-Hijjah")

# --- identities and paths ---------------------------------------------------------------------


def article_key(article: Article) -> str:
    """Short stable id: what the article says (title + opening), not where it was saved."""
    basis = match_key(article.title or "") + "\n" + match_key(" ".join(article.paragraphs)[:400])
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:10]


def slug(name: str) -> str:
    """File-name-safe slug that keeps Arabic letters; a hash suffix keeps it unique."""
    base = re.sub(r"[^\w]+", "-", name, flags=re.UNICODE).strip("-_").lower()[:40] or "x"
    return f"{base}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:6]}"


@dataclass(frozen=True)
class Page:
    """One generated page pair: docs-relative Markdown paths and site-relative URLs."""

    path: str  # the Arabic page's docs-relative POSIX path; the PurePosixPaths are made when asked
    # (an incremental build needs those of the few pages it renders, not 5,000)

    @cached_property  # writes the instance __dict__ directly, which a frozen dataclass allows
    def ar(self) -> PurePosixPath:
        return PurePosixPath(self.path)

    @cached_property
    def en(self) -> PurePosixPath:
        return PurePosixPath(self.path[:-3] + ".en.md")  # one parse: with_name was a visible cost

    @property
    def url_ar(self) -> str:
        return page_url(self.ar)

    @property
    def url_en(self) -> str:
        return page_url(self.en)


def article_page(article: Article, key: str) -> Page:
    folder = article.date[:4] if article.date else "undated"
    name = f"{article.date or 'undated'}-{key}"
    return Page(f"{ARTICLES}/{folder}/{name}.md")


# --- view models ------------------------------------------------------------------------------


@dataclass
class Entry:
    """An article as the index pages list it."""

    article: Article
    page: Page
    key: str
    names: list[GlossaryEntry] = field(default_factory=list)  # glossary names it mentions, in order
    fingerprint: str = ""  # hash of the record, its id and names: what its pages and list lines show

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.article.date or "", self.article.time or "", self.key)


@dataclass(frozen=True)
class PagePayload:
    """A generated article page as the site build needs it: its front matter and its HTML body.

    The Markdown file in docs/ is the page's readable, diffable form; the MkDocs hook takes the
    metadata and body from here instead of parsing YAML and Markdown back, which was most of the
    per-page cost of a large build. tests/test_site.py checks that both forms say the same.
    """

    meta: dict
    html: str
    toc: list[dict] = field(default_factory=list)  # heading tokens, as MkDocs' get_toc takes them


class PageState(NamedTuple):
    """What the manifest remembers of a written page: what it was made from, and the file as written.

    A tuple: the manifest stores 11,000 of them at 5,000 articles, and tuples pickle several
    times faster than dataclass instances."""

    fingerprint: str  # hash of everything the page's text depends on
    size: int
    mtime_ns: int


# Index list lines: (language, link base) → entry fingerprint → line (see _IndexPage.lines).
LineCache = dict[tuple[str, str], dict[str, str]]


@dataclass
class RenderResult:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    # docs-relative POSIX path → the page's payload, computed when MkDocs asks for it (most pages
    # of an incremental build are not rendered at all by this stage).
    payloads: dict[str, Callable[[], PagePayload]] = field(default_factory=dict)
    pages: dict[str, PageState] = field(default_factory=dict)  # the manifest's record of every page
    fronts: dict[str, Callable[[], dict]] = field(default_factory=dict)  # article pages' front matter, on demand
    orders: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # article pages: (date, time, id)


def _display_date(iso: str | None, lang: str) -> str | None:
    if not iso:
        return None
    day = dt.date.fromisoformat(iso)
    months = AR_MONTHS if lang == "ar" else EN_MONTHS
    return f"{day.day} {months[day.month - 1]} {day.year}"


def _display_hijri(hijri: str | None, lang: str) -> str | None:
    if not hijri:
        return None
    year, month, day = (int(p) for p in hijri.split("-"))
    return f"{day} {HIJRI_AR[month - 1]} {year} هـ" if lang == "ar" else f"{day} {HIJRI_EN[month - 1]} {year} AH"


def _front_matter(article: Article, entry: Entry, lang: str, tags: list[dict[str, str]]) -> dict:
    t = article.translation or Translation()
    hijri = article.hijri_date or (to_hijri(dt.date.fromisoformat(article.date)) if article.date else None)
    own, twin = (entry.page.url_ar, entry.page.url_en) if lang == "ar" else (entry.page.url_en, entry.page.url_ar)
    return {
        "template": "article.html",
        "lang": lang,
        "title": (article.title or "") if lang == "ar" else (t.title or article.title or ""),
        "title_ar": article.title,
        "title_en": t.title,
        "date": article.date,
        "date_display": _display_date(article.date, lang),
        "time": article.time,
        "date_source": article.date_source,
        "date_confidence": article.date_confidence,
        # How sure extraction is of each field (0..1), and which fields a person corrected.
        "confidence": {k: article.confidence[k] for k in sorted(article.confidence)},
        "corrected": article.corrected,
        "hijri_date": hijri,
        "hijri_display": _display_hijri(hijri, lang),
        "hijri_stated": article.hijri_date is not None,
        "publisher": article.publisher if lang == "ar" else (t.publisher or article.publisher),
        "publisher_ar": article.publisher,
        "publisher_en": t.publisher or article.publisher_en,
        "byline": article.byline,
        "dateline": article.dateline,
        "agency": article.agency,
        "category": article.category if lang == "ar" else (t.category or article.category),
        "tags": tags,
        "source": article.source,
        "source_index": article.index,
        "duplicates": article.duplicates,  # other input files holding this same article
        "content_hash": article.content_hash,
        "article_id": entry.key,
        "url": own,
        "twin_url": twin,
        "translation": {
            "status": t.status,
            "engine": t.engine,
            "model": t.model,
            "model_version": t.model_version,
            "translated_on": t.translated_on,
            "review_stale": t.review_stale,
        },
        "warnings": article.warnings,
    }


@cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("generator.render", "templates"), autoescape=False,
                             extensions=["jinja2.ext.do"],
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["md"] = md_text
    env.filters["md_inline"] = md_inline
    return env


class TemplateBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's, written through atomic.py: a run killed mid-write leaves a temporary the next run
    recognises and removes (Jinja's own temporaries would stay)."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        buffer = io.BytesIO()
        bucket.write_bytecode(buffer)
        atomic_write_bytes(Path(bytecode_cache_filename(self, bucket)), buffer.getvalue(), durable=False)


_loaded: dict[str, jinja2.Template] = {}  # this build's templates (emptied by render_site)


def _template(name: str) -> jinja2.Template:
    """A template, checked against its file once a build: jinja2's own cache stats the file on
    every `get_template`, thousands of times a build."""
    template = _loaded.get(name)
    if template is None:
        template = _loaded[name] = _templates().get_template(name)
    return template


# --- the stage --------------------------------------------------------------------------------


def render_site(articles: Iterable[Article], docs_dir: Path, previous: dict[str, tuple[str, int, int]] | None = None,
                text_cache: dict[str, tuple[str, list[str]]] | None = None,
                progress: Callable[[int, int], None] | None = None,
                line_cache: LineCache | None = None,
                template_cache: Path | None = None) -> RenderResult:
    """Write every article and index page pair under docs/archive/; remove what no longer exists.

    `previous` is the manifest's record of the last run's pages: a page whose inputs hash the same
    and whose file is as written then is neither rendered nor read again (incremental builds).
    `text_cache` maps an article's content hash to what depends on the text alone (its id and the
    glossary names found in it), and is filled. `line_cache` (the manifest's, updated in place)
    holds index list lines by language, link base and entry fingerprint: a name or year page
    listing thousands of articles is rewritten when one joins it, and its other lines (and their
    translations) need not be made again. `template_cache` is a folder for compiled templates
    (compiling them was a tenth of an incremental run).
    """
    previous = previous or {}
    _loaded.clear()
    if template_cache is not None:  # keyed by template and checked against its source by Jinja
        template_cache.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(template_cache)  # a killed run's (named by atomic.py: see TemplateBytecodeCache)
        _templates().bytecode_cache = TemplateBytecodeCache(str(template_cache))
    entries = _entries(articles, text_cache if text_cache is not None else {})
    tag_pages: dict[str, Page] = {}
    publisher_pages: dict[str, Page] = {}
    for entry in entries:  # (a page made once per name: setdefault would make it for every mention)
        for tag in entry.article.tags:
            if tag not in tag_pages:
                tag_pages[tag] = Page(f"{ARCHIVE}/tags/{slug(tag)}.md")
        publisher = entry.article.publisher
        if publisher and publisher not in publisher_pages:
            publisher_pages[publisher] = Page(f"{ARCHIVE}/publishers/{slug(publisher)}.md")
    jobs = [job for entry in entries for job in _article_jobs(entry, tag_pages)]
    lines = line_cache if line_cache is not None else {}
    jobs += _index_jobs(entries, tag_pages, publisher_pages, lines)
    result = RenderResult()
    keyed = sorted(((job.path, job) for job in jobs), key=lambda kj: kj[0])
    todo: list[tuple[str, _Job]] = []
    for key, job in keyed:
        result.payloads[key] = job.payload
        if job.front is not None:
            result.fronts[key] = job.front
        if job.order is not None:
            result.orders[key] = job.order
        where = os.path.join(docs_dir, key)  # strings: pathlib's / and stat were a visible cost at 10,000 pages
        state = previous.get(key)
        if state is not None and state[0] == job.fingerprint and _stat(where) == (state[1], state[2]):
            result.unchanged += 1
            result.pages[key] = state
        else:
            todo.append((where, job))
    done = 0

    def write(item: tuple[str, _Job]) -> tuple[bool, int, int]:
        nonlocal done
        where, job = item
        text = job.render()
        path = Path(where)
        written = not (path.exists() and path.read_text(encoding="utf-8") == text)
        if written:
            atomic_write_text(path, text, durable=False)  # regenerable: atomic, not fsync'd
        done += 1
        if progress and done % 50 == 0:
            # About: with a fork (map_split) this process makes every other page.
            progress(min(len(keyed), result.unchanged + 2 * done), len(keyed))
        return (written, *(_stat(where) or (0, 0)))

    # A first build renders thousands of pages: a fork renders and writes every other one.
    for (_, job), (written, size, mtime_ns) in zip(todo, map_split(write, todo), strict=True):
        key = job.path
        result.pages[key] = PageState(job.fingerprint, size, mtime_ns)
        if written:
            result.written.append(key)
        else:
            result.unchanged += 1
    if progress:
        progress(len(keyed), len(keyed))
    result.removed = _remove_others(docs_dir, {key for key, _ in keyed})
    if line_cache is not None:  # Markdown lines of this archive's entries (HTML ones are made after saving)
        live = {entry.fingerprint for entry in entries}
        for (lang, base), group in list(line_cache.items()):
            if not base.startswith("md:"):
                del line_cache[(lang, base)]
                continue
            for gone in group.keys() - live:  # the set difference in C: most lines stay
                del group[gone]
    return result


class _Job(NamedTuple):  # a tuple: 11,000 frozen dataclasses a run were a visible cost
    """One generated page: its inputs' fingerprint, and how to make its Markdown and its payload."""

    path: str  # docs-relative POSIX path (a string: 11,000 PurePosixPaths a run were a visible cost)
    fingerprint: str
    render: Callable[[], str]  # the Markdown file's text
    payload: Callable[[], PagePayload]  # what the MkDocs hook asks for, computed only then
    front: Callable[[], dict] | None = None  # an article page's front matter alone (feeds need no HTML)
    order: tuple[str, str, str] | None = None  # an article page's place in the "latest" list: (date, time, id)


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns


def _remove_others(docs_dir: Path, wanted: set[str]) -> list[str]:
    """Delete generated files no page owns any more (a removed seed's pages), and empty folders."""
    removed = []
    root = docs_dir / ARCHIVE
    for folder, _dirs, files in sorted(os.walk(root), reverse=True):  # children before their parents
        prefix = os.path.relpath(folder, docs_dir).replace(os.sep, "/") + "/"
        for name in sorted(files):
            rel = prefix + name
            # An atomic write's temporary (hidden: the regex only then): a killed writer's goes, a live one's stays.
            if name[0] == "." and is_temp(name):
                if is_stale_temp(name):
                    os.unlink(os.path.join(folder, name))
            elif rel not in wanted:
                os.unlink(os.path.join(folder, name))
                removed.append(rel)
        if folder != str(root) and not os.listdir(folder):
            os.rmdir(folder)
    return sorted(removed)


_hash = digest


def _entries(articles: Iterable[Article], text_cache: dict[str, tuple[str, list[str]]]) -> list[Entry]:
    entries: dict[str, Entry] = {}
    by_english = {entry.en: entry for entry in glossary()}
    articles = list(articles)
    # What depends on the text alone, computed once per text (every other one on the second core).
    first: dict[str, Article] = {}
    for article in articles:
        if article.content_hash not in text_cache:
            first.setdefault(article.content_hash, article)
    new = list(first.values())
    text_cache.update(zip((a.content_hash for a in new), map_split(_text_entry, new), strict=True))
    for article in articles:
        key, names_found = text_cache[article.content_hash]
        while key in entries:  # identical title and opening, different files: keep both
            key = hashlib.sha256(f"{key}:{article.source}:{article.index}".encode()).hexdigest()[:10]
        names = [by_english[n] for n in names_found if n in by_english]
        entry = Entry(article, article_page(article, key), key, names)
        # The record as extracted (hashed once, kept in the manifest) plus what later stages change.
        t = article.translation
        entry.fingerprint = _hash(article.record_digest, article.source, article.index, article.duplicates,
                                  article.duplicate_of, article.warnings, t.digest if t is not None else None,
                                  key, names_found)
        entries[key] = entry
    return sorted(entries.values(), key=lambda e: e.sort_key, reverse=True)


def _text_entry(article: Article) -> tuple[str, list[str]]:
    """The page key and the names (in English) of an article's text."""
    return article_key(article), [n.en for n in _names_in(article)]


def _names_in(article: Article) -> list[GlossaryEntry]:
    """Glossary names the article mentions (title and body), first mention first, each once.

    Short forms count as their full name (بيسكوف → Dmitry Peskov), so each person has one page.
    The body is searched sentence by sentence, as translation did: find_names caches by text.
    """
    by_english = {entry.en: entry for entry in glossary()}
    found: dict[str, GlossaryEntry] = {}
    pairs = article.translation.paragraphs if article.translation else []
    if len(pairs) == len(article.paragraphs) and all(
            " ".join(s.ar for s in sentences).split() == paragraph.split()
            for sentences, paragraph in zip(pairs, article.paragraphs, strict=True)):
        texts = [memory_key(s.ar) for sentences in pairs for s in sentences]
    else:  # a reviewed translation is aligned by paragraph, or none yet
        texts = list(article.paragraphs)
    for text in (article.title or "", *texts):
        for span in find_names(text):
            entry = by_english.get(span.entry.same_as or "", span.entry)
            found.setdefault(entry.en, entry)
    return list(found.values())


@cache
def name_page(entry: GlossaryEntry) -> Page:
    return Page(f"{ARCHIVE}/names/{slug(entry.en)}.md")


def _article_jobs(entry: Entry, tag_pages: dict[str, Page]) -> list[_Job]:
    fronts: dict[str, dict] = {}

    def front(lang: str) -> dict:
        """Made once (read-only after): the Markdown file, the MkDocs page and the feeds all need it."""
        made = fronts.get(lang)
        if made is None:
            made = fronts[lang] = _article_front(entry, tag_pages, lang)
        return made

    jobs = []
    ar = entry.page.path
    for lang in ("ar", "en"):
        path = ar if lang == "ar" else ar[:-3] + ".en.md"  # = str(entry.page.en), without making it
        jobs.append(_Job(path, f"{entry.fingerprint}:{lang}",
                         render=lambda lang=lang: _article_page(entry, front(lang), lang),
                         payload=lambda lang=lang: PagePayload(front(lang),
                                                               article_html(entry.article, lang, entry.page)),
                         front=lambda lang=lang: front(lang), order=entry.sort_key))
    return jobs


def _article_front(entry: Entry, tag_pages: dict[str, Page], lang: str) -> dict:
    article, t = entry.article, entry.article.translation or Translation()
    tags = []
    for i, tag in enumerate(article.tags):
        page = tag_pages[tag]
        name = tag if lang == "ar" else ((t.tags[i] if i < len(t.tags) and t.tags[i] else None) or tag)
        tags.append({"name": name, "url": page.url_ar if lang == "ar" else page.url_en})
    front = _front_matter(article, entry, lang, tags)
    front["names"] = [{"name": n.ar if lang == "ar" else n.en, "type": n.type,
                       "url": name_page(n).url_ar if lang == "ar" else name_page(n).url_en}
                      for n in entry.names]
    return front


def _article_page(entry: Entry, front: dict, lang: str) -> str:
    article, t = entry.article, entry.article.translation or Translation()
    body = _template(f"article.{lang}.md.j2").render(article=article, translation=t, page=entry.page)
    return dump_page(front, body)


def _paragraph_html(text: str | None) -> str:
    # What Python-Markdown makes of `md_text(text)` as a paragraph: the literal text, HTML-escaped.
    return f"<p>{html.escape(' '.join((text or '').split()), quote=False)}</p>"


def article_html(article: Article, lang: str, page: Page | None) -> str:
    """The HTML of an article page's body: the Markdown body as HTML, then the side-by-side view.

    Equal to what Python-Markdown makes of article.<lang>.md.j2 (tests/test_site.py compares them
    on every page of a real build), so the site says what the Markdown file says.
    """
    t = article.translation or Translation()
    if lang == "ar":
        parts = [_paragraph_html(p) for p in article.paragraphs if p.strip()]
    elif t.status == "pending":
        original = ("../" * (page.url_ar.count("/") + 1) + page.url_ar) if page else ""
        parts = ['<div class="admonition warning">\n<p class="admonition-title">Translation pending</p>\n'
                 '<p>This article has no English translation yet. '
                 f'<a href="{html.escape(original)}" hreflang="ar">Read the Arabic original</a>.</p>\n</div>']
    else:
        english = (" ".join(s.en or "" for s in sentences) for sentences in t.paragraphs)
        parts = [_paragraph_html(text) for text in english if text.strip()]
    if page is None:
        twin = ""
    elif lang == "ar":
        twin = "../" * page.url_ar.count("/") + page.url_en
    else:
        twin = "../" * (page.url_ar.count("/") + 1) + page.url_ar
    fragment = parallel_html(article, t, lang, twin)
    return "\n".join(parts) + "\n" + fragment


INDEX_PAGES = {name: Page(f"{ARCHIVE}/{path}") for name, path in (
    ("latest", "index.md"), ("timeline", "timeline/index.md"), ("publishers", "publishers/index.md"),
    ("tags", "tags/index.md"), ("undated", "undated.md"))}


def _index_jobs(entries: list[Entry], tag_pages: dict[str, Page], publisher_pages: dict[str, Page],
                lines: LineCache) -> list[_Job]:
    dated = [e for e in entries if e.article.date]
    undated = sorted((e for e in entries if not e.article.date), key=lambda e: (e.article.title or "", e.key))
    by_year: dict[str, list[Entry]] = defaultdict(list)
    for entry in dated:
        by_year[entry.article.date[:4]].append(entry)
    by_tag: dict[str, list[Entry]] = defaultdict(list)
    by_publisher: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        for tag in dict.fromkeys(entry.article.tags):
            by_tag[tag].append(entry)
        if entry.article.publisher:
            by_publisher[entry.article.publisher].append(entry)

    specs: list[tuple[Page, str, dict]] = [
        (Page(f"{ARCHIVE}/index.md"), "latest", {"entries": entries[:LATEST_COUNT], "total": len(entries)}),
        (Page(f"{ARCHIVE}/undated.md"), "undated", {"entries": undated}),
        (Page(f"{ARCHIVE}/timeline/index.md"), "timeline", {
            "years": [(year, Page(f"{ARCHIVE}/timeline/{year}.md"), _months(by_year[year]))
                      for year in sorted(by_year, reverse=True)]}),
        (Page(f"{ARCHIVE}/publishers/index.md"), "publishers", {
            "groups": [(name, publisher_pages[name], by_publisher[name])
                       for name in sorted(by_publisher, key=lambda n: (-len(by_publisher[n]), n))]}),
        (Page(f"{ARCHIVE}/tags/index.md"), "tags", {
            "groups": [(name, tag_pages[name], by_tag[name])
                       for name in sorted(by_tag, key=lambda n: (-len(by_tag[n]), n))]}),
    ]
    by_name: dict[str, list[Entry]] = defaultdict(list)
    glossary_entries: dict[str, GlossaryEntry] = {}
    for entry in entries:
        for name in entry.names:
            by_name[name.en].append(entry)
            glossary_entries[name.en] = name
    specs.append((Page(f"{ARCHIVE}/names/index.md"), "names", {
        "groups": [(glossary_entries[n], name_page(glossary_entries[n]), by_name[n])
                   for n in sorted(by_name, key=lambda n: (-len(by_name[n]), n))]}))
    for name, group in by_name.items():
        specs.append((name_page(glossary_entries[name]), "name", {"name": glossary_entries[name], "entries": group}))
    for year, year_entries in by_year.items():
        specs.append((Page(f"{ARCHIVE}/timeline/{year}.md"), "year", {"year": year,
                                                                            "months": _months(year_entries)}))
    for name, group in by_publisher.items():
        specs.append((publisher_pages[name], "group", {"kind": "publisher", "name": name, "entries": group}))
    for name, group in by_tag.items():
        specs.append((tag_pages[name], "group", {"kind": "tag", "name": name, "entries": group}))

    jobs = []
    for page, template_name, context in specs:
        fingerprint = _hash(template_name, _identity(context))
        for lang in ("ar", "en"):
            here = page.ar if lang == "ar" else page.en
            make = _IndexPage(here, lang, template_name, context, lines)
            jobs.append(_Job(str(here), f"{fingerprint}:{lang}", render=make.page, payload=make.payload))
    return jobs


def _identity(value: object) -> object:
    """What an index page's context shows, for its fingerprint: entries by their fingerprints."""
    if isinstance(value, Entry):
        return value.fingerprint
    if isinstance(value, Page):
        return value.path
    if isinstance(value, dict):
        return [(k, _identity(v)) for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        if set(map(type, value)) == {Entry}:  # lists of entries are most of it: the loop in C
            return list(map(_FINGERPRINT, value))
        return [_identity(v) for v in value]
    return value


_FINGERPRINT = attrgetter("fingerprint")


@dataclass
class _IndexPage:
    """Renders one index page (one language) with the Markdown or the HTML writer."""

    here: PurePosixPath
    lang: str
    template_name: str
    context: dict
    # Shared by all index pages, so list lines are rendered once: (language, link base) → entry
    # fingerprint → line. The fingerprint covers all that a line shows (title, date, publisher,
    # English, page).
    lines: LineCache

    def _render(self, writer: MarkdownWriter | HtmlWriter) -> str:
        group = self.lines.setdefault((writer.lang, _lines_base(writer)), {})

        def item_lines(entries: list[Entry]) -> list[str]:
            out = []
            for entry in entries:
                line = group.get(entry.fingerprint)
                if line is None:
                    line = group[entry.fingerprint] = _item_line(entry, writer)
                out.append(line)
            return out

        template = _template(f"{self.template_name}.j2")
        return template.render(lang=self.lang, w=writer, item_lines=item_lines, pages=INDEX_PAGES, **self.context)

    def payload(self) -> PagePayload:
        writer = HtmlWriter(self.here, self.lang)
        html_body = self._render(writer)
        title = html.unescape(re.sub(r"<[^>]+>", "", writer.toc[0].name)) if writer.toc else ""
        return PagePayload({"lang": self.lang, "title": title, "generated": True}, html_body, toc_tokens(writer.toc))

    def page(self) -> str:
        writer = MarkdownWriter(self.here, self.lang)
        body = self._render(writer)
        title = writer.toc[0].name if writer.toc else ""
        return dump_page({"lang": self.lang, "title": title, "generated": True}, body)


def _lines_base(writer: MarkdownWriter | HtmlWriter) -> str:
    """What an index page's list lines depend on, so that pages with the same one share them.

    The lines link to article pages only, all under ARTICLES. From an HTML page outside that
    folder, a link is the way to the folder plus the article's place in it: every name, tag and
    year page at one depth shares its lines (per page, 1,000 articles cost ~48,000 line renders)."""
    if isinstance(writer, HtmlWriter):
        here = page_url(writer.here)
        folder = page_url(ARTICLES / ("index.en.md" if writer.lang == "en" else "index.md"))
        if not here.startswith(folder):
            return "html-to-articles:" + relative_url(folder, here)
    return writer.link_base  # Markdown: its links are relative to the page's folder, shared already


def _item_line(entry: Entry, w: MarkdownWriter | HtmlWriter) -> str:
    """One archive list entry: linked title — date · publisher (English title when translated)."""
    article, t = entry.article, entry.article.translation
    if w.lang == "ar":
        title, date, publisher = article.title, _display_date(article.date, "ar") or "بلا تاريخ", article.publisher
        pending = ""
    else:
        translated = t.title if t and t.title else None
        title, date = translated or article.title, _display_date(article.date, "en") or "undated"
        publisher = (t.publisher if t and t.publisher else None) or article.publisher
        pending = "" if translated else " " + w.emphasis("(translation pending)")
    title = title or ("بلا عنوان" if w.lang == "ar" else "Untitled")  # a link needs visible text
    line = f"{w.link(w.text(title), entry.page)}{pending} — {date}"
    return line + (f" · {w.text(publisher)}" if publisher else "")


def _months(entries: list[Entry]) -> list[tuple[int, list[Entry]]]:
    months: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        months[int(entry.article.date[5:7])].append(entry)
    return [(m, months[m]) for m in sorted(months, reverse=True)]
