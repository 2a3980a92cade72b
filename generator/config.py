"""All settings in one place: paths, limits and stage defaults.

Defaults suit the repository layout (seeds/ → docs/ → site/); the command line overrides them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Where generated pages go, relative to docs/ (and to site/, and to site/<language>/ for the others):
ARCHIVE_FOLDER = PurePosixPath("archive")
ARTICLES_FOLDER = ARCHIVE_FOLDER / "articles"  # every article page, and no index page


DEVICES = ("auto", "cpu", "cuda")  # CTranslate2 devices a translation can ask for


@dataclass(frozen=True)
class TranslationSettings:
    """How CTranslate2 is driven. Defaults measured on this 2-core machine (benchmarks/README.md)."""

    from_code: str = "ar"
    to_code: str = "en"
    # Beam 4 is what Argos Translate itself uses: the same quality as `argostranslate.translate`.
    beam_size: int = 4
    # Sentences per CTranslate2 batch (sorted by length, so little padding). At beam 4 with two workers,
    # 8 was fastest on the current 2-core VM (33.1 sentences/s, against 30.8 for 4 and 22.2 for 32) and
    # tied with 32 on the earlier one when it was quiet (benchmarks/README.md, sessions 1 and 7).
    batch_size: int = 8
    # Two single-threaded workers beat one two-threaded one here: intra-op threading made
    # small-batch decoding 4-27x slower and erratic, so each core decodes its own batch.
    inter_threads: int = 2
    intra_threads: int = 1
    # Sentences handed to CTranslate2 per call: each call's results are saved to the translation
    # memory before the next, so an interrupted run loses at most one chunk of work.
    chunk_size: int = 256
    max_decoding_length: int = 256
    # CTranslate2's device: "auto" takes CUDA when CTranslate2 sees a GPU, else the CPU; "cpu"; "cuda".
    device: str = "auto"
    # CTranslate2's compute type on a GPU (None: the model's own type on the CPU, int8_float16 on CUDA).
    compute_type: str | None = None
    # Where pending sentences are decoded: None = this process (the embedded engine); "local:N" = a Dask
    # LocalCluster of N worker processes; "tcp://host:8786" = a running Dask scheduler (translate/cluster.py).
    cluster: str | None = None
    cluster_connect_seconds: float = 30.0  # how long to wait for a cluster's scheduler to answer

    def __post_init__(self) -> None:
        if self.device not in DEVICES:
            raise ValueError(f"translation device {self.device!r}: expected one of {', '.join(DEVICES)}")


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
    # Human corrections to extraction (generator/corrections.py): committed, reviewed in git.
    corrections_dir: Path = PROJECT_ROOT / "corrections"
    # Fields whose extraction confidence is below this are listed by `python -m generator check`.
    review_threshold: float = 0.7
    # A symbolic link below seeds/ leading outside the archive is refused: the archive publishes what
    # it holds, not whatever on the machine a link points to. True accepts such links.
    allow_links_outside: bool = False
    # Translation memory and human-reviewed translations live in the repository (committable).
    translations_dir: Path = PROJECT_ROOT / "translations"
    # Where Argos packages are installed; None = where argostranslate puts them.
    packages_dir: Path | None = None
    translation: TranslationSettings = TranslationSettings()
    report_path: Path = PROJECT_ROOT / "build" / "report.json"
    # What the last build read, translated and wrote (generator/pipeline/manifest.py): a rebuildable cache.
    manifest_path: Path = PROJECT_ROOT / ".cache" / "build-manifest.pickle"
    # Compiled page templates (Jinja bytecode), shared by the languages and builds: a rebuildable cache.
    template_cache_dir: Path = PROJECT_ROOT / ".cache" / "jinja"
    # Which search bundles their last Pagefind run finished (search.py): a rebuildable cache.
    search_state_dir: Path = PROJECT_ROOT / ".cache" / "search"
    # What each generated page in site/ was built from (site/page_cache.py): a rebuildable cache.
    page_cache_path: Path = PROJECT_ROOT / ".cache" / "site-pages.pickle"

    @classmethod
    def for_root(cls, root: Path, docs_dir: Path | None = None) -> Settings:
        """Settings for an archive whose mkdocs.yml, seeds/ and translations/ are under `root`."""
        return cls(root=root, seeds_dir=root / "seeds", docs_dir=docs_dir or root / "docs",
                   translations_dir=root / "translations", report_path=root / "build" / "report.json",
                   corrections_dir=root / "corrections",
                   manifest_path=root / ".cache" / "build-manifest.pickle",
                   template_cache_dir=root / ".cache" / "jinja", search_state_dir=root / ".cache" / "search",
                   page_cache_path=root / ".cache" / "site-pages.pickle")


DEFAULT = Settings()
