"""The archive's data tables: known outlets (data/outlets.yaml) and the names glossary
(data/glossary.yaml), looked up by any spelling."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlparse

import yaml

from generator.text.arabic import match_key

# Words that wrap an outlet's name in credits ("صحيفة الاتحاد", "لمركز الاتحاد للأخبار").
_OUTLET_WRAPPERS = {match_key(w) for w in ("صحيفة", "جريدة", "موقع", "قناة", "بوابة", "مجلة", "شبكة", "وكالة")}


# LibYAML's loader when PyYAML has it (its wheels do): the glossary grows, and every build loads it.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Outlet:
    ar: str
    en: str
    domain: str | None
    kind: str  # "outlet" | "agency"
    keys: tuple[str, ...]  # match keys of the name and its aliases


class OutletTable:
    """The known-outlets table (generator/data/outlets.yaml), looked up by any spelling."""

    def __init__(self, entries: list[dict]) -> None:
        self.outlets: list[Outlet] = []
        self._by_key: dict[str, Outlet] = {}
        for entry in entries:
            names = [entry["ar"], *(entry.get("aliases") or [])]
            outlet = Outlet(entry["ar"], entry["en"], entry.get("domain"), entry.get("kind", "outlet"),
                            tuple(match_key(n) for n in names))
            self.outlets.append(outlet)
            for key in outlet.keys:
                self._by_key.setdefault(key, outlet)
        self._by_domain = {o.domain.lower(): o for o in self.outlets if o.domain}
        domains = sorted(self._by_domain, key=len, reverse=True)
        self._domain_re = re.compile(
            r"(?<![\w.-])(?:www\.)?(" + "|".join(re.escape(d) for d in domains) + r")\b") if domains else None
        self._max_words = max((len(k.split()) for k in self._by_key), default=0)

    def lookup(self, name: str) -> Outlet | None:
        """The outlet `name` denotes as a whole (wrapper words like "صحيفة" ignored)."""
        key = match_key(name)
        if key in self._by_key:
            return self._by_key[key]
        tokens = key.split()
        while tokens and tokens[0] in _OUTLET_WRAPPERS:
            tokens = tokens[1:]
        return self._by_key.get(" ".join(tokens))

    def search(self, text: str, kind: str | None = None) -> Outlet | None:
        """The longest known outlet named inside `text` as whole words (the first of equal length).

        Looks up the text's word n-grams (up to the longest name's length) instead of scanning the
        table: a thousand names, and every line of every page may be searched."""
        tokens = match_key(text).split()
        best: tuple[int, int, Outlet] | None = None
        for size in range(min(self._max_words, len(tokens)), 0, -1):
            for start in range(len(tokens) - size + 1):
                gram = " ".join(tokens[start: start + size])
                outlet = self._by_key.get(gram)
                if outlet is None and gram.startswith("ل") and len(gram) > 2:
                    # "لمركز الاتحاد" / "للأخبار": Arabic glues the preposition ل to the next word.
                    outlet = self._by_key.get(gram[1:])
                if outlet is not None and (kind is None or outlet.kind == kind):
                    best = (size, start, outlet)
                    break
            if best:
                return best[2]
        return None

    def by_domain(self, text: str) -> Outlet | None:
        """The outlet whose web domain the text mentions (e.g. "www.aljazeera.net")."""
        match = self._domain_re.search(text.lower()) if self._domain_re else None
        return self._by_domain[match.group(1)] if match else None


@cache
def _outlet_entries() -> tuple[dict, ...]:
    text = resources.files("generator").joinpath("data/outlets.yaml").read_text(encoding="utf-8")
    return tuple(yaml.load(text, Loader=_LOADER))


@cache
def _packaged_outlets() -> OutletTable:
    return OutletTable(list(_outlet_entries()))


# Set only by `outlets_excluding` (evaluation: how a page reads when its outlet is not in the table).
_OUTLETS_OVERRIDE: ContextVar[OutletTable | None] = ContextVar("outlets_override", default=None)


def outlets() -> OutletTable:
    """The known-outlets table (generator/data/outlets.yaml)."""
    return _OUTLETS_OVERRIDE.get() or _packaged_outlets()


@contextmanager
def outlets_excluding(urls: set[str]) -> Iterator[None]:
    """Within the block, `outlets()` lacks the outlets whose domain any of `urls` is on."""
    hosts = {urlparse(u if "//" in u else f"//{u}").netloc.lower().removeprefix("www.") for u in urls if u}
    if not hosts:
        yield
        return

    def same_site(domain: str | None) -> bool:
        if not domain:
            return False
        domain = domain.lower().split("/")[0]
        return any(h == domain or h.endswith("." + domain) or domain.endswith("." + h) for h in hosts)

    token = _OUTLETS_OVERRIDE.set(OutletTable([e for e in _outlet_entries() if not same_site(e.get("domain"))]))
    try:
        yield
    finally:
        _OUTLETS_OVERRIDE.reset(token)


@dataclass(frozen=True)
class GlossaryEntry:
    ar: str
    en: str
    type: str
    forms: tuple[str, ...]  # the Arabic name and its aliases, as written
    same_as: str | None = None  # English name of the full entry this short form stands for


@cache
def glossary() -> tuple[GlossaryEntry, ...]:
    """Names glossary (generator/data/glossary.yaml), longest forms first."""
    text = resources.files("generator").joinpath("data/glossary.yaml").read_text(encoding="utf-8")
    entries = [GlossaryEntry(e["ar"], e["en"], e.get("type", "name"), (e["ar"], *(e.get("aliases") or [])),
                             e.get("same_as")) for e in yaml.load(text, Loader=_LOADER)]
    return tuple(sorted(entries, key=lambda e: -len(e.ar)))


def canonical_publisher(name: str) -> tuple[str, str | None]:
    """(Arabic name to show, English name) using the outlets table when the outlet is known."""
    table = outlets()
    outlet = table.lookup(name) or table.search(name, kind="outlet")
    if outlet:
        return outlet.ar, outlet.en
    return name.strip(), None
