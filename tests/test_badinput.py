"""Bad input and hostile content, end to end: the corpus in tests/badinput/ through one real build.

Every file of the corpus goes into the seeds/ of a throwaway archive, which is built the way a user
builds it (`python -m generator build`: `mkdocs build --strict`, no translation model). Then:

- the build report accounts for every file with the status, reason and encoding expected.yaml gives;
- every published article's Arabic and English page shows its title, publisher, tags and paragraphs
  as the same literal text (compared after HTML-unescaping), and article text never becomes markup:
  no element, attribute or link comes from it, on the article pages, the index pages or in the feed;
- every generated file lies inside docs/archive/ (or site/ and build/), whatever the file names;
- in headless Chromium, the article pages and the search results show the literal text, no
  JavaScript dialog opens, and the long unbroken words do not widen the page. Screenshots of two
  hostile pages land in build/screenshots/ for a person to look at.

Checks read the built HTML and the report only, never the intermediate Markdown.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from generator.model import Article
from generator.render.sidebyside import split
from generator.translate.engine import review_path
from tests.conftest import ROOT, make_archive, run_cli, serve_folder
from tests.htmltree import Node, dom
from tests.test_site import resolve

CORPUS = Path(__file__).resolve().parent / "badinput"
EXPECTED: dict[str, dict] = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))["files"]
NOT_INPUT = {"expected.yaml", ".gitattributes"}  # corpus bookkeeping, not seeds
PUBLISHED = [name for name, spec in EXPECTED.items() if spec["status"] == "ok"]
HOSTILE = [name for name in PUBLISHED if "paragraphs" in EXPECTED[name]]
SHOTS = ROOT / "build" / "screenshots"
UNTITLED = {"ar": "بلا عنوان", "en": "Untitled"}  # shown for an article without a headline

# A file name that is not UTF-8 (the bytes FF FE): git cannot carry it to every system, so the test
# writes this seed itself. The report shows the name with Python escapes.
NON_UTF8_NAME = b"not-utf8-\xff\xfe.txt"
NON_UTF8_REPORTED = "not-utf8-\\xff\\xfe.txt"
NON_UTF8_TITLE = "اختتام بطولة الشطرنج العربية بتتويج لاعب شاب"
NON_UTF8_ARTICLE = f"""{NON_UTF8_TITLE}

الدوحة (وكالات)

اختتمت مساء أمس بطولة الشطرنج العربية بتتويج لاعب شاب في التاسعة عشرة من عمره بعد تسع جولات حاسمة.

