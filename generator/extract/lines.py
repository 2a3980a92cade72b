"""A page as a list of classified lines, and the features the line labeller reads from them.

Every non-empty line is classified once by the rule-based readers (page furniture, date line,
byline). Those classifications are *features*, not decisions: which line is the headline, which
lines are the body and which are furniture is decided by the learned labeller
(`generator/extract/labeller.py`) from these features and its neighbours'.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from generator.extract import boilerplate as bp
from generator.extract.credits import Byline, parse_byline
from generator.text.arabic import match_key, words
from generator.text.dates import DateMatch, parse_date_line
from generator.text.lexicon import outlets

MAX_DATE_LINE_WORDS = 25
DATE_LINE_COVERAGE = 0.5  # share of a line that must be date for it to count as a date line
SENTENCE_END = re.compile(r"[.!?؟…][\"'»”’)\]]*\s*$")
HEADLINE_BAD_END = re.compile(r"[.،,:;؛]\s*$")
_BULLET = re.compile(r"^\s*(?:[•·▪●■◦*►▶✓-]|\d{1,2}[.)-]\s)")
_DOMAIN = re.compile(r"(?:www\.|https?://)|\b[a-z0-9-]+\.(?:com|net|org|info|co|tv|news|press|ma|dz|tn|ly|eg|sa|ae|qa"
                     r"|kw|bh|om|jo|lb|sy|iq|ye|sd|ps|fr|uk|cn|ru|tr|me|online|site)\b", re.IGNORECASE)
_LATIN = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"[0-9٠-٩۰-۹]")
_ARABIC = re.compile("[\u0621-\u064a]")
_TEASER_STAMP = re.compile(r"^\s*[-–•]?\s*\d{1,2}:\d{2}\s")  # "- 17:11 headline": a latest-news list
_PAREN_TAIL = re.compile(r"\(([^()]{1,40})\)\s*$")
_PHOTO_WORDS = re.compile(r"getty|afp|reuters|أرشيف|ارشيف|أرشيفية|صورة|الصورة|تصوير|يمين|يسار|\bepa\b|\bap\b",
                          re.IGNORECASE)
# A photo caption's credit: "(أرشيف)", "/ getty images", "(رويترز)", "تصوير: …".
CAPTION = re.compile(r"\((?:[^()]{0,30}\b)?(?:أرشيف|ارشيف|أرشيفية|صورة|getty|afp|رويترز|يمين|يسار|من اليمين)"
                     r"[^()]{0,30}\)|/\s*(?:getty|afp|reuters|shutterstock|epa)|تصوير\s*:", re.IGNORECASE)
_QUOTE_START = re.compile(r"^[\"'«“”]")
_SEPARATORS = re.compile(r"\s[|/>»›\\]\s|\s[-–—]\s")


@dataclass
class Line:
    no: int  # 1-based line number in the file
    text: str
    blank_before: bool = False
    blank_after: bool = False
    furniture: bp.Furniture | None = None
    date: DateMatch | None = None  # the line is a date line (mostly date)
    date_inside: DateMatch | None = None  # any absolute date the line states, date line or not
    byline: Byline | None = None  # set when the whole line is a byline
    n_words: int = 0
    key: str = ""  # match_key of the text

    @property
    def is_date(self) -> bool:
        return self.date is not None

    @property
    def is_prose(self) -> bool:
        if self.furniture or self.is_date or self.byline:
            return False
        return (self.n_words >= 8 and bool(SENTENCE_END.search(self.text))) or self.n_words >= 25

    @property
    def is_headline(self) -> bool:
        if self.furniture or self.is_date or self.byline:
            return False
        return 2 <= self.n_words <= 40 and not HEADLINE_BAD_END.search(self.text) and not self.is_prose


def prepare_lines(text: str) -> list[Line]:
    """Classify every non-empty line of a cleaned page."""
    lines: list[Line] = []
    blank = False
    for no, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped:
            blank = True
            if lines:
                lines[-1].blank_after = True
            continue
        stripped = bp.strip_trailing_teaser(stripped)
        line = Line(no, stripped, blank_before=blank)
        blank = False
        furniture = bp.classify(stripped)
        if furniture and furniture.kind is bp.Kind.TEASER and furniture.value:
            # A related-links widget glued to the start of a body line: keep the body part.
            rest = bp.strip_glued_teaser(furniture)
            rest_words = len(words(rest))
            if rest_words >= 8 and (furniture.glued or SENTENCE_END.search(rest) or rest_words >= 25):
                line.text, furniture = rest, None
        line.furniture = furniture
        line.n_words = len(words(line.text))
        line.key = match_key(line.text)
        if not (furniture and furniture.kind is bp.Kind.COPYRIGHT):
            match = parse_date_line(line.text)
            if match and match.date:
                line.date_inside = match
            if match and line.n_words <= MAX_DATE_LINE_WORDS and (match.coverage >= DATE_LINE_COVERAGE or match.label):
                line.date = match
        if not furniture and not line.date and line.n_words <= 12:
            parsed = parse_byline(line.text, standalone=True)
            if parsed and not parsed[1].strip():
                line.byline = parsed[0]
        lines.append(line)
    return lines


# --- features ---------------------------------------------------------------------------------------


def _bucket(value: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if value <= edge:
            return str(edge)
    return f">{edges[-1]}"


def _share_bucket(share: float) -> str:
    return "0" if share == 0 else "low" if share < 0.2 else "mid" if share < 0.6 else "high"


def _end_class(text: str) -> str:
    last = text.rstrip()[-1:]
    if last in ".":
        return "." if not text.rstrip().endswith("..") else ".."
    if last in "؟?!":
        return "?"
    if last in ":：":
        return ":"
    if last in "…":
        return ".."
    if last in "،,؛;":
        return ","
    if last in ")]":
        return ")"
    if last in "»\"'”’":
        return "quote"
    if last.isdigit():
        return "digit"
    if last.isalpha():
        return "letter"
    return "other"


class PageContext:
    """Facts about the whole page that a line's features compare against."""

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.key_counts = Counter(line.key for line in lines if line.key)
        prose = [line for line in lines if line.is_prose]
        self.first_prose = next((i for i, line in enumerate(lines) if line.is_prose), None)
        self.last_prose = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].is_prose), None)
        # Content words of the page's prose: a headline shares its words with the body, a menu does not.
        self.prose_words: Counter[str] = Counter()
        for line in prose:
            self.prose_words.update(w for w in set(line.key.split()) if len(w) > 2)
        self.keys = [line.key for line in lines]
        self.title_cues = self._title_cues()
        self.headline_cue = next((i for i, cue in self.title_cues.items() if "first_after_furniture" in cue), None)

    def _title_cues(self) -> dict[int, str]:
        """Headline-shaped lines above the first paragraph: the first after the page's menus, the longest."""
        cues: dict[int, str] = {}
        if self.first_prose is None:
            return cues
        top = max(0, self.first_prose - 12)
        above = range(top, self.first_prose)
        candidates = [i for i in above if self.lines[i].is_headline and self.lines[i].n_words >= 4]
        furniture = [i for i in above if self.lines[i].furniture or self.lines[i].is_date]
        after = [i for i in candidates if not furniture or i > min(furniture)]
        if after:
            cues[after[0]] = "first_after_furniture"
        if candidates:
            longest = max(candidates, key=lambda i: (self.lines[i].n_words, -i))
            cues[longest] = cues.get(longest, "") + "+longest" if longest in cues else "longest"
            cues.setdefault(candidates[0], "first_headline")
        # Two near-identical headlines (a headline and its variant as subtitle or caption): the first is it.
        sets = {i: set(self.keys[i].split()) for i in candidates}
        for a in candidates:
            for b in candidates:
                if a < b and len(sets[a] & sets[b]) >= 0.5 * max(len(sets[a]), len(sets[b])):
                    cues[a] = cues.get(a, "") + "+variant_first" if a in cues else "variant_first"
                    cues[b] = cues.get(b, "") + "+variant_later" if b in cues else "variant_later"
        return cues

    def overlap(self, i: int) -> float:
        """Share of line i's content words that occur in prose lines other than itself."""
        line = self.lines[i]
        tokens = {w for w in line.key.split() if len(w) > 2}
        if not tokens:
            return 0.0
        own = line.is_prose
        hits = sum(1 for w in tokens if self.prose_words[w] - (1 if own else 0) > 0)
        return hits / len(tokens)

    def contained_elsewhere(self, i: int) -> bool:
        """Line i's text appears inside a longer line (a headline inside a breadcrumb or a titled line)."""
        key = self.keys[i]
        if len(key) < 12:
            return False
        return any(j != i and len(other) > len(key) and key in other for j, other in enumerate(self.keys))

    def contains_other(self, i: int) -> bool:
        """Line i holds another whole line of the page (a breadcrumb ending in the headline)."""
        key = self.keys[i]
        return any(j != i and len(other) >= 12 and len(other) < len(key) and other in key
                   for j, other in enumerate(self.keys))


