"""Shared fixtures: a tiny real Argos package (built once per session) and throwaway archive roots."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.argos_package import build_argos_package

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")  # Debian's; .ci/run installs it


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT,
            timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def make_archive(root: Path, seeds: Iterable[Path] = SEEDS) -> Path:
    """An archive root like the repository's (mkdocs.yml, hand-written docs, overrides) with given seeds."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", root / "docs", ignore=lambda d, names: ["archive"] if d == str(ROOT / "docs")
                    else [])
    shutil.copytree(ROOT / "overrides", root / "overrides")
    (root / "generator").symlink_to(ROOT / "generator")  # this checkout's code, whatever the cwd of a build
    (root / "seeds").mkdir()
    for seed in seeds:
        shutil.copy(seed, root / "seeds" / seed.name)
    return root


@pytest.fixture(scope="session")
def argos_home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """argostranslate creates folders under $HOME when imported: keep them out of the real home."""
    home = tmp_path_factory.mktemp("home")
    return {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache")}


@pytest.fixture(scope="session")
def argosmodel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_argos_package(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def packages(argosmodel: Path, argos_home: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny package installed through our own `models install` command (argostranslate underneath)."""
    directory = tmp_path_factory.mktemp("packages")
    result = run_cli("models", "install", str(argosmodel), "--packages-dir", str(directory), env=argos_home)
    assert result.returncode == 0, result.stderr
    assert "installed translate-ar_en 1.0" in result.stdout
    listed = run_cli("models", "list", "--packages-dir", str(directory), env=argos_home)
    assert "translate-ar_en\t1.0\tar→en" in listed.stdout
    return directory


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve a built site on a free localhost port; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium through Playwright, with the flags this environment needs."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"])
        yield instance
        instance.close()
