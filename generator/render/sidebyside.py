"""The side-by-side view of an article page (Arabic | English, sentence by sentence), as HTML.

Written in Python rather than as a Jinja template: it renders tens of thousands of sentence spans
in a large archive, and macro calls made it the largest cost of the render stage. Arabic is on
the right and English on the left on both pages; assets/parallel.css does the layout and
parallel.js links each sentence (`data-pair`) to its counterpart. Article text is HTML-escaped,
whitespace collapsed.
"""

from __future__ import annotations

from html import escape

from generator.model import Article, SentencePair, Translation

_STATUS_EN = {"machine": "machine translation", "reviewed": "reviewed translation"}
_AR = '<div class="parallel-ar" lang="ar" dir="rtl">'
_EN = '<div class="parallel-en" lang="en" dir="ltr">'


def _text(text: str | None) -> str:
    return escape(" ".join((text or "").split()))


def _pairs(units: list[SentencePair], p: int, lang: str) -> str:
    spans = []
    for i, unit in enumerate(units, 1):
        missing = lang == "en" and unit.en is None
        inner = _text(unit.ar) if lang == "ar" else "[not translated]" if unit.en is None else _text(unit.en)
        spans.append(f'<span class="pair{" is-missing" if missing else ""}" data-pair="p{p}s{i}" tabindex="0">'
                     f"{inner}</span>")
    return " ".join(spans)


def parallel_html(article: Article, translation: Translation | None, lang: str) -> str:
    """The collapsed <details> view appended to an article page ("" for an article without a body)."""
    if not article.paragraphs:
        return ""
    t = translation or Translation()
    en = lang == "en"
    pending = t.status == "pending"
    rows = [] if pending else t.paragraphs
    unit = ("paragraph" if en else "فقرة") if t.status == "reviewed" else ("sentence" if en else "جملة")
    out = ['<details class="parallel" data-pagefind-ignore>',
           f'<summary>{"Side-by-side view (Arabic / English)" if en else "عرض النصين جنبًا إلى جنب"}</summary>']
    if pending:
        hint = ("There is no English translation of this article yet: the Arabic text is shown alone." if en
                else "لا توجد ترجمة إنجليزية لهذا المقال بعد، فيظهر النص العربي وحده.")
    elif en:
        hint = (f"The Arabic original and its English translation, paragraph by paragraph. Hover over a {unit}, "
                "or move to it with the <kbd>Tab</kbd> key, to highlight its counterpart.")
    else:
        hint = (f"النص العربي الأصلي وترجمته الإنجليزية، فقرةً بفقرة. مرّر المؤشر على {unit} أو انتقل إليها بمفتاح "
                "<kbd>Tab</kbd> لتظهر مقابلتها في النص الآخر.")
    out.append(f'<p class="parallel-hint">{hint}</p>')
    out.append('<div class="parallel-grid">')
    out.append(f'<div class="parallel-head">{_AR}العربية (النص الأصلي)</div>'
               f'{_EN}English ({_STATUS_EN.get(t.status, "translation pending")})</div></div>')
    for index, paragraph in enumerate(article.paragraphs):
        p = index + 1
        pairs = rows[index] if index < len(rows) else []
        if pairs:
            aligned = " ".join(u.ar for u in pairs).split() == paragraph.split()
            units = pairs if aligned else [SentencePair(paragraph, " ".join(u.en for u in pairs if u.en))]
            cells = f"{_AR}{_pairs(units, p, 'ar')}</div>{_EN}{_pairs(units, p, 'en')}</div>"
        else:
            if not pending:
                english = '<span class="is-missing">[not translated]</span>'
            elif index == 0:
                english = ('<span class="parallel-pending">Translation pending: this article has no English '
                           "translation yet.</span>")
            else:
                english = ""
            cells = f"{_AR}{_text(paragraph)}</div>{_EN}{english}</div>"
        out.append(f'<div class="parallel-row" data-paragraph="{p}">{cells}</div>')
    for pairs in rows[len(article.paragraphs):]:
        english = _text(" ".join(u.en for u in pairs if u.en))
        out.append(f'<div class="parallel-row">{_AR}</div>{_EN}{english}</div></div>')
    out.append("</div>")
    out.append("</details>")
    return "\n".join(out) + "\n"
