"""RSS feeds and sitemap (generator/site/feeds.py) on a generated docs tree; self-hosted fonts (docs/assets)."""

from __future__ import annotations

import email.utils
import gzip
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin

import pytest

from generator.config import Settings
from generator.model import Article, SentencePair, Translation
from generator.pipeline.extraction import extract_all
from generator.render.pages import render_site
from generator.site.feeds import PENDING, front_matter, write_feeds, write_sitemap
from tests.conftest import ROOT, SEEDS, make_archive, run_cli

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
SITE_URL = "https://example.org/arabic-news-archive/"
HOSTILE_AR = 'عاجل: <script>alert("x")</script> & "اقتباس" \'مفرد\' ]]> \x01نهاية'
HOSTILE_EN = 'Breaking: <script>alert("x")</script> & "quoted" \'single\' ]]>'


def _hostile_article() -> Article:
    text = "قال المتحدث إن الاجتماع سيعقد غدا في العاصمة."
    return Article(source="hostile.txt", title=HOSTILE_AR, date="2025-01-02", time="08:05",
                   publisher='دار "<b>النشر</b>" & شركاه', paragraphs=[text],
                   translation=Translation(status="machine", title=HOSTILE_EN, publisher='Press "<b>" & Co',
                                           paragraphs=[[SentencePair(text, "The spokesman said so.")]]))


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """docs/ rendered from the seeds (no translation model: English titles pending) plus a hostile article."""
    root = tmp_path_factory.mktemp("feeds")
    result = extract_all([str(p) for p in SEEDS], Settings.for_root(root))
    assert len(result.articles) == 6
    render_site([*result.articles, _hostile_article()], root / "docs")
    return root / "docs"


def articles(docs: Path, lang: str) -> list[dict]:
    pages = (p for p in (docs / "archive" / "articles").rglob("*.md") if p.name.endswith(".en.md") == (lang == "en"))
    return [front_matter(p) for p in pages]


def parse_feed(path: Path) -> ET.Element:
    return ET.fromstring(path.read_bytes()).find("channel")


def one_line(title: str) -> str:
    return " ".join(title.replace("\x01", "").split())


def newest_first(metas: list[dict]) -> list[dict]:
    dated = [m for m in metas if m["date"]]
    return sorted(dated, key=lambda m: (m["date"], m["time"] or "", m["article_id"]), reverse=True)


def test_arabic_feed_lists_dated_articles_newest_first(docs: Path, tmp_path: Path) -> None:
    [ar_path, en_path] = write_feeds(tmp_path, docs, None)
    assert (ar_path, en_path) == (tmp_path / "feed.xml", tmp_path / "en" / "feed.xml")
    channel = parse_feed(ar_path)
    assert channel.findtext("language") == "ar"
    assert channel.findtext("title") == "أرشيف الصحافة العربية"
    expected = newest_first(articles(docs, "ar"))
    assert len(expected) == 5  # four dated seed articles and the hostile one; the two undated are left out
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == [one_line(m["title_ar"]) for m in expected]
    dates = [email.utils.parsedate_to_datetime(i.findtext("pubDate")) for i in items]
    assert dates == sorted(dates, reverse=True)
    assert channel.findtext("lastBuildDate") == items[0].findtext("pubDate")
    for item, meta in zip(items, expected, strict=True):
        # Without site_url the link is relative to the feed (site root) and the guid is the page URL.
        assert urljoin("https://host/site/feed.xml", item.findtext("link")) == "https://host/site/" + meta["url"]
        assert item.findtext("guid") == meta["url"] and item.find("guid").get("isPermaLink") == "false"
        assert meta["date_display"] in item.findtext("description")
        assert (meta["publisher_ar"] or "") in item.findtext("description")
    assert expected[0]["title_ar"] == HOSTILE_AR  # the newest, with its time: 2025-01-02 08:05
    assert (dates[0].year, dates[0].month, dates[0].day, dates[0].hour, dates[0].minute) == (2025, 1, 2, 8, 5)


def test_english_feed_uses_translated_titles_or_marks_them_pending(docs: Path, tmp_path: Path) -> None:
    write_feeds(tmp_path, docs, None)
    channel = parse_feed(tmp_path / "en" / "feed.xml")
    assert channel.findtext("language") == "en"
    assert channel.findtext("title") == "Arabic Press Archive"
    expected = newest_first(articles(docs, "en"))
    titles = [i.findtext("title") for i in channel.findall("item")]
    assert titles[0] == HOSTILE_EN
    assert titles[1:] == [one_line(m["title_ar"]) + PENDING for m in expected[1:]]
    for item, meta in zip(channel.findall("item"), expected, strict=True):
        assert urljoin("https://host/site/en/feed.xml", item.findtext("link")) == "https://host/site/" + meta["url"]
        assert meta["url"].startswith("en/")
    assert 'Press "<b>" & Co' in channel.find("item").findtext("description")


