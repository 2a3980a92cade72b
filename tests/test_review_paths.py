"""Human reviews are found by the build however the path was typed to `python -m generator review`.

The build names a source relative to the archive root ("seeds/x.txt"); review files are named
from the source, so `review` must name it the same way for "./seeds/x.txt", an absolute path, or
a path given from another working directory.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import yaml

from generator.config import Settings
from generator.pipeline.generate import generate_docs
from tests.conftest import ROOT, SEEDS, make_archive, run_cli


def front_matter(page: Path) -> dict:
    return yaml.safe_load(page.read_text(encoding="utf-8").split("---\n", 2)[1])


def english_pages(root: Path) -> dict[str, dict]:
    """Front matter of the English page of each main article (index 0), by source."""
    pages = {}
    for page in (root / "docs" / "archive" / "articles").rglob("*.en.md"):
        meta = front_matter(page)
        if meta["source_index"] == 0:
            pages[meta["source"]] = meta
    return pages


def test_review_typed_any_way_is_applied_by_the_build(packages: Path, argos_home: dict[str, str],
                                                      tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:3])
    names = [f"seeds/{seed.name}" for seed in SEEDS[:3]]
    common = ["--packages-dir", str(packages), "--max-length", "16"]
    typed = [  # (path as typed, working directory)
        (f"./{names[0]}", root),
        (str(root / names[1]), ROOT),  # absolute, from another folder (another archive, even)
        (f"../{names[2]}", root / "docs"),  # relative, from a sub-folder of the archive
    ]
    reviewed = root / "translations" / "reviewed"
    titles = {}
    for (path, cwd), name in zip(typed, names, strict=True):
        started = run_cli("review", path, *common, cwd=cwd, env=argos_home)
        assert started.returncode == 0, started.stderr
        review_file = Path(started.stdout.split()[1].rstrip(":"))
        assert review_file.parent == reviewed  # the archive's translations/, wherever the command ran
        review = yaml.safe_load(review_file.read_text(encoding="utf-8"))
        assert review["source"] == name
        review["title"] = titles[name] = f"Reviewed title of {name}"
        review_file.write_text(yaml.safe_dump(review, allow_unicode=True), encoding="utf-8")
    assert len(list(reviewed.glob("*.yaml"))) == 3

    # `translate` finds them too, whichever way the file is named.
    for path, cwd in ((f"./{names[0]}", root), (str(root / names[0]), tmp_path)):
        record = json.loads(run_cli("translate", path, "--packages-dir", str(tmp_path / "none"), cwd=cwd,
                                    env=argos_home).stdout.splitlines()[0])
        assert record["source"] == names[0]
        assert (record["translation"]["status"], record["translation"]["title"]) == ("reviewed", titles[names[0]])

    summary = generate_docs(replace(Settings.for_root(root.resolve()), packages_dir=tmp_path / "none"))
    assert summary is not None and summary.articles >= 3
    pages = english_pages(root)
    for name in names:
        assert pages[name]["translation"]["status"] == "reviewed", name
        assert pages[name]["translation"]["review_stale"] is False
        assert pages[name]["title"] == titles[name]
