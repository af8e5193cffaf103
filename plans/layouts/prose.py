"""Prose directives: "Giao Sở … chủ trì …; báo cáo UBND tỉnh trước ngày …" (seeds 000 and 002)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from plans.agencies import (
    agency_key,
    expand_enumeration,
    is_generic_group,
    known_prefix,
    looks_like_agency,
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
from schedules.deadlines import parse_deadline

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
    "thường xuyên",
    "hằng năm",
    "hàng năm",
    "hằng quý",
    "hàng quý",
    "trực tiếp",
    "tự",
    "mở",
    "vận động",
    "xử lý",
    "hỗ trợ",
    "phát động",
    "biên soạn",
    "khảo sát",
    "thẩm định",
    "giải quyết",
    "tiếp nhận",
    "cập nhật",
    "công bố",
    "phát hành",
    "vận hành",
    "lồng ghép",
    "kiểm soát",
    "điều tra",
    "bồi dưỡng",
    "tập huấn",
    "cung cấp",
    "đẩy nhanh",
    "phấn đấu",
    "nâng cao",
    "thúc đẩy",
    "quán triệt",
    "chấn chỉnh",
    "tạo điều kiện",
)
# After "các"/"những" the same words are nouns: "các tổ chức chính trị - xã hội"; after
# "đầu tư" they make a compound noun, as in "Ban Quản lý dự án đầu tư xây dựng huyện".
_TASK_VERB = re.compile(
    r"(?<![\w])(?<!các )(?<!những )(?<!đầu tư )(?:"
    + "|".join(re.escape(verb) for verb in _TASK_VERBS)
    + r")(?![\w])"
)
# "Giao" assigns; "Đề nghị" and "Yêu cầu" ask bodies the issuer does not command (MTTQ, unions).
_ASSIGN = re.compile(r"^(?:giao|đề nghị|yêu cầu)\s+", re.IGNORECASE)
# "Thủ trưởng các sở", "Chủ tịch UBND các xã": the head of an agency answers for the agency.
_HEAD_OF = re.compile(
    r"(?<![\w])(?:thủ trưởng|chủ tịch|giám đốc|người đứng đầu)\s+(?=\S)", re.IGNORECASE
)
# The set phrase that may stand between a subject and its verb ("Công an tỉnh theo chức năng,
# nhiệm vụ được giao tăng cường …").
_SUBJECT_STOP = re.compile(
    r"\s+theo\s+(?:chức năng|thẩm quyền|nhiệm vụ|phân công|phân cấp|lĩnh vực)", re.IGNORECASE
)
# An assignment that lists what it gives below: "…:" or "… các nhiệm vụ sau".
_HANDS_OUT = re.compile(r"(?::|(?<!\w)sau)\s*$")
_COORDINATE_WITH = re.compile(r"(?<![\w])phối hợp (?:chặt chẽ )?với\s+", re.IGNORECASE)
# Where the agencies after "phối hợp với" end, besides a verb: what is done and where.
_TARGET_STOP = re.compile(
    r"\s+(?:trong|để|nhằm|theo|về|khi|tại|trên|đối với|cho|qua|bảo đảm|đảm bảo)\s|[;:.(]"
)
# "các cơ quan liên quan cân đối …": "liên quan" closes a group, whatever verb follows it.
_RELATED = re.compile(r"(?<![\w])liên quan\s+(?!và\s)(?P<next>\w)", re.IGNORECASE)
# A reporting duty, which is a task of its own when it has its own deadline: "báo cáo UBND
# tỉnh trước ngày …", "định kỳ hằng quý báo cáo …", "thực hiện chế độ báo cáo …".
_REPORTING = re.compile(
    r"^(?:(?:định kỳ|hằng|hàng)(?:\s+(?:hằng|hàng|mỗi))?(?:\s+(?:năm|quý|tháng|tuần|\d{1,2} tháng))?"
    r",?\s+)?(?:thực hiện\s+(?:chế độ\s+)?|gửi\s+)?báo cáo(?![\w])",
    re.IGNORECASE,
)
# Deadline phrases inside a sentence (on folded text): "trước ngày 07/02/2026", "định kỳ hằng năm".
_DATE = r"\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?"
_DATE_WORDS = r"\d{1,2}\s+thang\s+\d{1,2}(?:\s+nam\s+\d{4})?"
_EVERY = r"(?:hang|moi)\s+(?:nam|quy|thang|tuan)"
# "đến ngày 30/6", "đến hết tháng 01/2026" end a period; "đến năm 2030" is a plan's horizon.
_UNTIL = r"den(?:\s+het)?"
_IN_TEXT_DEADLINE = re.compile(
    r"(?<![a-z0-9])(?:"
    rf"(?:truoc|cham nhat(?:\s+la)?|han chot(?:\s+la)?|{_UNTIL})\s+(?:ngay\s+)?"
    rf"(?:{_DATE}|{_DATE_WORDS})(?:\s+{_EVERY})?"
    # "trước ngày 25 hằng tháng": a day of every month.
    rf"|(?:truoc|cham nhat(?:\s+la)?|han chot(?:\s+la)?)\s+ngay\s+\d{{1,2}}\s+(?:hang|moi)\s+thang"
    rf"|(?:trong|truoc|cham nhat(?:\s+la)?|{_UNTIL})\s+"
    r"(?:quy\s+(?:[ivx]+|\d)|thang\s+\d{1,2})\s*(?:/|\s+nam\s+)\s*\d{4}"
    r"|(?:trong|truoc|den\s+het)\s+nam\s+\d{4}"
    r"|(?:trong\s+)?0?6\s+thang\s+(?:dau|cuoi)\s+nam\s+\d{4}"
    rf"|dinh\s+ky(?:\s+(?:{_EVERY}|(?:0?6|0?3)\s+thang(?:\s*(?:,|va)\s*nam)?|nua\s+nam))?"
    rf"|{_EVERY}"
    r")(?![a-z0-9])"
)


# A deadline that opens the sentence before its subject: "Trong Quý III/2026, Sở Tư pháp …",
# "Thường xuyên, UBND các xã …", "Định kỳ hằng quý, …".
_LEADING_PHRASE_CHARS = 60
_LEADING_ONGOING = re.compile(r"^(?:thuong xuyen|lien tuc)(?![a-z0-9])")


def leading_deadline(text: str) -> tuple[str, str]:
    """(the deadline phrase a sentence opens with, the rest of the sentence), or ("", text)."""
    folded = same_length_fold(text)
    match = _IN_TEXT_DEADLINE.match(folded) or _LEADING_ONGOING.match(folded)
    if not match:
        # Any phrase the deadline grammar reads, before the first comma: "Trong 6 tháng cuối
        # năm 2026, Hội … phối hợp …".
        comma = text.find(",", 0, _LEADING_PHRASE_CHARS)
        head = text[:comma]
        if comma > 0 and parse_deadline(head).understood:
            rest = text[comma + 1 :].lstrip()
            if starts_with_agency_word(rest) or _ASSIGN.match(rest):
                return head, rest
        return "", text
    rest = text[match.end() :]
    stripped = rest.lstrip(" ,:")
    if not stripped or (rest[:1] not in ", :"):
        return "", text
    return text[: match.end()], stripped


# "Công an tỉnh … thường xuyên nắm chắc tình hình": a duty without an end, when nothing else
# in the sentence dates it.
_ONGOING_INSIDE = re.compile(r"(?<![a-z0-9])(?:thuong xuyen|lien tuc)(?![a-z0-9])")


def _ongoing_phrase(text: str) -> str:
    match = _ONGOING_INSIDE.search(same_length_fold(text))
    return text[match.start() : match.end()] if match else ""


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


# "Các Sở:", "Phòng:" opening a list of names that share the head word.
_HEAD_WORD_LIST = re.compile(
    r"^(?:các\s+)?(?:Sở|Phòng|Ban|Trường|Trung tâm|Hội)\s*:\s*", re.IGNORECASE
)


def _subject(text: str) -> tuple[str, bool] | None:
    """The agencies a sentence begins with (before its verb) and whether it says "Giao"."""
    opening, rest = leading_deadline(text)
    if opening:
        text = rest
    assign = _ASSIGN.match(text)
    rest = text[assign.end() :] if assign else text
    rest = _HEAD_OF.sub("", rest) if _HEAD_OF.match(rest) else rest
    if not starts_with_agency_word(rest) and not known_prefix(rest):
        return None
    # A known name may hold a verb-like word ("Phòng Tổ chức cán bộ …"): look after it. A
    # known name followed by a word that does not go on with a name ("Sở Tài chính cân đối
    # …", "Công an tỉnh là cơ quan thường trực …") is the whole subject.
    known = known_prefix(rest)
    following = rest[known:]
    if known and _name_ends(following):
        return rest[:known], bool(assign)
    listed = _HEAD_WORD_LIST.match(rest)
    if listed:
        known = max(known, listed.end())  # "Các Sở: Xây dựng; Công Thương …": one list
    for start, end in _outside_parentheses(rest):
        verb = _TASK_VERB.search(rest, max(start, known), end)
        colon = rest.find(":", max(start, known), end)
        stop = _SUBJECT_STOP.search(rest, max(start, known), end)
        if listed and stop and (verb is None or stop.start() < verb.start()):
            return rest[: stop.start()].strip(" ,"), bool(assign)
        if colon > 0 and (verb is None or colon < verb.start()):
            # "Các phòng chuyên môn, Văn phòng Ban: Căn cứ …": the agencies, then their duties.
            subject = rest[:colon].strip(" ,")
            return (subject, bool(assign)) if subject else None
        if verb and verb.start() > 0:
            stop = _SUBJECT_STOP.search(rest, known, verb.start())
            subject = rest[: stop.start() if stop else verb.start()].strip(" ,")
            return (subject, bool(assign)) if subject else None
    if rest.rstrip().endswith(":"):
        # "Giao Sở Y tế:" followed by the items it is given.
        return rest.rstrip(" :"), bool(assign)
    return None


def _agency_heading(body: str) -> list[str]:
    """The agencies a heading names when it names nothing else ("1. Sở Y tế", "2. Các cơ quan
    trong khối …"): the paragraphs under it are their duties."""
    text = body.strip().rstrip(" :.;")
    if not text or len(text) > 250 or not starts_with_agency_word(_HEAD_OF.sub("", text)):
        return []
    plain = "".join(text[start:end] for start, end in _outside_parentheses(text))
    if _TASK_VERB.search(plain, known_prefix(plain)):
        return []
    names = _subject_agencies(text)
    return names if names and all(looks_like_agency(name) for name in names) else []


def _subject_agencies(subject: str) -> list[str]:
    enumerated = expand_enumeration(subject)
    if enumerated:
        return enumerated
    plain = "".join(subject[start:end] for start, end in _outside_parentheses(subject))
    return [_known_name(_HEAD_OF.sub("", name)) for name in split_agencies(plain)]


def _name_ends(following: str) -> bool:
    """True when what follows a known name shows the name is over: a lower-case word other
    than "và" ("Sở Tài chính cân đối …", but "Sở Y tế và Công an tỉnh …" goes on)."""
    word = following.lstrip()
    return following[:1].isspace() and word[:1].islower() and not word.startswith("và ")


def _known_name(name: str) -> str:
    """A known agency's name without the words after it that do not go on with a name; an
    unknown one ends at its level ("Trung tâm Kiểm soát bệnh tật tỉnh nhân rộng …")."""
    known = known_prefix(name)
    if known and _name_ends(name[known:]):
        return name[:known]
    if not known:
        for level in _LEVEL_WORD.finditer(name):
            if _name_ends(name[level.end() :]):
                return name[: level.end()]
    return name


# The administrative level that closes an agency's name ("… tỉnh", "… huyện").
_LEVEL_WORD = re.compile(r"(?<=\s)(?:tỉnh|huyện|thành phố|thị xã)(?![\w])")


def _coordinate_targets(text: str) -> list[str]:
    """The agencies after "phối hợp với" in a sentence ("… với Sở Nội vụ và các cơ quan liên
    quan rà soát …" gives both), up to the verb or what follows them."""
    match = _COORDINATE_WITH.search(text)
    if not match:
        return []
    tail = text[match.end() :]
    known = known_prefix(tail)
    ends = [len(tail)]
    for pattern in (_TASK_VERB, _TARGET_STOP):
        stop = pattern.search(tail, known)
        if stop:
            ends.append(stop.start())
    for related in _RELATED.finditer(tail, known):
        if related["next"].islower():
            ends.append(related.start("next"))
            break
    targets: list[str] = []
    for name in split_agencies(tail[: min(ends)]):
        known = _known_name(name)
        if not looks_like_agency(known) or len(known.split()) > 14:
            break
        targets.append(known)
        if known != name:
            break  # "Sở Y tế thẩm định …": the name is over, what it does follows
    return targets


@dataclass(slots=True)
class _Group:
    lead: list[str]
    clauses: list[str] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)
    closed: bool = False


