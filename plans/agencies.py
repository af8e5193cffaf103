"""Agency names: a built-in table of canonical agencies, aliases, lists and generic groups.

Plans write the same agency in many ways ("Sở Giáo dục và Đào tạo", "Sở GDĐT", "Sở GD&ĐT",
"Uỷ ban nhân dân tỉnh", "UBND tỉnh"). Everything here is pure: no database, no chat library.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.text import fold, nfc, squash_spaces

# Canonical names, with the aliases that abbreviation rules below cannot derive.
# Provincial bodies first, then the units that the seed plans name.
_AGENCIES: dict[str, tuple[str, ...]] = {
    "Ủy ban nhân dân tỉnh": ("Chủ tịch UBND tỉnh",),
    "Hội đồng nhân dân tỉnh": (),
    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh": (
        "Mặt trận Tổ quốc Việt Nam tỉnh",
        "Mặt trận Tổ quốc tỉnh",
        "Ủy ban Mặt trận Tổ quốc tỉnh",
        "UBMTTQ Việt Nam tỉnh",
        "UBMTTQVN tỉnh",
        "UBMTTQ tỉnh",
        "MTTQ Việt Nam tỉnh",
        "MTTQVN tỉnh",
        "MTTQ tỉnh",
    ),
    "Văn phòng Ủy ban nhân dân tỉnh": ("VP UBND tỉnh", "VPUBND tỉnh"),
    "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh": (
        "Văn phòng Đoàn ĐBQH và HĐND tỉnh",
    ),
    "Tỉnh ủy": (),
    "Ban Thường vụ Tỉnh ủy": ("BTV Tỉnh ủy",),
    # The standing members of the Ban Thường vụ: a body of its own, not another name for it.
    "Thường trực Tỉnh ủy": ("TT Tỉnh ủy",),
    "Văn phòng Tỉnh ủy": (),
    "Ban Tổ chức Tỉnh ủy": (),
    "Ban Tuyên giáo và Dân vận Tỉnh ủy": ("BTGDVTU", "Ban TG&DV Tỉnh ủy", "Ban TGDV Tỉnh ủy"),
    "Ban Tuyên giáo Tỉnh ủy": ("BTGTU",),
    "Ban Dân vận Tỉnh ủy": (),
    "Ủy ban Kiểm tra Tỉnh ủy": ("UBKT Tỉnh ủy",),
    "Ban Nội chính Tỉnh ủy": (),
    "Đảng ủy Ủy ban nhân dân tỉnh": (),
    "Sở Nội vụ": (),
    "Sở Tài chính": (),
    "Sở Y tế": (),
    "Sở Xây dựng": (),
    "Sở Công Thương": (),
    "Sở Tư pháp": (),
    "Sở Ngoại vụ": (),
    "Sở Khoa học và Công nghệ": (),
    "Sở Văn hóa, Thể thao và Du lịch": ("Sở VHTT&DL", "Sở VH,TT&DL"),
    "Sở Giáo dục và Đào tạo": (),
    "Sở Nông nghiệp và Môi trường": (),
    "Sở Dân tộc và Tôn giáo": (),
    "Sở Kế hoạch và Đầu tư": (),
    "Sở Tài nguyên và Môi trường": (),
    "Sở Nông nghiệp và Phát triển nông thôn": (),
    "Sở Giao thông vận tải": (),
    "Sở Lao động - Thương binh và Xã hội": (),
    "Sở Thông tin và Truyền thông": (),
    "Công an tỉnh": (),
    "Thanh tra tỉnh": (),
    "Bộ Chỉ huy Quân sự tỉnh": ("BCHQS tỉnh",),
    "Bộ Chỉ huy Bộ đội Biên phòng tỉnh": ("BĐBP tỉnh",),
    "Tỉnh đoàn": ("Đoàn Thanh niên Cộng sản Hồ Chí Minh tỉnh",),
    "Hội Liên hiệp Phụ nữ tỉnh": ("Hội LHPN tỉnh",),
    "Liên đoàn Lao động tỉnh": ("LĐLĐ tỉnh",),
    "Hội Nông dân tỉnh": (),
    "Hội Cựu chiến binh tỉnh": ("Hội CCB tỉnh",),
    "Báo và Phát thanh, Truyền hình tỉnh": (),
    "Đài Phát thanh và Truyền hình tỉnh": ("Đài PT-TH tỉnh",),
    "Kho bạc Nhà nước tỉnh": ("KBNN tỉnh",),
    "Bảo hiểm xã hội tỉnh": ("BHXH tỉnh",),
    "Thuế tỉnh": ("Cục Thuế tỉnh",),
    "Trường Chính trị tỉnh": (),
    # Departments of a provincial party committee's Propaganda and Mass Mobilisation board.
    "Phòng Khoa giáo, Văn hóa - Văn nghệ": ("Phòng KG-VHVN",),
    "Phòng Lý luận chính trị - Lịch sử Đảng": (),
    "Phòng Tuyên truyền, Báo chí - Xuất bản": (),
    "Phòng Đoàn thể và các hội": (),
    "Ban Tuyên giáo Đảng ủy Khối": ("BTGĐUK",),
    "Ban Thường vụ Đảng ủy Khối": (),
    # Units of a Department of Education and Training.
    "Văn phòng Sở": (),
    "Phòng Tài chính": (),
    "Phòng Tổ chức cán bộ": (),
    "Phòng Giáo dục Trung học": (),
    "Phòng Giáo dục Mầm non và Tiểu học": (),
    "Phòng Giáo dục nghề nghiệp và Quản lý đào tạo": (),
    "Phòng Giáo dục thường xuyên và Công tác học sinh sinh viên": (),
    "Phòng Quản lý chất lượng giáo dục và Công nghệ thông tin": (),
}

# Long forms every writer may abbreviate, replaced in one pass (longest first) on both sides
# before comparing; "và" is dropped so that "GD&ĐT" and "Giáo dục và Đào tạo" meet.
_SHORT_FORMS = {
    "uy ban mat tran to quoc viet nam": "mttq",
    "uy ban mat tran to quoc": "mttq",
    "mat tran to quoc viet nam": "mttq",
    "mat tran to quoc": "mttq",
    "uy ban mttq viet nam": "mttq",
    "uy ban mttq": "mttq",
    "ubmttq viet nam": "mttq",
    "ubmttq": "mttq",
    "mttqvn": "mttq",
    "mttq viet nam": "mttq",
    "uy ban nhan dan": "ubnd",
    "hoi dong nhan dan": "hdnd",
    "van phong": "vp",
    "va": " ",
}
_ABBREVIATION = re.compile(
    r"(?<![a-z0-9])(?:"
    + "|".join(re.escape(long) for long in sorted(_SHORT_FORMS, key=len, reverse=True))
    + r")(?![a-z0-9])"
)
_CONNECTORS = {"va", "&", "-", "–", ","}
# Words that begin an agency's name ("Sở Y tế", "UBND tỉnh", "Trường THPT …").
AGENCY_HEADS = (
    "Sở",
    "Ban",
    "Phòng",
    "Văn phòng",
    "UBND",
    "Ủy ban nhân dân",
    "Uỷ ban nhân dân",
    "Ủy ban",
    "Uỷ ban",
    "HĐND",
    "Hội đồng nhân dân",
    "Hội đồng",
    "MTTQ",
    "Mặt trận",
    "Công an",
    "Thanh tra",
    "Bộ Chỉ huy",
    "Bộ",
    "Cục",
    "Chi cục",
    "Tổng cục",
    "Trường",
    "Trung tâm",
    "Đài",
    "Báo",
    "Tạp chí",
    "Học viện",
    "Kho bạc",
    "Ngân hàng",
    "Bảo hiểm xã hội",
    "Viện",
    "Bệnh viện",
    "Tỉnh đoàn",
    "Tỉnh ủy",
    "Tỉnh uỷ",
    "Thành ủy",
    "Thành uỷ",
    "Huyện ủy",
    "Huyện uỷ",
    "Thành đoàn",
    "Đảng ủy",
    "Đảng uỷ",
    "Đảng bộ",
    "Đoàn",
    "Hội",
    "Liên đoàn",
    "Liên minh",
    "Cấp ủy",
    "Cấp uỷ",
    "Chi bộ",
    "Tòa án",
    "Viện kiểm sát",
    "Quỹ",
    "Công ty",
    "Tổng công ty",
    "Chi nhánh",
    "Thuế",
    "Lãnh đạo",
    "Đội",
    "Hiệp hội",
    "Hạt",
    "Bảo tàng",
    "Thư viện",
    "Nhà xuất bản",
    "Cảng vụ",
)
_HEAD = re.compile(
    "^(?:"
    + "|".join(sorted((re.escape(h) for h in AGENCY_HEADS), key=len, reverse=True))
    + r")(?!\w)"
)
# Lower-case words that may follow a head word inside a name ("Thanh tra tỉnh", "Cấp ủy các chi").
_HEAD_FOLLOWERS = {
    "tinh",
    "huyen",
    "xa",
    "phuong",
    "cac",
    "cap",
    "co",
    "thuoc",
    "truc",
    "chuyen",
    "nghiep",
    "thanh",
    "thi",
    "dac",
    "khoi",
    "so",
    "nganh",
}
# "các/những" followed by the kind of body a plural group is made of.
_PLURAL_GROUP = re.compile(
    r"^(?:các|những|toàn thể|tất cả)\s+(?:các\s+)?(?:sở|ban|ngành|phòng|đơn vị|cơ quan|địa phương|xã"
    r"|phường|huyện|cơ sở|trường|tổ chức|hội|đoàn thể|cấp ủy|cấp uỷ|chi bộ|đảng ủy|đảng uỷ"
    r"|đảng bộ|trung tâm|doanh nghiệp|bộ|cấp|ủy ban|uỷ ban|ubnd|thành viên|chi)(?!\w)",
    re.IGNORECASE,
)
_GENERIC_START = re.compile(
    r"^(?:so|ban|nganh|co quan|don vi|dia phuong)(?:\s*,\s*(?:so|ban|nganh|co quan|don vi"
    r"|dia phuong|cac))+(?![a-z])|^(?:co quan|don vi|dia phuong)(?: lien quan)?$"
)
_GENERIC_ANYWHERE = re.compile(
    r"(?<![a-z])(?:lien quan$|cac (?:xa|phuong|cap|don vi|co quan|so|nganh|dia phuong"
    r"|truong|co so|chi|dang uy|dang bo|phong|huyen|thi xa|thanh pho|hoi)(?![a-z]))"
)
# "… trên địa bàn tỉnh": every body of a kind in the area, never one agency.
_GENERIC_WHEREVER_LOCATED = re.compile(r"(?<![a-z])tren dia ban(?![a-z])")
# A list item in lower case names a kind of body, not one ("…, đơn vị trực thuộc Sở, cơ sở
# giáo dục nghề nghiệp"); a single agency's name is capitalised.
_COMMON_NOUN_START = re.compile(r"^(?:đơn vị|cơ sở|địa phương|doanh nghiệp)(?!\w)")
# Verbs that end an agency's name and start what it does ("X phối hợp đề xuất …").
_ROLE_VERBS = ("phối hợp", "chủ trì", "tham mưu")
_CLAUSE_VERBS = (
    *_ROLE_VERBS,
    "thực hiện",
    "triển khai",
    "tổ chức",
    "đề xuất",
    "hướng dẫn",
    "theo dõi",
    "báo cáo",
    "căn cứ",
    "chịu trách nhiệm",
    "có trách nhiệm",
    "làm đầu mối",
)
_CLAUSE_VERB = re.compile(r"\s+(" + "|".join(re.escape(verb) for verb in _CLAUSE_VERBS) + r")\s+\S")
_EDGE_PUNCTUATION = re.compile(r"^[\s,;:.\-–—+•*]+|[\s,;:.\-–—+•*]+$")
# "Sở Y tế (chủ trì)": the role the column already gives, noted after the name.
_ROLE_NOTE = re.compile(
    r"\s*\((?:cơ quan\s+|đơn vị\s+)?(?:chủ trì|phối hợp|tham mưu|đầu mối|thực hiện)\)$",
    re.IGNORECASE,
)
_BULLET_LINE = re.compile(r"(?m)^\s*[-+•]\s+")
# "(các Sở: Khoa học và Công nghệ; Y tế)": a list sharing one head word.
_ENUMERATION = re.compile(
    r"\(\s*(?:gồm\s*:?\s*)?(?:các\s+)?(?P<head>Sở|Phòng|Ban|Trường|Trung tâm|Hội)\s*:\s*"
    r"(?P<items>[^()]+)\)",
    re.IGNORECASE,
)
# "Các Sở: Y tế, Tài chính": the same list written in a cell of its own, without parentheses.
_HEAD_LIST = re.compile(
    r"^(?:các\s+)?(?P<head>Sở|Phòng|Ban|Trường|Trung tâm|Hội)\s*:\s*(?P<items>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
# "Phòng GDĐT\ncác huyện, TX, TP": a line that starts with the localities goes on the name
# above it (the office of each district); a group of its own is capitalised ("UBND các xã").
_OF_EACH_LOCALITY = re.compile(
    r"^các\s+(?:huyện|xã|phường|thị trấn|thị xã|thành phố|quận|tỉnh|địa phương)(?!\w)"
)
_COMMA = re.compile(r",\s+")
_WORD = re.compile(r"\w+")
# A line of a cell that ends on a head word alone ("UBND", "Sở") goes on on the next line.
_ENDS_ON_HEAD = re.compile(
    "(?:^|\\s)(?:"
    + "|".join(sorted((re.escape(h) for h in AGENCY_HEADS), key=len, reverse=True))
    + ")$"
)
_AND = re.compile(r"\s+và\s+")


def _compact(text: str) -> str:
    """The comparison key: folded, long forms abbreviated, connectors and punctuation dropped."""
    folded = re.sub(r"[^a-z0-9]+", " ", fold(text))
    folded = _ABBREVIATION.sub(lambda match: _SHORT_FORMS[match.group(0)], folded)
    return folded.replace(" ", "")


def _acronym(words: str) -> str:
    """Initials of a name's words without connectors: "Giáo dục và Đào tạo" -> "GDĐT"."""
    tokens = re.split(r"[\s,\-–]+", words)
    return "".join(token[0] for token in tokens if token and fold(token) not in _CONNECTORS)


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, aliases in _AGENCIES.items():
        forms = [canonical, *aliases]
        head, _, rest = canonical.partition(" ")
        if head in {"Sở", "Phòng", "Ban"} and rest:
            # "Sở GDĐT", "Sở GD&ĐT", "Phòng KG, VH-VN": the head word and the rest's initials.
            forms.append(f"{head} {_acronym(rest)}")
        for form in forms:
            index.setdefault(_compact(form), canonical)
    return index


