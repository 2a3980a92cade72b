"""Duplicates: the same article saved in several files is published once, with every source recorded.

The rule. Two articles from *different* files are the same article when

1. title and body are identical (`Article.content_hash`), or
2. their titles are equal under `arabic.match_key` and at least 80 % of the shorter body's shingles
   occur in the other body, the shorter body being at least half as long as the longer, or
3. their titles differ (one extraction took a stray line for the headline) but the bodies are
   almost the same: at least 90 % shared shingles, the shorter at least 80 % of the longer, and at
   least 80 words long, so that coincidence is ruled out;

and never when both state a reliable publication date (label, dateline, HTML meta) and the dates
differ: the same text published on another day (a yearly notice) is another publication.

Shingles are 5-word windows over the whole body under `match_key`. Paragraph splits and joins,
spacing, CR/LF, diacritics, tatweel and letter variants therefore change nothing, and a teaser,
comment-form or copyright line that one extraction kept adds only a few shingles to one side.
Two different articles under one recurring title (a daily column) share almost no shingles, and
two articles of one file are never compared, as a file does not hold the same article twice.

The published copy is chosen from the records, never from input order: the most trusted date
source, then date confidence, then having a title and a publisher, then the version (title + text)
most copies agree on, then the fewest warnings, then the main article of its file, then the source
path. No metadata is borrowed from the other copies: each record says exactly what its own file says.
Which pairs are compared at all is decided without comparing every pair: see `_candidates`.
"""

from __future__ import annotations

import hashlib
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from itertools import chain, combinations

from generator.model import DATE_SOURCES, Article, ExtractResult
from generator.text.arabic import match_key
from generator.workers import map_split

SHINGLE_WORDS = 5
SAME_TITLE_OVERLAP = 0.8
SAME_TITLE_SIZE_RATIO = 0.5  # below this the longer text is an expanded version, not a re-save
OTHER_TITLE_OVERLAP = 0.9
OTHER_TITLE_SIZE_RATIO = 0.8
OTHER_TITLE_MIN_WORDS = 80
RELIABLE_DATE_SOURCES = frozenset({"html-meta", "label", "dateline"})  # not page-header: that is the save date
SAMPLE_EVERY = 8  # candidates share a shingle whose hash is a multiple of this (see _candidates)
SHARED_SAMPLES = 2  # sampled shingles two bodies must share to be compared (the different-title rule
# needs 80+ words, about 10 samples; shorter same-title copies meet in the title bucket)
BUCKET_LIMIT = 64  # a title or sampled shingle shared by more articles is too common to compare them all
_CONFIDENCE = ("high", "medium", "low", "none")


@dataclass
class _Features:
    """What finding candidates needs, computed once per article; full shingle sets only for candidates."""

    content_hash: str
    title: str | None  # match_key of the title
    packed: bytes  # the shingles whose hash is a multiple of SAMPLE_EVERY, as 8-byte integers (see `samples`)

    @cached_property
    def samples(self) -> frozenset[int]:
        """The sampled shingles as a set. The manifest keeps them packed: pickling 300,000 ints one
        by one, and back, was a tenth of an incremental run at 5,000 articles, which needs the sets
        of the few articles around a change only."""
        return frozenset(array("q", self.packed))

    def shares_any(self, samples: frozenset[int]) -> bool:
        """Whether any of our samples is in `samples` (a scan in C, without making our set)."""
        return not samples.isdisjoint(array("q", self.packed))

    def __reduce__(self) -> tuple:
        return _Features, (self.content_hash, self.title, self.packed)  # not the set made from `packed`


@dataclass
class DuplicateCache:
    """What duplicate detection keeps between runs: features by article text, verdicts by pair."""

    features: dict[str, _Features] = field(default_factory=dict)
    verdicts: dict[str, str | None] = field(default_factory=dict)  # pair key → reason, or None (no match)
    # The last run's articles (side key → feature key) and its matched candidate pairs (pair key →
    # reason): the next run looks for candidates only around the articles added or removed since.
    sides: dict[str, str] | None = None
    matches: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=100_000)
