"""Prose directives: "Giao Sở … chủ trì …; báo cáo UBND tỉnh trước ngày …" (seeds 000 and 002)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from plans.agencies import (
    agency_key,
    canonical_agency,
    expand_enumeration,
    split_agencies,
    starts_with_agency_word,
)
from plans.layouts.common import (
    TRAILING_PUNCTUATION,
    VIETNAMESE_LETTERS,
    Found,
    Line,
    clean_deadline,
    paragraph_lines,
    same_length_fold,
    to_drafts,
)
from plans.layouts.paragraphs import Outline, Para, read_paragraphs
from plans.model import Document, TaskDraft

# Verbs that end the subject of an assignment ("Ban Tuyên giáo … tham mưu …").
_TASK_VERBS = (
    "căn cứ",
    "tham mưu",
    "chủ trì",
    "phối hợp",
    "tổ chức",
    "triển khai",
    "thực hiện",
    "làm đầu mối",
    "là đầu mối",
    "chịu trách nhiệm",
    "có trách nhiệm",
    "xây dựng",
    "theo dõi",
    "hướng dẫn",
    "chỉ đạo",
    "lãnh đạo",
    "quan tâm",
    "bố trí",
    "rà soát",
    "đôn đốc",
    "kiểm tra",
    "giám sát",
    "báo cáo",
    "tổng hợp",
    "nghiên cứu",
    "đề xuất",
    "ban hành",
    "phổ biến",
    "tuyên truyền",
    "đẩy mạnh",
    "tăng cường",
    "tiếp tục",
    "chủ động",
    "bảo đảm",
    "đảm bảo",
    "cử",
    "tham gia",
    "hoàn thành",
    "trình",
    "gửi",
    "duy trì",
    "nắm",
    "phát huy",
    "định kỳ",
    "khẩn trương",
    "kịp thời",
    "nghiêm túc",
)
_TASK_VERB = re.compile(
    r"(?<![\w])(?:" + "|".join(re.escape(verb) for verb in _TASK_VERBS) + r")(?![\w])"
)
_ASSIGN = re.compile(r"^giao\s+", re.IGNORECASE)
# An assignment that lists what it gives below: "…:" or "… các nhiệm vụ sau".
_HANDS_OUT = re.compile(r"(?::|(?<!\w)sau)\s*$")
_COORDINATE_WITH = re.compile(r"(?<![\w])phối hợp (?:chặt chẽ )?với\s+", re.IGNORECASE)
_TARGET_STOP = re.compile(
    r"\s+(?:trong|để|nhằm|triển khai|thực hiện|tổ chức|tham mưu|xây dựng|theo|về|khi|và các)\s"
    r"|[,;:.(]"
)
_REPORTING = re.compile(
    r"^(?:định kỳ\s+)?(?:thực hiện\s+(?:chế độ\s+)?)?báo cáo(?![\w])", re.IGNORECASE
)
# Deadline phrases inside a sentence (on folded text): "trước ngày 07/02/2026", "định kỳ hằng năm".
_DATE = r"\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?"
_DATE_WORDS = r"\d{1,2}\s+thang\s+\d{1,2}(?:\s+nam\s+\d{4})?"
_EVERY = r"(?:hang|moi)\s+(?:nam|quy|thang|tuan)"
_IN_TEXT_DEADLINE = re.compile(
    r"(?<![a-z0-9])(?:"
    rf"(?:truoc|cham nhat(?:\s+la)?|han chot(?:\s+la)?)\s+(?:ngay\s+)?(?:{_DATE}|{_DATE_WORDS})"
    rf"(?:\s+{_EVERY})?"
    r"|(?:trong|truoc|cham nhat(?:\s+la)?)\s+(?:quy\s+(?:[ivx]+|\d)|thang\s+\d{1,2})\s*(?:/|\s+nam\s+)\s*\d{4}"
    r"|(?:trong|truoc)\s+nam\s+\d{4}"
    rf"|dinh\s+ky(?:\s+(?:{_EVERY}|(?:0?6|0?3)\s+thang|nua\s+nam))?"
    rf"|{_EVERY}"
    r")(?![a-z0-9])"
)


def find_deadline_phrase(text: str) -> str:
    """The first deadline phrase inside a sentence ("… báo cáo trước ngày 07/02/2026"), or ""."""
    match = _IN_TEXT_DEADLINE.search(same_length_fold(text))
    return text[match.start() : match.end()] if match else ""


def _outside_parentheses(text: str) -> list[tuple[int, int]]:
    """Spans of text at parenthesis depth 0."""
    spans: list[tuple[int, int]] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char == "(":
            if depth == 0 and index > start:
                spans.append((start, index))
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                start = index + 1
    if depth == 0 and start < len(text):
        spans.append((start, len(text)))
    return spans


def _split_clauses(text: str) -> list[str]:
    """Split on ";" outside parentheses and quotes."""
    clauses: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char in "(“":
            depth += 1
        elif char in ")”" and depth:
            depth -= 1
        elif char == ";" and depth == 0:
            clauses.append(text[start:index])
            start = index + 1
    clauses.append(text[start:])
    return [clause.strip() for clause in clauses if clause.strip()]


def _known_prefix(text: str) -> int:
    """Length of the longest known agency's name that text begins with (0 if none)."""
    words = text.split(" ")
    for count in range(min(len(words), 16), 0, -1):
        candidate = " ".join(words[:count])
        if canonical_agency(candidate) is not None:
            return len(candidate)
    return 0


