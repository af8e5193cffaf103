"""read_document on real .docx/.xlsx/.pdf/.csv files built in tmp_path, and on bad files."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest

from core.errors import UserError
from core.text import squash_spaces
from plans.extract import extract_plan
from plans.model import Document, Table
from plans.readers import (
    MAX_FILE_BYTES,
    MAX_PDF_PAGES,
    MAX_TEXT_CHARACTERS,
    MAX_UNPACKED_XML_BYTES,
    decode_text,
    read_document,
)
from tests.plans.builders import (
    MERGED_ABOVE,
    SEED001_HEADER,
    SEED001_SECTIONS,
    SEED001_TITLE,
    TASK_HEADER,
    build_csv,
    build_docx,
    build_encrypted_office,
    build_long_docx,
    build_pdf,
    build_text_pdf,
    build_xlsx,
    build_zip_bomb_docx,
    expected_tasks,
    font_path,
    seed001_table,
    seed003_table,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
TITLE = ["KẾ HOẠCH", "Triển khai Nghị quyết số 71-NQ/TW của Bộ Chính trị"]
LEAD = "Sở Văn hóa, Thể thao và Du lịch"
ROWS = [
    TASK_HEADER,
    ["I. TUYÊN TRUYỀN"],
    [
        "1",
        "Tuyên truyền Nghị quyết số 71-NQ/TW\nđến cán bộ, đảng viên và Nhân dân",
        LEAD,
        "Sở Giáo dục và Đào tạo;\nUBND các xã, phường",
        "Quý I/2026",
        "Kế hoạch",
    ],
    ["2", "Tổ chức hội nghị quán triệt", MERGED_ABOVE, "Các sở, ngành", "Tháng 5/2026", "Hội nghị"],
    TASK_HEADER,  # the header again, as a table copied from a paginated document has it
    ["II. ĐÀO TẠO"],
    [
        "1",
        "Bồi dưỡng năng lực số cho giáo viên",
        "Sở Giáo dục và Đào tạo",
        "",
        "Hằng năm",
        "Báo cáo",
    ],
]
# What every reader should make of ROWS: section rows as one cell then empties, the vertically
# merged lead repeated for the second task, the repeated header gone.
EXPECTED_ROWS = [
    TASK_HEADER,
    ["I. TUYÊN TRUYỀN", "", "", "", "", ""],
    ROWS[2],
    ["2", "Tổ chức hội nghị quán triệt", LEAD, "Các sở, ngành", "Tháng 5/2026", "Hội nghị"],
    ["II. ĐÀO TẠO", "", "", "", "", ""],
    ROWS[6],
]
TASK_FIELDS = ("ref", "content", "lead", "coordinators", "result", "deadline_text")


def tables(document: Document) -> list[Table]:
    """The tables of a document, in order."""
    return [block for block in document.blocks if isinstance(block, Table)]


def paragraphs(document: Document) -> list[str]:
    """The paragraphs of a document, in order."""
    return [block for block in document.blocks if isinstance(block, str)]


def squashed(rows: list[list[str]]) -> list[list[str]]:
    """Rows with each cell's whitespace collapsed: PDF cells wrap where the column ends."""
    return [[squash_spaces(cell) for cell in row] for row in rows]


def padded(rows: list[list[str]]) -> list[list[str]]:
    """Rows widened with empty cells to the table width, as the readers return them."""
    width = max(len(row) for row in rows)
    return [list(row) + [""] * (width - len(row)) for row in rows]


