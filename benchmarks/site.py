"""Site build cost: `mkdocs build` of N synthetic articles with every translation already cached.

    python benchmarks/site.py [--counts 1000,4000] [--repeat 3] [--keep DIR | --work-dir DIR] [--seed N]
                              [--pad-memory] [--profile]

For each count N:

1. Makes a temporary archive root (under .bench/ beside the repository; benchmarks/scratch.py says
   why not /tmp): copies mkdocs.yml, the hand-written pages of docs/ (not docs/archive/) and
   overrides/ from the repository, copies generator/ (the build then imports this checkout's code as
   it was when the benchmark started)
   and synthesises N varied raw article files into <root>/seeds/ with benchmarks/extract.py's
   generator (a few files hold a second article).
2. "Translation cached" (setup, not timed): extracts the articles in-process, lists every sentence
   unit with generator.translate.engine._units and writes a made-up but well-formed MemoryEntry for each
   (English "▁word" pieces, about 1.2 per Arabic word; monotone [start, end) alignment spans into the
   source sentence) into <root>/translations/memory/translate-ar_en@1.0.jsonl. No Argos package is
   visible to the build: ARGOS_PACKAGES_DIR / ARCHIVE_PACKAGES_DIR point to an empty folder, and
   HOME / XDG_DATA_HOME into the temporary folder.
   The synthesiser draws body sentences from a pool of about 200, so the memory holds far fewer
   distinct sentences than a real archive (where almost every sentence is new). --pad-memory adds
   made-up entries, of the same lengths, until the memory holds one entry per unit occurrence: the
   size a real archive's memory would have, which is what loading and compacting it cost.
3. Times, with time.perf_counter, the whole command

       python -m mkdocs build -f <root>/mkdocs.yml -d <root>/site

   (the archive plugin runs extract → translate, all from memory → render, then MkDocs builds both languages),
   --repeat times from no generated output (the figure is their median: the VM's speed varies by up
   to 1.7x within minutes), then the same command again with nothing changed (the rebuild cost).
   Before each timed build it waits, up to 7 minutes, until creating a file is fast again
   (benchmarks/scratch.py: deleting many files slows file creation nearby for minutes on this
   filesystem), and the outputs of an earlier build are moved aside, not deleted, for the same
   reason. Checks: exit status 0, an Arabic and an English page for every article
   (site/archive/articles, site/en/archive/articles),
   and translation "pending" == 0 in <root>/build/report.json. Reports the "archive:" summary line,
   the number of HTML files and the size of site/.
   Then adds one article (--update-article: of the archive's newest year, as a growing archive
   gets them, or of any date) with its sentences in the memory and times the same command again
   ("update"); --verify-update then builds from nothing and compares every file of site/. Each
   build runs under a small parent that reports the largest resident set of any one process
   (the build, its forks, Pagefind).
4. With --profile, also runs the first build under cProfile (not timed; cProfile slows it down)
   and prints where the time goes: extraction, translation memory, rendering, and MkDocs per phase.

Prints a table; the last lines are `site_seconds_<N>=<float>` per count (the median first build;
only when every check passed; exit status 1 otherwise). Targets on the 2-core machine: <= 15 s for 1,000 articles and
<= 60 s for 4,000. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import pstats
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "benchmarks"))  # for scratch.py

from scratch import machine_state, scratch_folder, settle_filesystem  # noqa: E402  (benchmarks/scratch.py)

from generator.config import Settings  # noqa: E402
from generator.pipeline.extraction import extract_all  # noqa: E402
from generator.translate.engine import _units  # noqa: E402
from generator.translate.memory import MemoryEntry, TranslationMemory, memory_path  # noqa: E402

TARGETS = {1000: 15.0, 4000: 60.0, 20000: 120.0, 50000: 480.0}
MODEL_ID = "translate-ar_en@1.0"
ENGINE = "ctranslate2 4.8.5"
DATE = "2026-11-22"


def _load_synthesiser():
    """benchmarks/extract.py, loaded from its file (a module named `extract` would be ambiguous)."""
    spec = importlib.util.spec_from_file_location("bench_extract", ROOT / "benchmarks" / "extract.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- setup ------------------------------------------------------------------------------------------

SYLLABLES = ["ad", "al", "an", "ar", "be", "con", "de", "di", "en", "er", "for", "gov", "in", "is", "la", "lo",
             "man", "mi", "na", "ne", "or", "pa", "pro", "re", "ri", "sa", "se", "st", "ta", "te", "ti", "un",
             "ver", "vi", "wa", "we"]
SUFFIXES = ["s", "ed", "ing", "ly", "ion", "er"]


def english_vocabulary(rng: random.Random, size: int = 2000) -> list[str]:
    words = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))) for _ in range(size * 2)}
    return sorted(words)[:size]


def fake_translation(sentence: str, rng: random.Random, vocab: list[str]) -> tuple[list[str], list[list[int]]]:
    """Made-up English pieces (about 1.2 per Arabic word) and monotone source spans, one per piece."""
    spans = [[m.start(), m.end()] for m in re.finditer(r"\S+", sentence)] or [[0, len(sentence)]]
    count = max(1, round(1.2 * len(spans)))
    pieces, align = [], []
    for i in range(count):
        word = spans[min(len(spans) - 1, i * len(spans) // count)]
        if i and rng.random() < 0.15:
            pieces.append(rng.choice(SUFFIXES))  # continuation piece of the previous word
        else:
            piece = rng.choice(vocab)
            pieces.append("\u2581" + (piece.capitalize() if i == 0 else piece))
        align.append(list(word))
    if sentence.rstrip()[-1:] in ".!؟?":
        pieces[-1] = pieces[-1] + "."
    return pieces, align


@dataclass
class Prepared:
    root: Path
    articles: int
    units: int
    unique_units: int
    empty_packages: Path
    seconds: float
    memory_entries: int = 0
    memory_bytes: int = 0
    newest_year: str = ""  # of the articles' dates


def prepare(root: Path, count: int, seed: int, synth, pad: bool = False) -> Prepared:
    """Archive root with N seed files and a translation memory holding every unit they need."""
    start = time.perf_counter()
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", root / "docs", ignore=lambda d, names: ["archive"] if Path(d) == ROOT / "docs"
                    else [])
    shutil.copytree(ROOT / "overrides", root / "overrides")
    # A copy, not a link: the code measured stays the code the benchmark started with.
    shutil.copytree(ROOT / "generator", root / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    synth.synthesise(root / "seeds", count, seed)

    result = extract_all([str(root / "seeds")], Settings.for_root(root))
    all_units = [u for article in result.articles for u in _units(article)]
    unique = list(dict.fromkeys(all_units))
    rng = random.Random(seed)
    vocab = english_vocabulary(rng)
    memory = TranslationMemory(memory_path(root / "translations" / "memory", MODEL_ID), MODEL_ID)
    entries = []
    for unit in unique:
        pieces, align = fake_translation(unit, rng, vocab)
        entries.append(MemoryEntry(unit, pieces, align, ENGINE, DATE))
    if pad:  # one entry per unit occurrence: variants of the repeated units, never looked up
        seen: set[str] = set()
        for n, unit in enumerate(all_units):
            if unit in seen:
                variant = f"{unit} ({n})"
                entries.append(MemoryEntry(variant, *fake_translation(variant, rng, vocab), ENGINE, DATE))
            seen.add(unit)
    for i in range(0, len(entries), 5000):
        memory.add(entries[i: i + 5000])
    memory.compact()

    empty = root.parent / "no-packages"
    for folder in (empty, root.parent / "home", root.parent / "xdg-data"):
        folder.mkdir(parents=True, exist_ok=True)
    return Prepared(root, len(result.articles), len(all_units), len(unique), empty, time.perf_counter() - start,
                    len(memory), sum(p.stat().st_size for p in memory.path.glob("*.jsonl")),
                    max((a.date[:4] for a in result.articles if a.date), default=""))


# --- build and check --------------------------------------------------------------------------------


def build_env(prepared: Prepared) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "NO_MKDOCS_2_WARNING": "1",
        "ARGOS_PACKAGES_DIR": str(prepared.empty_packages),
        "ARCHIVE_PACKAGES_DIR": str(prepared.empty_packages),
        "HOME": str(prepared.root.parent / "home"),
        "XDG_DATA_HOME": str(prepared.root.parent / "xdg-data"),
        "PYTHONPATH": str(prepared.root),  # `generator` through the symlink, whatever the cwd
    })
    env.pop("ARCHIVE_REQUIRE_TRANSLATION", None)
    return env


@dataclass
class Build:
    seconds: float
    returncode: int
    summary: str
    stderr_tail: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0  # user + system time of the build and the processes it waited for
    sys_seconds: float = 0.0  # of which system (kernel) time
    retried: str = ""
    peak_bytes: int = 0  # the largest resident set of any one process of the build (it or a child)


def _children_cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_stime


def reset_outputs(prepared: Prepared) -> None:
    """Back to the state before a first build: no generated pages, no site, no report, no manifest.

    The outputs are moved into a folder beside the archive, removed with the scratch folder at the
    end: deleting them here would slow the next build's file creation (benchmarks/scratch.py)."""
    aside = prepared.root.parent / "earlier-outputs"
    aside.mkdir(exist_ok=True)
    target = Path(tempfile.mkdtemp(dir=aside))
    for folder in (prepared.root / "docs" / "archive", prepared.root / "site", prepared.root / "build",
                   prepared.root / ".cache"):
        if folder.exists():
            folder.rename(target / folder.name)


