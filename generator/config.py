"""All settings in one place: paths, limits and stage defaults.

Defaults suit the repository layout (seeds/ → docs/ → site/); the command line overrides them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    root: Path = PROJECT_ROOT
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    docs_dir: Path = PROJECT_ROOT / "docs"
    # A news article is well under 1 MB; refusing larger files keeps time and memory bounded.
    max_input_bytes: int = 5 * 1024 * 1024
    # Worker processes for extraction; 1 below this many files (start-up costs more than it saves).
    jobs: int = max(1, os.cpu_count() or 1)
    parallel_threshold: int = 64


DEFAULT = Settings()