@lru_cache(maxsize=4096)
def clean_name(name: str) -> str:
    """One agency as written, minus surrounding punctuation and a clause about what it does."""
    text = _EDGE_PUNCTUATION.sub("", squash_spaces(nfc(name)))
    text = _EDGE_PUNCTUATION.sub("", _ROLE_NOTE.sub("", text))
    for match in _CLAUSE_VERB.finditer(text):
        before = text[: match.start()]
        if _index().get(_compact(before)) is not None or (
            match.group(1) in _ROLE_VERBS
            and starts_with_agency_word(before)
            and len(before.split()) <= 8
        ):
            # "Phòng Khoa giáo, Văn hóa - Văn nghệ phối hợp đề xuất …" names only the agency.
            return _EDGE_PUNCTUATION.sub("", before)
    return text


def agency_key(name: str) -> str:
    """A key equal for two spellings of the same agency (aliases, case, accents, dashes, UBND)."""
    key = _compact(clean_name(name))
    canonical = _index().get(key)
    return _compact(canonical) if canonical else key


@lru_cache(maxsize=4096)
def canonical_agency(name: str) -> str | None:
    """The canonical name of a known agency ("Sở GD&ĐT" -> "Sở Giáo dục và Đào tạo"), else None."""
    if not name or len(name) > 200:
        return None
    # Exact up to spelling: "Văn phòng Sở làm đầu mối" is a sentence, not a name.
    return _index().get(_compact(_EDGE_PUNCTUATION.sub("", squash_spaces(nfc(name)))))


