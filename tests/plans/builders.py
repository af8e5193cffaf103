"""Build real .docx/.xlsx/.pdf/.csv files from rows of cells, for reader tests and benchmarks.

A row with a single cell is a section row ("I. TUYÊN TRUYỀN") merged across all columns.
A cell equal to MERGED_ABOVE is merged vertically with the cell above it (.docx and .xlsx).
A cell may hold newlines: separate paragraphs in .docx, line breaks in .xlsx and .pdf.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import struct
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

MERGED_ABOVE = "\x00merged-above"
TASK_HEADER = [
    "TT",
    "Nội dung nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian hoàn thành",
    "Sản phẩm",
]
_ROMAN = re.compile(r"^(?P<num>[IVX]+)\.\s+(?P<title>.+)$")
_MARKUP = re.compile(r"</?[a-zA-Z]+>|\*+")

Row = Sequence[Any]


# --- seed tables ----------------------------------------------------------------------------


def _seed_file(seeds_dir: Path, prefix: str, suffix: str) -> Path:
    folder = seeds_dir / "expected" if suffix == ".json" else seeds_dir
    return next(folder.glob(f"{prefix}_*{suffix}"))


def expected_tasks(seeds_dir: Path, prefix: str) -> list[dict[str, Any]]:
    """The expected task objects of a seed (e.g. prefix "003")."""
    return json.loads(_seed_file(seeds_dir, prefix, ".json").read_text(encoding="utf-8"))["tasks"]


def seed003_table(seeds_dir: Path) -> tuple[list[str], list[list[str]]]:
    """Title lines and rows (header first) of seed 003's tab-separated appendix, markup removed."""
    lines = _seed_file(seeds_dir, "003", ".txt").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("TT\t"))
    title_line = next(line for line in reversed(lines[:start]) if line.strip())
    title_text = _MARKUP.sub("", title_line)
    head, _, rest = title_text.partition("(")
    title = [head.strip(), f"({rest.strip()}"] if rest else [head.strip()]
    rows = [
        [_MARKUP.sub("", cell).strip() for cell in line.split("\t")]
        for line in lines[start:]
        if line.strip()
    ]
    return title, rows


def seed001_table(seeds_dir: Path) -> tuple[list[str], list[list[str]]]:
    """Title lines and rows of seed 001's task table, rebuilt from its expected JSON.

    Columns are TASK_HEADER; each Roman section ("I. Nâng cao nhận thức…") is a one-cell row,
    its title taken from the seed text; several agencies in a cell are joined with "; ".
    """
    text_lines = [
        " ".join(line.split())
        for line in _seed_file(seeds_dir, "001", ".txt").read_text(encoding="utf-8").splitlines()
    ]
    text_lines = [line for line in text_lines if line]
    titles: dict[str, str] = {}
    for index, line in enumerate(text_lines):
        match = _ROMAN.match(line)
        if match:
            title = line
            following = text_lines[index + 1] if index + 1 < len(text_lines) else ""
            if following[:1].islower():  # the heading wrapped onto a second line
                title = f"{title} {following}"
            titles.setdefault(match["num"], title)
    rows: list[list[str]] = [list(TASK_HEADER)]
    section = None
    for task in expected_tasks(seeds_dir, "001"):
        roman, number = task["ref"].split(".")
        if roman != section:
            section = roman
            rows.append([titles.get(roman, f"{roman}. Nhiệm vụ")])
        rows.append(
            [
                number,
                task["content"],
                "; ".join(task["lead"]),
                "; ".join(task["coordinators"]),
                task["deadline_text"],
                task["result"],
            ]
        )
    return text_lines[:3], rows


