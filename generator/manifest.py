"""The build manifest: what the last run read, translated and wrote, so the next run redoes only what changed.

An archive grows by a few articles a day and is rebuilt often. The manifest records, per input
file, its size, mtime and SHA-256 with the extraction result; per article, its finished
translation and the glossary names found in it; per generated page, the fingerprint of its inputs
and the file as written. A run then re-extracts only files whose bytes changed, translates only
articles it has not seen, and rewrites only pages whose inputs changed.

It is a cache, never a source of truth: it lives in .cache/ (not committed), is ignored when
missing, unreadable or written by other generator code (the code fingerprint covers the package's
Python, templates and data files), and a run without it produces the same docs/ byte for byte.
Pickle because it loads a 5,000-article archive in a fraction of a second; the file is local and
written only by this program.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import atomic_write_bytes
from .render import PageState

if TYPE_CHECKING:
    from .duplicates import _Features

FORMAT = 1


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    sha256: str
    extracted: bytes  # pickled (FileOutcome, list[Article]) as extraction returned them


@dataclass
class DuplicateCache:
    """What duplicate detection keeps between runs: features by article text, verdicts by pair."""

    features: dict[str, _Features] = field(default_factory=dict)
    verdicts: dict[str, str | None] = field(default_factory=dict)  # pair key → reason, or None (no match)


@dataclass
class Manifest:
    code: str = ""
    files: dict[str, FileState] = field(default_factory=dict)  # input name → state
    translations: dict[str, bytes] = field(default_factory=dict)  # translation key → pickled (Translation, units)
    by_text: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # content hash → (article id, names)
    duplicates: DuplicateCache = field(default_factory=DuplicateCache)
    pages: dict[str, PageState] = field(default_factory=dict)  # docs-relative page path → state
    memory_size: int = 0  # bytes in the translation memory at the last run (it only grows)


@cache
def code_fingerprint() -> str:
    """Hash of the generator's code, templates and data: output made by other code is not reused."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(str(FORMAT).encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".yaml", ".yml", ".json"):
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def load_manifest(path: Path) -> Manifest:
    """The manifest at `path`, or an empty one (first run, other code, or a damaged file)."""
    try:
        with path.open("rb") as stream:
            manifest = pickle.load(stream)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return Manifest(code=code_fingerprint())
    if not isinstance(manifest, Manifest) or manifest.code != code_fingerprint():
        return Manifest(code=code_fingerprint())
    return manifest


def save_manifest(path: Path, manifest: Manifest) -> None:
    manifest.code = code_fingerprint()
    atomic_write_bytes(path, pickle.dumps(manifest, protocol=pickle.HIGHEST_PROTOCOL), durable=False)