def known_agencies() -> list[str]:
    """Every canonical agency of the built-in table."""
    return list(_AGENCIES)


@lru_cache(maxsize=4096)
def is_generic_group(name: str) -> bool:
    """True for groups that name no one ("Các đơn vị liên quan", "các địa phương, đơn vị")."""
    cleaned = clean_name(name or "")
    if not cleaned or canonical_agency(cleaned) is not None:
        return False
    if _PLURAL_GROUP.match(cleaned):
        return True
    folded = fold(cleaned)
    if _GENERIC_START.search(folded) or _GENERIC_WHEREVER_LOCATED.search(folded):
        return True
    if _COMMON_NOUN_START.match(cleaned):
        return True
    # "UBND các xã, phường", "Ban Chỉ đạo 35 các cấp": an agency word, then a plural.
    return starts_with_agency_word(cleaned) and bool(_GENERIC_ANYWHERE.search(folded))


def starts_with_agency_word(text: str) -> bool:
    """True when the text begins like an agency's name ("Sở Y tế", "UBND tỉnh", "Các sở, …")."""
    text = text.lstrip()
    if _PLURAL_GROUP.match(text):
        return True
    match = _HEAD.match(text)
    if not match:
        return False
    rest = text[match.end() :].lstrip()
    if not rest or not rest[0].isalpha():
        return True  # "Sở, ngành", "Văn phòng Sở."
    # The word alone: "Công an tỉnh;" ends its name with the ";".
    word = _WORD.match(rest)
    return rest[0].isupper() or (word is not None and fold(word.group(0)) in _HEAD_FOLLOWERS)