def _subject(text: str) -> tuple[str, bool] | None:
    """The agencies a sentence begins with (before its verb) and whether it says "Giao"."""
    assign = _ASSIGN.match(text)
    rest = text[assign.end() :] if assign else text
    if not starts_with_agency_word(rest):
        return None
    # A known name may hold a verb-like word ("Phòng Giáo dục thường xuyên …"): look after it.
    known = _known_prefix(rest)
    for start, end in _outside_parentheses(rest):
        verb = _TASK_VERB.search(rest, max(start, known), end)
        if verb and verb.start() > 0:
            subject = rest[: verb.start()].strip(" ,")
            return (subject, bool(assign)) if subject else None
    if rest.rstrip().endswith(":"):
        # "Giao Sở Y tế:" followed by the items it is given.
        return rest.rstrip(" :"), bool(assign)
    return None


def _subject_agencies(subject: str) -> list[str]:
    enumerated = expand_enumeration(subject)
    if enumerated:
        return enumerated
    plain = "".join(subject[start:end] for start, end in _outside_parentheses(subject))
    return split_agencies(plain)


def _coordinate_target(text: str) -> str | None:
    """The agency after "phối hợp với" in a sentence, or None."""
    match = _COORDINATE_WITH.search(text)
    if not match:
        return None
    tail = text[match.end() :]
    words = tail.split(" ")
    for count in range(min(len(words), 14), 0, -1):
        candidate = " ".join(words[:count])
        if canonical_agency(candidate) is not None:
            return candidate.rstrip(",;.")
    stop = _TARGET_STOP.search(tail)
    target = tail[: stop.start()] if stop else tail
    target = target.strip()
    return target if target and starts_with_agency_word(target) and target[:1].isupper() else None


@dataclass(slots=True)
class _Group:
    lead: list[str]
    clauses: list[str] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)
    closed: bool = False


def _same_agencies(left: list[str], right: list[str]) -> bool:
    return {agency_key(name) for name in left} == {agency_key(name) for name in right}


def _clause_groups(text: str, lead: list[str], *, explicit_only: bool) -> list[_Group]:
    """Cut an assignment into tasks: a reporting duty with its own deadline is a task of its
    own; another agency's share is a task of its own, or makes it a coordinator when it only
    supports the lead ("các phòng … phối hợp với Văn phòng Sở")."""
    groups = [_Group(lead)]
    foreign = False
    for position, clause in enumerate(_split_clauses(text)):
        subject = _subject(clause) if position else None
        if subject is not None and subject[1]:
            # "…; giao Sở B …": another explicit assignment in the same paragraph.
            groups.append(_Group(_subject_agencies(subject[0]), [clause]))
            foreign = False
            continue
        if subject is not None:
            agencies = _subject_agencies(subject[0])
            target = _coordinate_target(clause)
            if target and _same_agencies(split_agencies(target), lead):
                groups[-1].coordinators.extend(agencies)
                foreign = False
                continue
            foreign = explicit_only
            if not foreign:
                groups.append(_Group(agencies, [clause]))
            continue
        if foreign:
            continue
        current = groups[-1]
        if _REPORTING.match(clause) and find_deadline_phrase(clause):
            groups.append(_Group(current.lead, [clause], closed=True))
        elif current.closed:
            groups.append(_Group(current.lead, [clause]))
        else:
            current.clauses.append(clause)
    return [group for group in groups if group.clauses]


