"""Generated pages through Material's templates at a fraction of their cost.

Material's page template costs about 3.5 ms a page (navigation, tabs, header, footer), most of a
large build's time, and for generated pages almost all of that work gives the same HTML: article
and index pages outside the navigation, two of one layout (same template, language, depth and page
flags), differ only in their content block, their title, their table of contents and skip link
(index pages), and the links to their twin (plus the canonical URL when `site_url` is set). So:

1. The first page of a layout is rendered in full by Material, and the result is cut into a
   skeleton around its content block and those values.
2. The second page of the layout is rendered both ways. The skeleton is used only if both give
   the same bytes; otherwise the layout keeps full rendering (a template change this module does not
   know of costs speed, never correctness).
3. Every other page renders only its own content block (and table of contents) and fills the
   skeleton.

tests/test_skeleton.py builds the seeds and the bad-input corpus both ways and requires identical
sites. Jinja has no fragment cache that could do this: what is invariant is only known per layout.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import escape
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url, normalize_url

log = logging.getLogger("mkdocs.plugins.archive")

# The template MkDocs is told to use for article pages: it prints the page this module made.
FILLED_TEMPLATE = "archive-filled.html"
FILLED_VARIABLE = "archive_filled_page"
ENV_FULL_RENDER = "ARCHIVE_FULL_RENDER"  # "1": render every page with Material in full (tests compare)

# Page fields Material's templates read besides the ones handled as slots: a layout is one value of each.
_META_KEYS = ("hide", "description", "author", "revision_date", "git_revision_date_localized",
              "git_creation_date_localized", "status", "search")


@dataclass(frozen=True)
class _Skeleton:
    parts: tuple[tuple[str, str | None], ...]  # (literal, then a slot name or None)
    content_at: int  # index in parts after which the content block goes
    verified: bool = False

    def fill(self, slots: Mapping[str, str], content: str) -> str:
        out: list[str] = []
        for index, (literal, slot) in enumerate(self.parts):
            out.append(literal)
            if slot is not None:
                out.append(slots[slot])
            if index == self.content_at:
                out.append(content)
        return "".join(out)


_FULL = "full"  # a layout whose skeleton could not be made or verified
_TOC_TEMPLATE = "partials/toc.html"
_LANGUAGE_TEMPLATE = "partials/language.html"


class SkeletonPages:
    """Renders the generated pages of one MkDocs build (one language): made afresh for each build."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.layouts: dict[Hashable, _Skeleton | str] = {}
        self.filled = 0
        self._language: Any = None  # Material's `lang` macros, as base.html imports them (per build)
        self._chains: dict[str | None, list[jinja2.Template]] = {}

    def render(self, template_name: str, context: dict[str, Any], page: Page) -> str:
        template = self.env.get_template(template_name)
        key = self._layout_key(template_name, context, page)
        layout = self.layouts.get(key)
        if isinstance(layout, _Skeleton) and layout.verified:
            self.filled += 1
            return layout.fill(self._slots(context, page), self._content(template, context))
        full = template.render(context)
        if layout is None:
            self.layouts[key] = self._cut(full, self._content(template, context), self._slots(context, page)) or _FULL
        elif isinstance(layout, _Skeleton):  # second page: the skeleton must give Material's bytes
            ok = layout.fill(self._slots(context, page), self._content(template, context)) == full
            self.layouts[key] = _Skeleton(layout.parts, layout.content_at, verified=True) if ok else _FULL
            if not ok:
                log.debug("archive: layout %r keeps full rendering (skeleton did not match)", key)
        return full

    def describe(self) -> str:
        kinds = sorted("full" if layout == _FULL else "skeleton" for layout in self.layouts.values())
        return f"{self.filled} pages filled from {len(self.layouts)} layouts ({', '.join(kinds)})"

    def _content(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        """The page's content block, rendered as in a full render: with the blocks of every template
        it extends (Material's main.html has none of its own; base.html defines it)."""
        chain = self._chains.get(template.name)
        if chain is None:
            chain = self._chains[template.name] = self._ancestry(template)
        blocks = template.new_context(context)
        for ancestor in chain[1:]:
            for name, block in ancestor.blocks.items():
                blocks.blocks.setdefault(name, []).append(block)
        content = blocks.blocks.get("content")
        return "".join(content[0](blocks)) if content else ""  # none: no skeleton (_cut)

    def _ancestry(self, template: jinja2.Template) -> list[jinja2.Template]:
        """The template, then the templates it extends in turn (static `{% extends "name" %}` only)."""
        chain = [template]
        while chain[-1].name is not None and self.env.loader is not None:
            source = self.env.loader.get_source(self.env, chain[-1].name)[0]
            extends = self.env.parse(source).find(jinja2.nodes.Extends)
            if extends is None or not isinstance(extends.template, jinja2.nodes.Const):
                break
            chain.append(self.env.get_template(extends.template.value))
        return chain

    @staticmethod
    def _layout_key(template_name: str, context: dict[str, Any], page: Page) -> Hashable:
        meta = page.meta or {}
        nav = context.get("nav")
        # Material links every navigation page relative to this one: equal for pages of one folder
        # depth only when they share how their paths meet the navigation's (tags/x/ vs publishers/y/).
        nav_links = tuple(get_relative_url(item.url, page.url) for item in nav.pages) if nav is not None else ()
        return (template_name, getattr(page.file, "locale", None), page.url.count("/"), context.get("base_url"),
                nav_links,
                bool(page.toc), bool(meta.get("title")),
                tuple(repr(meta.get(k)) for k in _META_KEYS), page.is_homepage, page.edit_url,
                page.previous_page and page.previous_page.url, page.next_page and page.next_page.url,
                bool(page.canonical_url), len(_alternates(context)))

    def _slots(self, context: dict[str, Any], page: Page) -> dict[str, str]:
        """The values that differ between pages of a layout, as the templates print them."""
        slots: dict[str, str] = {}
        title = (page.meta or {}).get("title")
        if title:
            slots["title"] = str(escape(title))
        if page.toc:  # index pages: the sidebar lists their headings, the skip link goes to the first
            slots["toc"] = self._toc(context)
            first = normalize_url(str(next(iter(page.toc)).url), page=page, base=context.get("base_url", ""))
            slots["skip"] = f'<a href="{first}" class="md-skip">'
        for number, link in enumerate(_alternates(context)):
            if link != page.url:
                slots[f"alternate{number}"] = normalize_url(link, page=page, base=context.get("base_url", ""))
        if page.canonical_url:
            slots["canonical"] = page.canonical_url
        return slots

    def _toc(self, context: dict[str, Any]) -> str:
        """Material's table of contents for the page, as base.html includes it (with its `lang`)."""
        if self._language is None:
            self._language = self.env.get_template(_LANGUAGE_TEMPLATE).make_module(context)
        return self.env.get_template(_TOC_TEMPLATE).render({**context, "lang": self._language})

    @staticmethod
    def _cut(full: str, content: str, slots: Mapping[str, str]) -> _Skeleton | None:
        if not content or full.count(content) != 1:
            return None
        values = {value: name for name, value in slots.items()}
        if len(values) != len(slots) or "" in values:
            return None  # two slots print the same text: their places cannot be told apart
        prefix, suffix = full.split(content)
        parts: list[tuple[str, str | None]] = []
        pattern = re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
        for piece in (prefix, suffix):
            pieces = pattern.split(piece) if values else [piece]
            found = pattern.findall(piece) if values else []
            parts.extend((literal, values[match]) for literal, match in zip(pieces, found, strict=False))
            parts.append((pieces[-1], None))
            if piece is prefix:
                content_at = len(parts) - 1
        return _Skeleton(tuple(parts), content_at)


def _alternates(context: dict[str, Any]) -> list[str]:
    """The language switcher's links (mkdocs-static-i18n sets them per page), site-relative."""
    extra = context["config"].extra
    # As Jinja reads `config.extra.alternate`: the attribute first (where i18n puts the page's links), then the key.
    alternates = getattr(extra, "alternate", None) or extra.get("alternate") or []
    return [str(item.get("link", "")) for item in alternates]