def known_prefix(text: str) -> int:
    """Length of the longest known agency's name that text begins with (0 if none)."""
    words = text.split(" ")
    for count in range(min(len(words), 16), 0, -1):
        if fold(words[count - 1]) in _CONNECTORS:
            continue  # "Sở Y tế và": the name ends before the "và" (which compares as nothing)
        candidate = " ".join(words[:count])
        if canonical_agency(candidate) is not None:
            return len(candidate)
    return 0


def looks_like_agency(name: str) -> bool:
    """True when the text is a known agency, a generic group, or begins like an agency's name."""
    cleaned = clean_name(name or "")
    if not cleaned:
        return False
    return (
        canonical_agency(cleaned) is not None
        or starts_with_agency_word(cleaned)
        or is_generic_group(cleaned)
    )


def expand_enumeration(text: str) -> list[str] | None:
    """The agencies of "(các Sở: Khoa học và Công nghệ; Y tế)" as "Sở Khoa học và Công nghệ", ….

    None when the text holds no such list.
    """
    match = _ENUMERATION.search(nfc(text))
    if not match:
        return None
    return _head_list_names(match["head"], match["items"])


def split_agencies(cell: str) -> list[str]:
    """Split a cell naming several agencies; names with commas inside stay whole.

    Separators are ";", bullets, a line break before a new agency, ", " before a capitalised
    agency word ("…, UBND các xã") and " và " between two agencies; trailing punctuation goes.
    """
    text = nfc(cell or "").strip()
    head_list = _HEAD_LIST.match(text)
    if head_list:
        return _head_list_names(head_list["head"], _join_cell_lines(head_list["items"]))
    # Bullets only when the cell is a list; "Văn hóa\n- văn nghệ" is a name wrapped at its dash.
    parts = _BULLET_LINE.split(text) if _BULLET_LINE.match(text) else [text]
    names: list[str] = []
    for part in parts:
        for piece in re.split(r"\s*;\s*", _join_cell_lines(part)):
            names.extend(_split_piece(piece))
    return names


