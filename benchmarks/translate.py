"""Translation throughput: the product's engine vs `argostranslate.translate.translate()`, side by side.

    python benchmarks/translate.py [--sentences 200] [--beam 4] [--output-tokens 40] [--baseline-sentences 40]

1. Builds a random-weight Argos ar→en package of the real shape (6+6 layers, d_model 512, 8 heads,
   FFN 2048, vocabulary padded to 32000, int8) with tests/argos_package.py and installs it into a
   temporary ARGOS_PACKAGES_DIR (HOME and XDG_* point into the temporary folder too).
2. Makes news-length Arabic sentences (45-56 SentencePiece tokens) from seeds/, deterministically;
   each one is exactly one sentence for generator.translate.sentences.split_sentences, also when followed by another.
3. Times, each configuration in a fresh subprocess (thread settings apply cleanly), after a warm-up
   on 8 other sentences, with time.perf_counter:
   - baseline: `argostranslate.translate.translate(paragraph, "ar", "en")`, one call per paragraph of
     5 sentences, at ARGOS_BEAM_SIZE=--beam, with argostranslate's defaults, ARGOS_INTRA_THREADS=1 and
     ARGOS_INTRA_THREADS=2. Offline patching: its sentence splitters (MiniSBD/Stanza/spaCy would
     download models) are replaced by the product's split_sentences, so both sides translate the same
     sentences, and its CTranslate2 Translator is wrapped to decode exactly --output-tokens tokens;
   - engine: generator.translate.engine.Engine at --beam, (inter, intra) threads in (2,1) (1,2) (1,1) and
     batch sizes 8, 16, 32 (--threads and --batches choose others), decoding exactly --output-tokens
     tokens; then beam 1 for information.
   Random weights would otherwise stop after an arbitrary number of tokens, so the output length is
   fixed on both sides: the figures measure decoding work, not the model's whims.
4. Prints a table; the last line is `speedup_vs_argos=<float>`: best engine sentences/s at --beam
   divided by best baseline sentences/s at --beam (exit status 1, and no such line, if a run failed).
Not part of the test suite. About 9-11 minutes on the (shared) 2-core machine with the defaults.

    python benchmarks/translate.py --cluster local:1,local:2 [--sentences 256] [--chunk-size 32]

instead times where the product decodes (issue 20), side by side in one run, each in a fresh
subprocess: the embedded engine (`translate_chunks` with the product's settings) and each Dask
cluster given, over the same chunks of the same sentences, with the product's own length limit
(--output-tokens as `max_decoding_length`; the same chunks give the same output everywhere, which
the benchmark checks). It prints start-up (cluster and model loading), decoding sentences/s, and the
scheduler's cost per chunk: the same windowed submission of a task that only returns its chunk.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Ahead of site-packages: argos-translate-lt installs a top-level `tests` package of its own there.
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "benchmarks"))  # for scratch.py

from scratch import scratch_folder  # noqa: E402  (benchmarks/scratch.py: where, and why)

PARAGRAPH = 5  # sentences per argostranslate.translate() call
WARMUP = 8
TOKENS = (45, 56)  # SentencePiece tokens per sentence
REAL_SHAPE = {"layers": 6, "d_model": 512, "heads": 8, "ffn": 2048, "pad_vocab_to": 32000, "quantization": "int8"}
BASELINE_THREADS = [("defaults", {}), ("ARGOS_INTRA_THREADS=1", {"ARGOS_INTRA_THREADS": "1"}),
                    ("ARGOS_INTRA_THREADS=2", {"ARGOS_INTRA_THREADS": "2"})]
ENGINE_THREADS = [(2, 1), (1, 2), (1, 1)]
ENGINE_BATCHES = [8, 16, 32]


# --- sentences --------------------------------------------------------------------------------------

def make_sentences(sp_model: Path, count: int) -> list[str]:
    """`count` distinct Arabic sentences of 45-56 tokens, glued from seed clauses with "،"; deterministic."""
    import sentencepiece as spm

    from generator.translate.sentences import split_sentences

    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    clauses = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for sentence in split_sentences(line):
                clause = re.sub(r"[\s.!?؟…:،,]+$", "", sentence)
                if len(clause.split()) >= 3:
                    clauses.append(clause)
    out: list[str] = []
    seen: set[str] = set()
    for rotation in range(1000):
        order = clauses[:] if rotation == 0 else random.Random(rotation).sample(clauses, len(clauses))
        words: list[str] = []
        for clause in order:
            words += [*clause.split()[:-1], clause.split()[-1] + "،"]
            while len(sp.encode(" ".join(words))) >= TOKENS[0]:
                cut = len(words)
                while len(sp.encode(" ".join(words[:cut]))) > TOKENS[1]:
                    cut -= 1
                sentence = " ".join(words[:cut]).rstrip("،") + "."
                words = words[cut:]
                one_sentence = split_sentences(f"{sentence} {sentence}") == [sentence] * 2  # also when followed
                if TOKENS[0] <= len(sp.encode(sentence)) <= TOKENS[1] and one_sentence and sentence not in seen:
                    seen.add(sentence)
                    out.append(sentence)
                    if len(out) == count:
                        return out
    raise RuntimeError(f"could not make {count} distinct sentences from seeds/")


# --- child processes: one measurement each ------------------------------------------------------------

def child(config: dict) -> dict:
    data = json.loads(Path(config["sentences"]).read_text(encoding="utf-8"))
    warmup, timed = data["warmup"], data["timed"][: config["count"]]
    out_len = config["output_tokens"]
    run = {"baseline": run_baseline, "engine": run_engine, "placement": run_placement}[config["kind"]]
    return run(config, warmup, timed, out_len)


def run_baseline(config: dict, warmup: list[str], timed: list[str], out_len: int) -> dict:
    """argostranslate.translate.translate() per paragraph, offline-patched (splitter, fixed output length)."""
    import argostranslate.sbd as sbd
    import argostranslate.settings as settings
    import argostranslate.translate as argos_translate
    import ctranslate2

    from generator.translate.sentences import split_sentences

    def product_splitter(self: object, text: str) -> list[str]:
        return split_sentences(text)

    for name in ("MiniSBDSentencizer", "StanzaSentencizer", "SpacySentencizerSmall"):
        if hasattr(sbd, name):
            getattr(sbd, name).split_sentences = product_splitter

    decoded: list[int] = []

    class FixedLengthTranslator:
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.translator = ctranslate2.Translator(*args, **kwargs)

        def translate_batch(self, source: list, *args: object, **kwargs: object) -> list:
            kwargs.update(min_decoding_length=out_len, max_decoding_length=out_len)
            results = self.translator.translate_batch(source, *args, **kwargs)
            decoded.extend(len(r.hypotheses[0]) for r in results)
            return results

    argos_translate.ctranslate2 = type("ct2", (), {"Translator": FixedLengthTranslator})

    def paragraphs(sentences: list[str]) -> list[str]:
        return [" ".join(sentences[i: i + PARAGRAPH]) for i in range(0, len(sentences), PARAGRAPH)]

    for paragraph in paragraphs(warmup):
        argos_translate.translate(paragraph, "ar", "en")
    decoded.clear()
    start = time.perf_counter()
    for paragraph in paragraphs(timed):
        argos_translate.translate(paragraph, "ar", "en")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "sentences": len(timed), "decoded_sentences": len(decoded),
            "output_lengths": sorted(set(decoded)),
            "settings": f"beam {settings.beam_size}, inter {settings.inter_threads}, intra {settings.intra_threads}, "
                        f"batch {settings.batch_size} tokens"}


def run_engine(config: dict, warmup: list[str], timed: list[str], out_len: int) -> dict:
    """generator.translate.engine.Engine.translate() over the whole list."""
    from generator.config import TranslationSettings
    from generator.translate.engine import Engine, find_package

    package = find_package("ar", "en", Path(config["packages_dir"]))
    engine = Engine(package, TranslationSettings(beam_size=config["beam"], batch_size=config["batch"],
                                                 inter_threads=config["inter"], intra_threads=config["intra"]))
    engine.translate(warmup, min_decoding_length=out_len, max_decoding_length=out_len)
    start = time.perf_counter()
    results = engine.translate(timed, min_decoding_length=out_len, max_decoding_length=out_len)
    seconds = time.perf_counter() - start
    if len(results) != len(timed):
        raise RuntimeError(f"engine returned {len(results)} results for {len(timed)} sentences")
    row = {"seconds": seconds, "sentences": len(timed), "decoded_sentences": len(results)}
    if all(isinstance(r, tuple) and isinstance(r[0], list) for r in results):  # (target pieces, alignment)
        row["output_lengths"] = sorted({len(r[0]) for r in results})
    return row


def run_placement(config: dict, warmup: list[str], timed: list[str], out_len: int) -> dict:
    """The product's decoder (`open_decoder`) over `timed` in chunks: embedded, or the cluster named."""
    import hashlib
    from dataclasses import replace

    from generator.config import DEFAULT
    from generator.translate.engine import find_package, open_decoder

    packages = Path(config["packages_dir"])
    translation = replace(DEFAULT.translation, beam_size=config["beam"], max_decoding_length=out_len,
                          chunk_size=config["chunk"], cluster=config["cluster"])
    settings = replace(DEFAULT, packages_dir=packages, translation=translation)
    chunks = [timed[i: i + config["chunk"]] for i in range(0, len(timed), config["chunk"])]
    start = time.perf_counter()
    with open_decoder(find_package("ar", "en", packages), settings) as decoder:
        startup = time.perf_counter() - start
        threads = decoder.threads() if config["cluster"] else 1
        list(decoder.translate_chunks([warmup] * threads))  # each worker's first batch, off the clock
        start = time.perf_counter()
        results = [result for _, chunk in decoder.translate_chunks(chunks) for result in chunk]
        seconds = time.perf_counter() - start
        per_chunk = scheduler_round_trip(decoder, chunks) if config["cluster"] else None
    digest = hashlib.sha256(json.dumps(results).encode()).hexdigest()[:16]
    return {"seconds": seconds, "sentences": len(timed), "decoded_sentences": len(results), "startup": startup,
            "chunks": len(chunks), "digest": digest, "per_chunk_overhead": per_chunk,
            "mean_output": sum(len(r[0]) for r in results) / len(results)}


