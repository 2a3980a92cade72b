"""The side-by-side view on article pages: a real site of the seeds (tiny test model), then the HTML.

Each article page, Arabic and English, ends with a collapsed `<details class="parallel">` holding one
row per paragraph: the Arabic cell (lang=ar dir=rtl) and the English cell (lang=en dir=ltr), with
every sentence a `[data-pair]` span whose twin, in the other cell, has the same id.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.model import Article, SentencePair, Translation
from generator.render.pages import article_html
from generator.render.sidebyside import parallel_html
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
        """The normal reading body: the page's paragraphs outside the side-by-side view."""
        return [squash(p.text()) for p in self.body.elements if p.tag == "p"]

    @property
    def rows(self) -> list[Node]:
        return [r for r in self.view.all("parallel-row") if "data-paragraph" in r.attrs]


def article_page(path: Path) -> ArticlePage:
    html = path.read_text(encoding="utf-8")
    [body] = tree(html).all("archive-body")
    views = body.all("parallel")
    assert len(views) == 1, path
    return ArticlePage(path, html, body, views[0])


def cells(row: Node) -> tuple[Node, Node]:
    ar, en = row.elements  # Arabic first in reading order; CSS puts it in the right-hand column
    assert "parallel-ar" in ar.classes and (ar.attrs.get("lang"), ar.attrs.get("dir")) == ("ar", "rtl")
    assert "parallel-en" in en.classes and (en.attrs.get("lang"), en.attrs.get("dir")) == ("en", "ltr")
    return ar, en


def sentences(cell: Node) -> list[Node]:
    return [n for n in cell.iter() if "data-pair" in n.attrs]


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


def test_every_article_page_ends_with_a_collapsed_side_by_side_view(site: Path) -> None:
    for ar, en in pages(site):
        for page, summary in ((ar, "عرض النصين جنبًا إلى جنب"), (en, "Side-by-side view (Arabic / English)")):
            view = page.view
            assert view.tag == "details" and "open" not in view.attrs
            assert "data-pagefind-ignore" in view.attrs  # the search index holds the body once
            assert view.elements[0].tag == "summary" and squash(view.elements[0].text()) == summary
            assert page.body.elements[-1] is view  # after the normal body, which is unchanged
            assert page.paragraphs and not any(p.all("pair") for p in page.body.elements if p.tag == "p")


def test_one_row_per_paragraph_arabic_and_english_cells(site: Path) -> None:
    for ar, en in pages(site):
        for page in (ar, en):
            assert len(page.rows) == len(ar.paragraphs), page.path
            [head] = page.view.all("parallel-head")
            cells(head)
            for number, row in enumerate(page.rows, 1):
                assert row.attrs["data-paragraph"] == str(number)
                cells(row)


def test_every_sentence_is_paired_once_per_language(site: Path) -> None:
    for ar, en in pages(site):
        for page in (ar, en):
            ids = Counter(n.attrs["data-pair"] for n in page.view.iter() if "data-pair" in n.attrs)
            assert ids and set(ids.values()) == {2}, page.path
            for number, row in enumerate(page.rows, 1):
                arabic, english = (sentences(cell) for cell in cells(row))
                assert [n.attrs["data-pair"] for n in arabic] == [n.attrs["data-pair"] for n in english]
                assert [n.attrs["data-pair"] for n in arabic] == [f"p{number}s{i}" for i in range(1, len(arabic) + 1)]
                for node in (*arabic, *english):
                    assert node.tag == "span" and "pair" in node.classes and node.attrs.get("tabindex") == "0"


def test_sentences_put_back_together_are_the_paragraphs(site: Path) -> None:
    multi_sentence = 0
    for ar, en in pages(site):
        for page in (ar, en):
            for row, arabic_paragraph in zip(page.rows, ar.paragraphs, strict=True):
                arabic, _ = cells(row)
                parts = [squash(n.text()) for n in sentences(arabic)]
                assert " ".join(parts) == arabic_paragraph
                multi_sentence += len(parts) > 1
        for row, english_paragraph in zip(en.rows, en.paragraphs, strict=True):  # machine translation
            _, english = cells(row)
            assert " ".join(squash(n.text()) for n in sentences(english)) == english_paragraph
    assert multi_sentence  # the seeds do exercise sentence-level alignment


def test_article_text_stays_literal_in_the_view(site: Path) -> None:
    [(ar, en)] = [(a, e) for a, e in pages(site) if any("alert(1)" in p for p in a.paragraphs)]
    for page in (ar, en):
        assert not page.view.all(tag="script") and not page.view.all(tag="em") and not page.view.all(tag="a")
        assert "<script>alert(1)" not in page.html
        [row] = [r for r in page.rows if "alert(1)" in r.text()]
        arabic, _ = cells(row)
        assert [squash(n.text()) for n in sentences(arabic)] == HOSTILE_SENTENCES
    assert HOSTILE in ar.paragraphs  # and in the normal body too


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
    """data-pagefind-ignore: Pagefind indexes the normal body, not the side-by-side copy of it."""
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
        first = squash(sentences(cells(article_page(html_of(site, meta["url"])).rows[0])[0])[0].text())
        arabic, english = fragments["/" + meta["url"]], fragments["/" + meta["twin_url"]]
        assert arabic.count(first) == 1 and english.count(first) == 0
        assert "عرض النصين" not in arabic and "Side-by-side" not in english