def all_text(document: Document) -> str:
    """Every paragraph and cell of a document, joined."""
    parts = list(paragraphs(document))
    parts += [cell for table in tables(document) for row in table.rows for cell in row]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ROWS written as .docx, .xlsx and .pdf once for the module."""
    folder = tmp_path_factory.mktemp("readers")
    build_docx(folder / "plan.docx", ROWS, title=TITLE, after=["Nơi nhận: như trên."])
    build_xlsx(
        folder / "plan.xlsx", ROWS, title=TITLE, hidden_sheet_rows=[["Danh mục cơ quan", "Sở Y tế"]]
    )
    pdf_rows = [[LEAD if cell == MERGED_ABOVE else cell for cell in row] for row in ROWS]
    build_pdf(folder / "plan.pdf", pdf_rows, title=TITLE)
    return folder


# --- .docx --------------------------------------------------------------------------------


def test_docx_keeps_document_order_merges_and_multiline_cells(built: Path) -> None:
    document = read_document(built / "plan.docx")
    assert document.source == "plan.docx"
    assert document.blocks[:2] == TITLE
    assert isinstance(document.blocks[2], Table)
    assert document.blocks[3] == "Nơi nhận: như trên."
    assert document.blocks[2].rows == EXPECTED_ROWS


def test_docx_text_comes_out_nfc(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh Đắk Lắk")
    build_docx(
        tmp_path / "nfd.docx", [["TT", "Cơ quan chủ trì"], ["1", decomposed]], title=[decomposed]
    )
    document = read_document(tmp_path / "nfd.docx")
    assert document.blocks[0] == "Ủy ban nhân dân tỉnh Đắk Lắk"
    assert tables(document)[0].rows[1] == ["1", "Ủy ban nhân dân tỉnh Đắk Lắk"]


def test_docx_nested_table_is_flattened_into_its_cell(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    table = word.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Nội dung", "Sản phẩm"
    table.cell(1, 0).text = "Xây dựng kế hoạch"
    cell = table.cell(1, 1)
    cell.paragraphs[0].text = "Gồm:"
    nested = cell.add_table(rows=2, cols=2)
    for row, (left, right) in enumerate([("Kế hoạch", "Quý I"), ("Báo cáo", "Quý IV")]):
        nested.cell(row, 0).text, nested.cell(row, 1).text = left, right
    word.save(str(tmp_path / "nested.docx"))
    rows = tables(read_document(tmp_path / "nested.docx"))[0].rows
    assert rows == [
        ["Nội dung", "Sản phẩm"],
        ["Xây dựng kế hoạch", "Gồm:\nKế hoạch; Quý I\nBáo cáo; Quý IV"],
    ]


# --- .xlsx --------------------------------------------------------------------------------


def test_xlsx_title_rows_become_paragraphs_and_merges_read_as_in_docx(built: Path) -> None:
    document = read_document(built / "plan.xlsx")
    # The hidden "Danh mục" sheet is not shown to the user, so nothing of it comes out.
    assert document.blocks == [*TITLE, Table(rows=EXPECTED_ROWS)]


def test_xlsx_numbers_and_dates_read_as_excel_shows_them(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["TT", "Nội dung", "Hạn", "Tiến độ", "Kinh phí (triệu đồng)"])
    sheet.append([1, "Xây dựng kế hoạch", date(2026, 3, 31), 0.25, 1.0])
    sheet.append([2.0, "Tổ chức hội nghị", datetime(2026, 5, 12, 8, 30), 1, 2.5])
    sheet["D2"].number_format = "0%"
    sheet["D3"].number_format = "0%"
    second = workbook.create_sheet("Quý II")
    second.append(["TT", "Nội dung"])
    second.append([3, "Báo cáo sơ kết"])
    workbook.save(str(tmp_path / "numbers.xlsx"))
    document = read_document(tmp_path / "numbers.xlsx")
    assert [table.rows for table in tables(document)] == [
        [
            ["TT", "Nội dung", "Hạn", "Tiến độ", "Kinh phí (triệu đồng)"],
            ["1", "Xây dựng kế hoạch", "31/03/2026", "25%", "1"],
            ["2", "Tổ chức hội nghị", "12/05/2026 08:30", "100%", "2.5"],
        ],
        [["TT", "Nội dung"], ["3", "Báo cáo sơ kết"]],
    ]


def test_xlsx_with_a_wrong_used_range_is_read_whole(tmp_path: Path) -> None:
    build_xlsx(tmp_path / "plan.xlsx", [["TT", "Nội dung"], ["1", "Việc một"], ["2", "Việc hai"]])
    # Some exporters write <dimension ref="A1"/> whatever the sheet holds.
    import zipfile

    source = zipfile.ZipFile(tmp_path / "plan.xlsx")
    with zipfile.ZipFile(tmp_path / "dimension.xlsx", "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b'<dimension ref="A1:B5"/>', b'<dimension ref="A1"/>')
            target.writestr(item, data)
    assert tables(read_document(tmp_path / "dimension.xlsx"))[0].rows[-1] == ["2", "Việc hai"]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_task_drawn_two_rows_tall_is_one_row(tmp_path: Path, fmt: str) -> None:
    rows = [
        ["TT", "Nội dung", "Chủ trì"],
        ["1", "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp"],
        [MERGED_ABOVE, MERGED_ABOVE, MERGED_ABOVE],
        ["2", "Báo cáo sơ kết", MERGED_ABOVE],
    ]
    builder = build_docx if fmt == "docx" else build_xlsx
    document = read_document(builder(tmp_path / f"tall.{fmt}", rows))
    assert tables(document)[0].rows == [
        ["TT", "Nội dung", "Chủ trì"],
        ["1", "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp"],
        ["2", "Báo cáo sơ kết", "Sở Tư pháp"],
    ]


# --- .pdf ---------------------------------------------------------------------------------


def test_pdf_ruled_table_and_text_around_it(built: Path) -> None:
    document = read_document(built / "plan.pdf")
    assert paragraphs(document)[:2] == TITLE
    (table,) = tables(document)
    assert squashed(table.rows) == squashed(EXPECTED_ROWS)
    assert "\n" in table.rows[2][1]  # a cell's lines stay lines


def test_pdf_table_over_several_pages_is_one_table_without_repeated_headers(
    seeds_dir: Path, tmp_path: Path
) -> None:
    title, rows = seed001_table(seeds_dir)
    build_pdf(tmp_path / "001.pdf", rows, title=title)
    import pdfplumber

    with pdfplumber.open(tmp_path / "001.pdf") as pdf:
        assert len(pdf.pages) > 2  # the table really does run over page breaks
    document = read_document(tmp_path / "001.pdf")
    assert paragraphs(document) == title
    (table,) = tables(document)
    assert squashed(table.rows) == padded(rows)


def test_pdf_without_ruled_tables_gives_its_lines(tmp_path: Path) -> None:
    lines = [
        "I. Nâng cao nhận thức, đổi mới tư duy",
        "1",
        "Tuyên truyền về nội dung Nghị quyết số 71-",
        "NQ/TW ngày 22/8/2025 của Bộ Chính trị",
        "Sở Văn hóa, Thể thao và Du lịch",
    ]
    build_text_pdf(tmp_path / "flat.pdf", lines)
    document = read_document(tmp_path / "flat.pdf")
    assert document.blocks == lines
    assert all(unicodedata.is_normalized("NFC", line) for line in paragraphs(document))


def test_pdf_locked_only_against_editing_is_read(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("Noto", fname=str(font_path()))
    pdf.set_font("Noto", size=11)
    # An owner password alone restricts editing and printing; anyone may open the file.
    pdf.set_encryption(owner_password="chi-chu-so-huu")
    pdf.add_page()
    pdf.multi_cell(0, 6, "Giao Sở Y tế chủ trì, báo cáo UBND tỉnh trước ngày 07/02/2026.")
    pdf.output(str(tmp_path / "owner.pdf"))
    document = read_document(tmp_path / "owner.pdf")
    assert document.blocks == ["Giao Sở Y tế chủ trì, báo cáo UBND tỉnh trước ngày 07/02/2026."]


def test_pdf_library_warnings_do_not_reach_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    build_pdf(tmp_path / "plan.pdf", [["TT", "Nội dung"], ["1", "Việc một"]])
    data = (tmp_path / "plan.pdf").read_bytes()
    # A font bounding box pdfminer cannot parse: it logs a warning for every page.
    start = data.index(b"/FontBBox [") + len(b"/FontBBox [")
    end = data.index(b" ", start)
    (tmp_path / "noisy.pdf").write_bytes(
        data[:start] + b"/" + b"x" * (end - start - 1) + data[end:]
    )
    caplog.set_level(logging.DEBUG)
    document = read_document(tmp_path / "noisy.pdf")
    assert tables(document)[0].rows == [["TT", "Nội dung"], ["1", "Việc một"]]
    assert [record for record in caplog.records if record.name.startswith("pdfminer")] == []


# --- .csv / .tsv ---------------------------------------------------------------------------

CSV_ROWS = [
    ["KẾ HOẠCH TUYÊN TRUYỀN NĂM 2026"],
    ["TT", "Nội dung", "Đơn vị chủ trì", "Thời gian thực hiện"],
    [
        "1",
        "Định hướng công tác tuyên truyền, báo chí",
        "Phòng Tuyên truyền, Báo chí – Xuất bản",
        "Hàng năm",
    ],
    [
        "2",
        "Nắm tình hình tư tưởng; dư luận xã hội",
        "Ủy ban nhân dân các xã, phường",
        "Thường xuyên",
    ],
]


@pytest.mark.parametrize(
    ("name", "delimiter", "encoding"),
    [
        ("comma.csv", ",", "utf-8"),
        ("excel-vi.csv", ";", "utf-8-sig"),
        ("tabs.csv", "\t", "utf-8"),
        ("unicode.tsv", "\t", "utf-16"),
        ("ansi.csv", ",", "cp1258"),
    ],
)
def test_csv_delimiter_and_encoding_are_recognised(
    tmp_path: Path, name: str, delimiter: str, encoding: str
) -> None:
    build_csv(tmp_path / name, CSV_ROWS, delimiter=delimiter, encoding=encoding)
    document = read_document(tmp_path / name)
    assert document.blocks == [CSV_ROWS[0][0], Table(rows=CSV_ROWS[1:])]


def test_decode_text_recomposes_windows_1258_tones() -> None:
    from tests.plans.builders import to_cp1258

    assert decode_text(to_cp1258("Thường xuyên\r\nHằng năm")) == "Thường xuyên\nHằng năm"


# --- text and format sniffing ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["plan.txt", "plan.md"])
def test_text_files_are_read_as_text(tmp_path: Path, name: str) -> None:
    text = unicodedata.normalize(
        "NFD", "KẾ HOẠCH\n\nGiao Sở Y tế chủ trì, báo cáo trước ngày 07/02/2026.\n"
    )
    (tmp_path / name).write_text(text, encoding="utf-8")
    document = read_document(tmp_path / name)
    assert "Giao Sở Y tế chủ trì, báo cáo trước ngày 07/02/2026." in all_text(document)


def test_content_decides_the_format_not_the_name(built: Path, tmp_path: Path) -> None:
    shutil.copy(built / "plan.docx", tmp_path / "ke-hoach")  # a name that lost its extension
    shutil.copy(built / "plan.xlsx", tmp_path / "bang.docx")  # a workbook named like a document
    assert tables(read_document(tmp_path / "ke-hoach"))[0].rows == EXPECTED_ROWS
    assert tables(read_document(tmp_path / "bang.docx"))[0].rows == EXPECTED_ROWS


def test_readers_do_not_import_office_libraries_until_used() -> None:
    code = (
        "import sys, plans.readers; "
        "print(sorted(m for m in ('docx', 'openpyxl', 'pdfplumber', 'pdfminer') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# --- the same tasks as the text version ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf"])
def test_office_versions_of_seed_003_extract_to_its_tasks(
    seeds_dir: Path, tmp_path: Path, fmt: str
) -> None:
    title, rows = seed003_table(seeds_dir)  # the seed's own table text
    builder = {"docx": build_docx, "xlsx": build_xlsx, "pdf": build_pdf}[fmt]
    path = builder(tmp_path / f"003.{fmt}", rows, title=title)
    plan = extract_plan(read_document(path))
    got = [{field: getattr(task, field) for field in TASK_FIELDS} for task in plan.tasks]
    want = [
        {field: task[field] for field in TASK_FIELDS} for task in expected_tasks(seeds_dir, "003")
    ]
    assert got == want


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf"])
def test_office_versions_of_seed_001_as_printed_extract_to_its_tasks(
    seeds_dir: Path, tmp_path: Path, fmt: str
) -> None:
    # Cells typed from the seed's text with their printed line breaks; the expected tasks come
    # from the seed's JSON alone.
    builder = {"docx": build_docx, "xlsx": build_xlsx, "pdf": build_pdf}[fmt]
    rows = [SEED001_HEADER, *SEED001_SECTIONS]
    path = builder(tmp_path / f"001.{fmt}", rows, title=SEED001_TITLE)
    plan = extract_plan(read_document(path))
    got = [{field: getattr(task, field) for field in TASK_FIELDS} for task in plan.tasks]
    want = [
        {field: task[field] for field in TASK_FIELDS}
        for task in expected_tasks(seeds_dir, "001")
        if task["ref"] in ("I.1", "I.2", "I.3", "I.4", "II.1")
    ]
    assert len(want) == 5 and got == want


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf"])
def test_seed_appendix_cells_survive_each_format(seeds_dir: Path, tmp_path: Path, fmt: str) -> None:
    title, rows = seed003_table(seeds_dir)
    builder = {"docx": build_docx, "xlsx": build_xlsx, "pdf": build_pdf}[fmt]
    document = read_document(builder(tmp_path / f"003.{fmt}", rows, title=title))
    assert paragraphs(document) == title
    (table,) = tables(document)
    assert squashed(table.rows) == padded(rows)
    assert all(unicodedata.is_normalized("NFC", cell) for row in table.rows for cell in row)


# --- bad input ---------------------------------------------------------------------------------


def _truncated(source: Path, target: Path) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


def _sparse(path: Path) -> Path:
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # no blocks written: costs no time or disk
    return path


def _legacy_doc(path: Path) -> Path:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    return path


def _odt(path: Path) -> Path:
    """A LibreOffice document: a zip archive, but not Office Open XML."""
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return path


def _no_text_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 150, style="F")  # what a scanned page is to a text reader: no characters
    pdf.output(str(path))
    return path


GARBAGE = bytes((index * 7919 + 13) % 256 for index in range(4096))


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda d, b: _write(d / "empty.docx", b""), "Tệp trống"),
        (lambda d, b: _write(d / "garbage.txt", GARBAGE), "không phải văn bản"),
        (lambda d, b: _write(d / "garbage.csv", GARBAGE), "không phải văn bản"),
        (lambda d, b: _write(d / "garbage.docx", GARBAGE), "Tệp .docx bị hỏng"),
        (lambda d, b: _write(d / "garbage.pdf", GARBAGE), "Tệp .pdf bị hỏng"),
        (lambda d, b: _truncated(b / "plan.docx", d / "truncated.docx"), "Tệp .docx bị hỏng"),
        (lambda d, b: _truncated(b / "plan.xlsx", d / "truncated.xlsx"), "Tệp .xlsx bị hỏng"),
        (lambda d, b: _truncated(b / "plan.pdf", d / "truncated.pdf"), "Tệp .pdf bị hỏng"),
        (
            lambda d, b: build_pdf(d / "locked.pdf", [["TT", "Nội dung"]], password="bimat"),
            "tệp có mật khẩu",
        ),
        (lambda d, b: build_encrypted_office(d / "locked.docx"), "tệp có mật khẩu"),
        (lambda d, b: _legacy_doc(d / "old.doc"), "lưu lại thành .docx"),
        (lambda d, b: _sparse(d / "huge.pdf"), "vượt giới hạn 50 MB"),
        (lambda d, b: _odt(d / "plan.odt"), "Các định dạng được hỗ trợ"),
        (
            lambda d, b: _write(d / "photo.jpg", b"\xff\xd8\xff\xe0" + GARBAGE),
            ".txt, .docx, .xlsx, .pdf, .csv, .tsv",
        ),
        (lambda d, b: _no_text_pdf(d / "scan.pdf"), "bản scan"),
        (lambda d, b: d / "missing.docx", "Không tìm thấy tệp"),
    ],
    ids=[
        "empty",
        "garbage-txt",
        "garbage-csv",
        "garbage-docx",
        "garbage-pdf",
        "truncated-docx",
        "truncated-xlsx",
        "truncated-pdf",
        "password-pdf",
        "encrypted-docx",
        "legacy-doc",
        "over-50mb",
        "zip-not-office",
        "unknown-extension",
        "scanned-pdf",
        "missing",
    ],
)
def test_bad_files_raise_a_vietnamese_user_error(
    tmp_path: Path, built: Path, make, fragment: str
) -> None:
    path = make(tmp_path, built)
    with pytest.raises(UserError) as error:
        read_document(path)
    assert fragment in error.value.message


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_over_limit_file_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _sparse(tmp_path / "huge.xlsx")
    opened: list[str] = []
    real_open = Path.open

    def spy(self: Path, *args, **kwargs):
        opened.append(self.name)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    with pytest.raises(UserError):
        read_document(path)
    assert opened == []
    assert os.path.getsize(path) > MAX_FILE_BYTES


# --- limits on the work one file may cause ----------------------------------------------------


def _spy_on_unpacking(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the zip parts anything opens from now on."""
    import zipfile

    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return opened


