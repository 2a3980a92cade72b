"""The random-weight Argos package builder: zip layout, argostranslate installs it, CTranslate2 runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.argos_package import SEEDS_DIR, build_argos_package, install_argos_package

TOP = "translate-ar_en-1_0"

# Runs in a child process so that argostranslate.settings reads the isolated environment at import time.
INSTALL_SCRIPT = """
import json, sys
import argostranslate.package as package
import argostranslate.settings as settings
package.install_from_path(sys.argv[1])
print(json.dumps({
    "packages_dir": str(settings.package_data_dir),
    "installed": [{"from_code": p.from_code, "to_code": p.to_code, "package_version": p.package_version,
                   "path": str(p.package_path), "sbd": str(p.packaged_sbd_path)}
                  for p in package.get_installed_packages()],
}))
"""


@pytest.fixture(scope="module")
def argosmodel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_argos_package(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="module")
def installed(argosmodel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Install with argostranslate.package.install_from_path in a child process with private HOME/XDG dirs."""
    root = tmp_path_factory.mktemp("argos_env")
    env = dict(os.environ, HOME=str(root / "home"), XDG_DATA_HOME=str(root / "data"),
               XDG_CACHE_HOME=str(root / "cache"), XDG_CONFIG_HOME=str(root / "config"),
               ARGOS_PACKAGES_DIR=str(root / "packages"))
    for name in ("ARGOS_PACKAGE_INDEX", "ARGOS_TRANSLATE_PACKAGE_DIR", "SNAP"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-c", INSTALL_SCRIPT, str(argosmodel)], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return {"root": root, **json.loads(done.stdout.strip().splitlines()[-1])}


def arabic_sentences(count: int) -> list[str]:
    """The first substantial paragraphs of the first seed article."""
    first_seed = sorted(SEEDS_DIR.glob("*.txt"))[0].read_text(encoding="utf-8")
    return [line.strip() for line in first_seed.splitlines() if len(line.strip()) > 60][:count]


def test_zip_has_one_top_level_folder_with_the_published_layout(argosmodel: Path) -> None:
    assert argosmodel.name == f"{TOP}.argosmodel"
    with zipfile.ZipFile(argosmodel) as archive:
        names = set(archive.namelist())
        metadata = json.loads(archive.read(f"{TOP}/metadata.json"))
    assert {name.split("/", 1)[0] for name in names} == {TOP}
    for member in ("metadata.json", "README.md", "sentencepiece.model", "model/model.bin", "model/config.json",
                   "model/shared_vocabulary.json", "stanza/resources.json", "stanza/ar/tokenize/"):
        assert f"{TOP}/{member}" in names
    assert metadata == {
        "package_version": "1.0", "argos_version": "1.0", "from_code": "ar", "from_name": "Arabic",
        "to_code": "en", "to_name": "English", "type": "translate", "code": "translate-ar_en", "links": [],
    }


def test_build_is_deterministic_for_a_seed(argosmodel: Path, tmp_path: Path) -> None:
    assert build_argos_package(tmp_path / "same").read_bytes() == argosmodel.read_bytes()
    other = build_argos_package(tmp_path / "other", seed=1)
    with zipfile.ZipFile(argosmodel) as a, zipfile.ZipFile(other) as b:
        assert a.read(f"{TOP}/model/model.bin") != b.read(f"{TOP}/model/model.bin")
        assert a.read(f"{TOP}/sentencepiece.model") == b.read(f"{TOP}/sentencepiece.model")


def test_options_change_version_vocabulary_and_stanza(tmp_path: Path) -> None:
    zip_path = build_argos_package(tmp_path, version="1.9", pad_vocab_to=1024, with_stanza=False)
    top = "translate-ar_en-1_9"
    with zipfile.ZipFile(zip_path) as archive:
        assert json.loads(archive.read(f"{top}/metadata.json"))["package_version"] == "1.9"
        vocab = json.loads(archive.read(f"{top}/model/shared_vocabulary.json"))
        assert not any(name.startswith(f"{top}/stanza") for name in archive.namelist())
    extras = [token for token in vocab if token.startswith("<extra_")]
    assert len(vocab) == 1024 and vocab[:4] == ["<unk>", "<s>", "</s>", "<blank>"]
    assert extras and vocab[-len(extras):] == [f"<extra_{i}>" for i in range(len(extras))]


def test_argostranslate_installs_and_lists_it(installed: dict) -> None:
    root = installed["root"]
    assert Path(installed["packages_dir"]) == root / "packages"
    assert installed["installed"] == [{
        "from_code": "ar", "to_code": "en", "package_version": "1.0", "path": str(root / "packages" / TOP),
        "sbd": str(root / "packages" / TOP / "stanza"),
    }]
    for private in ("data", "config", "cache"):  # argostranslate.settings made its folders in the temp dirs
        assert (root / private / "argos-translate").is_dir()


def test_install_argos_package_matches_install_from_path(argosmodel: Path, installed: dict, tmp_path: Path) -> None:
    ours = install_argos_package(argosmodel, tmp_path / "packages")
    theirs = Path(installed["installed"][0]["path"])
    assert ours == tmp_path / "packages" / TOP
    assert sorted(p.relative_to(ours) for p in ours.rglob("*")) == sorted(p.relative_to(theirs)
                                                                          for p in theirs.rglob("*"))
    assert install_argos_package(argosmodel, tmp_path / "packages") == ours  # reinstalling replaces it


def test_ctranslate2_translates_seed_sentences(installed: dict) -> None:
    import ctranslate2
    import sentencepiece as spm

    package = Path(installed["installed"][0]["path"])
    sp = spm.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    sentences = arabic_sentences(2)
    assert len(sentences) == 2
    tokens = sp.encode(sentences, out_type=str)
    assert all(len(t) > 5 for t in tokens)
    translator = ctranslate2.Translator(str(package / "model"), device="cpu", inter_threads=1, intra_threads=1)
    results = translator.translate_batch(tokens, beam_size=2, max_decoding_length=12)
    assert len(results) == 2
    for result in results:
        hypothesis = result.hypotheses[0]
        assert 0 < len(hypothesis) <= 12
        assert all(isinstance(token, str) and token for token in hypothesis)


# --- `models install`: atomic, leftovers of killed installs ignored and cleared -----------------


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", ""])
    process.wait()
    return process.pid


def unpack_truncated(argosmodel: Path, folder: Path) -> Path:
    """What a kill in the middle of unpacking leaves: every file there, model.bin cut short."""
    with zipfile.ZipFile(argosmodel) as archive:
        archive.extractall(folder)
    model = folder / TOP / "model" / "model.bin"
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 3])
    return folder / TOP


