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

import fcntl
import hashlib
import mmap
import os
import pickle
import secrets
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from generator.atomic import atomic_write_bytes
from generator.pipeline.duplicates import DuplicateCache

FORMAT = 5  # 4: files keyed by their real path (bytes); 5: and by the correction applied


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    sha256: str
    extracted: bytes | memoryview  # pickled (FileOutcome, list[Article]) as extraction returned them
    corrections: str = ""  # digest of the correction applied (generator/corrections.py), "" for none


@dataclass
class Manifest:
    code: str = ""
    files: dict[bytes, FileState] = field(default_factory=dict)  # input's real path (pipeline.InputFile.key) → state
    translations: dict[str, bytes | memoryview] = field(default_factory=dict)  # key → pickled (Translation, units)
    by_text: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # content hash → (article id, names)
    duplicates: DuplicateCache = field(default_factory=DuplicateCache)
    # docs-relative page path → (fingerprint of its inputs, size, mtime_ns) as written (render.PageState)
    pages: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    memory_size: int = 0  # bytes in the translation memory at the last run (it only grows)
    # index list lines (render.render_site): (language, link base) → entry fingerprint → line
    lines: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)


@cache
def code_fingerprint() -> str:
    """Hash of the generator's code, templates and data: output made by other code is not reused."""
    package = Path(__file__).resolve().parents[1]  # the whole `generator` package, not only pipeline/
    digest = hashlib.sha256(str(FORMAT).encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".yaml", ".yml", ".json", ".crfsuite"):
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# The blobs (pickled extraction results and translations, ~95 % of the manifest) live in a pack
# file next to it that only grows: a run appends the blobs it made and rewrites the small index
# (the manifest proper), instead of re-pickling and rewriting 100 MB at 5,000 articles. The pack
# is never changed in place: a run killed while appending leaves dead bytes after what the index
# knows, and the index, replaced atomically, names only bytes written before it. When more than
# half of the pack is dead it is rewritten under a new name (the index names its pack).
PACK_SUFFIX = ".records"
COMPACT_MIN_DEAD = 16 << 20  # bytes: below this, dead blobs are not worth a rewrite


@dataclass
class _Index:
    """The manifest as pickled: blobs replaced by (offset, length) in the pack `pack`."""

    manifest: Manifest
    pack: str  # file name of the pack, in the manifest's folder
    files: dict[bytes, tuple[int, int, str, int, int, str]]  # real path → size, mtime_ns, sha256, offset, length,
    # and the digest of the correction applied
    translations: dict[str, tuple[int, int]]  # key → offset, length
    pages: dict[str, tuple[str, int, int]]  # the manifest's PageStates as plain tuples (which pickle faster)


class _Blobs:
    """The blobs a loaded manifest took from its pack: a blob saved again is not written again."""

    def __init__(self, pack: str = "", data: bytes | mmap.mmap = b"") -> None:
        self.pack = pack
        self.data = data
        self._all = memoryview(data)
        self.where: dict[int, tuple[memoryview, int, int]] = {}  # id(view) → view (kept alive), offset, length

    def view(self, offset: int, length: int) -> memoryview:
        view = self._all[offset: offset + length]
        self.where[id(view)] = (view, offset, length)
        return view

    def known(self, blob: bytes | memoryview) -> tuple[int, int] | None:
        found = self.where.get(id(blob))
        return (found[1], found[2]) if found is not None and found[0] is blob else None


def load_manifest(path: Path) -> Manifest:
    """The manifest at `path`, or an empty one (first run, other code, or a damaged file)."""
    try:
        with path.open("rb") as stream:
            index = pickle.load(stream)
        if not isinstance(index, _Index) or index.manifest.code != code_fingerprint():
            return Manifest(code=code_fingerprint())
        pack = path.parent / index.pack
        data = _map(pack) if index.files or index.translations else b""
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return Manifest(code=code_fingerprint())
    blobs = _Blobs(index.pack, data)
    ends = [o + n for _, _, _, o, n, _ in index.files.values()] + [o + n for o, n in index.translations.values()]
    if ends and max(ends) > len(data):  # a pack cut short (or another one under its name): no blob is trusted
        return Manifest(code=code_fingerprint())
    manifest = index.manifest
    manifest.files = {name: FileState(size, mtime_ns, sha, blobs.view(offset, length), corrections)
                      for name, (size, mtime_ns, sha, offset, length, corrections) in index.files.items()}
    manifest.translations = {key: blobs.view(offset, length) for key, (offset, length) in index.translations.items()}
    manifest.pages = index.pages
    _loaded_blobs.clear()  # one at a time: a run that failed before saving must not keep its blobs alive
    _loaded_blobs[id(manifest)] = (manifest, blobs)
    return manifest


