"""Generated pages built by forked processes, on the machine's second core.

MkDocs builds pages one after another in one process. By the time of its `on_env` event every page
has been read and the navigation, the language links and the generator's records are in memory, so
a fork of the build process holds all that the page loop needs:

- `build_split`: the article pages (out of MkDocs' file list, generator/site/generated_pages.py), half
  in a fork, half here; returns when all are written, so that Pagefind can index them.
- `start`: a fork builds the other generated pages in the background while this process builds
  the hand-written pages and goes on to the next language; the plugin waits for it before the sitemap.

Both use MkDocs' own page builder (the same code and templates, so the same bytes). Only for
`mkdocs build` where `os.fork` exists; `mkdocs serve` builds in one process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from generator.internals import build_page, populate_page
from generator.workers import fork_available, fork_child, kill_child, wait_child

log = logging.getLogger("mkdocs.plugins.archive")

WARNINGS_EXIT = 3


def start(unread: Sequence[Page], pages: Sequence[File], files: Files, config: MkDocsConfig,
          nav: Navigation | None, env: jinja2.Environment) -> int | None:
    """Fork a process that reads and builds `unread` (pages out of MkDocs' file list) and builds
    `pages` (read already), and return its pid; the parent's build skips `pages`."""
    if nav is None or not (unread or pages):
        return None
    read = [file.page for file in pages if file.page is not None]
    doc_files = files.documentation_pages()

    def build() -> int:
        return _build(unread, read, files, doc_files, config, nav, env)

    pid = fork_child(build)  # it dies with the build: never writing into the next build's site/
    for file in pages:
        file.inclusion = InclusionLevel.EXCLUDED  # MkDocs' page loop leaves out excluded pages
    return pid


def build_split(pages: Sequence[Page], files: Files, config: MkDocsConfig, nav: Navigation | None,
                env: jinja2.Environment, on_done: Callable[[], None], fork: bool = True) -> None:
    """Read and build `pages`, which are not in MkDocs' file list (generator/site/generated_pages.py): every
    other one in a fork when there are enough. Returns when all are written; raises PageWorkerError
    if the fork failed."""
    doc_files = files.documentation_pages()
    if not fork or nav is None or len(pages) < 20 or not fork_available():
        _build(pages, (), files, doc_files, config, nav, env)
        return

    def theirs() -> int:
        code = _build(pages[1::2], (), files, doc_files, config, nav, env)
        on_done()
        return code

    workers = [fork_child(theirs)]
    try:
        _build(pages[0::2], (), files, doc_files, config, nav, env)
    except BaseException:
        stop(workers)
        raise
    wait(workers)


def _build(unread: Sequence[Page], read: Sequence[Page], files: Files, doc_files: Sequence[File],
           config: MkDocsConfig, nav: Navigation | None, env: jinja2.Environment) -> int:
    """Read `unread` and build it and `read` with MkDocs' own page functions (each logs which page
    failed); WARNINGS_EXIT if any warning was logged (a fork's exit status tells its parent)."""
    counter = _WarningCounter()
    logging.getLogger("mkdocs").addHandler(counter)
    try:
        for page in unread:
            populate_page(page, config, files)
            build_page(page, config, doc_files, nav, env)
        for page in read:
            build_page(page, config, doc_files, nav, env)
    finally:
        logging.getLogger("mkdocs").removeHandler(counter)
    return WARNINGS_EXIT if counter.count else 0


class _WarningCounter(logging.Handler):
    """Warnings in the fork: the parent turns them into one warning, so strict mode still fails."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class PageWorkerError(Exception):
    pass


def wait(workers: list[int]) -> None:
    """Wait for every fork (pids, emptied); raise if one failed, warn (once) if one logged warnings."""
    codes = [wait_child(workers.pop()) for _ in range(len(workers))]
    if any(code not in (0, WARNINGS_EXIT) for code in codes):
        raise PageWorkerError("building pages in a second process failed (the error is above)")
    if WARNINGS_EXIT in codes:
        log.warning("archive: pages built in a second process logged warnings (above)")


def stop(workers: list[int]) -> None:
    """The build failed: end the forks."""
    while workers:
        kill_child(workers.pop())
