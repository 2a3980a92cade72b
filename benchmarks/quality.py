"""Extraction quality on real pages, leave-one-outlet-out: `python benchmarks/quality.py [--real DIR]`.

For each outlet in ../shared/devset/real (mirrors of one site count as one outlet), the line model
is retrained without that outlet's pages, and that outlet's pages are extracted with it; the seeds
and tests/cases are always in training (they are not scored here). The records are then scored by
the shared scorer (../shared/tools/score_extraction.py), for all pages and for two subsets:

* UNREAD: 19 pages (14 outlets) chosen before any page of the corpus was read, by a hash of the
  outlet's name (sha1 % 3 == 0). The hand-written rules (dates, publishers, title clean-up) were
  written without reading them, so on these pages the rules are not fitted either.
* READ: the 21 other pages, read while writing the rules: their scores are fitted for the rules
  (the model is still scored leave-one-outlet-out).

Options: --table-blind also removes the page's own outlet from the known-outlets table while
extracting it (what a page from an outlet missing in the table gets). Prints one summary line per
set; `--cases` prints a row per page of the READ set. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.extract import extract_articles  # noqa: E402
from generator.extract.labeller import LineLabeller  # noqa: E402
from generator.read.source import read_source  # noqa: E402
from generator.text.lexicon import outlets_excluding  # noqa: E402
from generator.training.train import DEFAULT_REAL, load_corpora, train  # noqa: E402

SCORER = ROOT.parent / "shared" / "tools" / "score_extraction.py"
UNREAD = frozenset(["g01", "g06", "g09", "g16", "g17", "g20", "l01", "l03", "l09", "l11", "l12", "l14", "l16",
                    "l18", "m02", "m03", "m06", "m10", "m12"])


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def score(records: list[dict], truth: Path, ids: set[str], show: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out, truths = Path(tmp) / "out.jsonl", Path(tmp) / "truth"
        truths.mkdir()
        for page_id in ids:
            (truths / f"{page_id}.json").write_bytes((truth / f"{page_id}.json").read_bytes())
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        args = [sys.executable, str(SCORER), "--truth", str(truths), str(out)]
        if show:
            print(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
        result = subprocess.run([*args, "--json"], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--real", type=Path, default=DEFAULT_REAL)
    parser.add_argument("--table-blind", action="store_true", help="hide each page's own outlet from the table")
    parser.add_argument("--cases", action="store_true", help="print a row per READ page")
    parser.add_argument("--synthetic", type=int, default=None, help="synthetic training pages (default: as shipped)")
    args = parser.parse_args()
    if not (args.real / "truth").is_dir() or not SCORER.exists():
        print(f"skipped: {args.real} or {SCORER} not found")
        return 0
    started = time.perf_counter()
    corpora = load_corpora(args.real)
    records: list[dict] = []
    groups = sorted({p.group for p in corpora.real})
    with tempfile.TemporaryDirectory() as tmp:
        for group in groups:
            kwargs = {} if args.synthetic is None else {"synthetic_count": args.synthetic}
            labeller = LineLabeller(train(corpora, Path(tmp) / group, exclude_group=group, **kwargs))
            for page in (p for p in corpora.real if p.group == group):
                domains = {page.truth.get("source_url") or ""} if args.table_blind else set()
                with outlets_excluding(domains):
                    source = read_source(page.path)
                    for article in extract_articles(source, page.path.name, labeller=labeller):
                        records.append(article.to_json())
    seconds = time.perf_counter() - started
    ids = {p.id for p in corpora.real}
    print(f"leave-one-outlet-out over {len(groups)} outlets, {len(ids)} pages; {seconds:.1f} s on {_cpu()}, "
          f"{os.cpu_count()} cores" + ("; table-blind" if args.table_blind else ""))
    for name, subset in (("ALL", ids), ("UNREAD", ids & UNREAD), ("READ", ids - UNREAD)):
        summary = score(records, args.real / "truth", subset, show=args.cases and name == "READ")
        fields = " ".join(f"{k}={summary[k]:.3f}" for k in ("title", "date", "time", "publisher", "body_p",
                                                                "body_r", "body_f1"))
        print(f"{name:6} pages={summary['cases']:2} {fields}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
