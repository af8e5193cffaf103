"""Labelled lists: "a) <content>" then "- Tham mưu chính: …; - Thời gian thực hiện: …" (seed 004)."""

from __future__ import annotations

import re

from core.text import join_wrapped
from plans.layouts.common import (
    CONTENT,
    LEAD,
    TRAILING_PUNCTUATION,
    VIETNAMESE_LETTERS,
    Found,
    Line,
    found_from_fields,
    paragraph_lines,
    to_drafts,
)
from plans.layouts.paragraphs import Outline, Para, read_paragraphs
from plans.model import Document, TaskDraft

_CLOSING_PERIOD = re.compile(r"(?<![.\s])\.\s*$")


def find_labelled(lines: list[Line], skip: set[int]) -> tuple[list[Found], set[int]]:
    """Tasks written as an item followed by labelled lines, and the lines they used."""
    paragraphs = read_paragraphs(lines, skip)
    outline = Outline()
    found: list[Found] = []
    used: set[int] = set()
    since: list[Para] = []  # paragraphs since the last group of labels
    letters = 0
    index = 0
    while index < len(paragraphs):
        paragraph = paragraphs[index]
        if paragraph.kind != "label":
            outline.see(paragraph)
            if paragraph.kind in ("roman", "decimal"):
                since, letters = [], 0
            if paragraph.kind != "roman":
                since.append(paragraph)
            index += 1
            continue
        group: list[Para] = []
        while index < len(paragraphs) and paragraphs[index].kind == "label":
            group.append(paragraphs[index])
            index += 1
        task = _labelled_task(since, group, outline, letters)
        if task is not None:
            found.append(task)
            for part in since + group:
                used.update(part.indexes)
            if task.path and task.path[-1] in VIETNAMESE_LETTERS:
                letters = VIETNAMESE_LETTERS.index(task.path[-1]) + 1
        since = []
    return found, used


def _labelled_task(
    before: list[Para], group: list[Para], outline: Outline, letters: int
) -> Found | None:
    values: dict[str, list[str]] = {}
    for label in group:
        # Labelled lines end with ";" and the last one with ".": both close the list item,
        # so neither belongs to the value ("- Sản phẩm: Nghị quyết." gives "Nghị quyết").
        body = label.body if label.marker == CONTENT else _CLOSING_PERIOD.sub("", label.body)
        values.setdefault(label.marker, []).append(body)
    if LEAD not in values and len(values) < 2:
        return None
    # The item the labels describe: the last "a)" or "1)" item, else the text under the last
    # heading. Items written as bullets are lettered in order, as prose bullets are.
    anchor = next(
        (i for i in range(len(before) - 1, -1, -1) if before[i].kind in ("letter", "item")), None
    )
    if anchor is not None:
        parts = before[anchor:]
        path = [*outline.path, parts[0].marker]
    else:
        parts = [part for part in before if part.kind not in ("decimal",)] or before[-1:]
        path = list(outline.path)
        if not path or (before and before[0].kind != "decimal") or parts[0].kind == "bullet":
            path = [*outline.path, VIETNAMESE_LETTERS[letters % len(VIETNAMESE_LETTERS)]]
    content = TRAILING_PUNCTUATION.sub("", join_wrapped([part.body for part in parts]))
    if CONTENT in values:
        # "- Nội dung: …" states the content; the item or heading above only numbers it.
        parts = [label for label in group if label.marker == CONTENT]
        content = TRAILING_PUNCTUATION.sub("", join_wrapped(values[CONTENT]))
    if not content:
        return None
    text = {key: " ; ".join(value) for key, value in values.items()}
    return found_from_fields(
        position=parts[0].position,
        section=outline.section,
        path=path,
        content=content,
        fields=text,
    )


def extract_labelled(document: Document) -> list[TaskDraft]:
    """Tasks written as labelled lists ("a) …", "- Tham mưu chính: …", seed 004)."""
    return to_drafts(find_labelled(paragraph_lines(document), set())[0])