def run_build(prepared: Prepared, timeout: float, profile_to: Path | None = None, fresh: bool = False) -> Build:
    """One build (`fresh`: from no generated output). A build killed by a signal (from outside: the
    machine is shared) is run once more, from the same starting state."""
    if fresh:
        reset_outputs(prepared)
    build = _run_build(prepared, timeout, profile_to)
    if build.returncode < -1:
        first = f"killed by signal {-build.returncode} after {build.seconds:.0f} s, retried"
        print(f"  note: build {first}", flush=True)
        if fresh:
            reset_outputs(prepared)
        build = _run_build(prepared, timeout, profile_to)
        build.retried = first
    return build


def _run_build(prepared: Prepared, timeout: float, profile_to: Path | None = None) -> Build:
    root = prepared.root
    # Run through a small parent that reports the largest resident set among the processes it waited
    # for (RUSAGE_CHILDREN's ru_maxrss: the build, its forks and Pagefind; the largest single one).
    cmd = [sys.executable, "-c", PEAK_WRAPPER, sys.executable]
    if profile_to is not None:
        cmd += ["-m", "cProfile", "-o", str(profile_to)]
    cmd += ["-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"), "-d", str(root / "site")]
    cpu, kernel = _children_cpu()
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=root, env=build_env(prepared), capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return Build(time.perf_counter() - start, -1, "", [f"still running after {timeout:.0f} s"])
    seconds = time.perf_counter() - start
    lines = proc.stderr.splitlines()
    peak = next((int(line.split()[1]) * 1024 for line in lines if line.startswith("PEAK_RSS_KIB ")), 0)
    lines = [line for line in lines if not line.startswith("PEAK_RSS_KIB ")]
    summary = next((line for line in lines if line.startswith("archive:")), "")
    cpu_after, kernel_after = _children_cpu()
    return Build(seconds, proc.returncode, summary, lines[-8:], cpu_after - cpu, kernel_after - kernel,
                 peak_bytes=peak)