def _map(pack: Path) -> bytes | mmap.mmap:
    """The pack's bytes, mapped rather than read: a run needs a small part of them (the records'
    first parts, the translations' heads), and reading all 90 MB was a twentieth of an incremental
    run at 5,000 articles. The pack is never changed in place, only appended to or replaced by a
    new file (a file unlinked while mapped stays readable); only a pack cut short by hand while a
    build is using it would fault."""
    with pack.open("rb") as stream:
        try:
            return mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            return b""


_loaded_blobs: dict[int, tuple[Manifest, _Blobs]] = {}  # id(manifest) → (it, where its blobs came from)


def save_manifest(path: Path, manifest: Manifest) -> None:
    manifest.code = code_fingerprint()
    found = _loaded_blobs.pop(id(manifest), None)
    blobs = found[1] if found is not None and found[0] is manifest else _Blobs()
    pack = path.parent / blobs.pack if blobs.pack else None
    size = _size(pack) if pack is not None else None
    every = [state.extracted for state in manifest.files.values()] + list(manifest.translations.values())
    live = sum(len(blob) for blob in every)
    new = [blob for blob in every if blobs.known(blob) is None]
    where: dict[int, tuple[int, int]] | None = None
    if pack is not None and size is not None and size + sum(map(len, new)) - live <= max(live, COMPACT_MIN_DEAD):
        where = _append(pack, blobs, every, new)
    if where is None:  # first save, a pack gone or replaced, or mostly dead: a new pack
        pack, where = _write_pack(path, every)
    assert pack is not None
    index = _Index(
        manifest=replace(manifest, files={}, translations={}, pages={}), pack=pack.name,
        files={name: (s.size, s.mtime_ns, s.sha256, *where[id(s.extracted)], s.corrections)
               for name, s in manifest.files.items()},
        translations={key: where[id(blob)] for key, blob in manifest.translations.items()},
        pages={path: tuple(state) for path, state in manifest.pages.items()})
    atomic_write_bytes(path, pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL), durable=False)
    for stale in path.parent.glob(f"{path.stem}.*{PACK_SUFFIX}"):
        if stale.name != pack.name:  # a pack the index no longer names (replaced, or a killed rewrite's)
            stale.unlink(missing_ok=True)


def _append(pack: Path, blobs: _Blobs, every: list[bytes | memoryview], new: list[bytes | memoryview]
            ) -> dict[int, tuple[int, int]] | None:
    """Append `new` to the pack the blobs came from; where every blob is, or None if the pack is gone."""
    try:
        fd = os.open(pack, os.O_WRONLY | os.O_APPEND)  # no O_CREAT: a pack deleted meanwhile is not remade empty
    except OSError:
        return None
    with os.fdopen(fd, "wb") as stream:
        fcntl.flock(fd, fcntl.LOCK_EX)  # two runs appending at once must not interleave (released on close)
        offset = os.fstat(fd).st_size  # after whatever is there (a killed run's dead bytes)
        if offset < len(blobs.data):  # cut short or replaced since it was read
            return None
        where = {id(blob): spot for blob in every if (spot := blobs.known(blob)) is not None}
        for blob in new:
            stream.write(blob)
            where[id(blob)] = (offset, len(blob))
            offset += len(blob)
    return where


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _write_pack(path: Path, blobs: list[bytes | memoryview]) -> tuple[Path, dict[int, tuple[int, int]]]:
    """A new pack holding `blobs`, under a name no index has used."""
    pack = path.with_name(f"{path.stem}.{secrets.token_hex(6)}{PACK_SUFFIX}")
    where: dict[int, tuple[int, int]] = {}
    offset = 0
    for blob in blobs:
        where[id(blob)] = (offset, len(blob))
        offset += len(blob)
    atomic_write_bytes(pack, b"".join(blobs), durable=False)
    return pack, where
