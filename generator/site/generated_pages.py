"""Generated pages outside the navigation, kept out of MkDocs' file list and built by the archive with
MkDocs' own page builder.

Each language's MkDocs build handles every documentation file of both languages: MkDocs lists them,
mkdocs-static-i18n makes a localised copy of each and searches for its twin (about 0.3 ms a file),
MkDocs' navigation step makes a page for each and reads every page before building any. Generated
pages outside the navigation (articles, and the tag, name, publisher and year pages) are nearly all
the files and need none of it: their twin follows from their name. So the plugin takes them out of
the file list before i18n sees it (`take_out`, in `on_files`) and build the current language's
themselves as soon as the theme's environment exists (generator/site/page_workers.py), with MkDocs'
`_populate_page` and `_build_page`: the same events, templates and bytes. The article pages come
first, so that Pagefind can index them while the rest is built.

The files made here carry the attributes mkdocs-static-i18n gives its files (locale, alternates,
...), because its page-context step reads them to set the language switcher's links; `add_back`
returns them to the file list as excluded, so that a link from a hand-written page to one of them
still resolves. `ARCHIVE_FULL_RENDER=1` leaves every page to MkDocs; tests build both ways and
compare every file.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from generator import internals


def take_out(files: Files, config: MkDocsConfig, is_generated: Callable[[str], bool]) -> tuple[Files, list[Page]]:
    """Split `files` into the files MkDocs keeps and the pages of the current language's generated
    pages outside the navigation.

    Such files of every language leave the list; only the current language's become pages (i18n
    would drop the others from this build anyway). Nothing changes without mkdocs-static-i18n or
    without an explicit navigation (MkDocs would then list every page in it)."""
    current = internals.i18n_current(config)
    default = internals.i18n_default(config)
    if current is None or default is None or not config.nav:
        return files, []
    languages = internals.i18n_all_languages(config)
    in_nav = set(_nav_paths(config.nav))
    kept: list[File] = []
    by_source: dict[tuple[str, str], File] = {}  # (normalised source, language) -> file
    for file in files:
        if file.inclusion.is_excluded() or not is_generated(file.src_uri):
            kept.append(file)
            continue
        language, norm_src_uri = _language_of(file.src_uri, languages, default)
        if norm_src_uri in in_nav:
            kept.append(file)
            continue
        by_source[norm_src_uri, language] = file
    if not by_source:
        return files, []
    pages = []
    others = [other for other in sorted(internals.i18n_build_languages(config)) if other != current]
    for (norm_src_uri, language), file in by_source.items():
        if language != current:
            continue
        localised = _localised_file(file, norm_src_uri, language, current, default, config)
        localised.alternates = {current: localised}
        for other in others:
            twin = by_source.get((norm_src_uri, other))
            if twin is not None:
                localised.alternates[other] = _localised_file(twin, norm_src_uri, other, other, default, config)
        pages.append(Page(None, localised, config))
    return Files(kept), pages


def add_back(files: Files, pages: list[Page]) -> None:
    """Return the pages' files to the list, excluded: MkDocs neither reads nor builds them, but
    resolves a hand-written page's link to them."""
    for page in pages:
        page.file.inclusion = InclusionLevel.EXCLUDED
        files.append(page.file)


def _nav_paths(items: object) -> list[str]:
    """The page paths of mkdocs.yml's `nav` (nested lists and one-key mappings)."""
    if isinstance(items, str):
        return [items]
    if isinstance(items, dict):
        return [path for value in items.values() for path in _nav_paths(value)]
    if isinstance(items, list):
        return [path for item in items for path in _nav_paths(item)]
    return []


def _language_of(src_uri: str, languages: list[str], default: str) -> tuple[str, str]:
    """(language, source without its language suffix): `a/b.en.md` is English, `a/b.md` the default."""
    stem, extension = posixpath.splitext(src_uri)
    base, suffix = posixpath.splitext(stem)
    language = suffix[1:]
    if language and language in languages:
        return language, base + extension
    return default, src_uri


def _localised_file(file: File, norm_src_uri: str, language: str, current: str, default: str,
                    config: MkDocsConfig) -> File:
    """The file as mkdocs-static-i18n's suffix structure makes it for the `current` build."""
    parent, filename = posixpath.split(norm_src_uri)
    name = posixpath.splitext(filename)[0]
    if not config.use_directory_urls or name == "index":
        dest_uri = posixpath.join(parent, name + ".html")
    else:
        dest_uri = posixpath.join(parent, name, "index.html")
    if language != default:
        dest_uri = f"{language}/{dest_uri}"
    localised = File(file.src_uri, config.docs_dir, config.site_dir, config.use_directory_urls,
                     dest_uri=dest_uri, inclusion=file.inclusion)
    localised.name = name
    localised.locale = language
    localised.localization = language if language != default else None
    localised.locale_alternate_of = current
    localised.norm_src_uri = norm_src_uri
    return localised
