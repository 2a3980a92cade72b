"""Build a real Argos Translate ar→en package offline, with random weights, for tests and benchmarks.

    from tests.argos_package import build_argos_package, install_argos_package
    zip_path = build_argos_package(tmp_path)                        # tiny: 2+2 layers, d_model 64, ~1 s
    zip_path = build_argos_package(tmp_path, layers=6, d_model=512, heads=8, ffn=2048, pad_vocab_to=32000)
    package_dir = install_argos_package(zip_path, packages_dir)     # what install_from_path does

The package has the layout of the published `translate-ar_en-1_0.argosmodel`: one top-level folder
holding metadata.json, README.md, sentencepiece.model (trained on seeds/ plus a little English),
model/ (a CTranslate2 Transformer: pre-norm, ReLU, sinusoidal positions, shared vocabulary) and a
stub stanza/ folder. The weights are random, so translations are gibberish of arbitrary length;
speed and plumbing are real. Only numpy, sentencepiece and ctranslate2 are needed (no torch).
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import sentencepiece as spm
from ctranslate2.specs import common_spec, transformer_spec

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
SPECIALS = ["<unk>", "<s>", "</s>", "<blank>"]  # OpenNMT-py / Argos order at the head of the vocabulary
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed timestamps keep the .argosmodel byte-identical across builds

ENGLISH_TEXT = """\
The government announced on Wednesday a new plan to support small businesses affected by rising prices.
The prime minister said the measures would take effect at the beginning of next month.
Officials expect the programme to create thousands of jobs in the coming two years.
The central bank kept its main interest rate unchanged for the third time this year.
Analysts said inflation remained high but had started to slow in recent weeks.
The foreign minister met his counterpart in the capital to discuss regional security.
Both sides agreed to continue talks and to open a new border crossing for trade.
A spokesman for the ministry told reporters that the negotiations were positive.
Heavy rain caused flooding in several northern cities, and schools were closed on Monday.
Civil defence teams rescued dozens of families trapped in their homes overnight.
The health ministry reported a decline in new cases of the disease for the second week.
Doctors urged citizens to get vaccinated before the start of the winter season.
The national team won the match two goals to one and qualified for the final round.
The coach praised his players and said the result was the fruit of hard work.
Oil prices rose on Tuesday after producers agreed to extend cuts in output.
The stock market closed higher, led by shares of banks and telecommunications companies.
Parliament approved the budget for the new fiscal year after a long debate.
Opposition members criticised the spending plan and called for more transparency.
The president received a delegation of business leaders to discuss investment opportunities.
The United Nations called for an immediate ceasefire and the delivery of humanitarian aid.
Thousands of people have fled their homes since the fighting began last month.
The court sentenced the former official to five years in prison for corruption.
Police arrested three suspects in connection with the attack, according to a statement.
The ministry of education said exams would be held on time despite the difficulties.
Farmers complained about the shortage of water and the high cost of fertiliser.
The airport will reopen next week after the completion of maintenance work on the runway.
Scientists warned that temperatures in the region could rise faster than the global average.
The festival attracted visitors from many countries and featured films, music and theatre.
The company said its profits grew by ten percent in the first quarter of the year.
Experts believe the agreement could open a new chapter in relations between the two countries.
"""


def _training_sentences() -> Iterator[str]:
    """Non-empty lines of every seed article, then the English text, in a fixed order."""
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        yield from (line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    yield from ENGLISH_TEXT.splitlines()


def train_sentencepiece(vocab_size: int) -> bytes:
    """A unigram SentencePiece model (serialized) with <unk>=0, <s>=1, </s>=2 and no padding piece."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=_training_sentences(), model_writer=model, model_type="unigram",
        vocab_size=vocab_size, character_coverage=1.0, hard_vocab_limit=False,  # small corpus: fewer pieces is OK
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1, num_threads=1, minloglevel=2,
    )
    return model.getvalue()


def build_vocabulary(sp_model: bytes, pad_to: int | None = None) -> list[str]:
    """CTranslate2 vocabulary: the specials, the other SentencePiece pieces, then <extra_N> fillers up to pad_to."""
    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    vocab = SPECIALS + [piece for piece in map(sp.id_to_piece, range(sp.get_piece_size())) if piece not in SPECIALS]
    return vocab + [f"<extra_{i}>" for i in range((pad_to or 0) - len(vocab))]


