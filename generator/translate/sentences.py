"""Arabic sentence splitting for translation.

Our own splitter because the published Argos package splits with stanza (which re-downloads its
resources index on every load and fails offline) and argostranslate's fallback, MiniSBD,
downloads an ONNX model on first use. News prose needs only a careful rule set: split after
. ! ? ؟ … (with any closing quotes «» “” " and brackets), never inside numbers ("3.5", "12.04.2017"),
after initials or abbreviations ("د.", "U.S."), or in domains ("aljazeera.net").
"""

from __future__ import annotations

import re

# Abbreviations that end in a period but do not end a sentence (compared without the period).
ABBREVIATIONS = frozenset(
    {
        "د", "م", "ص", "ق", "أ", "ا", "ج", "ش", "ع", "ت", "هـ", "ه", "ح", "س", "ك", "ل",  # single letters
        "ج.م.ع", "أ.ف.ب", "د.ب.أ", "أ.ش.أ",
        "mr", "mrs", "ms", "dr", "prof", "st", "no", "vs", "etc", "inc", "ltd", "jr", "sr", "gen", "col",
        "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m",
    }
)
# End punctuation, then closing quotes/brackets, then space: a candidate boundary.
_BOUNDARY = re.compile(r"([.!?؟…]+|\.{3})([\"'»”’)\]]*)(\s+)")
_WORD_BEFORE = re.compile(r"([\w.\u0600-\u06ff]+)$")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]|[^\W\d_]")


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph, in order; joined with single spaces they give the paragraph back."""
    text = " ".join(paragraph.split())
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        punct, end = match.group(1), match.end(2)
        if punct == "." and _is_abbreviation(text, start, match.start(1)):
            continue
        following = text[match.end():match.end() + 1]
        if following and not (following.isalpha() or following.isdigit() or following in "«“\"'(["):
            continue
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return _merge_fragments(sentences)


def _word_before(text: str, start: int, end: int) -> str | None:
    """The run of word characters ending at `end` (not before `start`), as `_WORD_BEFORE` finds it.

    Searched in a short window that widens only while the run fills it: a search over the whole
    sentence so far tries every position in it, which made long paragraphs quadratic."""
    width = 32
    while True:
        low = max(start, end - width)
        word = _WORD_BEFORE.search(text, low, end)
        if word is None or word.start() > low or low == start:
            return word.group(1) if word else None
        width *= 4


def _is_abbreviation(text: str, start: int, end: int) -> bool:
    """Whether the word before the period at `end` (the sentence began at `start`) abbreviates."""
    word = _word_before(text, start, end)
    if not word:
        return False
    token = word.lower().rstrip(".")
    if token in ABBREVIATIONS:
        return True
    # Initials ("ج.م" or "U.S") and a lone letter are abbreviations; a number before "." is not.
    return _INITIALS.fullmatch(token) is not None


def _merge_fragments(sentences: list[str]) -> list[str]:
    """Glue a tiny trailing fragment (e.g. a lone closing quote) to the sentence before it."""
    merged: list[str] = []
    for sentence in sentences:
        if merged and len(sentence) < 3:
            merged[-1] = f"{merged[-1]} {sentence}"
        else:
            merged.append(sentence)
    return merged
