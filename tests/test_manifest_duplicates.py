"""Duplicate detection with the manifest's cache: after any sequence of additions, changes and
removals, the groups are those a run without a cache finds (candidates are looked for only around
the articles that changed, so buckets crossing BUCKET_LIMIT either way must be caught)."""

from __future__ import annotations

import random

import pytest

from generator.model import Article
from generator.pipeline import duplicates
from generator.pipeline.duplicates import find_duplicates
from generator.pipeline.manifest import DuplicateCache

WORDS = [f"كلمة{n}" for n in range(60)]


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(12))


def make(rng: random.Random, number: int, pool: list[str], titles: list[str]) -> Article:
    """An article from a small pool of sentences and titles: many share buckets, some are copies."""
    paragraphs = rng.sample(pool, rng.randint(3, 9))
    date = rng.choice([None, "2026-01-01", "2026-01-02"])
    return Article(source=f"seeds/{number:04d}.txt", index=0, title=rng.choice(titles), paragraphs=paragraphs,
                   date=date, date_source=rng.choice(["label", "page-header", "none"]) if date else "none")


def summary(groups: list) -> list:
    return [(kept.ref, [(copy.ref, reason) for copy, reason in copies]) for kept, copies in groups]


@pytest.mark.parametrize("seed", range(6))
def test_incremental_candidates_match_a_fresh_run(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duplicates, "BUCKET_LIMIT", 5)  # small: buckets cross it often
    monkeypatch.setattr(duplicates, "SAME_TITLE_OVERLAP", 0.3)  # more matches to keep or drop
    rng = random.Random(seed)
    pool = [sentence(rng) for _ in range(25)]
    titles = [f"عنوان {n}" for n in range(6)]
    articles = [make(rng, n, pool, titles) for n in range(40)]
    for n in range(5):  # exact and near copies
        original = rng.choice(articles)
        articles.append(Article(source=f"seeds/copy{n}.txt", title=original.title,
                                paragraphs=[*original.paragraphs[:-1], sentence(rng)], date=original.date,
                                date_source=original.date_source))
    cache = DuplicateCache()
    assert summary(find_duplicates(list(articles), cache)) == summary(find_duplicates(list(articles)))
    number = 100
    incremental_runs = 0
    for _ in range(25):
        action = rng.choice(["add", "add", "remove", "change", "copy"])
        if action == "add":
            articles.append(make(rng, number, pool, titles))
        elif action == "copy":
            original = rng.choice(articles)
            articles.append(Article(source=f"seeds/{number:04d}.txt", title=original.title,
                                    paragraphs=list(original.paragraphs), date=original.date,
                                    date_source=original.date_source))
        elif action == "remove" and len(articles) > 10:
            articles.pop(rng.randrange(len(articles)))
        else:
            k = rng.randrange(len(articles))
            articles[k] = make(rng, number, pool, titles)
        number += 1
        incremental_runs += cache.sides is not None
        ours = summary(find_duplicates([Article(**{f: getattr(a, f) for f in a.__dataclass_fields__})
                                        for a in articles], cache))
        assert ours == summary(find_duplicates(list(articles))), action
    assert incremental_runs == 25
