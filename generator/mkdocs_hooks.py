"""MkDocs hooks: regenerate docs/archive/ from seeds/ before each build; watch seeds/ when serving."""

from __future__ import annotations

import copy
import gc
import logging
import os
from functools import partial
from pathlib import Path

import jinja2
import mkdocs.utils
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from generator import buildlock, generated_pages, page_workers, site_folder
from generator.atomic import remove_stale_temps
from generator.config import Settings
from generator.feeds import write_feeds, write_sitemap
from generator.forked import fork_available
from generator.render import TemplateBytecodeCache
from generator.search import (
    ARTICLES_FOLDER,
    SearchIndexError,
    SearchIndexJob,
    finish_search_index,
    start_search_index,
    stop_search_index,
)
from generator.site import (
    ENV_REQUIRE_TRANSLATION,
    ENV_WAIT_LOCK,
    BuildError,
    article_metas,
    generate_docs,
    is_article_page,
    is_generated,
    page_front,
    page_payload,
    settings_from_env,
)
from generator.skeleton import ENV_FULL_RENDER, FILLED_TEMPLATE, FILLED_VARIABLE, SkeletonPages

log = logging.getLogger("mkdocs.plugins.archive")
_skeletons: SkeletonPages | None = None  # this build's (each language is a build of its own)
_workers: list[int] = []  # pids of the forks building pages, waited for before indexing
_command: str | None = None  # "build" or "serve"
_build_nav: Navigation | None = None
_indexing = False  # this language's Pagefind index started (as soon as its article pages were written)
_search_jobs: list[SearchIndexJob] = []  # Pagefind runs in the background
_taken_out: list[Page] = []  # this build's generated pages out of MkDocs' file list (generated_pages.py)
_site_inventory: site_folder.SiteInventory | None = None  # site/ as the last build left it, rewritten in place
# MkDocs' own (even when an earlier load of these hooks in this process replaced them, see on_startup)
_clean_directory = getattr(mkdocs.utils.clean_directory, "replaces", mkdocs.utils.clean_directory)
_write_file = getattr(mkdocs.utils.write_file, "replaces", mkdocs.utils.write_file)


def _settings(config: MkDocsConfig) -> Settings:
    root = Path(config.config_file_path).resolve().parent
    return settings_from_env(Settings.for_root(root, docs_dir=Path(config.docs_dir)))


def _nested(config: MkDocsConfig) -> bool:
    """A build of a further language, which mkdocs-static-i18n runs inside the first build's post-build step."""
    i18n = config.plugins.get("i18n")
    return i18n is not None and getattr(i18n, "building", False)


def _language_root(config: MkDocsConfig) -> Path:
    """The folder of the language being built: the site, or its /en/ (mkdocs-static-i18n's layout)."""
    i18n = config.plugins.get("i18n")
    language = getattr(i18n, "current_language", None)
    if i18n is None or language is None or language == i18n.default_language:
        return Path(config.site_dir)
    return Path(config.site_dir) / language


def _language_roots(config: MkDocsConfig) -> list[Path]:
    i18n = config.plugins.get("i18n")
    site = Path(config.site_dir)
    if i18n is None:
        return [site]
    return [site] + [site / lang for lang in i18n.build_languages if lang != i18n.default_language]


def on_pre_build(config: MkDocsConfig) -> None:
    global _site_inventory
    if _nested(config):
        return  # docs/archive/ was generated moments ago, by this command's first language
    # One build of the archive at a time (buildlock.py), before anything is written. A build refuses
    # unless asked to wait; serving waits (its rebuilds follow edits). Released when the build ends
    # (_finish_build, on_build_error, on_shutdown) or, however this process ends, by the kernel.
    try:
        buildlock.acquire(_settings(config).root, wait=_command != "build" or os.environ.get(ENV_WAIT_LOCK) == "1",
                          on_wait=lambda message: log.info("archive: %s", message))
    except buildlock.BuildLocked as error:
        raise Abort(f"archive: {error}") from error
    if _command == "build":  # site/ rewritten in place (site_folder.py)
        _site_inventory = site_folder.take_inventory(Path(config.site_dir), _language_roots(config))
    try:
        generate_docs(_settings(config), require_translation=os.environ.get(ENV_REQUIRE_TRANSLATION) == "1")
    except BuildError as error:
        raise Abort(f"archive: {error}") from error
    if _command == "build":
        # The records, pages and templates live until the build ends: the cyclic collector would
        # otherwise walk them again and again (and, in the forks, touch every shared memory page).
        # Not when serving, where each rebuild's would pile up.
        gc.freeze()


def on_page_read_source(page: Page, config: MkDocsConfig) -> str | None:
    """Generated pages: no source to parse; their metadata, HTML and headings come from the generator."""
    return "" if is_generated(page.file.src_uri) else None


