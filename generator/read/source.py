"""Read one input file into clean Arabic text, or refuse it with a one-line reason.

Pipeline: size check (stat, before reading) → binary sniffing → encoding detection on the whole
file → HTML extraction when a web page was saved instead of text → `clean_text` → sanity checks
(empty, not Arabic). Every refusal is an `UnreadableInput` whose message is shown to the user as is.
"""

from __future__ import annotations

import codecs
import math
import re
import stat
import threading
import unicodedata
from pathlib import Path
from typing import Any

import charset_normalizer

from generator.model import SourceText

__all__ = [
    "MAX_BYTES_DEFAULT",
    "UnreadableInput",
    "clean_text",
    "decode_bytes",
    "read_source",
]

MAX_BYTES_DEFAULT = 5 * 1024 * 1024

# Below this share of Arabic-script letters among all letters the file is not an Arabic article.
# Low enough that an Arabic article quoting English names, URLs or a Latin byline still passes.
MIN_ARABIC_SHARE = 0.20


class UnreadableInput(Exception):
    """Raised with a one-line, human reason, e.g. 'binary file (PNG image)', 'empty file',
    'file too large (50.0 MB; limit 5.0 MB)', 'undecodable bytes (not UTF-8/UTF-16/windows-1256/ISO-8859-6)',
    'not Arabic text (2% Arabic letters; looks like English)'."""


# --------------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------------


def read_source(path: Path, max_bytes: int = MAX_BYTES_DEFAULT) -> SourceText:
    """Read, decode and clean one input file; raise UnreadableInput with a reason if it is unusable."""
    path = Path(path)
    data = _read_bounded(path, max_bytes)
    raw, encoding, warnings = decode_bytes(data)

    kind = "text"
    html_meta: dict[str, str | None] = {}
    if _looks_like_html(raw):
        kind = "html"
        text, html_meta = _extract_html(raw)
    else:
        text = clean_text(raw)

    if not text.strip():
        # The raw text decides which reason is honest: nothing at all vs. only invisible/space chars.
        raise UnreadableInput("empty file" if not raw else "only whitespace")
    _check_arabic(text)
    forms = len(_PRESENTATION_FORMS.findall(text))
    if forms:
        # Kept as written (no NFKC: stored text is never letter-normalised), but matching and search
        # downstream will not see these glyph codes as the ordinary letters.
        warnings.append(f"{forms} Arabic presentation-form characters (typical of PDF copies) kept as written")
    return SourceText(path=path, text=text, encoding=encoding, kind=kind, html_meta=html_meta, warnings=warnings)


def decode_bytes(data: bytes) -> tuple[str, str, list[str]]:
    """Decode raw file bytes; return (text, encoding, warnings) or raise UnreadableInput.

    The text is returned as decoded (not cleaned); undecodable bytes become U+FFFD with a warning.
    """
    if not data:
        raise UnreadableInput("empty file")
    warnings: list[str] = []

    kind = _sniff_binary(data)
    if kind:
        raise UnreadableInput(f"binary file ({kind})")

    bom_result = _decode_with_bom(data)
    if bom_result is not None:
        return bom_result

    if b"\x00" in data:
        utf16 = _decode_bomless_utf16(data)
        if utf16 is not None:
            return utf16
        # Some tools pre-allocate files and pad them with NULs; the text before the padding is fine.
        stripped = data.rstrip(b"\x00")
        if len(stripped) < len(data):
            warnings.append(f"{len(data) - len(stripped)} trailing NUL bytes ignored")
        # Real binary formats are full of NULs; one or two in a long text are transfer damage.
        stray = stripped.count(b"\x00")
        if not stripped or stray > len(stripped) // 1000:
            raise UnreadableInput("binary file (contains NUL bytes)")
        if stray:
            warnings.append(f"{stray} stray NUL byte{'s' if stray != 1 else ''} removed")
            stripped = stripped.replace(b"\x00", b"")
        data = stripped

    text, encoding, more = _decode_unmarked(data)
    warnings.extend(more)
    if _control_share(text) > 0.01:
        raise UnreadableInput("binary file (unprintable control bytes)")
    return text, encoding, warnings


