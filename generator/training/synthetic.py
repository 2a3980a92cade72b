"""Synthetic training pages: real article text wrapped in varied page furniture.

The labelled real pages are few; these teach the labeller the many ways a site dresses an article
(mastheads, menus, header clocks, kickers, standfirsts, bylines, captions, share bars, teasers,
comment forms, copyright). Bodies and headlines come from the labelled pages given; furniture is
drawn from generic vocabularies. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from generator.text.lexicon import outlets

_MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر",
           "ديسمبر"]
_LEVANT = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
           "تشرين الثاني", "كانون الأول"]
_DAYS = ["الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
_NAV = ["الرئيسية", "أخبار", "سياسة", "اقتصاد", "رياضة", "ثقافة", "منوعات", "محليات", "عربي ودولي", "تكنولوجيا",
        "صحة", "فن", "مقالات", "حوادث", "تقارير", "فيديو", "عاجل", "اتصل بنا", "من نحن", "الرأي", "المرأة",
        "جامعات", "وظائف", "الطقس", "برلمان", "دولي", "عربي"]
_PLACES = ["القاهرة", "دمشق", "بيروت", "الرياض", "الكويت", "بغداد", "الرباط", "تونس", "الجزائر", "موسكو", "الخرطوم",
           "عدن", "جدة", "دبي", "غزة", "بنغازي", "الدوحة", "واشنطن", "باريس", "عمّان", "رام الله", "صنعاء", "المنامة",
           "مسقط", "نواكشوط", "طرابلس", "أربيل", "الموصل", "حلب", "الإسكندرية"]
_PEOPLE = ["أحمد علي", "سارة عبدالله", "محمد الأمين", "ريتا شمعون", "سلطان الزهراني", "فهد الشمري", "هدى حسن",
           "يوسف بن علي", "ليلى مراد", "خالد العتيبي", "نور الدين بوزيد", "عمر الفاروق", "منى سليمان"]
_GENERIC = ["متابعات", "وكالات", "خاص", "عواصم"]
_HINT_NAMES = ["{} نيوز", "شبكة {} الإخبارية", "بوابة {}", "صحيفة {}", "موقع {}", "{} اليوم", "{} 24", "{} برس",
               "{} بوست", "راديو {}", "{} الإخباري"]
_NAME_WORDS = ["الفجر", "النبأ", "الحدث", "الميزان", "الصدى", "الرصد", "الساحل", "البوصلة", "المرصد", "الأفق",
               "الشاهد", "الضفة", "الرائد", "الوادي", "النجم", "المنارة", "الواحة", "الجسر", "السفير", "البلد"]
_KICKERS = ["خاص", "عاجل", "تقرير", "حصري", "بالفيديو", "بالصور", "تحليل", "متابعة", "قضية", "حوار"]
_SHARE = ["شارك", "فيسبوك تويتر واتساب", "Facebook X (Twitter) WhatsApp Telegram", "طباعة", "شارك الخبر",
          "نسخ الرابط", "حجم الخط"]
_TEASER_HEADS = ["اقرأ أيضاً", "أخبار ذات صلة", "الأكثر قراءة", "آخر الأخبار", "قد يعجبك أيضاً", "مواضيع ذات صلة",
                 "أحدث الأخبار", "المزيد من الأخبار"]
_COMMENTS = ["اترك تعليقاً", "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *", "التعليق",
             "الاسم", "البريد الإلكتروني", "إرسال التعليق", "التعليقات"]
_CAPTIONS = ["صورة أرشيفية", "(أرشيف)", "(رويترز)", "(أ ف ب)", "(getty images)", "(وكالات)", "(الأناضول)"]
_TAG_LABELS = ["الوسوم", "كلمات دلالية", "الكلمات المفتاحية", "وسوم", "Tags"]


@dataclass
class SyntheticPage:
    text: str
    title: str
    paragraphs: list[str]


def _date(rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2008, 2026)
    hour, minute = rng.randint(0, 23), rng.randint(0, 59)
    weekday = _DAYS[rng.randrange(7)]
    ampm = "م" if hour >= 12 else "ص"
    formats = [
        f"{weekday} {day} {_MONTHS[month - 1]} {year}",
        f"{weekday}, {day} {_MONTHS[month - 1]} {year}, {hour:02d}:{minute:02d}",
        f"{day} {_MONTHS[month - 1]} {year} {hour % 12 or 12:02d}:{minute:02d} {ampm}",
        f"{year}-{month:02d}-{day:02d} | {hour % 12 or 12}:{minute:02d} {'مساءً' if hour >= 12 else 'صباحاً'}",
        f"{day:02d}/{month:02d}/{year} - {hour:02d}:{minute:02d}",
        f"نشر في: {day} {_MONTHS[month - 1]} {year}",
        f"تاريخ النشر: {year}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}",
        f"{weekday} {day} {_LEVANT[month - 1]} {year}",
        f"{weekday}، {_MONTHS[month - 1]} {day}، {year}",
        f"آخر تحديث: {day} {_MONTHS[month - 1]} {year} - {hour:02d}:{minute:02d}",
        f"في يوم {day} {_MONTHS[month - 1]}، {year} | بتوقيت {hour % 12 or 12}:{minute:02d} {ampm}",
    ]
    return rng.choice(formats)


def _outlet_name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        table = [o for o in outlets().outlets if o.kind == "outlet"]
        return rng.choice(table).ar
    return rng.choice(_HINT_NAMES).format(rng.choice(_NAME_WORDS))


def _masthead(rng: random.Random, outlet: str) -> list[str]:
    lines: list[str] = []
    if rng.random() < 0.4:
        lines.append(_date(rng))
    lines.append(outlet)
    if rng.random() < 0.3:
        lines.append(rng.choice(["صحيفة يومية مستقلة", "صحيفة إلكترونية شاملة", "موقع إخباري مستقل"]))
    if rng.random() < 0.7:
        nav = rng.sample(_NAV, rng.randint(3, 9))
        style = rng.random()
        if style < 0.4:
            lines.extend(f"  • {n}" for n in nav)
        elif style < 0.7:
            lines.append(" ".join(nav))
        else:
            lines.extend(nav)
    if rng.random() < 0.2:
        lines += ["بحث", outlet]
    return lines


def _credit(rng: random.Random, outlet: str) -> str:
    place, person = rng.choice(_PLACES), rng.choice(_PEOPLE)
    return rng.choice([
        f"كتب: {person}", f"{place} - {outlet}", f"{outlet} - {rng.choice(_GENERIC)}", person,
        f"{place} ({rng.choice(['وكالات', 'رويترز', 'أ ف ب'])})", f"{outlet} – {person}", f"بقلم: {person}",
        f"{place} - {rng.choice(_GENERIC)}", outlet,
    ])


def make_page(rng: random.Random, title: str, paragraphs: list[str], other_titles: list[str]) -> SyntheticPage:
    """One page around `title` and `paragraphs`; `other_titles` feed teasers and breadcrumbs."""
    outlet = _outlet_name(rng)
    out: list[str] = []
    if rng.random() < 0.12:  # the page's own title line, above everything (the headline is repeated below)
        out.append(title if rng.random() < 0.6 else f"{title} | {outlet}")
    out += _masthead(rng, outlet)
    if rng.random() < 0.4:
        out.append(rng.choice([f"الرئيسية / {rng.choice(_NAV)}", f"الرئيسية » {rng.choice(_NAV)} » {title}",
                               f"Home {rng.choice(_NAV)}", rng.choice(_NAV),
                               f"الرئيسية {rng.choice(_NAV)} {title}"]))
    if rng.random() < 0.25:
        out.append(rng.choice(_KICKERS))
    standfirst = rng.choice(other_titles) if other_titles and rng.random() < 0.5 else None
    if standfirst and rng.random() < 0.2:  # some themes print the standfirst above the headline too
        out.append(standfirst)
    site_title = rng.random() < 0.08
    out.append(f"{outlet} - {title}" if site_title else title)
    if standfirst:
        out.append(standfirst)
    if rng.random() < 0.75:
        out.append(_date(rng))
    if rng.random() < 0.15 and other_titles:  # highlights: short lines before the body
        out += [" ".join(t.split()[:rng.randint(4, 8)]) for t in rng.sample(other_titles, min(3, len(other_titles)))]
    if rng.random() < 0.55:
        out.append(_credit(rng, outlet))
        if rng.random() < 0.3:
            out.append(rng.choice(_PEOPLE))
    if rng.random() < 0.15:
        out.append(" ".join(title.split()[:3]))  # a tag or kicker after the credit
    if rng.random() < 0.3:
        out.append(rng.choice(_SHARE))
    if rng.random() < 0.3 and other_titles:
        caption = f"{rng.choice(other_titles)} {rng.choice(_CAPTIONS)}"
        out += [caption] * rng.choice((1, 1, 2))
    if rng.random() < 0.08:  # the headline again, right above the text
        out.append(title)
    body = list(paragraphs)
    for k in range(len(body) - 1, 0, -1):
        roll = rng.random()
        if roll < 0.06 and other_titles:
            body.insert(k, f"اقرأ أيضاً: {rng.choice(other_titles)}")
    out += body
    tail: list[str] = []
    if rng.random() < 0.25:
        tail.append(rng.choice([outlet, rng.choice(_PEOPLE)]))
    if rng.random() < 0.3:
        tail.append(f"المصدر: {outlet}")
    if rng.random() < 0.35 and other_titles:
        tail.append(f"{rng.choice(_TAG_LABELS)}: " + "، ".join(rng.sample(_NAV, 3)))
    if rng.random() < 0.3:
        tail.append(rng.choice(_SHARE))
    if rng.random() < 0.5 and other_titles:
        tail.append(rng.choice(_TEASER_HEADS))
        for head in rng.sample(other_titles, min(len(other_titles), rng.randint(1, 4))):
            tail.append(head)
            if rng.random() < 0.5:
                tail.append(_date(rng))
    if rng.random() < 0.3:
        tail += rng.sample(_COMMENTS, 3)
    if rng.random() < 0.35:
        tail.append(f"جميع الحقوق محفوظة © {rng.randint(2010, 2026)} {outlet}")
    out += tail
    gap = "\n\n" if rng.random() < 0.6 else "\n"
    return SyntheticPage(gap.join(out) + "\n", title, paragraphs)


def synthetic_pages(articles: list[tuple[str, list[str]]], count: int, seed: int = 1) -> Iterator[SyntheticPage]:
    """`count` pages from (title, paragraphs) pairs, each article's paragraphs cut to 1-8."""
    rng = random.Random(seed)
    titles = [t for t, _ in articles if t]
    for _ in range(count):
        title, paragraphs = rng.choice(articles)
        if not title or not paragraphs:
            continue
        start = rng.randrange(len(paragraphs))
        chosen = paragraphs[start: start + rng.randint(1, 8)]
        others = [t for t in titles if t != title]
        yield make_page(rng, title, chosen, others)
