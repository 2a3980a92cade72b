"""Generated pages that need no new render: the file the last build wrote for them is kept.

Adding one article to a 20,000-article archive changes a few dozen of its 40,000 pages (the
article's two pages and the index pages that list it), yet MkDocs would render and write all of
them. A generated page's bytes follow from its own inputs (the generator's fingerprint of what its
payload is made from, its source and destination, its twins' destinations) and from what every page
of its language shares (mkdocs.yml, the loaded site_url, the theme's overrides, the navigation, the
versions of MkDocs, Material and mkdocs-static-i18n, and the generator's code). The cache records,
for each page it saw written, a key over both and the file's modification time; a page whose key
is unchanged and whose file the last build left as it was is not built again.

Self-verifying like the other fast paths (ARCHITECTURE.md): every build still builds a few pages
it could have kept (probes: the first page of each kind, in source order) and compares them byte for
byte with the files they replace; if one differs, an input this module does not know of changed,
and every page is built. tests/test_page_cache.py: after adding, changing and removing articles,
the site is byte-identical to a clean build's.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from generator.atomic import atomic_write_bytes
from generator.pipeline.manifest import code_fingerprint
from generator.site.folder import SiteInventory
from generator.site.generated_pages import Generated

log = logging.getLogger("mkdocs.plugins.archive")

FORMAT = 2
_DISTRIBUTIONS = ("mkdocs", "mkdocs-material", "mkdocs-static-i18n")


@dataclass
class PageCache:
    """Site-relative path of each generated page -> (key, modification time in ns) as last written,
    and the navigation each language's pages were built with."""

    path: Path
    site_dir: str
    previous: dict[str, tuple[str, int]] = field(default_factory=dict)
    previous_navs: dict[str, str] = field(default_factory=dict)
    recorded: dict[str, tuple[str, int]] = field(default_factory=dict)  # this build's kept pages
    written: dict[str, str] = field(default_factory=dict)  # this build's built pages: path -> key
    navs: dict[str, str] = field(default_factory=dict)
    _keys: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, site_dir: str) -> PageCache:
        """The cache at `path`; empty when it is missing, unreadable or of another format."""
        try:
            stored = pickle.loads(path.read_bytes())
        except FileNotFoundError:
            return cls(path, site_dir)
        except Exception as error:  # a damaged cache costs one full build, never the build
            log.info("archive: page cache %s unreadable (%s); building every page", path, error)
            return cls(path, site_dir)
        if not isinstance(stored, dict) or stored.get("format") != FORMAT:
            return cls(path, site_dir)
        return cls(path, site_dir, previous=stored["pages"], previous_navs=stored["navs"])

    def plan(self, pages: Sequence[Generated], signature: str, inventory: SiteInventory | None,
             fingerprint: Callable[[str], str | None]) -> tuple[list[Generated], list[Generated]]:
        """(to build, kept) of `pages`, one language's generated pages: kept are those whose key is
        unchanged and whose file the last build left as it was; they are taken out of `inventory`,
        so that they do not count as stale."""
        build: list[Generated] = []
        kept: list[Generated] = []
        for page in pages:
            key = self._keys[page.dest_uri] = _page_key(page, signature, fingerprint)
            old = self.previous.get(page.dest_uri)
            on_disk = inventory.files.get(page.dest_uri) if inventory is not None else None
            if key and old is not None and old[0] == key and on_disk == old[1]:
                kept.append(page)
                self.recorded[page.dest_uri] = old
                if inventory is not None:
                    inventory.keep(page.dest_uri)  # not stale
            else:
                build.append(page)
                self.written[page.dest_uri] = key
        return build, kept

    def build_after_all(self, pages: Iterable[Generated]) -> None:
        """Pages planned as kept are built (a probe differed, the navigation changed, site/ was emptied)."""
        for page in pages:
            self.recorded.pop(page.dest_uri, None)
            self.written[page.dest_uri] = self._keys[page.dest_uri]

    def same_navigation(self, language: str, nav: Navigation | None) -> bool:
        """Whether this language's navigation is the one its kept pages were built with."""
        digest = hashlib.sha256(repr(_nav_outline(nav.items) if nav is not None else None).encode()).hexdigest()
        self.navs[language] = digest
        return self.previous_navs.get(language) == digest

    def save(self) -> None:
        """Record every page of this build (the built ones with their file's time now), atomically."""
        pages = dict(self.recorded)
        for rel, key in self.written.items():
            try:
                pages[rel] = (key, os.stat(os.path.join(self.site_dir, rel)).st_mtime_ns)
            except FileNotFoundError:
                continue
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path, pickle.dumps({"format": FORMAT, "pages": pages, "navs": self.navs},
                                                   protocol=pickle.HIGHEST_PROTOCOL), durable=False)


