"""The MkDocs plugin `archive`: regenerates docs/archive/ from seeds/ before each build, builds the
generated pages fast, indexes the site with Pagefind, writes feeds and the sitemap.

Configured in mkdocs.yml (typed: `ArchiveConfig`), state on the plugin instance (one per MkDocs
configuration; mkdocs-static-i18n builds the further languages with the same instance):

    plugins:
      - archive:
          seeds_dir: seeds
      - i18n: …

`python -m generator build/serve` runs MkDocs with this configuration; its options reach the plugin
as environment variables (`ARCHIVE_*`, read in generator/pipeline/generate.py), which override the
configuration file.
"""

from __future__ import annotations

import copy
import gc
import logging
import os
import re
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

import jinja2
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from generator import internals
from generator.atomic import remove_stale_temps
from generator.config import DEFAULT, DEVICES, Settings
from generator.pipeline import lock as buildlock
from generator.pipeline.generate import (
    ENV_REQUIRE_TRANSLATION,
    ENV_WAIT_LOCK,
    BuildError,
    article_metas,
    generate_docs,
    generated_sources,
    generation,
    is_article_page,
    is_generated,
    page_fingerprint,
    page_front,
    page_payload,
    settings_from_env,
)
from generator.render.pages import TemplateBytecodeCache
from generator.site import folder as site_folder
from generator.site import generated_pages, page_workers
from generator.site.feeds import FEED_LENGTH, write_feeds, write_sitemap
from generator.site.generated_pages import Generated
from generator.site.page_cache import PageCache, probes, read_probes, settle_probes, site_signature
from generator.site.search import (
    ARTICLES_FOLDER,
    SHARD_PAGES,
    SearchIndexer,
    SearchIndexError,
    SearchShard,
    plan_shards,
)
from generator.site.skeleton import ENV_FULL_RENDER, FILLED_TEMPLATE, FILLED_VARIABLE, SkeletonPages
from generator.workers import fork_available

log = logging.getLogger("mkdocs.plugins.archive")


class ArchiveConfig(base.Config):
    """The plugin's settings in mkdocs.yml; folders are relative to mkdocs.yml's folder."""

    seeds_dir = c.Type(str, default="seeds")
    translations_dir = c.Type(str, default="translations")
    corrections_dir = c.Type(str, default="corrections")
    # Fail when a sentence has no translation (no model and not in the memory).
    require_translation = c.Type(bool, default=False)
    # Wait for another build of this archive to end instead of refusing (generator/pipeline/lock.py).
    wait_lock = c.Type(bool, default=False)
    # Read links under seeds/ that lead outside the archive (refused by default).
    allow_links_outside = c.Type(bool, default=False)
    # The fast paths (generator/internals.py); off: every page built by MkDocs, the plain way.
    fast_paths = c.Type(bool, default=True)
    # Drop the indentation and blank lines of the theme's HTML, and write its JSON as UTF-8 (about a
    # sixth of a page; nothing visible changes).
    compact_html = c.Type(bool, default=True)
    # Article pages per search bundle: Pagefind needs about 300 KB of memory per page it indexes.
    search_shard_pages = c.Type(int, default=SHARD_PAGES)
    # Where new sentences are decoded (TranslationSettings): CTranslate2's device (auto, cpu, cuda), and
    # a Dask cluster (local:N, tcp://scheduler:8786) instead of this process. `build --device/--cluster`
    # (the environment) wins over these.
    translation_device = c.Choice(DEVICES, default=DEFAULT.translation.device)
    translation_cluster = c.Optional(c.Type(str))


