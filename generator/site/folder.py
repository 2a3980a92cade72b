"""The built site folder, rewritten in place.

MkDocs empties site/ before each build and then creates every file again. A rebuild of an archive
writes the same paths as the build before it, so the plugin keeps the files and let MkDocs write over
them: an overwritten file keeps its inode. Files the build did not rewrite (a removed article's
pages, a renamed page) are found afterwards by their unchanged modification time and removed.

Measured on the development VM, whose ext4 has no journal: there the kernel will not reuse an inode
freed in the last 60 to 300 seconds and checks each such inode whenever it allocates a new one, so
creating a file right after deleting many took 0.5 to 1 ms (0.03 ms otherwise), and a 4,000-article
rebuild deleted and created about 18,000 files.

Timestamps decide what is stale, so the folder is emptied as before when they are coarse (whole
seconds, as on FAT): a file rewritten within the same second as its previous write would look
untouched. Pagefind's bundles are left out: Pagefind skips writing a fragment file that exists,
so their timestamps say nothing; search.prune_bundle removes what no page refers to.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from generator.site.search import is_bundle


@dataclass
class SiteInventory:
    """The files (path -> modification time, ns) and folders of site/ before the build."""

    root: Path
    files: dict[str, int] = field(default_factory=dict)
    folders: set[str] = field(default_factory=set)

    def covers(self, directory: Path) -> bool:
        """Whether `directory` (a language's root, which MkDocs would empty) lies in this site."""
        return directory.resolve().is_relative_to(self.root.resolve())

    def keep(self, rel: str) -> None:
        """The file at `rel` (POSIX, below root) is part of this build although it was not rewritten."""
        self.files.pop(rel, None)

    def blocks(self, destinations: list[str]) -> str | None:
        """A path the build must write that the old site holds as the other kind (a file where a
        folder is needed, or a folder where a file goes), relative to root; None if there is none."""
        # MkDocs' destinations are absolute and normalised, under the same site_dir as root:
        # string slicing, not Path.resolve (0.45 s of system calls for 10,000 files).
        prefix = os.path.join(str(self.root), "")
        for destination in destinations:
            if not destination.startswith(prefix):
                continue
            rel = destination[len(prefix):].replace(os.sep, "/")
            if rel in self.folders:
                return rel
            parent = rel.rpartition("/")[0]
            while parent:
                if parent in self.files:
                    return parent
                parent = parent.rpartition("/")[0]
        return None


def take_inventory(root: Path, language_roots: list[Path]) -> SiteInventory | None:
    """The inventory of `root` (top-level hidden entries and each language's Pagefind bundle left
    out, as MkDocs' cleaning leaves the former); None when root holds no file, or when its
    timestamps are whole seconds."""
    if not root.is_dir():
        return None
    inventory = SiteInventory(root)
    roots = {str(language_root) for language_root in language_roots}
    fine_grained = False
    prefix = len(str(root)) + 1
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if folder == str(root) and entry.name.startswith("."):
                    continue
                rel = entry.path[prefix:].replace(os.sep, "/")
                if entry.is_dir(follow_symlinks=False):
                    if not (folder in roots and is_bundle(entry.name)):
                        inventory.folders.add(rel)
                        stack.append(entry.path)
                    continue
                mtime = entry.stat(follow_symlinks=False).st_mtime_ns
                fine_grained = fine_grained or mtime % 1_000_000_000 != 0
                inventory.files[rel] = mtime
    if not inventory.files or not fine_grained:
        return None
    return inventory


def prune(inventory: SiteInventory, below: Path | None = None) -> list[str]:
    """Remove the files the build did not rewrite, then the folders left empty; return the files.
    `below`: only there (a folder whose files are all written), and forget them."""
    prefix = ""
    if below is not None:
        prefix = below.resolve().relative_to(inventory.root.resolve()).as_posix() + "/"
    removed = []
    for rel in [rel for rel in inventory.files if rel.startswith(prefix)]:
        mtime = inventory.files.pop(rel) if prefix else inventory.files[rel]
        path = inventory.root / rel
        try:
            if path.lstat().st_mtime_ns != mtime:
                continue
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(rel)
    # The folders that held a removed file, and their parents, deepest first (a folder emptied by
    # its subfolders' removal goes too); not every folder of the site (86,000 rmdir calls at 20,000 articles).
    candidates = {rel.rpartition("/")[0] for rel in removed}
    for rel in list(candidates):
        while rel:
            rel = rel.rpartition("/")[0]
            candidates.add(rel)
    folders = sorted((rel for rel in candidates if rel in inventory.folders and (rel + "/").startswith(prefix)),
                     key=lambda rel: rel.count("/"), reverse=True)
    for rel in folders:
        try:
            (inventory.root / rel).rmdir()
        except OSError:  # not empty (or gone)
            continue
    return sorted(removed)