PEAK_WRAPPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
print("PEAK_RSS_KIB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def add_one_article(prepared: Prepared, synth, seed: int, newest: bool = True) -> str:
    """One more article file in seeds/ (a new synthetic page) and its sentences in the translation
    memory, as a user who saved and translated one article would have it. Returns the file name.
    `newest`: an article of the archive's newest year, as a growing archive gets them: the first
    synthetic page, by seed, that is one dated article, with its year written as the newest year
    (the synthetic archive's newest years hold a handful of its 20,000 pages, so waiting for a page
    of that year by chance found none, and the update measured was of an older article); else
    whatever date the seed gives."""
    settings = Settings.for_root(prepared.root)
    for attempt in range(2000):
        incoming = prepared.root.parent / f"incoming-{seed}-{attempt}"
        synth.synthesise(incoming, 1, seed + attempt)
        source = next(incoming.iterdir())
        result = extract_all([str(source)], settings)
        if not newest:
            break
        if len(result.articles) == 1 and result.articles[0].date:
            year = result.articles[0].date[:4]
            if year != prepared.newest_year:
                try:
                    text = source.read_text(encoding="utf-8-sig")
                except UnicodeDecodeError:  # a page in another encoding: the next one
                    continue
                arabic_digits = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
                for old, new in ((year, prepared.newest_year),
                                 (year.translate(arabic_digits), prepared.newest_year.translate(arabic_digits))):
                    text = text.replace(old, new)
                source.write_text(text, encoding="utf-8")
                result = extract_all([str(source)], settings)
            if [a.date[:4] for a in result.articles if a.date] == [prepared.newest_year]:
                break
    else:
        raise RuntimeError(f"no synthetic page of the newest year {prepared.newest_year} in 2000 attempts")
    name = f"added-{seed}.txt"
    shutil.copy2(source, prepared.root / "seeds" / name)
    result = extract_all([str(prepared.root / "seeds" / name)], settings)
    rng = random.Random(seed)
    vocab = english_vocabulary(rng)
    memory = TranslationMemory(memory_path(prepared.root / "translations" / "memory", MODEL_ID), MODEL_ID)
    units = [u for article in result.articles for u in _units(article) if memory.get(u) is None]
    memory.add([MemoryEntry(u, *fake_translation(u, rng, vocab), ENGINE, DATE) for u in dict.fromkeys(units)])
    memory.compact()
    prepared.articles += len(result.articles)
    return name


def site_digests(site: Path) -> dict[str, str]:
    """Every file of site/ (relative path -> SHA-256 of its bytes)."""
    return {path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(site.rglob("*")) if path.is_file()}


def count_pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("index.html")) if folder.is_dir() else 0