def test_script_links_pairs_by_delegation_without_network() -> None:
    script = (ROOT / "docs" / "assets" / "parallel.js").read_text(encoding="utf-8")
    for event in ("mouseover", "mouseout", "focusin", "focusout"):
        assert f'document.addEventListener("{event}"' in script
    assert "is-linked" in script and "data-pair" in script
    assert not re.search(r"\b(fetch|XMLHttpRequest|import|WebSocket|sendBeacon)\b", script)
    css = (ROOT / "docs" / "assets" / "parallel.css").read_text(encoding="utf-8")
    assert ".is-linked" in css and "45em" in css.replace("44.9375em", "45em")
    assert '[data-md-color-scheme="slate"]' in css  # the highlight has a dark-scheme colour


def test_pending_translation_shows_arabic_and_a_pending_english_column(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:1])
    result = build(root, tmp_path / "no-packages")
    assert result.returncode == 0, result.stderr[-2000:]
    [(ar, en)] = pages(root)
    for page in (ar, en):
        assert "data-pair" not in page.view.attrs and not any("data-pair" in n.attrs for n in page.view.iter())
        assert len(page.rows) == len(ar.paragraphs)
        [head] = page.view.all("parallel-head")
        assert squash(cells(head)[1].text()) == "English (translation pending)"
        for number, (row, paragraph) in enumerate(zip(page.rows, ar.paragraphs, strict=True)):
            arabic, english = cells(row)
            assert squash(arabic.text()) == paragraph
            assert ("Translation pending" in english.text()) == (number == 0)


# --- the template alone: reviewed (paragraph-level) translations and odd shapes ---------------


def render(article: Article, lang: str) -> ArticlePage:
    return article_page_from(f'<div class="archive-body">{article_html(article, lang, None)}</div>')


def article_page_from(html: str) -> ArticlePage:
    [body] = tree(html).all("archive-body")
    [view] = body.all("parallel")
    return ArticlePage(Path("-"), html, body, view)


def test_reviewed_translation_aligns_paragraph_by_paragraph() -> None:
    paragraphs = ["الفقرة الأولى. وفيها جملتان.", "الفقرة الثانية."]
    article = Article(source="x.txt", paragraphs=paragraphs, translation=Translation(
        status="reviewed", paragraphs=[[SentencePair(p, f"Reviewed {i}.")] for i, p in enumerate(paragraphs)]))
    for lang in ("ar", "en"):
        page = render(article, lang)
        assert len(page.rows) == 2
        for number, row in enumerate(page.rows, 1):
            arabic, english = (sentences(cell) for cell in cells(row))
            assert [n.attrs["data-pair"] for n in arabic] == [n.attrs["data-pair"] for n in english] == [f"p{number}s1"]
            assert squash(arabic[0].text()) == paragraphs[number - 1]
            assert squash(english[0].text()) == f"Reviewed {number - 1}."
        assert "English (reviewed translation)" in page.view.text()
        assert ("Hover over a paragraph" if lang == "en" else "على فقرة") in page.view.text()
    assert render(article, "en").html == render(article, "en").html  # deterministic


def test_uneven_translations_keep_one_row_per_arabic_paragraph() -> None:
    paragraphs = ["أولى.", "ثانية.", "ثالثة."]
    fewer = Translation(status="reviewed", paragraphs=[[SentencePair(paragraphs[0], "One.")]])
    more = Translation(status="reviewed", paragraphs=[*([SentencePair(p, "X.")] for p in paragraphs),
                                                      [SentencePair("", "Extra.")]])
    mismatch = Translation(status="machine", paragraphs=[[SentencePair("نص قديم.", "Old.")], [], []])
    for translation in (fewer, more, mismatch):
        page = render(Article(source="x.txt", paragraphs=paragraphs, translation=translation), "ar")
        assert len(page.rows) == 3
        assert [squash(cells(row)[0].text()) for row in page.rows] == paragraphs
        ids = Counter(n.attrs["data-pair"] for n in page.view.iter() if "data-pair" in n.attrs)
        assert set(ids.values()) <= {2}
    assert "[not translated]" in render(Article(source="x.txt", paragraphs=paragraphs, translation=fewer), "ar").html
    assert "Extra." in render(Article(source="x.txt", paragraphs=paragraphs, translation=more), "en").view.text()


def test_no_paragraphs_no_view() -> None:
    fragment = parallel_html(Article(source="x.txt"), Translation(), "ar")
    assert "parallel" not in fragment