def _head_list_names(head: str, items: str) -> list[str]:
    """The agencies of "Sở: Y tế, Tài chính và Nội vụ; UBND các xã": each item takes the head
    word unless it names an agency of its own; commas inside a known name keep it whole."""
    head = head[0].upper() + head[1:]
    names: list[str] = []
    for part in re.split(r"\s*;\s*", items):
        words = [word for word in _COMMA.split(clean_name(part)) if word]
        index = 0
        while index < len(words):
            if starts_with_agency_word(words[index]):
                # The list is over: the rest names agencies in full ("…, UBND các xã").
                names.extend(_split_piece(", ".join(words[index:])))
                break
            # The longest run of items that a known name holds ("Văn hóa, Thể thao và Du lịch").
            end = next(
                (
                    end
                    for end in range(len(words), index, -1)
                    if canonical_agency(f"{head} {', '.join(words[index:end])}") is not None
                ),
                index + 1,
            )
            item = f"{head} {', '.join(words[index:end])}"
            names.extend(_split_on_and_in_list(head, item))
            index = end
    return [name for name in names if name]


def _split_on_and_in_list(head: str, item: str) -> list[str]:
    """ "Sở Tài chính và Nội vụ" is two departments when both are known; else one name."""
    if canonical_agency(item) is not None or " và " not in item:
        return [item]
    left, _, right = item.rpartition(" và ")
    right = f"{head} {right}"
    if canonical_agency(right) is not None and (
        canonical_agency(left) is not None or " và " in left
    ):
        return [*_split_on_and_in_list(head, left), right]
    return [item]


