"""Article pages filled into a skeleton of Material's template (generator/skeleton.py) must be the
very bytes Material renders for them: the seeds and the hostile bad-input corpus are built both
ways, with a site URL (canonical links), and every file of the two sites is compared."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from generator.skeleton import ENV_FULL_RENDER
from tests.conftest import make_archive
from tests.test_badinput import CORPUS, corpus_files
from tests.test_site import tree_hash


def _mkdocs_build(root: Path, site: str, env: dict[str, str]) -> str:
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-v", "-f", str(root / "mkdocs.yml"),
                             "-d", str(root / site)], capture_output=True, text=True, timeout=600,
                            env={**os.environ, **env})
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


def test_filled_article_pages_are_the_bytes_material_renders(packages: Path, argos_home: dict[str, str],
                                                            tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive")
    for name in corpus_files():
        target = root / "seeds" / "corpus" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / name, target)
    env = {**argos_home, "ARCHIVE_PACKAGES_DIR": str(packages), "SITE_URL": "https://example.org/press/"}

    log = _mkdocs_build(root, "filled", env)
    filled = [int(n) for n in re.findall(r"archive: (\d+) article pages filled", log)]
    articles = len(list((root / "docs" / "archive" / "articles").rglob("*.md")))
    assert len(filled) == 2 and sum(filled) > articles * 0.8  # both languages took the fast path for most pages

    _mkdocs_build(root, "full", {**env, ENV_FULL_RENDER: "1"})
    filled_site, full_site = tree_hash(root / "filled"), tree_hash(root / "full")
    assert filled_site.keys() == full_site.keys()
    differing = [path for path, digest in filled_site.items() if full_site[path] != digest]
    assert differing == []
