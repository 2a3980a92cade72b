"""Incremental generation: add, change and remove one article in a large archive.

    python benchmarks/incremental.py [--count 5000] [--keep DIR | --work-dir DIR] [--seed N]

1. Sets up an archive root of N synthetic article files with every translation in the memory
   (benchmarks/site.py's `prepare`: no model needed), and generates it once (not timed: the
   first run also writes the build manifest, .cache/build-manifest.pickle).
2. Times the generator part of a build, `generator.pipeline.generate.generate_docs` (extract → merge
   duplicates → translate → render docs/archive/ → manifest and report), each in a fresh process
   after its imports, for: nothing changed; one new article file; the same file changed (its
   body); the file removed. Prints the seconds and the pages written/removed for each.
3. Checks the result: docs/archive/ after this sequence is byte-identical to a clean generation
   of the same seeds in a fresh root (no manifest).

Target (issue 6): ≤ 2 s for each single-article step at 5,000 articles. The MkDocs build that
follows is not part of this figure (benchmarks/site.py measures it).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT / "benchmarks"))  # for scratch.py

from scratch import machine_state, scratch_folder  # noqa: E402  (benchmarks/scratch.py: where, and why)

STEP = """
import json, sys, time
from pathlib import Path
from generator.config import Settings
from generator.pipeline.generate import generate_docs
start = time.perf_counter()
summary = generate_docs(Settings.for_root(Path(sys.argv[1])))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "written": summary.written, "removed": summary.removed,
                  "articles": summary.articles}))
"""

NEW_ARTICLE = """الرئيسية | أخبار | سياسة
الأحد 22 نوفمبر 2026
وزير الخارجية يبحث مع نظيره الروسي ملفات المنطقة في اتصال هاتفي
موسكو - (وكالات)
بحث وزير الخارجية مع نظيره الروسي سيرغي لافروف، في اتصال هاتفي اليوم، تطورات الأوضاع في المنطقة.
وقال بيان للوزارة إن الجانبين أكدا أهمية مواصلة التنسيق والتشاور إزاء القضايا ذات الاهتمام المشترك.
وأضاف البيان أن الوزيرين اتفقا على عقد لقاء قريب لمتابعة ما تم بحثه.
الوسوم: روسيا، دبلوماسية
"""


def _load(name: str, file: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def run_step(root: Path, env: dict[str, str]) -> dict:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", STEP, str(root)], capture_output=True, text=True, env=env,
                            cwd=root)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"generate_docs failed:\n{result.stderr[-3000:]}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["process_seconds"] = wall
    return data


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=5000, help="article files in the archive (default 5000)")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR (new or empty) and keep it")
    ap.add_argument("--work-dir", metavar="DIR", help="make the temporary folder in DIR (default: .bench/)")
    ap.add_argument("--seed", type=int, default=20261122)
    args = ap.parse_args()
    site = _load("bench_site", "site.py")
    synth = site._load_synthesiser()
    if args.keep:
        work = Path(args.keep)
        work.mkdir(parents=True, exist_ok=True)
        return run(work, args, site, synth)
    with scratch_folder("incremental-", args.work_dir) as work:
        return run(work, args, site, synth)


def run(work: Path, args: argparse.Namespace, site, synth) -> int:
    root = work / "archive"
    print(f"machine: {machine_state(work)}", flush=True)
    prepared = site.prepare(root, args.count, args.seed, synth)
    env = site.build_env(prepared)
    print(f"N={args.count}: {prepared.articles} articles, memory {prepared.memory_entries} entries; "
          f"setup {prepared.seconds:.1f} s (not timed)", flush=True)
    first = run_step(root, env)
    print(f"  first generation (no manifest): {first['seconds']:.2f} s, {first['written']} pages written")

    seeds = root / "seeds"
    new = seeds / "zz-incremental-new.txt"
    steps = [("nothing changed", lambda: None),
             ("add one article", lambda: new.write_text(NEW_ARTICLE, encoding="utf-8")),
             ("change that article", lambda: new.write_text(NEW_ARTICLE.replace(
                 "وأضاف البيان", "وأوضح البيان في ختامه"), encoding="utf-8")),
             ("remove that article", lambda: new.unlink())]
    rows = []
    for label, change in steps:
        change()
        data = run_step(root, env)
        rows.append((label, data))
        print(f"  {label:22s} generate_docs {data['seconds']:.2f} s (process {data['process_seconds']:.2f} s), "
              f"{data['written']} pages written, {data['removed']} removed", flush=True)

    clean = work / "clean"
    shutil.copytree(root, clean, symlinks=True, ignore=shutil.ignore_patterns(".cache", "archive", "site", "build"))
    shutil.copytree(root / "docs", clean / "docs", dirs_exist_ok=True, ignore=shutil.ignore_patterns("archive"))
    clean_env = dict(env, PYTHONPATH=str(clean))
    run_step(clean, clean_env)
    identical = tree(root / "docs" / "archive") == tree(clean / "docs" / "archive")
    print(f"  docs/archive/ after the sequence identical to a clean generation: {'yes' if identical else 'NO'}")

    print()
    print("| step | generate_docs s | process s | pages written | pages removed |")
    print("|---|---:|---:|---:|---:|")
    for label, data in rows:
        print(f"| {label} | {data['seconds']:.2f} | {data['process_seconds']:.2f} | {data['written']} | "
              f"{data['removed']} |")
    worst = max(data["seconds"] for label, data in rows if label != "nothing changed")
    print(f"incremental_seconds_max={worst:.3f}")
    print(f"load average: {os.getloadavg()[0]:.2f}")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
