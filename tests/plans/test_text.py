"""Reading .txt plans: encodings, NFC, markup, tab-separated tables."""

from __future__ import annotations

import unicodedata

import pytest

from core.text import join_wrapped
from plans.model import Table
from plans.text import read_text_file, strip_markup, text_to_document


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters, tone marks apart."""
    encoded = b""
    for char in text:
        try:
            encoded += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            for mark in list(marks):
                composed = unicodedata.normalize("NFC", base + mark)
                if len(composed) == 1 and composed.encode("cp1258", errors="ignore"):
                    base = composed
                    marks.remove(mark)
            encoded += (base + "".join(marks)).encode("cp1258")
    return encoded


TEXT = "KẾ HOẠCH\r\nGiao Sở Y tế chủ trì\r\n\r\nTT\tNội dung\n1\tTuyên truyền\n"


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1258"]
)
def test_encodings_give_the_same_document(tmp_path, encoding):
    path = tmp_path / "plan.txt"
    path.write_bytes(_cp1258(TEXT) if encoding == "cp1258" else TEXT.encode(encoding))
    document = read_text_file(path)
    assert document.source == "plan.txt"
    assert document.blocks[:2] == ["KẾ HOẠCH", "Giao Sở Y tế chủ trì"]
    assert document.blocks[2] == Table(rows=[["TT", "Nội dung"], ["1", "Tuyên truyền"]])


def test_decomposed_text_is_composed(tmp_path):
    path = tmp_path / "nfd.txt"
    path.write_text(unicodedata.normalize("NFD", "Đắk Lắk, ngày 21 tháng 01"), encoding="utf-8")
    (paragraph,) = read_text_file(path).blocks
    assert paragraph == "Đắk Lắk, ngày 21 tháng 01"
    assert unicodedata.is_normalized("NFC", paragraph)


@pytest.mark.parametrize(
    ("marked", "plain"),
    [
        ("Báo cáo <i>(nếu có)</i>", "Báo cáo (nếu có)"),
        ("**K/T TRƯỞNG BAN\nPHÓ TRƯỞNG BAN**", "K/T TRƯỞNG BAN\nPHÓ TRƯỞNG BAN"),
        ("PHỤ LỤC*(Kèm theo Kế hoạch)*", "PHỤ LỤC(Kèm theo Kế hoạch)"),
        ("Sở GD&amp;ĐT <b>chủ trì</b>", "Sở GD&ĐT chủ trì"),
        ("*\nSố 31-KH", "\nSố 31-KH"),
    ],
)
def test_markup_is_stripped(marked, plain):
    assert strip_markup(marked) == plain


def test_blank_lines_inside_a_tab_table_do_not_split_it_and_a_lone_tab_line_is_text():
    document = text_to_document("Số:\t12/KH\nKẾ HOẠCH\nTT\tNội dung\n\n1\tA\n\n2\tB\t\nKết thúc")
    assert document.blocks[0] == "Số: 12/KH"
    table = document.blocks[2]
    assert isinstance(table, Table)
    assert table.rows == [["TT", "Nội dung", ""], ["1", "A", ""], ["2", "B", ""]]
    assert document.blocks[3] == "Kết thúc"


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["Nghị quyết số 71-", "NQ/TW ngày 22/8/2025"], "Nghị quyết số 71-NQ/TW ngày 22/8/2025"),
        (["giai đoạn 2026 -", "2030"], "giai đoạn 2026 - 2030"),
        (["Sở Văn hóa, ", "  Thể thao và Du", "lịch"], "Sở Văn hóa, Thể thao và Du lịch"),
        (["", " "], ""),
        # A date or a document number wrapped at its slash ("Quý II/" + "2026") is one word.
        (["Quý II/", "2026"], "Quý II/2026"),
        (["Trước ngày 30/6/", "2026"], "Trước ngày 30/6/2026"),
        (["Kết luận số 57-KL/", "TW"], "Kết luận số 57-KL/TW"),
        (["theo định kỳ /", "đột xuất"], "theo định kỳ / đột xuất"),
    ],
)
def test_join_wrapped(lines, joined):
    assert join_wrapped(lines) == joined
