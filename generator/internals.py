"""Every use of another project's internals, in one place.

The site build has fast paths that reach past MkDocs', mkdocs-static-i18n's, Jinja's and Pagefind's
public interfaces (see ARCHITECTURE.md, "Fast paths"). Each internal they use is reached only
through a function here, and `missing()` checks at start-up that all of them are still there. When
one is not (a new release of an upstream), the plugin logs one line and builds the plain way: every
page by MkDocs, site/ emptied and rewritten, Pagefind run over the whole site, templates compiled
without a cache. The versions these were written against are pinned in pyproject.toml.

The fast paths verify themselves against the plain path in the tests (tests/test_skeleton.py and
tests/test_site_folder.py compare every file of both builds).
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

if TYPE_CHECKING:  # MkDocs is imported where it is used: the generator alone (render, build) runs without it
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

PAGEFIND_ENTRY = "pagefind-entry.json"
_I18N_ATTRIBUTES = ("building", "current_language", "default_language", "build_languages", "all_languages")


def _mkdocs() -> tuple[Any, Any]:
    import mkdocs.utils
    from mkdocs.commands import build as mkdocs_build

    return mkdocs_build, mkdocs.utils


def _originals() -> tuple[Callable[[str], None], Callable[[bytes, str], None]]:
    """MkDocs' own clean_directory and write_file, also while `patch_site_writes` has replaced them
    (the replacement remembers what it replaced)."""
    utils = _mkdocs()[1]
    return (getattr(utils.clean_directory, "replaces", utils.clean_directory),
            getattr(utils.write_file, "replaces", utils.write_file))


def missing(config: MkDocsConfig | None = None) -> list[str]:
    """The internals the fast paths use that this environment lacks (empty: all there)."""
    mkdocs_build, utils = _mkdocs()
    absent = [f"mkdocs.commands.build.{name}" for name in ("_populate_page", "_build_page")
              if not callable(getattr(mkdocs_build, name, None))]
    absent += [f"mkdocs.utils.{name}" for name in ("clean_directory", "write_file")
               if not callable(getattr(utils, name, None))]
    import mkdocs.structure.files as mkdocs_files

    if not callable(getattr(mkdocs_build, "get_files", None)) or getattr(mkdocs_files, "os", None) is not os:
        absent.append("mkdocs.commands.build.get_files (walking docs_dir with mkdocs.structure.files.os.walk)")
    if not callable(getattr(jinja2.FileSystemBytecodeCache, "_get_cache_filename", None)):
        absent.append("jinja2.FileSystemBytecodeCache._get_cache_filename")
    i18n = config.plugins.get("i18n") if config is not None else None
    if i18n is not None:
        absent += [f"mkdocs-static-i18n's {name}" for name in _I18N_ATTRIBUTES if not hasattr(i18n, name)]
    return absent


# --- MkDocs ---------------------------------------------------------------------------------------


def populate_page(page: Page, config: MkDocsConfig, files: Files) -> None:
    _mkdocs()[0]._populate_page(page, config, files)


def build_page(page: Page, config: MkDocsConfig, doc_files: Any, nav: Any, env: jinja2.Environment) -> None:
    _mkdocs()[0]._build_page(page, config, doc_files, nav, env)


def patch_site_writes(clean: Callable[[str], None], write: Callable[[bytes, str], None]) -> None:
    """MkDocs empties each language's folder and writes each page through mkdocs.utils: route both
    through the archive's in-place rewrite of site/ (generator/site/folder.py)."""
    def clean_instead(directory: str) -> None:
        clean(directory)

    def write_instead(content: bytes, output_path: str) -> None:
        write(content, output_path)

    utils = _mkdocs()[1]
    clean_instead.replaces, write_instead.replaces = _originals()  # type: ignore[attr-defined]
    utils.clean_directory = clean_instead
    utils.write_file = write_instead


def restore_site_writes() -> None:
    utils = _mkdocs()[1]
    utils.clean_directory, utils.write_file = _originals()


def clean_directory(directory: str) -> None:
    """MkDocs' own emptying of a folder (whatever is patched in)."""
    _originals()[0](directory)


def write_file(content: bytes, output_path: str) -> None:
    """MkDocs' own file writer (whatever is patched in)."""
    _originals()[1](content, output_path)


