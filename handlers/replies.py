"""Read an officer's short status reply ("da xong", "đang làm 60%", "xin gia hạn đến 15/3").

Pure functions, no chat library. The reader works on a token stream in which every word has a
canonical ASCII spelling ("đg" -> "dang", "ht" -> "hoan thanh", "hoanf" -> "hoan") and keeps the
position of the words as typed, so the note is cut from the officer's own text. Patterns are
matched clause by clause (clauses end at , . ; ! ? and line breaks); a clause that asks a
question states no status. When the signals do not settle the status it stays None and the bot
asks with choices: a wrong status is worse than a question.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from core.text import fold, nfc
from schedules.deadlines import period_end

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
BLOCKED = "blocked"
EXTENSION_REQUESTED = "extension_requested"
DONE = "done"
STATUSES = (NOT_STARTED, IN_PROGRESS, BLOCKED, EXTENSION_REQUESTED, DONE)

# A status reply is a line or two; a pasted report is read from its start only.
MAX_REPLY_LENGTH = 2000
# An extension further away than this is a typo ("15/3/2062"), not a request.
MAX_EXTENSION_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class ParsedReply:
    """What an officer's reply says: status (None when unsure), progress, new date, task, note."""

    status: str | None = None
    progress: int | None = None
    until: date | None = None
    task_ref: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The reading as plain JSON types (dates in ISO form)."""
        return {
            "status": self.status,
            "progress": self.progress,
            "until": self.until.isoformat() if self.until else None,
            "task_ref": self.task_ref,
            "note": self.note,
        }


# --- words -----------------------------------------------------------------------------------

# Words the patterns look for, as written with diacritics. A typed word that carries marks must
# agree with one of these ("đăng" is not "đang", "hoãn" postpones while "hoàn" completes); a
# word typed without marks takes the first reading.
# fmt: off
_LEXICON_WORDS = {
    "xong": "xong", "hoàn": "hoan", "hoãn": "hoanx", "thành": "thanh", "tất": "tat",
    "chỉnh": "chinh", "thiện": "thien", "đã": "da", "dạ": "da", "đang": "dang", "làm": "lam",
    "thực": "thuc", "hiện": "hien", "triển": "trien", "khai": "khai", "chưa": "chua",
    "không": "khong", "chẳng": "chang", "có": "co", "vướng": "vuong", "mắc": "mac", "khó": "kho",
    "khăn": "khan", "gia": "gia", "hạn": "han", "xin": "xin", "thêm": "them", "lùi": "lui",
    "kéo": "keo", "dài": "dai", "đến": "den", "tới": "toi", "sang": "sang", "ngày": "ngay",
    "tuần": "tuan", "tháng": "thang", "năm": "nam", "quý": "quy", "quí": "quy", "hết": "het",
    "cuối": "cuoi", "rồi": "roi", "được": "duoc", "đạt": "dat", "bắt": "bat", "đầu": "dau",
    "sẽ": "se", "sắp": "sap", "gần": "gan", "nữa": "nua", "nửa": "nuax", "phần": "phan",
    "trăm": "tram", "tiến": "tien", "độ": "do", "do": "do", "vì": "vi", "chờ": "chox",
    "cho": "cho", "đợi": "doiw", "dời": "doix", "kịp": "kip", "bị": "bi", "tắc": "tac",
    "kẹt": "ket", "gặp": "gap", "vấn": "van", "vẫn": "van", "văn": "van", "đề": "de",
    "nghị": "nghi", "cần": "can", "hỗ": "ho", "trợ": "tro", "thiếu": "thieu", "một": "mot",
    "hai": "hai", "ba": "ba", "bốn": "bon", "tư": "tu", "sáu": "sau", "sau": "sau", "bảy": "bay",
    "tám": "tam", "tạm": "tam", "chín": "chin", "mười": "muoi", "mươi": "muoi",
    "trước": "truoc", "còn": "con", "tiếp": "tiep", "tục": "tuc", "số": "so", "nhiệm": "nhiem",
    "vụ": "vu", "mục": "muc", "gửi": "gui", "nộp": "nop", "ban": "ban", "bản": "ban",
    "hành": "hanh", "trình": "trinh", "ký": "ky", "kí": "ky", "báo": "bao", "cáo": "cao",
    "dự": "du", "kiến": "kien", "thảo": "thao", "lại": "lai", "thời": "thoi", "gian": "gian",
    "khoảng": "khoang", "mới": "moi", "vừa": "vua", "xử": "xu", "lý": "ly", "lí": "ly",
    "đâu": "dau", "phí": "phi", "kinh": "kinh", "vốn": "von", "nhân": "nhan", "lực": "luc",
    "thể": "the", "quả": "qua", "ngại": "ngai", "hướng": "huong", "dẫn": "dan",
    "giải": "giai", "quyết": "quyet", "nào": "nao", "gì": "gi", "khi": "khi", "nếu": "neu",
    "để": "de", "chuẩn": "chuan", "cơ": "co", "ý": "y", "lấy": "lay",
    "hôm": "hom", "vài": "vai", "ít": "it", "tay": "tay", "mặt": "mat", "bằng": "bang",
    # Same letters, other words, that patterns still need: "cán bộ", "dữ liệu", "từ ngày".
    "cán": "can", "dữ": "du", "thế": "the", "tôi": "toi", "từ": "tu", "phân": "phan",
    "trở": "tro", "quá": "qua", "qua": "qua",
}
# fmt: on
_LEXICON: dict[str, list[tuple[str, str]]] = {}
for _accented, _canon in _LEXICON_WORDS.items():
    _accented = _accented.strip()
    _LEXICON.setdefault(fold(_accented), []).append((_accented, _canon))

# Phone shorthand and run-together words, by folded spelling.
# fmt: off
_SHORTHAND = {
    "xg": "xong", "xog": "xong", "xon": "xong", "done": "xong", "ht": "hoan thanh",
    "htat": "hoan tat", "hthanh": "hoan thanh", "hoanthanh": "hoan thanh",
    "hoantat": "hoan tat", "daxong": "da xong", "xongroi": "xong roi", "xongr": "xong roi",
    "dag": "dang", "dg": "dang", "danglam": "dang lam", "lm": "lam", "dc": "duoc",
    "dk": "duoc", "dx": "duoc", "ko": "khong", "k": "khong", "khg": "khong", "kg": "khong",
    "hok": "khong", "hong": "khong", "hk": "khong", "khum": "khong", "kp": "khong phai",
    "k0": "khong", "chx": "chua", "r": "roi", "rui": "roi", "vm": "vuong mac",
    "vuongmac": "vuong mac", "vuog": "vuong", "nv": "nhiem vu", "nhiemvu": "nhiem vu",
    "nvu": "nhiem vu", "bc": "bao cao", "vb": "van ban", "qd": "quyet dinh", "tg": "thoi gian",
    "gh": "gia han", "giahan": "gia han", "th": "thuc hien", "td": "tien do", "bd": "bat dau",
    "oke": "ok", "okie": "ok", "oki": "ok", "okay": "ok", "okey": "ok", "oce": "ok",
    "nx": "nua", "j": "gi", "ah": "a", "chualam": "chua lam", "chuaxong": "chua xong",
    "dangthuchien": "dang thuc hien", "thuchien": "thuc hien", "trienkhai": "trien khai",
    "phantram": "phan tram", "batdau": "bat dau", "qui": "quy",
}
# fmt: on
_KNOWN = set(_LEXICON) | set(_SHORTHAND)
# Keywords long enough that two swapped letters are a typo, not another word.
_SWAPPABLE = {"xong", "dang", "thanh", "hoan", "vuong", "khong", "duoc"}
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_REPEATS = re.compile(r"(.)\1+")
_TELEX_MARKS = re.compile(r"[fsrxjw]")
_PREFIXED_NUMBER = re.compile(r"^(nv|stt|muc|nd)(\d.*)$")
_NUMBER_UNIT = re.compile(r"^(\d{1,3})(ngay|tuan|thang|nam)$")

# fmt: off
_EMOJI = {
    "✅": "emdone", "✔": "emdone", "☑": "emdone", "💯": "emdone",
    "⏳": "emwait", "⌛": "emwait", "🔄": "emwait",
    "👍": "emok", "👌": "emok",
}
# fmt: on
# fmt: off
_PUNCTUATION = {
    ",": ",", ".": ".", ";": ";", "!": "!", "?": "?", "…": ".", "\n": ";", "%": "%",
    ":": ":", "(": "(", ")": ")", "/": "/", "-": "-", "#": "#", "+": "+", "&": "&",
    "？": "?", "，": ",", "–": "-", "—": "-",
}
# fmt: on
_CLAUSE_ENDS = {",", ".", ";", "!", "?"}
_MASK = "~"


def _marks(word: str) -> tuple[str, list[str]]:
    """The tone mark of a word and the shape marks (ă â ê ô ơ ư đ) of each of its letters."""
    tone = ""
    shapes = []
    for char in word:
        if char == "đ":
            shapes.append("đ")
            continue
        shape = ""
        for mark in unicodedata.normalize("NFD", char)[1:]:
            if mark in _TONE_MARKS:
                tone = mark
            else:
                shape += mark
        shapes.append(shape)
    return tone, shapes


def _agrees(typed: str, accented: str) -> bool:
    """Whether a typed word is `accented`, placed tone and all, maybe missing a hat or horn."""
    typed_tone, typed_shapes = _marks(typed)
    tone, shapes = _marks(accented)
    # Who types marks types the tone: "Vương" (a name) is not a toneless "vướng".
    if typed_tone != tone:
        return False
    return len(typed_shapes) == len(shapes) and all(
        set(typed_shape) <= set(shape)
        for typed_shape, shape in zip(typed_shapes, shapes, strict=True)
    )


def _known(folded: str) -> str:
    if folded in _SHORTHAND:
        return _SHORTHAND[folded]
    readings = {canon for _, canon in _LEXICON[folded]}
    return readings.pop() if len(readings) == 1 else folded


def _repair(folded: str) -> str:
    """Undo leftover Telex keys ("hoanf", "ddax"), held keys ("xongg") and swapped letters."""
    if len(folded) < 3 or not folded.isalpha():
        return folded
    squeezed = _REPEATS.sub(r"\1", folded)
    if squeezed in _KNOWN:
        return _known(squeezed)
    # Telex tone and shape keys typed after the vowel; the first letter is always meant.
    untoned = squeezed[0] + _TELEX_MARKS.sub("", squeezed[1:])
    if len(untoned) >= 2 and untoned in _KNOWN:
        return _known(untoned)
    for index in range(len(squeezed) - 1):
        swapped = squeezed[:index] + squeezed[index + 1] + squeezed[index] + squeezed[index + 2 :]
        if swapped in _SWAPPABLE:
            return swapped
    return folded


@lru_cache(maxsize=8192)
def _canon_word(word: str, folded: str) -> str:
    """The canonical spelling of one typed word (lower-case NFC) given its folded form."""
    entries = _LEXICON.get(folded)
    if word.isascii():
        if folded in _SHORTHAND:
            return _SHORTHAND[folded]
        if entries:
            # Without marks "cho" may be "chờ" or "cho": patterns read such words in context.
            readings = {canon for _, canon in entries}
            return readings.pop() if len(readings) == 1 else folded
        return _repair(folded)
    if entries:
        for accented, canon in entries:
            if _agrees(word, accented):
                return canon
        # Same letters, other marks ("đăng", "Vương", "lắm"): some other word.
        return "_" + folded
    return _SHORTHAND.get(folded, folded)


# --- tokens ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Token:
    canon: str
    start: int
    end: int


_TOKEN = re.compile(r"(?=[\w./&-]*\d)\w+(?:[./&-]\w+)+|\w+|[^\w ]")
_NEWLINES = re.compile(r"[^\S\n]*\n\s*")
_BLANKS = re.compile(r"[^\S\n]+")


def _aligned(text: str) -> tuple[str, str]:
    """The reply with tidy whitespace, and its folded form letter for letter."""
    original = _BLANKS.sub(" ", _NEWLINES.sub("\n", nfc(text))).strip()
    folded = fold(original)
    if len(folded) != len(original):
        # Rare letters whose lower case or decomposition is longer: fold one by one.
        pairs = []
        for char in original:
            folded_char = " " if char.isspace() else fold(char)
            if folded_char:
                pairs.append((char, folded_char[0]))
        original = "".join(char for char, _ in pairs)
        folded = "".join(folded_char for _, folded_char in pairs)
    if "\n" in original:
        folded = "".join(
            "\n" if char == "\n" else folded_char
            for char, folded_char in zip(original, folded, strict=True)
        )
    return original, folded


def _tokens(original: str, folded: str) -> list[_Token]:
    tokens: list[_Token] = []
    lowered = original.lower()
    for match in _TOKEN.finditer(folded):
        start, end = match.span()
        piece = match.group()
        if not (piece[0].isalnum() or piece[0] == "_"):
            canon = _EMOJI.get(piece) or _PUNCTUATION.get(piece) or _MASK
            tokens.append(_Token(canon, start, end))
            continue
        split = _PREFIXED_NUMBER.match(piece) or _NUMBER_UNIT.match(piece)
        if split:
            cut = start + split.end(1)
            tokens.append(_Token(_canon_word(lowered[start:cut], split[1]), start, cut))
            rest = split[2]
            rest_canon = rest if rest[0].isdigit() else _canon_word(lowered[cut:end], rest)
            tokens.append(_Token(rest_canon, cut, end))
            continue
        if match.group()[0].isdigit() or not piece.isalnum():
            tokens.append(_Token(piece, start, end))
        else:
            tokens.append(_Token(_canon_word(lowered[start:end], piece), start, end))
    return tokens


# --- patterns --------------------------------------------------------------------------------


def _rx(pattern: str) -> re.Pattern[str]:
    """A pattern over canonical tokens: it starts and ends at token edges (space-padded text)."""
    return re.compile(rf"(?<= )(?:{pattern})(?= )")


# fmt: off
_NUMBER_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
    "chin": 9, "muoi": 10,
}
# fmt: on
_AMOUNT = r"(?:\d{1,3}|mot|hai|ba|bon|tu|nam|sau|bay|tam|chin|muoi|nua|nuax|vai|it)"
_UNIT = r"(?:ngay|hom|tuan|thang|nam)"
_DURATION = rf"{_AMOUNT} {_UNIT}"
_DOC_NUMBER = r"\d{1,5}(?:/\d{2,4})?/[a-z][a-z0-9&]*(?:[-.][a-z0-9&]+)*"
_DAY_DATE = r"\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?"
_DOC_KINDS = (
    r"van ban|cong van|quyet dinh|ke hoach|to trinh|bao cao|thong bao|ket luan|chi thi"
    r"|nghi quyet|giay moi|thong tu|nghi dinh|cv|kh|tb|tt"
)

# "văn bản số 45/KH-SYT ngày 20/02/2026": a citation, never a status, date or task.
_CITATION = _rx(
    rf"(?:(?:{_DOC_KINDS})(?: so)? )?{_DOC_NUMBER}(?: ngay {_DAY_DATE}"
    r"| ngay \d{1,2} thang \d{1,2}(?: nam \d{4})?)?"
    rf"|(?:{_DOC_KINDS})(?: so \d{{1,5}}| so {_DOC_NUMBER})?(?: ngay {_DAY_DATE}"
    r"| ngay \d{1,2} thang \d{1,2}(?: nam \d{4})?)"
    rf"|(?:{_DOC_KINDS}) so \d{{1,5}}"
)

# "xong chưa ạ", "có vướng gì không": a verb then a question particle closing the clause.
_QUESTION_TAIL = re.compile(
    r" (?:xong|hoan thanh|hoan tat|lam|gia han|nop|gui|duoc|chua|co|roi)"
    r" (?:chua|khong|hay chua|hay khong|chu)(?: (?:a|anh|chi|em|vay|nhi|nhe|the|ha|ban))*"
    r"(?: [?.!,;])? $"
)
_REQUEST = _rx(r"xin|de nghi|cho (?:em|toi|minh|don vi|chung em|phong)")

# Denials that mention a status word: "không có vướng mắc", "không cần gia hạn".
_NEUTRAL = _rx(
    r"(?:khong|chua|chang|het|khong con|da het)(?: (?:co|gap|bi|con|thay|phat sinh|gi|van de))*"
    r" (?:vuong mac|vuong|kho khan|tro ngai|bi tac|van de gi)"
    r"(?: (?:va |hay |hoac )?(?:vuong mac|vuong|kho khan|tro ngai))*(?: (?:gi|nao|ca|a))*"
    r"|(?:vuong mac|vuong|kho khan)(?: da)?(?: duoc)? giai quyet(?: xong)?"
    r"|(?:khong|chua|chang) (?:can |xin |de nghi |co nhu cau )?(?:gia han|lui han|them thoi gian"
    r"|keo dai)"
    r"|(?:sau khi|khi nao|khi|neu|de)(?: \w+){0,2}? (?:xong|hoan thanh|hoan tat)"
)

_PERCENT = _rx(r"(\d{1,3})(?:[.,]\d+|-\d{1,3})? ?(?:%|phan tram)")
_BARE_PERCENT = _rx(
    r"(?:dang (?:lam|thuc hien|trien khai)|lam duoc|duoc|dat|tien do|khoang|uoc dat|da lam)"
    r"(?: (?:duoc|khoang|tam|dat|chung|gan|hon|tren|roi|la|:))* (\d{1,3})"
    r"(?= (?:roi|a|nhe|nha|anh|chi|[,.;!]) | $)"
    # "hoàn thành 60": a share of the work, but "xong 2" is more likely a count.
    r"|(?:hoan thanh|xong) ([1-9]\d|100)(?= (?:roi|a|nhe|nha|anh|chi|[,.;!]) | $)"
)
_HALF = _rx(
    r"(?:duoc|dat|lam duoc|xong|hoan thanh|khoang|tam)(?: (?:duoc|khoang|tam|chung))*"
    r" (?:mot nua|1 nua|nuax|mot nuax|1 nuax)(?! (?:ngay|tuan|thang|nam))"
)

_EXTENSION = _rx(
    r"gia han|lui (?:han|thoi han|thoi gian|tien do|lai|den|toi|sang|ngay)|xin lui"
    r"|keo dai (?:thoi gian|thoi han|han|den|toi|sang|them)|xin keo dai|hoanx"
    r"|(?:xin|de nghi) hoan(?! (?:thanh|tat|chinh|thien))|hoan (?:den|toi|sang|lai)"
    r"|(?:doix|dich|doi) (?:sang|den|toi|lai|han|thoi han)"
    rf"|(?:xin|de nghi|cho|cho \w+|can|them) them (?:thoi gian|thoi han|han|vai \w+|it \w+"
    rf"|{_DURATION})|them {_DURATION}|xin(?: them)? {_DURATION}"
    r"|(?:xin|de nghi|cho \w+)(?: phep| duoc)? (?:den|toi|sang|lui|doi|doix|dich)"
    r"(?= (?:ngay |het |cuoi )?(?:\d|thang|quy|tuan|nam|thu))"
)
# The words that say "blocked" (left out of the note) and the obstacles that imply it (kept:
# they are the reason the coordinator needs).
_BLOCKED = _rx(
    r"(?:(?:dang|van|bi|gap|co|con) )?(?:vuong(?: mac)?|kho khan|tro ngai|tac nghen|ach tac"
    r"|un tac)|(?:bi|dang|van) (?:tac|ket|dung lai)"
    # "kẹt thủ tục", "kẹt vốn"; without marks "ket" is also "kết" (kết quả, tổng kết).
    r"|(?<!tong )(?<!so )(?<!lien )(?<!cam )(?<!doan )(?<!hoi )(?<!don )ket"
    r"(?! (?:qua|luan|thuc|noi|hop|toan|nap|chuyen|xuat|ban|cau|tinh|dinh|duoc))"
    # "chưa làm tiếp được": the work began and cannot go on.
    r"|(?:chua|khong)(?: the)? (?:lam|thuc hien|trien khai) tiep(?: tuc)? duoc"
)
_OBSTACLE = _rx(
    r"(?:gap|co) van de"
    r"|(?:can|xin|de nghi|nho)(?: \w+){0,4}? ho tro"
    r"|(?:chua|khong) (?:co|duoc) (?:bo tri |phan bo |cap )?(?:kinh phi|von|nguon von"
    r"|huong dan|van ban huong dan|y kien|chi dao|so lieu|du lieu|mat bang|nhan luc)"
    r"|thieu (?:kinh phi|von|nguon|nhan luc|nguoi|can bo|du lieu|so lieu|thong tin|huong dan"
    r"|mat bang|thiet bi|tai lieu)"
    r"|khong the|khong (?:lam|thuc hien|trien khai) duoc|chua the"
)
# "chưa làm được" is blocked when a reason follows ("vì", "do"), otherwise not started.
_UNABLE = _rx(r"(?:chua|khong) (?:lam|thuc hien|trien khai|hoan thanh) duoc")
_REASON = _rx(r"(?<!tien )(?:vi|do|boi vi|ly do|nguyen nhan)")
_NOT_DONE = _rx(
    r"(?:chua|khong|chang|van chua|con chua|khong kip)(?: (?:lam|thuc hien|trien khai|co|duoc"
    r"|the|kip|xu ly|viet|soan))* (?:xong|hoan thanh|hoan tat|hoan chinh)"
    r"|(?:xong|hoan thanh) dau"
)
_NEARLY_DONE = _rx(
    r"(?:sap|gan|se|chuan bi|sap sua|du kien|co ban|muc tieu|phan dau|tien toi|uoc)"
    r"(?: \w+){0,2}? (?:xong|hoan thanh|hoan tat)"
    r"|(?:\d[^ ]*|sau|toi|nua|mai|tuan|thang|quy)(?: [^ ]+){0,2}? moi (?:xong|hoan thanh)"
    rf"|(?:{_DURATION} nua|mai|ngay mai|chieu nay|toi nay|cuoi tuan|tuan sau|thang sau)"
    r" (?:se |la |thi )?(?:xong|hoan thanh)"
)
_PART_DONE = _rx(
    r"(?:xong|hoan thanh|hoan tat|da gui|da trinh|da nop)(?: duoc)? (?:phan|buoc|giai doan|khau"
    r"|mot phan|1 phan|du thao|ban du thao|dot|mot so|1 so|mot nua|1 nua|nuax|ban nhap|so bo"
    r"|\d{1,2} (?:noi dung|viec|dau viec|nhiem vu|phan|muc)|xin y kien|lay y kien)"
    r"(?! (?:viec|cong viec) (?:cua|duoc giao))"
)
_DONE = _rx(r"xong|hoan thanh|hoan tat|emdone|da hoan chinh|da hoan thien|vua xong")
_SENT = _rx(
    r"da (?:gui|nop|ban hanh|trinh|ky|phe duyet|thuc hien|lam|trien khai|to chuc|xay dung|xu ly"
    r"|giai quyet|cap nhat|bao cao)|(?:gui|nop|ban hanh|trinh) roi"
)
_WAITING = _rx(r"(?:dang |van |con )?(?:chox|doiw)|dang (?:cho|doi)")
# "đang" with a verb of work: "đang nghỉ phép", "đang họp" say where the officer is, not the task.
_WORKING = _rx(
    r"dang (?:lam|thuc hien|trien khai|tien hanh|xu ly)"
    r"|(?:dang|van dang|con dang)(?= (?:soan|du thao|xay dung|hoan thien|hoan chinh|tong hop"
    r"|lay|xin y kien|trinh|chuan bi|ra soat|phoi hop|to chuc|kiem tra|tham dinh|cap nhat"
    r"|chinh sua|bo sung|giai quyet|hoan tat|gui|thu thap|dieu tra|khao sat|viet|lap|thiet ke"
    r"|thi cong|lam viec|trien|thuc|tiep tuc|duoc|dat|dua|nhap|xay|sua|cap|tien|dieu"
    r"|hoan|thao|ky|duyet|in|nop|van dong|tuyen truyen|mua|dau thau|giai ngan) )"
    r"|(?:dang|van dang|con dang)(?= (?:a|nhe|nha|anh|chi|roi|[,.;!?])? ?$)"
    r"|emwait|tiep tuc|trong qua trinh|moi (?:bat dau|lam|trien khai)"
)
_NOT_STARTED = _rx(
    r"(?:chua|khong|chang|van chua)(?: (?:co|duoc))? (?:lam|thuc hien|trien khai|bat dau"
    r"|bat tay|lam gi|co gi|tien hanh|xu ly|soan|dong)"
    r"|(?:se|sap|chuan bi)(?: \w+)? (?:lam|thuc hien|trien khai|bat dau|tien hanh|to chuc"
    r"|xay dung|soan)"
)
# "tuần sau mới bắt đầu" starts later; a bare "mới bắt đầu" has just started.
_LATER_START = _rx(
    r"(?:tuan sau|thang sau|tuan toi|thang toi|sau|mai|ngay mai|\d[^ ]*)(?: [^ ]+){0,2}? moi"
    r" (?:bat dau|lam|trien khai|thuc hien)"
)

# --- dates -----------------------------------------------------------------------------------

_PERIOD = _rx(
    r"(?:(?:truoc|het|cuoi) )?(?:ngay )?(?:"
    rf"{_DAY_DATE}"
    r"|\d{1,2} thang \d{1,2}(?:/\d{4}| nam \d{4}| \d{4})?"
    r"|thang \d{1,2}(?:/\d{4}| nam \d{4}| \d{4})?"
    r"|quy (?:iv|iii|ii|i|[1-4])(?:/\d{4}| nam \d{4}| \d{4})?"
    r"|(?:6|sau) thang (?:dau|cuoi) nam(?: \d{4})?"
    r"|nam \d{4}|\d{1,2}/\d{4}"
    r"|(?:nam|thang|quy|tuan) (?:sau|toi|nay)"
    r")"
    r"|(?:het|cuoi) (?:nam|thang|quy|tuan)(?: nay)?"
)
_PERIOD_CUE = re.compile(
    r"(?:den|toi|sang|lui|gia han|han|vao|doix|dich|keo dai|hoan|hoanx|xin|la|:) $"
)
_DATE_CUES = {"den", "toi", "sang", "vao", "lui", "ngay", "het", "cuoi", "truoc", "doix", "dich"}
_DATE_SEPARATOR = re.compile(r"(\d)[.-](?=\d)")
_RANGE_START = re.compile(r"(?:tu|bat dau) $")
# "15 tháng 3" and "15 tháng ba" are dates, not fifteen months.
_DURATION_AT = _rx(
    rf"({_AMOUNT}) ({_UNIT})(?: lam viec)?(?! (?:\d|mot|hai|ba|bon|tu|nam|sau|bay|tam|chin"
    r"|muoi|gieng|chap)(?: |$))"
)
_DURATION_CUE = re.compile(
    r"(?:them|gia han|lui|keo dai|hoan|hoanx|xin|cho|can|trong|doix|khoang|tam|toi da)"
    r"(?: (?!den |toi |sang |vao )\w+)? $"
)
_DATE_WORD = re.compile(r"\d|thang$|tuan$|thu$|mai$|mung$|ngay$|nam$|quy$")
_FREE_DATE_CUE = _rx(r"(?:den|toi|sang|vao|lui den|lui sang|truoc)(?: ngay| het| cuoi)?")

# --- task references -------------------------------------------------------------------------

_ROMAN = r"(?:viii|vii|vi|iv|v|ix|x|iii|ii|i|xi|xii|xiii|xiv|xv)"
_REF = rf"(?:\d{{1,3}}(?:[.-]\d{{1,3}})*(?:[.-]?[a-z])?|{_ROMAN}(?:[.-]\d{{1,3}})*(?:[.-][a-z])?|[a-z])"
_REF_PREFIX = r"(?:nhiem vu|muc|cong viec|noi dung|stt|tt|nd|so|#)"
_LEADING_REF = re.compile(
    rf" (?:(?P<prefix>{_REF_PREFIX})(?: so)? )?(?P<ref>{_REF})(?= (?P<after>[^ ]+)| $)"
)
_MORE_REFS = re.compile(
    rf" (?:,|va|&|\+|;) (?:(?:{_REF_PREFIX})(?: so)? )?"
    rf"(?P<ref>\d{{1,3}}(?:[.-]\d{{1,3}})*(?:[.-][a-z])?|{_ROMAN}[.-]\d{{1,3}}(?:[.-][a-z])?)"
    r"(?= (?P<after>[^ ]+)| $)"
)
_NAMED_REF = _rx(rf"(?:nhiem vu|muc|noi dung)(?: so)? (?P<ref>{_REF})")
# Words after a leading number that make it a quantity, not a task ("2 tuần nữa", "3 báo cáo").
# fmt: off
_QUANTITY_WORDS = {
    "%", "phan", "ngay", "hom", "tuan", "thang", "nam", "gio", "h", "phut", "trieu", "ty", "dong",
    "nguoi", "bao", "van", "ke", "don", "xa", "phuong", "ho", "lan", "cai", "file", "ban",
    "trang", "nua", "nuax", "so", "noi", "viec", "dau", "muc", "quy",
}
_NOTE_FILLERS = {
    "a", "nhe", "nha", "roi", "ok", "da", "vang", "em", "anh", "chi", "minh", "toi", "vi", "do",
    "la", "ve", "nhung", "va", "con", "hien", "nen", "thi", "ma", "o", "boi", "hien tai",
    "hien nay", "ly do", "nguyen nhan", "xin bao cao", "kinh bao cao", "kinh gui",
    "emok", "emdone", "emwait", "duoc", "dat", "khoang", "tien do", "cua", "u", "vay",
    "luon", "ca", "het", "tai", "boi vi", "xin", "de nghi",
    "em xin", "cho xin", "xin phep", "e", "c", "mk", "mik", "t", "oi", "a oi", "anh oi",
    "chi oi", "em oi",
}
# fmt: on


def _canonical(phrases: str) -> set[str]:
    """Phrases (one a line, as people write them) in the tokens' canonical form."""
    return {
        " ".join(token.canon for token in _tokens(*_aligned(line)))
        for line in phrases.strip().splitlines()
    }


