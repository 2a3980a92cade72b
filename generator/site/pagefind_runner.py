"""Runs Pagefind over one language's search bundles, one after another (generator/site/search.py),
so that one Pagefind process of this language is in memory at a time.

    python -m generator.site.pagefind_runner LANGUAGE_ROOT BUNDLE GLOB [BUNDLE GLOB ...]

Exits with the status of the first run that failed, after printing its output.
"""

from __future__ import annotations

import subprocess
import sys


def main(argv: list[str]) -> int:
    if len(argv) < 3 or len(argv) % 2 == 0:
        print("usage: pagefind_runner LANGUAGE_ROOT BUNDLE GLOB [BUNDLE GLOB ...]", file=sys.stderr)
        return 2
    root, pairs = argv[0], argv[1:]
    for bundle, glob in zip(pairs[0::2], pairs[1::2], strict=True):
        done = subprocess.run([sys.executable, "-m", "pagefind", "--site", root, "--glob", glob,
                               "--output-subdir", bundle, "--silent"], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.stdout.write(done.stdout)
            sys.stderr.write(done.stderr)
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
