"""A streaming .xlsx writer: rows go straight into the zip, one at a time.

openpyxl's write-only mode spends tens of microseconds per cell, which makes a report over
100k tasks take minutes; this writes the same SpreadsheetML (inline strings, one bold and one
red style) at a few microseconds per cell. openpyxl, Excel and LibreOffice open the result;
the tests read every report back with openpyxl.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO
from xml.sax.saxutils import quoteattr

PLAIN, BOLD, ALERT = 0, 1, 2  # cell styles: normal, header, red fill (overdue)

# XML 1.0 forbids most control characters; a pasted reply may carry them.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFFCDD2"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _text(value: object) -> str:
    # Control characters are removed from the whole row at once (see Sheet.append).
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(value: object, style: int) -> str:
    styled = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f"<c{styled}/>"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, (int, float)):
        return f"<c{styled}><v>{value}</v></c>"
    return f'<c{styled} t="inlineStr"><is><t>{_text(value)}</t></is></c>'


class Sheet:
    """One worksheet; rows are appended in order (sheets may be written side by side)."""

    def __init__(self, name: str, widths: Sequence[float]) -> None:
        self.name = name[:31]
        # Spooled to disk past a few MB: a sheet of 100k rows never sits in memory whole.
        self._stream = tempfile.SpooledTemporaryFile(max_size=4 << 20)  # noqa: SIM115 (closed on save)
        self._row = 0
        head = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        )
        if widths:
            head += (
                "<cols>"
                + "".join(
                    f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
                    for n, width in enumerate(widths, 1)
                )
                + "</cols>"
            )
        self._stream.write((head + "<sheetData>").encode())

    def append(self, values: Iterable[object], styles: dict[int, int] | int = PLAIN) -> None:
        """Write one row; `styles` is one style for the whole row or {column index: style}."""
        self._row += 1
        values = list(values)
        # Escaped in one pass over the row's texts ("\x00" cannot occur: it is stripped).
        joined = "\x00".join(v if v.__class__ is str else "" for v in values)
        texts = _text(joined).split("\x00") if values else []
        cells = []
        for index, (value, escaped) in enumerate(zip(values, texts, strict=True)):
            style = styles if isinstance(styles, int) else styles.get(index, PLAIN)
            styled = f' s="{style}"' if style else ""
            if escaped:
                cells.append(f'<c{styled} t="inlineStr"><is><t>{escaped}</t></is></c>')
            elif value is None or value == "" or value.__class__ is str:
                cells.append(f"<c{styled}/>")
            else:
                cells.append(_cell(value, style))
        row = f'<row r="{self._row}">{"".join(cells)}</row>'
        self._stream.write(_ILLEGAL.sub("", row).encode())

    def _copy_into(self, archive: zipfile.ZipFile, number: int) -> None:
        self._stream.write(b"</sheetData></worksheet>")
        self._stream.seek(0)
        with archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as target:
            shutil.copyfileobj(self._stream, target, 1 << 20)
        self._stream.close()


class Workbook:
    """An .xlsx file: sheets are filled in any order, then `save` writes them in order."""

    def __init__(self) -> None:
        self._sheets: list[Sheet] = []

    def sheet(self, name: str, widths: Sequence[float] = ()) -> Sheet:
        """Add a worksheet after the others."""
        sheet = Sheet(name, widths)
        self._sheets.append(sheet)
        return sheet

    def save(self, target: str | IO[bytes]) -> None:
        """Write the workbook (a path or a binary file)."""
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            numbers = range(1, len(self._sheets) + 1)
            for number, sheet in zip(numbers, self._sheets, strict=True):
                sheet._copy_into(archive, number)
            archive.writestr(
                "[Content_Types].xml",
                _CONTENT_TYPES.format(sheets="".join(_SHEET_TYPE.format(n=n) for n in numbers)),
            )
            archive.writestr("_rels/.rels", _ROOT_RELS)
            archive.writestr(
                "xl/workbook.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                "<sheets>"
                + "".join(
                    f'<sheet name={quoteattr(_ILLEGAL.sub("", sheet.name))} sheetId="{n}" '
                    f'r:id="rId{n}"/>'
                    for n, sheet in zip(numbers, self._sheets, strict=True)
                )
                + "</sheets></workbook>",
            )
            rels = "".join(
                f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/'
                f'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'
                for n in numbers
            )
            rels += (
                f'<Relationship Id="rId{len(self._sheets) + 1}" Type="http://schemas.openxmlformats'
                '.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            )
            archive.writestr(
                "xl/_rels/workbook.xml.rels",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                'relationships">' + rels + "</Relationships>",
            )
            archive.writestr("xl/styles.xml", _STYLES)