def _local_features(line: Line, ctx: PageContext, i: int) -> dict[str, float]:
    text = line.text
    n = line.n_words
    f: dict[str, float] = {
        "bias": 1.0,
        "words=" + _bucket(n, (0, 1, 2, 3, 5, 8, 12, 20, 40, 80)): 1.0,
        "chars=" + _bucket(len(text), (10, 20, 40, 80, 160, 320, 640)): 1.0,
        "end=" + _end_class(text): 1.0,
        "digits=" + _share_bucket(len(_DIGIT.findall(text)) / max(1, len(text))): 1.0,
        "latin=" + _share_bucket(len(_LATIN.findall(text)) / max(1, len(text))): 1.0,
        "arabic=" + _share_bucket(len(_ARABIC.findall(text)) / max(1, len(text))): 1.0,
        "overlap=" + _share_bucket(ctx.overlap(i)): 1.0,
    }
    if line.is_prose:
        f["prose"] = 1.0
    if line.is_headline:
        f["headline_like"] = 1.0
    if SENTENCE_END.search(text):
        f["sentence_end"] = 1.0
    if line.furniture:
        f["furniture=" + line.furniture.kind.value] = 1.0
        if line.furniture.value:
            f["furniture_value"] = 1.0
    if line.date:
        f["date_line"] = 1.0
        f["date_cov=" + _share_bucket(line.date.coverage)] = 1.0
        if line.date.label:
            f["date_label=" + line.date.label] = 1.0
        if line.date.relative:
            f["date_relative"] = 1.0
        if line.date.time:
            f["date_time"] = 1.0
    elif line.date_inside:
        f["date_inside"] = 1.0
    if line.byline:
        f["byline"] = 1.0
        if line.byline.author:
            f["byline_author"] = 1.0
    count = ctx.key_counts.get(line.key, 0)
    if count > 1:
        f["repeated"] = 1.0
        if count > 2:
            f["repeated3"] = 1.0
    cue = ctx.title_cues.get(i)
    if cue:
        for part in cue.split("+"):
            f["cue_" + part] = 1.0
    for name, pattern in _TEXT_FLAGS:
        if pattern.search(text):
            f[name] = 1.0
    if ctx.contained_elsewhere(i):
        f["inside_other_line"] = 1.0
    if ctx.contains_other(i):
        f["holds_other_line"] = 1.0
    seps = text.count("|")
    if seps:
        f["pipes=" + _bucket(seps, (1, 2))] = 1.0
    if ":" in text[:40] or "：" in text[:40]:
        f["early_colon"] = 1.0
    paren = _PAREN_TAIL.search(text)
    if paren:
        f["paren_tail"] = 1.0
        if _PHOTO_WORDS.search(paren.group(1)):
            f["photo_credit"] = 1.0
    elif _PHOTO_WORDS.search(text) and n <= 30:
        f["photo_words"] = 1.0
    if n <= 6:
        outlet = outlets().lookup(text)
        if outlet:
            f["known_" + outlet.kind] = 1.0
    if text.endswith(("…", "...")):
        f["ellipsis_end"] = 1.0
    return f