class ArchivePlugin(BasePlugin[ArchiveConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self._command: str | None = None  # "build" or "serve"
        self._fast = True  # the fast paths, when configured and every internal they use is there
        self._skeletons: SkeletonPages | None = None  # this language's build (each language is a build)
        self._workers: list[int] = []  # pids of the forks building pages, waited for before indexing
        self._nav: Navigation | None = None
        self._indexing = False  # this language's Pagefind index started (its article pages written)
        self._search: SearchIndexer | None = None  # Pagefind runs in the background, one at a time
        self._shards: list[SearchShard] = []  # this language's search bundles
        self._taken_out: list[Page] = []  # generated pages out of MkDocs' file list, to build (generated_pages.py)
        self._generated: list[Generated] | None = None  # this language's generated pages outside the navigation
        self._kept: list[Generated] = []  # of which those whose file the last build wrote is kept
        # The generated pages outside the navigation (every language), for the generation that made them.
        self._outside: tuple[int, frozenset[str], generated_pages.GeneratedIndex] | None = None
        self._inventory: site_folder.SiteInventory | None = None  # site/ as the last build left it
        self._page_cache: PageCache | None = None  # generated pages the last build wrote (site/page_cache.py)
        self._language_emptied = False  # this language's folder was emptied: no page of it is kept

    # --- settings ---------------------------------------------------------------------------------

    def settings(self, config: MkDocsConfig) -> Settings:
        root = Path(config.config_file_path).resolve().parent
        settings = Settings.for_root(root, docs_dir=Path(config.docs_dir))
        settings = replace(settings, seeds_dir=root / self.config.seeds_dir,
                           translations_dir=root / self.config.translations_dir,
                           corrections_dir=root / self.config.corrections_dir,
                           allow_links_outside=self.config.allow_links_outside,
                           translation=replace(settings.translation, device=self.config.translation_device,
                                               cluster=self.config.translation_cluster))
        return settings_from_env(settings)

    def _filling(self) -> bool:
        """The fast path for generated pages: built outside MkDocs' file list, filled into Material's
        skeleton, shares of them by forks (else every page by MkDocs, in full, in one process)."""
        return self._fast and os.environ.get(ENV_FULL_RENDER) != "1"

    # --- events -----------------------------------------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        if dirty:
            # MkDocs would leave unchanged pages unread, which the generated pages' build cannot work
            # from, and their untouched files would look stale to site/folder.py.
            raise Abort("archive: --dirty is not supported; builds are incremental already (only the pages "
                        "whose inputs changed are regenerated): build without it")
        self._command = command
        if command == "build":
            # Once per command, not per build(): mkdocs-static-i18n replaces clean_directory with a
            # no-op while it builds the other languages, which a later patch would undo. Without the
            # fast paths both pass straight through to MkDocs (no inventory of site/ is taken).
            internals.patch_site_writes(self._keep_site, self._write_over)
            internals.patch_get_files(self._listed_by_the_plugin)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self._fast = self.config.fast_paths
        absent = internals.missing(config) if self._fast else []
        if absent:
            log.info("archive: fast paths off, building the plain way: this environment lacks %s", ", ".join(absent))
            self._fast = False
        return config

    def on_shutdown(self) -> None:
        internals.restore_site_writes()
        internals.restore_get_files()
        buildlock.release_all()

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if internals.i18n_building(config):
            return  # docs/archive/ was generated moments ago, by this command's first language
        settings = self.settings(config)
        # One build of the archive at a time (pipeline/lock.py), before anything is written. A build refuses
        # unless asked to wait; serving waits (its rebuilds follow edits). Released when the build ends
        # (_finish_build, on_build_error, on_shutdown) or, however this process ends, by the kernel.
        wait = self._command != "build" or self.config.wait_lock or os.environ.get(ENV_WAIT_LOCK) == "1"
        try:
            buildlock.acquire(settings.root, wait=wait, on_wait=lambda message: log.info("archive: %s", message))
        except buildlock.BuildLocked as error:
            raise Abort(f"archive: {error}") from error
        if self._command == "build" and self._fast:  # site/ rewritten in place (site/folder.py)
            self._inventory = site_folder.take_inventory(Path(config.site_dir), self._language_roots(config))
        self._page_cache = PageCache.load(settings.page_cache_path, config.site_dir) \
            if self._command == "build" and self._filling() else None
        required = self.config.require_translation or os.environ.get(ENV_REQUIRE_TRANSLATION) == "1"
        try:
            generate_docs(settings, require_translation=required)
        except BuildError as error:
            raise Abort(f"archive: {error}") from error
        if self._command == "build":
            # The records, pages and templates live until the build ends: the cyclic collector would
            # otherwise walk them again and again (and, in the forks, touch every shared memory page).
            # Not when serving, where each rebuild's would pile up.
            gc.freeze()

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        """Generated pages: no source to parse; their metadata, HTML and headings come from the generator."""
        return "" if is_generated(page.file.src_uri) else None

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        src_uri = page.file.src_uri
        if not is_generated(src_uri):
            return markdown
        if self._fast:
            # Generated pages bring their HTML (on_page_content): MkDocs' Markdown pass over the empty
            # source would only build a Markdown instance per page, about 1 ms each.
            internals.skip_markdown(page, partial(_no_markdown, page))
        front = page_front(src_uri)
        page.meta = dict(front if front is not None else page_payload(src_uri).meta)  # type: ignore[union-attr]
        if self._filling():
            page.archive_template = page.meta.get("template", "main.html")  # type: ignore[attr-defined]
            page.meta["template"] = FILLED_TEMPLATE  # the page is made in on_page_context
        return markdown

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        src_uri = page.file.src_uri
        if not is_generated(src_uri) or (hasattr(page, "archive_template") and is_article_page(src_uri)):
            return html  # an article page's HTML is made when the page is built (maybe by the fork)
        payload = page_payload(page.file.src_uri)
        assert payload is not None
        page.toc = get_toc(payload.toc)
        return payload.html

    @event_priority(100)  # before mkdocs-static-i18n (-100) localises every file
    def _take_out(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        """The generated pages outside the navigation leave MkDocs' file list (MkDocs' listing left
        them out already when building); the plugin makes pages of those it builds (generated_pages.py)."""
        self._taken_out, self._generated, self._kept = [], None, []
        self._language_emptied = False
        outside = self._outside_nav(config)
        if outside is None:
            return files
        sources, index = outside
        files = Files([file for file in files if file.src_uri not in sources])
        self._generated = generated_pages.outside_nav(index, config)
        build = self._generated
        if self._page_cache is not None:
            signature = site_signature(config, internals.i18n_current(config))
            build, self._kept = self._page_cache.plan(self._generated, signature, self._inventory, page_fingerprint)
        self._taken_out = self._pages(build, config)
        return files

    @event_priority(-150)  # after mkdocs-static-i18n
    def _add_back(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        linked = generated_pages.linked_from(files, is_generated) if self._kept else set()
        generated_pages.add_back(files, self._taken_out, [generated_pages.make_file(page, config)
                                                          for page in self._kept if page.src_uri in linked])
        if self._inventory is not None:
            blocked = self._inventory.blocks([file.abs_dest_path for file in files])
            if blocked is not None:  # e.g. a page became a folder: this language's folder is emptied after all
                log.info("archive: site/%s is in the way of a new page; emptying %s", blocked, config.site_dir)
                internals.clean_directory(config.site_dir)
                self._language_emptied = True
                self._build_kept(config)
                if not internals.i18n_building(config):
                    self._inventory = None
        return files

    on_files = CombinedEvent(_take_out, _add_back)

    @event_priority(-200)  # the navigation as every plugin left it: the fork's page builds need it
    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        self._nav = nav
        return nav

    def on_env(self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        self._skeletons = SkeletonPages(env)
        self._indexing = False
        # This language's search bundles, before any page is built: the search page lists them.
        self._shards = plan_shards(self._article_folders(files, config), self.config.search_shard_pages)
        config.extra["archive_search_bundles"] = [shard.bundle for shard in self._shards[1:]]
        if self._fast:
            # Material's templates compiled once, not once per language and build (about 0.5 s each time).
            cache_dir = self.settings(config).template_cache_dir
            cache_dir.mkdir(parents=True, exist_ok=True)
            env.bytecode_cache = TemplateBytecodeCache(str(cache_dir))  # atomic: a killed build leaves no stray
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({FILLED_TEMPLATE: f"{{{{ {FILLED_VARIABLE} }}}}"}),
                                          env.loader])
        if self.config.compact_html:
            # The theme's JSON (its configuration script on every page) with Arabic as UTF-8 rather
            # than \u escapes, and without spaces after its separators: the same values, a third of
            # the bytes (about 800 bytes an Arabic page).
            env.policies["json.dumps_kwargs"] = {**env.policies.get("json.dumps_kwargs", {}), "ensure_ascii": False,
                                                 "separators": (",", ":")}
        if self._page_cache is not None:
            if not self._page_cache.same_navigation(str(internals.i18n_current(config)), self._nav) and self._kept:
                log.info("archive: the navigation changed: building every page")
                self._build_kept(config)
            self._probe(files, config, env)
        pages = self._taken_out
        articles = [page for page in pages if is_article_page(page.file.src_uri)]
        if articles:
            # Article pages first, half in a fork: once they are written, Pagefind indexes this
            # language while the rest is built.
            try:
                page_workers.build_split(articles, files, config, self._nav, env, on_done=self._log_filled,
                                         fork=self._command == "build")
            except page_workers.PageWorkerError as error:
                raise Abort(f"archive: {error}") from error
            self._start_index(config)
        alternates = internals.i18n_alternates(config)
        if alternates:
            # i18n sets the language links per page and leaves the last page's in the config, where the
            # 404 page (rendered next) would pick them up: it gets the languages' home pages instead.
            config.extra.alternate = copy.deepcopy(alternates)
        others = [page for page in pages if not is_article_page(page.file.src_uri)]
        if self._command == "build" and self._filling() and fork_available():
            # Generated pages only (hand-written ones have links MkDocs validates after building them).
            generated = [f for f in files.documentation_pages() if is_generated(f.src_uri)]
            worker = page_workers.start(others, generated, files, config, self._nav, env)
            if worker is not None:
                self._workers.append(worker)
        elif others:  # no fork (serving: a process with a server thread): here, now
            page_workers.build_split(others, files, config, self._nav, env, on_done=self._log_filled, fork=False)
        return env

    @event_priority(-300)  # last: the page as every plugin left it
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        return compact_html(output) if self.config.compact_html else output

    @event_priority(-100)  # after the i18n plugin sets the page's language-switcher links
    def on_page_context(self, context: dict, /, *, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
        template = getattr(page, "archive_template", None)
        if template is not None and self._skeletons is not None:  # a generated page (on_page_markdown)
            if is_article_page(page.file.src_uri):
                payload = page_payload(page.file.src_uri)
                assert payload is not None
                page.content, page.toc = payload.html, get_toc(payload.toc)
            context[FILLED_VARIABLE] = self._skeletons.render(template, context, page)
        return context

    @event_priority(0)  # before mkdocs-static-i18n's post-build step (-100) builds the next language
    def _index_language(self, *, config: MkDocsConfig) -> None:
        if not self._indexing:  # MkDocs' page loop wrote the article pages (the plain path)
            self._start_index(config)

    @event_priority(-200)  # after the i18n plugin, whose post-build step builds the other languages
    def _finish_build(self, *, config: MkDocsConfig) -> None:
        self._log_filled()
        if internals.i18n_building(config):
            return  # feeds, sitemap and waiting for the search indexes once every language is written
        site_dir, docs_dir = Path(config.site_dir), Path(config.docs_dir)  # the root: /en/ is written inside it
        # MkDocs' cleaning keeps hidden files at the top of site/, so a temporary file a killed run left
        # there (feed, sitemap) would otherwise be published.
        remove_stale_temps(site_dir)
        # While the forks build pages; the feeds list the newest FEED_LENGTH dated articles.
        write_feeds(site_dir, docs_dir, config.site_url, limit=FEED_LENGTH, metas=article_metas(latest=FEED_LENGTH))
        self._wait_for_forks()
        if self._page_cache is not None:  # every page written: what each was built from
            self._page_cache.save()
            self._page_cache = None
        self._remove_stale_pages()  # before the sitemap, which lists the pages in site/
        write_sitemap(site_dir, docs_dir, config.site_url)  # lists the pages written
        try:
            if self._search is not None:
                self._search.finish()
        except SearchIndexError as error:
            raise Abort(f"search index: {error}") from error
        buildlock.release(self.settings(config).root)  # this build has written all it writes

    on_post_build = CombinedEvent(_index_language, _finish_build)

    def on_build_error(self, *, error: Exception) -> None:
        self._inventory = None  # the next build removes what this one left stale
        self._page_cache = None  # not saved: the pages this build rewrote no longer match it
        page_workers.stop(self._workers)
        if self._search is not None:
            self._search.stop()
        buildlock.release_all()  # the build stopped: the next one (a rebuild when serving) may start

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: object) -> LiveReloadServer:
        # A new or changed seed file triggers a rebuild, whose pre-build step regenerates the pages.
        server.watch(str(self.settings(config).seeds_dir))
        return server

    # --- helpers ----------------------------------------------------------------------------------

    def _keep_site(self, directory: str) -> None:
        """MkDocs empties each language's folder before building it: not when site/ is rewritten in
        place (site/folder.py; the stale files are removed once every language is written)."""
        if self._inventory is None or not self._inventory.covers(Path(directory)):
            internals.clean_directory(directory)

    def _write_over(self, content: bytes, output_path: str) -> None:
        """MkDocs' write_file, but over the old file's bytes when site/ is rewritten in place: opening
        with truncation frees its blocks first (0.27 ms a file on the development VM, against 0.02 ms)."""
        if self._inventory is None:
            internals.write_file(content, output_path)
            return
        try:
            fd = os.open(output_path, os.O_WRONLY)
        except FileNotFoundError:  # a new page
            internals.write_file(content, output_path)
            return
        with open(fd, "wb") as file:
            file.write(content)
            file.truncate()

    def _language_root(self, config: MkDocsConfig) -> Path:
        """The folder of the language being built: the site, or its /en/ (mkdocs-static-i18n's layout)."""
        language, default = internals.i18n_current(config), internals.i18n_default(config)
        if language is None or language == default:
            return Path(config.site_dir)
        return Path(config.site_dir) / language

    def _article_folders(self, files: Files, config: MkDocsConfig) -> list[str]:
        """This language's article pages, as their folders below the articles folder ("2017/2017-…")."""
        root = self._language_root(config).relative_to(Path(config.site_dir)).as_posix()
        prefix = ("" if root == "." else root + "/") + ARTICLES_FOLDER + "/"
        dests = [page.dest_uri for page in self._generated] if self._generated is not None else \
            [file.dest_uri for file in files]
        return [dest[len(prefix):-len("/index.html")] for dest in dests
                if dest.startswith(prefix) and dest.endswith("/index.html")]

    def _listed_by_the_plugin(self, config: MkDocsConfig) -> Callable[[str], bool] | None:
        """What MkDocs' listing of docs_dir leaves out: the generated pages the plugin makes itself."""
        outside = self._outside_nav(config)
        return outside[0].__contains__ if outside is not None else None

    def _outside_nav(self, config: MkDocsConfig) -> tuple[frozenset[str], generated_pages.GeneratedIndex] | None:
        """The generated pages outside the navigation, every language (None: the plugin makes none),
        worked out once per generation (about 2 s a language at 20,000 articles otherwise)."""
        if not self._filling():
            return None
        if self._outside is None or self._outside[0] != generation():
            index = generated_pages.index_outside_nav(generated_sources(), config)
            if index is None:
                return None
            self._outside = (generation(), frozenset(index.values()), index)
        return self._outside[1], self._outside[2]

    def _language_roots(self, config: MkDocsConfig) -> list[Path]:
        site = Path(config.site_dir)
        default = internals.i18n_default(config)
        return [site] + [site / lang for lang in internals.i18n_build_languages(config) if lang != default]

    def _pages(self, generated: list[Generated], config: MkDocsConfig) -> list[Page]:
        return [page for item in generated if (page := generated_pages.make_page(item, config)) is not None]

    def _build_kept(self, config: MkDocsConfig) -> None:
        """The pages planned as kept are built after all."""
        if self._page_cache is not None:
            self._page_cache.build_after_all(self._kept)
        self._taken_out += self._pages(self._kept, config)
        self._kept = []

    def _probe(self, files: Files, config: MkDocsConfig, env: jinja2.Environment) -> None:
        """Build the first kept page of each kind here, now, and compare it with its file: if one
        differs, an input the page cache does not know of changed, and every kept page is built."""
        chosen = probes(self._kept)
        if not chosen:
            return
        assert self._page_cache is not None
        self._page_cache.build_after_all(chosen)
        taken = {id(item) for item in chosen}
        self._kept = [item for item in self._kept if id(item) not in taken]
        pages = self._pages(chosen, config)
        olds = read_probes(pages)
        try:
            page_workers.build_split(pages, files, config, self._nav, env, on_done=self._log_filled, fork=False)
        except page_workers.PageWorkerError as error:
            raise Abort(f"archive: {error}") from error
        inventory = None if self._language_emptied else self._inventory
        differing = settle_probes(olds, inventory)
        if differing:
            log.info("archive: %s would change although its inputs did not: building every page", differing[0])
            self._build_kept(config)
        if self._kept:
            log.info("archive: %d generated pages kept as the last build wrote them, %d built",
                     len(self._kept), len(self._taken_out) + len(pages))

    def _log_filled(self) -> None:
        if self._skeletons is not None:
            log.debug("archive: %s", self._skeletons.describe())

    def _start_index(self, config: MkDocsConfig) -> None:
        """Start Pagefind on this language's article pages, all written. It runs at the build's own
        priority: measured with forks and indexers at lower priority (os.nice), builds took more CPU
        time and longer (4,000 articles: 56-68 s against 53-55 s; 1,000: 17.1-18.4 s against 15.6-16.8 s)."""
        self._indexing = True
        if self._inventory is not None:  # a removed article's old page must not be indexed
            removed = site_folder.prune(self._inventory, below=self._language_root(config) / ARTICLES_FOLDER)
            log.debug("archive: %d stale article pages removed before indexing", len(removed))
        if self._search is None:
            self._search = SearchIndexer(self.settings(config).search_state_dir)
        self._search.start(self._language_root(config), self._shards)

    def _remove_stale_pages(self) -> None:
        if self._inventory is not None:
            removed = site_folder.prune(self._inventory)
            self._inventory = None
            log.debug("archive: site/ rewritten in place; %d other stale files removed", len(removed))

    def _wait_for_forks(self) -> None:
        try:
            page_workers.wait(self._workers)
        except page_workers.PageWorkerError as error:
            raise Abort(f"archive: {error}") from error


_PRESERVED = re.compile(r"(<(pre|textarea|code)[\s>].*?</\2>)", re.DOTALL | re.IGNORECASE)
_INDENT = re.compile(r"\n\s+")  # indentation, and the blank lines the theme's templates leave


def compact_html(html: str) -> str:
    """`html` without the whitespace that starts its lines, nor blank lines, except inside <pre>,
    <textarea> and <code> (shown as typed in print).

    A line break stays where the indentation was, so what the browser shows does not change:
    between tags and inside text, a run of whitespace is shown as one space (or nothing) either way."""
    parts = _PRESERVED.split(html)
    # split() yields text, then the whole preserved block and its tag name, then text again…
    out = []
    for index, part in enumerate(parts):
        kind = index % 3
        if kind == 0:
            out.append(_INDENT.sub("\n", part))
        elif kind == 1:
            out.append(part)
    return "".join(out)


def _no_markdown(page: Page, config: MkDocsConfig, files: Files) -> None:
    page.content = ""  # on_page_content or on_page_context puts the generated HTML in