def _same_agencies(left: list[str], right: list[str]) -> bool:
    return {agency_key(name) for name in left} == {agency_key(name) for name in right}


def _subject_kept_whole(clauses: list[str]) -> list[str]:
    """Clauses, with a first clause that only names agencies joined to the next one: "Các sở,
    ban, ngành tỉnh; UBND các xã, phường theo chức năng … báo cáo …" is one subject of two."""
    joined: list[str] = []
    for clause in clauses:
        if len(joined) == 1 and _names_only(joined[0]):
            joined[0] = f"{joined[0]}; {clause}"
        else:
            joined.append(clause)
    return joined


def _names_only(clause: str) -> bool:
    """True for a clause that is nothing but agencies ("Các sở, ban, ngành tỉnh")."""
    text = _ASSIGN.sub("", leading_deadline(clause.strip())[1])
    if not text or _TASK_VERB.search(text, known_prefix(text)):
        return False
    names = split_agencies(text)
    return bool(names) and all(looks_like_agency(name) for name in names)


def _clause_groups(text: str, lead: list[str], *, explicit_only: bool) -> list[_Group]:
    """Cut an assignment into tasks: a reporting duty with its own deadline is a task of its
    own; another agency's share is a task of its own, or makes it a coordinator when it only
    supports the lead ("các phòng … phối hợp với Văn phòng Sở")."""
    groups = [_Group(lead)]
    foreign = False
    for position, clause in enumerate(_subject_kept_whole(_split_clauses(text))):
        subject = _subject(clause) if position else None
        if subject is not None and subject[1]:
            # "…; giao Sở B …": another explicit assignment in the same paragraph.
            groups.append(_Group(_subject_agencies(subject[0]), [clause]))
            foreign = False
            continue
        if subject is not None:
            agencies = _subject_agencies(subject[0])
            targets = _coordinate_targets(clause)
            if targets and _same_agencies(targets, lead):
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
    targets = _coordinate_targets(content)
    if targets and not _same_agencies(targets, lead):
        coordinators.extend(targets)
    opening, _rest = leading_deadline(content)
    deadline_text = clean_deadline(
        opening or find_deadline_phrase(content) or _ongoing_phrase(content)
    )
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
    handed_out: set[int] = set()  # paragraphs a numbered assignment gave as its items
    unnumbered = 0  # assignments without a number since the last heading
    for index, paragraph in enumerate(paragraphs):
        outline.see(paragraph)
        if paragraph.kind in ("roman", "decimal"):
            unnumbered = 0
        if paragraph.kind == "roman":
            giver = None
        if outline.skipped:
            continue
        if paragraph.kind != "decimal":
            if index in handed_out or paragraph.kind in ("roman", "label"):
                continue
            if _ASSIGN.match(paragraph.body) or not explicit_only:
                # "Giao Sở Y tế …" whose number a .txt export of Word's numbering lost, "- Sở
                # X chủ trì …", "Sở Y tế:" over its bullets.
                tasks = _unnumbered_assignment(
                    paragraphs, index, outline, unnumbered, handed_out, explicit_only
                )
                unnumbered += bool(tasks)
                found.extend(tasks)
            continue
        body = paragraph.body
        path = paragraph.marker.split(".")
        if giver is not None and path[: len(giver[0])] != giver[0]:
            giver = None
        subject = _subject(body)
        heading = [] if subject is not None or explicit_only else _agency_heading(body)
        if not heading and (subject is None or (explicit_only and not subject[1])):
            if giver is not None and len(path) > len(giver[0]):
                found.append(
                    _prose_found(body, giver[1], [], paragraph.position, outline.section, path)
                )
            continue
        lead = heading or _subject_agencies(subject[0] if subject else "")
        if not lead:
            continue
        children: list[tuple[int, Para]] = []
        for child_index in range(index + 1, len(paragraphs)):
            if paragraphs[child_index].kind in ("decimal", "roman"):
                break
            children.append((child_index, paragraphs[child_index]))
        # What an assignment hands out: its bullets and items, or, under a heading that only
        # names agencies, every paragraph (a .txt export loses Word's automatic bullets).
        kinds = ("bullet", "letter", "item", "text") if heading else ("bullet", "letter", "item")
        items = [child for _, child in children if child.kind in kinds]
        hands_out = bool(heading) or bool(_HANDS_OUT.search(body))
        if hands_out:
            handed_out.update(child_index for child_index, child in children if child in items)
        if hands_out and not items:
            giver = (path, lead)
            continue
        if len(items) == 1 and items[0].kind == "text" and hands_out:
            # "1.2. Phòng X" and the one paragraph of its duties: read like an assignment.
            found.extend(
                _group_tasks(items[0].body, lead, items[0].position, outline.section, path)
            )
            continue
        if items and hands_out:
            found.extend(_handed_out(body, lead, items, path, outline.section))
            continue
        found.extend(
            _group_tasks(
                body, lead, paragraph.position, outline.section, path, explicit_only=explicit_only
            )
        )
    return found


