"""The built site in a real browser: headless Debian Chromium driven by Playwright, served on localhost.

Screenshots land in build/screenshots/ (Arabic article, English twin, side-by-side, search results)
so a person can look at them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

from tests.conftest import CHROMIUM, ROOT, SEEDS, make_archive, serve_folder
from tests.test_site import article_docs, build, front_matter

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
SHOTS = ROOT / "build" / "screenshots"

# An article whose body says إسرائيل (the seeds mention it only in teasers, which are dropped).
ISRAEL_TITLE = "إسرائيل تعلن إغلاق المعابر مع غزة لمدة يومين"
ISRAEL_ARTICLE = f"""{ISRAEL_TITLE}

القدس (وكالات)

أعلنت إسرائيل اليوم إغلاق جميع المعابر مع قطاع غزة لمدة يومين، بسبب ما وصفته بتهديدات أمنية.

وقال متحدث باسم الجيش الإسرائيلي إن القرار يشمل حركة الأفراد والبضائع على حد سواء.

وأكدت منظمات إنسانية أن الإغلاق سيزيد من معاناة السكان في القطاع.
"""


@dataclass(frozen=True)
class Site:
    url: str  # http://127.0.0.1:PORT/
    root: Path  # the archive root it was built from


@pytest.fixture(scope="module")
def site(packages: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    extra = tmp_path_factory.mktemp("extra") / "900_israel.txt"
    extra.write_text(ISRAEL_ARTICLE, encoding="utf-8")
    root = make_archive(tmp_path_factory.mktemp("archive"), [*SEEDS, extra])
    result = build(root, packages)
    assert result.returncode == 0, result.stderr[-3000:]
    with serve_folder(root / "site") as url:
        yield Site(url, root)


@pytest.fixture
def page(browser: object, site: Site) -> Iterator[object]:
    """A fresh page that records the host of every request it makes."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    page.requested_hosts = set()
    page.on("request", lambda request: page.requested_hosts.add(urlparse(request.url).netloc))
    yield page
    assert page.requested_hosts <= {urlparse(site.url).netloc}, page.requested_hosts  # nothing leaves localhost
    context.close()


def _article_url(site: Site, prefix: str, lang: str = "ar") -> str:
    doc = next(p for p in article_docs(site.root) if p.name.startswith(prefix))
    meta = front_matter(doc if lang == "ar" else doc.with_name(doc.stem + ".en.md"))
    return site.url + quote(meta["url"])


def _search_titles(page: object) -> list[str]:
    page.wait_for_selector(".pagefind-ui__result-link, .pagefind-ui__message:has-text('0')", timeout=20000)
    page.wait_for_timeout(300)
    return [link.inner_text() for link in page.query_selector_all(".pagefind-ui__result-link")]


@pytest.mark.parametrize(("query", "expected"), [
    ("كرملين", "الكرملين: تخلي موسكو عن الأسد غير ممكن على الإطلاق"),  # الكرملين
    ("اسرائيل", ISRAEL_TITLE),  # إسرائيل
    ("اكد", "موسكو وواشنطن: هدفنا محاربة الإرهاب وحل أزمة سوريا"),  # أكد / وأكد
    ("ايران", "الكرملين يدعو كل الأطراف لضبط النفس بشأن برنامج إيران النووي"),  # الإيراني / إيران
])
def test_arabic_search_finds_spelling_variants(page: object, site: Site, query: str, expected: str) -> None:
    page.goto(_article_url(site, "2017-04-12"))
    box = page.locator("input.archive-search-input")
    box.fill(query)
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert expected in _search_titles(page)
    assert page.locator("#archive-search").get_attribute("dir") == "rtl"
    if query == "كرملين":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "search-ar.png"), full_page=True)


def test_english_search_finds_names_even_in_garbled_translations(page: object, site: Site) -> None:
    page.goto(site.url + "en/search/?q=Peskov")
    titles = _search_titles(page)
    assert len(titles) >= 3  # the tiny model's English is gibberish: the names list makes these findable
    assert page.locator("#archive-search").get_attribute("dir") == "ltr"
    result = page.locator(".pagefind-ui__result").first
    assert "Date" in result.inner_text() and "Publisher" in result.inner_text()
    assert page.locator(".pagefind-ui__result mark").count() > 0  # highlighted excerpt
    page.screenshot(path=str(SHOTS / "search-en.png"), full_page=True)


def test_search_query_is_taken_from_the_address(page: object, site: Site) -> None:
    page.goto(site.url + "search/?q=" + quote("بيسكوف"))
    assert len(_search_titles(page)) >= 3
    assert page.locator(".pagefind-ui__search-input").input_value() == "بيسكوف"


