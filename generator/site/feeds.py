"""Feeds and sitemap: RSS 2.0 per language and a sitemap with ar/en alternates, written into site/.

`write_feeds` reads the front matter of the generated article pages (docs/archive/articles/) and
writes `site/feed.xml` (Arabic) and `site/en/feed.xml` (English) with the latest dated articles.
Undated articles are left out: feed readers sort by date, and an item without one is shown as
new the day it is first seen, whatever its age (they are listed on the "Undated" page).

`write_sitemap` replaces the sitemap MkDocs/static-i18n write (which stamps every page with the
build day, and writes "None" URLs when site_url is unset) with one that lists every built page
once with its ar/en alternates and no build-dependent values.

Both are deterministic: the same docs/ and site/ give the same bytes (no "now" anywhere).
The XML is written by ElementTree (the standard library's), not by string formatting. Pelican's
feedgenerator was not adopted: the reshaping of the code (issue 17) changes no published byte, and
the sitemap's ar/en alternates are outside what it writes.
Every value from an article goes through ElementTree, which escapes it; characters XML 1.0
cannot carry at all are dropped first.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import yaml

from generator.atomic import atomic_write_bytes, atomic_write_text
from generator.config import ARTICLES_FOLDER

ARTICLES = ARTICLES_FOLDER  # generated article pages, relative to docs/
LANGS = ("ar", "en")
FEED_NAME = "feed.xml"
FEED_LENGTH = 50  # items per feed: the latest dated articles
SITEMAP_NAME = "sitemap.xml"
ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"

# Channel title and description per language (the site_name / site_description of mkdocs.yml).
CHANNELS: dict[str, tuple[str, str]] = {
    "ar": ("أرشيف الصحافة العربية", "أحدث المقالات في أرشيف الصحافة العربية"),
    "en": ("Arabic Press Archive",
           "The latest articles in the Arabic Press Archive, with English machine translations"),
}
PENDING = " (translation pending)"

# Code points XML 1.0 does not allow, even escaped (C0 controls but tab/newline/CR, lone surrogates,
# U+FFFE/U+FFFF). ElementTree would write them through and the feed would not parse.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: object) -> str:
    return _NOT_XML.sub("", " ".join(str(text).split())) if text is not None else ""


# --- reading the generated pages ----------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    lang: str
    url: str  # site-relative, e.g. "archive/articles/2017/2017-04-12-6219ff043e/" or "en/archive/..."
    title: str
    date: str | None  # ISO date
    time: str | None  # HH:MM
    publisher: str | None
    date_display: str | None
    article_id: str

    @property
    def sort_key(self) -> tuple[str, str, str]:
        # The order of the "latest" index page (generator.render.pages.Entry.sort_key), newest first.
        return (self.date or "", self.time or "", self.article_id)

    @property
    def published(self) -> dt.datetime | None:
        """Date and time of the article. Its zone is not known: the feed states it as UTC."""
        if not self.date:
            return None
        day = dt.date.fromisoformat(self.date)
        hour, minute = _time(self.time)
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def _time(value: str | None) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", value or "")
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return int(match[1]), int(match[2])
    return 0, 0


def _iso(value: object) -> str | None:
    """A date from front matter as an ISO string (YAML may hand back a date object)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None


# LibYAML's loader, as MkDocs itself uses: the pure-Python one dominated builds of large archives.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def front_matter(path: Path) -> dict | None:
    """The YAML front matter of a Markdown page, or None when it has none."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    if end < 0:
        return None
    meta = yaml.load(text[4:end + 1], Loader=_LOADER)
    return meta if isinstance(meta, dict) else None


def _item(meta: Mapping, lang: str) -> FeedItem | None:
    url = meta.get("url")
    if not isinstance(url, str) or not url:
        return None
    if lang == "ar":
        title = _clean(meta.get("title_ar") or meta.get("title"))
        publisher = meta.get("publisher_ar") or meta.get("publisher")
    else:
        translated = _clean(meta.get("title_en"))
        title = translated or (_clean(meta.get("title_ar") or meta.get("title")) + PENDING).strip()
        publisher = meta.get("publisher_en") or meta.get("publisher")
    time = meta.get("time")
    return FeedItem(lang=lang, url=url, title=title, date=_iso(meta.get("date")),
                    time=time if isinstance(time, str) else None,
                    publisher=_clean(publisher) or None,
                    date_display=_clean(meta.get("date_display")) or None,
                    article_id=str(meta.get("article_id") or url))


def read_metas(docs_dir: Path) -> list[dict]:
    """Front matter of every generated article page on disk (both languages)."""
    root = docs_dir / ARTICLES
    if not root.is_dir():
        return []
    return [meta for path in sorted(root.rglob("*.md")) if (meta := front_matter(path))]


def read_items(metas: Iterable[Mapping], lang: str) -> list[FeedItem]:
    """The article pages of one language, newest first (undated ones last)."""
    items = [item for meta in metas if meta.get("lang", lang) == lang and (item := _item(meta, lang))]
    return sorted(items, key=lambda i: i.sort_key, reverse=True)


# --- feeds --------------------------------------------------------------------------------------


def _base(site_url: str | None) -> str | None:
    if not site_url:
        return None
    return site_url if site_url.endswith("/") else site_url + "/"


def _href(base: str | None, site_path: str, feed_dir: str) -> str:
    """`site_path` (site-relative) as an absolute URL, or relative to the feed's folder `feed_dir`."""
    path = quote(site_path, safe="/%")
    if base:
        return base + path
    if feed_dir:
        prefix = feed_dir + "/"
        path = path[len(prefix):] if path.startswith(prefix) else "../" + path
    return path or "./"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _rfc822(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment)