def test_a_zip_bomb_docx_is_refused_before_any_part_is_unpacked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = build_zip_bomb_docx(tmp_path / "ke-hoach.docx")
    assert path.stat().st_size < 600 * 1024
    opened = _spy_on_unpacking(monkeypatch)
    with pytest.raises(UserError) as error:
        read_document(path)
    assert "nén theo cách bất thường" in error.value.message
    assert "lưu lại rồi gửi lại" in error.value.message
    assert opened == []


def test_a_package_whose_xml_unpacks_over_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An ordinary compression ratio, just too much XML to parse.
    path = build_long_docx(tmp_path / "ke-hoach.docx", MAX_UNPACKED_XML_BYTES + 1024 * 1024)
    opened = _spy_on_unpacking(monkeypatch)
    with pytest.raises(UserError) as error:
        read_document(path)
    assert f"vượt giới hạn {MAX_UNPACKED_XML_BYTES // 1024 // 1024} MB" in error.value.message
    assert "tách kế hoạch thành nhiều tệp" in error.value.message
    assert opened == []


def test_a_long_docx_within_the_limits_is_read(tmp_path: Path) -> None:
    path = build_long_docx(tmp_path / "ke-hoach.docx", 2 * 1024 * 1024)
    blocks = read_document(path).blocks
    assert blocks[:2] == ["Nhiệm vụ 0: rà soát thủ tục", "Nhiệm vụ 1: rà soát thủ tục"]
    assert len(blocks) >= 30000