وأشاد رئيس الاتحاد العربي للشطرنج بمستوى المنافسة وأعلن أن الدورة المقبلة ستقام في تونس العام القادم.
"""

# Elements that article text must never turn into, anywhere in the article's body.
FORBIDDEN = {"script", "style", "img", "iframe", "frame", "object", "embed", "svg", "math", "form", "input",
             "button", "textarea", "select", "link", "meta", "base", "table", "tr", "td", "th", "ul", "ol", "li",
             "blockquote", "pre", "code", "em", "strong", "b", "i", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}


def _params(check: str) -> list[object]:
    """The published files, with a strict xfail where expected.yaml records a known defect for `check`."""
    out: list[object] = []
    for name in PUBLISHED:
        defect = (EXPECTED[name].get("known_defects") or {}).get(check)
        out.append(pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=defect)) if defect else name)
    return out


# --- the build --------------------------------------------------------------------------------


@dataclass
class Built:
    root: Path
    site: Path
    stderr: str = field(repr=False)
    report: dict = field(repr=False)
    outcomes: dict[str, dict] = field(repr=False)  # corpus name → the report's entry for it
    pages: dict[str, Path] = field(repr=False)  # article title (or first paragraph) → its Arabic page
    before: set[Path] = field(repr=False)  # every file of the archive root before the build


def corpus_files() -> list[str]:
    return sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file()
                  and p.name not in NOT_INPUT)


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = make_archive(tmp_path_factory.mktemp("badinput").resolve() / "archive", [])
    for name in corpus_files():
        target = root / "seeds" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / name, target)
    Path(os.fsdecode(os.fsencode(root / "seeds") + b"/" + NON_UTF8_NAME)).write_text(NON_UTF8_ARTICLE, encoding="utf-8")
    for name, spec in EXPECTED.items():
        if "review" in spec:  # a person's English for the article, as `generator review` would start it
            path = review_path(root / "translations" / "reviewed", Article(source=f"seeds/{name}"))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump({"index": 0, **spec["review"]}, allow_unicode=True), encoding="utf-8")
    before = _files(root.parent)
    result = run_cli("build", "--config", str(root / "mkdocs.yml"), "--site-dir", str(root / "site"),
                     "--packages-dir", str(root / "no-packages"))
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads((root / "build" / "report.json").read_text(encoding="utf-8"))
    outcomes = {}
    for entry in report["files"]:
        name = Path(entry["source"]).relative_to("seeds").as_posix()  # sources are relative to the archive root
        assert name not in outcomes, f"{name} reported twice"
        outcomes[name] = entry
    site = root / "site"
    pages: dict[str, Path] = {}
    for page in sorted((site / "archive" / "articles").rglob("index.html")):
        article = dom(page).find(tag="article", cls="archive-article")
        body = [p.text() for p in article.find(tag="div", cls="archive-body").all(tag="p") if not p.inside("parallel")]
        for key in (article.find(tag="h1").text(), body[0] if body else ""):
            assert key not in pages, f"two article pages with the title or opening {key!r}"
            pages[key] = page
    return Built(root, site, result.stderr, report, outcomes, pages, before)


def arabic_page(built: Built, name: str) -> Path:
    spec = EXPECTED[name]
    title = spec["titles"][0]
    key = title if title is not None else spec["paragraphs"][0]
    assert key in built.pages, f"{name}: no article page for {key!r}"
    return built.pages[key]


def english_page(built: Built, arabic: Path) -> Path:
    return built.site / "en" / arabic.relative_to(built.site)


def english_view(spec: dict) -> dict:
    """What the English page must show: the reviewed English, else the Arabic (translation pending)."""
    review = spec.get("review", {})
    return {"title": review.get("title", spec["titles"][0]),
            "publisher": review.get("publisher", spec.get("publisher")),
            "tags": review.get("tags", spec.get("tags", [])),
            "paragraphs": review.get("paragraphs")}


# --- the report -------------------------------------------------------------------------------


def test_corpus_and_expectations_list_the_same_files() -> None:
    assert corpus_files() == sorted(EXPECTED)


def test_build_passes_strict_mode_without_warnings(built: Built) -> None:
    assert "WARNING" not in built.stderr and "ERROR" not in built.stderr, built.stderr[-3000:]
    assert (built.site / "index.html").is_file() and (built.site / "pagefind").is_dir()


def test_report_accounts_for_every_file(built: Built) -> None:
    assert sorted(built.outcomes) == sorted([*EXPECTED, NON_UTF8_REPORTED])
    assert built.report["inputs"] == len(EXPECTED) + 1
    assert built.report["articles"] == sum(len(EXPECTED[n]["titles"]) for n in PUBLISHED) + 1
    counts: dict[str, int] = {"ok": 1}
    for spec in EXPECTED.values():
        counts[spec["status"]] = counts.get(spec["status"], 0) + 1
    assert built.report["status_counts"] == counts


def test_a_file_name_that_is_not_utf8_is_reported_and_published(built: Built) -> None:
    assert built.outcomes[NON_UTF8_REPORTED]["status"] == "ok"
    page = built.pages[NON_UTF8_TITLE]
    _check_page(built, page, "ar", NON_UTF8_TITLE, None, [], None, None)
    _check_page(built, english_page(built, page), "en", NON_UTF8_TITLE, None, [], None, None)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_report_entry(built: Built, name: str) -> None:
    spec, outcome = EXPECTED[name], built.outcomes[name]
    assert outcome["status"] == spec["status"], outcome
    if "reason" in spec:
        assert spec["reason"] in outcome.get("reason", ""), outcome
    else:
        assert "reason" not in outcome, outcome
    if "encoding" in spec:
        assert outcome.get("encoding") == spec["encoding"], outcome
    if spec["status"] == "ok":
        assert outcome["articles"] == len(spec["titles"])


# --- the pages --------------------------------------------------------------------------------


def _article(page: Path) -> Node:
    return dom(page).find(tag="article", cls="archive-article")


def _body_paragraphs(article: Node) -> list[str]:
    """The reading text: the body's blocks outside the side-by-side view."""
    body = article.find(tag="div", cls="archive-body")
    return [p.text() for p in body.all(tag="p") if not p.inside("parallel") and not p.inside("admonition")]