def _unnumbered_assignment(
    paragraphs: list[Para],
    index: int,
    outline: Outline,
    before: int,
    handed_out: set[int],
    explicit_only: bool,
) -> list[Found]:
    """The tasks of an assignment paragraph without a decimal number ("Giao …", "- Sở X chủ
    trì …", "Trong Quý III/2026, Sở X …"), or of an intro ending in ":" that gives every
    bullet under it ("Giao Sở Y tế chủ trì, phối hợp với …:", "Sở Y tế:")."""
    paragraph = paragraphs[index]
    body = paragraph.body
    subject = _subject(body)
    # Without "Giao": a bullet or item that assigns ("- Sở X chủ trì …"), or an intro that
    # hands out what follows; a paragraph of running text describes, it does not assign.
    if (
        subject is not None
        and not subject[1]
        and (explicit_only or (paragraph.kind == "text" and not _HANDS_OUT.search(body)))
    ):
        return []
    heading: list[str] = []
    if subject is None and paragraph.kind == "text" and body.rstrip().endswith(":"):
        heading = _agency_heading(body)
    lead = heading or (_subject_agencies(subject[0]) if subject else [])
    if not lead:
        return []
    if paragraph.kind in ("letter", "item"):
        path = [*outline.path, paragraph.marker]
    elif outline.path:
        path = [*outline.path, VIETNAMESE_LETTERS[before % len(VIETNAMESE_LETTERS)]]
    else:
        path = [str(before + 1)]
    if paragraph.kind in ("text", "letter", "item") and _HANDS_OUT.search(body):
        items: list[Para] = []
        for child_index in range(index + 1, len(paragraphs)):
            child = paragraphs[child_index]
            if child.kind != "bullet":
                break
            items.append(child)
            handed_out.add(child_index)
        if items:
            return _handed_out(body, lead, items, path, outline.section)
    if heading:
        return []
    return _group_tasks(body, lead, paragraph.position, outline.section, path)


