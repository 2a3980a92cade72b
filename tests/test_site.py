"""The bilingual site: a real `mkdocs build` of the seeds (tiny test model installed), then the HTML."""

from __future__ import annotations

import hashlib
import posixpath
import re
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import markdown
import pytest
import yaml
from mkdocs.utils import get_relative_url

from generator.config import Settings
from generator.pipeline.extraction import extract_all
from generator.render.pages import render_site
from tests.conftest import ROOT, SEEDS, make_archive, run_cli


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.html_attrs: dict[str, str] = {}
        self.body_attrs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in ("a", "link") and "href" in values:
            self.links.append({"tag": tag, **values})
        if tag == "html":
            self.html_attrs = values
        if tag == "body":
            self.body_attrs = values


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def resolve(site: Path, page: Path, href: str) -> Path | None:
    """The file a relative link on `page` leads to (None for external links and pure anchors)."""
    parsed = urlparse(href)
    if parsed.scheme or href.startswith(("#", "//", "mailto:")):
        return None
    page_url = "/" + str(page.relative_to(site).parent) + "/"
    target = unquote(urlparse(urljoin(page_url, parsed.path)).path).lstrip("/")
    path = site / target
    return path / "index.html" if target.endswith("/") or path.is_dir() else path


def tree_hash(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(root: Path, packages: Path | None, *extra: str) -> subprocess.CompletedProcess[str]:
    args = ["build", "--config", str(root / "mkdocs.yml"), "--site-dir", str(root / "site"), *extra]
    if packages:
        args += ["--packages-dir", str(packages)]
    return run_cli(*args)


@pytest.fixture(scope="module")
def site(packages: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_archive(tmp_path_factory.mktemp("archive"))
    result = build(root, packages)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARNING" not in result.stderr  # --strict passed with no warnings
    return root


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def article_docs(root: Path) -> list[Path]:
    return sorted(p for p in (root / "docs" / "archive" / "articles").rglob("*.md") if not p.name.endswith(".en.md"))


def html_of(root: Path, url: str) -> Path:
    return root / "site" / url / "index.html"


def test_every_article_has_an_arabic_and_an_english_page(site: Path) -> None:
    docs = article_docs(site)
    assert len(docs) == 6  # five seeds, one of them holding two articles
    for doc in docs:
        meta = front_matter(doc)
        assert html_of(site, meta["url"]).exists() and html_of(site, meta["twin_url"]).exists()
        assert meta["twin_url"] == "en/" + meta["url"]


def site_markdown(text: str) -> str:
    """Markdown → HTML with the site's extensions, as MkDocs would convert a page."""
    section = re.search(r"^markdown_extensions:\n(?:[ #].*\n|\n)*", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"),
                        re.MULTILINE)
    config = yaml.safe_load(section.group(0))
    extensions = [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]
    configs = {k: v for e in config["markdown_extensions"] if isinstance(e, dict) for k, v in e.items()}
    return markdown.markdown(text, extensions=extensions, extension_configs=configs)


def test_built_article_body_is_what_its_markdown_file_says(site: Path) -> None:
    """The build takes article bodies from the generator, not by converting the .md: both must agree."""
    def squeeze(html: str) -> str:
        return re.sub(r">\s+<", "><", html.strip())

    checked = 0
    for doc in article_docs(site):
        for path in (doc, doc.with_name(doc.stem + ".en.md")):
            text = path.read_text(encoding="utf-8")
            meta, body = front_matter(path), text.split("\n---\n", 1)[1]
            built = html_of(site, meta["url"]).read_text(encoding="utf-8")
            shown = built.split('<div class="archive-body">', 1)[1].split('<details class="parallel"', 1)[0]
            assert squeeze(site_markdown(body)) == squeeze(shown), path
            checked += 1
    assert checked == 12


def url_of(docs_path: str) -> str:
    """The site URL MkDocs (with i18n suffixes and directory URLs) gives a docs page."""
    english = docs_path.endswith(".en.md")
    stem = docs_path[: -len(".en.md") if english else -len(".md")]
    stem = stem[: -len("index")] if stem.endswith("index") else stem + "/"
    return ("en/" if english else "") + stem


def test_generated_index_pages_are_what_their_markdown_files_say(tmp_path: Path) -> None:
    """Index pages are written twice (Markdown file, HTML for the build): both must say the same,
    links and headings (the page's table of contents) included."""
    settings = Settings.for_root(ROOT)
    rendered = render_site(extract_all([str(ROOT / "seeds")], settings).articles, tmp_path)
    checked = 0
    for src, make_payload in rendered.payloads.items():
        if src.startswith("archive/articles/"):
            continue
        payload = make_payload()
        text = (tmp_path / src).read_text(encoding="utf-8")
        assert yaml.safe_load(text.split("---\n")[1])["title"] == payload.meta["title"], src
        body = text.split("\n---\n", 1)[1]
        md = markdown.Markdown(extensions=["admonition", "attr_list", "md_in_html", "toc"])
        expected = md.convert(body)

        def as_url(match: re.Match[str], src: str = src) -> str:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(src), match[1]))
            return f'href="{get_relative_url(url_of(target), url_of(src))}{match[2] or ""}"'

        expected = re.sub(r'href="([^"#]+\.md)(#[^"]*)?"', as_url, expected)
        assert re.sub(r">\s+<", "><", expected.strip()) == re.sub(r">\s+<", "><", payload.html.strip()), src
        assert [(t["level"], t["id"], t["name"]) for t in md.toc_tokens] == \
            [(t["level"], t["id"], t["name"]) for t in payload.toc], src
        checked += 1
    assert checked > 30