# Seed 001's first section and the start of its second, as its PDF prints them, typed from the seed's text (not its expected
# JSON): each cell holds the lines printed in it, so a reader and the extractor must join them
# ("71-" + "NQ/TW", "Sở Văn hóa," + "Thể thao và Du" + "lịch") to match the expected tasks.
SEED001_TITLE = [
    "Phụ lục II",
    "CÁC NHIỆM VỤ TRỌNG TÂM",
    "(Kèm theo Kế hoạch số -KH/UBND ngày / /2026 của UBND tỉnh Đắk Lắk)",
]
SEED001_HEADER = [
    "TT",
    "Nội dung nhiệm vụ",
    "Cơ quan chủ\ntrì",
    "Cơ quan phối hợp",
    "Kết quả",
    "Thời gian\nhoàn thành",
]
SEED001_SECTIONS = [
    ["I. Nâng cao nhận thức, đổi mới tư duy và hành động, xác định quyết tâm chính trị mạnh mẽ"],
    [
        "1",
        "Tuyên truyền về nội dung Nghị quyết số 71-\nNQ/TW ngày 22/8/2025 của Bộ Chính trị và\nChương trình hành động số 04-CTr/TU ngày\n10/12/2025 của Ban Thường vụ Tỉnh ủy và các\nvăn bản chỉ đạo của Trung ương, Tỉnh ủy có\nliên quan nhằm nâng cao nhận thức, thống nhất\ntrong hành động của toàn hệ thống chính trị và\nquần chúng nhân dân trên địa bàn tỉnh trong\nđột phá phát triển giáo dục và đào tạo",
        "Sở Văn hóa,\nThể thao và Du\nlịch",
        "Sở, ngành, các xã,\nphường và cơ quan,\nđơn vị liên quan",
        "Các kế hoạch,\ncông văn, văn\nbản chỉ đạo của\nSở, ngành và các\nxã, phường",
        "Thường\nxuyên",
    ],
    [
        "2",
        "Xây dựng kế hoạch cụ thể để triển khai thực\nhiện hiệu quả Nghị quyết số 71-NQ/TW ngày\n22/8/2025 của Bộ Chính trị và Chương trình\nhành động số 04-CTr/TU ngày 10/12/2025 của\nBan Thường vụ Tỉnh ủy và các văn bản chỉ đạo\ncủa Trung ương, Tỉnh ủy có liên quan phù hợp\nvới tình hình thực tế của từng địa phương, cơ\nquan, đơn vị",
        "Sở, ngành, các\nxã, phường và\ncơ quan, đơn vị\nliên quan",
        "",
        "Kế hoạch",
        "Quý I/2026",
    ],
    [
        "3",
        "Thực hiện kiểm tra, giám sát việc thực hiện các\nchỉ tiêu, nhiệm vụ giáo dục và đào tạo; xử lý\nnghiêm các trường hợp thiếu trách nhiệm,\nbuông lỏng quản lý hoặc để xảy ra tiêu cực, sai\nphạm",
        "Thanh tra tỉnh",
        "Sở, ngành, các xã,\nphường và cơ quan,\nđơn vị liên quan",
        "Chương trình,\nKế hoạch",
        "Hằng năm",
    ],
    [
        "4",
        "Tổ chức quán triệt, truyền thông, phổ biến\nNghị quyết số 248/2025/QH15 ngày 10/12/2025\ncủa Quốc hội về một số cơ chế, chính sách đặc\nthù, vượt trội để thực hiện đột phá phát triển\ngiáo dục và đào tạo và văn bản hướng dẫn thi\nhành tại địa phương trong năm 2026",
        "Sở Văn hóa,\nThể thao và Du\nlịch",
        "Sở Giáo dục và Đào\ntạo và các Sở, ngành,\ncác xã, phường và cơ\nquan, đơn vị liên\nquan",
        "Công văn, kế\nhoạch, hội nghị,\ntọa đàm, báo chí\ncủa Sở, ngành\nvà các xã,\nphường",
        "Thường\nxuyên",
    ],
    ["II. Xây dựng cơ chế, chính sách đặc thù, vượt trội cho phát triển giáo dục và đào tạo"],
    [
        "1",
        "Xây dựng chính sách khuyến khích đầu tư cho\ngiáo dục và đào tạo",
        "Sở Giáo dục và\nĐào tạo",
        "Sở, ngành, các xã,\nphường và cơ quan,\nđơn vị liên quan",
        "Nghị quyết của\nHĐND",
        "Năm 2026",
    ],
]


# --- .docx ----------------------------------------------------------------------------------


def build_docx(
    path: Path,
    rows: Sequence[Row],
    *,
    title: Sequence[str] = (),
    after: Sequence[str] = (),
    header_rows: int = 1,
) -> Path:
    """Write a .docx: title paragraphs, one bordered table (header rows repeat on each page)."""
    import docx
    from docx.oxml import OxmlElement

    document = docx.Document()
    for line in title:
        document.add_paragraph(line)
    width = max(len(row) for row in rows)
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    for index, row in enumerate(rows):
        docx_row = table.add_row()
        cells = docx_row.cells
        if index < header_rows:
            docx_row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        if len(row) == 1:
            _docx_set_text(cells[0].merge(cells[-1]), str(row[0]))
            continue
        for column, value in enumerate(row):
            if value == MERGED_ABOVE:
                above = table.rows[index - 1].cells[column]
                above.merge(cells[column])
            else:
                _docx_set_text(cells[column], str(value))
    for line in after:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def _docx_set_text(cell: Any, text: str) -> None:
    """Each line of text becomes a paragraph of its own in the cell."""
    first, *others = text.split("\n")
    cell.paragraphs[0].text = first
    for line in others:
        cell.add_paragraph(line)


