"""Read stage, part one: which input files there are, and what became of every other path.

Every path under the inputs is accounted for: a file to read, or a reason (hidden, not a regular
file, a link loop…) that the build report shows.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from generator.model import FileOutcome
from generator.text.filenames import printable_name


@dataclass(frozen=True)
class InputFile:
    where: str  # the file's path, to open it
    name: str  # the path as the user gave it (or under the directory they gave), printable (filenames.py)
    key: bytes  # the same path as the file system holds it: what the build manifest keys the file by

    @cached_property  # only for the files extracted: 5,000 Paths a run were a visible cost
    def path(self) -> Path:
        return Path(self.where)


@dataclass(frozen=True)
class Unread:
    """A path found below a folder that is not read as an input, and why (for the report)."""

    rel: str  # relative POSIX path, as the file system names it ("" for the folder itself)
    status: str  # "rejected" or "skipped"
    reason: str


_KINDS = ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
          (stat.S_ISBLK, "block device"))


def _not_regular(mode: int) -> str:
    return next((f"not a regular file ({kind})" for test, kind in _KINDS if test(mode)), "not a regular file")


def _link_problem(error: OSError) -> str:
    """Why a symbolic link cannot be followed."""
    if error.errno == errno.ELOOP:
        return "symlink loop"
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return "dangling symlink (its target does not exist)"
    return f"cannot read: {error.strerror or error}"


def _inside(path: str, boundaries: tuple[str, ...]) -> bool:
    real = os.path.realpath(path)
    return any(real == folder or real.startswith(folder.rstrip(os.sep) + os.sep) for folder in boundaries)


def files_below(folder: str, boundaries: tuple[str, ...] | None = None
                ) -> tuple[list[tuple[str, os.DirEntry[str]]], list[Unread]]:
    """Every regular file below `folder`, as (relative POSIX path, its os.scandir entry), unsorted,
    and every other path found there with the reason it is not read: what os.walk (not following
    links to folders) and os.path.isfile find, without a stat per file. Input discovery and the
    build's input fingerprint (generator/pipeline/generate.py) both walk with it.

    A symbolic link is followed to a regular file only; one whose target lies outside every folder
    of `boundaries` (resolved paths; None: anywhere) is refused, so that an archive never publishes
    a file from elsewhere on the machine that a link points to."""
    found: list[tuple[str, os.DirEntry[str]]] = []
    unread: list[Unread] = []

    def walk(current: str, rel: str) -> None:
        try:
            entries = list(os.scandir(current))
        except OSError as error:
            unread.append(Unread(rel.rstrip("/"), "rejected", f"cannot list folder: {error.strerror or error}"))
            return
        for entry in entries:
            name = rel + entry.name
            try:
                if entry.is_symlink():
                    _link(entry, name)
                elif entry.is_dir(follow_symlinks=False):
                    walk(entry.path, name + "/")
                elif entry.is_file(follow_symlinks=False):
                    found.append((name, entry))
                else:
                    unread.append(Unread(name, "rejected", _not_regular(entry.stat(follow_symlinks=False).st_mode)))
            except OSError as error:  # gone since the folder was listed, or unreadable
                unread.append(Unread(name, "rejected", f"cannot read: {error.strerror or error}"))

    def _link(entry: os.DirEntry[str], name: str) -> None:
        try:
            mode = entry.stat().st_mode  # follows the link
        except OSError as error:
            unread.append(Unread(name, "rejected", _link_problem(error)))
            return
        if boundaries is not None and not _inside(entry.path, boundaries):
            unread.append(Unread(name, "rejected", "symlink to a path outside the archive (refused)"))
        elif stat.S_ISDIR(mode):
            unread.append(Unread(name, "skipped", "symlink to a folder (not followed)"))
        elif stat.S_ISREG(mode):
            found.append((name, entry))
        else:
            unread.append(Unread(name, "rejected", _not_regular(mode)))

    walk(folder, "")
    return found, unread


def _files_under(folder: str) -> list[str]:
    """The relative paths of `files_below`, sorted as Path(p).parts (without 5,000 Paths)."""
    return sorted((rel for rel, _ in files_below(folder)[0]), key=lambda p: p.split("/"))


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))


def discover(paths: Iterable[str], base: Path | None = None, allow_links_outside: bool = False,
             archive: Path | None = None) -> tuple[list[InputFile], list[FileOutcome]]:
    """Files named, and every file under directories named (recursively, sorted); every other path
    found, with the reason it is not read.

    Files are named as given, or relative to `base` (the archive root) when given, so that a
    record's `source` ("seeds/x.txt") is the same on every machine and in every checkout. A link
    below a folder named must lead inside that folder or the archive root (`archive`, else `base`)
    unless `allow_links_outside`; a file named itself is read wherever it is.
    """
    found: list[InputFile] = []
    problems: list[FileOutcome] = []
    for given in paths:
        path = Path(given)
        shown = Path(os.path.relpath(path, base)) if base is not None and path.resolve().is_relative_to(
            base.resolve()) else Path(given)
        try:
            mode = os.stat(given).st_mode
        except OSError as error:
            if error.errno == errno.ENOENT and not os.path.islink(given):
                reason = "no such file or directory"
            else:
                reason = _link_problem(error) if os.path.islink(given) else f"cannot read: {error.strerror or error}"
            problems.append(FileOutcome(printable_name(given), "rejected", reason=reason))
            continue
        if stat.S_ISDIR(mode):
            prefix = shown.as_posix().rstrip("/") + "/" if shown.as_posix() != "." else ""
            # The folder named, and the archive holding it (seeds/ may itself be a link to elsewhere).
            root = archive if archive is not None else base
            boundaries = None if allow_links_outside else tuple(
                os.path.realpath(p) for p in (given, *([root] if root is not None else [])))
            files, unread = files_below(given, boundaries)
            for rel in sorted((rel for rel, _ in files), key=lambda p: p.split("/")):
                # Strings joined, one Path each: `path / rel` twice per file was a visible cost at 5,000 files.
                real = prefix + rel
                if _hidden(rel):
                    problems.append(FileOutcome(printable_name(real), "skipped", reason="hidden file"))
                else:
                    found.append(InputFile(os.path.join(given, rel), printable_name(real), os.fsencode(real)))
            for odd in sorted(unread, key=lambda u: u.rel.split("/")):  # listing order varies: sorted
                real = prefix + odd.rel if odd.rel else shown.as_posix()
                hidden = _hidden(odd.rel) if odd.rel else False
                problems.append(FileOutcome(printable_name(real), "skipped" if hidden else odd.status,
                                            reason="hidden file" if hidden else odd.reason))
        elif stat.S_ISREG(mode):
            found.append(InputFile(given, printable_name(given), os.fsencode(given)))
        else:
            problems.append(FileOutcome(printable_name(given), "rejected", reason=_not_regular(mode)))
    return found, problems