def _text_holders(article: Node) -> list[Node]:
    """The elements that hold article text: title, publisher, tags, search metadata, paragraphs."""
    holders = [article.find(tag="h1"), *article.all(tag="dd", cls="archive-publisher"),
               *article.all(tag="a", cls="archive-tag")]
    holders += [n for n in article.iter() if "data-pagefind-meta" in n.attrs]
    body = article.find(tag="div", cls="archive-body")
    holders += [p for p in body.all(tag="p") if not p.inside("parallel") and not p.inside("admonition")]
    holders += [*body.all(tag="div", cls="parallel-ar"), *body.all(tag="div", cls="parallel-en")]
    return holders


def _no_markup_from_text(article: Node, page: Path) -> None:
    """Article text stays text: its holders contain no elements (but the sentence spans of the
    side-by-side view), the body no element article text could have become, and nothing has a handler."""
    for holder in _text_holders(article):
        inner = [n for n in holder.iter() if not (n.tag == "span" and holder.inside("parallel"))]
        assert not inner, f"{page}: <{inner[0].tag}> inside {holder.tag}.{'.'.join(holder.classes)}"
    body = article.find(tag="div", cls="archive-body")
    elements = [n for n in body.iter() if n.tag in FORBIDDEN]
    assert not elements, f"{page}: article text became <{elements[0].tag}>"
    assert len(article.all(tag="h1")) == 1 and len(body.all(tag="details")) == 1, page  # + the side-by-side view
    for node in article.iter():
        handlers = [k for k in node.attrs if k.startswith("on")]
        assert not handlers, f"{page}: <{node.tag} {handlers[0]}=…>"


def _check_page(built: Built, page: Path, lang: str, title: str | None, publisher: str | None, tags: list[str],
                paragraphs: list[str] | None, arabic_paragraphs: list[str] | None) -> None:
    root = dom(page)
    assert root.find(tag="html").attrs.get("lang") == lang
    article = _article(page)
    shown = title or UNTITLED[lang]
    assert article.find(tag="h1").text() == shown
    assert root.find(tag="title").text().startswith(shown + " - ")
    assert shown in [n.text() for n in root.all(tag="span", cls="md-ellipsis")]  # the header's page title
    metas = {n.attrs["data-pagefind-meta"]: n.text() for n in article.iter() if "data-pagefind-meta" in n.attrs}
    assert metas.get("title") == shown  # what the search results show
    if publisher is not None:
        assert article.find(tag="dd", cls="archive-publisher").text() == publisher
        assert publisher in metas.values()
    assert [a.text() for a in article.all(tag="a", cls="archive-tag")] == tags
    if paragraphs is not None:
        assert _body_paragraphs(article) == paragraphs
    if arabic_paragraphs is not None:  # the side-by-side view: its cuts, laid out in the browser (below)
        [view] = article.all(tag="details", cls="parallel")
        cuts = json.loads(html.unescape(view.attrs["data-units"]))
        assert len(cuts["ar"]) == len(arabic_paragraphs)
        own = _body_paragraphs(article)
        if lang == "ar":
            assert [" ".join(split(text, ends)) for (_, ends), text in zip(cuts["ar"], own, strict=True)] == own
        elif paragraphs is not None:
            assert [" ".join(p for p in split(text, ends) if p) for (_, ends), text
                    in zip(cuts["en"], own, strict=True)] == paragraphs
    _no_markup_from_text(article, page)
    for link in article.all(tag="a"):  # every link of the article leads to a page of the site
        target = resolve(built.site, page, link.attrs.get("href", ""))
        assert target is not None and target.is_file(), (page, link.attrs)


@pytest.mark.parametrize("name", _params("arabic_page"))
def test_arabic_page_shows_the_literal_text(built: Built, name: str) -> None:
    spec = EXPECTED[name]
    page = arabic_page(built, name)
    _check_page(built, page, "ar", spec["titles"][0], spec.get("publisher"), spec.get("tags", []),
                spec.get("paragraphs"), spec.get("paragraphs"))


@pytest.mark.parametrize("name", _params("english_page"))
def test_english_page_shows_the_literal_text(built: Built, name: str) -> None:
    spec = EXPECTED[name]
    arabic = arabic_page(built, name)
    page = english_page(built, arabic)
    view = english_view(spec)
    _check_page(built, page, "en", view["title"], view["publisher"], view["tags"], view["paragraphs"],
                spec.get("paragraphs"))
    twins = [a for a in _article(page).all(tag="a") if a.attrs.get("hreflang") == "ar"]
    assert twins and all(resolve(built.site, page, a.attrs["href"]) == arabic for a in twins)
    if "review" not in spec:
        assert "Translation pending" in _article(page).text()


