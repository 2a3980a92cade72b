"""Rebuild the line model: `python -m generator train-extractor [--real DIR] [--output FILE]`.

Training data, all read where it lies (third-party pages are never copied into the repository):
  * the labelled real pages (../shared/devset/real: cases/*.txt with truth/*.json),
  * the seeds with their labels (seeds/ with ../shared/devset/truth),
  * the hand-written layouts in tests/cases,
  * synthetic pages wrapping the seeds' and tests/cases' articles in varied furniture.
The same inputs give a byte-identical model file.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.config import PROJECT_ROOT
from generator.extract.labeller import train_model
from generator.extract.lines import page_features, prepare_lines
from generator.training.corpus import LabelledPage, load_pages, zone_labels
from generator.training.synthetic import synthetic_pages

SHARED = PROJECT_ROOT.parent / "shared"
DEFAULT_REAL = SHARED / "devset" / "real"
MODEL_PATH = PROJECT_ROOT / "generator" / "data" / "line_model"  # one .crfsuite file per ensemble member
SYNTHETIC_PAGES = 200  # per member
MEMBERS = 3


@dataclass
class Corpora:
    real: list[LabelledPage]
    own: list[LabelledPage]  # seeds and tests/cases: always trained on, never held out

    @property
    def all(self) -> list[LabelledPage]:
        return [*self.real, *self.own]


def load_corpora(real: Path | None = DEFAULT_REAL, root: Path = PROJECT_ROOT) -> Corpora:
    real_pages = load_pages(real / "cases", real / "truth") if real and (real / "truth").is_dir() else []
    own: list[LabelledPage] = []
    seed_truth = root.parent / "shared" / "devset" / "truth"
    if seed_truth.is_dir():
        own += load_pages(root / "seeds", seed_truth, "seed:")
    own += load_pages(root / "tests" / "cases", root / "tests" / "cases", "case:")
    return Corpora(real_pages, own)


def _synthetic_sequences(pages: Iterable[LabelledPage], count: int, seed: int) -> list[tuple[list, list[str]]]:
    articles = [(p.truth["title"], [x for x in re.split(r"\n\s*\n", p.truth["body"]) if x.strip()])
                for p in pages if p.truth.get("title") and p.truth.get("body")]
    sequences = []
    for page in synthetic_pages(sorted(articles), count, seed):
        lines = prepare_lines(page.text)
        labels, problems = zone_labels(lines, page.title, page.paragraphs)
        if not problems and "B" in labels:
            sequences.append((page_features(lines[: len(labels)]), labels))
    return sequences


def training_sequences(pages: Sequence[LabelledPage], synthetic_from: Sequence[LabelledPage],
                       synthetic_count: int = SYNTHETIC_PAGES, seed: int = 1) -> list[tuple[list, list[str]]]:
    sequences = [(page_features(p.lines), p.labels) for p in pages if "B" in p.labels]
    return sequences + _synthetic_sequences(synthetic_from, synthetic_count, seed)


def train(corpora: Corpora, output: Path, exclude_group: str | None = None, synthetic_count: int = SYNTHETIC_PAGES,
          params: dict | None = None, members: int = MEMBERS) -> list[Path]:
    """Train the ensemble on every page except those of `exclude_group` (an outlet) into the folder
    `output` (member-1.crfsuite …); return the members' paths."""
    pages = [p for p in corpora.all if p.group != exclude_group]
    output.mkdir(parents=True, exist_ok=True)
    for old in output.glob("*.crfsuite"):
        old.unlink()
    paths = []
    for member in range(1, members + 1):
        sequences = training_sequences(pages, corpora.own, synthetic_count, seed=member)
        path = output / f"member-{member}.crfsuite"
        with tempfile.NamedTemporaryFile(dir=output, suffix=".tmp", delete=False) as tmp:
            temporary = Path(tmp.name)
        try:
            train_model(sequences, temporary, params)
            temporary.chmod(0o644)
            temporary.replace(path)
        finally:
            temporary.unlink(missing_ok=True)
        paths.append(path)
    return paths
