"""The side-by-side view of an article page (Arabic | English, sentence by sentence).

Each page holds its article's text once: its own language in the reading body. The view is a
collapsed <details> with no text of its own: where each paragraph of both languages splits into
sentences (offsets, in `data-units`) and the twin page's address (`data-twin`). When a reader opens
it, assets/parallel.js takes this page's paragraphs from its body and the other language's from
the twin page (fetched from the same site), cuts both at the offsets and lays them out in rows,
linking each sentence (`data-pair`) to its counterpart. Storing the text once per page instead of
three times (body, and both columns of a server-made view) halves a large archive's site/.

`data-units` is JSON: {"ar": [[paragraph, [end, …]], …], "en": [[paragraph, [end | null, …]], …]},
one entry per <p> of that language's body, in order; `end` is where a sentence ends in the
paragraph's text (UTF-16 code units, as JavaScript counts; text as the page shows it: whitespace
collapsed), `null` a sentence left untranslated. Sentences of a paragraph are joined by one space.
"""

from __future__ import annotations

import json
from html import escape

from generator.model import Article, SentencePair, Translation


def _squash(text: str | None) -> str:
    return " ".join((text or "").split())


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _ends(parts: list[str | None]) -> list[int | None]:
    """Where each part ends in the parts joined by one space (None for a missing part, which the
    joined text leaves out)."""
    ends: list[int | None] = []
    offset = 0
    for part in parts:
        if part is None:
            ends.append(None)
            continue
        offset += (1 if offset else 0) + _utf16(part)
        ends.append(offset)
    return ends


def units(article: Article, translation: Translation | None) -> dict[str, list]:
    """The sentence boundaries of both languages' bodies (see the module)."""
    t = translation or Translation()
    rows = [] if t.status == "pending" else t.paragraphs
    ar: list = []
    en: list = []
    for index, paragraph in enumerate(article.paragraphs):
        pairs = rows[index] if index < len(rows) else []
        aligned = bool(pairs) and " ".join(u.ar for u in pairs).split() == paragraph.split()
        if paragraph.strip():
            ar.append([index, _ends([_squash(u.ar) for u in pairs]) if aligned else [_utf16(_squash(paragraph))]])
        if not pairs:
            continue
        english = [_squash(u.en) or None for u in pairs]
        if not aligned:
            joined = _squash(" ".join(u.en for u in pairs if u.en))
            english = [joined or None]
        if any(english):
            en.append([index, _ends(english)])
    for index in range(len(article.paragraphs), len(rows)):  # English beyond the Arabic paragraphs
        english = _squash(" ".join(u.en for u in rows[index] if u.en))
        if english:
            en.append([index, [_utf16(english)]])
    return {"ar": ar, "en": en}


def parallel_html(article: Article, translation: Translation | None, lang: str, twin: str) -> str:
    """The collapsed view appended to an article page ("" for an article without a body); `twin` is
    the other language's page, relative to this one."""
    if not article.paragraphs:
        return ""
    t = translation or Translation()
    data = escape(json.dumps(units(article, t), separators=(",", ":")), quote=True)
    summary = "Side-by-side view (Arabic / English)" if lang == "en" else "عرض النصين جنبًا إلى جنب"
    # The status also tells parallel.js which hint to show above the rows (it writes the hint: see there).
    status = {"machine": "machine translation", "reviewed": "reviewed translation"}.get(t.status, "translation pending")
    return (f'<details class="parallel" data-pagefind-ignore data-lang="{lang}" data-twin="{escape(twin, quote=True)}"'
            f' data-status="{escape(status, quote=True)}" data-units="{data}">\n'
            f"<summary>{summary}</summary>\n"
            '<div class="parallel-grid" aria-live="polite"></div>\n'
            "</details>\n")


def split(text: str, ends: list[int | None]) -> list[str | None]:
    """The sentences of a paragraph's shown text, cut at `ends` as parallel.js cuts it (tests use this)."""
    encoded = _squash(text).encode("utf-16-le")
    out: list[str | None] = []
    start = 0
    for end in ends:
        if end is None:
            out.append(None)
            continue
        out.append(encoded[2 * start: 2 * end].decode("utf-16-le").strip())
        start = end
    return out


__all__ = ["SentencePair", "parallel_html", "split", "units"]