def probes(kept: Sequence[Generated]) -> list[Generated]:
    """The first kept page of each kind (folder below the archive, e.g. articles, tags, timeline) in
    source order: a handful a build, enough to see a change that touches every page of a kind."""
    first: dict[str, Generated] = {}
    for page in kept:
        kind = "/".join(page.src_uri.split("/")[:2])
        if kind not in first or page.src_uri < first[kind].src_uri:
            first[kind] = page
    return [first[kind] for kind in sorted(first)]


def read_probes(probes: Iterable[Page]) -> dict[str, tuple[bytes, os.stat_result] | None]:
    """The probes' files as the last build left them (before this build writes over them)."""
    olds: dict[str, tuple[bytes, os.stat_result] | None] = {}
    for page in probes:
        path = page.file.abs_dest_path
        try:
            olds[path] = (Path(path).read_bytes(), os.stat(path))
        except FileNotFoundError:
            olds[path] = None
    return olds


def settle_probes(olds: dict[str, tuple[bytes, os.stat_result] | None], inventory: SiteInventory | None) -> list[str]:
    """Compare the probes' new files with the old ones; return those that differ (an input the keys
    do not see changed). A probe that came out the same gets its file's old time back, as if it had
    been kept: the search bundle that indexes it need not be made again."""
    differing = []
    for path, old in olds.items():
        try:
            new = Path(path).read_bytes()
        except FileNotFoundError:
            new = None
        if old is None or new != old[0]:
            differing.append(path)
            continue
        os.utime(path, ns=(old[1].st_atime_ns, old[1].st_mtime_ns))
        if inventory is not None:
            inventory.keep(Path(path).relative_to(inventory.root).as_posix())
    return differing


def site_signature(config: MkDocsConfig, language: str | None) -> str:
    """What every generated page of one language shares, but the navigation (checked on its own,
    once it is made: PageCache.same_navigation): configuration, theme overrides, versions, code."""
    digest = hashlib.sha256(f"{FORMAT}\0{code_fingerprint()}\0{language}\0{config.site_url}\0".encode())
    for name in _DISTRIBUTIONS:
        try:
            digest.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=absent\0".encode())
    if config.config_file_path:
        digest.update(Path(config.config_file_path).read_bytes())
    custom_dir = config.theme.custom_dir
    if custom_dir:
        for path in sorted(Path(custom_dir).rglob("*")):
            if path.is_file():
                digest.update(f"\0{path.relative_to(custom_dir).as_posix()}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def _nav_outline(items: Iterable[object]) -> list[tuple]:
    """The navigation as pages show it: titles, links and sections, nested."""
    outline: list[tuple] = []
    for item in items:
        children = getattr(item, "children", None)
        outline.append((type(item).__name__, getattr(item, "title", None), getattr(item, "url", None),
                        _nav_outline(children) if children else None))
    return outline


def _page_key(page: Generated, signature: str, fingerprint: Callable[[str], str | None]) -> str:
    own = fingerprint(page.src_uri)
    if own is None:
        return ""  # not made by the generator: always built
    twins = [(language, src_uri, fingerprint(src_uri) is not None) for language, src_uri in page.twins]
    return hashlib.sha256(f"{signature}\0{page.src_uri}\0{page.dest_uri}\0{own}\0{twins}".encode()).hexdigest()
