"""MkDocs hooks: regenerate docs/archive/ from seeds/ before each build; watch seeds/ when serving."""

from __future__ import annotations

import logging
import os
from functools import partial
from pathlib import Path

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from generator.config import Settings
from generator.feeds import write_feeds, write_sitemap
from generator.search import SearchIndexError, build_search_index
from generator.site import (
    ENV_REQUIRE_TRANSLATION,
    BuildError,
    article_metas,
    generate_docs,
    is_generated,
    page_payload,
    settings_from_env,
)
from generator.skeleton import ENV_FULL_RENDER, FILLED_TEMPLATE, FILLED_VARIABLE, SkeletonPages

log = logging.getLogger("mkdocs.plugins.archive")
_skeletons: SkeletonPages | None = None  # this build's (each language is a build of its own)


def _settings(config: MkDocsConfig) -> Settings:
    root = Path(config.config_file_path).resolve().parent
    return settings_from_env(Settings.for_root(root, docs_dir=Path(config.docs_dir)))


def on_pre_build(config: MkDocsConfig) -> None:
    try:
        generate_docs(_settings(config), require_translation=os.environ.get(ENV_REQUIRE_TRANSLATION) == "1")
    except BuildError as error:
        raise Abort(f"archive: {error}") from error


def on_page_read_source(page: Page, config: MkDocsConfig) -> str | None:
    """Generated pages: no source to parse; their metadata, HTML and headings come from the generator."""
    return "" if is_generated(page.file.src_uri) else None


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    payload = page_payload(page.file.src_uri)
    if payload is not None:
        page.meta = dict(payload.meta)
        # Generated pages bring their HTML (on_page_content): MkDocs' Markdown pass over the empty
        # source would only build a Markdown instance per page, about 1 ms each.
        page.render = partial(_no_markdown, page)  # type: ignore[method-assign]
        if page.meta.get("article_id") and os.environ.get(ENV_FULL_RENDER) != "1":
            page.meta["template"] = FILLED_TEMPLATE  # rendered by on_page_context
            page.archive_template = payload.meta["template"]  # type: ignore[attr-defined]
    return markdown


def _no_markdown(page: Page, config: MkDocsConfig, files: Files) -> None:
    page.content = ""  # on_page_content puts the generated HTML in


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    payload = page_payload(page.file.src_uri)
    if payload is None:
        return html
    page.toc = get_toc(payload.toc)
    return payload.html


def on_env(env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
    global _skeletons
    _skeletons = SkeletonPages(env)
    env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({FILLED_TEMPLATE: f"{{{{ {FILLED_VARIABLE} }}}}"}),
                                      env.loader])
    return env


@event_priority(-100)  # after the i18n plugin sets the page's language-switcher links
def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    template = getattr(page, "archive_template", None)
    if template is not None and _skeletons is not None:  # an article page (on_page_markdown)
        context[FILLED_VARIABLE] = _skeletons.render(template, context, page)
    return context


@event_priority(-200)  # after the i18n plugin, whose post-build step builds the other languages
def on_post_build(config: MkDocsConfig) -> None:
    if _skeletons is not None:
        log.debug("archive: %d article pages filled from %d layouts (%s)", _skeletons.filled, len(_skeletons.layouts),
                  ", ".join(sorted("skeleton" if v != "full" else "full" for v in _skeletons.layouts.values())))
    i18n = config.plugins.get("i18n")
    if i18n is not None and getattr(i18n, "building", False):
        return  # a nested per-language build: index once, when every language is written
    site_dir, docs_dir = Path(config.site_dir), Path(config.docs_dir)  # the root: /en/ is written inside it
    write_feeds(site_dir, docs_dir, config.site_url, metas=article_metas())
    write_sitemap(site_dir, docs_dir, config.site_url)
    try:
        build_search_index(site_dir)
    except SearchIndexError as error:
        raise Abort(f"search index: {error}") from error


def on_serve(server: LiveReloadServer, config: MkDocsConfig, builder: object) -> LiveReloadServer:
    # A new or changed seed file triggers a rebuild, whose pre-build step regenerates the pages.
    server.watch(str(_settings(config).seeds_dir))
    return server