def on_startup(command: str, dirty: bool) -> None:
    global _command
    if dirty:
        # MkDocs would leave unchanged pages unread, which the generated pages' build cannot work
        # from, and their untouched files would look stale to site_folder.py.
        raise Abort("archive: --dirty is not supported; builds are incremental already (only the pages "
                    "whose inputs changed are regenerated): build without it")
    _command = command
    if command == "build":
        mkdocs.utils.clean_directory = _keep_site  # called by MkDocs right after on_pre_build
        mkdocs.utils.write_file = _write_over


def on_shutdown() -> None:
    mkdocs.utils.clean_directory = _clean_directory
    mkdocs.utils.write_file = _write_file
    buildlock.release_all()


def _keep_site(directory: str) -> None:
    """MkDocs empties each language's folder before building it: not when site/ is rewritten in place
    (site_folder.py; the stale files are removed once every language is written)."""
    if _site_inventory is None or not _site_inventory.covers(Path(directory)):
        _clean_directory(directory)


def _write_over(content: bytes, output_path: str) -> None:
    """MkDocs' write_file, but over the old file's bytes when site/ is rewritten in place: opening
    with truncation frees its blocks first (0.27 ms a file on the development VM, against 0.02 ms)."""
    if _site_inventory is None:
        _write_file(content, output_path)
        return
    try:
        fd = os.open(output_path, os.O_WRONLY)
    except FileNotFoundError:  # a new page
        _write_file(content, output_path)
        return
    with open(fd, "wb") as file:
        file.write(content)
        file.truncate()


_keep_site.replaces = _clean_directory  # type: ignore[attr-defined]
_write_over.replaces = _write_file  # type: ignore[attr-defined]


def _filling() -> bool:
    """The fast path: generated pages built outside MkDocs' file list, filled into Material's skeleton,
    shares of them by forks (else every page by MkDocs, in full, in one process)."""
    return os.environ.get(ENV_FULL_RENDER) != "1"


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    src_uri = page.file.src_uri
    if not is_generated(src_uri):
        return markdown
    # Generated pages bring their HTML (on_page_content): MkDocs' Markdown pass over the empty
    # source would only build a Markdown instance per page, about 1 ms each.
    page.render = partial(_no_markdown, page)  # type: ignore[method-assign]
    front = page_front(src_uri)
    page.meta = dict(front if front is not None else page_payload(src_uri).meta)  # type: ignore[union-attr]
    if _filling():
        page.archive_template = page.meta.get("template", "main.html")  # type: ignore[attr-defined]
        page.meta["template"] = FILLED_TEMPLATE  # the page is made in on_page_context
    return markdown


def _no_markdown(page: Page, config: MkDocsConfig, files: Files) -> None:
    page.content = ""  # on_page_content or on_page_context puts the generated HTML in


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    src_uri = page.file.src_uri
    if not is_generated(src_uri) or (hasattr(page, "archive_template") and is_article_page(src_uri)):
        return html  # an article page's HTML is made when the page is built (maybe by the fork)
    payload = page_payload(page.file.src_uri)
    assert payload is not None
    page.toc = get_toc(payload.toc)
    return payload.html


@event_priority(100)  # before mkdocs-static-i18n (-100) localises every file
def _take_out(files: Files, config: MkDocsConfig) -> Files:
    global _taken_out
    _taken_out = []
    if not _filling():
        return files
    files, _taken_out = generated_pages.take_out(files, config, is_generated)
    return files


@event_priority(-150)  # after mkdocs-static-i18n
def _add_back(files: Files, config: MkDocsConfig) -> Files:
    global _site_inventory
    generated_pages.add_back(files, _taken_out)
    if _site_inventory is not None:
        blocked = _site_inventory.blocks([file.abs_dest_path for file in files])
        if blocked is not None:  # e.g. a page became a folder: this language's folder is emptied after all
            log.info("archive: site/%s is in the way of a new page; emptying %s", blocked, config.site_dir)
            _clean_directory(config.site_dir)
            if not _nested(config):
                _site_inventory = None
    return files


on_files = CombinedEvent(_take_out, _add_back)


@event_priority(-200)  # the navigation as every plugin left it: the fork's page builds need it
def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    global _build_nav
    _build_nav = nav
    return nav


