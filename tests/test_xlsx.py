"""The streaming .xlsx writer: what it writes, openpyxl reads back."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from core.xlsx import ALERT, BOLD, Workbook


def test_sheets_rows_styles_and_awkward_text_survive_a_round_trip():
    book = Workbook()
    first = book.sheet("Tổng hợp", widths=(30, 10))
    second = book.sheet("Quá hạn & <khác>")
    first.append(["Cơ quan", "Số"], BOLD)
    second.append(["a < b & c", None, 3, 2.5, "xuống\x01dòng", "  "], {2: ALERT})
    first.append(["Sở Nội vụ", 12])  # sheets are filled side by side
    buffer = io.BytesIO()
    book.save(buffer)
    loaded = load_workbook(io.BytesIO(buffer.getvalue()))
    assert loaded.sheetnames == ["Tổng hợp", "Quá hạn & <khác>"]
    assert list(loaded["Tổng hợp"].iter_rows(values_only=True)) == [
        ("Cơ quan", "Số"),
        ("Sở Nội vụ", 12),
    ]
    assert loaded["Tổng hợp"]["A1"].font.b and not loaded["Tổng hợp"]["A2"].font.b
    row = next(loaded["Quá hạn & <khác>"].iter_rows(values_only=True))
    assert row[:5] == ("a < b & c", None, 3, 2.5, "xuốngdòng")
    assert loaded["Quá hạn & <khác>"]["C1"].fill.fgColor.rgb == "FFFFCDD2"


def test_empty_rows_keep_their_place():
    book = Workbook()
    sheet = book.sheet("Trang")
    sheet.append(["a"])
    sheet.append([])
    sheet.append(["b", None, "c"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = list(load_workbook(io.BytesIO(buffer.getvalue()))["Trang"].iter_rows(values_only=True))
    assert [row[0] for row in rows] == ["a", None, "b"] and rows[2][2] == "c"