@pytest.mark.parametrize("name", _params("index_pages"))
def test_index_pages_list_the_literal_title(built: Built, name: str) -> None:
    spec = EXPECTED[name]
    arabic = arabic_page(built, name)
    english = english_page(built, arabic)
    for lang, page, title in (("ar", arabic, spec["titles"][0]), ("en", english, english_view(spec)["title"])):
        title = title or UNTITLED[lang]
        indexes = [built.site / ("en" if lang == "en" else "") / "archive" / "index.html"]
        indexes += [resolve(built.site, page, a.attrs["href"]) for a in _article(page).all(tag="a", cls="archive-tag")]
        for index in indexes:
            assert index is not None and index.is_file()
            links = [a for a in dom(index).find(tag="article").all(tag="a")
                     if resolve(built.site, index, a.attrs.get("href", "")) == page]
            assert [a.text() for a in links] == [title], (index, title)


def test_no_page_of_the_site_carries_live_markup_from_articles(built: Built) -> None:
    """Whole site: no event-handler attribute, no javascript: URL, no injected script or image."""
    reference = arabic_page(built, "a..b.txt")  # a plain article: the scripts every article page has
    scripts = {lang: sorted(n.attrs.get("src", "") for n in dom(page).all(tag="script"))
               for lang, page in (("ar", reference), ("en", english_page(built, reference)))}
    articles = {p: "ar" for p in built.pages.values()} | {english_page(built, p): "en" for p in built.pages.values()}
    checked = 0
    for page in built.site.rglob("*.html"):
        for node in dom(page).iter():
            assert not [k for k in node.attrs if k.startswith("on")], (page, node.tag, node.attrs)
            for key, value in node.attrs.items():
                assert not re.match(r"\s*(javascript|vbscript|data):", value, re.IGNORECASE), (page, key, value)
            if node.tag == "script":
                assert "alert(" not in node.text(), page
            assert not (node.tag == "img" and node.attrs.get("src") == "x"), page
        if page in articles:
            assert sorted(n.attrs.get("src", "") for n in dom(page).all(tag="script")) == scripts[articles[page]], page
        checked += 1
    assert checked > 40


def test_feeds_carry_the_literal_titles(built: Built) -> None:
    for lang, feed in (("ar", built.site / "feed.xml"), ("en", built.site / "en" / "feed.xml")):
        items = {item.findtext("link"): item.findtext("title") for item in ET.parse(feed).getroot().iter("item")}
        dated = 0
        for name in HOSTILE:
            page = arabic_page(built, name)
            url = page.parent.relative_to(built.site).as_posix() + "/"  # feed links are relative to the feed
            if url in items:
                title = EXPECTED[name]["titles"][0] if lang == "ar" else english_view(EXPECTED[name])["title"]
                assert items[url].startswith(title), (items[url], title)  # English adds "(translation pending)"
                dated += 1
        assert dated >= 2