def on_env(env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
    global _skeletons, _indexing
    _skeletons = SkeletonPages(env)
    _indexing = False
    # Material's templates compiled once, not once per language and build (about 0.5 s each time).
    cache_dir = _settings(config).template_cache_dir
    cache_dir.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = TemplateBytecodeCache(str(cache_dir))  # atomic writes: a killed build leaves no stray file
    env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({FILLED_TEMPLATE: f"{{{{ {FILLED_VARIABLE} }}}}"}),
                                      env.loader])
    articles = [page for page in _taken_out if is_article_page(page.file.src_uri)]
    if articles:
        # Article pages first, half in a fork: once they are written, Pagefind indexes this
        # language while the rest is built.
        try:
            page_workers.build_split(articles, files, config, _build_nav, env, on_done=_log_filled,
                                     fork=_command == "build")
        except page_workers.PageWorkerError as error:
            raise Abort(f"archive: {error}") from error
        _start_index(config)
    i18n = config.plugins.get("i18n")
    if getattr(i18n, "extra_alternate", None):
        # i18n sets the language links per page and leaves the last page's in the config, where the
        # 404 page (rendered next) would pick them up: it gets the languages' home pages instead.
        config.extra.alternate = copy.deepcopy(i18n.extra_alternate)
    others = [page for page in _taken_out if not is_article_page(page.file.src_uri)]
    if _command == "build" and _filling() and fork_available():
        # Generated pages only (hand-written ones have links MkDocs validates after building them).
        generated = [f for f in files.documentation_pages() if is_generated(f.src_uri)]
        worker = page_workers.start(others, generated, files, config, _build_nav, env)
        if worker is not None:
            _workers.append(worker)
    elif others:  # no fork (serving: a process with a server thread): here, now
        page_workers.build_split(others, files, config, _build_nav, env, on_done=_log_filled, fork=False)
    return env


@event_priority(-100)  # after the i18n plugin sets the page's language-switcher links
def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    template = getattr(page, "archive_template", None)
    if template is not None and _skeletons is not None:  # a generated page (on_page_markdown)
        if is_article_page(page.file.src_uri):
            payload = page_payload(page.file.src_uri)
            assert payload is not None
            page.content, page.toc = payload.html, get_toc(payload.toc)
        context[FILLED_VARIABLE] = _skeletons.render(template, context, page)
    return context


def _log_filled() -> None:
    if _skeletons is not None:
        log.debug("archive: %s", _skeletons.describe())


def _start_index(config: MkDocsConfig) -> None:
    """Start Pagefind on this language's article pages, all written. It runs at the build's own
    priority: measured with forks and indexers at lower priority (os.nice), builds took more CPU
    time and longer (4,000 articles: 56-68 s against 53-55 s; 1,000: 17.1-18.4 s against 15.6-16.8 s)."""
    global _indexing
    _indexing = True
    if _site_inventory is not None:  # a removed article's old page must not be indexed
        removed = site_folder.prune(_site_inventory, below=_language_root(config) / ARTICLES_FOLDER)
        log.debug("archive: %d stale article pages removed before indexing", len(removed))
    _search_jobs.append(start_search_index(_language_root(config), _settings(config).search_state_dir))


@event_priority(0)  # before mkdocs-static-i18n's post-build step (-100) builds the next language
def _index_language(config: MkDocsConfig) -> None:
    if not _indexing:  # MkDocs' page loop wrote the article pages (ARCHIVE_FULL_RENDER=1)
        _start_index(config)


@event_priority(-200)  # after the i18n plugin, whose post-build step builds the other languages
def _finish_build(config: MkDocsConfig) -> None:
    _log_filled()
    if _nested(config):
        return  # feeds, sitemap and waiting for the search indexes once every language is written
    site_dir, docs_dir = Path(config.site_dir), Path(config.docs_dir)  # the root: /en/ is written inside it
    # MkDocs' cleaning keeps hidden files at the top of site/, so a temporary file a killed run left
    # there (feed, sitemap) would otherwise be published.
    remove_stale_temps(site_dir)
    write_feeds(site_dir, docs_dir, config.site_url, metas=article_metas())  # while the forks build pages
    _wait_for_forks()
    _remove_stale_pages()  # before the sitemap, which lists the pages in site/
    write_sitemap(site_dir, docs_dir, config.site_url)  # lists the pages written
    try:
        while _search_jobs:
            finish_search_index(_search_jobs.pop(0))
    except SearchIndexError as error:
        raise Abort(f"search index: {error}") from error
    buildlock.release(_settings(config).root)  # this build has written all it writes


on_post_build = CombinedEvent(_index_language, _finish_build)


def _remove_stale_pages() -> None:
    global _site_inventory
    if _site_inventory is not None:
        removed = site_folder.prune(_site_inventory)
        _site_inventory = None
        log.debug("archive: site/ rewritten in place; %d other stale files removed", len(removed))


def _wait_for_forks() -> None:
    try:
        page_workers.wait(_workers)
    except page_workers.PageWorkerError as error:
        raise Abort(f"archive: {error}") from error


def on_build_error(error: Exception) -> None:
    global _site_inventory
    _site_inventory = None  # the next build removes what this one left stale
    page_workers.stop(_workers)
    while _search_jobs:
        stop_search_index(_search_jobs.pop())
    buildlock.release_all()  # the build stopped: the next one (a rebuild when serving) may start


def on_serve(server: LiveReloadServer, config: MkDocsConfig, builder: object) -> LiveReloadServer:
    # A new or changed seed file triggers a rebuild, whose pre-build step regenerates the pages.
    server.watch(str(_settings(config).seeds_dir))
    return server
