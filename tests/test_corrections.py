"""Confidence and human corrections, end to end: `check` lists doubts, `correct` writes a sidecar that
every build applies (through a real `mkdocs build`), and a changed source makes it stale, not lost."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from generator.extract.corrections import CorrectionError, read_correction
from tests.conftest import SEEDS, make_archive, run_cli

SEED = next(p for p in SEEDS if p.name.startswith("002_"))  # no date anywhere in the page
OTHER = next(p for p in SEEDS if p.name.startswith("000_"))


def _page(site: Path, title_part: str) -> str:
    for page in sorted((site / "archive" / "articles").rglob("index.html")):
        html = page.read_text(encoding="utf-8")
        if title_part in html and "/en/" not in page.as_posix():
            return html
    raise AssertionError(f"no Arabic article page mentions {title_part!r}")


def _front(docs: Path, source: str) -> dict:
    for page in sorted((docs / "archive").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        if text.startswith("---\n") and f"source: {source}\n" in text and "lang: ar\n" in text:
            return yaml.safe_load(text.split("\n---\n", 1)[0][4:])
    raise AssertionError(f"no Arabic page of {source}")


def _build(root: Path) -> dict:
    result = run_cli("build", "--config", str(root / "mkdocs.yml"), "--site-dir", str(root / "site"),
                     "--packages-dir", str(root / "no-packages"))
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads((root / "build" / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_archive(tmp_path_factory.mktemp("corrections") / "archive", [SEED, OTHER])


def test_check_lists_the_missing_date_with_its_reason(archive: Path) -> None:
    result = run_cli("check", "--config", str(archive / "mkdocs.yml"), str(archive / "seeds"))
    assert result.returncode == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [f"seeds/{SEED.name}", "date", "—", "no publication date found on the page"] in rows
    assert "2 articles checked" in result.stderr
    as_json = run_cli("check", "--json", "--config", str(archive / "mkdocs.yml"), str(archive / "seeds"))
    assert {"ref": f"seeds/{SEED.name}", "field": "date", "value": None,
            "why": "no publication date found on the page"} in [json.loads(x) for x in as_json.stdout.splitlines()]


def test_a_correction_survives_builds_and_goes_stale_when_the_source_changes(archive: Path) -> None:
    seed = archive / "seeds" / SEED.name
    fixed = run_cli("correct", str(seed), "--date", "2016-03-16", "--publisher", "قناة الميادين",
                    "--drop-paragraph", "2")
    assert fixed.returncode == 0, fixed.stderr
    sidecar = archive / "corrections" / "seeds" / f"{SEED.name}.yaml"
    correction = read_correction(sidecar)
    assert correction.source == f"seeds/{SEED.name}" and correction.articles[0].values["date"] == "2016-03-16"

    report = _build(archive)
    front = _front(archive / "docs", f"seeds/{SEED.name}")
    assert (front["date"], front["date_source"]) == ("2016-03-16", "correction")
    assert front["publisher"] == "الميادين"  # the table's name for the outlet
    assert front["corrected"] == ["date", "paragraphs", "publisher"]
    assert front["confidence"]["date"] == 1.0
    dropped = correction.articles[0].drop_paragraphs[0]["text"].removesuffix(" …")
    html = _page(archive / "site", "سحب الجزء الرئيسي")
    assert dropped[:40] not in html
    assert report["review"]["corrections"] == {"applied": 1, "stale": 0}
    assert next(f for f in report["files"] if f["source"] == f"seeds/{SEED.name}")["correction"] == "applied"
    # A second build (cached extraction) still applies it, and `check` no longer lists the date.
    assert _build(archive)["review"]["corrections"] == {"applied": 1, "stale": 0}
    assert _front(archive / "docs", f"seeds/{SEED.name}")["date"] == "2016-03-16"
    listed = run_cli("check", "--config", str(archive / "mkdocs.yml"), str(archive / "seeds")).stdout
    assert f"seeds/{SEED.name}\tdate" not in listed

    # The source changes: the correction is kept, not applied, and listed.
    seed.write_text(seed.read_text(encoding="utf-8") + "\nسطر أضيف بعد التصحيح.\n", encoding="utf-8")
    report = _build(archive)
    assert sidecar.exists()
    front = _front(archive / "docs", f"seeds/{SEED.name}")
    assert front["date"] is None and front["corrected"] == []
    assert report["review"]["corrections"] == {"applied": 0, "stale": 1}
    listed = run_cli("check", "--config", str(archive / "mkdocs.yml"), str(archive / "seeds")).stdout
    assert f"seeds/{SEED.name}\tcorrection\tstale\tthe source file changed since the correction was made" in listed

    # Made again against the new text, then withdrawn field by field until the sidecar is gone.
    assert run_cli("correct", str(seed), "--date", "2016-03-17").returncode == 0
    assert _front_after_build(archive)["date"] == "2016-03-17"
    for field in ("date", "publisher", "paragraphs"):
        assert run_cli("correct", str(seed), "--unset", field).returncode == 0
    assert not sidecar.exists()


def _front_after_build(archive: Path) -> dict:
    _build(archive)
    return _front(archive / "docs", f"seeds/{SEED.name}")


def test_bad_corrections_are_refused_with_the_reason(archive: Path, tmp_path: Path) -> None:
    seed = archive / "seeds" / OTHER.name
    bad_date = run_cli("correct", str(seed), "--date", "2016-13-40")
    assert bad_date.returncode == 1 and "is not a date (YYYY-MM-DD)" in bad_date.stderr
    no_such = run_cli("correct", str(seed), "--drop-paragraph", "99")
    assert no_such.returncode == 1 and "no paragraph 99" in no_such.stderr
    nothing = run_cli("correct", str(seed))
    assert nothing.returncode == 2 and "nothing to correct" in nothing.stderr
    broken = tmp_path / "x.yaml"
    broken.write_text("source: [\n", encoding="utf-8")
    with pytest.raises(CorrectionError, match=r"x\.yaml: not readable YAML"):
        read_correction(broken)


def test_an_unreadable_sidecar_is_reported_not_fatal(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", [OTHER])
    (root / "corrections").mkdir()
    (root / "corrections" / "broken.yaml").write_text("articles: 3\n", encoding="utf-8")
    report = _build(root)
    assert report["review"]["unreadable_corrections"] == [
        f"{root / 'corrections' / 'broken.yaml'}: needs 'source' and 'source_sha256'"]
    shutil.rmtree(root / "site")