def test_language_and_direction_of_every_page(site: Path) -> None:
    pages = list((site / "site").rglob("index.html"))
    assert len(pages) > 40
    for page in pages:
        english = page.relative_to(site / "site").parts[0] == "en"
        parsed = parse(page)
        assert parsed.html_attrs.get("lang") == ("en" if english else "ar"), page
        assert parsed.body_attrs.get("dir") == ("ltr" if english else "rtl"), page


def test_switcher_and_hreflang_lead_to_the_twin(site: Path) -> None:
    for doc in article_docs(site):
        meta = front_matter(doc)
        for own, twin, twin_lang in ((meta["url"], meta["twin_url"], "en"), (meta["twin_url"], meta["url"], "ar")):
            page = html_of(site, own)
            links = parse(page).links
            switcher = [a for a in links if "md-select__link" in a.get("class", "") and a.get("hreflang") == twin_lang]
            alternates = [a for a in links if a["tag"] == "link" and a.get("hreflang") == twin_lang]
            assert switcher and alternates
            for link in (*switcher, *alternates):
                assert resolve(site / "site", page, link["href"]) == html_of(site, twin)


def test_article_header_shows_metadata_and_the_translation_notice(site: Path) -> None:
    meta = front_matter(next(p for p in article_docs(site) if p.name.startswith("2017-04-12")))
    arabic = html_of(site, meta["url"]).read_text(encoding="utf-8")
    english = html_of(site, meta["twin_url"]).read_text(encoding="utf-8")
    assert "12 أبريل 2017" in arabic and "15 رجب 1438 هـ" in arabic and "سيريانيوز" in arabic
    assert "12 April 2017" in english and "Rajab 1438 AH" in english and "Syria News" in english
    assert "Machine translation." in english and "translate-ar_en 1.0" in english and "ctranslate2" in english
    assert "Machine translation" not in arabic


def test_every_article_is_listed_in_every_index_it_belongs_to(site: Path) -> None:
    def listed(index: Path, target_url: str) -> bool:
        page = site / "site" / index
        return any(resolve(site / "site", page, a["href"]) == html_of(site, target_url) for a in parse(page).links)

    for doc in article_docs(site):
        for prefix, meta in (("", front_matter(doc)), ("en/", front_matter(doc.with_name(doc.stem + ".en.md")))):
            url = meta["url"]
            assert listed(Path(prefix + "archive/index.html"), url)  # fewer than 50 articles: all are latest
            if meta["date"]:
                assert listed(Path(prefix + f"archive/timeline/{meta['date'][:4]}/index.html"), url)
            else:
                assert listed(Path(prefix + "archive/undated/index.html"), url)
            for tag in meta["tags"]:
                assert listed(Path(tag["url"] + "index.html"), url)
            if meta["publisher"]:
                publisher_pages = [p for p in (site / "site" / prefix / "archive" / "publishers").glob("*/index.html")]
                assert any(listed(p.relative_to(site / "site"), url) for p in publisher_pages)


def test_nothing_links_to_a_missing_page(site: Path) -> None:
    checked = 0
    for page in (site / "site").rglob("*.html"):
        for link in parse(page).links:
            target = resolve(site / "site", page, link["href"])
            if target is not None:
                assert target.exists(), (page, link["href"])
                checked += 1
    assert checked > 500


