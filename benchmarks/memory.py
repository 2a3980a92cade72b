"""Translation memory at archive scale: `python benchmarks/memory.py [--entries 1000000] [--keep DIR]`.

Writes a synthetic memory of N entries (Arabic-like sentences of 12-30 words, 15-40 target pieces
with their alignment: about 900 bytes a line, heavier than the ~590 of a real model's output) through
`TranslationMemory.add` and `compact`, then opens it in a fresh process and prints how long that took
and the process's peak memory, with the shards' sizes. Targets (issue 20): a million entries open in
<= 5 s using <= 1 GB; no shard near GitHub's 50 MB warning. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.translate.memory import MemoryEntry, TranslationMemory, memory_path  # noqa: E402

MODEL = "translate-ar_en@1.0"


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def write(folder: Path, count: int) -> float:
    rng = random.Random(1)
    words = [f"كلمة{n}" for n in range(5000)]
    memory = TranslationMemory(folder, MODEL)
    start = time.perf_counter()
    batch: list[MemoryEntry] = []
    for n in range(count):
        src = " ".join(rng.choice(words) for _ in range(rng.randint(12, 30))) + f" {n}."
        pieces = [f"▁w{rng.randint(0, 30000)}" for _ in range(rng.randint(15, 40))]
        align = [[rng.randint(0, 100), rng.randint(100, 200)] for _ in pieces]
        batch.append(MemoryEntry(src, pieces, align, "ctranslate2 4.8.5", "2026-12-07"))
        if len(batch) == 50_000:
            memory.add(batch)
            batch = []
    memory.add(batch)
    memory.compact()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the memory here (new folder) and keep it; "
                        "an existing one is only opened")
    parser.add_argument("--open", type=Path, help=argparse.SUPPRESS)  # the child process: open and report
    args = parser.parse_args()
    if args.open:
        start = time.perf_counter()
        memory = TranslationMemory(args.open, MODEL)
        seconds = time.perf_counter() - start
        # VmHWM: this process's peak resident memory (ru_maxrss would carry the parent's over exec).
        status = Path("/proc/self/status").read_text()
        peak = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 2**20
        print(f"opened {len(memory):,} entries in {seconds:.1f} s; peak memory {peak:.2f} GiB")
        return 0
    with tempfile.TemporaryDirectory(dir=ROOT / ".bench" if (ROOT / ".bench").is_dir() else None) as tmp:
        folder = memory_path(args.keep or Path(tmp), MODEL)
        print(f"{args.entries:,} entries on {_cpu()}")
        if not folder.exists():
            print(f"written (add + compact) in {write(folder, args.entries):.1f} s")
        sizes = sorted(p.stat().st_size for p in folder.glob("*.jsonl"))
        print(f"{len(sizes)} shards, {sum(sizes) / 2**20:.0f} MiB, the largest {sizes[-1] / 2**20:.1f} MiB")
        subprocess.run([sys.executable, __file__, "--open", str(folder)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