@pytest.mark.parametrize("name", ["ke-hoach.txt", "ke-hoach.csv"])
def test_a_19_mb_text_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(("1,Rà soát thủ tục,Sở Nội vụ,Quý I/2026\n" * 450_000).encode()[: 19 << 20])
    read: list[str] = []
    real_read_bytes = Path.read_bytes

    def spy(self: Path) -> bytes:
        read.append(self.name)
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    with pytest.raises(UserError) as error:
        read_document(path)
    assert "quá dài cho một kế hoạch" in error.value.message
    assert "1.500.000 ký tự (khoảng 500 trang)" in error.value.message
    assert read == []


def test_text_is_limited_in_characters_whatever_its_encoding(tmp_path: Path) -> None:
    line = "Rà soát thủ tục hành chính\n"
    at_limit = line * (MAX_TEXT_CHARACTERS // len(line))
    over = at_limit + line * 2
    # UTF-16 takes two bytes a character: the limit counts characters, not bytes.
    (tmp_path / "dung.txt").write_text(at_limit, encoding="utf-16")
    (tmp_path / "dai.txt").write_text(over, encoding="utf-8")
    assert len(read_document(tmp_path / "dung.txt").blocks) == MAX_TEXT_CHARACTERS // len(line)
    with pytest.raises(UserError, match="quá dài cho một kế hoạch"):
        read_document(tmp_path / "dai.txt")


def _pdf_of_pages(path: Path, pages: int) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(text=f"Trang {number}")
    pdf.output(str(path))
    return path


def test_a_pdf_over_the_page_limit_is_refused_from_its_page_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pdfplumber.page

    path = _pdf_of_pages(tmp_path / "ke-hoach.pdf", MAX_PDF_PAGES + 1)
    parsed: list[int] = []
    real_chars = pdfplumber.page.Page.chars

    monkeypatch.setattr(
        pdfplumber.page.Page,
        "chars",
        property(lambda page: parsed.append(page.page_number) or real_chars.fget(page)),
    )
    with pytest.raises(UserError) as error:
        read_document(path)
    assert f"có {MAX_PDF_PAGES + 1} trang" in error.value.message
    assert "gửi tệp Word (.docx)" in error.value.message
    assert parsed == []


def test_pdf_text_counts_against_the_text_limit_page_by_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import plans.readers

    path = _pdf_of_pages(tmp_path / "ke-hoach.pdf", 3)
    assert paragraphs(read_document(path)) == ["Trang 1", "Trang 2", "Trang 3"]
    # Two pages of "Trang N" are 12 characters without spaces: a limit of 10 stops at page 2.
    monkeypatch.setattr(plans.readers, "MAX_TEXT_CHARACTERS", 10)
    with pytest.raises(UserError, match="quá dài cho một kế hoạch"):
        read_document(path)