def site_parts(site: Path) -> dict[str, int]:
    """site/'s bytes (apparent sizes) by kind: article pages, other pages, search bundles, the rest."""
    parts = {"article pages": 0, "index and other pages": 0, "search (Pagefind)": 0, "assets, feeds, sitemap": 0}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix().removeprefix("en/")
        kind = ("search (Pagefind)" if rel.split("/", 1)[0] == "pagefind" or rel.startswith("pagefind-") else
                "article pages" if rel.startswith("archive/articles/") and rel.endswith(".html") else
                "index and other pages" if rel.endswith(".html") else "assets, feeds, sitemap")
        parts[kind] += path.stat().st_size
    return parts


def du_bytes(folder: Path) -> int:
    out = subprocess.run(["du", "-sk", str(folder)], capture_output=True, text=True, check=True).stdout
    return int(out.split()[0]) * 1024


@dataclass
class Outcome:
    count: int
    prepared: Prepared
    firsts: list[Build]  # the first build, --repeat times
    second: Build
    update: Build | None = None  # one article added, then the same command
    update_identical: bool | None = None  # --verify-update: site/ the same bytes as a clean build's
    html: int = 0
    site_bytes: int = 0
    parts: dict[str, int] = field(default_factory=dict)  # site/ bytes by what they are (see site_parts)
    ar_pages: int = 0
    en_pages: int = 0
    report_articles: int = 0
    pending: int | None = None
    failures: list[str] = field(default_factory=list)

    @property
    def median_first(self) -> float:
        return statistics.median(build.seconds for build in self.firsts)


