"""A small DOM over html.parser, for tests that check built pages by structure, not by regex."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]

    def iter(self) -> Iterator[Node]:
        """Every element below this one, in document order."""
        for child in self.elements:
            yield child
            yield from child.iter()

    def all(self, cls: str | None = None, tag: str | None = None) -> list[Node]:
        return [n for n in self.iter() if (cls is None or cls in n.classes) and (tag is None or n.tag == tag)]

    def find(self, cls: str | None = None, tag: str | None = None) -> Node:
        found = self.all(cls, tag)
        assert found, f"no <{tag or '*'} class={cls!r}>"
        return found[0]

    def text(self) -> str:
        """Text content (entities already decoded), whitespace collapsed."""
        def raw(node: Node) -> str:
            return "".join(c if isinstance(c, str) else raw(c) for c in node.children)
        return " ".join(raw(self).split())

    def inside(self, cls: str) -> bool:
        node = self.parent
        while node is not None:
            if cls in node.classes:
                return True
            node = node.parent
        return False


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if any(n.tag == tag for n in self.stack[1:]):  # a stray end tag closes nothing
            while self.stack.pop().tag != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def tree(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@functools.cache
def dom(path: Path) -> Node:
    """The parsed page at `path` (cached: a module's tests read the same built pages)."""
    return tree(path.read_text(encoding="utf-8"))
