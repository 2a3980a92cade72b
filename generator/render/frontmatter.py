"""YAML front matter of the generated Markdown pages: written by a YAML library, fast.

A YAML library writes every value, so titles with ":", quotes, "---" or "{{" stay intact.
"""

from __future__ import annotations

import re

import yaml

# LibYAML's emitter (bundled with PyYAML's wheels) is an order of magnitude faster than the pure
# Python one, which dominated rendering at archive scale; both write the same YAML.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_page(front: dict, body: str) -> str:
    """A Markdown page: the front matter, then the body."""
    meta = _fast_yaml(front)
    if meta is None:
        meta = _yaml(front)
    return f"---\n{meta}---\n\n{body.rstrip()}\n"


def _yaml(data: object) -> str:
    return yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=1_000_000,
                     default_flow_style=False)


# --- front matter, fast -----------------------------------------------------------------------
# yaml.dump of a page's front matter spent most of its time in PyYAML's Python representer and
# resolver (about 150 scalars a page), not in the C emitter. Front matter has a fixed shape: a
# mapping of scalars, of mappings of scalars, and of lists of scalars or of such mappings. So the
# block structure is written here and every scalar is still written by the YAML library (the same
# dumper and options), once per distinct value: a page's unseen values go through one yaml.dump of
# a list, read back line by line. Block mapping values and list items are written alike, and a
# value without line breaks is written on one line (the width is 1,000,000). Anything else (line
# breaks, very long values, other types, shared containers, which YAML would anchor) takes the
# plain yaml.dump. tests/test_frontmatter_fast.py checks the result equals yaml.dump.

_Scalar = str | bool | int | float | None
_SCALAR_TYPES = (str, bool, int, float, type(None))
_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")
_MAX_SCALAR = 10_000  # far below the width, so the emitter never folds a value
_MAX_KEY = 32  # keys are written like values unless empty or too long for a "simple" key (128 bytes)
_MAX_MEMO = 1 << 18  # distinct scalars remembered (a long `serve` keeps the process)
_str_memo: dict[str, str] = {}
_other_memo: dict[tuple[type, object], str] = {}  # keyed by type too: True == 1


def _other_key(value: object) -> tuple[type, object]:
    """Memo key of a non-string scalar: by type (True == 1) and, for floats, by repr (0.0 == -0.0)."""
    return (float, repr(value)) if type(value) is float else (type(value), value)


class _NotSimple(Exception):
    """The front matter is not of the shape `_block` writes."""


def _fast_yaml(front: dict) -> str | None:
    """`yaml.dump(front)` with the options of `_yaml`, or None when `front` is not of the simple shape."""
    if len(_str_memo) + len(_other_memo) > _MAX_MEMO:
        _str_memo.clear()
        _other_memo.clear()
    try:
        missing: dict[tuple[type, object], _Scalar] = {}
        _check_front(front, missing)
        if missing and not _render_scalars(list(missing.values())):
            return None
        return _block(front)
    except (_NotSimple, KeyError):  # KeyError: another thread cleared the memo meanwhile
        return None


def _check_front(front: object, missing: dict[tuple[type, object], _Scalar]) -> None:
    """Check the shape `_block` writes, and gather the scalars not rendered yet into `missing`.

    Written out flat (no helper call per scalar): it runs for some 150 scalars a page."""
    if type(front) is not dict or not front:
        raise _NotSimple
    memo = _str_memo
    containers = {id(front)}
    for key, value in front.items():
        if type(key) is not str or not 0 < len(key) <= _MAX_KEY:
            raise _NotSimple
        if key not in memo:
            _check_scalar(key, missing)
        kind = type(value)
        if kind is str:
            if value not in memo:
                _check_scalar(value, missing)
        elif kind is dict:
            _check_mapping(value, missing, containers)
        elif kind is list:
            if id(value) in containers:
                raise _NotSimple  # met twice: YAML would write an anchor
            containers.add(id(value))
            for item in value:
                if type(item) is dict:
                    _check_mapping(item, missing, containers)
                elif type(item) is not str or item not in memo:
                    _check_scalar(item, missing)
        else:
            _check_scalar(value, missing)


def _check_mapping(mapping: dict, missing: dict[tuple[type, object], _Scalar], containers: set[int]) -> None:
    """A mapping of scalars, inside the front matter."""
    if id(mapping) in containers:
        raise _NotSimple  # met twice: YAML would write an anchor
    containers.add(id(mapping))
    memo = _str_memo
    for key, value in mapping.items():
        if type(key) is not str or not 0 < len(key) <= _MAX_KEY:
            raise _NotSimple
        if key not in memo:
            _check_scalar(key, missing)
        if type(value) is not str or value not in memo:
            _check_scalar(value, missing)


def _check_scalar(value: object, missing: dict[tuple[type, object], _Scalar]) -> None:
    kind = type(value)
    if kind is str:
        if value in _str_memo:
            return
        if len(value) > _MAX_SCALAR or _BREAKS.search(value):  # type: ignore[arg-type]
            raise _NotSimple
    elif kind in _SCALAR_TYPES:
        if _other_key(value) in _other_memo:
            return
    else:
        raise _NotSimple
    missing[(kind, value) if kind is str else _other_key(value)] = value  # type: ignore[assignment]


def _render_scalars(values: list[_Scalar]) -> bool:
    """Have the YAML library write `values` (one list item a line) into the memo; False if it did not
    write one line per value."""
    lines = _yaml(values).split("\n")
    if lines[-1] != "" or len(lines) != len(values) + 1 or not all(line.startswith("- ") for line in lines[:-1]):
        return False
    for value, line in zip(values, lines, strict=False):
        if type(value) is str:
            _str_memo[value] = line[2:]
        else:
            _other_memo[_other_key(value)] = line[2:]
    return True


def _block(front: dict) -> str:
    """`front` in PyYAML's block style (its shape checked by `_check_front`, its scalars in the memo)."""
    memo, other = _str_memo, _other_memo

    def scalar(value: _Scalar) -> str:
        return memo[value] if type(value) is str else other[_other_key(value)]  # type: ignore[index]

    def pairs(mapping: dict, first: str) -> None:
        prefix = first
        for k, v in mapping.items():
            add(f"{prefix}{memo[k]}: {scalar(v)}\n")
            prefix = "  "

    out: list[str] = []
    add = out.append
    for key, value in front.items():
        kind = type(value)
        if kind is not dict and kind is not list:
            add(f"{memo[key]}: {scalar(value)}\n")
        elif not value:
            add(f"{memo[key]}: {'{}' if kind is dict else '[]'}\n")
        elif kind is dict:
            add(f"{memo[key]}:\n")
            pairs(value, "  ")
        else:
            add(f"{memo[key]}:\n")
            for item in value:
                if type(item) is not dict:
                    add(f"- {scalar(item)}\n")
                elif not item:
                    add("- {}\n")
                else:
                    pairs(item, "- ")
    return "".join(out)
