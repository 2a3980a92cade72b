"""Labelled pages: a raw page plus its hand-checked truth, turned into zone labels per line.

Used to train the line labeller and to score extraction. Truth files follow the devset format
(`title`, `body` as blank-line separated paragraphs, `date`, `publisher`, …; see
../shared/devset/real/README.md). A page's zone labels are derived from its truth, not written by
hand: the headline is the first line equal to the title, body lines are the lines equal to a body
paragraph, and the zones around them follow.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from generator.extract.lines import Line, prepare_lines
from generator.read.source import read_source
from generator.text.arabic import match_key

# Host labels that say nothing about which outlet a page is from.
_HOST_NOISE = {"www", "mail", "m", "amp", "ar", "arabic", "stage", "sport", "sports", "news", "blogspot",
               "wordpress", "noip", "com", "net", "org", "co", "info", "gov"}
_INLINE_PREFIX_WORDS = 12  # a glued byline/dateline before a body paragraph is at most this long


@dataclass
class LabelledPage:
    id: str
    group: str  # the outlet (mirrors included): leave-one-outlet-out never splits a group
    path: Path
    truth: dict
    lines: list[Line] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # truth lines not found in the page


def outlet_group(url: str | None, fallback: str) -> str:
    """The outlet a page comes from, by its address: the most telling label of the host name.

    "bh-mirror.noip.me" and "bh-mirror.ufcfan.org" are one outlet, as are "thenewkhalij.co" and
    "thenewkhalij.news"; "arabic.china.org.cn" is "china".
    """
    host = urlparse(url or "").netloc.lower().split(":")[0]
    labels = [part for part in host.split(".")[:-1] if part not in _HOST_NOISE]
    if not labels:
        return fallback
    return max(labels, key=len)


def zone_labels(lines: list[Line], title: str | None, paragraphs: list[str],
                second_title: str | None = None) -> tuple[list[str], list[str]]:
    """Zone labels (see labeller.LABELS) for `lines`, and the truth items no line matched."""
    problems: list[str] = []
    keys = [line.key for line in lines]
    stop = len(lines)
    is_body = [False] * stop
    for paragraph in paragraphs:
        target = match_key(paragraph)
        if not target:
            continue
        found = next((i for i in range(stop) if not is_body[i] and keys[i] == target), None)
        if found is None:  # a glued byline before it, or a glued link after it
            found = next((i for i in range(stop) if not is_body[i] and target in keys[i]
                          and len(keys[i].replace(target, "").split()) <= _INLINE_PREFIX_WORDS), None)
        if found is None:
            problems.append(f"body paragraph not found: {paragraph[:60]}")
        else:
            is_body[found] = True
    body = [i for i in range(stop) if is_body[i]]
    title_at = None
    if title:
        target = match_key(title)
        title_at = next((i for i in range(stop) if keys[i] == target), None)
        if title_at is None:
            title_at = next((i for i in range(stop) if target and target in keys[i]), None)
        if title_at is None:
            problems.append("title not found")
        elif body and title_at > body[0]:
            problems.append("title below the first body line")
            title_at = None
    if second_title and body:
        target = match_key(second_title)
        stop = next((i for i in range(body[-1] + 1, len(lines)) if keys[i] == target), len(lines))
    labels: list[str] = []
    for i in range(stop):
        if not body:
            labels.append("PRE")
        elif i == title_at:
            labels.append("T")
        elif i < body[0]:
            labels.append("META" if title_at is not None and i > title_at else "PRE")
        elif i <= body[-1]:
            labels.append("B" if is_body[i] else "X")
        else:
            labels.append("POST")
    return labels, problems


def _second_title(truth: dict) -> str | None:
    second = truth.get("second_article") or truth.get("secondary_article")
    return second.get("title") if isinstance(second, dict) else None


def load_pages(cases: Path, truths: Path, prefix: str = "") -> list[LabelledPage]:
    """Every page of a corpus: `truths/*.json` naming their input in `file` (or `<id>.txt` in `cases`)."""
    pages: list[LabelledPage] = []
    for truth_file in sorted(truths.glob("*.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        if "title" not in truth or "body" not in truth:
            continue
        page_id = str(truth.get("id") or truth_file.stem)
        path = cases / (truth.get("file") or f"{page_id}.txt")
        if not path.exists():
            continue
        source = read_source(path)
        lines = prepare_lines(source.text)
        paragraphs = [p for p in re.split(r"\n\s*\n", truth["body"] or "") if p.strip()]
        labels, problems = zone_labels(lines, truth.get("title"), paragraphs, _second_title(truth))
        group = outlet_group(truth.get("source_url"), f"{prefix}{page_id}")
        pages.append(LabelledPage(f"{prefix}{page_id}", group, path, truth, lines[: len(labels)], labels, problems))
    return pages
