"""Read plan files (.docx, .xlsx, .pdf, .csv/.tsv, .txt/.md) into a Document.

The readers only transcribe: paragraphs and table cells in reading order, NFC-normalised.
Finding the task table and its columns is the extractor's job (plans/extract.py).
python-docx, openpyxl and pdfplumber are imported inside the readers so that importing
this module (and the CLI's --help) stays fast.
"""

from __future__ import annotations

import csv
import functools
import io
import logging
import math
import mmap
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from core.errors import UserError
from core.i18n import _
from core.text import fold, nfc
from plans.model import Document, Table

MAX_FILE_BYTES = 50 * 1024 * 1024
# Limits on the work one document may cause, checked before any parsing (a reader thread holds
# a whole parsed .docx in memory, and pdfplumber takes about half a second per dense page).
# Measured: a 3,000-row task table is about 3 MB of .docx XML (read in ~1 s) and 0.5 MB of text;
# plans run to tens of pages.
# .docx/.xlsx parts are deflated: the zip directory tells their unpacked sizes without unpacking
# (zipfile never yields more than a part's declared size, so a lying directory cannot get past).
MAX_UNPACKED_XML_BYTES = 64 * 1024 * 1024
# Every part, media included: python-docx loads every part into memory. Photos barely
# compress, so any real file within MAX_FILE_BYTES fits several times over.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
# Office XML deflates 5-35 times (measured on plans of 300-3,000 rows); a part unpacking to
# hundreds of times its packed size is repetition made to be unpacked: a zip bomb.
MAX_COMPRESSION_RATIO = 100
_RATIO_CHECKED_FROM_BYTES = 1024 * 1024  # small parts cannot hurt, whatever their ratio
# Text of .txt/.csv files and text extracted from a PDF: 1.5 million characters is about 500
# pages, far more than any plan.
MAX_TEXT_CHARACTERS = 1_500_000
_CHARACTERS_PER_PAGE = 3000
# No encoding takes more than 4 bytes per character: a larger file is refused unread.
_MAX_BYTES_PER_CHARACTER = 4
# About a minute of pdfplumber on dense pages; longer plans come as .docx.
MAX_PDF_PAGES = 150
SUPPORTED_EXTENSIONS = (".txt", ".docx", ".xlsx", ".pdf", ".csv", ".tsv")
# Accepted as well, without being advertised: the same formats under other names.
_TEXT_EXTENSIONS = {".txt", ".md", ".markdown", ".text"}
_CSV_EXTENSIONS = {".csv", ".tsv", ".tab"}
_DOCX_EXTENSIONS = {".docx", ".docm", ".dotx", ".dotm"}
_XLSX_EXTENSIONS = {".xlsx", ".xlsm", ".xltx", ".xltm"}
_LEGACY_OFFICE_EXTENSIONS = {".doc", ".xls", ".dot", ".xlt"}

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .docx/.xlsx is an OLE2 container holding these two streams ([MS-OFFCRYPTO]).
_OLE2_ENCRYPTION_STREAMS = (
    "EncryptionInfo".encode("utf-16-le"),
    "EncryptedPackage".encode("utf-16-le"),
)
_SNIFF_BYTES = 8192

_DOCX_CONTENT_TYPES = (
    "wordprocessingml.document.main+xml",
    "wordprocessingml.template.main+xml",
    "ms-word.document.macroEnabled.main+xml",
    "ms-word.template.macroEnabledTemplate.main+xml",
)
_XLSX_CONTENT_TYPES = (
    "spreadsheetml.sheet.main+xml",
    "spreadsheetml.template.main+xml",
    "ms-excel.sheet.macroEnabled.main+xml",
    "ms-excel.template.macroEnabled.main+xml",
)

_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\u2028\u2029\x85]")
_TRAILING_SPACES = re.compile(r"[ \t\u00a0]+\n")
# Spaces that are not " " and characters that show nothing (Word and PDF exports hold both).
_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
# Page numbers a PDF prints between the parts of a table that runs over a page break.
_PAGE_NUMBER = re.compile(
    r"^\s*(?:-\s*)?(?:trang\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?(?:\s*-)?\s*$", re.I
)
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")