def _serialize(root: ET.Element) -> str:
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def feed_xml(items: list[FeedItem], lang: str, site_url: str | None, limit: int = FEED_LENGTH,
             channel: tuple[str, str] | None = None) -> str:
    """The RSS 2.0 document of one language: the latest `limit` dated items."""
    base = _base(site_url)
    feed_dir = "" if lang == "ar" else lang
    title, description = channel or CHANNELS[lang]
    dated = [i for i in items if i.date][:max(limit, 0)]

    ET.register_namespace("atom", ATOM_NS)
    rss = ET.Element("rss", {"version": "2.0"})
    ch = _sub(rss, "channel")
    _sub(ch, "title", _clean(title))
    _sub(ch, "link", _href(base, feed_dir + "/" if feed_dir else "", feed_dir))
    _sub(ch, "description", _clean(description))
    _sub(ch, "language", lang)
    if base:
        _sub(ch, f"{{{ATOM_NS}}}link", href=_href(base, f"{feed_dir}/{FEED_NAME}".lstrip("/"), feed_dir),
             rel="self", type="application/rss+xml")
    if dated:
        _sub(ch, "lastBuildDate", _rfc822(dated[0].published))
    for item in dated:
        element = _sub(ch, "item")
        _sub(element, "title", item.title)
        link = _href(base, item.url, feed_dir)
        _sub(element, "link", link)
        # The article URL identifies it; without site_url it is site-relative, so not a permalink.
        _sub(element, "guid", link if base else item.url, isPermaLink="true" if base else "false")
        _sub(element, "pubDate", _rfc822(item.published))
        _sub(element, "description", " · ".join(p for p in (item.publisher, item.date_display or item.date) if p))
    return _serialize(rss)


def write_feeds(site_dir: Path, docs_dir: Path, site_url: str | None, limit: int = FEED_LENGTH,
                channels: Mapping[str, tuple[str, str]] | None = None,
                metas: Iterable[Mapping] | None = None) -> list[Path]:
    """Write site/feed.xml (Arabic) and site/en/feed.xml (English); return the paths written.

    `channels` maps a language to its (title, description); the defaults match mkdocs.yml.
    `metas` are the article pages' front matter when the caller has them in memory (the MkDocs
    hook does); otherwise they are read from docs/.
    """
    metas = list(metas) if metas is not None else read_metas(docs_dir)
    written = []
    for lang in LANGS:
        path = site_dir / FEED_NAME if lang == "ar" else site_dir / lang / FEED_NAME
        text = feed_xml(read_items(metas, lang), lang, site_url, limit, (channels or CHANNELS).get(lang))
        atomic_write_text(path, text)
        written.append(path)
    return written


# --- sitemap ------------------------------------------------------------------------------------


def _pages(site_dir: Path) -> dict[str, dict[str, str]]:
    """Built pages grouped by language-independent path: {"archive/": {"ar": "archive/", "en": "en/archive/"}}."""
    groups: dict[str, dict[str, str]] = {}
    for html in sorted(site_dir.rglob("index.html")):
        rel = html.parent.relative_to(site_dir).as_posix()
        url = "" if rel == "." else rel + "/"
        lang, key = ("en", url[3:]) if url.startswith("en/") else ("ar", url)
        groups.setdefault(key, {})[lang] = url
    return groups


def sitemap_xml(site_dir: Path, site_url: str) -> str:
    """A sitemap of every built page (index.html) with xhtml:link alternates for its ar/en pair."""
    base = _base(site_url) or ""
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("xhtml", XHTML_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    groups = _pages(site_dir)
    for key in sorted(groups):
        pair = groups[key]
        for lang in LANGS:
            if lang not in pair:
                continue
            entry = _sub(urlset, f"{{{SITEMAP_NS}}}url")
            _sub(entry, f"{{{SITEMAP_NS}}}loc", base + quote(pair[lang], safe="/%"))
            if len(pair) > 1:
                for other in LANGS:
                    _sub(entry, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=other,
                         href=base + quote(pair[other], safe="/%"))
    return _serialize(urlset)


def write_sitemap(site_dir: Path, docs_dir: Path, site_url: str | None) -> list[Path]:
    """Write site/sitemap.xml and sitemap.xml.gz from the built pages; return the paths written.

    A sitemap needs absolute URLs: without site_url, the (broken) files MkDocs wrote are removed
    and nothing is written. Call it after both languages are built (MkDocs' on_post_build: the
    last call, in the English build, sees every page). The pages are read from site_dir;
    `docs_dir` is accepted so that the hook calls both writers alike.
    """
    xml_path, gz_path = site_dir / SITEMAP_NAME, site_dir / (SITEMAP_NAME + ".gz")
    if not site_url:
        xml_path.unlink(missing_ok=True)
        gz_path.unlink(missing_ok=True)
        return []
    data = sitemap_xml(site_dir, site_url).encode("utf-8")
    atomic_write_bytes(xml_path, data)
    atomic_write_bytes(gz_path, gzip.compress(data, mtime=0))
    return [xml_path, gz_path]