def clean_text(text: str) -> str:
    """Normalise line ends, invisible controls, spaces and Unicode composition; keep letters as written.

    Steps: CRLF/CR → LF; other separators (vertical tab, form feed, FS/GS/RS/US, NEL, U+2028,
    U+2029) → " ", so that a line breaks only where the text has a line end; drop invisible
    bidi/zero-width/format controls; NFC; tabs and Unicode spaces → " "; strip trailing spaces per
    line; drop leading/trailing blank lines. Empty lines inside the text are kept because they
    separate paragraphs. Arabic letters are never unified (alef/ya/ta marbuta forms stay as
    written): that is for matching, not for storage.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Regex substitution, not str.translate: translate takes a slow per-character path on
    # non-ASCII text, and this runs on every file.
    text = _LINE_BREAK_RE.sub(lambda m: _LINE_BREAKS[m.group()], text)
    # Remove invisibles *before* NFC so that a base letter and a combining hamza separated by a
    # stray zero-width char still compose (ا + ZWSP + ٔ → أ).
    text = _DROP_RE.sub("", text)
    text = _ZWJ_OUTSIDE_EMOJI.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text)
    lines = [line.rstrip(" ") for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


# --------------------------------------------------------------------------------------------------
# Reading and binary sniffing
# --------------------------------------------------------------------------------------------------

_MB = 1024 * 1024


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    """Stat first so an oversized file is refused without reading it; then read at most max_bytes + 1."""
    try:
        st = path.stat()
    except OSError as exc:
        raise UnreadableInput(f"cannot read: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(st.st_mode):
        raise UnreadableInput("not a regular file (directory)")
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableInput("not a regular file")
    if st.st_size > max_bytes:
        raise UnreadableInput(_too_large(st.st_size, max_bytes))
    if st.st_size == 0:
        raise UnreadableInput("empty file")
    try:
        with path.open("rb") as fh:
            # Bounded read: the file may have grown since stat(); never hold more than the limit.
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableInput(f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise UnreadableInput(_too_large(max(len(data), st.st_size), max_bytes))
    return data


def _too_large(size: int, limit: int) -> str:
    return f"file too large ({_human_size(size)}; limit {_human_size(limit)})"


def _human_size(n: int) -> str:
    # MB as in the usual message; KB for small limits so they never print as "0.0 MB".
    return f"{n / _MB:.1f} MB" if n >= 100 * 1024 else f"{n / 1024:.1f} KB"


# (offset, magic, description). Only signatures that cannot start a plausible text file.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "PNG image"),
    (0, b"\xff\xd8\xff", "JPEG image"),
    (0, b"GIF87a", "GIF image"),
    (0, b"GIF89a", "GIF image"),
    (0, b"%PDF-", "PDF document"),
    (0, b"\x1f\x8b", "gzip archive"),
    (0, b"BZh", "bzip2 archive"),  # refined below: needs the block magic too
    (0, b"\xfd7zXZ\x00", "xz archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (0, b"Rar!\x1a\x07", "RAR archive"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Microsoft Office document (.doc/.xls)"),
    (0, b"{\\rtf", "RTF document, not plain text"),
    (0, b"\x7fELF", "ELF executable"),
    (0, b"II*\x00", "TIFF image"),
    (0, b"MM\x00*", "TIFF image"),
    (0, b"OggS", "Ogg media"),
    (0, b"ID3", "MP3 audio"),
    (0, b"fLaC", "FLAC audio"),
    (0, b"wOFF", "WOFF font"),
    (0, b"wOF2", "WOFF2 font"),
    (0, b"SQLite format 3\x00", "SQLite database"),
    (0, b"\x00\x00\x01\x00", "ICO image"),
    (4, b"ftyp", "MP4/QuickTime media"),
)


def _sniff_binary(data: bytes) -> str | None:
    """Name the binary format if the bytes start with a known signature (checked before any BOM)."""
    head = data[:64]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        # Office/OpenDocument files are ZIPs; name them because that is the usual mistake.
        probe = data[: 64 * 1024]
        if b"word/" in probe:
            return "Word document (.docx), not plain text"
        if b"xl/" in probe:
            return "Excel workbook (.xlsx)"
        if b"opendocument" in probe:
            return "OpenDocument file"
        return "ZIP archive"
    if head.startswith(b"RIFF") and len(head) >= 12:
        riff = head[8:12]
        return {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}.get(riff, "RIFF media")
    if head.startswith(b"BM") and len(head) >= 14 and int.from_bytes(head[2:6], "little") == len(data):
        return "BMP image"  # "BM" alone is too common a text prefix; the size field must match
    for offset, magic, desc in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            if magic == b"BZh" and head[4:10] != b"1AY&SY":
                continue
            return desc
    return None


# --------------------------------------------------------------------------------------------------
# Encoding detection
# --------------------------------------------------------------------------------------------------

_tls = threading.local()


def _count_and_replace(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: like 'replace', but counts the bytes it replaced (per thread)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _tls.bad = getattr(_tls, "bad", 0) + (exc.end - exc.start)
    return "\ufffd", exc.end


codecs.register_error("generator.read.source.count", _count_and_replace)


def _decode_counting(data: bytes, codec: str) -> tuple[str, int]:
    """Decode with U+FFFD for bad bytes; return the text and how many bytes were replaced."""
    _tls.bad = 0
    text = data.decode(codec, errors="generator.read.source.count")
    return text, _tls.bad


def _replaced_warning(n: int) -> str:
    return f"{n} undecodable byte{'s' if n != 1 else ''} replaced"


def _decode_with_bom(data: bytes) -> tuple[str, str, list[str]] | None:
    """Honour a byte-order mark: it is the only reliable encoding statement a text file carries."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        try:
            data.decode("utf-32")
        except UnicodeDecodeError:
            pass  # FF FE 00 00 can also be a UTF-16LE BOM followed by a NUL; handled below
        else:
            raise UnreadableInput("unsupported encoding (UTF-32); save as UTF-8")
    if data.startswith(codecs.BOM_UTF8):
        text, bad = _decode_counting(data[3:], "utf-8")
        if bad and bad > len(data.translate(None, _ASCII)) // 2:
            # Some editors stamp a UTF-8 BOM on legacy text; trusting it would bury the letters in U+FFFD.
            text, name, warnings = _decode_legacy(data[3:])
            return text, name, [f"UTF-8 byte-order mark on {name} text; BOM ignored", *warnings]
        return text, "utf-8-sig", [_replaced_warning(bad)] if bad else []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, bad = _decode_counting(data, "utf-16")  # the utf-16 codec reads and drops the BOM
        return text, "utf-16", [_replaced_warning(bad)] if bad else []
    return None


