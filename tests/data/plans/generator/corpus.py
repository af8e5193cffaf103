"""Build the plan corpus (documents + expected tasks) from the specs in docs_*.py.

Run from the repository root:  .venv/bin/python tests/data/plans/generator/corpus.py

Every document is written from one spec, and its expected JSON from the same spec, so the
two cannot drift apart. Deadline phrases are resolved here by a small, explicit grammar
(independent of schedules.deadlines, which the corpus is meant to test); a phrase it does not
know stops the build.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent  # tests/data/plans
sys.path.insert(0, str(HERE))

SEP = "|"  # separator of agencies inside a spec string


# --- spec model -------------------------------------------------------------------------------


@dataclass
class Task:
    """One task row / paragraph / labelled item of a spec."""

    content: str
    lead: str = ""
    coord: str = ""
    result: str = ""
    dl: str = ""  # deadline phrase as written ("" = none)
    execs: str = ""
    note: str = ""  # a column that is none of the fields (Ghi chú, Kinh phí)
    start: str = ""  # "Bắt đầu" column of a two-row header
    date: dt.date | None = None  # xlsx: the deadline cell is a real Excel date
    ref: str = ""  # explicit ref (prose, labelled); tables compute it
    label: str = ""  # prose/labelled: the label written before the text ("1.", "a)", "-")
    num: str | None = None  # tables: number cell as written (None = computed)


@dataclass
class Section:
    """A section row of a table, or a heading line of prose."""

    text: str
    key: str | None = None  # ref prefix for the tasks under it (None = no prefix)
    number_cell: str | None = None  # xlsx variant: section written as number cell + title cell


@dataclass
class Para:
    """A paragraph of prose that is not a task (context, headings)."""

    text: str


@dataclass
class Doc:
    num: int
    split: str
    layout: str
    topic: str
    ext: str
    title: list[str]
    body: list[Any]
    columns: list[Any] = field(default_factory=list)  # tables: (header, field) or Group
    sep: str = "; "  # how several agencies are joined inside a cell
    after: list[str] = field(default_factory=list)  # lines after the table
    signed: str = ""  # "Bình Sơn, ngày 12 tháng 3 năm 2026"
    numbering: str = "section"  # tables: "section" (I.1), "plain" (number as written), "none"
    labels: dict[str, str] = field(default_factory=dict)  # labelled: field -> label word
    label_order: list[str] = field(default_factory=list)
    header_style: str = "merged"  # xlsx: "merged" section rows or "cells" (number + title)
    col_widths: list[float] | None = None
    anchor: dt.date | None = None  # date yearless phrases are read against

    @property
    def stem(self) -> str:
        return f"{self.num:02d}_{self.layout}_{self.topic}"


@dataclass
class Group:
    """A header cell spanning several sub-columns (two-row header)."""

    header: str
    children: list[tuple[str, str]]


def agencies(spec: str) -> list[str]:
    return [part.strip() for part in spec.split(SEP) if part.strip()] if spec else []


# --- deadline grammar (only the phrase families the corpus uses) -------------------------------

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower().strip().rstrip(".;,").strip()
    return re.sub(r"\s+", " ", text)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _quarter(token: str) -> int:
    token = token.upper()
    return ROMAN[token] if token in ROMAN else int(token)


def _deadline(kind, due=None, recurrence=None, milestones=()):
    return {
        "kind": kind,
        "due": due.isoformat() if due else None,
        "recurrence": recurrence,
        "milestones": [m.isoformat() for m in milestones],
    }


Q = r"(i{1,3}|iv|[1-4])"
D = r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})"


def resolve(phrase: str, anchor: dt.date | None) -> dict:
    """The deadline dict of a phrase; raises on a phrase outside the grammar."""
    p = _fold(phrase)
    if p in ("", "thường xuyên", "thường xuyên, liên tục", "liên tục", "thực hiện thường xuyên"):
        return _deadline("ongoing")
    if re.match(
        r"^(theo (yêu cầu|đề nghị|lộ trình|chỉ đạo|hướng dẫn|kế hoạch)\b|khi có yêu cầu)", p
    ):
        return _deadline("undetermined")
    # recurring
    milestones = [dt.date(int(y), 12, 31) for y in re.findall(r"(?:sơ|tổng) kết năm (\d{4})", p)]
    if re.search(r"(hằng|hàng|mỗi) tuần", p):
        return _deadline("recurring", recurrence="weekly", milestones=milestones)
    if re.search(r"(hằng|hàng) tháng", p):
        return _deadline("recurring", recurrence="monthly", milestones=milestones)
    if re.search(r"(hằng|hàng|mỗi) quý", p):
        return _deadline("recurring", recurrence="quarterly", milestones=milestones)
    if re.search(r"định kỳ 0?6 tháng", p):
        return _deadline("recurring", recurrence="semiannual", milestones=milestones)
    if re.search(r"(hằng|hàng) năm", p):
        return _deadline("recurring", recurrence="yearly", milestones=milestones)
    if p.startswith("định kỳ") or milestones:
        return _deadline("recurring", milestones=milestones)
    # fixed: explicit days
    m = re.fullmatch(
        r"(từ (ngày )?\d{1,2}/\d{1,2}/\d{4} )?(đến ngày |đến |chậm nhất ngày |ngày )?" + D, p
    )
    if m:
        return _deadline("fixed", dt.date(int(m[6]), int(m[5]), int(m[4])))
    m = re.fullmatch(r"(hoàn thành )?trước (ngày )?" + D, p)
    if m:
        return _deadline("fixed", dt.date(int(m[5]), int(m[4]), int(m[3])) - dt.timedelta(days=1))
    m = re.fullmatch(r"(trước |chậm nhất )?(ngày )?(\d{1,2}) tháng (\d{1,2}) năm (\d{4})", p)
    if m:
        day = dt.date(int(m[5]), int(m[4]), int(m[3]))
        return _deadline("fixed", day - dt.timedelta(days=1) if m[1] == "trước " else day)
    m = re.fullmatch(r"(trước |chậm nhất |)(ngày )?(\d{1,2})/(\d{1,2})", p)
    if m:  # yearless day: the next such day on or after the plan's date
        assert anchor, phrase
        day = dt.date(anchor.year, int(m[4]), int(m[3]))
        if day < anchor:
            day = day.replace(year=anchor.year + 1)
        return _deadline("fixed", day - dt.timedelta(days=1) if m[1] == "trước " else day)
    # months
    m = re.fullmatch(r"(trong |cuối |hết |đến hết )?tháng (\d{1,2})(?:/| năm )(\d{4})", p)
    if m:
        return _deadline("fixed", _month_end(int(m[3]), int(m[2])))
    m = re.fullmatch(r"(từ )?tháng \d{1,2}(?: đến |\s?-\s?|, | và )tháng (\d{1,2})/(\d{4})", p)
    if m:
        return _deadline("fixed", _month_end(int(m[3]), int(m[2])))
    m = re.fullmatch(r"tháng \d{1,2}(?:, |\s?-\s?)(\d{1,2})/(\d{4})", p)
    if m:
        return _deadline("fixed", _month_end(int(m[2]), int(m[1])))
    m = re.fullmatch(r"(trong |cuối )?tháng (\d{1,2})", p)
    if m:
        assert anchor, phrase
        end = _month_end(anchor.year, int(m[2]))
        return _deadline("fixed", end if end >= anchor else _month_end(anchor.year + 1, int(m[2])))
    # quarters
    m = re.fullmatch(r"(trong |hoàn thành trong |cuối )?quý " + Q + r"(?:/| năm )(\d{4})", p)
    if m:
        q, y = _quarter(m[2]), int(m[3])
        return _deadline("fixed", _month_end(y, q * 3))
    m = re.fullmatch(
        r"(trong )?quý " + Q + r"(?: - quý |\s?-\s?|, | và quý | và )" + Q + r"(?:/| năm )(\d{4})",
        p,
    )
    if m:
        q, y = _quarter(m[3]), int(m[4])
        return _deadline("fixed", _month_end(y, q * 3))
    m = re.fullmatch(r"quý " + Q + r"/(\d{4}) (?:và|-) quý " + Q + r"/(\d{4})", p)
    if m:
        return _deadline("fixed", _month_end(int(m[4]), _quarter(m[3]) * 3))
    # half years
    m = re.fullmatch(r"(trong )?0?6 tháng (đầu|cuối) năm (\d{4})", p)
    if m:
        return _deadline(
            "fixed", dt.date(int(m[3]), 6 if m[2] == "đầu" else 12, 30 if m[2] == "đầu" else 31)
        )
    # years and spans of years
    m = re.fullmatch(r"(năm |trong năm |cuối năm |đến năm |đến hết năm )?(\d{4})", p)
    if m:
        return _deadline("fixed", dt.date(int(m[2]), 12, 31))
    m = re.fullmatch(r"(năm |giai đoạn |từ năm )?\d{4}\s?(?:-|–|đến năm|đến)\s?(\d{4})", p)
    if m:
        return _deadline("fixed", dt.date(int(m[2]), 12, 31))
    raise ValueError(f"deadline phrase outside the grammar: {phrase!r}")


# --- expected tasks ---------------------------------------------------------------------------


def clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", " ", text).strip()


def expected_task(task: Task, ref: str, anchor: dt.date | None) -> dict:
    phrase = task.date.strftime("%d/%m/%Y") if task.date else task.dl
    content = clean(task.content).rstrip(";").rstrip()
    return {
        "ref": ref,
        "content": content,
        "lead": [clean(a) for a in agencies(task.lead)],
        "coordinators": [clean(a) for a in agencies(task.coord)],
        "executors": [clean(a) for a in agencies(task.execs)],
        "result": clean(task.result),
        "deadline_text": clean(phrase).rstrip(".;").strip(),
        "deadline": resolve(phrase, anchor),
    }


def anchor_of(doc: Doc) -> dt.date | None:
    if doc.anchor:
        return doc.anchor
    m = re.search(r"ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})", doc.signed)
    return dt.date(int(m[3]), int(m[2]), int(m[1])) if m else None


# --- tables: rows with refs ---------------------------------------------------------------------


def flat_columns(doc: Doc) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for column in doc.columns:
        if isinstance(column, Group):
            out.extend(column.children)
        else:
            out.append(column)
    return out


def table_rows(doc: Doc) -> list[tuple[Any, str]]:
    """(Section or Task, ref) in document order; numbers filled in for tasks."""
    out = []
    key = None
    counter = 0
    for item in doc.body:
        if isinstance(item, Section):
            key = item.key
            counter = 0
            out.append((item, ""))
            continue
        counter += 1
        if item.num is None:
            item.num = str(counter)
        if item.ref:
            ref = item.ref
        elif doc.numbering == "plain":
            ref = item.num
        else:
            ref = f"{key}.{counter}" if key else str(counter)
        out.append((item, ref))
    return out


def cell_value(doc: Doc, task: Task, name: str, *, multiline: bool = True) -> Any:
    sep = doc.sep if multiline else doc.sep.replace("\n", " ").replace(";  ", "; ")
    if name == "ref":
        return task.num
    if name == "content":
        return task.content if multiline else task.content.replace("\n", " ")
    if name in ("lead", "coord", "execs"):
        parts = agencies(getattr(task, name))
        if sep.strip() == ",":
            assert all("," not in p for p in parts), parts
        return sep.join(parts)
    if name == "result":
        return task.result if multiline else task.result.replace("\n", " ")
    if name == "deadline":
        return task.date if task.date else task.dl
    return getattr(task, name)


# --- writers ----------------------------------------------------------------------------------


def write_docx_table(doc: Doc, path: Path) -> None:
    import docx
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)
    for line in doc.title:
        document.add_paragraph(line)
    cols = flat_columns(doc)
    two_rows = any(isinstance(c, Group) for c in doc.columns)
    table = document.add_table(rows=0, cols=len(cols))
    table.style = "Table Grid"
    header_rows = 2 if two_rows else 1
    for _ in range(header_rows):
        row = table.add_row()
        row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    index = 0
    for column in doc.columns:
        if isinstance(column, Group):
            span = len(column.children)
            top = table.cell(0, index).merge(table.cell(0, index + span - 1))
            top.text = column.header
            for offset, (header, _name) in enumerate(column.children):
                table.cell(1, index + offset).text = header
            index += span
        else:
            if two_rows:
                merged = table.cell(0, index).merge(table.cell(1, index))
                merged.text = column[0]
            else:
                table.cell(0, index).text = column[0]
            index += 1
    for item, _ref in table_rows(doc):
        row = table.add_row()
        cells = row.cells
        if isinstance(item, Section):
            merged = cells[0].merge(cells[-1])
            merged.text = item.text
            continue
        for column, (_header, name) in enumerate(cols):
            _set_cell(cells[column], str(cell_value(doc, item, name) or ""))
    for line in doc.after:
        document.add_paragraph(line)
    document.core_properties.created = dt.datetime(2026, 3, 1)
    document.core_properties.modified = dt.datetime(2026, 3, 1)
    document.save(str(path))


def _set_cell(cell: Any, text: str) -> None:
    first, *others = text.split("\n")
    cell.paragraphs[0].text = first
    for line in others:
        cell.add_paragraph(line)


def write_xlsx(doc: Doc, path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Phụ lục"
    cols = flat_columns(doc)
    width = len(cols)
    wrap = Alignment(wrap_text=True, vertical="top")
    r = 0
    for line in doc.title:
        r += 1
        sheet.cell(row=r, column=1, value=line).font = Font(bold=True)
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    r += 1
    two_rows = any(isinstance(c, Group) for c in doc.columns)
    r += 1
    c = 1
    for column in doc.columns:
        if isinstance(column, Group):
            sheet.cell(row=r, column=c, value=column.header)
            sheet.merge_cells(
                start_row=r, start_column=c, end_row=r, end_column=c + len(column.children) - 1
            )
            for offset, (header, _name) in enumerate(column.children):
                sheet.cell(row=r + 1, column=c + offset, value=header)
            c += len(column.children)
        else:
            sheet.cell(row=r, column=c, value=column[0])
            if two_rows:
                sheet.merge_cells(start_row=r, start_column=c, end_row=r + 1, end_column=c)
            c += 1
    if two_rows:
        r += 1
    for item, _ref in table_rows(doc):
        r += 1
        if isinstance(item, Section):
            if item.number_cell is not None:
                sheet.cell(row=r, column=1, value=item.number_cell)
                sheet.cell(row=r, column=2, value=item.text)
            else:
                sheet.cell(row=r, column=1, value=item.text)
                sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
            continue
        for column, (_header, name) in enumerate(cols, start=1):
            value = cell_value(doc, item, name)
            if value in (None, ""):
                continue
            if name == "ref" and re.fullmatch(r"\d+", str(value)):
                value = int(value)
            cell = sheet.cell(row=r, column=column, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
            if isinstance(value, str) and "\n" in value:
                cell.alignment = wrap
    for line in doc.after:
        r += 2
        sheet.cell(row=r, column=2, value=line)
    for letter, w in zip("ABCDEFGHIJ", doc.col_widths or [], strict=False):
        sheet.column_dimensions[letter].width = w
    workbook.properties.created = dt.datetime(2026, 3, 1)
    workbook.properties.modified = dt.datetime(2026, 3, 1)
    workbook.save(str(path))


def write_pdf(doc: Doc, path: Path) -> None:
    from fontpkg_noto_sans import ROOT as FONT_ROOT
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4", orientation="landscape")
    pdf.set_creation_date(dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("Noto", fname=str(FONT_ROOT / "files" / "NotoSans[wdth,wght].ttf"))
    pdf.set_font("Noto", size=9)
    pdf.add_page()
    for line in doc.title:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(3)
    cols = flat_columns(doc)
    with pdf.table(
        col_widths=doc.col_widths,
        headings_style=FontFace(emphasis=""),
        line_height=5,
        text_align="LEFT",
    ) as table:
        header = table.row()
        for name, _field in cols:
            header.cell(name)
        for item, _ref in table_rows(doc):
            row = table.row()
            if isinstance(item, Section):
                row.cell(item.text, colspan=len(cols))
                continue
            for _header, name in cols:
                row.cell(str(cell_value(doc, item, name) or ""))
    for line in doc.after:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def write_tsv(doc: Doc, path: Path) -> None:
    lines = [*list(doc.title), ""]
    cols = flat_columns(doc)
    lines.append("\t".join(h for h, _ in cols))
    for item, _ref in table_rows(doc):
        if isinstance(item, Section):
            lines.append(item.text)
            continue
        values = [str(cell_value(doc, item, name, multiline=False) or "") for _h, name in cols]
        assert not any("\t" in v or "\n" in v for v in values), values
        lines.append("\t".join(values))
    lines += ["", *list(doc.after)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- prose and labelled lists -----------------------------------------------------------------


def text_lines(doc: Doc) -> list[str]:
    """The paragraphs of a prose or labelled document."""
    lines = list(doc.title)
    for item in doc.body:
        if isinstance(item, (Para, Section)):
            lines.append(item.text)
        elif doc.layout == "labelled":
            lines.append(f"{item.label} {item.content}".strip())
            names = [n for n in doc.label_order if _label_value(item, n)]
            for i, name in enumerate(names):
                end = "." if i == len(names) - 1 else ";"
                lines.append(f"- {doc.labels[name]}: {_label_value(item, name)}{end}")
        else:
            lines.append(f"{item.label} {item.content}".strip())
    return lines + list(doc.after)


def _label_value(task: Task, name: str) -> str:
    if name == "deadline":
        return task.dl
    if name == "result":
        return task.result
    return "; ".join(agencies(getattr(task, name)))


def write_text(doc: Doc, path: Path) -> None:
    path.write_text("\n\n".join(text_lines(doc)) + "\n", encoding="utf-8")


def write_docx_text(doc: Doc, path: Path) -> None:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    for line in text_lines(doc):
        document.add_paragraph(line)
    document.core_properties.created = dt.datetime(2026, 3, 1)
    document.core_properties.modified = dt.datetime(2026, 3, 1)
    document.save(str(path))


def prose_tasks(doc: Doc) -> list[tuple[Task, str]]:
    return [(item, item.ref) for item in doc.body if isinstance(item, Task)]


# --- build ------------------------------------------------------------------------------------


def check_doc(doc: Doc, expected: list[dict], full_text: str) -> None:
    """Spec sanity: refs unique, agencies and deadline phrases present in the document."""
    refs = [t["ref"] for t in expected]
    assert len(refs) == len(set(refs)), (doc.stem, refs)
    folded = _fold(full_text)
    fields = {name for _h, name in flat_columns(doc)} if doc.columns else set()
    for task in expected:
        assert _fold(task["content"]) in folded, (doc.stem, task["ref"], "content")
        if task["result"]:
            assert _fold(task["result"]) in folded, (doc.stem, task["ref"], "result")
        if "deadline" in fields:
            assert task["deadline_text"], (doc.stem, task["ref"], "empty deadline cell")
    for task in expected:
        for name in ("lead", "coordinators", "executors"):
            for agency in task[name]:
                # "Các Sở: Y tế, Nội vụ" names "Sở Y tế" and "Sở Nội vụ" (expanded, as seed 000)
                expanded = agency.startswith("Sở ") and _fold(agency[3:]) in folded
                assert _fold(agency) in folded or expanded, (doc.stem, task["ref"], agency)
        if task["deadline_text"] and doc.ext != "xlsx":
            assert _fold(task["deadline_text"]) in folded, (
                doc.stem,
                task["ref"],
                task["deadline_text"],
            )
        if task["lead"] == [] and doc.layout not in ("prose",):
            raise AssertionError((doc.stem, task["ref"], "no lead"))


def fix_zip_times(path: Path) -> None:
    """Rewrite an Office zip with fixed entry times, so a rebuild gives the same bytes."""
    import io
    import zipfile

    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-03-01T00:00:00Z", data
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 3, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
    path.write_bytes(buffer.getvalue())


def build(doc: Doc) -> dict:
    folder = ROOT / doc.split
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{doc.stem}.{doc.ext}"
    anchor = anchor_of(doc)
    if doc.layout in ("prose", "labelled"):
        pairs = prose_tasks(doc)
        full_text = "\n".join(text_lines(doc))
        (write_docx_text if doc.ext == "docx" else write_text)(doc, path)
    else:
        pairs = [(item, ref) for item, ref in table_rows(doc) if isinstance(item, Task)]
        full_text = (
            "\n".join(doc.title + doc.after)
            + "\n"
            + "\n".join(
                "\n".join(str(cell_value(doc, t, n) or "") for _h, n in flat_columns(doc))
                for t, _ in pairs
            )
        )
        writer = {"docx": write_docx_table, "xlsx": write_xlsx, "pdf": write_pdf, "txt": write_tsv}[
            doc.ext
        ]
        writer(doc, path)
    if doc.ext in ("docx", "xlsx"):
        fix_zip_times(path)
    expected = [expected_task(task, ref, anchor) for task, ref in pairs]
    check_doc(doc, expected, full_text)
    payload = {"source": path.name, "tasks": expected}
    (folder / f"{doc.stem}.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return {
        "path": f"{doc.split}/{path.name}",
        "expected": f"{doc.split}/{doc.stem}.json",
        "layout": doc.layout,
        "format": doc.ext,
        "tasks": len(expected),
        "split": doc.split,
    }


def main() -> int:
    import importlib

    docs = []
    for module in sorted(HERE.glob("docs_*.py")):
        docs.extend(importlib.import_module(module.stem).DOCS)
    nums = [d.num for d in docs]
    assert len(nums) == len(set(nums)), nums
    entries = [build(doc) for doc in sorted(docs, key=lambda d: d.num)]
    manifest = {
        "description": "Plan documents with expected tasks (domain.md section 6). "
        "dev: develop against it; blind: measure only at the end.",
        "documents": entries,
        "totals": {
            split: {
                "documents": sum(1 for e in entries if e["split"] == split),
                "tasks": sum(e["tasks"] for e in entries if e["split"] == split),
            }
            for split in ("dev", "blind")
        },
    }
    (ROOT / "MANIFEST.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    for e in entries:
        print(f"{e['path']:60} {e['layout']:12} {e['tasks']:3}")
    print(manifest["totals"])
    return 0


if __name__ == "__main__":
    import corpus  # the docs_* modules build on this module's classes, not __main__'s

    raise SystemExit(corpus.main())