_AGENCY_LABEL = re.compile(r"^(?P<names>[^:;]{2,200}?)\s*:\s+(?=\S)")


def _handed_out(
    intro: str, lead: list[str], items: list[Para], path: list[str], section: str | None
) -> list[Found]:
    """The items an assignment gives ("Giao Sở Y tế chủ trì, phối hợp với Sở Tài chính: - …
    - …"): each takes the intro's lead, its coordinators and, without one of its own, its
    deadline."""
    targets = _coordinate_targets(intro)
    coordinators = targets if targets and not _same_agencies(targets, lead) else []
    intro_deadline = clean_deadline(find_deadline_phrase(intro))
    group_heading = all(is_generic_group(name) for name in lead)
    found: list[Found] = []
    for number, item in enumerate(items):
        item_path = (
            [*path, item.marker]
            if item.kind in ("letter", "item")
            else [*path, VIETNAMESE_LETTERS[number % len(VIETNAMESE_LETTERS)]]
        )
        own = _subject(item.body)
        label = _AGENCY_LABEL.match(item.body)
        if own is not None and label and own[0].rstrip(" :") == label["names"].strip():
            # "- Sở Tài chính: thẩm định …": the agency before the colon leads what follows.
            task = _prose_found(
                item.body[label.end() :],
                _subject_agencies(own[0]),
                [],
                item.position,
                section,
                item_path,
            )
        elif own is not None and (own[1] or group_heading):
            # "- Đề nghị Công an tỉnh …" under another agency's label, "a) Sở Tài chính bố
            # trí …" under "2. Các sở, ban, ngành tỉnh": the item says whose it is.
            task = _prose_found(
                item.body, _subject_agencies(own[0]), [], item.position, section, item_path
            )
        else:
            task = _prose_found(item.body, lead, coordinators, item.position, section, item_path)
        if not task.deadline_text and intro_deadline:
            task.deadline_text = intro_deadline
        found.append(task)
    return found


def _group_tasks(
    text: str,
    lead: list[str],
    position: tuple[int, int],
    section: str | None,
    path: list[str],
    *,
    explicit_only: bool = False,
) -> list[Found]:
    """The tasks of one assignment's text: "b", "c"… for a report or another agency's share."""
    groups = _clause_groups(text, lead, explicit_only=explicit_only)
    found: list[Found] = []
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
                (*position, number),
                section,
                sub_path,
            )
        )
    return found


def extract_prose(document: Document, *, explicit_only: bool = False) -> list[TaskDraft]:
    """Tasks assigned in running text ("Giao Sở … chủ trì …", seeds 000 and 002)."""
    return to_drafts(find_prose(paragraph_lines(document), set(), explicit_only=explicit_only))