def build_spec(vocab: list[str], *, layers: int, d_model: int, heads: int, ffn: int,
               seed: int) -> transformer_spec.TransformerSpec:
    """A pre-norm ReLU Transformer (the OpenNMT-py shape Argos uses) with seeded random weights."""
    rng = np.random.default_rng(seed)
    d, v = d_model, len(vocab)

    def linear(spec: common_spec.LinearSpec, out_dim: int, in_dim: int) -> None:  # CTranslate2 weights are [out, in]
        spec.weight = rng.standard_normal((out_dim, in_dim), dtype=np.float32) / np.float32(np.sqrt(in_dim))
        spec.bias = np.zeros(out_dim, dtype=np.float32)

    def norm(spec: common_spec.LayerNormSpec) -> None:
        spec.gamma = np.ones(d, dtype=np.float32)
        spec.beta = np.zeros(d, dtype=np.float32)

    def embedding(spec: common_spec.EmbeddingsSpec) -> None:
        spec.weight = rng.standard_normal((v, d), dtype=np.float32) / np.float32(np.sqrt(d))

    spec = transformer_spec.TransformerSpec.from_config(
        (layers, layers), heads, pre_norm=True, activation=common_spec.Activation.RELU)
    encoder, decoder = spec.encoder, spec.decoder
    embedding(encoder.embeddings[0])
    norm(encoder.layer_norm)
    for layer in encoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)  # fused Q, K, V
        linear(layer.self_attention.linear[1], d, d)
        norm(layer.ffn.layer_norm)
        linear(layer.ffn.linear_0, ffn, d)
        linear(layer.ffn.linear_1, d, ffn)
    embedding(decoder.embeddings)
    norm(decoder.layer_norm)
    linear(decoder.projection, v, d)
    for layer in decoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)
        linear(layer.self_attention.linear[1], d, d)
        norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], d, d)  # query
        linear(layer.attention.linear[1], 2 * d, d)  # fused K, V over the encoder output
        linear(layer.attention.linear[2], d, d)
        norm(layer.ffn.layer_norm)
        linear(layer.ffn.linear_0, ffn, d)
        linear(layer.ffn.linear_1, d, ffn)
    # Position encodings stay unset: CTranslate2 then uses sinusoidal ones, like OpenNMT-py.
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)  # same list → saved once as shared_vocabulary.json
    return spec


def build_argos_package(out_dir: Path, *, layers: int = 2, d_model: int = 64, heads: int = 2, ffn: int = 128,
                        vocab_size: int = 800, pad_vocab_to: int | None = None, seed: int = 0,
                        version: str = "1.0", with_stanza: bool = True, quantization: str = "int8") -> Path:
    """Build a real .argosmodel (SentencePiece trained on the seeds + English text, random-weight CTranslate2
    Transformer, metadata.json, stanza/ stub) and return the zip path. Deterministic for a given seed."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"translate-ar_en-{version.replace('.', '_')}"
    sp_model = train_sentencepiece(vocab_size)
    spec = build_spec(build_vocabulary(sp_model, pad_vocab_to), layers=layers, d_model=d_model, heads=heads,
                      ffn=ffn, seed=seed)
    spec.validate()
    spec.optimize(quantization=None if quantization in ("", "none") else quantization)

    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        package = Path(tmp) / name
        (package / "model").mkdir(parents=True)
        spec.save(str(package / "model"))  # model.bin, config.json, shared_vocabulary.json
        (package / "sentencepiece.model").write_bytes(sp_model)
        metadata = {
            "package_version": version, "argos_version": "1.0",
            "from_code": "ar", "from_name": "Arabic", "to_code": "en", "to_name": "English",
            "type": "translate", "code": "translate-ar_en", "links": [],
        }
        (package / "metadata.json").write_text(json.dumps(metadata, indent=4) + "\n", encoding="utf-8")
        (package / "README.md").write_text(
            "# Arabic → English (RANDOM WEIGHTS)\n\nA test fixture built by tests/argos_package.py; "
            "its translations are meaningless.\n", encoding="utf-8")
        if with_stanza:  # the published package ships stanza/{resources.json, ar/tokenize/padt.pt}
            (package / "stanza" / "ar" / "tokenize").mkdir(parents=True)
            (package / "stanza" / "resources.json").write_text("{}\n", encoding="utf-8")

        zip_path = out_dir / f"{name}.argosmodel"
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted([package, *package.rglob("*")]):
                arcname = path.relative_to(tmp).as_posix() + ("/" if path.is_dir() else "")
                info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE)
                info.external_attr = (0o40755 if path.is_dir() else 0o100644) << 16
                info.compress_type = zipfile.ZIP_STORED if path.is_dir() else zipfile.ZIP_DEFLATED
                archive.writestr(info, b"" if path.is_dir() else path.read_bytes())
    return zip_path


def install_argos_package(argosmodel: Path, packages_dir: Path) -> Path:
    """Unzip into packages_dir (the layout argostranslate uses) and return the package folder."""
    packages_dir = Path(packages_dir)
    with zipfile.ZipFile(argosmodel) as archive:
        tops = {name.split("/", 1)[0] for name in archive.namelist()}
        if len(tops) != 1:
            raise ValueError(f"{argosmodel}: expected one top-level folder, found {sorted(tops)}")
        package = packages_dir / tops.pop()
        if package.exists():
            shutil.rmtree(package)
        packages_dir.mkdir(parents=True, exist_ok=True)
        archive.extractall(packages_dir)
    return package