# --- .xlsx ----------------------------------------------------------------------------------


def build_xlsx(
    path: Path,
    rows: Sequence[Row],
    *,
    title: Sequence[str] = (),
    sheet: str = "Nhiệm vụ",
    hidden_sheet_rows: Sequence[Row] = (),
) -> Path:
    """Write a .xlsx: title rows merged across the table width above the header, then the rows."""
    import openpyxl
    from openpyxl.styles import Alignment

    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    width = max(len(row) for row in rows)
    wrap = Alignment(wrap_text=True, vertical="top")
    row_number = 0
    for line in title:
        row_number += 1
        worksheet.cell(row=row_number, column=1, value=line)
        worksheet.merge_cells(
            start_row=row_number, start_column=1, end_row=row_number, end_column=width
        )
    row_number += 1  # a blank row between the title and the table, as offices do
    last_value_row: dict[int, int] = {}
    vertical: dict[tuple[int, int], int] = {}  # (top row, column) -> bottom row
    for row in rows:
        row_number += 1
        if len(row) == 1:
            worksheet.cell(row=row_number, column=1, value=row[0])
            worksheet.merge_cells(
                start_row=row_number, start_column=1, end_row=row_number, end_column=width
            )
            continue
        for column, value in enumerate(row, start=1):
            if value == MERGED_ABOVE:
                vertical[(last_value_row[column], column)] = row_number
                continue
            last_value_row[column] = row_number
            cell = worksheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str) and "\n" in value:
                cell.alignment = wrap
    for (top, column), bottom in vertical.items():
        worksheet.merge_cells(start_row=top, start_column=column, end_row=bottom, end_column=column)
    if hidden_sheet_rows:
        hidden = workbook.create_sheet("Danh mục")
        for row in hidden_sheet_rows:
            hidden.append(list(row))
        hidden.sheet_state = "hidden"
    workbook.save(str(path))
    return path


# --- .pdf -----------------------------------------------------------------------------------


def font_path() -> Path:
    """Noto Sans from the fontpkg-noto-sans wheel: a TTF with every Vietnamese glyph."""
    from fontpkg_noto_sans import ROOT

    return ROOT / "files" / "NotoSans[wdth,wght].ttf"


def _new_pdf(password: str | None) -> Any:
    from fpdf import FPDF

    pdf = FPDF(format="A4", orientation="landscape")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("Noto", fname=str(font_path()))
    pdf.set_font("Noto", size=9)
    if password is not None:
        pdf.set_encryption(owner_password=password + "-owner", user_password=password)
    return pdf


def build_pdf(
    path: Path,
    rows: Sequence[Row],
    *,
    title: Sequence[str] = (),
    col_widths: Sequence[float] | None = None,
    password: str | None = None,
) -> Path:
    """Write a .pdf: title lines, then a ruled table whose header row repeats on every page."""
    from fpdf.fonts import FontFace

    pdf = _new_pdf(password)
    pdf.add_page()
    for line in title:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(4)
    width = max(len(row) for row in rows)
    if col_widths is None and width == len(TASK_HEADER):
        col_widths = (8, 90, 40, 45, 30, 45)
    # Regular weight for the header: a bold instance of the variable font takes seconds to make.
    with pdf.table(
        col_widths=col_widths,
        headings_style=FontFace(emphasis=""),
        line_height=5,
        text_align="LEFT",
    ) as table:
        for row in rows:
            pdf_row = table.row()
            if len(row) == 1:
                pdf_row.cell(str(row[0]), colspan=width)
            else:
                for value in row:
                    pdf_row.cell(str(value))
    pdf.output(str(path))
    return path


def build_text_pdf(path: Path, lines: Sequence[str], *, password: str | None = None) -> Path:
    """Write a .pdf of plain text lines, no table."""
    pdf = _new_pdf(password)
    pdf.add_page()
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


# --- .csv -----------------------------------------------------------------------------------