def echo_chunk(chunk: list[str]) -> tuple[str, list]:
    return "", [([], []) for _ in chunk]


def scheduler_round_trip(decoder: object, chunks: list[list[str]], rounds: int = 5) -> float:
    """Seconds per chunk of the product's in-order, windowed submission (`ClusterTranslator.in_order`)
    when a task does nothing: what the scheduler, the transfers and the in-order wait cost on top of
    decoding."""
    work = chunks * rounds
    start = time.perf_counter()
    for _ in decoder.in_order(echo_chunk, work):
        pass
    return (time.perf_counter() - start) / len(work)


def compare_placements(args: argparse.Namespace, common: dict, env: dict[str, str]) -> int:
    placements = [None, *args.cluster.split(",")]
    rows = [measure(f"{placement or 'embedded engine'}, chunks of {args.chunk_size}",
                    {**common, "kind": "placement", "count": args.sentences, "beam": args.beam,
                     "chunk": args.chunk_size, "cluster": placement}, env, args.timeout)
            for placement in placements]
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("| where | start-up s | sentences | chunks | decoding s | sentences/s | scheduler cost per chunk | "
          "output as embedded |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    if any("per_s" not in row for row in rows):
        print("FAIL: some placements did not run (see above)", file=sys.stderr)
        return 1
    reference = rows[0]["digest"]
    for row in rows:
        overhead = f"{row['per_chunk_overhead'] * 1000:.1f} ms" if row["per_chunk_overhead"] else "-"
        print(f"| {row['label']} | {row['startup']:.1f} | {row['sentences']} | {row['chunks']} | {row['seconds']:.1f} "
              f"| {row['per_s']:.2f} | {overhead} | {'yes' if row['digest'] == reference else 'NO'} |")
    print(f"\nmean output {rows[0]['mean_output']:.1f} tokens per sentence (limit {args.output_tokens})")
    if any(row["digest"] != reference for row in rows):
        print("FAIL: a cluster's output differs from the embedded engine's", file=sys.stderr)
        return 1
    return 0


# --- parent ------------------------------------------------------------------------------------------

def measure(label: str, config: dict, env: dict[str, str], timeout: float) -> dict:
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, __file__, "--child", json.dumps(config)], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        proc = subprocess.CompletedProcess([], -1, "", f"stopped after {timeout:.0f} s")
    lines = [line[7:] for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        row = {"label": label, "error": f"exit {proc.returncode}: {tail}"}
    else:
        row = {"label": label, "config": config, **json.loads(lines[-1])}
        row["per_s"] = row["sentences"] / row["seconds"]
    row["wall"] = time.perf_counter() - start
    shown = f"{row['per_s']:7.2f} sentences/s ({row['sentences']} in {row['seconds']:.1f} s)" if "per_s" in row \
        else f"FAILED {row['error']}"
    print(f"  {label:<44} {shown}", flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Engine vs argostranslate.translate() sentences/s on a real-shape model.")
    ap.add_argument("--sentences", type=int, default=200, help="sentences per engine configuration (default 200)")
    ap.add_argument("--baseline-sentences", type=int, default=40,
                    help="sentences per argostranslate configuration (default 40, a multiple of 5)")
    ap.add_argument("--beam", type=int, default=4)
    ap.add_argument("--output-tokens", type=int, default=40, help="tokens decoded per sentence (default 40)")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds before one configuration is stopped")
    ap.add_argument("--batches", default=",".join(map(str, ENGINE_BATCHES)),
                    help="engine batch sizes to try, comma-separated (default %(default)s)")
    ap.add_argument("--threads", default=",".join(f"{i}x{j}" for i, j in ENGINE_THREADS),
                    help="engine inter x intra threads to try, comma-separated (default %(default)s)")
    ap.add_argument("--cluster", metavar="SPEC[,SPEC]",
                    help="compare the embedded engine with these Dask clusters (e.g. local:1,local:2) instead")
    ap.add_argument("--chunk-size", type=int, default=32,
                    help="sentences per chunk with --cluster (default %(default)s: several chunks per worker)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print("RESULT " + json.dumps(child(json.loads(args.child))), flush=True)
        return 0
    batches = [int(b) for b in args.batches.split(",")]
    threads = [tuple(int(n) for n in pair.split("x")) for pair in args.threads.split(",")]

    from tests.argos_package import build_argos_package, install_argos_package

    total = time.perf_counter()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores "
          "(other work on the machine skews every figure)")
    with scratch_folder("translate-bench-") as work:
        start = time.perf_counter()
        package = install_argos_package(build_argos_package(work / "build", **REAL_SHAPE), work / "packages")
        print(f"built and installed the real-shape random-weight package in {time.perf_counter() - start:.1f} s")

        import sentencepiece as spm

        sentences = make_sentences(package / "sentencepiece.model", WARMUP + max(args.sentences,
                                                                                 args.baseline_sentences))
        sp = spm.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
        lengths = [len(ids) for ids in sp.encode(sentences)]
        (work / "sentences.json").write_text(json.dumps({"warmup": sentences[:WARMUP], "timed": sentences[WARMUP:]},
                                                        ensure_ascii=False), encoding="utf-8")
        print(f"{len(sentences)} sentences, {min(lengths)}-{max(lengths)} tokens "
              f"(mean {sum(lengths) / len(lengths):.1f}); output {args.output_tokens} tokens each; beam {args.beam}")

        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ARGOS_", "XDG_")) and k not in ("CT2_USE_MKL", "SNAP")}
        env.update(HOME=str(work / "home"), XDG_DATA_HOME=str(work / "data"), XDG_CACHE_HOME=str(work / "cache"),
                   XDG_CONFIG_HOME=str(work / "config"), ARGOS_PACKAGES_DIR=str(work / "packages"),
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
        common = {"sentences": str(work / "sentences.json"), "packages_dir": str(work / "packages"),
                  "output_tokens": args.output_tokens}

        if args.cluster:
            print("where sentences are decoded (generator.translate.engine.open_decoder):")
            return compare_placements(args, common, env)
        print("argostranslate.translate(), one call per paragraph of 5 sentences:")
        baseline = [measure(f"argos beam {args.beam}, {name}",
                            {**common, "kind": "baseline", "count": args.baseline_sentences},
                            {**env, "ARGOS_BEAM_SIZE": str(args.beam), **extra}, args.timeout)
                    for name, extra in BASELINE_THREADS]
        print("generator.translate.engine.Engine, one call for all sentences:")
        engine = [measure(f"engine beam {args.beam}, inter {inter} intra {intra}, batch {batch}",
                          {**common, "kind": "engine", "count": args.sentences, "beam": args.beam, "batch": batch,
                           "inter": inter, "intra": intra}, env, args.timeout)
                  for inter, intra in threads for batch in batches]
        good = [row for row in engine if "per_s" in row]
        best_engine = max(good, key=lambda row: row["per_s"]) if good else None
        beam1 = []
        if best_engine and args.beam != 1:
            inter, intra = best_engine["config"]["inter"], best_engine["config"]["intra"]
            for batch in sorted({best_engine["config"]["batch"], 32}):
                beam1.append(measure(f"engine beam 1, inter {inter} intra {intra}, batch {batch}",
                                     {**common, "kind": "engine", "count": args.sentences, "beam": 1,
                                      "batch": batch, "inter": inter, "intra": intra}, env, args.timeout))

    rows = baseline + engine + beam1
    print(f"\nall configurations ({time.perf_counter() - total:.0f} s in total; load average after: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}):\n")
    print("| configuration | sentences | seconds | sentences/s |")
    print("|---|---:|---:|---:|")
    for row in rows:
        if "per_s" in row:
            print(f"| {row['label']} | {row['sentences']} | {row['seconds']:.1f} | {row['per_s']:.2f} |")
        else:
            print(f"| {row['label']} | - | - | failed |")
    good_baseline = [row for row in baseline if "per_s" in row]
    for row in good_baseline + good + [row for row in beam1 if "per_s" in row]:
        expected = row["sentences"]
        if row["decoded_sentences"] != expected or row.get("output_lengths", [args.output_tokens]) != [
                args.output_tokens]:
            print(f"FAIL: {row['label']}: decoded {row['decoded_sentences']} sentences (expected {expected}), "
                  f"output lengths {row['output_lengths']}", file=sys.stderr)
            return 1
    if not good_baseline or best_engine is None or len(good) < len(engine) or len(good_baseline) < len(baseline):
        print("FAIL: some configurations did not run (see above)", file=sys.stderr)
        return 1
    best_baseline = max(good_baseline, key=lambda row: row["per_s"])
    print(f"\nbest baseline: {best_baseline['label']}: {best_baseline['per_s']:.2f} sentences/s "
          f"({best_baseline['settings']})")
    print(f"best engine:   {best_engine['label']}: {best_engine['per_s']:.2f} sentences/s")
    print(f"speedup_vs_argos={best_engine['per_s'] / best_baseline['per_s']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
