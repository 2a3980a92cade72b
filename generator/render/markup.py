"""Writers for generated pages: one page description, written as Markdown (docs/) and as HTML (site).

The index templates (templates/*.md.j2) describe a page through a writer `w` (headings,
paragraphs, links, list items) instead of writing Markdown syntax themselves. Rendered with
`MarkdownWriter` they give the Markdown file kept in docs/ (readable, diffable); rendered with
`HtmlWriter` they give exactly the HTML Python-Markdown would make of that file, which the MkDocs
plugin hands to the build so that thousands of index lines are not parsed back (tests compare both).
Kept rather than running Python-Markdown on the generated Markdown: measured on 2026-12-07 (AMD EPYC),
the 628 index pages of a 2,000-file archive took 11.5 s through Python-Markdown per language.
Article text is always escaped here: it shows as literal text and never becomes markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import PurePosixPath
from typing import Protocol

from markdown.extensions.toc import slugify, unique

# Python-Markdown's escapable characters that could start markup mid-line ("|" and "~" are not
# escapable without the tables/tilde extensions, which the site does not enable).
_MD_INLINE = re.compile(r"([\\`*_{}\[\]#])")
_MD_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=:])")


def md_inline(text: str | None) -> str:
    """Article text as literal Markdown inside a line (a heading, a link text, a list item)."""
    if not text:
        return ""
    return _MD_INLINE.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def md_text(text: str | None) -> str:
    """Article text as a literal Markdown paragraph: HTML, Markdown and attribute syntax cannot take effect.

    Only a paragraph's start needs the line-start escapes ("1." would start a list, "-" a rule);
    inside a line they would show as a stray backslash ("\\=" is not an escape).
    """
    return _MD_LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", md_inline(text))


def html_text(text: str | None) -> str:
    """Article text as literal HTML text, whitespace collapsed (what Markdown shows of `md_inline`)."""
    return html.escape(" ".join((text or "").split()), quote=False)


@lru_cache(maxsize=1 << 16)  # index pages ask for the same few thousand URLs again and again
def page_url(path: PurePosixPath) -> str:
    """Site-relative URL of a docs page: archive/x.md → archive/x/, x.en.md → en/x/, index → folder."""
    name = path.name
    lang_prefix = "en/" if name.endswith(".en.md") else ""
    stem = name[: -len(".en.md")] if lang_prefix else name[: -len(".md")]
    folder = str(path.parent) if str(path.parent) != "." else ""
    url = folder + "/" if stem == "index" else f"{folder}/{stem}/".lstrip("/")
    return lang_prefix + url.lstrip("/")


def relative_url(target: str, base: str) -> str:
    """Link from the page at URL `base` to URL `target` (both site-relative folders), as MkDocs writes it.

    String work only: posixpath.relpath resolves both against the working directory, and index
    pages ask for hundreds of thousands of these in a large archive.
    """
    to, here = target.split("/")[:-1], base.split("/")[:-1]
    common = 0
    while common < len(to) and common < len(here) and to[common] == here[common]:
        common += 1
    parts = [".."] * (len(here) - common) + to[common:]
    return "/".join(parts) + "/" if parts else "./"


def relative_md(from_page: PurePosixPath, to_page: PurePosixPath) -> str:
    """Relative Markdown link between two docs files (MkDocs checks and rewrites it)."""
    parts_from = from_page.parent.parts
    parts_to = to_page.parts
    common = 0
    while common < len(parts_from) and common < len(parts_to) - 1 and parts_from[common] == parts_to[common]:
        common += 1
    return "/".join([".."] * (len(parts_from) - common) + list(parts_to[common:]))


@dataclass
class TocEntry:
    level: int
    id: str
    name: str


class PagePair(Protocol):
    """A generated page in both languages (generator.render.pages.Page)."""

    @property
    def ar(self) -> PurePosixPath: ...

    @property
    def en(self) -> PurePosixPath: ...


@dataclass
class MarkdownWriter:
    """Writes the page as Markdown; links are relative .md paths from `here`."""

    here: PurePosixPath
    lang: str
    toc: list[TocEntry] = field(default_factory=list)

    @cached_property
    def link_base(self) -> str:
        """What relative links from this page depend on (pages sharing it can share link text)."""
        return "md:" + str(self.here.parent)

    def text(self, text: str | None) -> str:
        return md_inline(text)

    def link(self, label: str, target: PagePair, anchor: str = "") -> str:
        path = target.en if self.lang == "en" else target.ar
        return f"[{label}]({relative_md(self.here, path)}{'#' + anchor if anchor else ''})"

    def emphasis(self, inline: str) -> str:
        return f"*{inline}*"

    def heading(self, level: int, inline: str, anchor: str = "") -> str:
        # The heading's plain text (escapes and entities undone), for the page title.
        self.toc.append(TocEntry(level, anchor, html.unescape(re.sub(r"\\(.)", r"\1", inline))))
        return f"{'#' * level} {inline}{' {#' + anchor + '}' if anchor else ''}\n\n"

    def paragraph(self, inline: str) -> str:
        return f"{inline}\n\n"

    def items(self, lines: list[str]) -> str:
        return "".join(f"- {line}\n" for line in lines) + "\n" if lines else ""


@dataclass
class HtmlWriter:
    """Writes the page as the HTML Python-Markdown makes of MarkdownWriter's output (with toc/attr_list)."""

    here: PurePosixPath
    lang: str
    toc: list[TocEntry] = field(default_factory=list)
    _ids: set[str] = field(default_factory=set)

    @cached_property
    def link_base(self) -> str:
        return "html:" + page_url(self.here)  # directory URLs: x.md and index.md of a folder differ

    def text(self, text: str | None) -> str:
        return html_text(text)

    def link(self, label: str, target: PagePair, anchor: str = "") -> str:
        path = target.en if self.lang == "en" else target.ar
        href = relative_url(page_url(path), page_url(self.here)) + ("#" + anchor if anchor else "")
        return f'<a href="{html.escape(href)}">{label}</a>'

    def emphasis(self, inline: str) -> str:
        return f"<em>{inline}</em>"

    def heading(self, level: int, inline: str, anchor: str = "") -> str:
        name = re.sub(r"<[^>]+>", "", inline)  # the heading's text, as the toc extension sees it
        ident = anchor or unique(slugify(html.unescape(name), "-"), self._ids)
        self._ids.add(ident)
        self.toc.append(TocEntry(level, ident, name))
        return f'<h{level} id="{html.escape(ident)}">{inline}</h{level}>\n'

    def paragraph(self, inline: str) -> str:
        return f"<p>{inline}</p>\n"

    def items(self, lines: list[str]) -> str:
        return "<ul>\n" + "".join(f"<li>{line}</li>\n" for line in lines) + "</ul>\n" if lines else ""


def toc_tokens(entries: list[TocEntry]) -> list[dict]:
    """The nested tokens MkDocs' `get_toc` takes (what Python-Markdown's toc extension records)."""
    root: list[dict] = []
    stack: list[dict] = []
    for entry in entries:
        token = {"level": entry.level, "id": entry.id, "name": entry.name, "html": entry.name,
                 "data-toc-label": "", "children": []}
        while stack and stack[-1]["level"] >= entry.level:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root
