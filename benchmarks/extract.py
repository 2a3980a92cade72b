"""Extraction throughput: synthesise N varied raw article files and time the real CLI over them.

    python benchmarks/extract.py [--count 10000] [--keep DIR | --work-dir DIR] [--seed N]

The files are built deterministically (fixed seed) by recombining parts the way real pages come:
site header / nav lines, page-header dates, breadcrumbs, a headline (sometimes repeated), a date in
one of many traditions and digit sets (Egyptian, Levantine, Maghrebi, Moroccan, Hijri, Eastern and
Persian digits, ISO, English, d/m/y, relative, none), bylines (own line or glued to the body),
3-12 body paragraphs from a pool of Arabic sentences (taken from seeds/ and tests/cases/ and
shuffled), teasers (own line or glued), tags, source / signature / copyright / comment footers, an
occasional second article, and utf-8 / utf-8-sig / windows-1256 / utf-16 bytes, some with CRLF.

Then it runs, timed with time.perf_counter:

    python -m generator extract DIR --format jsonl --report REPORT

checks that the output holds >= N records and that the report accounts for every file, and prints
the figures. The last line is `extract_seconds=<float>` (only printed when the checks pass; the
exit status is 1 otherwise). Target on the 2-core machine: <= 30 s for 10,000 files.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT / "benchmarks"))  # for scratch.py

from scratch import machine_state, scratch_folder  # noqa: E402  (benchmarks/scratch.py: where, and why)

TARGET_SECONDS = 30.0

try:  # the project depends on hijridate; without it the Hijri variants are simply not generated
    from hijridate import Gregorian
except ImportError:  # pragma: no cover
    Gregorian = None

# --- vocabularies -----------------------------------------------------------------------------------

OUTLETS = [
    "اليوم السابع", "مصراوي", "الجزيرة", "النهار", "عنب بلدي", "الشروق أونلاين", "موزاييك أف أم", "هسبريس",
    "عكاظ", "سبق", "القبس", "قناة العالم", "عمون", "العين الإخبارية", "وكالة معا الاخبارية", "السومرية نيوز",
    "الراي", "بوابة الوسط", "باج نيوز", "جريدة الشرق الأوسط", "دنيا الوطن", "المشهد اليمني", "الاتحاد",
    "سيريانيوز", "الميادين", "الوطن", "الخليج", "الأيام", "الدستور", "الغد",
]
NAV = ["الرئيسية", "أخبار", "سياسة", "اقتصاد", "رياضة", "ثقافة", "منوعات", "محليات", "عربي ودولي", "تكنولوجيا",
       "صحة", "فن", "مقالات", "حوادث", "برلمان", "جهات", "فيديو", "عاجل", "أبرز الأخبار", "مواقيت الصلاة"]
CATEGORIES = ["سياسة", "اقتصاد", "محليات", "أخبار مصر", "الأخبار العالمية", "لبنان", "الجزائر", "رياضة", "ثقافة"]
CITIES = ["القاهرة", "دمشق", "بيروت", "الرياض", "الكويت", "عمان", "بغداد", "الرباط", "تونس", "الجزائر", "موسكو",
          "الخرطوم", "عدن", "جدة", "دبي", "غزة", "بنغازي", "الدوحة", "واشنطن", "باريس"]
PEOPLE = ["أحمد علي", "سارة عبدالله", "محمد الأمين", "ريتا شمعون", "سلطان الزهراني", "فهد الشمري", "ناصر الفرحان",
          "سالم العبيدي", "منى حسن", "خالد منصور", "نوال بن علي", "يوسف الحربي"]
AGENCIES = ["وكالات", "رويترز", "أ ف ب", "أ ش أ", "واس", "سانا", "وام", "كونا", "قنا", "بنا"]

WEEKDAYS = ["الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]  # date.weekday() order
MONTHS = {
    "standard": ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
                 "نوفمبر", "ديسمبر"],
    "levantine": ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
                  "تشرين الثاني", "كانون الأول"],
    "maghrebi": ["جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان", "جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر",
                 "ديسمبر"],
    "moroccan": ["يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر",
                 "دجنبر"],
}
HIJRI_MONTHS = ["محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة", "رجب", "شعبان", "رمضان",
                "شوال", "ذو القعدة", "ذو الحجة"]
EN_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
EASTERN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

FALLBACK_SENTENCES = [
    "أعلنت الوزارة في بيان رسمي اليوم عن حزمة من الإجراءات الجديدة لدعم القطاعات المتضررة.",
    "وقال المتحدث الرسمي إن الحكومة تتابع تطورات الوضع عن كثب وتعمل على إيجاد حلول عاجلة.",
    "وأضاف أن الاجتماع تناول سبل تعزيز التعاون الثنائي في المجالات الاقتصادية والتجارية.",
    "وأشار التقرير إلى ارتفاع ملحوظ في معدلات الإنتاج خلال الربع الأول من العام الجاري.",
    "من جهتها، دعت منظمات المجتمع المدني إلى مزيد من الشفافية في إدارة الموارد العامة.",
    "وتشهد المنطقة منذ أسابيع موجة من الأمطار الغزيرة التي تسببت في أضرار بالبنية التحتية.",
]

# --- the sentence pool -------------------------------------------------------------------------------

SENTENCE_END = re.compile(r"(?<=[.!؟])\s+")
# raw seed lines also hold bylines, widgets and tag lists: keep those out of the prose pool
NOT_PROSE = re.compile(
    r"ــ|الرئيسية /|\((?:وكالات|رويترز)\)|كلمات دلالية|أخبار (?:ذات صلة|قد تهمك)|[اإ]قرأ أيضا|TAG|…|المصدر:"
)


def sentence_pool() -> list[str]:
    """Arabic sentences from the seed pages and the hand-written test cases, de-duplicated, in a fixed order."""
    texts: list[str] = []
    for path in sorted((ROOT / "tests" / "cases").glob("*.json")):
        try:
            texts.extend(json.loads(path.read_text(encoding="utf-8"))["body"].split("\n\n"))
        except (ValueError, KeyError):
            continue
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        texts.extend(line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
                     if len(line.strip()) >= 80)
    seen: set[str] = set()
    pool = []
    for text in texts:
        for sentence in SENTENCE_END.split(text):
            sentence = sentence.strip()
            if 40 <= len(sentence) <= 600 and sentence not in seen and not NOT_PROSE.search(sentence):
                seen.add(sentence)
                pool.append(sentence)
    return pool if len(pool) >= 20 else pool + FALLBACK_SENTENCES


# --- dates -------------------------------------------------------------------------------------------


def _h12(hour: int, minute: int, pm_word: str = "م", am_word: str = "ص") -> str:
    return f"{(hour % 12) or 12:02d}:{minute:02d} {pm_word if hour >= 12 else am_word}"


def date_text(rng: random.Random, day, hour: int, minute: int) -> str:
    """One rendering of a publication date, in one of many regional traditions."""
    wd = WEEKDAYS[day.weekday()]
    d, m, y = day.day, day.month, day.year
    style = rng.randrange(16)
    if style == 0:  # Egyptian
        return f"{wd}، {d} {MONTHS['standard'][m - 1]} {y} {_h12(hour, minute)}"
    if style == 1:  # Masrawy, time first
        return f"{_h12(hour, minute)} {wd} {d:02d} {MONTHS['standard'][m - 1]} {y}"
    if style == 2:  # Al Jazeera d/m/y
        return f"{d}/{m}/{y}"
    if style == 3:  # Levantine double month
        return f"{wd} {d} {MONTHS['levantine'][m - 1]} / {MONTHS['standard'][m - 1]} {y} | {hour:02d}:{minute:02d}"
    if style == 4:
        return f"{d} {MONTHS['levantine'][m - 1]} {y}"
    if style == 5:  # Algerian / Tunisian
        return f"نشر في {d} {MONTHS['maghrebi'][m - 1]} {y} على الساعة {hour:02d}:{minute:02d}"
    if style == 6:  # Moroccan
        return f"{wd} {d} {MONTHS['moroccan'][m - 1]} {y} - {hour:02d}:{minute:02d}"
    if style == 7 and Gregorian is not None:  # Gulf: Hijri + Gregorian
        h = Gregorian(y, m, d).to_hijri()
        return f"{wd} {h.day} {HIJRI_MONTHS[h.month - 1]} {h.year} هـ - {d} {MONTHS['standard'][m - 1]} {y} م"
    if style == 8:  # Eastern Arabic digits
        return f"{d} {MONTHS['standard'][m - 1]} {y} - {_h12(hour, minute)}".translate(EASTERN)
    if style == 9:  # Persian digits
        return f"{wd} {d} {MONTHS['standard'][m - 1]} {y} - {hour:02d}:{minute:02d}".translate(PERSIAN)
    if style == 10:  # ISO 8601
        return f"تاريخ النشر: {y}-{m:02d}-{d:02d}T{hour:02d}:{minute:02d}:00+03:00"
    if style == 11:  # English
        ampm = "PM" if hour >= 12 else "AM"
        return f"{EN_DAYS[day.weekday()]}, {EN_MONTHS[m - 1]} {d}, {y} {(hour % 12) or 12}:{minute:02d}:00 {ampm}"
    if style == 12:
        return f"تاريخ النشر: {d}th, {EN_MONTHS[m - 1]} {y} GMT"
    if style == 13:  # Syria News
        return f"{d:02d}.{m:02d}.{y} | {hour:02d}:{minute:02d}"
    if style == 14:
        return rng.choice(["منذ ساعتين", "منذ 5 دقائق", "قبل 3 أيام", "منذ ساعة"])
    return f"{d} {MONTHS['standard'][m - 1]} {y} {hour:02d}:{minute:02d}"


# --- one page ----------------------------------------------------------------------------------------


def make_title(rng: random.Random, pool: list[str]) -> str:
    words = rng.choice(pool).split()[: rng.randint(6, 12)]
    title = " ".join(words).rstrip("،,.:؛")
    if rng.random() < 0.3:
        title = f"{rng.choice(['الكرملين', 'الأمم المتحدة', 'وزير الخارجية', 'الأرصاد', 'الصحة'])}: {title}"
    return title


def make_paragraphs(rng: random.Random, pool: list[str], low: int = 3, high: int = 12) -> list[str]:
    return [" ".join(rng.sample(pool, rng.randint(1, 4))) for _ in range(rng.randint(low, high))]


def make_byline(rng: random.Random, outlet: str) -> str | None:
    kind = rng.randrange(7)
    city = rng.choice(CITIES)
    return [
        None,
        f"كتب: {rng.choice(PEOPLE)}",
        f"{city} ({rng.choice(AGENCIES)})",
        f"{city} - {outlet}",
        f"{rng.choice(PEOPLE)} ({city})",
        f"بقلم: {rng.choice(PEOPLE)}",
        f"{city} ــ {outlet} ــ عواصم ــ وكالات:",
    ][kind]


def make_article(rng: random.Random, pool: list[str], outlet: str, day, second: bool = False) -> list[str]:
    """Title, date, byline and body lines of one article (no site chrome)."""
    lines: list[str] = []
    title = make_title(rng, pool)
    lines.append(title)
    if rng.random() < 0.2 and not second:
        lines.append(title)  # headline repeated, as in many copies
    hour, minute = rng.randrange(24), rng.randrange(60)
    byline = make_byline(rng, outlet)
    if rng.random() < 0.85:
        lines.append(date_text(rng, day, hour, minute))
    paragraphs = make_paragraphs(rng, pool, 2 if second else 3, 5 if second else 12)
    if byline and rng.random() < 0.4:
        paragraphs[0] = f"{byline} {paragraphs[0]}"  # byline glued to the first body line
    elif byline:
        lines.append(byline)
    for i, paragraph in enumerate(paragraphs):
        if i and rng.random() < 0.08:
            paragraph = rng.choice(["أخبار ذات صلة", "اقرأ أيضاً", "شاهد أيضاً"]) + paragraph  # glued widget
        lines.append(paragraph)
        if rng.random() < 0.1:
            lines.append(f"اقرأ أيضا.. {make_title(rng, pool)}")
    return lines


def make_page(rng: random.Random, pool: list[str]) -> str:
    outlet = rng.choice(OUTLETS)
    day = date(2005, 1, 1) + timedelta(days=rng.randrange(7300))
    lines: list[str] = []
    if rng.random() < 0.3:  # site top bar with today's date
        viewed = day + timedelta(days=rng.randrange(0, 2000))
        lines.append(f"{WEEKDAYS[viewed.weekday()]} {viewed.day} {MONTHS['standard'][viewed.month - 1]} {viewed.year}")
    if rng.random() < 0.7:
        lines.append(outlet)
    lines.extend(rng.sample(NAV, rng.randint(0, 8)))
    if rng.random() < 0.5:
        lines.append(f"الرئيسية / {rng.choice(CATEGORIES)}")
    lines.extend(make_article(rng, pool, outlet, day))
    footer = []
    if rng.random() < 0.3:
        footer.append(f"المصدر: {rng.choice([outlet, 'وكالة الأنباء السعودية', 'رويترز'])}")
    if rng.random() < 0.2:
        footer.append(outlet)  # signature line
    if rng.random() < 0.35:
        tags = [" ".join(rng.choice(pool).split()[:2]) for _ in range(rng.randint(2, 6))]
        if rng.random() < 0.5:
            footer.append(f"{rng.choice(['كلمات دلالية:', 'الوسوم:', 'TAG:'])} {'، '.join(tags)}")
        else:
            footer.extend(["الوسوم", *tags])
    if rng.random() < 0.3:
        footer.extend(["أخبار قد تهمك", make_title(rng, pool), make_title(rng, pool)])
    if rng.random() < 0.25:
        footer.extend(["اترك تعليقاً", "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *"])
    if rng.random() < 0.08:  # a second, unrelated article
        footer.extend(["إقرأ أيضاً:", *make_article(rng, pool, outlet, day, second=True)])
    if rng.random() < 0.5:
        footer.append(f"جميع الحقوق محفوظة {rng.choice(['لـ', '© ', ''])}{outlet} {day.year}©")
    if rng.random() < 0.2:
        footer.append("إلى الأعلى")
    separator = "\n\n" if rng.random() < 0.5 else "\n"  # blank line between lines, or not (both occur)
    return separator.join(line for line in [*lines, *footer] if line) + "\n"


def encode_page(rng: random.Random, text: str) -> tuple[bytes, str]:
    if rng.random() < 0.2:
        text = text.replace("\n", "\r\n")
    roll = rng.random()
    if roll < 0.15:
        try:
            return text.encode("windows-1256"), "windows-1256"
        except UnicodeEncodeError:
            pass  # Eastern/Persian digits and the like do not fit: keep UTF-8
    elif roll < 0.2:
        return b"\xff\xfe" + text.encode("utf-16-le"), "utf-16"
    elif roll < 0.25:
        return text.encode("utf-8-sig"), "utf-8-sig"
    return text.encode("utf-8"), "utf-8"


REAL_PAGES = [*sorted((ROOT.parent / "shared" / "devset" / "real" / "cases").glob("*.txt")),
              *sorted((ROOT / "seeds").glob("*.txt"))]


def real_layout(rng: random.Random, pages: list[str], pool: list[str], number: int) -> str:
    """A real page (../shared/devset/real or seeds/, read where it lies) made unique: one of its body
    sentences swapped for a pool sentence and a numbered line added, so duplicate detection sees a new
    article while the page keeps its real furniture."""
    text = rng.choice(pages)
    lines = text.split("\n")
    long = [i for i, line in enumerate(lines) if len(line) > 120]
    if long:
        i = rng.choice(long)
        lines[i] = f"{rng.choice(pool)} {lines[i]}"
    return "\n".join(lines) + f"\n\n{rng.choice(pool)} ({number})\n"


def synthesise(folder: Path, count: int, seed: int, real_share: float = 0.0) -> dict[str, int]:
    """`count` files: a `real_share` of real page layouts made unique, the rest synthetic pages."""
    rng = random.Random(seed)
    pool = sentence_pool()
    pages = [p.read_text(encoding="utf-8") for p in REAL_PAGES if p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    encodings: dict[str, int] = {}
    for i in range(count):
        if pages and rng.random() < real_share:
            text = real_layout(rng, pages, pool, i)
            encodings["real layout"] = encodings.get("real layout", 0) + 1
        else:
            text = make_page(rng, pool)
        data, encoding = encode_page(rng, text)
        (folder / f"{i:05d}.txt").write_bytes(data)
        encodings[encoding] = encodings.get(encoding, 0) + 1
    return encodings


# --- run and check -----------------------------------------------------------------------------------


def report_sources(report: object) -> set[str]:
    """Names of the files the report accounts for (its "files" list, or any dict with a "source")."""
    found: set[str] = set()
    stack = [report]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("source"), str):
                found.add(Path(node["source"]).name)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time `python -m generator extract` over N synthetic pages.")
    ap.add_argument("--count", type=int, default=10_000, help="files to synthesise (default 10000)")
    ap.add_argument("--keep", metavar="DIR", help="build in DIR (must be new or empty) and keep it")
    ap.add_argument("--work-dir", metavar="DIR", help="make the temporary folder in DIR (default: .bench/)")
    ap.add_argument("--seed", type=int, default=20240918)
    ap.add_argument("--real-share", type=float, default=0.5,
                    help="share of files copied from real page layouts (../shared/devset/real, seeds/)")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds before the extractor is stopped")
    args = ap.parse_args(argv)

    if args.keep:
        work = Path(args.keep)
        if work.exists() and any(work.iterdir()):
            ap.error(f"--keep {work}: directory is not empty")
        work.mkdir(parents=True, exist_ok=True)
        return run(work, args)
    with scratch_folder("extract-bench-", args.work_dir) as work:
        return run(work, args)


def run(work: Path, args: argparse.Namespace) -> int:
    inputs, out_path, report_path = work / "articles", work / "out.jsonl", work / "report.json"
    print(f"machine: {machine_state(work)}", flush=True)
    t0 = time.perf_counter()
    encodings = synthesise(inputs, args.count, args.seed, args.real_share)
    print(f"synthesised {args.count} files in {time.perf_counter() - t0:.1f} s under {inputs} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(encodings.items()))})")

    cmd = [sys.executable, "-m", "generator", "extract", str(inputs), "--format", "jsonl", "--report", str(report_path)]
    with out_path.open("wb") as out:
        start = time.perf_counter()
        try:
            proc = subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.PIPE, timeout=args.timeout, check=False)
        except subprocess.TimeoutExpired:
            print(f"FAIL: extractor still running after {args.timeout:.0f} s", file=sys.stderr)
            return 1
        seconds = time.perf_counter() - start

    failures = []
    if proc.returncode != 0:
        failures.append(f"extractor exit status {proc.returncode}: "
                        + " | ".join(proc.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]))
    records = 0
    sources: set[str] = set()
    with out_path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                records += 1
                try:
                    sources.add(Path(json.loads(line)["source"]).name)
                except (ValueError, KeyError, TypeError):
                    failures.append(f"output line {records} is not a JSON record")
                    break
    if records < args.count:
        failures.append(f"output has {records} records, fewer than the {args.count} files")
    expected = {f"{i:05d}.txt" for i in range(args.count)}
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        failures.append(f"report {report_path} unreadable: {error}")
        report = {}
    missing = expected - report_sources(report)
    if missing:
        failures.append(f"report does not account for {len(missing)} file(s), e.g. {sorted(missing)[:3]}")
    rejected = [f for f in report.get("files", []) if isinstance(f, dict) and f.get("status") == "rejected"]

    print(f"files: {args.count}")
    print(f"articles: {records} (from {len(sources)} files; report: {report.get('status_counts', '?')}, "
          f"{len(rejected)} rejected)")
    print(f"seconds: {seconds:.2f}")
    print(f"files/s: {args.count / seconds:.0f}")
    if args.count >= 1000:  # below that, start-up cost dominates and scaling up means little
        scaled = seconds * 10_000 / args.count
        print(f"target: <= {TARGET_SECONDS:.0f} s per 10,000 files -> {scaled:.1f} s, "
              f"{'ok' if scaled <= TARGET_SECONDS else 'OVER'}")
    if failures:
        for failure in failures:
            print(f"FAIL: {failure}", file=sys.stderr)
        return 1
    print(f"extract_seconds={seconds:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