def _word_ids(word: str) -> tuple[int, ...]:
    """A word as crc32 numbers of its match_key tokens (cached: news reuses its words, and match_key
    over whole texts dominated the time). hash() of a str changes from process to process and the
    result must not; hash() of a tuple of ints does not, and hashing the windows in C keeps it fast.
    """
    return tuple(zlib.crc32(token.encode()) for token in match_key(word).split())


def _shingles(article: Article) -> tuple[int, frozenset[int]]:
    """Word count and shingle set of the body."""
    ids = list(chain.from_iterable(map(_word_ids, " ".join(article.paragraphs).split())))  # the loop in C
    if len(ids) < SHINGLE_WORDS:
        return len(ids), frozenset({hash(tuple(ids))} if ids else ())
    return len(ids), frozenset(map(hash, zip(*(ids[i:] for i in range(SHINGLE_WORDS)), strict=False)))


def _features(article: Article, body: tuple[int, frozenset[int]]) -> _Features:
    samples = frozenset(h for h in body[1] if h % SAMPLE_EVERY == 0)
    features = _Features(article.content_hash, match_key(article.title) if article.title else None,
                         array("q", samples).tobytes())
    features.__dict__["samples"] = samples  # the cached property, already known
    return features


def _new_features(article: Article) -> tuple[_Features, int, bytes]:
    """An article's features, and its word count and shingles packed (8-byte integers): what a
    forked process sends back for its share of the articles (pickling a set int by int is slow)."""
    words, shingles = _shingles(article)
    return _features(article, (words, shingles)), words, array("q", shingles).tobytes()


def _feature_key(article: Article) -> str:
    return article.text_digest


def _dates_conflict(a: Article, b: Article) -> bool:
    return (a.date_source in RELIABLE_DATE_SOURCES and b.date_source in RELIABLE_DATE_SOURCES
            and a.date is not None and b.date is not None and a.date != b.date)


def _match(a: Article, b: Article, fa: _Features, fb: _Features,
           body_a: tuple[int, frozenset[int]], body_b: tuple[int, frozenset[int]]) -> str | None:
    """Why a and b are one article (a one-line reason), or None."""
    if a.source == b.source or _dates_conflict(a, b):
        return None
    if fa.content_hash == fb.content_hash:
        return "identical title and text"
    (small_words, small), (_, large) = sorted((body_a, body_b), key=lambda body: (len(body[1]), body[0]))
    if not small:
        return None
    overlap = len(small & large) / len(small)
    size = len(small) / len(large)
    if fa.title and fa.title == fb.title:
        if overlap >= SAME_TITLE_OVERLAP and size >= SAME_TITLE_SIZE_RATIO:
            return f"same title, {overlap:.0%} of the text shared"
        return None
    if overlap >= OTHER_TITLE_OVERLAP and size >= OTHER_TITLE_SIZE_RATIO and small_words >= OTHER_TITLE_MIN_WORDS:
        return f"different title, {overlap:.0%} of the text shared"
    return None


def _preference(article: Article, consensus: int) -> tuple:
    """Sort key of the copy to publish (smallest first): better evidence, then a stable tie-break.

    Only evidence that page noise cannot fake counts: a share-button line may pass for a byline or
    a menu for a category, so "more fields filled" would favour the noisier copy. `consensus` is
    how many copies of the group have exactly this title and text: the version most saves agree on.
    """
    date_rank = DATE_SOURCES.index(article.date_source) if article.date_source in DATE_SOURCES else len(DATE_SOURCES)
    confidence = (_CONFIDENCE.index(article.date_confidence) if article.date_confidence in _CONFIDENCE
                  else len(_CONFIDENCE))
    return (date_rank, confidence, article.title is None, article.publisher is None, -consensus,
            len(article.warnings), article.index != 0, article.source, article.index)


