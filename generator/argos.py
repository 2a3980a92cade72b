"""Argos Translate packages: where they are installed, what they hold, how to add one offline.

Packages are folders with `metadata.json`, `sentencepiece.model` and a CTranslate2 `model/`.
We read them where argostranslate puts them, so `argospm install translate-ar_en` and
`python -m generator models install FILE.argosmodel` feed the same place.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .memory import version_key

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
        raise PackageError(f"{folder}: unreadable metadata.json ({error})") from error
    from_code, to_code = meta.get("from_code"), meta.get("to_code")
    if not from_code or not to_code:
        raise PackageError(f"{folder}: metadata.json names no from_code/to_code")
    code = meta.get("code") or f"translate-{from_code}_{to_code}"
    package = ArgosPackage(folder, code, str(meta.get("package_version", "0")), from_code, to_code)
    if not (package.model_dir / "model.bin").is_file() or not package.sentencepiece_model.is_file():
        raise PackageError(f"{folder}: not a CTranslate2 + SentencePiece package (no model/ or sentencepiece.model)")
    return package


def installed_packages(directory: Path | None = None) -> list[ArgosPackage]:
    root = packages_dir(directory)
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(p for p in root.iterdir() if (p / "metadata.json").is_file()):
        try:
            found.append(read_package(folder))
        except PackageError:
            continue
    return found


def find_package(from_code: str = "ar", to_code: str = "en", directory: Path | None = None) -> ArgosPackage | None:
    """The newest installed package for the language pair, or None."""
    candidates = [p for p in installed_packages(directory) if (p.from_code, p.to_code) == (from_code, to_code)]
    return max(candidates, key=lambda p: version_key(p.version), default=None)


def install_package_file(archive: Path, directory: Path | None = None) -> ArgosPackage:
    """Install a `.argosmodel` file without network access; return the installed package.

    argostranslate's own `install_from_path` is used, so the result is exactly what `argospm`
    would have installed; the archive is checked first so a bad file gives a clear reason.
    """
    if not zipfile.is_zipfile(archive):
        raise PackageError(f"{archive}: not an .argosmodel package (not a zip archive)")
    with zipfile.ZipFile(archive) as zipped:
        tops = {name.split("/", 1)[0] for name in zipped.namelist() if name.strip("/")}
        if len(tops) != 1 or f"{next(iter(tops))}/metadata.json" not in zipped.namelist():
            raise PackageError(f"{archive}: expected one top-level folder holding metadata.json")
    target = packages_dir(directory)
    target.mkdir(parents=True, exist_ok=True)
    os.environ["ARGOS_PACKAGES_DIR"] = str(target)  # argostranslate reads it when first imported
    from argostranslate import package as argos_package

    argos_package.install_from_path(archive)
    return read_package(target / next(iter(tops)))