def test_killed_install_leftover_is_ignored_and_cleared(argosmodel: Path, installed: dict, tmp_path: Path) -> None:
    from generator.translate.argos import find_package, install_package_file, installed_packages, read_package

    packages = tmp_path / "packages"
    stale = packages / f".{TOP}.{dead_pid()}-0badc0de.0123abcd.tmp"
    live = packages / f".{TOP}.{os.getppid()}-0badc0de.4567cdef.tmp"  # an install still running elsewhere
    for folder in (stale, live):
        read_package(unpack_truncated(argosmodel, folder))  # a truncated model.bin passes the package check
    assert installed_packages(packages) == [] and find_package(directory=packages) is None
    listed = subprocess.run([sys.executable, "-m", "generator", "models", "list", "--packages-dir", str(packages)],
                            capture_output=True, text=True, check=True)
    assert listed.stdout.startswith("no Argos packages")

    package = install_package_file(argosmodel, packages)
    assert package.path == packages / TOP and find_package(directory=packages) == package
    assert not stale.exists() and live.is_dir()
    assert sorted(p.name for p in packages.iterdir()) == sorted([TOP, live.name])
    with zipfile.ZipFile(argosmodel) as archive:
        assert (package.model_dir / "model.bin").read_bytes() == archive.read(f"{TOP}/model/model.bin")
    theirs = Path(installed["installed"][0]["path"])  # the same layout as argostranslate's install_from_path
    assert sorted(p.relative_to(package.path) for p in package.path.rglob("*")) == sorted(
        p.relative_to(theirs) for p in theirs.rglob("*"))


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2-exchange", "two-renames"])
def test_reinstall_replaces_the_whole_package(argosmodel: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              exchange: bool) -> None:
    from generator.translate import argos

    if not exchange:
        monkeypatch.setattr(argos, "_exchange", lambda a, b: False)
    packages = tmp_path / "packages"
    package = argos.install_package_file(argosmodel, packages)
    model = package.model_dir / "model.bin"
    full = model.read_bytes()
    model.write_bytes(full[:100])
    (package.path / "junk.txt").write_text("from an earlier version", encoding="utf-8")
    again = argos.install_package_file(argosmodel, packages)
    assert again == package and model.read_bytes() == full
    assert not (package.path / "junk.txt").exists()  # replaced, not unpacked over the old copy
    assert [p.name for p in packages.iterdir()] == [TOP]


def test_damaged_package_file_leaves_the_installed_one_alone(argosmodel: Path, tmp_path: Path) -> None:
    from generator.translate.argos import PackageError, install_package_file

    packages = tmp_path / "packages"
    package = install_package_file(argosmodel, packages)
    before = {p: p.read_bytes() for p in package.path.rglob("*") if p.is_file()}
    data = bytearray(argosmodel.read_bytes())
    with zipfile.ZipFile(argosmodel) as archive:
        info = archive.getinfo(f"{TOP}/model/model.bin")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + info.compress_size // 2, start + info.compress_size // 2 + 64):
        data[offset] ^= 0xFF
    damaged = tmp_path / "damaged.argosmodel"
    damaged.write_bytes(bytes(data))
    with pytest.raises(PackageError, match="damaged package file"):
        install_package_file(damaged, packages)
    assert {p: p.read_bytes() for p in package.path.rglob("*") if p.is_file()} == before
    assert [p.name for p in packages.iterdir()] == [TOP]  # no temporary left behind
