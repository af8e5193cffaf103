"""The streaming .xlsx writer: what it writes, openpyxl reads back."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from enum import StrEnum

import pytest
from openpyxl import load_workbook

from core.xlsx import ALERT, BOLD, Workbook


def test_sheets_rows_styles_and_awkward_text_survive_a_round_trip():
    book = Workbook()
    first = book.sheet("Tổng hợp", widths=(30, 10))
    second = book.sheet("Quá hạn & <khác>")
    first.append(["Cơ quan", "Số"], BOLD)
    second.append(["a < b & c", None, 3, 2.5, "xuống\x01dòng", "  ", "nul\x00l"], {2: ALERT})
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
    assert row[:5] == ("a < b & c", None, 3, 2.5, "xuốngdòng") and row[6] == "null"
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


def test_dates_are_date_cells_and_a_header_row_is_frozen_with_filters():
    book = Workbook()
    sheet = book.sheet("Nhiệm vụ 'A'", widths=(10, 10, 10), header_row=True)
    sheet.append(["Hạn", "Lúc", "Số"], BOLD)
    sheet.append([date(2026, 3, 15), datetime(2026, 6, 1, 9, 30), 7])
    sheet.append([None, datetime(1900, 3, 1, 23, 59), None])
    plain = book.sheet("Khác")
    plain.append([date(2026, 1, 2)])
    buffer = io.BytesIO()
    book.save(buffer)
    loaded = load_workbook(io.BytesIO(buffer.getvalue()))
    tasks = loaded["Nhiệm vụ 'A'"]
    assert tasks["A2"].value == datetime(2026, 3, 15) and tasks["A2"].number_format == "dd/mm/yyyy"
    assert tasks["B2"].value == datetime(2026, 6, 1, 9, 30)
    assert tasks["B2"].number_format == "dd/mm/yyyy hh:mm"
    assert tasks["B3"].value == datetime(1900, 3, 1, 23, 59)
    assert tasks.freeze_panes == "A2" and tasks.auto_filter.ref == "A1:C3"
    assert loaded["Khác"].freeze_panes is None and not loaded["Khác"].auto_filter.ref
    assert loaded["Khác"]["A1"].value == datetime(2026, 1, 2)


def test_an_aware_moment_is_refused_rather_than_shifted():
    sheet = Workbook().sheet("Trang")
    with pytest.raises(ValueError):
        sheet.append([datetime(2026, 6, 1, 2, 0, tzinfo=UTC)])


def test_texts_of_a_str_subclass_are_written_as_texts():
    class Channel(StrEnum):
        ZALO = "zalo"

    book = Workbook()
    book.sheet("Trang").append([Channel.ZALO, "x"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert load_workbook(io.BytesIO(buffer.getvalue()))["Trang"]["A1"].value == "zalo"
