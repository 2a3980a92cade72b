"""Generated pages outside the navigation, made and built by the archive with MkDocs' own page builder.

Each language's MkDocs build handles every documentation file of both languages: MkDocs lists them
(about 0.04 ms a file), mkdocs-static-i18n makes a localised copy of each and searches for its twin
(about 0.3 ms a file), MkDocs' navigation step makes a page for each and reads every page before
building any. Generated pages outside the navigation (articles, and the tag, name, publisher and
year pages) are nearly all the files and need none of it: their twin follows from their name. So
MkDocs' listing leaves them out (`index_outside_nav`, through generator/internals.py), the plugin
lists them from the generator (`outside_nav`), keeps those whose file in site/ is still what they
would give (generator/site/page_cache.py), and makes MkDocs pages of the rest only (`make_page`),
which it builds as soon as the theme's environment exists (generator/site/page_workers.py), with
MkDocs' `_populate_page` and `_build_page`: the same events, templates and bytes. The article pages
come first, so that Pagefind can index them while the rest is built.

The files made here carry the attributes mkdocs-static-i18n gives its files (locale, alternates,
...), because its page-context step reads them to set the language switcher's links; `add_back`
returns them to the file list as excluded, with those of kept pages a hand-written page links to
(`linked_from`), so that such a link still resolves. `ARCHIVE_FULL_RENDER=1` leaves every page to
MkDocs; tests build both ways and compare every file.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions
from mkdocs.structure.pages import Page

from generator import internals


@dataclass(frozen=True)
class Generated:
    """A generated page outside the navigation, of the language being built; no MkDocs object yet."""

    src_uri: str  # docs-relative: "archive/articles/2017/x.en.md"
    norm_src_uri: str  # without its language suffix: "archive/articles/2017/x.md"
    language: str
    dest_uri: str  # site-relative: "en/archive/articles/2017/x/index.html"
    twins: tuple[tuple[str, str], ...]  # (language, src_uri) of its twin in each other language built


GeneratedIndex = dict[tuple[str, str], str]  # (source without its language suffix, language) -> source


def index_outside_nav(sources: Iterable[str], config: MkDocsConfig) -> GeneratedIndex | None:
    """The generated pages among `sources` (docs-relative, every language) that lie outside the
    navigation, which the plugin makes itself, by normalised source and language. None when it makes
    none: without mkdocs-static-i18n or an explicit navigation, MkDocs would list every page in it."""
    default = internals.i18n_default(config)
    if internals.i18n_current(config) is None or default is None or not config.nav:
        return None
    languages = internals.i18n_all_languages(config)
    in_nav = set(_nav_paths(config.nav))
    index: GeneratedIndex = {}
    for src_uri in sources:
        language, norm_src_uri = _language_of(src_uri, languages, default)
        if norm_src_uri not in in_nav:
            index[norm_src_uri, language] = src_uri
    return index


def outside_nav(index: GeneratedIndex, config: MkDocsConfig) -> list[Generated]:
    """The current language's pages of `index` (generated pages outside the navigation, every
    language), in source order, each with its twins."""
    current = internals.i18n_current(config)
    default = internals.i18n_default(config)
    assert current is not None and default is not None
    others = [other for other in sorted(internals.i18n_build_languages(config)) if other != current]
    pages = []
    for (norm_src_uri, language), src_uri in index.items():
        if language != current:
            continue
        twins = tuple((other, index[norm_src_uri, other]) for other in others if (norm_src_uri, other) in index)
        pages.append(Generated(src_uri, norm_src_uri, language, _dest_uri(norm_src_uri, language, default, config),
                               twins))
    pages.sort(key=lambda page: page.src_uri)
    return pages


def make_page(generated: Generated, config: MkDocsConfig) -> Page | None:
    """The MkDocs page of a generated page, with the attributes mkdocs-static-i18n gives its files
    (None if mkdocs.yml's exclude_docs leaves it out)."""
    localised = make_file(generated, config)
    if localised.inclusion.is_excluded():
        return None
    return Page(None, localised, config)


def make_file(generated: Generated, config: MkDocsConfig) -> File:
    default = internals.i18n_default(config)
    assert default is not None
    localised = _localised_file(generated.src_uri, generated.norm_src_uri, generated.language, generated.language,
                                default, config)
    localised.alternates = {generated.language: localised}
    for other, twin in generated.twins:
        localised.alternates[other] = _localised_file(twin, generated.norm_src_uri, other, other, default, config)
    return localised


def add_back(files: Files, pages: list[Page], others: Iterable[File] = ()) -> None:
    """Return the pages' files (and `others`) to the list, excluded: MkDocs neither reads nor builds
    them, but resolves a hand-written page's link to them."""
    for page in pages:
        page.file.inclusion = InclusionLevel.EXCLUDED
        files.append(page.file)
    for file in others:
        file.inclusion = InclusionLevel.EXCLUDED
        files.append(file)


_LINK = re.compile(r"""\]\(\s*<?([^)\s>]+\.md)(?:#[^)\s>]*)?>?|href=["']([^"'#]+\.md)""")


def linked_from(files: Files, is_generated: Callable[[str], bool]) -> set[str]:
    """The generated pages (docs-relative sources) that the other documentation pages link to: they
    need a File in the list for MkDocs to resolve the link, even when the page itself is kept."""
    linked: set[str] = set()
    for file in files.documentation_pages():
        if is_generated(file.src_uri):
            continue
        try:
            text = file.content_string
        except (OSError, UnicodeDecodeError):
            continue
        folder = posixpath.dirname(file.src_uri)
        for match in _LINK.finditer(text):
            target = match[1] or match[2]
            if "://" in target:
                continue
            path = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target))
            linked.add(path)
    return linked


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


def _dest_uri(norm_src_uri: str, language: str, default: str, config: MkDocsConfig) -> str:
    parent, filename = posixpath.split(norm_src_uri)
    name = posixpath.splitext(filename)[0]
    if not config.use_directory_urls or name == "index":
        dest_uri = posixpath.join(parent, name + ".html")
    else:
        dest_uri = posixpath.join(parent, name, "index.html")
    return dest_uri if language == default else f"{language}/{dest_uri}"


def _localised_file(src_uri: str, norm_src_uri: str, language: str, current: str, default: str,
                    config: MkDocsConfig) -> File:
    """The file as mkdocs-static-i18n's suffix structure makes it for the `current` build."""
    localised = File(src_uri, config.docs_dir, config.site_dir, config.use_directory_urls,
                     dest_uri=_dest_uri(norm_src_uri, language, default, config))
    set_exclusions([localised], config)  # as MkDocs' own listing would (exclude_docs, not_in_nav)
    localised.name = posixpath.splitext(posixpath.basename(norm_src_uri))[0]
    localised.locale = language
    localised.localization = language if language != default else None
    localised.locale_alternate_of = current
    localised.norm_src_uri = norm_src_uri
    return localised
