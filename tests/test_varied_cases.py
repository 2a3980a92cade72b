"""The extractor against the hand-labelled varied corpus in tests/cases/.

Each case is NAME.txt (raw page text, in the encoding named by its truth) plus NAME.json (the
truth, same schema as the devset truth files). The real CLI runs once as a subprocess over all
cases:

    python -m generator extract tests/cases/*.txt --format jsonl

and every case then gets its own test that checks title, date, time, publisher, encoding, body
token F1 and, for two-article files, the second article. Tokenisation, F1 and the publisher rule
are copied from the shared scorer (score_extraction.py) so this test judges exactly like it.

Set VARIED_CASES_JSONL=path/to/output.jsonl to check a saved extractor output instead of running
the CLI (useful when comparing runs, and how this file's own checks were verified).
"""

from __future__ import annotations

import codecs
import collections
import datetime as dt
import json
import os
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = ROOT / "tests" / "cases"
BODY_F1_MIN = 0.9
CLI_TIMEOUT_S = 600

# --- copied from score_extraction.py (keep in step with it) -------------------------------------
PUNCT = re.compile(r"[^\w\u0600-\u06FF]+")
DIACRITICS = re.compile(r"[\u064B-\u0652\u0670\u0640]")  # tashkeel, superscript alef, tatweel


def norm(text):
    text = unicodedata.normalize("NFKC", text or "").replace("\u00a0", " ")
    return " ".join(text.split())


def tokens(text):
    text = DIACRITICS.sub("", norm(text))
    return [t for t in PUNCT.sub(" ", text).split() if t]


def f1(pred, gold):
    p, g = collections.Counter(pred), collections.Counter(gold)
    common = sum((p & g).values())
    if not p and not g:
        return 1.0, 1.0, 1.0
    prec = common / sum(p.values()) if p else 0.0
    rec = common / sum(g.values()) if g else 0.0
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


def same_publisher(pred, truth):
    if truth.get("publisher") is None:
        return pred in (None, "")
    if not pred:
        return False
    names = [truth["publisher"], *truth.get("publisher_aliases", [])]
    p = norm(pred)
    return any(p == norm(n) or norm(n) in p or (len(p) >= 3 and p in norm(n)) for n in names)


# -------------------------------------------------------------------------------------------------


def load_truths() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(CASES_DIR.glob("*.json"))}


TRUTHS = load_truths()


def canonical_encoding(name: str | None) -> str | None:
    """'windows-1256' and 'cp1256' are the same codec; 'utf-8' and 'utf-8-sig' are not."""
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.strip().lower()


def body_of(record: dict) -> str:
    return "\n\n".join(record.get("paragraphs") or [])


@dataclass
class Extraction:
    records: dict[str, list[dict]]  # input file name -> its records, by index
    returncode: int
    stderr: str
    bad_lines: list[str]
    origin: str = "CLI"

    def context(self) -> str:
        tail = "\n".join(self.stderr.strip().splitlines()[-15:])
        extra = ""
        if self.bad_lines:
            extra = f"\n{len(self.bad_lines)} stdout line(s) were not JSON, first: {self.bad_lines[0][:200]!r}"
        if not (self.returncode or tail or extra):
            return ""
        return f"[{self.origin}, exit status {self.returncode}]{extra}\n{tail}".rstrip()


def parse_jsonl(text: str) -> tuple[dict[str, list[dict]], list[str]]:
    records: dict[str, list[dict]] = collections.defaultdict(list)
    bad = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            bad.append(line)
            continue
        if isinstance(rec, dict) and rec.get("source"):
            records[Path(rec["source"]).name].append(rec)
        else:
            bad.append(line)
    for recs in records.values():
        recs.sort(key=lambda r: r.get("index") or 0)
    return dict(records), bad


@pytest.fixture(scope="module")
def extraction() -> Extraction:
    saved = os.environ.get("VARIED_CASES_JSONL")
    if saved:
        records, bad = parse_jsonl(Path(saved).read_text(encoding="utf-8"))
        return Extraction(records, 0, "", bad, origin=f"saved output {saved}")
    files = [str(CASES_DIR / t["file"]) for t in TRUTHS.values()]
    cmd = [sys.executable, "-m", "generator", "extract", *files, "--format", "jsonl"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=CLI_TIMEOUT_S, check=False)
    records, bad = parse_jsonl(proc.stdout.decode("utf-8", errors="replace"))
    return Extraction(records, proc.returncode, proc.stderr.decode("utf-8", errors="replace"), bad)


def check_case(truth: dict, records: list[dict]) -> list[str]:
    """Every way the records for one input fall short of its truth, as readable lines."""
    if not records:
        return ["no record for this file in the extractor output"]
    main = records[0]
    problems = []
    if norm(main.get("title")) != norm(truth["title"]):
        problems.append(f"title: got {main.get('title')!r}, want {truth['title']!r}")
    if main.get("date") != truth["date"]:
        problems.append(
            f"date: got {main.get('date')!r} (source {main.get('date_source')!r}), want {truth['date']!r}"
        )
    if truth.get("time") is not None:
        allowed = [truth["time"], *truth.get("time_alternatives", [])]
        if main.get("time") not in allowed:
            problems.append(f"time: got {main.get('time')!r}, want {truth['time']!r}")
    if not same_publisher(main.get("publisher"), truth):
        want = [truth["publisher"], *truth.get("publisher_aliases", [])] if truth["publisher"] else None
        problems.append(f"publisher: got {main.get('publisher')!r}, want {want!r}")
    if canonical_encoding(main.get("encoding")) != canonical_encoding(truth["encoding"]):
        problems.append(f"encoding: got {main.get('encoding')!r}, want {truth['encoding']!r}")
    prec, rec, score = f1(tokens(body_of(main)), tokens(truth["body"]))
    if score < BODY_F1_MIN:
        got = body_of(main)
        problems.append(
            f"body F1 {score:.3f} < {BODY_F1_MIN} (precision {prec:.3f}, recall {rec:.3f}); "
            f"{len(main.get('paragraphs') or [])} paragraphs, starts {got[:80]!r}, ends {got[-80:]!r}"
        )
    second = truth.get("second_article")
    if second:
        others = [r for r in records if r.get("index") == 1]
        if not others:
            problems.append(f"second article: no record with index 1, want title {second['title']!r}")
        elif norm(others[0].get("title")) != norm(second["title"]):
            problems.append(f"second article title: got {others[0].get('title')!r}, want {second['title']!r}")
    return problems