def build_csv(
    path: Path, rows: Sequence[Row], *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    """Write rows as CSV/TSV in the given encoding ("cp1258" stores tones as combining marks)."""
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([str(value) for value in row])
    text = buffer.getvalue()
    data = to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    path.write_bytes(data)
    return path


_CP1258_MARKS = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn: precomposed in cp1258


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese text the way Windows-1258 does: base letters precomposed, tones combining."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize(
            "NFC",
            "".join(c for c in decomposed if not unicodedata.combining(c) or c in _CP1258_MARKS),
        )
        tones = "".join(
            c for c in decomposed if unicodedata.combining(c) and c not in _CP1258_MARKS
        )
        out += (base + tones).encode("cp1258")
    return bytes(out)


# --- an encrypted Office file ---------------------------------------------------------------


def build_encrypted_office(path: Path) -> Path:
    """Write a minimal OLE2 (CFB) container with EncryptionInfo and EncryptedPackage streams.

    That is the shape of a password-protected .docx/.xlsx; the stream contents are filler.
    """
    sector = 512
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    stream_sectors = 8  # 4096 bytes each: at the mini-stream cutoff, so in regular sectors
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 0x1000, end, 0, end, 0)
    struct.pack_into("<I", header, 76, 0)  # DIFAT[0]: the FAT is sector 0
    for index in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * index, free)
    fat = [fat_sector, end]
    for first in (2, 2 + stream_sectors):
        fat.extend(range(first + 1, first + stream_sectors))
        fat.append(end)
    fat.extend([free] * (sector // 4 - len(fat)))
    directory = b"".join(
        [
            _cfb_entry("Root Entry", 5, child=1, start=end, size=0),
            _cfb_entry("EncryptionInfo", 2, right=2, start=2, size=4096),
            _cfb_entry("EncryptedPackage", 2, start=2 + stream_sectors, size=4096),
            _cfb_entry("", 0, start=0, size=0),
        ]
    )
    streams = bytes(range(256)) * 32
    path.write_bytes(bytes(header) + struct.pack(f"<{len(fat)}I", *fat) + directory + streams)
    return path


def _cfb_entry(
    name: str, kind: int, *, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF, start: int, size: int
) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le") if name else b""
    entry = bytearray(128)
    entry[0 : len(encoded)] = encoded
    struct.pack_into("<HBB", entry, 64, len(encoded), kind, 1)
    struct.pack_into("<III", entry, 68, 0xFFFFFFFF, right, child)
    struct.pack_into("<IQ", entry, 116, start, size)
    return bytes(entry)


# --- zip bombs and oversized packages -------------------------------------------------------


def build_zip_bomb_docx(path: Path, packed_bytes: int = 400 * 1024) -> Path:
    """A valid .docx of paragraphs that each repeat one letter a million times, until the file is
    about `packed_bytes` long: they deflate ~230 times, so 400 KB unpack to about 100 MB (the
    shape of the upload that froze the bot for 43 s)."""
    chunk = b"<w:p><w:r><w:t>" + b"a" * 1_000_000 + b"</w:t></w:r></w:p>"
    return _docx_with_body(
        path, itertools.repeat(chunk), lambda packed, _unpacked: packed >= packed_bytes
    )


def build_long_docx(path: Path, unpacked_bytes: int) -> Path:
    """A valid .docx of numbered paragraphs whose XML unpacks to `unpacked_bytes`, deflated at
    an ordinary ratio (about 25 times)."""

    def chunks() -> Iterator[bytes]:
        for start in itertools.count(0, 5000):
            yield "".join(
                f"<w:p><w:r><w:t>Nhiệm vụ {number}: rà soát thủ tục</w:t></w:r></w:p>"
                for number in range(start, start + 5000)
            ).encode()

    return _docx_with_body(path, chunks(), lambda _packed, unpacked: unpacked >= unpacked_bytes)


def _docx_with_body(path: Path, chunks: Iterator[bytes], done: Callable[[int, int], bool]) -> Path:
    """python-docx's blank document with `chunks` streamed into its body until `done(packed
    bytes written, unpacked bytes written)`; fast deflate, since the files are large."""
    import zipfile

    import docx

    template = io.BytesIO()
    docx.Document().save(template)
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package,
    ):
        for part in source.infolist():
            content = source.read(part.filename)
            if part.filename != "word/document.xml":
                package.writestr(part.filename, content)
                continue
            head, tail = content.split(b"<w:body>")
            with package.open(part.filename, "w", force_zip64=True) as stream:
                stream.write(head + b"<w:body>")
                unpacked = 0
                while not done(package.fp.tell(), unpacked):
                    chunk = next(chunks)
                    stream.write(chunk)
                    unpacked += len(chunk)
                stream.write(tail)
    return path