def _candidates(features: list[_Features]) -> set[tuple[int, int]]:
    """Pairs worth comparing, without comparing every pair (a daily column has thousands of one title).

    Same content hash; same title, when few articles share it; or at least SHARED_SAMPLES sampled
    shingles (those whose hash is a multiple of SAMPLE_EVERY): copies share about 1/SAMPLE_EVERY of
    their shingles, far more than that, whatever the input order, while one shared sentence (a
    quote, a stock phrase) gives a single sample. A sampled shingle in very many articles proves nothing.
    """
    buckets: dict[tuple[str, object], list[int]] = {}
    for i, f in enumerate(features):
        buckets.setdefault(("hash", f.content_hash), []).append(i)
        if f.title:
            buckets.setdefault(("title", f.title), []).append(i)
        for h in f.samples:
            buckets.setdefault(("sample", h), []).append(i)
    pairs: set[tuple[int, int]] = set()
    shared: Counter[tuple[int, int]] = Counter()
    for (kind, _), members in buckets.items():
        if len(members) < 2 or (kind != "hash" and len(members) > BUCKET_LIMIT):
            continue
        if kind == "sample":
            shared.update(combinations(members, 2))
        else:
            pairs.update(combinations(members, 2))
    pairs.update(pair for pair, count in shared.items() if count >= SHARED_SAMPLES)
    return pairs