def patch_get_files(skipped: Callable[[MkDocsConfig], Callable[[str], bool] | None]) -> None:
    """MkDocs lists docs_dir into File objects before any plugin sees the list (about 0.04 ms a file,
    twice: once per language). `skipped(config)` may return a test of docs-relative POSIX paths that
    are left out of the listing (generated pages the plugin makes itself); None lists everything."""
    mkdocs_build = _mkdocs()[0]
    original = getattr(mkdocs_build.get_files, "replaces", mkdocs_build.get_files)

    def get_files_instead(config: MkDocsConfig) -> Any:
        test = skipped(config)
        if test is None:
            return original(config)
        import mkdocs.structure.files as mkdocs_files

        mkdocs_files.os = _WalkSkipping(test)  # type: ignore[assignment]
        try:
            return original(config)
        finally:
            mkdocs_files.os = os

    get_files_instead.replaces = original  # type: ignore[attr-defined]
    mkdocs_build.get_files = get_files_instead


def restore_get_files() -> None:
    mkdocs_build = _mkdocs()[0]
    mkdocs_build.get_files = getattr(mkdocs_build.get_files, "replaces", mkdocs_build.get_files)


class _WalkSkipping:
    """The `os` module as mkdocs.structure.files sees it while listing: os.walk leaves out the files
    `test` names (docs-relative POSIX paths); everything else is the real module."""

    def __init__(self, test: Callable[[str], bool]) -> None:
        self._test = test

    def walk(self, top: str, *args: Any, **kwargs: Any) -> Any:
        for folder, dirnames, filenames in os.walk(top, *args, **kwargs):
            rel = os.path.relpath(folder, top).replace(os.sep, "/")
            prefix = "" if rel == "." else rel + "/"
            filenames[:] = [name for name in filenames if not self._test(prefix + name)]
            yield folder, dirnames, filenames

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


def skip_markdown(page: Page, render: Callable[..., None]) -> None:
    """A generated page brings its HTML: MkDocs' Markdown pass over it is replaced for this page."""
    page.render = render  # type: ignore[method-assign]


# --- mkdocs-static-i18n ----------------------------------------------------------------------------


def i18n_of(config: MkDocsConfig) -> Any | None:
    return config.plugins.get("i18n")


def i18n_building(config: MkDocsConfig) -> bool:
    """A build of a further language, which mkdocs-static-i18n runs inside the first one's post-build."""
    i18n = i18n_of(config)
    return i18n is not None and bool(getattr(i18n, "building", False))


def i18n_current(config: MkDocsConfig) -> str | None:
    return getattr(i18n_of(config), "current_language", None)


def i18n_default(config: MkDocsConfig) -> str | None:
    return getattr(i18n_of(config), "default_language", None)


def i18n_build_languages(config: MkDocsConfig) -> list[str]:
    """Computed anew by the plugin on each access: read it once per use."""
    return list(getattr(i18n_of(config), "build_languages", []) or [])


def i18n_all_languages(config: MkDocsConfig) -> list[str]:
    return list(getattr(i18n_of(config), "all_languages", []) or [])


def i18n_alternates(config: MkDocsConfig) -> Any | None:
    """The language links mkdocs-static-i18n sets per page (its `extra_alternate`)."""
    return getattr(i18n_of(config), "extra_alternate", None)


# --- Jinja ----------------------------------------------------------------------------------------


def bytecode_cache_filename(cache: jinja2.FileSystemBytecodeCache, bucket: jinja2.bccache.Bucket) -> str:
    return cache._get_cache_filename(bucket)


# --- Pagefind ---------------------------------------------------------------------------------------


def pagefind_listed(bundle: Path) -> tuple[bytes, list[str]] | None:
    """What a Pagefind bundle's index lists (the names of its fragment, index and filter files, as
    bytes to search in) and its metadata files; None if the format is not the one read here.

    Pagefind names those files after a hash of their content and lists the names in each language's
    metadata file (gzip: "pagefind_dcd", then CBOR holding the names as text): undocumented, read
    as Pagefind 1.5 writes it."""
    try:
        entry = json.loads((bundle / PAGEFIND_ENTRY).read_text(encoding="utf-8"))
        metas = [f"pagefind.{language['hash']}.pf_meta" for language in entry["languages"].values()]
        listed = b"".join(gzip.decompress((bundle / meta).read_bytes()) for meta in metas)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError):
        return None
    if not listed.startswith(b"pagefind_dcd"):
        return None
    return listed, metas