def _join_cell_lines(text: str) -> str:
    """Join a cell's lines, marking with ";" the line breaks that start a new agency."""
    from core.text import join_wrapped

    lines = [line.strip() for line in text.split("\n") if line.strip()]
    joined: list[str] = []
    for line in lines:
        if joined and starts_with_agency_word(line) and not _OF_EACH_LOCALITY.match(line):
            previous = joined[-1]
            together = join_wrapped([previous, line])
            ends_open = re.search(r"(?:\bvà|[,\-–&])$", previous) or _ENDS_ON_HEAD.search(previous)
            if not ends_open and canonical_agency(together) is None:
                joined.append(";")
        joined.append(line)
    return join_wrapped(joined).replace(" ;", ";")


def _split_piece(piece: str) -> list[str]:
    piece = clean_name(piece)
    if not piece:
        return []
    if canonical_agency(piece) is not None:
        return [piece]
    names: list[str] = []
    start = 0
    for match in _COMMA.finditer(piece):
        following = piece[match.end() :]
        if not following or not starts_with_agency_word(following):
            continue
        if not following[0].isupper() and not _starts_group_after_name(
            piece[start : match.start()], following
        ):
            continue
        if _inside_known_name(piece, start, match.end()):
            continue
        names.append(piece[start : match.start()])
        start = match.end()
    names.append(piece[start:])
    result: list[str] = []
    for name in names:
        result.extend(_split_on_and(clean_name(name)))
    return [name for name in result if name]


def _starts_group_after_name(before: str, following: str) -> bool:
    """True for "Văn phòng Sở, các phòng chuyên môn": a plural group after a named agency.

    After a group ("Sở, ngành, các xã, phường") the plural goes on with the same group.
    """
    return bool(_PLURAL_GROUP.match(following)) and (
        canonical_agency(before) is not None
        or (starts_with_agency_word(before) and not is_generic_group(before))
    )


def _inside_known_name(piece: str, start: int, after_comma: int) -> bool:
    """True when a known agency's name begins at `start` and runs past this comma."""
    words = piece[after_comma:].split(" ")
    for count in range(1, min(len(words), 12) + 1):
        candidate = piece[start:after_comma] + " ".join(words[:count])
        if canonical_agency(candidate) is not None:
            return True
    return False


def _two_groups(left: str, right: str) -> bool:
    return (
        right[:1].isupper()
        and starts_with_agency_word(right)
        and starts_with_agency_word(left)
        and (is_generic_group(left) or is_generic_group(right))
    )


def _split_on_and(name: str) -> list[str]:
    """Split "Sở Giáo dục và Đào tạo và các Sở, ngành …" where both sides are agencies.

    One side must be a known agency: "Sở, ngành, các xã, phường và cơ quan, đơn vị liên quan"
    is one group, "Ban … các đảng ủy trực thuộc Tỉnh ủy và Mặt trận Tổ quốc tỉnh" two names.
    """
    if " và " not in name or canonical_agency(name) is not None:
        return [name]
    for match in _AND.finditer(name):
        left, right = name[: match.start()], name[match.end() :]
        left_known, right_known = (
            canonical_agency(left) is not None,
            canonical_agency(right) is not None,
        )
        if not left_known and not right_known:
            if _two_groups(left, right):
                # "Các sở, ban, ngành tỉnh và UBND các xã, phường": a group, then a body
                # named with a capital; "… và cơ quan, đơn vị liên quan" goes on with the group.
                return [left, *_split_on_and(right)]
            continue
        if (left_known or is_generic_group(left)) and (right_known or is_generic_group(right)):
            return [left, *_split_on_and(right)]
    return [name]
