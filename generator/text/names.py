"""Names from the glossary: find them in Arabic text, and make them come out right in English.

"Correct after": the model translates the sentence with the name in place (full context), then
each target token aligned (by attention) to a glossary name is replaced by the glossary's
English form; if the model dropped the name, it is inserted beside the tokens aligned nearest
to it. This is OpenNMT's `replace_unk` idea applied to names, and it works from the stored
alignment alone, so editing the glossary re-renders every cached sentence without the model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from generator.text.arabic import DIACRITICS, LETTER_FOLD, phrase_pattern
from generator.text.lexicon import GlossaryEntry, glossary

# Proclitics written joined to a name: و/ف (and), ب/ل/ك (by, for, like); "لل" for ل + ال.
_PROCLITICS = r"(?:[وف]?[بلك]?)"
_ARABIC_LETTER = "\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff"


@dataclass(frozen=True)
class NameSpan:
    start: int  # character span of the name itself (proclitics excluded)
    end: int
    entry: GlossaryEntry


@cache
def _forms() -> tuple[tuple[str, GlossaryEntry], ...]:
    """Every surface form with its entry, longest first (the longest form wins at a position)."""
    return tuple(sorted(((form, entry) for entry in glossary() for form in entry.forms), key=lambda fe: -len(fe[0])))


_PROCLITIC_PREFIXES = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك")
# Where a name (or its proclitics) may start: a letter not preceded by a letter (a mark may
# precede it); then the run of letters and marks from there, which is all a first word can span.
_WORD_START = re.compile(f"(?<![{_ARABIC_LETTER}])(?=[{_ARABIC_LETTER}])")
_LETTER_RUN = re.compile(f"[{_ARABIC_LETTER}]+")
_WORD_RUN = re.compile(f"[{_ARABIC_LETTER}\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]+")


def _fold(text: str) -> str:
    """The letter folding `phrase_pattern` tolerates (variants, marks), for the first-word index."""
    return DIACRITICS.sub("", text).translate(LETTER_FOLD)


@cache
def _first_word_index() -> tuple[dict[str, tuple[int, ...]], tuple[int, ...], frozenset[str]]:
    """Folded first word of every form → the forms it starts; the distinct lengths; their first two letters."""
    index: dict[str, list[int]] = {}
    for n, (form, _) in enumerate(_forms()):
        starts = [form.split()[0]]
        if form.startswith("ال"):  # "للكرملين": after ل the form is written without its alef
            starts.append(form[1:].split()[0])
        for start in starts:
            index.setdefault(_fold(start), []).append(n)
    return ({k: tuple(v) for k, v in index.items()}, tuple(sorted({len(k) for k in index})),
            frozenset(k[:2] for k in index))


@cache
def _form_regex(form_id: int) -> re.Pattern[str]:
    """One form, with optional proclitics, as a whole word (its alef may drop after ل)."""
    form = _forms()[form_id][0]
    pattern = phrase_pattern(form)
    if form.startswith("ال"):
        pattern = f"(?:{pattern}|(?<=ل){phrase_pattern(form[1:])})"
    return re.compile(rf"(?<![{_ARABIC_LETTER}]){_PROCLITICS}(?P<name>{pattern})(?![{_ARABIC_LETTER}])")


@lru_cache(maxsize=1 << 18)  # an archive's vocabulary; bounded all the same
def _word_candidates(word: str) -> tuple[int, ...]:
    """Forms (ids, longest first) whose first word could begin `word`, a folded run of letters."""
    index, lengths, heads = _first_word_index()
    found: set[int] = set()
    for prefix in _PROCLITIC_PREFIXES:
        if not word.startswith(prefix):
            continue
        rest = word[len(prefix):]
        if rest[:2] not in heads and rest[:1] not in heads:
            continue
        for length in lengths:  # spaces inside a form may be missing: match first words as prefixes
            if length > len(rest):
                break
            ids = index.get(rest[:length])
            if ids:
                found.update(ids)
    return tuple(sorted(found))


def _word_starts(text: str) -> list[tuple[int, str]]:
    """Every position where a name (with its proclitics) may start, with the folded run from there."""
    if DIACRITICS.search(text):  # rare: a name may also start right after a mark inside a word
        starts = []
        for start in _WORD_START.finditer(text):
            run = _WORD_RUN.match(text, start.start())
            starts.append((start.start(), _fold(run.group()) if run else ""))
        return starts
    return [(m.start(), m.group()) for m in _LETTER_RUN.finditer(text.translate(LETTER_FOLD))]


@lru_cache(maxsize=1 << 16)  # translation and rendering both look at every sentence
def find_names(text: str) -> tuple[NameSpan, ...]:
    """Glossary names in `text`, left to right, longest form first at each position.

    The result is what one alternation of every form (longest first) finds with `finditer`;
    tests/test_names.py checks exactly that. Why not run that alternation: Python's `re` tries all
    100+ alternatives at every character (0.2-0.5 ms a sentence, a quarter of a large build),
    while a dictionary lookup per word start rules out almost every form before any regex runs.
    """
    forms = _forms()
    spans: list[NameSpan] = []
    end = 0
    for position, word in _word_starts(text):
        if position < end:
            continue  # inside the previous name
        for form_id in _word_candidates(word):
            match = _form_regex(form_id).match(text, position)
            if match:
                spans.append(NameSpan(match.start("name"), match.end("name"), forms[form_id][1]))
                end = match.end()
                break
    return tuple(spans)


def decode_pieces(pieces: list[str]) -> str:
    """SentencePiece pieces → text (what `decode_pieces` does for these models, without the model)."""
    return "".join(pieces).replace("\u2581", " ").strip()


def restore_names(pieces: list[str], align: list[list[int]], names: Sequence[NameSpan]) -> str:
    """Model output with every glossary name in its English form (see the module docstring)."""
    if not names:  # most sentences: the decoded text, only tidied
        return _tidy(decode_pieces(pieces))
    # Tokens that align to something, once (not per name): (token, start, end) of their source span.
    aligned_tokens = [(t, s, e) for t, (s, e) in enumerate(align[:len(pieces)]) if e > s]
    slots: list[str | None] = list(pieces)  # None = removed token
    inserts: dict[int, list[str]] = {}
    taken: set[int] = set()
    for name in names:
        start, end = name.start, name.end
        # A token belongs to the name when at least half its source span lies inside the name
        # (tested only for spans that overlap it at all; min/max written out: this is the hot loop).
        run = _longest_run([t for t, s, e in aligned_tokens
                            if s < end and e > start and t not in taken
                            and ((e if e < end else end) - (s if s > start else start)) * 2 >= e - s])
        if run:
            first, last = run
            slots[first] = _NAME_MARK + name.entry.en
            for t in range(first + 1, last + 1):
                slots[t] = None
            taken.update(range(first, last + 1))
        else:
            position = min((abs(s - start), t) for t, s, _ in aligned_tokens)[1] if aligned_tokens else len(pieces)
            inserts.setdefault(position, []).append(name.entry.en)
    out: list[str] = []
    chunk: list[str] = []
    for t in range(len(slots) + 1):
        for english in inserts.get(t, []):
            out.extend([decode_pieces(chunk), english])
            chunk = []
        if t == len(slots):
            break
        slot = slots[t]
        if slot is None:
            continue
        if slot.startswith(_NAME_MARK):
            out.extend([decode_pieces(chunk), slot[len(_NAME_MARK):]])
            chunk = []
        else:
            chunk.append(slot)
    out.append(decode_pieces(chunk))
    return _tidy(" ".join(part for part in out if part))


_THE_THE = re.compile(r"\b([Tt]he) the\b")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?'’)\]])")


def _tidy(text: str) -> str:
    if "he the" in text:  # cheap test first: the regex can only match there
        text = _THE_THE.sub(r"\1", text)  # "the" + "the Kremlin"
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text)


_NAME_MARK = "\x00name:"


def _longest_run(indices: list[int]) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    start = prev = None
    for t in [*sorted(indices), None]:  # type: ignore[list-item]
        if t is not None and prev is not None and t == prev + 1:
            prev = t
            continue
        if start is not None and prev is not None and (best is None or prev - start > best[1] - best[0]):
            best = (start, prev)
        start = prev = t
    return best