def test_hostile_title_survives_front_matter_and_pages(packages: Path, tmp_path: Path) -> None:
    title = 'بيان: "عاجل" --- {{ config.site_name }} {% include x %} \'مقتبس\' <b>غامق</b>'
    seed = tmp_path / "hostile.txt"
    seed.write_text(title + "\n\n" + SEEDS[0].read_text(encoding="utf-8").split("\n", 4)[4], encoding="utf-8")
    root = make_archive(tmp_path / "archive", [seed])
    result = build(root, packages)
    assert result.returncode == 0, result.stderr[-2000:]
    [doc] = article_docs(root)
    meta = front_matter(doc)
    assert meta["title"] == title
    html = html_of(root, meta["url"]).read_text(encoding="utf-8")
    assert "{{ config.site_name }}" in html and "<b>غامق</b>" not in html and "&lt;b&gt;غامق&lt;/b&gt;" in html


def test_rebuild_is_byte_identical_and_removed_seeds_disappear(packages: Path, tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive")
    hand_written = {p: p.read_bytes() for p in (root / "docs").rglob("*") if p.is_file()}
    assert build(root, packages).returncode == 0
    first = tree_hash(root / "docs")
    assert build(root, packages).returncode == 0
    assert tree_hash(root / "docs") == first
    assert all(p.read_bytes() == content for p, content in hand_written.items())  # untouched

    removed = root / "seeds" / SEEDS[0].name
    url = front_matter(next(p for p in article_docs(root) if p.name.startswith("2017-04-12")))["url"]
    removed.unlink()
    assert build(root, packages).returncode == 0
    assert not any(p.name.startswith("2017-04-12") for p in article_docs(root))
    assert not html_of(root, url).exists()
    assert "سيريانيوز" not in (root / "docs" / "archive" / "publishers" / "index.md").read_text(encoding="utf-8")


def test_without_a_model_english_pages_say_translation_pending(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:1])
    result = build(root, tmp_path / "no-packages")
    assert result.returncode == 0, result.stderr[-2000:]
    [doc] = article_docs(root)
    meta = front_matter(doc)
    english = html_of(root, meta["twin_url"])
    text = english.read_text(encoding="utf-8")
    assert "Translation pending" in text
    # Said once, by the body's notice; the header's machine-translation notice is left out.
    assert text.count('admonition-title">Translation pending<') == 1
    assert "archive-mt-notice" not in text
    assert any(resolve(root / "site", english, a["href"]) == html_of(root, meta["url"]) for a in parse(english).links
               if "Arabic original" in a.get("title", "") or a.get("hreflang") == "ar")
    strict = build(root, tmp_path / "no-packages", "--require-translation")
    assert strict.returncode != 0 and "no model is installed" in strict.stdout + strict.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def test_serve_regenerates_when_a_seed_is_added(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:1])
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--config", str(root / "mkdocs.yml"),
                               "--dev-addr", f"127.0.0.1:{port}", "--packages-dir", str(tmp_path / "none")],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        index = f"http://127.0.0.1:{port}/archive/"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (_fetch(index) or "").count("الكرملين"):
            time.sleep(0.5)
        assert "الكرملين: تخلي موسكو" in (_fetch(index) or "")
        new_title = "موسكو وواشنطن: هدفنا محاربة الإرهاب وحل أزمة سوريا"
        (root / "seeds" / SEEDS[3].name).write_bytes(SEEDS[3].read_bytes())
        while time.monotonic() < deadline and new_title not in (_fetch(index) or ""):
            time.sleep(0.5)
        assert new_title in (_fetch(index) or ""), "the added seed never appeared without a restart"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_seed_titles_escape_markdown_in_index_pages(site: Path) -> None:
    latest = (site / "docs" / "archive" / "index.md").read_text(encoding="utf-8")
    assert re.search(r"\[الكرملين: تخلي موسكو عن الأسد غير ممكن على الإطلاق\]\(articles/2017/", latest)


def test_theme_configuration_is_utf8_json(site: Path) -> None:
    """Material's configuration script on every page is written with Arabic as UTF-8 (compact_html),
    not \\u escapes: the same values for the browser's JSON parser, fewer bytes."""
    import json
    import re

    page = (site / "site" / "index.html").read_text(encoding="utf-8")
    raw = re.search(r'<script id="__config" type="application/json">(.*?)</script>', page, re.S)
    assert raw is not None
    assert "\\u06" not in raw[1]
    config = json.loads(raw[1])
    assert re.search("[\u0600-\u06ff]", config["translations"]["clipboard.copy"])