def read_document(path: Path) -> Document:
    """Read a plan file into paragraphs and tables; bad input raises UserError in Vietnamese."""
    path = Path(path)
    try:
        size = path.stat().st_size
        is_file = path.is_file()
    except OSError:
        size, is_file = 0, False
    if not is_file:
        raise UserError(_("The file was not found."))
    if size == 0:
        raise UserError(_("The file is empty."))
    if size > MAX_FILE_BYTES:
        # Checked before reading anything: a huge upload must not be loaded into memory.
        raise UserError(
            _(
                "The file is {size} MB, larger than the {limit} MB limit. Please send a smaller file."
            ).format(size=_megabytes(size), limit=MAX_FILE_BYTES // 1024 // 1024)
        )
    kind = sniff_format(path)
    reader = _READERS[kind]
    document = reader(path)
    if not any(_block_has_text(block) for block in document.blocks):
        if kind == "pdf":
            raise UserError(
                _(
                    "No text was found in the PDF (it may be a scanned image). "
                    "Please send the .docx file or a PDF with text."
                )
            )
        raise UserError(_("No content was found in the file."))
    return document


def sniff_format(path: Path) -> str:
    """Tell a file's format from its content first, its extension second: docx, xlsx, pdf, csv, text."""
    path = Path(path)
    extension = path.suffix.lower()
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(_ZIP_MAGIC):
        return _sniff_zip(path, extension)
    if head.startswith(_OLE2_MAGIC):
        if _ole2_is_encrypted(path):
            raise UserError(_password_message())
        raise UserError(_legacy_office_message())
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if extension in _DOCX_EXTENSIONS | _XLSX_EXTENSIONS | {".pdf"}:
        # Named like a Word/Excel/PDF file but without its signature: damaged or mislabelled.
        raise UserError(_corrupt_message(extension))
    if extension in _LEGACY_OFFICE_EXTENSIONS:
        raise UserError(_legacy_office_message())
    if extension in _TEXT_EXTENSIONS | _CSV_EXTENSIONS:
        if _looks_binary(head):
            raise UserError(
                _("The file is not readable text (it may be a binary or damaged file).")
            )
        return "csv" if extension in _CSV_EXTENSIONS else "text"
    raise UserError(_unsupported_message())


def decode_text(data: bytes) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16, else Windows-1258; NFC, \\n line ends."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    elif (utf16 := _utf16_without_bom(data[:_SNIFF_BYTES])) is not None:
        encodings = [utf16]
    else:
        # cp1258 is what Vietnamese Windows saves as "ANSI"; it stores tones as combining marks.
        encodings = ["utf-8", "cp1258"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _LINE_BREAKS.sub("\n", nfc(text))
    raise UserError(_("The text encoding of the file was not recognised. Please save it as UTF-8."))


def read_plain_text(path: Path) -> str:
    """A text file's decoded text; a text too long for a plan is refused, unread when its size
    alone shows it."""
    path = Path(path)
    if path.stat().st_size > MAX_TEXT_CHARACTERS * _MAX_BYTES_PER_CHARACTER:
        raise UserError(_text_too_long_message())
    text = decode_text(path.read_bytes())
    if len(text) > MAX_TEXT_CHARACTERS:
        raise UserError(_text_too_long_message())
    return text


# --- user messages -------------------------------------------------------------------------


def _password_message() -> str:
    return _(
        "Cannot read it: the file has a password. Please remove the password and send it again."
    )


def _legacy_office_message() -> str:
    return _(
        "Old Word/Excel files (.doc, .xls) are not supported. "
        "Please save the file as .docx or .xlsx and send it again."
    )


def _corrupt_message(extension: str) -> str:
    label = extension if extension in _DOCX_EXTENSIONS | _XLSX_EXTENSIONS | {".pdf"} else ""
    if label:
        return _(
            "The {extension} file is damaged or incomplete. Please open it, save it again "
            "and send it again."
        ).format(extension=label)
    return _("The file is damaged or incomplete. Please open it, save it again and send it again.")


def _text_too_long_message() -> str:
    return _(
        "The text is too long for one plan: more than {limit} characters (about {pages} pages). "
        "Please split the plan into several files."
    ).format(
        limit=_thousands(MAX_TEXT_CHARACTERS),
        pages=_thousands(MAX_TEXT_CHARACTERS // _CHARACTERS_PER_PAGE),
    )


def _thousands(number: int) -> str:
    """1500000 as Vietnamese writes it: "1.500.000"."""
    return f"{number:,}".replace(",", ".")


def _megabytes(size: int) -> str:
    """Size in MB rounded up, with the Vietnamese decimal comma: 50 MB + 1 byte is "50,1"."""
    return f"{math.ceil(size / 1024 / 1024 * 10) / 10:.1f}".replace(".", ",")


def _unsupported_message() -> str:
    return _("This file format is not supported. Supported formats: {formats}.").format(
        formats=", ".join(SUPPORTED_EXTENSIONS)
    )


# --- sniffing ------------------------------------------------------------------------------


def _sniff_zip(path: Path, extension: str) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            # Before anything is unpacked, [Content_Types].xml included.
            _check_unpacked_sizes(archive.infolist())
            names = set(archive.namelist())
            content_types = ""
            if "[Content_Types].xml" in names:
                content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError) as exc:
        raise UserError(_corrupt_message(extension)) from exc
    if any(marker in content_types for marker in _DOCX_CONTENT_TYPES):
        return "docx"
    if any(marker in content_types for marker in _XLSX_CONTENT_TYPES):
        return "xlsx"
    if extension in _DOCX_EXTENSIONS | _XLSX_EXTENSIONS and not content_types:
        raise UserError(_corrupt_message(extension))
    # .odt, .ods, .xlsb, a plain .zip: an archive, but not one we read.
    raise UserError(_unsupported_message())


def _check_unpacked_sizes(parts: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb, or a package too large to parse, from its directory alone."""
    for part in parts:
        packed = max(part.compress_size, 1)
        if (
            part.file_size > _RATIO_CHECKED_FROM_BYTES
            and part.file_size > MAX_COMPRESSION_RATIO * packed
        ):
            raise UserError(
                _(
                    "The file is packed in an unusual way (a part of it unpacks to {ratio} times "
                    "its size) and is not read, for safety. Please open it in Word or Excel, "
                    "save it again and send it again."
                ).format(ratio=_thousands(part.file_size // packed))
            )
    xml_bytes = sum(part.file_size for part in parts if _is_xml_part(part.filename))
    all_bytes = sum(part.file_size for part in parts)
    for size, limit in ((xml_bytes, MAX_UNPACKED_XML_BYTES), (all_bytes, MAX_UNPACKED_BYTES)):
        if size > limit:
            raise UserError(
                _(
                    "The file holds {size} MB once unpacked, more than the {limit} MB one plan "
                    "may hold. Please split the plan into several files."
                ).format(size=_megabytes(size), limit=limit // 1024 // 1024)
            )


def _is_xml_part(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _ole2_is_encrypted(path: Path) -> bool:
    # Directory entry names are UTF-16LE; searching for them beats parsing the FAT chains.
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return all(data.find(name) >= 0 for name in _OLE2_ENCRYPTION_STREAMS)


def _utf16_without_bom(sample: bytes) -> str | None:
    """The UTF-16 codec for BOM-less text whose every other byte is NUL, else None."""
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return _utf16_without_bom(head) is None
    controls = sum(1 for byte in head if byte < 0x20 and byte not in b"\t\n\r\x0b\x0c\x1a")
    return controls > 0.05 * len(head)


# --- shared cleaning ----------------------------------------------------------------------


def _clean(text: str) -> str:
    """NFC, one kind of line break, no trailing spaces on lines, no leading/trailing blanks."""
    text = _LINE_BREAKS.sub("\n", nfc(text))
    text = _INVISIBLE.sub("", _ODD_SPACES.sub(" ", text))
    return _TRAILING_SPACES.sub("\n", text).strip()


def _block_has_text(block: str | Table) -> bool:
    if isinstance(block, Table):
        return any(cell for row in block.rows for cell in row)
    return bool(block)


def _signature(row: list[str]) -> tuple[str, ...]:
    return tuple(fold(cell) for cell in row)


def _header_index(rows: list[list[str]]) -> int | None:
    """Index of the first row with two or more filled cells: the likely header."""
    for index, row in enumerate(rows):
        if sum(1 for cell in row if cell) >= 2:
            return index
    return None


def _clean_rows(rows: list[list[str]], header_rows: int = 0) -> list[list[str]]:
    """Square the rows, drop empty rows and columns, and drop repeats of the header rows.

    Tables that run over several pages repeat their header on each page; a repeated header
    in the middle would look like a task to the extractor. header_rows counts leading rows the
    file itself marks as headers (Word's "repeat as header row").
    """
    width = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (width - len(row)) for row in rows if any(row)]
    used = [col for col in range(width) if any(row[col] for row in rows)]
    if len(used) < width:
        rows = [[row[col] for col in used] for row in rows]
    header = _header_index(rows)
    if header is None:
        return rows
    last_header = max(header, header_rows - 1)
    if last_header + 1 < len(rows) and _is_column_number_row(rows[last_header + 1]):
        last_header += 1
    repeated = {_signature(row) for row in rows[header : last_header + 1]}
    # Folding every cell of a long table is slow: only a row laid out like a header row (the
    # same cells filled) can repeat it, so only such rows are folded and compared.
    shapes = {_shape(row) for row in rows[header : last_header + 1]}
    kept = rows[: last_header + 1]
    kept.extend(
        row
        for row in rows[last_header + 1 :]
        if _shape(row) not in shapes or _signature(row) not in repeated
    )
    return kept


def _shape(row: list[str]) -> tuple[bool, ...]:
    return tuple(bool(cell) for cell in row)


def _is_column_number_row(row: list[str]) -> bool:
    filled = [cell for cell in row if cell]
    return len(filled) >= 2 and all(_COLUMN_NUMBER.match(cell) for cell in filled)


def _title_rows_as_paragraphs(rows: list[list[str]]) -> list[str | Table]:
    """Rows above the header with a single filled cell (a sheet's title lines) become paragraphs."""
    blocks: list[str | Table] = []
    start = 0
    while start < len(rows) and sum(1 for cell in rows[start] if cell) <= 1:
        blocks.extend(cell for cell in rows[start] if cell)
        start += 1
    if start < len(rows):
        blocks.append(Table(rows=rows[start:]))
    return blocks


@functools.cache
def _silence_libraries() -> None:
    """Keep pdfminer's per-page warnings and openpyxl's UserWarnings out of the logs.

    Set once and left set, rather than around each read: logger levels and warning filters
    are process-wide, and the bot reads files from several threads at once. A level that
    the deployment configured explicitly is respected.
    """
    for name in ("pdfminer", "pdfplumber"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\..*)?$")


# --- text and CSV ---------------------------------------------------------------------------


def _read_text(path: Path) -> Document:
    from plans.text import read_text_file

    return read_text_file(path)


def _read_csv(path: Path) -> Document:
    text = read_plain_text(path)
    delimiter = "\t" if path.suffix.lower() in {".tsv", ".tab"} else _sniff_delimiter(text)
    try:
        rows = [
            [_clean(cell) for cell in row]
            for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise UserError(_corrupt_message(path.suffix.lower())) from exc
    return Document(source=path.name, blocks=_title_rows_as_paragraphs(_clean_rows(rows)))


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first rows into the most consistent number of columns."""
    sample = text[:65536]
    best, best_score = ",", (False, 0.0, 0)
    for delimiter in (",", ";", "\t", "|"):
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))[:50]
        except csv.Error:
            continue
        if len(sample) < len(text) and len(rows) > 1:
            rows = rows[:-1]  # the sample may cut the last row short
        counts = [len(row) for row in rows if any(cell.strip() for cell in row)]
        if not counts:
            continue
        columns, frequency = Counter(counts).most_common(1)[0]
        score = (columns > 1, frequency / len(counts), columns)
        if score > best_score:
            best, best_score = delimiter, score
    return best


# --- .docx --------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _TBL, _TR, _TC, _T = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc", f"{_W}t"
_TAB, _BR, _CR, _NO_BREAK_HYPHEN = f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen"
# Wrappers whose children are laid out as if they stood in the parent.
_DOCX_WRAPPERS = {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag"}
# Subtrees that hold no visible text: properties, deleted text, duplicate fallback drawings.
_DOCX_SKIP = {
    f"{_W}pPr",
    f"{_W}rPr",
    f"{_W}tblPr",
    f"{_W}trPr",
    f"{_W}tcPr",
    f"{_W}sdtPr",
    f"{_W}del",
    f"{_W}moveFrom",
    _MC_FALLBACK,
}


def _read_docx(path: Path) -> Document:
    import docx.package
    from docx.oxml.parser import parse_xml

    try:
        _silence_libraries()
        with path.open("rb") as handle:
            part = docx.package.Package.open(handle).main_document_part
            # .docm/.dotx main parts load as plain parts; parse their XML the same way.
            root = part.element if hasattr(part, "element") else parse_xml(part.blob)
    except UserError:
        raise
    except Exception as exc:  # python-docx/lxml/zipfile raise many types for a broken package
        raise UserError(_corrupt_message(".docx")) from exc
    body = root.find(f"{_W}body")
    blocks: list[str | Table] = []
    if body is not None:
        _docx_blocks(body, blocks)
    return Document(source=path.name, blocks=blocks)


def _docx_blocks(container: Any, blocks: list[str | Table]) -> None:
    for child in container:
        tag = child.tag
        if tag == _P:
            text = _docx_paragraph_text(child)
            if text:
                blocks.append(text)
        elif tag == _TBL:
            rows = _docx_table_rows(child)
            if rows:
                blocks.append(Table(rows=rows))
        elif tag in _DOCX_WRAPPERS:
            _docx_blocks(child, blocks)


def _docx_paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    _docx_collect_text(paragraph, parts)
    return _clean("".join(parts))


def _docx_collect_text(element: Any, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag == _T:
            parts.append(child.text or "")
        elif tag == _TAB:
            parts.append("\t")
        elif tag in (_BR, _CR):
            parts.append("\n")
        elif tag == _NO_BREAK_HYPHEN:
            parts.append("-")
        elif tag in _DOCX_SKIP or not isinstance(tag, str):
            continue
        else:
            if tag == _P and parts:  # paragraphs of a text box inside this paragraph
                parts.append("\n")
            _docx_collect_text(child, parts)


def _docx_children(element: Any, tag: str) -> Iterator[Any]:
    """Children with the given tag, looking through content-control wrappers."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in _DOCX_WRAPPERS:
            yield from _docx_children(child, tag)


def _docx_int(element: Any, path: str, default: int) -> int:
    found = element.find(path)
    if found is None:
        return default
    try:
        return int(found.get(f"{_W}val", default))
    except ValueError:
        return default


def _docx_table_rows(table: Any) -> list[list[str]]:
    """Rows of cell texts on the table grid: a horizontal merge gives its text then empties,
    a vertical merge repeats its text in every row it spans (each row is a task of its own).

    A row made only of the continuations of vertical merges adds nothing the row above
    did not say (a task drawn two rows tall), so it is left out.
    """
    rows: list[list[str]] = []
    header_rows = 0
    merged_above: dict[int, str] = {}
    for index, row in enumerate(_docx_children(table, _TR)):
        cells = [""] * _docx_int(row, f"{_W}trPr/{_W}gridBefore", 0)
        if index == header_rows and row.find(f"{_W}trPr/{_W}tblHeader") is not None:
            header_rows += 1
        own_text = False
        for cell in _docx_children(row, _TC):
            column = len(cells)
            span = max(1, _docx_int(cell, f"{_W}tcPr/{_W}gridSpan", 1))
            vmerge = cell.find(f"{_W}tcPr/{_W}vMerge")
            hmerge = cell.find(f"{_W}tcPr/{_W}hMerge")
            if vmerge is not None and vmerge.get(f"{_W}val", "continue") == "continue":
                text = merged_above.get(column, "")
            elif hmerge is not None and hmerge.get(f"{_W}val", "continue") == "continue":
                text = ""  # legacy horizontal merge: the text sits in the first cell
            else:
                text = _docx_cell_text(cell)
                own_text = own_text or bool(text)
                if vmerge is not None:
                    merged_above[column] = text
                else:
                    merged_above.pop(column, None)
            cells.append(text)
            cells.extend([""] * (span - 1))
        if own_text:
            rows.append(cells)
    return _clean_rows(rows, header_rows)


def _docx_cell_text(cell: Any) -> str:
    """A cell's paragraphs joined with newlines; a nested table gives one line per row."""
    lines: list[str] = []
    for child in _docx_children_blocks(cell):
        if child.tag == _P:
            text = _docx_paragraph_text(child)
            if text:
                lines.append(text)
        else:
            for row in _docx_table_rows(child):
                filled = [cell_text for cell_text in row if cell_text]
                if filled:
                    lines.append("; ".join(filled))
    return "\n".join(lines)


def _docx_children_blocks(element: Any) -> Iterator[Any]:
    for child in element:
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag in _DOCX_WRAPPERS:
            yield from _docx_children_blocks(child)


# --- .xlsx --------------------------------------------------------------------------------

_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3}\d+:[A-Z]{1,3}\d+)\"")


def _read_xlsx(path: Path) -> Document:
    import openpyxl

    blocks: list[str | Table] = []
    _silence_libraries()
    with path.open("rb") as handle:
        try:
            # A handle rather than a name: openpyxl would refuse a workbook by its extension.
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl/zipfile/lxml raise many types for a broken workbook
            raise UserError(_corrupt_message(".xlsx")) from exc
        try:
            for sheet in workbook.worksheets:
                # Hidden sheets hold lookup lists and scratch work the user never sees.
                if getattr(sheet, "sheet_state", "visible") != "visible":
                    continue
                rows = _xlsx_sheet_rows(workbook, sheet)
                blocks.extend(_title_rows_as_paragraphs(_clean_rows(rows)))
        except UserError:
            raise
        except Exception as exc:  # a sheet that fails to parse half-way
            raise UserError(_corrupt_message(".xlsx")) from exc
        finally:
            workbook.close()
    return Document(source=path.name, blocks=blocks)


def _xlsx_sheet_rows(workbook: Any, sheet: Any) -> list[list[str]]:
    # Some writers store a wrong used range; read-only mode would trust it and cut rows off.
    sheet.reset_dimensions()
    # Only rows with a value of their own are kept (by row number): styled empty rows can run
    # to the end of the sheet, and a row that only continues merges adds nothing.
    rows: dict[int, list[str]] = {}
    for number, row in enumerate(sheet.iter_rows(), start=1):
        cells: list[str] = []
        for cell in row:
            value = cell.value
            cells.append("" if value is None else _xlsx_display(value, cell))
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows[number] = cells
    for min_col, min_row, _max_col, max_row in _xlsx_merged_ranges(workbook, sheet):
        top = rows.get(min_row)
        if max_row <= min_row or top is None or len(top) < min_col:
            continue
        # A range merged down several rows applies to each of them (e.g. one lead for many tasks).
        text = top[min_col - 1]
        for number in range(min_row + 1, max_row + 1):
            row = rows.get(number)
            if row is None:
                continue
            if len(row) < min_col:
                row.extend([""] * (min_col - len(row)))
            row[min_col - 1] = text
    return [rows[number] for number in sorted(rows)]


def _xlsx_merged_ranges(workbook: Any, sheet: Any) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a read-only sheet, scanned from its XML (read-only mode drops them)."""
    from openpyxl.utils.cell import range_boundaries

    archive = getattr(workbook, "_archive", None)
    sheet_path = getattr(sheet, "_worksheet_path", None)
    if archive is None or sheet_path is None:
        return []
    refs: set[bytes] = set()
    tail = b""
    with archive.open(sheet_path) as stream:
        # Streamed in chunks: a large sheet's XML need not be held in memory.
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            refs.update(_MERGE_REF.findall(data))
            tail = data[-200:]
    ranges = []
    for ref in refs:
        try:
            ranges.append(range_boundaries(ref.decode("ascii")))
        except ValueError:
            continue
    return ranges


def _xlsx_display(value: Any, cell: Any) -> str:
    """A cell value as Excel shows it in a plain cell: 1 not 1.0, dates as dd/mm/yyyy."""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, int | float):
        number_format = getattr(cell, "number_format", "") or ""
        if "%" in number_format:
            return f"{_format_number(value * 100)}%"
        return _format_number(value)
    return _clean(str(value))


def _format_number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return f"{value:.15g}"  # Excel shows 15 significant digits


# --- .pdf ---------------------------------------------------------------------------------


def _read_pdf(path: Path) -> Document:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError
    from pdfplumber.utils.exceptions import PdfminerException

    blocks: list[str | Table] = []
    _silence_libraries()
    try:
        with pdfplumber.open(path) as pdf:
            _check_pdf_pages(pdf)
            characters = 0
            for page in pdf.pages:
                # Counted page by page: a long PDF stops as soon as it is over the limit.
                characters += len(page.chars)
                if characters > MAX_TEXT_CHARACTERS:
                    raise UserError(_text_too_long_message())
                _pdf_page_blocks(page, blocks)
    except UserError:
        raise
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else None
        # PDFPasswordIncorrect, or an encryption pdfminer cannot undo: locked either way.
        if isinstance(cause, PDFEncryptionError) or "password" in str(exc).lower():
            raise UserError(_password_message()) from exc
        raise UserError(_corrupt_message(".pdf")) from exc
    except PDFEncryptionError as exc:
        raise UserError(_password_message()) from exc
    except Exception as exc:  # pdfminer raises many types for a broken file
        raise UserError(_corrupt_message(".pdf")) from exc
    return Document(source=path.name, blocks=blocks)


def _check_pdf_pages(pdf: Any) -> None:
    """Refuse a PDF longer than MAX_PDF_PAGES from the count its page tree declares."""
    from pdfminer.pdftypes import resolve1

    try:
        count = int(resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"]))
    except (KeyError, TypeError, ValueError):
        return  # no usable count: the text limit still bounds the work
    if count > MAX_PDF_PAGES:
        raise UserError(
            _(
                "The PDF has {pages} pages, more than the {limit} pages read from one file. "
                "Please send the plan's Word file (.docx), or only the pages with the tasks."
            ).format(pages=_thousands(count), limit=MAX_PDF_PAGES)
        )


def _pdf_page_blocks(page: Any, blocks: list[str | Table]) -> None:
    """Append a page's text lines and ruled tables, top to bottom, joining continued tables."""
    tables = []
    for found in page.find_tables():
        rows = [[_clean(cell or "") for cell in row] for row in found.extract()]
        # A box drawn around a paragraph is found as a one-column "table": keep it as text.
        if max((sum(1 for cell in row if cell) for row in rows), default=0) >= 2:
            tables.append((found.bbox, rows))
    boxes = [bbox for bbox, _rows in tables]

    def outside_tables(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside_tables) if boxes else page
    items: list[tuple[float, str | list[list[str]]]] = []
    for line in text_page.extract_text_lines(return_chars=False):
        text = _clean(line["text"])
        if text:
            items.append((line["top"], text))
    items.extend((bbox[1], rows) for bbox, rows in tables)
    items.sort(key=lambda item: item[0])
    first_table = True
    for _top, item in items:
        if isinstance(item, str):
            blocks.append(item)
            continue
        rows = _clean_rows(item)
        if first_table and _continues_previous_table(blocks, rows):
            previous = _drop_page_debris(blocks)
            blocks.append(Table(rows=_clean_rows(previous.rows + rows)))
        elif rows:
            blocks.append(Table(rows=rows))
        first_table = False


def _continues_previous_table(blocks: list[str | Table], rows: list[list[str]]) -> bool:
    """True when the last block before this page's first table is a table of the same width
    with nothing but page numbers in between."""
    for block in reversed(blocks):
        if isinstance(block, Table):
            width = len(block.rows[0]) if block.rows else 0
            return width > 0 and width == max((len(row) for row in rows), default=0)
        if not _PAGE_NUMBER.match(block):
            return False
    return False


def _drop_page_debris(blocks: list[str | Table]) -> Table:
    """Remove the page numbers after the last table and take that table off the list."""
    while blocks and not isinstance(blocks[-1], Table):
        blocks.pop()
    table = blocks.pop()
    assert isinstance(table, Table)
    return table


_READERS: dict[str, Callable[[Path], Document]] = {
    "docx": _read_docx,
    "xlsx": _read_xlsx,
    "pdf": _read_pdf,
    "csv": _read_csv,
    "text": _read_text,
}