# Greetings and thanks: at either end of a note they say nothing ("Kính gửi anh, …",
# "… Trân trọng!").
_NOTE_FILLERS |= _canonical(
    """
    kính gửi
    kính báo cáo
    đồng chí
    trân trọng
    cảm ơn
    """
)
# Words that only name the task, its volume or its deadline: a piece of note made of nothing
# else says nothing the status and the date do not ("Đã hoàn thành nhiệm vụ", "Hoàn thành 100%
# khối lượng", "Xin lùi thời hạn sang tháng 5"). Inside a longer note they stay.
_TOPIC_ONLY = _canonical(
    """
    nhiệm vụ
    nhiệm vụ này
    nhiệm vụ được giao
    việc này
    công việc
    khối lượng
    khối lượng công việc
    thời hạn
    thời gian
    thời gian hoàn thành
    """
)
# Openings of a report ("Báo cáo: …", "Bên em …") that say nothing at the start of a note.
_LEADING_FILLERS = _canonical(
    """
    báo cáo
    bên em
    phòng em
    đơn vị
    """
)


# --- reading ---------------------------------------------------------------------------------


class _Clause:
    """One clause as space-padded canonical text, with masking that keeps offsets."""

    __slots__ = ("first", "original", "starts", "text")

    def __init__(self, tokens: list[_Token], first: int, last: int) -> None:
        self.first = first
        starts: list[int] = []
        parts: list[str] = []
        position = 1
        for token in tokens[first:last]:
            starts.append(position)
            parts.append(token.canon)
            position += len(token.canon) + 1
        self.starts = starts
        self.text = " " + " ".join(parts) + " "
        self.original = self.text

    def token_range(self, start: int, end: int) -> range:
        """Indices (in the reply) of the tokens a span of this clause's text covers."""
        first = bisect_right(self.starts, start) - 1
        last = bisect_left(self.starts, end)
        return range(self.first + max(first, 0), self.first + last)

    def take(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        """The non-overlapping matches of pattern; their text is masked for later patterns."""
        matches = list(pattern.finditer(self.text))
        if matches:
            pieces = []
            position = 0
            for match in matches:
                pieces.append(self.text[position : match.start()])
                pieces.append(_MASK * (match.end() - match.start()))
                position = match.end()
            pieces.append(self.text[position:])
            self.text = "".join(pieces)
        return matches


class _Reader:
    """Reads one reply; collects signals, spans to leave out of the note, and the readings."""

    def __init__(self, text: str, today: date) -> None:
        self.today = today
        self.original, folded = _aligned(text[:MAX_REPLY_LENGTH])
        self.tokens = _collapse_citations(_tokens(self.original, folded))
        self.removed: set[int] = set()
        self.signals: set[str] = set()
        self.progress: int | None = None
        self.clauses = self._clauses()

    def _clauses(self) -> list[_Clause]:
        clauses = []
        first = 0
        for index, token in enumerate(self.tokens):
            if token.canon in _CLAUSE_ENDS:
                if index + 1 > first:
                    clauses.append(_Clause(self.tokens, first, index + 1))
                first = index + 1
        if first < len(self.tokens):
            clauses.append(_Clause(self.tokens, first, len(self.tokens)))
        return clauses

    def remove(self, clause: _Clause, start: int, end: int) -> None:
        """Leave a span of the clause out of the note."""
        self.removed.update(clause.token_range(start, end))

    def read(self) -> ParsedReply:
        """The whole reading."""
        if not self.tokens:  # only marks or spaces
            return ParsedReply()
        refs = self._task_refs()
        named = {ref for ref, _ in refs}
        if len(named) > 1:
            # Several tasks may each have their own status: the bot asks, task by task.
            return ParsedReply(note=self.original)
        task_ref = named.pop() if named else None
        for _, tokens in refs:
            self.removed.update(tokens)
        statements = [clause for clause in self.clauses if not self._asks(clause)]
        for clause in statements:
            self._read_clause(clause)
        status = self._status()
        until = None
        if status == EXTENSION_REQUESTED:
            try:
                until = self._until(statements)
            except OverflowError:  # a "today" at the end of the calendar
                until = None
        return ParsedReply(status, self.progress, until, task_ref, self._note())

    def _asks(self, clause: _Clause) -> bool:
        """Whether a clause is a question ("xong chưa?"), not a polite request."""
        text = clause.text
        asks = text.rstrip().endswith("?") or bool(_QUESTION_TAIL.search(text))
        return asks and not _REQUEST.search(text)

    def _read_clause(self, clause: _Clause) -> None:
        signals = self.signals
        for match in clause.take(_NEUTRAL):
            self.remove(clause, *match.span())
        self._read_progress(clause)
        for pattern, signal, drop in (
            (_EXTENSION, "extension", True),
            (_BLOCKED, "blocked", True),
            (_OBSTACLE, "blocked", False),
        ):
            for match in clause.take(pattern):
                signals.add(signal)
                if drop:
                    self.remove(clause, *match.span())
        for match in clause.take(_UNABLE):
            signals.add("unable")
            self.remove(clause, *match.span())
        if _REASON.search(clause.text):
            signals.add("reason")
        for pattern, signal in (
            (_NOT_DONE, "working"),
            (_NEARLY_DONE, "working"),
            (_PART_DONE, "working"),
        ):
            for match in clause.take(pattern):
                signals.add(signal)
                if pattern is _NOT_DONE:
                    self.remove(clause, *match.span())
        for match in clause.take(_DONE):
            signals.add("done")
            self.remove(clause, *match.span())
        if clause.take(_SENT):
            signals.add("sent")
        for match in clause.take(_WAITING):
            signals.add("waiting")
            if match.group().startswith("dang"):
                self.remove(clause, match.start(), match.start() + 4)
        for match in clause.take(_LATER_START):
            signals.add("not_started")
            self.remove(clause, *match.span())
        for match in clause.take(_WORKING):
            signals.add("working")
            self.remove(clause, *match.span())
        for match in clause.take(_NOT_STARTED):
            signals.add("not_started")
            self.remove(clause, *match.span())
        # Emoji and the acknowledgement words never belong in a note.
        for index in clause.token_range(0, len(clause.text)):
            if self.tokens[index].canon in ("emok", "ok"):
                self.removed.add(index)

    def _read_progress(self, clause: _Clause) -> None:
        for match in clause.take(_PERCENT):
            self._set_progress(int(match.group(1)))
            self.remove(clause, *match.span())
        for match in _BARE_PERCENT.finditer(clause.text):
            group = match.lastindex or 1
            self._set_progress(int(match.group(group)))
            self.remove(clause, match.start(group), match.end(group))
        for match in _HALF.finditer(clause.text):
            self._set_progress(50)
            self.remove(clause, *match.span())

    def _set_progress(self, value: int) -> None:
        if self.progress is None and 0 <= value <= 100:
            self.progress = value

    def _status(self) -> str | None:
        signals = self.signals
        if "extension" in signals:
            return EXTENSION_REQUESTED
        if "blocked" in signals or {"unable", "reason"} <= signals:
            return BLOCKED
        if self.progress is not None:
            if self.progress >= 100:
                return DONE
            if self.progress == 0 and "working" not in signals:
                return NOT_STARTED
            return IN_PROGRESS
        started = "working" in signals or "waiting" in signals
        if "done" in signals:
            return (
                IN_PROGRESS if started or "not_started" in signals or "unable" in signals else DONE
            )
        if "working" in signals:
            return IN_PROGRESS
        if "not_started" in signals or "unable" in signals:
            return IN_PROGRESS if "sent" in signals else NOT_STARTED
        if "sent" in signals:
            return IN_PROGRESS if "waiting" in signals else DONE
        if "waiting" in signals:
            return IN_PROGRESS
        return None

    # --- extension dates ---

    def _until(self, statements: list[_Clause]) -> date | None:
        """The new date an extension request names, absolute or counted from today."""
        # Clauses that carry the request first, then the others in order.
        ordered = sorted(statements, key=lambda clause: not _EXTENSION.search(clause.original))
        for clause in ordered:
            found = self._period_in(clause, cued_only=True)
            if found is not None:
                return found
        for clause in ordered:
            found = self._duration_in(clause)
            if found is not None:
                return found
        for clause in ordered:
            found = self._period_in(clause, cued_only=False)
            if found is not None:
                return found
        for clause in ordered:
            found = self._free_date_in(clause)
            if found is not None:
                return found
        return None

    def _period_in(self, clause: _Clause, *, cued_only: bool) -> date | None:
        text = clause.original
        for match in _PERIOD.finditer(text):
            head = text[: match.start()]
            if _RANGE_START.search(head):
                continue
            if cued_only and not _PERIOD_CUE.search(head):
                continue
            tokens = clause.token_range(*match.span())
            phrase = self.original[self.tokens[tokens[0]].start : self.tokens[tokens[-1]].end]
            # The grammar reads "30/4"; phones also type "30.4" and "30-4".
            phrase = _DATE_SEPARATOR.sub(r"\1/", phrase)
            try:
                found = period_end(phrase, today=self.today)
            except (ValueError, OverflowError):
                found = None
            if found is not None and self._plausible(found):
                self.removed.update(tokens)
                self._remove_cue(tokens[0])
                return found
        return None

    def _duration_in(self, clause: _Clause) -> date | None:
        text = clause.original
        for match in _DURATION_AT.finditer(text):
            head = text[: match.start()]
            tail = text[match.end() :]
            if not (_DURATION_CUE.search(head) or tail.startswith(" nua ")):
                continue
            if match.group().endswith("lam viec"):
                return None  # working days need the holiday calendar; the bot asks instead
            found = _add(self.today, match.group(1), match.group(2))
            if found is not None and self._plausible(found):
                self.removed.update(clause.token_range(*match.span()))
                return found
        return None

    def _free_date_in(self, clause: _Clause) -> date | None:
        """Last resort for a date the patterns do not know ("15 tháng ba"): dateparser."""
        match = _FREE_DATE_CUE.search(clause.original)
        if match is None:
            return None
        following = clause.token_range(match.end() + 1, len(clause.original))
        words = [index for index in following if self.tokens[index].canon not in _CLAUSE_ENDS][:6]
        if not words or not any(_DATE_WORD.match(self.tokens[index].canon) for index in words):
            return None
        phrase = self.original[self.tokens[words[0]].start : self.tokens[words[-1]].end]
        found = _dateparser_date(phrase, self.today)
        if found is not None and self._plausible(found):
            self.removed.update(words)
            self._remove_cue(words[0])
            return found
        return None

    def _remove_cue(self, index: int) -> None:
        """Leave "đến", "sang", "tới" before a date out of the note with the date."""
        while index > 0 and self.tokens[index - 1].canon in _DATE_CUES:
            index -= 1
            self.removed.add(index)

    def _plausible(self, found: date) -> bool:
        return self.today <= found <= self.today + timedelta(days=MAX_EXTENSION_DAYS)

    # --- task reference ---

    def _task_refs(self) -> list[tuple[str, range]]:
        """Every task the reply names, with the tokens that name it."""
        canon = " " + " ".join(token.canon for token in self.tokens) + " "
        starts = []
        position = 1
        for token in self.tokens:
            starts.append(position)
            position += len(token.canon) + 1
        found: list[tuple[str, range]] = []
        # Each line may lead with its own task ("NV1: xong\nNV2: đang làm 50%").
        line_starts = [0] + [
            index + 1
            for index, token in enumerate(self.tokens[:-1])
            if self.original[token.start] == "\n"
        ]
        for line_start in line_starts:
            leading = _LEADING_REF.match(canon, starts[line_start] - 1)
            if not (leading and self._leading_ref_ok(leading, starts)):
                continue
            index = bisect_right(starts, leading.start("ref")) - 1
            first = line_start if leading["prefix"] else index
            last = index + 1
            # The ":" or ")" after a leading reference is part of it.
            if last < len(self.tokens) and self.tokens[last].canon in (":", ")", "-", "/", "."):
                last += 1
            found.append((self._ref_text(index), range(first, last)))
            # "1, 2 xong", "nv 1 và 2 đã xong": a list of tasks.
            more = _MORE_REFS.match(canon, leading.end("ref"))
            while more and more["after"] not in _QUANTITY_WORDS:
                index = bisect_right(starts, more.start("ref")) - 1
                found.append((self._ref_text(index), range(index, index + 1)))
                more = _MORE_REFS.match(canon, more.end("ref"))
        for named in _NAMED_REF.finditer(canon):
            index = bisect_right(starts, named.start("ref")) - 1
            found.append(
                (self._ref_text(index), range(bisect_right(starts, named.start()) - 1, index + 1))
            )
        return found

    def _leading_ref_ok(self, match: re.Match[str], starts: list[int]) -> bool:
        ref = match["ref"]
        after = match["after"]
        if match["prefix"]:
            return True
        if after is None or after in _QUANTITY_WORDS:
            return False
        index = bisect_right(starts, match.start("ref")) - 1
        typed = self.original[self.tokens[index].start : self.tokens[index].end]
        if ref[0].isdigit():
            # "10h xong" is a time; a letter right after a number needs a dotted item ("2.1b").
            return not re.fullmatch(r"\d+[a-z]", ref)
        if len(ref) == 1:
            # A lone letter is a pronoun or shorthand ("e xong", "k xong") unless set off as "a)".
            return after in (")", ".", ":")
        # A lone Roman number in lower case is a word ("vi" = because) unless it has an item.
        return "." in ref or "-" in ref or typed.isupper()

    def _ref_text(self, index: int) -> str:
        """The reference as plans write it: "II.3", "2.1.b"."""
        token = self.tokens[index]
        typed = self.original[token.start : token.end].strip(".-)")
        parts = []
        for part in re.split(r"[.-]", typed):
            if not part:
                continue
            split = re.fullmatch(r"(\d+)([^\W\d_])", part)
            if split:
                parts.extend((str(int(split[1])), split[2].lower()))
            elif part.isdecimal():
                parts.append(str(int(part)))
            elif len(part) > 1 or (not parts and len(typed) > 1) or part.isupper():
                parts.append(part.upper() if re.fullmatch(_ROMAN, part.lower()) else part.lower())
            else:
                parts.append(part.lower())
        return ".".join(parts) or None  # type: ignore[return-value]

    # --- note ---

    def _note(self) -> str | None:
        """The officer's words that are not status, progress, date or task: reason, document."""
        segments: list[list[int]] = []
        current: list[int] = []
        for index, token in enumerate(self.tokens):
            if index in self.removed or token.canon.startswith(_MASK):
                if current:
                    segments.append(current)
                    current = []
                continue
            current.append(index)
        if current:
            segments.append(current)
        pieces = []
        for segment in segments:
            trimmed = self._trim(segment)
            # One syllable left over ("thực" of "thực hiện", "gửi", "vẫn", "nữa") says nothing
            # on its own in Vietnamese; a number or a code ("45/KH-SYT") still does.
            canon = " ".join(self.tokens[index].canon for index in trimmed)
            if canon in _TOPIC_ONLY:
                continue
            if len(trimmed) == 1:
                word = self.original[self.tokens[trimmed[0]].start : self.tokens[trimmed[0]].end]
                if not any(char.isdigit() for char in word) and not (
                    len(word) > 1 and word.isupper()
                ):
                    continue
            if trimmed:
                start = self.tokens[trimmed[0]].start
                end = self.tokens[trimmed[-1]].end
                pieces.append(self.original[start:end])
        note = ", ".join(pieces).strip()
        return note or None

    def _trim(self, segment: list[int]) -> list[int]:
        """Drop fillers and punctuation at both ends of a piece of note."""

        def filler(run: list[int], *, leading: bool = False) -> bool:
            canon = " ".join(self.tokens[index].canon for index in run)
            return (
                canon in _NOTE_FILLERS
                or (leading and canon in _LEADING_FILLERS)
                or not any(char.isalnum() for char in canon)
            )

        while segment:
            # The longest filler first: "kính báo cáo" before "kính".
            for size in (3, 2, 1):
                if len(segment) >= size and filler(segment[:size], leading=True):
                    segment = segment[size:]
                    break
                if len(segment) >= size and filler(segment[-size:]):
                    segment = segment[:-size]
                    break
            else:
                break
        return segment


def _collapse_citations(tokens: list[_Token]) -> list[_Token]:
    """Fold each document citation into one token so its numbers and dates read as nothing."""
    canon = " " + " ".join(token.canon for token in tokens) + " "
    if not any(char.isdigit() for char in canon):
        return tokens
    matches = list(_CITATION.finditer(canon))
    if not matches:
        return tokens
    starts = []
    position = 1
    for token in tokens:
        starts.append(position)
        position += len(token.canon) + 1
    collapsed: list[_Token] = []
    index = 0
    for match in matches:
        first = bisect_right(starts, match.start()) - 1
        last = bisect_left(starts, match.end())
        collapsed.extend(tokens[index:first])
        collapsed.append(_Token("vbref", tokens[first].start, tokens[last - 1].end))
        index = last
    collapsed.extend(tokens[index:])
    return collapsed


def _add(today: date, amount: str, unit: str) -> date | None:
    """Today plus a duration ("2 tuần", "một tháng", "nửa tháng"); None for vague amounts."""
    if amount in ("nua", "nuax"):
        return {"thang": today + timedelta(days=15), "nam": _add_months(today, 6)}.get(unit)
    number = int(amount) if amount.isdigit() else _NUMBER_WORDS.get(amount)
    if not number:
        return None  # "vài ngày", "ít hôm": no date to propose
    if unit in ("ngay", "hom"):
        return today + timedelta(days=number)
    if unit == "tuan":
        return today + timedelta(weeks=number)
    if unit == "thang":
        return _add_months(today, number)
    return _add_months(today, 12 * number)


def _add_months(day: date, months: int) -> date | None:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        return None
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _dateparser_date(phrase: str, today: date) -> date | None:
    """A free date read by dateparser (imported here: it takes a second to import)."""
    import dateparser

    base = datetime(today.year, today.month, today.day)
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base,
        "DATE_ORDER": "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    try:
        found = dateparser.parse(phrase, languages=["vi"], settings=settings)
    except (ValueError, OverflowError, TypeError, LookupError):
        return None
    if found is None:
        return None
    result = found.date()
    if result < today and not re.search(r"\d{4}", phrase):
        result = _add_months(result, 12) or result
    return result


def parse_reply(text: str, *, today: date) -> ParsedReply:
    """Read status, progress, requested date, task reference and note from a reply."""
    if not text or not text.strip():
        return ParsedReply()
    return _Reader(text, today).read()
