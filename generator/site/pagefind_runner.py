"""Runs Pagefind over one language's search bundles, one after another (generator/site/search.py).

    python -m generator.site.pagefind_runner LOCK LANGUAGE_ROOT BUNDLE GLOB [BUNDLE GLOB ...]

Each run holds an exclusive lock on the file LOCK while Pagefind works, so that the runners of one
build (one per language) never have two Pagefind processes in memory at once. Exits with the
status of the first run that failed, after printing its output.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # no flock (Windows): runs of two languages may overlap
        yield
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def main(argv: list[str]) -> int:
    if len(argv) < 4 or len(argv) % 2:
        print("usage: pagefind_runner LOCK LANGUAGE_ROOT BUNDLE GLOB [BUNDLE GLOB ...]", file=sys.stderr)
        return 2
    lock, root, pairs = Path(argv[0]), argv[1], argv[2:]
    for bundle, glob in zip(pairs[0::2], pairs[1::2], strict=True):
        with _exclusive(lock):
            done = subprocess.run([sys.executable, "-m", "pagefind", "--site", root, "--glob", glob,
                                   "--output-subdir", bundle, "--silent"], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.stdout.write(done.stdout)
            sys.stderr.write(done.stderr)
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