def test_with_site_url_links_are_absolute_and_the_feed_names_itself(docs: Path, tmp_path: Path) -> None:
    write_feeds(tmp_path, docs, SITE_URL.rstrip("/"))
    for path, prefix in ((tmp_path / "feed.xml", ""), (tmp_path / "en" / "feed.xml", "en/")):
        channel = parse_feed(path)
        assert channel.findtext("link") == SITE_URL + prefix
        assert channel.find(f"{ATOM}link").get("href") == SITE_URL + prefix + "feed.xml"
        assert channel.find(f"{ATOM}link").get("rel") == "self"
        for item in channel.findall("item"):
            link = item.findtext("link")
            assert link.startswith(SITE_URL + prefix + "archive/articles/")
            assert item.findtext("guid") == link and item.find("guid").get("isPermaLink") == "true"


def test_hostile_title_is_escaped_not_markup(docs: Path, tmp_path: Path) -> None:
    write_feeds(tmp_path, docs, SITE_URL)
    for path, title in ((tmp_path / "feed.xml", one_line(HOSTILE_AR)), (tmp_path / "en" / "feed.xml", HOSTILE_EN)):
        raw = path.read_text(encoding="utf-8")
        assert "<script>" not in raw and "&lt;script&gt;" in raw and "<b>" not in raw
        assert "\x01" not in raw  # not even escaped: XML 1.0 cannot carry it
        channel = parse_feed(path)
        assert channel.find("item").findtext("title") == title
        assert len(channel.findall("item/title")) == len(channel.findall("item"))  # nothing injected


def test_limit_keeps_the_newest(docs: Path, tmp_path: Path) -> None:
    write_feeds(tmp_path, docs, None, limit=2)
    items = parse_feed(tmp_path / "feed.xml").findall("item")
    assert [i.findtext("guid") for i in items] == [m["url"] for m in newest_first(articles(docs, "ar"))[:2]]


def test_output_is_deterministic(docs: Path, tmp_path: Path) -> None:
    first = {p: p.read_bytes() for p in write_feeds(tmp_path / "a", docs, SITE_URL)}
    second = {p: p.read_bytes() for p in write_feeds(tmp_path / "a", docs, SITE_URL)}
    assert first == second
    other = write_feeds(tmp_path / "b", docs, SITE_URL)
    assert [p.read_bytes() for p in other] == list(first.values())


