"""Arabic text helpers for *matching*: never applied to stored text.

Stored text keeps every letter as written; these keys only decide whether two strings mean the
same thing (a boilerplate phrase, a repeated headline, an outlet name).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # tashkeel, tatweel
LETTER_FOLD = str.maketrans(  # letter variants a reader takes as one letter
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
        "ى": "ي", "ی": "ي", "ئ": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ک": "ك",
    }
)
_WORD = re.compile(r"\w+")
ARABIC_LETTER = re.compile("[\u0621-\u064a\u0660-\u0669\u066e-\u06d3\u06fa-\u06ff]")


def match_key(text: str) -> str:
    """Fold letter variants, diacritics, punctuation and spacing so equal phrases compare equal."""
    text = unicodedata.normalize("NFKC", text)
    text = DIACRITICS.sub("", text).translate(LETTER_FOLD).casefold()
    return " ".join(_WORD.findall(text))


def words(text: str) -> list[str]:
    """Word tokens of a line (letters/digits), for counting."""
    return _WORD.findall(text)  # the runs between non-word runs; 1.5x faster than sub + split


_VARIANTS = {
    "ا": "[اأإآٱ]", "أ": "[اأإآٱ]", "إ": "[اأإآٱ]", "آ": "[اأإآٱ]",
    "ي": "[يىیئ]", "ى": "[يىیئ]", "ی": "[يىیئ]",
    "ة": "[ةه]", "ه": "[ةه]",
    "ك": "[كک]",
}
_MARKS = "[\u064b-\u065f\u0670\u0640]*"  # diacritics and tatweel may sit between any two letters


def phrase_pattern(phrase: str) -> str:
    """Regex source matching `phrase` in raw text, tolerant of letter variants, marks and spacing.

    Lets boilerplate rules find *where* a label ends in the original line (to cut it off)
    without normalising the stored text.
    """
    parts: list[str] = []
    for char in phrase:
        if char.isspace():
            parts.append(r"[\s_]*")
        elif char in _VARIANTS:
            parts.append(_VARIANTS[char] + _MARKS)
        elif char.isalpha():
            parts.append(re.escape(char) + _MARKS)
        else:
            parts.append(re.escape(char))
    return "".join(parts)


@lru_cache(maxsize=1 << 16)  # translation and rendering both ask for every sentence's key
def memory_key(sentence: str) -> str:
    """The normalised source sentence: NFC with runs of whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", sentence).split())
