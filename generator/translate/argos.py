"""Argos Translate packages: where they are installed, what they hold, how to add one offline.

Packages are folders with `metadata.json`, `sentencepiece.model` and a CTranslate2 `model/`.
We read them where argostranslate puts them, so `argospm install translate-ar_en` and
`python -m generator models install FILE.argosmodel` feed the same place.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import secrets
import shutil
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from generator.atomic import _TOKEN, fsync_directory, is_stale_temp
from generator.text.filenames import printable_name
from generator.translate.memory import version_key

INSTALL_HELP = (
    "No Argos Translate model for Arabic→English is installed. Install one with\n"
    "    argospm update && argospm install translate-ar_en\n"
    "or, on a machine without internet, from a downloaded package file:\n"
    "    python -m generator models install translate-ar_en-1_0.argosmodel\n"
    "Until then, English pages say the translation is pending (sentences already in the translation memory\n"
    "are still used)."
)


class PackageError(Exception):
    """A package file or folder that cannot be used, with a one-line reason."""


@dataclass(frozen=True)
class ArgosPackage:
    path: Path
    code: str  # e.g. "translate-ar_en"
    version: str  # package_version from metadata.json
    from_code: str
    to_code: str

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    @property
    def sentencepiece_model(self) -> Path:
        return self.path / "sentencepiece.model"

    @property
    def model_id(self) -> str:
        """Identity of the model for the translation memory: package name and version."""
        return f"{self.code}@{self.version}"


def packages_dir(override: Path | None = None) -> Path:
    """ARGOS_PACKAGES_DIR, else $XDG_DATA_HOME/argos-translate/packages (argostranslate's rules)."""
    if override is not None:
        return override
    if os.environ.get("ARGOS_PACKAGES_DIR"):
        return Path(os.environ["ARGOS_PACKAGES_DIR"])
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "argos-translate" / "packages"


def read_package(folder: Path) -> ArgosPackage:
    try:
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PackageError(f"{printable_name(str(folder))}: unreadable metadata.json ({error})") from error
    from_code, to_code = meta.get("from_code"), meta.get("to_code")
    if not from_code or not to_code:
        raise PackageError(f"{printable_name(str(folder))}: metadata.json names no from_code/to_code")
    code = meta.get("code") or f"translate-{from_code}_{to_code}"
    package = ArgosPackage(folder, code, str(meta.get("package_version", "0")), from_code, to_code)
    if not (package.model_dir / "model.bin").is_file() or not package.sentencepiece_model.is_file():
        raise PackageError(f"{printable_name(str(folder))}: not a CTranslate2 + SentencePiece package "
                           "(no model/ or sentencepiece.model)")
    return package


def installed_packages(directory: Path | None = None) -> list[ArgosPackage]:
    root = packages_dir(directory)
    if not root.is_dir():
        return []
    found = []
    # Hidden folders are an install in progress, or the leftover of a killed one (install_package_file).
    for folder in sorted(p for p in root.iterdir() if not p.name.startswith(".") and (p / "metadata.json").is_file()):
        try:
            found.append(read_package(folder))
        except PackageError:
            continue
    return found


def find_package(from_code: str = "ar", to_code: str = "en", directory: Path | None = None) -> ArgosPackage | None:
    """The newest installed package for the language pair, or None."""
    candidates = [p for p in installed_packages(directory) if (p.from_code, p.to_code) == (from_code, to_code)]
    return max(candidates, key=lambda p: version_key(p.version), default=None)


def remove_stale_installs(directory: Path) -> list[Path]:
    """Delete what killed installs left in the packages folder (hidden temporaries); return them.

    An install in progress (its process still running) is left alone.
    """
    removed = []
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return removed
    for entry in entries:
        if not is_stale_temp(entry.name):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            Path(entry.path).unlink(missing_ok=True)
        removed.append(Path(entry.path))
    return removed


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        elif path.is_dir() and not path.is_symlink():
            fsync_directory(path)


def install_package_file(archive: Path, directory: Path | None = None) -> ArgosPackage:
    """Install a `.argosmodel` file without network access; return the installed package.

    Not argostranslate's `install_from_path` itself: it unpacks in place (a killed install leaves a
    truncated model that still looks installed) into its own global folder. The archive is unpacked as
    `install_from_path` (and so `argospm`) does, one
    top-level folder into the packages folder, but atomically: into a hidden temporary folder
    next to it first, checked, then renamed into place, swapping out an earlier copy of the
    same package in one step where the system allows (Linux). A process killed mid-install thus
    leaves either the old package or the new one, never a truncated model that still looks
    installed; its hidden leftover is ignored by `installed_packages` and removed by the next install.
    """
    if not zipfile.is_zipfile(archive):
        raise PackageError(f"{printable_name(str(archive))}: not an .argosmodel package (not a zip archive)")
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        tops = {name.split("/", 1)[0] for name in names if name.strip("/")}
        top = next(iter(tops)) if len(tops) == 1 else ""
        if not top or top.startswith(".") or f"{top}/metadata.json" not in names:
            raise PackageError(f"{printable_name(str(archive))}: expected one top-level folder holding metadata.json")
        target = packages_dir(directory)
        target.mkdir(parents=True, exist_ok=True)
        remove_stale_installs(target)
        # Named like generator/atomic.py's temporaries: hidden, and naming its writer (PID + token).
        temp = target / f".{top}.{os.getpid()}-{_TOKEN}.{secrets.token_hex(4)}.tmp"
        os.mkdir(temp)
        try:
            try:
                zipped.extractall(temp)
            except (zipfile.BadZipFile, EOFError, zlib.error) as error:
                raise PackageError(f"{printable_name(str(archive))}: damaged package file ({error})") from error
            staged = temp / top
            read_package(staged)  # a bad package is refused before anything installed is touched
            _fsync_tree(staged)
            final = target / top
            try:
                os.rename(staged, final)  # the common case: not installed yet
            except OSError as error:
                if error.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.EISDIR, errno.ENOTDIR):
                    raise
                if not _exchange(staged, final):
                    # No atomic swap here: move the old copy aside, then the new one in (a kill
                    # in between leaves no package, which the next install puts back).
                    os.rename(final, temp / f"{top}.old")
                    os.rename(staged, final)
            fsync_directory(target)
        finally:
            shutil.rmtree(temp, ignore_errors=True)  # the unpacked copy on failure, the old copy on success
    return read_package(target / top)
