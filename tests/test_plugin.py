"""The `archive` MkDocs plugin: typed configuration, the fast paths' switch and their start-up check
of other projects' internals (generator/internals.py), and the layering of the code."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
import yaml
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config

from generator import internals
from generator.site.plugin import ArchivePlugin
from tests.conftest import ROOT, SEEDS, make_archive, run_cli

PACKAGE = ROOT / "generator"


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_plugin_is_configured_from_mkdocs_yml(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:1])
    config = load_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["archive"]
    assert isinstance(plugin, ArchivePlugin)
    assert (plugin.config.seeds_dir, plugin.config.fast_paths, plugin.config.require_translation) == \
        ("seeds", True, False)
    settings = plugin.settings(config)
    assert settings.seeds_dir == root / "seeds" and settings.corrections_dir == root / "corrections"


def test_a_missing_internal_turns_the_fast_paths_off_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    root = make_archive(tmp_path / "archive", SEEDS[:1])
    config = load_config(str(root / "mkdocs.yml"))
    assert internals.missing(config) == []
    monkeypatch.delattr(mkdocs_build, "_populate_page")
    assert internals.missing(config) == ["mkdocs.commands.build._populate_page"]
    plugin = config.plugins["archive"]
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.archive"):
        plugin.on_config(config)
    assert not plugin._fast
    lines = [r.getMessage() for r in caplog.records if "fast paths off" in r.getMessage()]
    assert lines == ["archive: fast paths off, building the plain way: this environment lacks "
                     "mkdocs.commands.build._populate_page"]


def test_the_plain_path_builds_the_same_site(tmp_path: Path) -> None:
    """`fast_paths: false` (what a missing internal also selects): every page by MkDocs, site/ emptied
    and rewritten, no template cache; the same bytes as the fast paths."""
    sites = {}
    for fast in (True, False):
        root = make_archive(tmp_path / f"fast-{fast}", SEEDS)
        config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV [SITE_URL]", "null"))
        for plugin in config["plugins"]:
            if isinstance(plugin, dict) and "archive" in plugin:
                plugin["archive"]["fast_paths"] = fast
        (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        result = run_cli("build", "--config", str(root / "mkdocs.yml"), "--site-dir", str(root / "site"),
                         "--packages-dir", str(root / "no-packages"))
        assert result.returncode == 0, result.stderr[-3000:]
        sites[fast] = _tree(root / "site")
    assert sites[True].keys() == sites[False].keys()
    assert [name for name in sites[True] if sites[True][name] != sites[False][name]] == []


# --- layering ------------------------------------------------------------------------------------

FOUNDATIONS = {"model", "config", "atomic", "progress", "workers", "internals", "text"}
STAGES = {"read", "extract", "translate", "render"}


def _imports(path: Path) -> set[str]:
    """The generator packages and top-level modules a file imports (`generator.X...` → X)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            parts = node.module.split(".")
            if len(parts) > 1:
                found.add(parts[1])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("generator."))
    return found


@pytest.mark.parametrize("layer", sorted(STAGES | {"pipeline", "site", "text"}))
def test_each_layer_imports_only_what_is_below_it(layer: str) -> None:
    allowed = {"text": FOUNDATIONS - {"text"} | {"text"}, "pipeline": FOUNDATIONS | STAGES | {"pipeline"},
               "site": FOUNDATIONS | STAGES | {"pipeline", "site"}}.get(layer, FOUNDATIONS | {layer})
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        assert _imports(path) <= allowed, (path.relative_to(ROOT), sorted(_imports(path) - allowed))


def test_nothing_imports_the_site_layer() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "site" not in path.relative_to(PACKAGE).parts:
            assert "site" not in _imports(path), path.relative_to(ROOT)


def test_compact_html_drops_indentation_but_keeps_pre_and_text() -> None:
    from generator.site.plugin import compact_html

    page = ("<html>\n  <body>\n\n\n    <p>نص\n  \n    يمتد</p>\n    <pre>\n  code\n\n    kept</pre>\n"
            "    <TEXTAREA>\n  a\n\n</TEXTAREA>\n<code>x\n\n  y</code>\n\n  </body>\n</html>\n")
    assert compact_html(page) == ("<html>\n<body>\n<p>نص\nيمتد</p>\n<pre>\n  code\n\n    kept</pre>\n"
                                  "<TEXTAREA>\n  a\n\n</TEXTAREA>\n<code>x\n\n  y</code>\n</body>\n</html>\n")
    assert compact_html("no indentation") == "no indentation"