def test_no_articles_gives_an_empty_valid_feed(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    for path in write_feeds(tmp_path / "site", tmp_path / "docs", None):
        channel = parse_feed(path)
        assert channel.findall("item") == [] and channel.find("lastBuildDate") is None


def _fake_site(site: Path, pages: list[str]) -> None:
    for page in pages:
        (site / page).mkdir(parents=True, exist_ok=True)
        (site / page / "index.html").write_text("<html></html>", encoding="utf-8")
    (site / "404.html").write_text("<html></html>", encoding="utf-8")


def test_sitemap_lists_every_page_with_its_language_alternates(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _fake_site(site, [".", "en", "archive", "en/archive", "archive/tags/سوريا-1b192f", "en/archive/tags/سوريا-1b192f",
                      "archive/only-arabic"])
    (site / "sitemap.xml").write_text("<urlset><url><loc>None./</loc></url></urlset>", encoding="utf-8")
    written = write_sitemap(site, tmp_path / "docs", SITE_URL)
    assert written == [site / "sitemap.xml", site / "sitemap.xml.gz"]
    data = (site / "sitemap.xml").read_bytes()
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()) == data
    urls = {u.findtext(f"{SM}loc"): {link.get("hreflang"): link.get("href") for link in u.findall(f"{XHTML}link")}
            for u in ET.fromstring(data).findall(f"{SM}url")}
    tag = "archive/tags/%D8%B3%D9%88%D8%B1%D9%8A%D8%A7-1b192f/"
    pair = {"ar": SITE_URL + tag, "en": SITE_URL + "en/" + tag}
    assert urls[SITE_URL + tag] == urls[SITE_URL + "en/" + tag] == pair
    assert urls[SITE_URL] == urls[SITE_URL + "en/"] == {"ar": SITE_URL, "en": SITE_URL + "en/"}
    assert urls[SITE_URL + "archive/only-arabic/"] == {}
    assert len(urls) == 7 and not any("None" in u or "404" in u for u in urls)
    gz = (site / "sitemap.xml.gz").read_bytes()
    assert write_sitemap(site, tmp_path / "docs", SITE_URL) == written
    assert (site / "sitemap.xml").read_bytes() == data and (site / "sitemap.xml.gz").read_bytes() == gz


def test_without_site_url_there_is_no_sitemap(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _fake_site(site, [".", "en"])
    for name in ("sitemap.xml", "sitemap.xml.gz"):
        (site / name).write_bytes(b"None./")
    assert write_sitemap(site, tmp_path / "docs", None) == []
    assert not (site / "sitemap.xml").exists() and not (site / "sitemap.xml.gz").exists()


# --- fonts ------------------------------------------------------------------------------------

ASSETS = ROOT / "docs" / "assets"
FONTS_CSS = ASSETS / "fonts.css"


def css_urls(css: str) -> list[str]:
    return [m.group(2) for m in re.finditer(r"url\(\s*(['\"]?)(.*?)\1\s*\)", css)]


def test_fonts_css_uses_only_local_font_files_that_exist() -> None:
    css = FONTS_CSS.read_text(encoding="utf-8")
    assert "@import" not in css and not re.search(r"https?:|//", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    urls = css_urls(css)
    assert urls
    for url in urls:
        target = (ASSETS / PurePosixPath(url)).resolve()
        assert target.is_file() and target.is_relative_to(ASSETS / "fonts"), url
        assert target.suffix == ".woff2"
    shipped = {p.name for p in (ASSETS / "fonts").glob("*.woff2")}
    assert shipped == {PurePosixPath(u).name for u in urls}  # every shipped font is used, none missing
    assert sum((ASSETS / "fonts" / name).stat().st_size for name in shipped) < 300_000
    faces = re.findall(r"@font-face\s*{([^}]*)}", css)
    assert len(faces) == len(urls) and all("font-display: swap" in face for face in faces)
    assert "OFL" in (ASSETS / "fonts" / "OFL.txt").read_text(encoding="utf-8")


FETCHING_RELS = frozenset({"stylesheet", "icon", "preload", "prefetch", "preconnect", "dns-prefetch",
                           "modulepreload", "manifest", "apple-touch-icon"})


class _Fetches(HTMLParser):
    """Every URL an HTML page makes the browser fetch by itself (not links the reader may follow)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "link" and FETCHING_RELS & set(values.get("rel", "").lower().split()):
            self.urls.append(values.get("href", ""))
        for name in ("src", "poster", "data"):
            if name in values and tag in ("script", "img", "iframe", "source", "video", "audio", "embed", "object",
                                          "track", "input"):
                self.urls.append(values[name])
        if "srcset" in values:
            self.urls += [part.split()[0] for part in values["srcset"].split(",") if part.split()]


def test_built_pages_fetch_nothing_from_other_hosts(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:2])
    result = run_cli("build", "--config", str(root / "mkdocs.yml"), "--site-dir", str(root / "site"),
                     "--packages-dir", str(tmp_path / "no-packages"))
    assert result.returncode == 0, result.stderr[-2000:]
    site = root / "site"
    outside = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
    pages = list(site.rglob("*.html"))
    assert pages
    for page in pages:
        parser = _Fetches()
        parser.feed(page.read_text(encoding="utf-8"))
        assert not [u for u in parser.urls if outside.match(u)], page
    for sheet in site.rglob("*.css"):
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        assert not [u for u in css_urls(css) if outside.match(u)], sheet
        assert not re.search(r"@import\s+(url\()?\s*['\"]?(?:[a-z]+:)?//", css), sheet
    # The Arabic pages use the self-hosted face; fonts.css and the fonts are in the built site.
    assert (site / "assets" / "fonts.css").read_bytes() == FONTS_CSS.read_bytes()
    for url in css_urls(FONTS_CSS.read_text(encoding="utf-8")):
        assert (site / "assets" / PurePosixPath(url)).is_file()


def test_front_matter_reader_reads_what_the_renderer_wrote(docs: Path) -> None:
    meta = front_matter(next((docs / "archive" / "articles").rglob("2025-01-02-*[0-9a-f].md")))
    assert meta["title_ar"] == HOSTILE_AR and meta["date"] == "2025-01-02" and meta["time"] == "08:05"


@pytest.mark.parametrize("limit", [1, 2, 50])
def test_feeds_from_the_newest_records_equal_feeds_from_every_page(tmp_path: Path, limit: int) -> None:
    """The build makes the front matter of only the newest `limit` articles per language for its
    feeds (generate.article_metas(latest=...)): the same bytes as feeds read from every page in docs/."""
    from generator.pipeline.generate import article_metas
    from tests.test_incremental import generate

    root = make_archive(tmp_path / "archive", SEEDS)
    generate(root)
    dated = [meta for meta in article_metas() if meta["date"]]
    assert len(article_metas(latest=limit)) == min(2 * limit, len(dated))
    for site_url in (None, SITE_URL):
        from_records = write_feeds(tmp_path / "records", root / "docs", site_url, limit=limit,
                                   metas=article_metas(latest=limit))
        from_pages = write_feeds(tmp_path / "pages", root / "docs", site_url, limit=limit)
        assert [p.read_bytes() for p in from_records] == [p.read_bytes() for p in from_pages]