def _decode_bomless_utf16(data: bytes) -> tuple[str, str, list[str]] | None:
    """UTF-16 without BOM: accept only if one byte order decodes strictly to overwhelmingly text."""
    if len(data) % 2:
        return None
    for codec, name in (("utf-16-le", "little"), ("utf-16-be", "big")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _texty_share(text) >= 0.95:
            return text, "utf-16", [f"UTF-16 without byte-order mark (read as {name}-endian)"]
    return None


def _texty_share(text: str) -> float:
    """Share of characters that plausibly occur in Arabic/Latin news text."""
    if not text:
        return 0.0
    ok = len(_TEXTY.findall(text))
    return ok / len(text)


_TEXTY = re.compile(r"[\t\n\r\x20-\x7e\u00a0-\u00ff\u0600-\u06ff\u0750-\u077f\u2000-\u206f\ufb50-\ufdff\ufe70-\ufeff]")
_ASCII = bytes(range(0x80))


def _decode_unmarked(data: bytes) -> tuple[str, str, list[str]]:
    """Decode bytes without BOM: UTF-8 (strict, then lenient), else windows-1256 vs ISO-8859-6."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        repaired = _repair_double_utf8(text)
        if repaired is not None:
            return repaired, "utf-8", ["repaired double-encoded UTF-8 (mojibake such as 'Ø§Ù„')"]
        return text, "utf-8", []

    # A file that is overwhelmingly valid UTF-8 with a few broken bytes (truncated download, a bad
    # paste) must stay UTF-8: decoding it as a legacy code page would turn every letter to mojibake.
    # Legacy Arabic bytes almost never form valid UTF-8 sequences (letters are consecutive lead
    # bytes), so the share of non-ASCII bytes inside valid sequences separates the two cases cleanly.
    non_ascii = len(data.translate(None, _ASCII))
    # Each invalid byte becomes one lone surrogate; dropping them on re-encode counts them in C.
    lenient = data.decode("utf-8", errors="surrogateescape")
    escaped = len(lenient) - len(lenient.encode("utf-8", errors="ignore").decode("utf-8"))
    if non_ascii and (non_ascii - escaped) / non_ascii >= 0.5:
        text, bad = _decode_counting(data, "utf-8")
        return text, "utf-8", [_replaced_warning(bad)]

    return _decode_legacy(data)


# Patterns that never occur in genuine text but are exactly what the wrong Arabic code page
# produces: a Latin letter (incl. è é ç, × ÷) glued to an Arabic letter, C1 control characters, and
# a short-vowel mark (haraka) that follows no letter. Every alternative starts with a character
# class (no look-behind) so one pass over a 5 MB file stays fast.
_ARABIC_LETTER = r"\u0621-\u063a\u0641-\u064a\u0671-\u06d3"
_LATIN_LETTER = r"A-Za-z\u00c0-\u024f"
_HARAKAT = r"\u064b-\u0652"
_MOJIBAKE = re.compile(
    rf"[{_LATIN_LETTER}][{_ARABIC_LETTER}]|[{_ARABIC_LETTER}][{_LATIN_LETTER}]"
    r"|[\u0080-\u009f]"
    rf"|[^{_ARABIC_LETTER}{_HARAKAT}\u0640][{_HARAKAT}]"
)
_ARABIC_LETTER_SET = frozenset(ch for ch in map(chr, range(0x0621, 0x06D4)) if re.match(f"[{_ARABIC_LETTER}]", ch))
# Approximate frequency (per mille) of characters in Arabic news prose. Used only to break ties
# between the two legacy code pages: the wrong one swaps frequent letters for rare ones (ISO-8859-6
# ع ل م ن read as windows-1256 become ظ ن ه و; windows-1256 ل م ن ه و read as ISO become ف ك ل م ن).
# fmt: off
_CHAR_FREQ: dict[str, float] = {
    "ا": 124, "ل": 97, "ي": 65, "م": 62, "و": 57, "ن": 54, "ر": 48, "ت": 41, "ه": 38, "ب": 38,
    "ع": 39, "ة": 29, "د": 30, "س": 27, "ف": 27, "ق": 26, "ك": 23, "أ": 22, "ح": 21, "ج": 13,
    "ى": 12, "إ": 12, "ش": 11, "ص": 10, "خ": 9, "ط": 9, "ض": 6, "ز": 6, "ث": 6, "ذ": 6,
    "ء": 5, "غ": 4, "ئ": 4, "ظ": 2, "آ": 2, "ؤ": 1,
    "،": 3, "«": 3, "»": 3, "“": 3, "”": 3, "\u00a0": 3, "؛": 0.5, "؟": 0.5, "–": 0.5, "…": 0.5,
    # harakat and tatweel: rare in news prose
    "\u064b": 0.5, "\u064e": 0.5, "\u064f": 0.5, "\u0650": 0.5, "\u0651": 0.5, "\u0652": 0.5,
    "\u0640": 0.5,
}
# fmt: on
_AL_PREFIX = re.compile(r"(?<![\u0621-\u06ff])\u0627\u0644")
_RARE_CHAR = 0.02  # anything else non-ASCII (Latin accents, dammatan, ×, Persian letters …)
_LOG_FREQ = {ch: math.log(f) for ch, f in _CHAR_FREQ.items()}
_LOG_RARE = math.log(_RARE_CHAR)


def _legacy_score(text: str, high_bytes: dict[int, int], codec: str, extra_events: int = 0) -> tuple[float, float]:
    """(mojibake events per Arabic letter, plausibility = letter log-likelihood + bonus per "ال").

    The first is decisive evidence (lower is better); the second (higher is better) only matters
    when both code pages decode without impossible patterns, typically for very short files.
    `high_bytes` counts each byte >= 0x80 in the file: both code pages map one byte to one
    character, so character counts follow from the byte histogram without a pass over the text.
    `extra_events` adds bytes the code page could not decode at all.
    """
    events = len(_MOJIBAKE.findall(text)) + extra_events
    letters = 0
    loglik = 0.0
    for byte, n in high_bytes.items():
        ch = bytes((byte,)).decode(codec, errors="replace")
        letters += n if ch in _ARABIC_LETTER_SET else 0
        loglik += n * _LOG_FREQ.get(ch, _LOG_RARE)
    # Word-initial "ال" (the article) is the most frequent letter pair in Arabic; unigrams alone
    # cannot tell "الأسلحة" from its ISO reading "افأسفحة", the article can.
    loglik += 2.0 * len(_AL_PREFIX.findall(text))
    return events / max(letters, 1), loglik


# With this much non-ASCII text charset-normalizer's verdict on the whole file is reliable; below
# it, it misguessed 1-3 word snippets 4-36% of the time here, so short files use our own scoring.
_NORMALIZER_MIN_BYTES = 2000
_NORMALIZER_NAMES = {"cp1256": "windows-1256", "windows_1256": "windows-1256", "iso8859_6": "iso-8859-6"}


def _decode_legacy(data: bytes) -> tuple[str, str, list[str]]:
    """windows-1256 or ISO-8859-6: charset-normalizer on the whole file, our scoring for short files."""
    if len(data.translate(None, _ASCII)) >= _NORMALIZER_MIN_BYTES:
        best = charset_normalizer.from_bytes(data, cp_isolation=["cp1256", "iso8859_6"]).best()
        name = _NORMALIZER_NAMES.get(best.encoding) if best else None
        if name:
            return str(best), name, []
    return _score_legacy(data)


def _score_legacy(data: bytes) -> tuple[str, str, list[str]]:
    """Choose between windows-1256 and ISO-8859-6 by decoding the whole file with both.

    The two code pages put Arabic letters on different bytes, so the wrong one yields mojibake:
    ISO-8859-6 read as windows-1256 turns و ي ه ى ط into è ê ç é × glued inside words, and
    windows-1256 read as ISO-8859-6 either fails outright (ف ق ك غ ، sit on bytes ISO-8859-6
    leaves undefined) or produces short-vowel marks after spaces and C1 controls. We count those
    impossible patterns per Arabic letter and prefer the lower rate; on a tie, the candidate whose
    letters are more typical of Arabic (unigram log-likelihood) wins, then windows-1256 (by far the
    more common on the web). Scoring the whole file avoids the short-snippet misguesses of
    statistical detectors, and a high mojibake rate for the winner means the bytes are in neither.
    """
    # bytes.count is a C loop; 128 of them are cheaper than counting characters in Python.
    high_bytes = {b: n for b in range(0x80, 0x100) if (n := data.count(bytes((b,))))}
    non_ascii = sum(high_bytes.values())
    candidates: list[tuple[float, float, int, str, str, int]] = []
    for order, (codec, name) in enumerate((("cp1256", "windows-1256"), ("iso8859_6", "iso-8859-6"))):
        # windows-1256 defines all 256 bytes; ISO-8859-6 leaves 45 undefined. A stray one in an ISO
        # file (a pasted windows-1256 quote mark, line noise) must not flip the whole file to
        # mojibake, so a few are replaced; each still counts as impossible in the score below.
        # Count undefined bytes from the histogram first: a windows-1256 file read as ISO-8859-6
        # has thousands, and calling the error handler for each would be slow on a 5 MB file.
        undefined = sum(n for b, n in high_bytes.items() if b in _UNDEFINED_BYTES[codec])
        if undefined > max(2, non_ascii // 50):
            continue
        text, bad = _decode_counting(data, codec)
        rate, loglik = _legacy_score(text, high_bytes, codec, extra_events=bad)
        candidates.append((rate, -loglik, order, text, name, bad))
    if not candidates:
        raise UnreadableInput(_UNDECODABLE)
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    rate, neg_loglik, _, text, name, bad = candidates[0]
    if rate > 0.05:
        raise UnreadableInput(_UNDECODABLE)
    warnings: list[str] = [_replaced_warning(bad)] if bad else []
    if len(candidates) == 2 and candidates[1][3] != text:
        other_rate, other_neg_loglik = candidates[1][:2]
        # Within a factor of e^3 ≈ 20 in likelihood the evidence is too thin to be sure.
        if other_rate == rate and other_neg_loglik - neg_loglik < 3.0:
            warnings.append(f"encoding ambiguous between windows-1256 and ISO-8859-6; assumed {name}")
    return text, name, warnings


_UNDEFINED_BYTES = {
    codec: frozenset(b for b in range(0x80, 0x100) if bytes((b,)).decode(codec, errors="replace") == "\ufffd")
    for codec in ("cp1256", "iso8859_6")
}
_UNDECODABLE = "undecodable bytes (not UTF-8/UTF-16/windows-1256/ISO-8859-6)"


def _latin1_fallback(exc: UnicodeError) -> tuple[bytes, int]:
    """Encode error handler: map U+0080–U+00FF to their byte, as sloppy cp1252 decoders did."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    chunk = exc.object[exc.start : exc.end]
    if all(ord(ch) < 0x100 for ch in chunk):
        return chunk.encode("latin-1"), exc.end
    raise exc


def _latin1_fallback_decode(exc: UnicodeError) -> tuple[str, int]:
    """Decode error handler: bytes cp1252 leaves undefined (81, 8D, 8F, 90, 9D) map to U+0081 etc."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("generator.read.source.latin1", _latin1_fallback)
codecs.register_error("generator.read.source.latin1_dec", _latin1_fallback_decode)
# What UTF-8 lead bytes D8/D9 (Arabic block) followed by a continuation byte look like once
# mis-decoded as windows-1252 ("Ø§") or windows-1256 ("ط§").
_CONTINUATION_1252 = bytes(range(0x80, 0xC0)).decode("cp1252", errors="generator.read.source.latin1_dec")
_CONTINUATION_1256 = bytes(range(0x80, 0xC0)).decode("cp1256")
_DOUBLE_UTF8_HINT = re.compile(f"[ØÙ][{re.escape(_CONTINUATION_1252)}]|[طظ][{re.escape(_CONTINUATION_1256)}]")


def _repair_double_utf8(text: str) -> str | None:
    """Undo UTF-8 that was decoded as windows-1252/1256 and saved again as UTF-8 ('Ø§Ù„…' / 'ط§ظ„…').

    Genuine text cannot survive the round trip (its Arabic letters become consecutive UTF-8 lead
    bytes), so a strict success is proof of double encoding. Only tried when the telltale pairs show.
    """
    if len(_DOUBLE_UTF8_HINT.findall(text[:20000])) < 3:
        return None
    for codec in ("cp1252", "cp1256"):
        try:
            fixed = text.encode(codec, errors="generator.read.source.latin1").decode("utf-8")
        except UnicodeError:
            continue
        if fixed != text and _arabic_share(fixed)[0] >= MIN_ARABIC_SHARE:
            return fixed
    return None


def _control_share(text: str) -> float:
    """Share of C0 control characters other than the usual whitespace (binary data leaks them)."""
    if not text:
        return 0.0
    sample = text[:100000]
    return len(_CONTROLS.findall(sample)) / len(sample)


_CONTROLS = re.compile(r"[\x01-\x08\x0e-\x1a\x1c-\x1f]")


# --------------------------------------------------------------------------------------------------
# Cleaning tables
# --------------------------------------------------------------------------------------------------

# Separators other than CR and LF that str.splitlines() also breaks at: vertical tab, form feed,
# the information separators (FS, GS, RS, and US with them), NEL, and U+2028/U+2029. In a copied
# article they sit inside a line (a headline, a sentence), and breaking there cut the headline in
# two and turned its end into body text. They become one space: the typed words stay as they are,
# apart, and no later split (ours on "\n", or anyone's splitlines()) breaks the line there.
_LINE_BREAKS = dict.fromkeys("\x0b\x0c\x1c\x1d\x1e\x1f\u0085\u2028\u2029", " ")
_LINE_BREAK_RE = re.compile("[" + "".join(_LINE_BREAKS) + "]")

# Invisible characters that web and word-processor copies leave behind. They carry no letters,
# break word matching ("ال\u200fسورية" ≠ "السورية") and reorder display unpredictably.
# ZWNJ (U+200C) is dropped too: it matters in Persian/Urdu spelling, but in Arabic-language news
# it has no orthographic role and only appears as copy noise (often splitting one word in two for
# search). ZWJ (U+200D) is dropped except inside emoji sequences, where it glues the pictures.
_INVISIBLE = (
    "\u00ad"  # soft hyphen
    "\u061c"  # Arabic letter mark
    "\u180e"  # Mongolian vowel separator (old zero-width space)
    "\u200b\u200c"  # zero-width space, zero-width non-joiner
    "\u200e\u200f"  # LRM, RLM
    "\u202a\u202b\u202c\u202d\u202e"  # LRE, RLE, PDF, LRO, RLO
    "\u2060\u2061\u2062\u2063\u2064"  # word joiner, invisible math operators
    "\u2066\u2067\u2068\u2069"  # LRI, RLI, FSI, PDI
    "\ufeff"  # BOM / zero-width no-break space, anywhere in the text
    "\ufff9\ufffa\ufffb"  # interlinear annotation controls
    "\ufffc"  # object replacement (an image or embed lost in a word-processor copy)
)
_C0_C1 = "".join(chr(c) for c in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0)))
_DROP_RE = re.compile("[" + re.escape(_INVISIBLE + _C0_C1) + "]")
_ZWJ_OUTSIDE_EMOJI = re.compile(r"(?<![\u2600-\u27bf\ufe0f\U0001f000-\U0001faff])\u200d")
_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------

_HTML_START = re.compile(
    r"\A[\s\ufeff]*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])",
    re.IGNORECASE | re.DOTALL,
)
# A page saved without its <html> element still opens with its <head> or <body>, and closes one.
_PAGE_PART_START = re.compile(
    r"\A[\s\ufeff]*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:head|body)[\s>]",
    re.IGNORECASE | re.DOTALL,
)
_PAGE_PART_END = re.compile(r"</(?:head|body)\s*>", re.IGNORECASE)


def _looks_like_html(text: str) -> bool:
    """A saved web page: a document that opens as one (a doctype or <html>, after an XML declaration
    and comments), or its <head> or <body> without the <html> around them, closed further on.

    What the file is decides, not how many tags it holds: a text article quoting markup, or hostile
    text full of tags, is text and is kept as typed (re-read as a page, its tags were stripped and
    its title and paragraphs changed)."""
    start = text[:4096]
    if _HTML_START.match(start):
        return True
    return _PAGE_PART_START.match(start) is not None and _PAGE_PART_END.search(text) is not None


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_XML_DECL = re.compile(r"\A\s*<\?xml[^>]*\?>", re.IGNORECASE)


def _extract_html(html: str) -> tuple[str, dict[str, str | None]]:
    """Extract the article from a saved web page with trafilatura; title first, paragraphs blank-separated."""
    import trafilatura  # imported lazily: heavy, and only needed for the rare saved web page

    # lxml refuses str input that still carries an encoding declaration; we already decoded it.
    html = _XML_DECL.sub("", html)
    try:
        doc: Any = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_recall=True,
            # Only dates the page states in its markup: guessing from body text is the extractor's job.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # trafilatura/lxml raise many types on malformed pages
        raise UnreadableInput(f"HTML page could not be parsed ({type(exc).__name__})") from exc
    info: dict[str, Any] = {}
    if doc is not None:
        info = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)

    body = clean_text(info.get("text") or "")
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    if not paragraphs:
        raise UnreadableInput("HTML page with no extractable article text")

    title = clean_text(info.get("title") or "").replace("\n", " ").strip() or None
    if title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]  # some pages repeat the headline as the first paragraph
    date = info.get("date")
    meta: dict[str, str | None] = {
        "title": title,
        "date": date if isinstance(date, str) and _ISO_DATE.match(date) else None,
        "sitename": clean_text(info.get("sitename") or "") or None,
        "author": clean_text(info.get("author") or "") or None,
    }
    parts = ([title] if title else []) + paragraphs
    return "\n\n".join(parts), meta


# --------------------------------------------------------------------------------------------------
# Language check
# --------------------------------------------------------------------------------------------------


_PRESENTATION_FORMS = re.compile(r"[\ufb50-\ufdff\ufe70-\ufefc]")


_ASCII_LETTERS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NOT_ASCII_LETTERS = bytes(b for b in range(256) if b not in _ASCII_LETTERS)
_LANGUAGE_SAMPLE = 20_000  # characters: enough to judge the language, bounded for huge files


def _arabic_share(text: str) -> tuple[float, int]:
    """(share of Arabic-script letters among letters, number of letters), counted on UTF-8 bytes.

    Arabic letters are two-byte sequences led by 0xD8-0xDB and Latin letters are ASCII, so C-level
    byte counts give the share without a Python loop over characters (this runs on every file).
    Other scripts' letters count through their lead bytes; punctuation such as « » “ ” does not.
    """
    data = text[:_LANGUAGE_SAMPLE].encode("utf-8")
    arabic = sum(data.count(bytes((lead,))) for lead in (0xD8, 0xD9, 0xDA, 0xDB))
    arabic -= len(_ARABIC_NON_LETTERS.findall(text[:_LANGUAGE_SAMPLE])) if arabic else 0
    latin = len(data.translate(None, _NOT_ASCII_LETTERS))
    other = sum(data.count(bytes((lead,))) for lead in range(0xC3, 0xD8))  # Latin-1 letters … Hebrew
    n_letters = arabic + latin + other
    if n_letters <= 0:
        return 0.0, 0
    return max(arabic, 0) / n_letters, n_letters


# Arabic-block characters that are not letters: digits, punctuation, marks (rare in news prose).
_ARABIC_NON_LETTERS = re.compile("[\u0600-\u061f\u064b-\u066d\u0670\u06d4\u06d6-\u06ed\u06f0-\u06f9]")


_ENGLISH_WORDS = frozenset(
    (
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "that",
        "for",
        "with",
        "on",
        "was",
        "as",
        "by",
        "are",
        "from",
        "at",
        "has",
        "said",
    )
)
_FRENCH_WORDS = frozenset(
    (
        "le",
        "la",
        "les",
        "des",
        "et",
        "est",
        "du",
        "une",
        "un",
        "dans",
        "pour",
        "que",
        "qui",
        "sur",
        "par",
        "au",
        "avec",
    )
)


def _guess_language(text: str) -> str:
    """A short hint for the refusal message ('looks like English', 'mostly Cyrillic letters')."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    if words:
        en = sum(1 for w in words if w in _ENGLISH_WORDS) / len(words)
        fr = sum(1 for w in words if w in _FRENCH_WORDS) / len(words)
        if max(en, fr) >= 0.05:
            return "looks like English" if en >= fr else "looks like French"
    scripts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            script = unicodedata.name(ch, "UNKNOWN").split()[0]
            scripts[script] = scripts.get(script, 0) + 1
    if not scripts:
        return "no letters"
    top = max(scripts, key=lambda s: scripts[s])
    return f"mostly {top.title()} letters"


def _check_arabic(text: str) -> None:
    share, n_letters = _arabic_share(text)
    if n_letters == 0:
        raise UnreadableInput("not Arabic text (no letters)")
    if share < MIN_ARABIC_SHARE:
        raise UnreadableInput(f"not Arabic text ({share * 100:.0f}% Arabic letters; {_guess_language(text)})")
