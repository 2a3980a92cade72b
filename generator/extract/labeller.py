"""The learned line labeller: which line is the headline, which lines are the body.

A linear-chain CRF (CRFsuite, through python-crfsuite) gives, for every line of a page, the
probability of each zone label:

    PRE   page furniture above the headline (masthead, menus, header date, kicker)
    T     the headline
    META  between headline and body (date line, byline, standfirst, caption)
    B     a body paragraph
    X     a line inside the body that is not body (caption, inline link, advert)
    POST  everything after the body (tags, teasers, comments, copyright, further items)

Decoding keeps the structure an article has (at most one headline, above one contiguous body):
the label sequence with the highest summed log-probability among those the automaton below
accepts. The model is a small ensemble (`generator/data/line_model/*.crfsuite`: the same real and own
pages, each member with another sample of synthetic pages, probabilities averaged: a handful of
real pages decide less of the outcome alone), rebuilt deterministically by
`python -m generator train-extractor` (generator/extract/train.py).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pycrfsuite

from generator.extract.lines import CAPTION, Line, page_features

LABELS = ("PRE", "T", "META", "B", "X", "POST")
_START = {"PRE", "T", "B"}
_END = {"B", "POST"}
_NEXT = {
    "PRE": {"PRE", "T", "B"},
    "T": {"META", "B"},
    "META": {"META", "B"},
    "B": {"B", "X", "POST"},
    "X": {"X", "B"},
    "POST": {"POST"},
}
_FLOOR = 1e-9  # a label the model gives ~0 stays possible, at a steep price
MODEL_RESOURCE = "data/line_model"  # a folder: one file per member of the ensemble

# CRFsuite training settings, chosen by leave-one-outlet-out scores (benchmarks/quality.py).
TRAIN_PARAMS = {"c1": 0.0, "c2": 1.0, "max_iterations": 200, "feature.possible_transitions": True}


@dataclass
class Labelling:
    labels: list[str]  # one zone label per line
    confidence: list[float]  # the model's probability of each chosen label
    title: int | None  # index of the headline line
    body: list[int]  # indices of body lines, in order

    @property
    def body_start(self) -> int | None:
        return self.body[0] if self.body else None

    @property
    def body_end(self) -> int | None:
        """Index of the last body line."""
        return self.body[-1] if self.body else None


def decode(marginals: Sequence[dict[str, float]]) -> list[str]:
    """The best label sequence the article automaton accepts (max summed log-probability)."""
    n = len(marginals)
    if n == 0:
        return []
    logs = [{s: math.log(max(m.get(s, 0.0), _FLOOR)) for s in LABELS} for m in marginals]
    score: dict[str, float] = {s: (logs[0][s] if s in _START else -math.inf) for s in LABELS}
    back: list[dict[str, str]] = []
    for i in range(1, n):
        step: dict[str, float] = {}
        pointers: dict[str, str] = {}
        for s in LABELS:
            best, arg = -math.inf, "PRE"
            for prev in LABELS:
                if s in _NEXT[prev] and score[prev] > best:
                    best, arg = score[prev], prev
            step[s] = best + logs[i][s]
            pointers[s] = arg
        score = step
        back.append(pointers)
    last = max((s for s in LABELS if s in _END), key=lambda s: score[s])
    if score[last] == -math.inf:  # cannot happen with _FLOOR, but never return a broken path
        return ["B"] * n
    path = [last]
    for pointers in reversed(back):
        path.append(pointers[path[-1]])
    path.reverse()
    return path


def can_be_headline(line: Line) -> bool:
    """Lines that are never a headline, whatever the model says: page furniture, bylines, photo
    captions, lines that are all date, single words."""
    if line.furniture or line.byline or line.n_words < 2 or CAPTION.search(line.text):
        return False
    return not (line.date and line.date.coverage >= 0.75)


class LineLabeller:
    """Labels the lines of a page with trained models (an ensemble: their probabilities are averaged).

    One per process: taggers are not thread-safe, so calls are serialised.
    """

    def __init__(self, models: Sequence[Path] | None = None) -> None:
        paths = list(models) if models is not None else packaged_models()
        if not paths:
            raise FileNotFoundError("no line model: run `python -m generator train-extractor`")
        self._taggers = []
        for path in paths:
            tagger = pycrfsuite.Tagger()
            tagger.open(str(path))
            self._taggers.append((tagger, [lab for lab in LABELS if lab in tagger.labels()]))
        self._lock = threading.Lock()

    def marginals(self, lines: list[Line]) -> list[dict[str, float]]:
        features = page_features(lines)
        total = [dict.fromkeys(LABELS, 0.0) for _ in lines]
        with self._lock:
            for tagger, labels in self._taggers:
                tagger.set(features)
                for i, row in enumerate(total):
                    for lab in labels:
                        row[lab] += tagger.marginal(lab, i)
        share = 1 / len(self._taggers)
        return [{lab: p * share for lab, p in row.items()} for row in total]

    def label(self, lines: list[Line]) -> Labelling:
        marginals = self.marginals(lines)
        for line, marginal in zip(lines, marginals, strict=True):
            if not can_be_headline(line):
                marginal["T"] = 0.0
        labels = decode(marginals)
        title = next((i for i, lab in enumerate(labels) if lab == "T"), None)
        body = [i for i, lab in enumerate(labels) if lab == "B"]
        confidence = [m.get(lab, 0.0) for m, lab in zip(marginals, labels, strict=True)]
        return Labelling(labels, confidence, title, body)


def packaged_models() -> list[Path]:
    """The shipped ensemble: generator/data/line_model/*.crfsuite, in name order."""
    folder = resources.files("generator").joinpath(MODEL_RESOURCE)
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".crfsuite"))


def train_model(sequences: Sequence[tuple[list[dict[str, float]], list[str]]], path: Path,
                params: dict | None = None) -> None:
    """Train a CRF on (features, labels) sequences and write it to `path`."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for features, labels in sequences:
        trainer.append(features, labels)
    trainer.set_params(dict(TRAIN_PARAMS, **(params or {})))
    trainer.train(str(path))