def _incremental_candidates(features: list[_Features], sides: list[str], cache: DuplicateCache
                            ) -> tuple[set[tuple[int, int]], list[tuple[int, int]]] | None:
    """The candidates of `_candidates` worked out from the last run's, or None when that is not worth it.

    Returns (pairs to judge: every candidate pair that involves an added article or lies in a
    bucket that crossed BUCKET_LIMIT, and no others; the last run's matched pairs whose candidacy
    cannot have changed). A pair of two articles the last run also had is a candidate exactly as
    before unless one of their shared buckets crossed the limit: a bucket that stays on one side
    of it contributes the same to them, whatever joined or left it.
    """
    previous = cache.sides
    if previous is None:
        return None
    position = {side: k for k, side in enumerate(sides)}
    added = [k for k, side in enumerate(sides) if side not in previous]
    removed = [cache.features.get(key) for side, key in previous.items() if side not in position]
    if None in removed or len(added) + len(removed) > max(8, len(sides) // 20):
        return None  # a removed article's features are gone, or too much changed: compute them all
    changed = [features[k] for k in added] + [f for f in removed if f is not None]
    title_size = Counter(f.title for f in features if f.title)

    # The buckets that added or removed articles are (were) in, with their members now.
    touched_hashes = {f.content_hash for f in changed}
    touched_titles = {f.title for f in changed if f.title}
    touched_samples = frozenset(chain.from_iterable(f.samples for f in changed))
    members: dict[tuple[str, object], list[int]] = {}
    for k, f in enumerate(features):
        if f.content_hash in touched_hashes:
            members.setdefault(("hash", f.content_hash), []).append(k)
        if f.title in touched_titles:
            members.setdefault(("title", f.title), []).append(k)
        if f.shares_any(touched_samples):  # most articles do not: their sets are not made
            for h in f.samples & touched_samples:
                members.setdefault(("sample", h), []).append(k)
    delta: Counter[tuple[str, object]] = Counter()  # bucket → articles added minus removed
    for k in added:
        f = features[k]
        delta.update([("hash", f.content_hash), *((("title", f.title),) if f.title else ()),
                      *(("sample", h) for h in f.samples)])
    for f in removed:
        assert f is not None
        delta.subtract([("hash", f.content_hash), *((("title", f.title),) if f.title else ()),
                        *(("sample", h) for h in f.samples)])

    is_added = set(added)
    judge: set[tuple[int, int]] = set()
    crossed: set[tuple[int, int]] = set()  # old pairs whose candidacy may have changed
    for (kind, value), group in members.items():
        size = len(group)
        old_size = size - delta[(kind, value)]
        if kind != "hash" and (size > BUCKET_LIMIT) != (old_size > BUCKET_LIMIT):
            crossed.update(combinations(group, 2))  # its old pairs gained or lost this bucket
        elif kind == "hash" or size <= BUCKET_LIMIT:  # its pairs are candidates (see _candidates)
            new = [k for k in group if k in is_added]
            judge.update((min(a, b), max(a, b)) for a in new for b in group if a != b)

    every_sample: Counter[int] | None = None

    def sample_size(h: int) -> int:
        """Articles holding sample `h`. A pair with an added article shares only touched samples,
        whose buckets `members` holds; only a pair of a crossed bucket needs all of them counted."""
        nonlocal every_sample
        group = members.get(("sample", h))
        if group is not None:
            return len(group)
        if every_sample is None:
            every_sample = Counter(chain.from_iterable(f.samples for f in features))
        return every_sample[h]

    def candidate(i: int, j: int) -> bool:
        fi, fj = features[i], features[j]
        if fi.content_hash == fj.content_hash:
            return True
        if fi.title and fi.title == fj.title and title_size[fi.title] <= BUCKET_LIMIT:
            return True
        shared = sum(1 for h in fi.samples & fj.samples if sample_size(h) <= BUCKET_LIMIT)
        return shared >= SHARED_SAMPLES

    pairs = {pair for pair in judge | crossed if candidate(*pair)}
    kept = []
    for pair, _reason in cache.matches.items():
        i, j = position.get(pair[:16]), position.get(pair[16:])
        if i is not None and j is not None:
            ij = (min(i, j), max(i, j))
            if ij not in crossed and ij not in pairs:
                kept.append(ij)
    return pairs, kept


def find_duplicates(articles: list[Article], cache: DuplicateCache | None = None
                    ) -> list[tuple[Article, list[tuple[Article, str]]]]:
    """Groups of one article: (the copy to publish, [(each other copy, why it matched)]), only groups of 2+.

    With `cache`, features and verdicts already known are reused, so an incremental build computes
    them for new articles only; afterwards the cache holds what this archive still uses.
    """
    cache = cache if cache is not None else DuplicateCache()
    used = DuplicateCache()
    features: list[_Features] = []
    keys = [_feature_key(article) for article in articles]
    bodies: dict[int, tuple[int, frozenset[int]]] = {}  # full shingle sets, made once per article compared
    packed_bodies: dict[int, tuple[int, bytes]] = {}  # those computed with the features, until needed
    new = [k for k, key in enumerate(keys) if key not in cache.features]
    for k, (found, words, packed) in zip(new, map_split(_new_features, [articles[k] for k in new]), strict=True):
        used.features[keys[k]] = found
        packed_bodies[k] = (words, packed)
    for key in keys:
        if key not in used.features:
            used.features[key] = cache.features[key]
        features.append(used.features[key])
    # The verdict on a pair depends on both texts, files and dates: that is its cache key (the
    # index too, so that every article has its own side, even two equal ones in one file).
    sides = [hashlib.sha1(repr((keys[k], a.source, a.index, a.date_source, a.date)).encode(
        "utf-8", "surrogatepass")).hexdigest()[:16] for k, a in enumerate(articles)]

    def pair_key(i: int, j: int) -> str:
        return sides[i] + sides[j] if sides[i] < sides[j] else sides[j] + sides[i]

    def match(i: int, j: int) -> str | None:
        pair = pair_key(i, j)
        if pair not in cache.verdicts:
            for k in (i, j):
                if k in packed_bodies:
                    words, packed = packed_bodies.pop(k)
                    bodies[k] = (words, frozenset(array("q", packed)))
                elif k not in bodies:
                    bodies[k] = _shingles(articles[k])
            cache.verdicts[pair] = _match(articles[i], articles[j], features[i], features[j], bodies[i], bodies[j])
        used.verdicts[pair] = cache.verdicts[pair]
        return used.verdicts[pair]

    incremental = _incremental_candidates(features, sides, cache)
    if incremental is None:  # first run, or much changed: every candidate pair
        candidates = _candidates(features)
        kept: list[tuple[int, int]] = []
    else:  # the last run's matches that nothing can have changed, and the pairs to look at again
        candidates, kept = incremental
    needed = {k for pair in candidates for k in pair}
    packed_bodies = {k: body for k, body in packed_bodies.items() if k in needed}  # the rest are never compared

    matches: list[tuple[tuple, tuple, int, int, str]] = []
    for i, j in chain(candidates, kept):
        reason = match(i, j)
        if reason:
            used.matches[pair_key(i, j)] = reason
            first, second = sorted((i, j), key=lambda k: (articles[k].source, articles[k].index))
            matches.append(((articles[first].source, articles[first].index),
                            (articles[second].source, articles[second].index), first, second, reason))
    # Join matched pairs into groups (order fixed by source paths, not input order). A group never
    # takes two articles of one file, nor two reliably dated on different days.
    group_of = list(range(len(articles)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(articles))}
    reasons: dict[int, str] = {}
    for _, _, i, j, reason in sorted(matches):
        gi, gj = group_of[i], group_of[j]
        if gi == gj:
            continue
        joined = members[gi] + members[gj]
        sources = [articles[k].source for k in joined]
        if len(set(sources)) < len(sources) or any(_dates_conflict(articles[a], articles[b])
                                                   for a in members[gi] for b in members[gj]):
            continue
        for k in members[gj]:
            group_of[k] = gi
        members[gi] = joined
        del members[gj]
        reasons.setdefault(i, f"{reason}, via {articles[j].ref}")
        reasons.setdefault(j, f"{reason}, via {articles[i].ref}")
    groups = []
    for group in members.values():
        if len(group) < 2:
            continue
        hashes = Counter(features[k].content_hash for k in group)
        ordered = sorted(group, key=lambda k: _preference(articles[k], hashes[features[k].content_hash]))
        first = ordered[0]
        # Say why each copy matches the published one; a copy joined through a third copy says so.
        copies = [(articles[k], match(first, k) or reasons[k]) for k in ordered[1:]]
        groups.append((articles[first], copies))
    if incremental is not None:  # verdicts on pairs not looked at again stay valid while both sides exist
        live = set(sides)
        used.verdicts.update((pair, verdict) for pair, verdict in cache.verdicts.items()
                             if pair not in used.verdicts and pair[:16] in live and pair[16:] in live)
    # Keep what this archive still holds.
    cache.features, cache.verdicts, cache.matches = used.features, used.verdicts, used.matches
    cache.sides = dict(zip(sides, keys, strict=True))
    return sorted(groups, key=lambda g: (g[0].source, g[0].index))


def merge_duplicates(result: ExtractResult, cache: DuplicateCache | None = None) -> ExtractResult:
    """Keep one copy of each article; record the others on it and on their files' outcomes.

    Returns a new result: `articles` are the copies to publish (input order kept), `merged` the
    others (each with `duplicate_of`), and every outcome says what became of its file's articles.
    """
    groups = find_duplicates(result.articles, cache)
    if not groups:
        return result
    kept: dict[int, Article] = {}  # id of an original record → its annotated copy
    merged: list[Article] = []
    outcomes = {o.source: replace(o, merged=list(o.merged), duplicates=list(o.duplicates)) for o in result.outcomes}
    for published, copies in groups:
        kept[id(published)] = replace(published, duplicates=sorted(copy.ref for copy, _ in copies))
        own = outcomes.get(published.source)
        for copy, reason in copies:
            merged.append(replace(copy, duplicate_of=published.ref))
            if own is not None:
                own.duplicates.append(copy.ref)
            theirs = outcomes.get(copy.source)
            if theirs is not None:
                theirs.merged.append({"article": copy.ref, "kept": published.ref, "reason": reason})
    merged_ids = {id(copy) for _, copies in groups for copy, _ in copies}
    articles = [kept.get(id(a), a) for a in result.articles if id(a) not in merged_ids]
    for outcome in outcomes.values():
        outcome.duplicates.sort()
        outcome.merged.sort(key=lambda m: m["article"])
        if outcome.status == "ok" and outcome.merged and len(outcome.merged) >= outcome.articles:
            main = next((m for m in outcome.merged if m["article"] == outcome.source), outcome.merged[0])
            outcome.status, outcome.duplicate_of = "duplicate", main["kept"]
            outcome.reason = f"same article as {main['kept']} ({main['reason']})"
    return ExtractResult(outcomes=[outcomes[o.source] for o in result.outcomes], articles=articles,
                         merged=_in_order(merged, result.articles), correction_errors=result.correction_errors)


def _in_order(subset: Iterable[Article], original: list[Article]) -> list[Article]:
    position = {(a.source, a.index): i for i, a in enumerate(original)}
    return sorted(subset, key=lambda a: position[(a.source, a.index)])
