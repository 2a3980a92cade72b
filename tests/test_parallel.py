"""The side-by-side view on article pages: a real site of the seeds (tiny test model), then the HTML.

Each article page, Arabic and English, ends with a collapsed `<details class="parallel">` that holds
no text: where each paragraph of both languages splits into sentences (`data-units`) and the twin
page (`data-twin`). assets/parallel.js lays the rows out when the view is opened (tests/test_browser.py
drives it in Chromium); here the same cuts are made in Python (`sidebyside.split`) to check that they
give back the translation's sentences, both ways.
"""

from __future__ import annotations

import gzip
import html as html_module
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.model import Article, SentencePair, Translation
from generator.render.pages import article_html
from generator.render.sidebyside import parallel_html, split, units
from tests.conftest import ROOT, SEEDS, make_archive
from tests.htmltree import Node, tree
from tests.test_site import article_docs, build, front_matter, html_of, resolve

HOSTILE_SENTENCES = ["وقال مصدر مطلع إن الوثيقة تضمنت <script>alert(1)</script> في نصها.",
                     "وأضاف أن *النجوم* و[رابط](http://x) ستبقى."]
HOSTILE = " ".join(HOSTILE_SENTENCES)  # article text holding HTML and Markdown syntax


def squash(text: str) -> str:
    return " ".join(text.split())


# --- the page's parts -------------------------------------------------------------------------


@dataclass
class ArticlePage:
    path: Path
    html: str
    body: Node  # div.archive-body
    view: Node  # details.parallel

    @property
    def paragraphs(self) -> list[str]:
        """The reading body: the page's paragraphs (what parallel.js takes as this language's text)."""
        return [squash(p.text()) for p in self.body.elements if p.tag == "p"]

    @property
    def units(self) -> dict[str, list]:
        return json.loads(html_module.unescape(self.view.attrs["data-units"]))

    def sentences(self, lang: str) -> dict[int, list[str | None]]:
        """This page's paragraphs cut into sentences as parallel.js cuts them, by paragraph index."""
        entries = self.units[lang]
        assert len(entries) == len(self.paragraphs), self.path
        return {index: split(text, ends) for (index, ends), text in zip(entries, self.paragraphs, strict=True)}


def article_page(path: Path) -> ArticlePage:
    html = path.read_text(encoding="utf-8")
    [body] = tree(html).all("archive-body")
    views = body.all("parallel")
    assert len(views) == 1, path
    return ArticlePage(path, html, body, views[0])