def test_article_pages_in_both_languages(page: object, site: Site) -> None:
    page.goto(_article_url(site, "2017-04-12"))
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.evaluate("getComputedStyle(document.querySelector('.archive-body')).direction") == "rtl"
    page.screenshot(path=str(SHOTS / "article-ar.png"), full_page=True)
    page.locator(".archive-twin a").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.evaluate("getComputedStyle(document.querySelector('.archive-body')).direction") == "ltr"
    assert "Machine translation" in page.locator(".archive-mt-notice").inner_text()
    page.screenshot(path=str(SHOTS / "article-en.png"), full_page=True)


def test_side_by_side_columns_align_and_sentences_link(page: object, site: Site) -> None:
    page.goto(_article_url(site, "2017-04-12", "en"))
    page.locator("details.parallel > summary").click()
    rows = page.locator(".parallel-row")
    rows.nth(7).wait_for()  # laid out when opened, with the Arabic fetched from the twin page
    assert rows.count() == 8  # one row per paragraph of seed 000
    for i in range(rows.count()):
        arabic = rows.nth(i).locator(".parallel-ar").bounding_box()
        english = rows.nth(i).locator(".parallel-en").bounding_box()
        assert arabic["x"] > english["x"]  # Arabic on the right
        assert abs(arabic["y"] - english["y"]) < 2  # the paragraph pair starts on the same line
    hint = page.locator("details.parallel .parallel-hint")
    assert "Hover over a sentence, or move to it with the Tab key" in hint.inner_text()  # written by parallel.js
    assert hint.locator("kbd").inner_text() == "Tab"
    pair = rows.nth(1).locator(".parallel-ar .pair").first
    pair_id = pair.get_attribute("data-pair")
    twin = rows.nth(1).locator(f'.parallel-en .pair[data-pair="{pair_id}"]')
    pair.hover()
    assert "is-linked" in (twin.get_attribute("class") or "")
    page.mouse.move(0, 0)
    assert "is-linked" not in (twin.get_attribute("class") or "")
    twin.focus()  # keyboard users get the same link
    assert "is-linked" in (pair.get_attribute("class") or "")
    pair.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "side-by-side.png"), full_page=True)

    arabic_page = page.context.new_page()  # and from the Arabic page, which fetches the English
    arabic_page.goto(_article_url(site, "2017-04-12"))
    arabic_page.locator("details.parallel > summary").click()
    arabic_rows = arabic_page.locator(".parallel-row")
    arabic_rows.nth(7).wait_for()
    assert arabic_rows.count() == 8
    assert "مرّر المؤشر على جملة" in arabic_page.locator("details.parallel .parallel-hint").inner_text()
    english = arabic_rows.nth(1).locator(".parallel-en .pair").first
    english.hover()
    linked = arabic_rows.nth(1).locator(f'.parallel-ar .pair[data-pair="{english.get_attribute("data-pair")}"]')
    assert "is-linked" in (linked.get_attribute("class") or "")
    assert [pair.inner_text() for pair in rows.nth(1).locator(".parallel-ar .pair").all()] == \
        [pair.inner_text() for pair in arabic_rows.nth(1).locator(".parallel-ar .pair").all()]
    arabic_page.close()

    page.set_viewport_size({"width": 420, "height": 900})  # narrow screens stack the columns
    arabic = rows.nth(1).locator(".parallel-ar").bounding_box()
    english = rows.nth(1).locator(".parallel-en").bounding_box()
    assert english["y"] > arabic["y"] + arabic["height"] - 2
    page.screenshot(path=str(SHOTS / "side-by-side-narrow.png"), full_page=False)


@pytest.mark.parametrize(("status", "lang", "expected"), [
    ("reviewed", "en", "Hover over a paragraph"), ("reviewed", "ar", "مرّر المؤشر على فقرة"),
    ("pending", "en", "There is no English translation of this article yet"),
])
def test_side_by_side_hint_follows_the_translation(browser: object, status: str, lang: str, expected: str) -> None:
    """The hint above the rows is parallel.js's, from the view's data-status: a reviewed translation is
    aligned by paragraph, a pending one shows the Arabic alone."""
    from generator.model import Article, SentencePair, Translation
    from generator.render.sidebyside import parallel_html

    paragraphs = ["الفقرة الأولى. وفيها جملتان.", "الفقرة الثانية."]
    english = [[SentencePair(p, f"Reviewed {i}.")] for i, p in enumerate(paragraphs)] if status == "reviewed" else []
    article = Article(source="x.txt", paragraphs=paragraphs, translation=Translation(status=status, paragraphs=english))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    view = parallel_html(article, article.translation, lang, "twin/")
    page = browser.new_page()
    try:
        page.route("**/twin/", lambda route: route.abort())  # the twin is not needed for the hint
        page.set_content(f'<div class="archive-body">{body}{view}</div>')
        page.add_script_tag(path=str(ROOT / "docs" / "assets" / "parallel.js"))
        page.locator("details.parallel > summary").click()
        assert expected in page.locator("details.parallel .parallel-hint").first.inner_text()
    finally:
        page.close()