def test_a_hidden_file_whose_name_is_not_utf8_is_skipped(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", [CORPUS / "a..b.txt"])
    Path(os.fsdecode(os.fsencode(root / "seeds") + b"/.hidden-\xff.txt")).write_bytes(b"x")
    result = run_cli("build", "--config", str(root / "mkdocs.yml"), "--site-dir", str(root / "site"),
                     "--packages-dir", str(root / "no-packages"))
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((root / "build" / "report.json").read_text(encoding="utf-8"))
    assert sorted((Path(f["source"]).name[:8], f["status"]) for f in report["files"]) == \
        [(".hidden-", "skipped"), ("a..b.txt", "ok")]


def test_generated_files_stay_inside_the_archive(built: Built) -> None:
    after = _files(built.root.parent)
    allowed = [built.root / "docs" / "archive", built.site, built.root / "build", built.root / "translations",
               built.root / ".cache"]  # .cache: the build manifest
    new = sorted(after - built.before)
    assert new
    for path in new:
        real = path.resolve()
        assert any(real.is_relative_to(folder) for folder in allowed), path
        assert not path.is_symlink(), path
    outside = [p for p in new if not p.resolve().is_relative_to(built.site)]
    docs = [p for p in outside if p.resolve().is_relative_to(built.root / "docs")]
    assert docs and all(p.resolve().is_relative_to(built.root / "docs" / "archive") for p in docs)
    seeds = built.root / "seeds"  # the inputs are untouched
    assert {p for p in after if p.is_relative_to(seeds)} == {p for p in built.before if p.is_relative_to(seeds)}
    assert all((seeds / name).read_bytes() == (CORPUS / name).read_bytes() for name in corpus_files())


# --- in a real browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(built: Built) -> Iterator[str]:
    with serve_folder(built.site) as url:
        yield url


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page that fails the test if any JavaScript dialog (alert, confirm, prompt) opens."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: object) -> None:
        dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", on_dialog)
    page.dialogs = dialogs
    yield page
    context.close()
    assert dialogs == [], f"article text ran as script: {dialogs}"


def _url(built: Built, server: str, path: Path) -> str:
    return server + quote(path.parent.relative_to(built.site).as_posix()) + "/"


def _no_overflow(page: object) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page is wider than the window: {widths}"


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_pages_in_the_browser(page: object, built: Built, server: str, name: str) -> None:
    spec = EXPECTED[name]
    arabic = arabic_page(built, name)
    for lang, path in (("ar", arabic), ("en", english_page(built, arabic))):
        page.goto(_url(built, server, path))
        page.wait_for_load_state("load")
        title = (spec["titles"][0] if lang == "ar" else english_view(spec)["title"]) or UNTITLED[lang]
        assert page.locator("#article-title").inner_text() == title
        page.locator("details.parallel > summary").click()  # the side-by-side view, opened
        page.locator(".parallel-row").nth(len(spec["paragraphs"]) - 1).wait_for()  # laid out, twin fetched
        assert page.locator(".parallel-row").count() == len(spec["paragraphs"])
        rows = page.locator(".parallel-row .parallel-ar")
        assert [" ".join(rows.nth(i).inner_text().split()) for i in range(rows.count())] == \
            [" ".join(p.split()) for p in spec["paragraphs"]]
        assert page.evaluate("document.querySelectorAll('article [onerror], article [onclick], article img, "
                             "article script, article iframe').length") == 0
        _no_overflow(page)
        if name in ("hostile-markup.txt", "hostile-lines.txt") and lang == "ar":
            page.evaluate("window.scrollTo(0, 0)")  # else the sticky header lands mid-page in the shot
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"badinput-{Path(name).stem}.png"), full_page=True)
        page.set_viewport_size({"width": 420, "height": 900})  # a phone: still no sideways scrolling
        _no_overflow(page)
        page.set_viewport_size({"width": 1280, "height": 1000})
    page.wait_for_timeout(300)  # time for an injected handler (onerror of a broken image) to fire
    assert page.dialogs == []


def _results(page: object) -> list[object]:
    page.wait_for_selector(".pagefind-ui__result-link", timeout=20000)
    page.wait_for_timeout(500)
    return page.locator(".pagefind-ui__result").all()


@pytest.mark.parametrize(("lang", "query", "name", "fragment"), [
    ("ar", "onerror", "hostile-markup.txt", "<img src=x onerror=alert(2)>"),
    ("ar", "الصفقة", "hostile-lines.txt", None),
    ("en", "onerror", "hostile-markup.txt", "<img src=x onerror=alert(22)>"),
])
def test_search_results_show_the_literal_text(page: object, built: Built, server: str, lang: str, query: str,
                                              name: str, fragment: str | None) -> None:
    spec = EXPECTED[name]
    title = spec["titles"][0] if lang == "ar" else english_view(spec)["title"]
    page.goto(server + ("en/" if lang == "en" else "") + "search/?q=" + quote(query))
    results = _results(page)
    titles = [r.locator(".pagefind-ui__result-link").inner_text() for r in results]
    assert title in titles, titles
    hit = results[titles.index(title)]
    if fragment:
        assert fragment in hit.locator(".pagefind-ui__result-excerpt").inner_text()
    assert page.evaluate("document.querySelectorAll('#archive-search img, #archive-search script, "
                         "#archive-search [onerror], #archive-search [onclick]').length") == 0
    if lang == "ar" and query == "onerror":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "badinput-search.png"), full_page=True)
    _no_overflow(page)
    page.wait_for_timeout(300)
    assert page.dialogs == []