@pytest.fixture(scope="module")
def site(packages: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds plus one article whose text holds HTML and Markdown syntax, translated by the tiny model."""
    tmp = tmp_path_factory.mktemp("parallel")
    lines = SEEDS[0].read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("اعتبر الكرملين"))
    # A different title and only the opening of the seed's body: a separate article, not a duplicate.
    lines = [*lines[:first + 1], "", HOSTILE]
    lines[2] = "عنوان مختلف: وثيقة فيها نص غريب"
    hostile = tmp / "hostile.txt"
    hostile.write_text("\n".join(lines), encoding="utf-8")
    root = make_archive(tmp / "archive", [*SEEDS, hostile])
    result = build(root, packages)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARNING" not in result.stderr
    return root


def pages(root: Path) -> list[tuple[ArticlePage, ArticlePage]]:
    out = []
    for doc in article_docs(root):
        meta = front_matter(doc)
        out.append((article_page(html_of(root, meta["url"])), article_page(html_of(root, meta["twin_url"]))))
    assert out
    return out


# --- the built site ---------------------------------------------------------------------------


def test_every_article_page_ends_with_a_collapsed_view_pointing_at_its_twin(site: Path) -> None:
    for ar, en in pages(site):
        for page, twin, summary in ((ar, en, "عرض النصين جنبًا إلى جنب"),
                                    (en, ar, "Side-by-side view (Arabic / English)")):
            view = page.view
            assert view.tag == "details" and "open" not in view.attrs
            assert "data-pagefind-ignore" in view.attrs  # the search index holds the body once
            assert view.elements[0].tag == "summary" and squash(view.elements[0].text()) == summary
            assert page.body.elements[-1] is view  # after the normal body, which is unchanged
            assert view.all("parallel-grid") and not view.all("parallel-row")  # laid out when opened
            assert resolve(site / "site", page.path, view.attrs["data-twin"]) == twin.path
            assert view.attrs["data-lang"] == ("ar" if page is ar else "en")


def test_each_page_holds_its_text_once(site: Path) -> None:
    """The view carries no text: an Arabic page holds each Arabic paragraph once and no English
    sentence, an English page the other way round."""
    for ar, en in pages(site):
        english = [s for sentences in en.sentences("en").values() for s in sentences if s]
        for paragraph in ar.paragraphs:
            assert ar.html.count(html_module.escape(paragraph, quote=False)) == 1
        assert english and not any(html_module.escape(s, quote=False) in ar.html for s in english if len(s) > 30)
        for paragraph in en.paragraphs:
            assert en.html.count(html_module.escape(paragraph, quote=False)) == 1


def test_sentences_pair_up_both_ways(site: Path) -> None:
    """Cut at the view's offsets, the Arabic and the English of a paragraph have as many sentences
    (one pair each way), and put back together they are the paragraphs."""
    multi_sentence = 0
    for ar, en in pages(site):
        for page in (ar, en):
            assert page.units == ar.units  # both pages describe the same cuts
        arabic, english = ar.sentences("ar"), en.sentences("en")
        for index, parts in arabic.items():
            assert " ".join(parts) == ar.paragraphs[list(arabic).index(index)]
            assert all(part for part in parts)
            if index in english:
                assert len(english[index]) == len(parts)
            multi_sentence += len(parts) > 1
        for index, parts in english.items():
            assert " ".join(p for p in parts if p) == en.paragraphs[list(english).index(index)]
    assert multi_sentence  # the seeds do exercise sentence-level alignment


def test_article_text_stays_literal(site: Path) -> None:
    [(ar, en)] = [(a, e) for a, e in pages(site) if any("alert(1)" in p for p in a.paragraphs)]
    for page in (ar, en):
        assert not page.view.all(tag="script") and "<script>alert(1)" not in page.html
    [parts] = [parts for parts in ar.sentences("ar").values() if "alert(1)" in " ".join(parts)]
    assert parts == HOSTILE_SENTENCES
    assert HOSTILE in ar.paragraphs


def test_pages_link_the_script_and_the_stylesheet(site: Path) -> None:
    for ar, en in pages(site):
        for page in (ar, en):
            root = tree(page.html)
            styles = [resolve(site / "site", page.path, n.attrs["href"]) for n in root.all(tag="link")
                      if n.attrs.get("rel") == "stylesheet"]
            scripts = [resolve(site / "site", page.path, n.attrs["src"]) for n in root.all(tag="script")
                       if "src" in n.attrs]
            assert site / "site" / "assets" / "parallel.css" in styles
            assert site / "site" / "assets" / "parallel.js" in scripts
    for name in ("parallel.css", "parallel.js"):
        assert (site / "site" / "assets" / name).read_bytes() == (ROOT / "docs" / "assets" / name).read_bytes()


def test_search_index_holds_the_text_once(site: Path) -> None:
    """data-pagefind-ignore: Pagefind indexes the normal body, not the view."""
    fragments = {}
    for path in (site / "site").glob("**/pagefind/fragment/*.pf_fragment"):
        record = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        bundle_root = path.parents[2].relative_to(site / "site").as_posix()  # each language has its own bundle
        url = ("" if bundle_root == "." else "/" + bundle_root) + record["url"]
        fragments[url] = " ".join(record["content"].split())
    if not fragments:
        pytest.skip("this build made no Pagefind index")
    for doc in article_docs(site):
        meta = front_matter(doc)
        page = article_page(html_of(site, meta["url"]))
        first = next(iter(page.sentences("ar").values()))[0]
        arabic, english = fragments["/" + meta["url"]], fragments["/" + meta["twin_url"]]
        assert arabic.count(first) == 1 and english.count(first) == 0
        assert "عرض النصين" not in arabic and "Side-by-side" not in english


def test_script_fetches_only_the_twin_page_and_links_pairs_by_delegation() -> None:
    script = (ROOT / "docs" / "assets" / "parallel.js").read_text(encoding="utf-8")
    for event in ("mouseover", "mouseout", "focusin", "focusout", "toggle"):
        assert f'document.addEventListener("{event}"' in script
    assert "is-linked" in script and "data-pair" in script and "data-units" in script
    assert re.findall(r"\bfetch\(([^,]+),", script) == ['details.getAttribute("data-twin")']
    assert 'credentials: "same-origin"' in script
    assert not re.search(r"\b(XMLHttpRequest|import|WebSocket|sendBeacon|innerHTML)\b", script)  # text as text
    css = (ROOT / "docs" / "assets" / "parallel.css").read_text(encoding="utf-8")
    assert ".is-linked" in css and "45em" in css.replace("44.9375em", "45em")
    assert '[data-md-color-scheme="slate"]' in css  # the highlight has a dark-scheme colour


def test_pending_translation_has_no_english_to_fetch(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:1])
    result = build(root, tmp_path / "no-packages")
    assert result.returncode == 0, result.stderr[-2000:]
    [(ar, en)] = pages(root)
    for page in (ar, en):
        assert page.view.attrs["data-status"] == "translation pending"
        assert page.units["en"] == [] and len(page.units["ar"]) == len(ar.paragraphs)
    assert en.paragraphs == []  # the English page shows the pending notice, no paragraph


# --- the view alone: reviewed (paragraph-level) translations and odd shapes -------------------


def render(article: Article, lang: str) -> ArticlePage:
    html = f'<div class="archive-body">{article_html(article, lang, None)}</div>'
    [body] = tree(html).all("archive-body")
    [view] = body.all("parallel")
    return ArticlePage(Path("-"), html, body, view)


def test_reviewed_translation_aligns_paragraph_by_paragraph() -> None:
    paragraphs = ["الفقرة الأولى. وفيها جملتان.", "الفقرة الثانية."]
    article = Article(source="x.txt", paragraphs=paragraphs, translation=Translation(
        status="reviewed", paragraphs=[[SentencePair(p, f"Reviewed {i}.")] for i, p in enumerate(paragraphs)]))
    ar, en = render(article, "ar"), render(article, "en")
    assert ar.sentences("ar") == {0: [paragraphs[0]], 1: [paragraphs[1]]}
    assert en.sentences("en") == {0: ["Reviewed 0."], 1: ["Reviewed 1."]}
    assert ar.view.attrs["data-status"] == "reviewed translation"  # parallel.js's hint then says "paragraph"
    assert render(article, "en").html == render(article, "en").html  # deterministic


def test_uneven_translations_keep_every_arabic_paragraph() -> None:
    paragraphs = ["أولى.", "ثانية.", "ثالثة."]
    fewer = Translation(status="reviewed", paragraphs=[[SentencePair(paragraphs[0], "One.")]])
    more = Translation(status="reviewed", paragraphs=[*([SentencePair(p, "X.")] for p in paragraphs),
                                                      [SentencePair("", "Extra.")]])
    mismatch = Translation(status="machine", paragraphs=[[SentencePair("نص قديم.", "Old.")], [], []])
    missing = Translation(status="machine", paragraphs=[[SentencePair("أولى.", None)],
                                                        [SentencePair("ثانية.", "Second.")], []])
    for translation in (fewer, more, mismatch, missing):
        article = Article(source="x.txt", paragraphs=paragraphs, translation=translation)
        page = render(article, "ar")
        assert [parts for parts in page.sentences("ar").values()] == [[p] for p in paragraphs]
        english = render(article, "en")
        assert english.sentences("en") == {index: split(text, ends) for (index, ends), text
                                           in zip(units(article, translation)["en"], english.paragraphs, strict=True)}
    extra = render(Article(source="x.txt", paragraphs=paragraphs, translation=more), "en")
    assert extra.sentences("en")[3] == ["Extra."]
    assert units(Article(source="x.txt", paragraphs=paragraphs, translation=missing), missing)["en"] == [[1, [7]]]


def test_no_paragraphs_no_view() -> None:
    fragment = parallel_html(Article(source="x.txt"), Translation(), "ar", "../x/")
    assert fragment == ""
