"""Front matter from generator/render/frontmatter.py's fast path: byte-identical to yaml.dump of the same dict."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import Settings
from generator.pipeline.extraction import extract_all
from generator.render import frontmatter
from generator.render.pages import render_site
from tests.conftest import ROOT

HOSTILE = [
    "", " ", "  leading", "trailing ", "a: b", "a:b", ":", "- item", "-", "--- ", "---", "...", "{{ x }}", "{", "}",
    "[a]", "#comment", "a #b", "a# b", "'", "''", '"', "it's", 'say "hi"', "yes", "no", "on", "off", "Yes", "NO",
    "y", "n", "true", "False", "null", "Null", "~", "1.0", "1e3", ".5", "0x1f", "0o17", "012", "1_000", "-1", "+1",
    ".inf", "-.Inf", ".nan", "2019-12-06", "2019-12-06 05:35", "05:35", "1:20:30", "12:30:45.5", "=", "<<", "*a",
    "&a", "!tag", "%YAML", "@at", "`tick", "|", ">", "?", "? x", "a\tb", "\t", "\\", "\\n", "back\\slash",
    "وزير الخارجية: واصل الريال", "«اقتباس»", "قال \"نعم\"", "هـ", "\u200f", "\u200e", "\ufeff", "\u00a0",
    "\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "éàü", "😀", "\ud800", "a, b", "a,b", "[", "]", "%", "@",
    "https://example.org/a?b=c#d", "en/archive/tags/وفي-وقت-f81dfb/", "C:\\path", "x" * 500,
]
MULTILINE = ["a\nb", "line\n", "\n", "a\r\nb", "a\rb", "a\u2028b", "a\x85b", "para\n\n  indented", "x" * 20_000]


def dump(front: dict) -> str:
    return yaml.dump(front, Dumper=frontmatter._DUMPER, allow_unicode=True, sort_keys=False, width=1_000_000,
                     default_flow_style=False)


def front_with(value: object, other: object = "x") -> dict:
    """The shapes article front matter has: scalars, a mapping of scalars, lists of scalars and of mappings."""
    return {
        "template": "article.html", "title": value, "hijri_stated": False, "source_index": 3, "byline": None,
        "tags": [{"name": value, "url": other}, {"name": other, "url": value}],
        "duplicates": [value, other], "warnings": [],
        "translation": {"status": value, "engine": None, "review_stale": True, "n": 0},
        "empty": {}, "names": [{}, {"name": value}],
    }


@pytest.fixture(autouse=True)
def fresh_memo() -> None:
    frontmatter._str_memo.clear()
    frontmatter._other_memo.clear()


@pytest.mark.parametrize("value", [*HOSTILE, True, False, None, 0, 1, -7, 10**30])
def test_hostile_scalars_are_written_as_yaml_writes_them(value: object) -> None:
    breaks = isinstance(value, str) and any(c in value for c in "\x85\u2028")  # line breaks to YAML
    for front in (front_with(value), front_with("x", value), {"k": value}, {"title": value, "lang": "ar"}):
        if value == "\ud800":  # a lone surrogate: the YAML library refuses it, and so does the fast path
            with pytest.raises(UnicodeEncodeError):
                dump(front)
            with pytest.raises(UnicodeEncodeError):
                frontmatter.dump_page(front, "body")
            continue
        expected = dump(front)
        assert frontmatter._fast_yaml(front) == (None if breaks else expected)
        assert frontmatter._fast_yaml(front) == (None if breaks else expected)  # again, from the memo
        assert frontmatter.dump_page(front, "body") == f"---\n{expected}---\n\nbody\n"
        assert yaml.safe_load(frontmatter.dump_page(front, "body")[4:].split("\n---\n")[0]) == front


@pytest.mark.parametrize("key", [k for k in HOSTILE if 0 < len(k) <= frontmatter._MAX_KEY])
def test_hostile_keys_are_written_as_yaml_writes_them(key: str) -> None:
    breaks = any(c in key for c in "\x85\u2028")
    for front in ({key: "x"}, {"a": {key: key}}, {"a": [{key: 1}]}):
        if key == "\ud800":
            with pytest.raises(UnicodeEncodeError):
                frontmatter.dump_page(front, "")
            continue
        assert frontmatter._fast_yaml(front) == (None if breaks else dump(front))
        assert frontmatter.dump_page(front, "") == f"---\n{dump(front)}---\n\n\n"


def test_true_and_one_are_not_confused() -> None:
    # True == 1 and hash(True) == hash(1): the memo must tell them apart.
    for front in ({"a": 1, "b": True, "c": 0, "d": False}, {"a": True, "b": 1}, {"a": [1, True, 0, False]}):
        assert frontmatter._fast_yaml(front) == dump(front)


@pytest.mark.parametrize("value", MULTILINE)
def test_multiline_or_long_values_take_yaml_dump(value: str) -> None:
    front = front_with(value)
    assert frontmatter._fast_yaml(front) is None
    assert frontmatter.dump_page(front, "body") == f"---\n{dump(front)}---\n\nbody\n"
    assert yaml.safe_load(frontmatter.dump_page(front, "body")[4:].split("\n---\n")[0]) == front


@pytest.mark.parametrize("front", [
    {}, {"": "empty key"}, {"k" * 33: "long key"}, {1: "int key"}, {"a": ("t",)}, {"a": [[1]]},
    {"a": {"b": {"c": 1}}}, {"a": {"b": [1]}}, {"a": [{"b": [1]}]}, {"a": [{"b": {}}]}, {"a": b"x"},
])
def test_other_shapes_take_yaml_dump(front: dict) -> None:
    assert frontmatter._fast_yaml(front) is None


def test_floats_are_written_as_yaml_writes_them() -> None:
    # Extraction confidences (0..1) are floats in every article's front matter.
    front = {"confidence": {"date": 0.9, "publisher": 0.85, "title": 1.0}, "a": [0.5, 1e-09, -3.25, 0.0, 1]}
    assert frontmatter._fast_yaml(front) == dump(front)
    assert frontmatter._fast_yaml({"a": 1.0, "b": 1}) == dump({"a": 1.0, "b": 1})  # 1.0 stays a float


def test_shared_containers_take_yaml_dump() -> None:
    shared: list[str] = []
    front = {"duplicates": shared, "warnings": shared}  # yaml.dump writes an anchor and an alias
    assert frontmatter._fast_yaml(front) is None
    assert frontmatter.dump_page(front, "") == f"---\n{dump(front)}---\n\n\n"
    assert "&id001" in dump(front)


def test_a_string_subclass_takes_yaml_dump() -> None:
    class Text(str):
        pass

    assert frontmatter._fast_yaml({"a": Text("x")}) is None


TEXT = st.text(alphabet=st.sampled_from(list(" :-#'\"{}[]&*!|>%@`,?~.\\0123456789abcyesnoulTFYNeE\tوزيرـ«»\u200f\xa0")),
               max_size=12)
SCALAR = st.one_of(TEXT, st.booleans(), st.none(), st.integers(-10**6, 10**6),
                   st.floats(allow_nan=False, allow_infinity=False))  # confidences are floats


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.text(alphabet="abcdefg_", min_size=1, max_size=8), st.one_of(
    SCALAR,
    st.lists(st.one_of(SCALAR, st.dictionaries(st.text(alphabet="abc", min_size=1, max_size=3), SCALAR, max_size=3)),
             max_size=4),
    st.dictionaries(st.text(alphabet="xyz", min_size=1, max_size=3), SCALAR, max_size=3),
), min_size=1, max_size=6))
def test_random_front_matter_is_written_as_yaml_writes_it(front: dict) -> None:
    expected = dump(front)
    assert frontmatter._fast_yaml(copy.deepcopy(front)) == expected
    assert frontmatter._fast_yaml(front) == expected


def test_every_page_of_the_seed_archive(tmp_path: Path) -> None:
    """The real front matter of every page (article and index) of the seeds, both ways."""
    calls: list[tuple[dict, str]] = []
    fast = frontmatter._fast_yaml

    def spy(front: dict) -> str | None:
        text = fast(front)
        calls.append((front, text or ""))
        return text

    frontmatter._fast_yaml = spy  # type: ignore[assignment]
    try:
        render_site(extract_all([str(ROOT / "seeds")], Settings.for_root(ROOT)).articles, tmp_path)
    finally:
        frontmatter._fast_yaml = fast  # type: ignore[assignment]
    assert len(calls) > 20
    for front, text in calls:
        assert text == dump(front)