def _prose_found(
    content: str,
    lead: list[str],
    coordinators: list[str],
    position: tuple[int, ...],
    section: str | None,
    path: list[str],
) -> Found:
    content = TRAILING_PUNCTUATION.sub("", content)
    coordinators = list(coordinators)
    target = _coordinate_target(content)
    if target and not _same_agencies(split_agencies(target), lead):
        coordinators.extend(split_agencies(target))
    deadline_text = clean_deadline(find_deadline_phrase(content))
    return Found(
        position=position,
        section=section,
        path=path,
        content=content,
        lead=lead,
        coordinators=coordinators,
        deadline_text=deadline_text,
    )


def find_prose(lines: list[Line], skip: set[int], *, explicit_only: bool) -> list[Found]:
    """Tasks assigned in numbered paragraphs ("1. Giao Sở …: - …; - …", "2. Ban … tham mưu …").

    With `explicit_only` (the document has a task table or list) only "Giao …" counts.
    """
    paragraphs = read_paragraphs(lines, skip)
    outline = Outline()
    found: list[Found] = []
    # (path, lead) of an assignment that hands out its numbered sub-items ("1. Giao Sở Y tế:").
    giver: tuple[list[str], list[str]] | None = None
    for index, paragraph in enumerate(paragraphs):
        outline.see(paragraph)
        if paragraph.kind == "roman":
            giver = None
        if paragraph.kind != "decimal" or outline.skipped:
            continue
        body = paragraph.body
        path = paragraph.marker.split(".")
        if giver is not None and path[: len(giver[0])] != giver[0]:
            giver = None
        subject = _subject(body)
        if subject is None or (explicit_only and not subject[1]):
            if giver is not None and len(path) > len(giver[0]):
                found.append(
                    _prose_found(body, giver[1], [], paragraph.position, outline.section, path)
                )
            continue
        lead = _subject_agencies(subject[0])
        if not lead:
            continue
        children: list[Para] = []
        for child in paragraphs[index + 1 :]:
            if child.kind in ("decimal", "roman"):
                break
            children.append(child)
        bullets = [child for child in children if child.kind in ("bullet", "letter", "item")]
        hands_out = bool(_HANDS_OUT.search(body))
        if hands_out and not bullets:
            giver = (path, lead)
            continue
        if bullets and hands_out:
            for number, bullet in enumerate(bullets):
                letter = (
                    bullet.marker
                    if bullet.kind in ("letter", "item")
                    else VIETNAMESE_LETTERS[number % len(VIETNAMESE_LETTERS)]
                )
                found.append(
                    _prose_found(
                        bullet.body, lead, [], bullet.position, outline.section, [*path, letter]
                    )
                )
            continue
        groups = _clause_groups(body, lead, explicit_only=explicit_only)
        for number, group in enumerate(groups):
            sub_path = (
                [*path, VIETNAMESE_LETTERS[number % len(VIETNAMESE_LETTERS)]]
                if len(groups) > 1
                else path
            )
            found.append(
                _prose_found(
                    "; ".join(group.clauses),
                    group.lead,
                    group.coordinators,
                    (*paragraph.position, number),
                    outline.section,
                    sub_path,
                )
            )
    return found


def extract_prose(document: Document, *, explicit_only: bool = False) -> list[TaskDraft]:
    """Tasks assigned in running text ("Giao Sở … chủ trì …", seeds 000 and 002)."""
    return to_drafts(find_prose(paragraph_lines(document), set(), explicit_only=explicit_only))