# Features that are one pattern found in the line's text.
_TEXT_FLAGS = (("caption_cue", CAPTION), ("bullet", _BULLET), ("quote_start", _QUOTE_START), ("domain", _DOMAIN),
               ("time_stamp_start", _TEASER_STAMP), ("separators", _SEPARATORS))

_CONTEXT_KEYS = ("prose", "headline_like", "date_line", "byline", "sentence_end")


def page_features(lines: list[Line]) -> list[dict[str, float]]:
    """One feature dict per line: its own features, its position, and its neighbours' key features."""
    ctx = PageContext(lines)
    local = [_local_features(line, ctx, i) for i, line in enumerate(lines)]
    total = len(lines)
    features: list[dict[str, float]] = []
    for i, own in enumerate(local):
        f = dict(own)
        f["pos=" + _bucket(i, (0, 1, 2, 3, 5, 8, 12, 20))] = 1.0
        f["from_end=" + _bucket(total - 1 - i, (0, 1, 2, 4, 8))] = 1.0
        f["rel_pos=" + str(min(4, int(5 * i / max(1, total))))] = 1.0
        if ctx.first_prose is not None:
            offset = i - ctx.first_prose
            f["to_first_prose=" + (_bucket(offset, (-8, -5, -3, -2, -1, 0, 1, 3, 8)) if offset <= 8 else ">8")] = 1.0
        if ctx.headline_cue is not None and ctx.first_prose is not None and ctx.headline_cue < i < ctx.first_prose:
            f["below_headline_cue"] = 1.0
        elif ctx.headline_cue is not None and i < ctx.headline_cue:
            f["above_headline_cue"] = 1.0
        if ctx.last_prose is not None and i > ctx.last_prose:
            f["after_last_prose"] = 1.0
        if any(lines[j].is_date or lines[j].byline for j in range(i + 1, min(total, i + 3))):
            f["date_or_byline_below"] = 1.0
        if lines[i].blank_before:
            f["blank_before"] = 1.0
        if lines[i].blank_after:
            f["blank_after"] = 1.0
        for step, name in ((-1, "prev"), (1, "next"), (-2, "prev2"), (2, "next2")):
            j = i + step
            if not 0 <= j < total:
                f[name + ":none"] = 1.0
                continue
            other = local[j]
            for key in _CONTEXT_KEYS:
                if key in other:
                    f[f"{name}:{key}"] = 1.0
            if abs(step) == 1:
                for key in other:
                    if key.startswith(("furniture=", "words=", "end=")):
                        f[f"{name}:{key}"] = 1.0
                if lines[j].key and lines[j].key == lines[i].key:
                    f[name + ":same_text"] = 1.0
        features.append(f)
    return features