def check(outcome: Outcome) -> None:
    root = outcome.prepared.root
    site = root / "site"
    labelled = [(f"first ({n + 1})", build) for n, build in enumerate(outcome.firsts)]
    updated = [("one article added", outcome.update)] if outcome.update is not None else []
    for label, build in (*labelled, ("rebuild", outcome.second), *updated):
        if build.returncode != 0:
            outcome.failures.append(f"N={outcome.count} {label} build exit status {build.returncode}: "
                                    + " | ".join(build.stderr_tail))
        elif not build.summary:
            outcome.failures.append(f"N={outcome.count} {label} build printed no 'archive:' line")
    outcome.html = sum(1 for _ in site.rglob("*.html")) if site.is_dir() else 0
    outcome.site_bytes = du_bytes(site) if site.is_dir() else 0
    outcome.parts = site_parts(site) if site.is_dir() else {}
    outcome.ar_pages = count_pages(site / "archive" / "articles")
    outcome.en_pages = count_pages(site / "en" / "archive" / "articles")
    try:
        report = json.loads((root / "build" / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        outcome.failures.append(f"N={outcome.count}: report unreadable: {error}")
        report = {}
    outcome.report_articles = int(report.get("articles", -1))
    outcome.pending = (report.get("translation") or {}).get("pending")
    if outcome.report_articles != outcome.prepared.articles:
        outcome.failures.append(f"N={outcome.count}: report lists {outcome.report_articles} articles, "
                                f"setup extracted {outcome.prepared.articles}")
    for lang, pages in (("Arabic", outcome.ar_pages), ("English", outcome.en_pages)):
        if pages != outcome.prepared.articles:
            outcome.failures.append(f"N={outcome.count}: {pages} {lang} article pages for "
                                    f"{outcome.prepared.articles} articles")
    if outcome.pending != 0:
        outcome.failures.append(f"N={outcome.count}: translation pending = {outcome.pending} (expected 0)")
    if outcome.update_identical is False:
        outcome.failures.append(f"N={outcome.count}: site/ after adding one article differs from a clean build's")


# --- profile ----------------------------------------------------------------------------------------

# (label, function as pstats names it: file suffix, function name); cumulative times, so nested
# entries overlap their parents.
PHASES = [
    ("whole build (mkdocs.commands.build.build)", "mkdocs/commands/build.py", "build"),
    ("  plugin: generate_docs", "generator/pipeline/generate.py", "generate_docs"),
    ("    fingerprint (stat of seeds/, translations/)", "generator/pipeline/generate.py", "_fingerprint"),
    ("    extract_all", "generator/pipeline/extraction.py", "extract_all"),
    ("    translate_articles (memory)", "generator/translate/engine.py", "translate_articles"),
    ("      TranslationMemory load", "generator/translate/memory.py", "_load"),
    ("      assemble (names, restore)", "generator/translate/engine.py", "_assemble"),
    ("        find_names", "generator/text/names.py", "find_names"),
    ("        restore_names", "generator/text/names.py", "restore_names"),
    ("      memory compact", "generator/translate/memory.py", "compact"),
    ("    render_site", "generator/render/pages.py", "render_site"),
    ("      front matter", "generator/render/frontmatter.py", "dump_page"),
    ("      write tree", "generator/render/pages.py", "_write_tree"),
    ("  MkDocs: get_files", "mkdocs/structure/files.py", "get_files"),
    ("  MkDocs: read pages (source + YAML meta)", "mkdocs/structure/pages.py", "read_source"),
    ("  MkDocs: Markdown → HTML", "mkdocs/structure/pages.py", "render"),
    ("  MkDocs: build pages (this process; a fork builds half)", "mkdocs/commands/build.py", "_build_page"),
    ("    article pages filled into Material's skeleton", "generator/site/skeleton.py", "render"),
    ("  MkDocs: write pages", "mkdocs/utils/__init__.py", "write_file"),
    ("  i18n: on_files", "mkdocs_static_i18n/plugin.py", "on_files"),
    ("  i18n: English build (inside on_post_build)", "mkdocs_static_i18n/plugin.py", "on_post_build"),
    ("  plugin: feeds (write_feeds)", "generator/site/feeds.py", "write_feeds"),
    ("    feeds: front matter of docs pages", "generator/site/feeds.py", "front_matter"),
    ("  plugin: sitemap (write_sitemap)", "generator/site/feeds.py", "write_sitemap"),
    ("  plugin: waiting for Pagefind (subprocesses)", "generator/site/search.py", "finish_search_index"),
]


def profile_report(path: Path, top: int = 25) -> list[str]:
    stats = pstats.Stats(str(path))
    raw = stats.stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    total = max((v[3] for v in raw.values()), default=0.0)
    lines = [f"profile (cumulative seconds under cProfile; total {total:.1f} s):"]
    for label, suffix, name in PHASES:
        found = [(v[1], v[3]) for (file, _, func), v in raw.items() if func == name and file.endswith(suffix)]
        if found:
            calls = sum(c for c, _ in found)
            seconds = max(t for _, t in found)
            lines.append(f"  {label:<52} {seconds:8.2f} s  ({calls} calls)")
    lines.append(f"top {top} functions by own time:")
    own = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    for (file, line, func), (_, calls, tt, ct, _) in own:
        short = "/".join(Path(file).parts[-2:])
        lines.append(f"  {tt:7.2f} s own {ct:7.2f} s cum {calls:>9} calls  {short}:{line}({func})")
    return lines


# --- main -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time `mkdocs build` of N synthetic articles, translations cached.")
    ap.add_argument("--counts", default="1000,4000", help="comma-separated article-file counts (default 1000,4000)")
    ap.add_argument("--keep", metavar="DIR", help="build in DIR (must be new or empty) and keep it")
    ap.add_argument("--work-dir", metavar="DIR", help="make the temporary folder in DIR (default: .bench/)")
    ap.add_argument("--repeat", type=int, default=3, help="first builds per count; the median is reported (default 3)")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds before a build is stopped")
    ap.add_argument("--pad-memory", action="store_true",
                    help="pad the translation memory to one entry per unit occurrence (real-archive size)")
    ap.add_argument("--profile", action="store_true", help="also profile one extra build per count with cProfile")
    ap.add_argument("--update-article", choices=("newest", "any"), default="newest",
                    help="the added article: of the archive's newest year (default), or of any date")
    ap.add_argument("--verify-update", action="store_true",
                    help="after the one-article update, build from nothing and compare every file of site/")
    args = ap.parse_args(argv)
    # Stopped from outside: exit through Python so the running build is killed and the temporary
    # folder removed (a plain SIGTERM would leave both behind).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        counts = [int(c) for c in args.counts.split(",") if c.strip()]
    except ValueError:
        ap.error(f"--counts {args.counts!r}: expected integers separated by commas")
    if not counts or min(counts) < 1:
        ap.error("--counts: at least one positive count")
    if args.repeat < 1:
        ap.error("--repeat: at least 1")

    if args.keep:
        work = Path(args.keep).resolve()  # the build runs mkdocs with its own working directory
        if work.exists() and any(work.iterdir()):
            ap.error(f"--keep {work}: directory is not empty")
        work.mkdir(parents=True, exist_ok=True)
        return run(work, counts, args)
    with scratch_folder("site-bench-", args.work_dir) as work:
        return run(work, counts, args)


def _before_build(folder: Path) -> str:
    waited = settle_filesystem(folder)
    return (f"waited {waited:.0f} s for the filesystem; " if waited >= 1 else "") + machine_state(folder)


def _print_build(label: str, build: Build, before: str) -> None:
    print(f"  {label} {build.seconds:7.2f} s (cpu {build.cpu_seconds:.1f} s, of which system {build.sys_seconds:.1f};"
          f" largest process {build.peak_bytes / 2**30:.2f} GiB)"
          f"  exit {build.returncode}  {build.summary}  [before: {before}]", flush=True)


def tree_state() -> str:
    """Commit and uncommitted files of the code being measured (the generator changes often)."""
    def git(*cmd: str) -> str:
        try:
            return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True, check=False).stdout
        except OSError:
            return ""
    head = git("rev-parse", "--short", "HEAD").strip() or "?"
    dirty = [line[3:] for line in git("status", "--porcelain", "--", "generator", "overrides", "docs",
                                      "mkdocs.yml").splitlines()]
    return f"{head}" + (f" + uncommitted: {', '.join(dirty)}" if dirty else "")


def run(work: Path, counts: list[int], args: argparse.Namespace) -> int:
    synth = _load_synthesiser()
    print(f"code: {tree_state()}; python {sys.version.split()[0]}; {os.cpu_count()} cores; "
          f"memory {'padded to real-archive size' if args.pad_memory else 'as synthesised'}", flush=True)
    print(f"machine: {machine_state(work)}", flush=True)
    outcomes: list[Outcome] = []
    profiles: dict[int, list[str]] = {}
    for count in counts:
        base = work / f"n{count}"
        prepared = prepare(base / "archive", count, args.seed, synth, pad=args.pad_memory)
        print(f"N={count}: {prepared.articles} articles, {prepared.units} sentence units "
              f"({prepared.unique_units} distinct); memory {prepared.memory_entries} entries, "
              f"{prepared.memory_bytes / 2**20:.1f} MiB; setup {prepared.seconds:.1f} s (not timed) "
              f"under {prepared.root}", flush=True)
        firsts = []
        for _ in range(args.repeat):
            before = _before_build(base)
            firsts.append(run_build(prepared, args.timeout, fresh=True))
            _print_build("build:  ", firsts[-1], before)
        before = _before_build(base)
        second = run_build(prepared, args.timeout)
        _print_build("rebuild:", second, before)
        name = add_one_article(prepared, synth, args.seed + 1, newest=args.update_article == "newest")
        before = _before_build(base)
        update = run_build(prepared, args.timeout)
        _print_build("update: ", update, before + f"; added seeds/{name}")
        outcome = Outcome(count, prepared, firsts, second, update)
        if args.verify_update:
            updated = site_digests(prepared.root / "site")
            clean = run_build(prepared, args.timeout, fresh=True)
            _print_build("clean:  ", clean, "to compare")
            fresh = site_digests(prepared.root / "site")
            outcome.update_identical = updated == fresh
            differing = sorted(k for k in updated.keys() | fresh.keys() if updated.get(k) != fresh.get(k))
            print(f"  update vs clean build: {'identical' if not differing else 'DIFFERENT'}: "
                  f"{len(fresh):,} files compared; differing: {differing[:5]}", flush=True)
        check(outcome)
        outcomes.append(outcome)
        if args.profile:
            # From no generated output, so the profiled build does the first build's work; afterwards
            # site/ and the report are those of the profiled build, already checked above.
            prof = base / "build.prof"
            profiled = run_build(prepared, args.timeout * 3, profile_to=prof, fresh=True)
            profiles[count] = [f"N={count}: profiled build {profiled.seconds:.1f} s (exit {profiled.returncode})",
                               *(profile_report(prof) if prof.exists() else ["  no profile written"])]

    print()
    print("| files | articles | units | build s (cpu s) | rebuild s (cpu s) | one article added s (cpu s) |"
          " largest process | HTML files | ar / en article pages | site size | target |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for o in outcomes:
        target = TARGETS.get(o.count)
        first = o.median_first
        verdict = "-" if target is None else f"≤ {target:.0f} s {'ok' if first <= target else 'OVER'}"
        spread = f" [{min(b.seconds for b in o.firsts):.1f}-{max(b.seconds for b in o.firsts):.1f}]" \
            if len(o.firsts) > 1 else ""
        update = f"{o.update.seconds:.1f} ({o.update.cpu_seconds:.0f})" if o.update else "-"
        builds = [*o.firsts, o.second, *([o.update] if o.update else [])]
        print(f"| {o.count:,} | {o.prepared.articles:,} | {o.prepared.units:,} | "
              f"{first:.1f}{spread} ({statistics.median(b.cpu_seconds for b in o.firsts):.0f}) | "
              f"{o.second.seconds:.1f} ({o.second.cpu_seconds:.0f}) | {update} | "
              f"{max(b.peak_bytes for b in builds) / 2**30:.2f} GiB | "
              f"{o.html:,} | {o.ar_pages:,} / {o.en_pages:,} | "
              f"{o.site_bytes / 2**20:.0f} MiB | {verdict} |")
    for o in outcomes:
        per = {k: v / o.prepared.articles / 1024 for k, v in o.parts.items()}
        files = sum(o.parts.values())  # what GitHub Pages publishes: the files' bytes
        print(f"N={o.count}: site/ {o.site_bytes / o.prepared.articles / 1024:.1f} KiB per article on disk; "
              f"files {files:,} bytes ({files / 1e9:.3f} GB, {files / o.prepared.articles / 1024:.2f} KiB per "
              "article): " + ", ".join(f"{k} {v:.1f} KiB" for k, v in per.items()))
    for lines in profiles.values():
        print()
        print("\n".join(lines))
    failures = [f for o in outcomes for f in o.failures]
    if failures:
        for failure in failures:
            print(f"FAIL: {failure}", file=sys.stderr)
        return 1
    for o in outcomes:
        print(f"site_seconds_{o.count}={o.median_first:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