@pytest.mark.parametrize("case", sorted(TRUTHS))
def test_varied_case(case: str, extraction: Extraction) -> None:
    truth = TRUTHS[case]
    problems = check_case(truth, extraction.records.get(truth["file"], []))
    if problems:
        pytest.fail(f"{case}:\n  " + "\n  ".join(problems) + f"\n{extraction.context()}", pytrace=False)


# --- the corpus itself: cheap checks that the truth files are well-formed and match their inputs --

BIDI_CONTROLS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
REQUIRED = ("file", "encoding", "title", "date", "time", "publisher", "byline", "tags", "body")
ENCODINGS = {"utf-8", "utf-8-sig", "utf-16", "windows-1256", "iso-8859-6"}


def decoded_text(truth: dict) -> str:
    data = (CASES_DIR / truth["file"]).read_bytes()
    text = data.decode(truth["encoding"])  # strict: the named encoding must decode the file
    return BIDI_CONTROLS.sub("", text.replace("\r\n", "\n").lstrip("\ufeff"))


def test_corpus_is_big_and_varied() -> None:
    assert len(TRUTHS) >= 16
    encodings = {t["encoding"] for t in TRUTHS.values()}
    assert encodings >= ENCODINGS, f"missing encodings: {ENCODINGS - encodings}"
    assert any(t["date"] is None for t in TRUTHS.values())
    assert any(t.get("second_article") for t in TRUTHS.values())
    raw = [(CASES_DIR / t["file"]).read_bytes() for t in TRUTHS.values()]
    assert any(b"\r\n" in r for r in raw), "no CRLF fixture"
    assert any("\u200f".encode() in r for r in raw), "no bidi-control fixture"


@pytest.mark.parametrize("case", sorted(TRUTHS))
def test_truth_matches_its_input(case: str) -> None:
    truth = TRUTHS[case]
    missing = [k for k in REQUIRED if k not in truth]
    assert not missing, f"truth lacks {missing}"
    assert truth["file"] == f"{case}.txt"
    assert truth["encoding"] in ENCODINGS
    raw = (CASES_DIR / truth["file"]).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (truth["encoding"] == "utf-8-sig")
    assert raw.startswith((b"\xff\xfe", b"\xfe\xff")) == (truth["encoding"] == "utf-16")
    text = decoded_text(truth)
    lines = {line.strip() for line in text.splitlines()}
    # A headline stands on its own line, or after the site's name ("الوادي نيوز - <headline>").
    assert any(line == truth["title"] or line.endswith(" " + truth["title"]) for line in lines), \
        "title is not a line of the input"
    if truth["date"] is not None:
        dt.date.fromisoformat(truth["date"])
    if truth["time"] is not None:
        assert re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", truth["time"])
    for paragraph in truth["body"].split("\n\n"):
        assert paragraph == paragraph.strip() and paragraph, "empty or padded paragraph"
        assert paragraph in text, f"body paragraph not in the input: {paragraph[:60]!r}"
    for tag in truth["tags"]:
        assert tag in text, f"tag not in the input: {tag!r}"
    if truth["publisher"] is not None:
        names = [truth["publisher"], *truth.get("publisher_aliases", [])]
        assert any(n in text for n in names), "publisher not named in the input"
    if truth.get("byline"):
        assert truth["byline"] in text
    second = truth.get("second_article")
    if second:
        assert second["title"] in lines
        assert second["body_first_words"] in text


def test_scoring_helpers_behave() -> None:
    """The copied scorer pieces: tokens drop punctuation/diacritics, F1 is symmetric and exact."""
    assert tokens("قالَ «الوزير» اليوم: 3.5%") == ["قال", "الوزير", "اليوم", "3", "5"]
    assert tokens("ســوريا،") == ["سوريا،"]  # like the scorer: tatweel dropped, Arabic comma is a letter
    assert f1(["a", "b"], ["a", "b"])[2] == 1.0
    assert f1([], ["a"])[2] == 0.0
    prec, rec, score = f1(["a", "b", "c", "d"], ["a", "b"])
    assert (prec, rec) == (0.5, 1.0) and abs(score - 2 / 3) < 1e-9
    truth = {"publisher": "جريدة الشرق الأوسط", "publisher_aliases": ["الشرق الأوسط"]}
    assert same_publisher("الشرق الأوسط", truth) and same_publisher("© 2022 جريدة الشرق الأوسط", truth)
    assert not same_publisher("الاتحاد", truth) and not same_publisher(None, truth)
    assert same_publisher(None, {"publisher": None}) and not same_publisher("x", {"publisher": None})
    assert canonical_encoding("cp1256") == canonical_encoding("windows-1256")
    assert canonical_encoding("utf-8") != canonical_encoding("utf-8-sig")
