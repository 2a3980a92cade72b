"""Glossary name search: the first-word index must find exactly what one exhaustive regex finds."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.text.arabic import phrase_pattern
from generator.text.lexicon import glossary
from generator.text.names import _ARABIC_LETTER, _PROCLITICS, _forms, find_names
from generator.translate.sentences import split_sentences
from tests.conftest import SEEDS


def reference_names(text: str) -> list[tuple[int, int, str]]:
    """The plain definition: one alternation of every form, longest first, tried at every position."""
    groups, entries = [], {}
    for n, (form, entry) in enumerate(_forms()):
        pattern = phrase_pattern(form)
        if form.startswith("ال"):
            pattern = f"(?:{pattern}|(?<=ل){phrase_pattern(form[1:])})"
        groups.append(f"(?P<n{n}>{pattern})")
        entries[f"n{n}"] = entry
    regex = re.compile(rf"(?<![{_ARABIC_LETTER}]){_PROCLITICS}(?:{'|'.join(groups)})(?![{_ARABIC_LETTER}])")
    return [(m.start(m.lastgroup), m.end(m.lastgroup), entries[m.lastgroup].en)
            for m in regex.finditer(text) if m.lastgroup]


def spans(text: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.entry.en) for s in find_names(text)]


SENTENCES = [s for seed in SEEDS for line in seed.read_text(encoding="utf-8").splitlines()
             for s in split_sentences(line)]
FORMS = [form for entry in glossary() for form in entry.forms]


def test_seed_sentences_match_the_reference() -> None:
    assert len(SENTENCES) > 100
    found = 0
    for sentence in SENTENCES:
        assert spans(sentence) == reference_names(sentence), sentence
        found += bool(spans(sentence))
    assert found > 10  # the seeds do mention glossary names


def _variant(rnd: random.Random, form: str) -> str:
    """A form as articles write it: marks and tatweel inside, spaces lost or doubled, letter variants."""
    out = []
    for char in form:
        if char == " ":
            out.append(rnd.choice([" ", "", "  ", "_"]))
            continue
        out.append({"ا": rnd.choice("اأإ"), "ي": rnd.choice("يى"), "ة": rnd.choice("ةه")}.get(char, char)
                   if rnd.random() < 0.3 else char)
        if rnd.random() < 0.15:
            out.append(rnd.choice(["\u064e", "\u0640", "\u064b", "\u0651"]))
    return "".join(out)


@settings(max_examples=400, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(0, 10_000))
def test_names_inside_real_sentences_match_the_reference(rnd: random.Random, pick: int) -> None:
    sentence = SENTENCES[pick % len(SENTENCES)]
    cut = rnd.randrange(len(sentence) + 1)
    before = rnd.choice(["", " ", "و", "ل", "لل", "وب", "فك", "كتاب", "كتابً", "(", "«"])
    after = rnd.choice(["", " ", "ي", "،", ".", "»", "ين"])
    text = sentence[:cut] + before + _variant(rnd, rnd.choice(FORMS)) + after + sentence[cut:]
    assert spans(text) == reference_names(text)


def test_joined_proclitics_and_missing_alef() -> None:
    assert [s[2] for s in spans("وقال للكرملين وبوتين إن")] == ["the Kremlin", "Putin"]
