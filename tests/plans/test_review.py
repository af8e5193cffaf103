"""The review workbook: what was extracted, corrected in Excel, imported back exactly."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from core.errors import UserError
from plans.doubts import (
    CONTENT_SHORT,
    DEADLINE_NOT_UNDERSTOOD,
    GROUP_LEAD,
    LEAD_UNKNOWN,
    task_doubts,
)
from plans.extract import extract_plan
from plans.model import ExtractedPlan, TaskDraft
from plans.readers import read_document
from plans.review import REVIEW_HEADER, write_review
from plans.text import read_text_file
from schedules.deadlines import parse_deadline

CORPUS = Path(__file__).resolve().parents[1] / "data" / "plans"


def _dev_documents() -> list[Path]:
    manifest = CORPUS / "MANIFEST.json"
    if not manifest.is_file():
        return []
    entries = json.loads(manifest.read_text("utf-8"))["documents"]
    return [CORPUS / entry["path"] for entry in entries if entry.get("split") == "dev"]


def _seed_documents() -> list[str]:
    return ["000", "001", "002", "003", "004"]


def _same(plan: ExtractedPlan, again: ExtractedPlan) -> None:
    assert again.title == plan.title
    assert [task.as_dict() for task in again.tasks] == [task.as_dict() for task in plan.tasks]
    for task, back in zip(plan.tasks, again.tasks, strict=True):
        assert back.deadline_text == task.deadline_text
        assert (back.deadline is not None) and back.deadline.understood == task.deadline.understood


def _round_trip(plan: ExtractedPlan, folder: Path) -> ExtractedPlan:
    path = write_review(folder / "bang-kiem-tra.xlsx", plan)
    return extract_plan(read_document(path))


@pytest.mark.parametrize("prefix", _seed_documents())
def test_every_seed_comes_back_unchanged_from_its_review_workbook(seeds_dir, tmp_path, prefix):
    path = next(seeds_dir.glob(f"{prefix}_*.txt"))
    plan = extract_plan(read_text_file(path))
    _same(plan, _round_trip(plan, tmp_path))


@pytest.mark.parametrize("path", _dev_documents(), ids=lambda path: path.stem)
def test_every_corpus_document_comes_back_unchanged(tmp_path, path):
    plan = extract_plan(read_document(path))
    _same(plan, _round_trip(plan, tmp_path))


def test_the_corpus_is_there_to_round_trip():
    assert len(_dev_documents()) >= 10


def _rows(path: Path) -> tuple[openpyxl.Workbook, openpyxl.worksheet.worksheet.Worksheet]:
    workbook = openpyxl.load_workbook(path)
    return workbook, workbook["Nhiệm vụ"]


def _cell(sheet, ref: str, header: str):
    column = REVIEW_HEADER.index(header) + 1
    for row in range(3, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == ref:
            return sheet.cell(row=row, column=column)
    raise AssertionError(ref)


@pytest.mark.parametrize(
    ("header", "value", "field", "expected"),
    [
        ("Cơ quan chủ trì", "Sở Y tế; Công an tỉnh", "lead", ["Sở Y tế", "Công an tỉnh"]),
        ("Cơ quan phối hợp", "", "coordinators", []),
        ("Nội dung nhiệm vụ", "Một nội dung đã sửa lại cho đúng", "content", None),
        ("Kết quả/Sản phẩm", "Báo cáo tổng kết", "result", "Báo cáo tổng kết"),
    ],
)
def test_a_corrected_cell_changes_just_that_field(
    seeds_dir, tmp_path, header, value, field, expected
):
    plan = extract_plan(read_text_file(next(seeds_dir.glob("003_*.txt"))))
    path = write_review(tmp_path / "r.xlsx", plan)
    workbook, sheet = _rows(path)
    ref = plan.tasks[2].ref
    _cell(sheet, ref, header).value = value
    workbook.save(path)
    again = extract_plan(read_document(path))
    before = [task.as_dict() for task in plan.tasks]
    after = [task.as_dict() for task in again.tasks]
    changed = [
        (index, key)
        for index, (old, new) in enumerate(zip(before, after, strict=True))
        for key in old
        if old[key] != new[key]
    ]
    assert changed == [(2, field)]
    assert after[2][field] == (value if expected is None else expected)


def test_a_corrected_date_is_a_fixed_deadline_on_that_day_and_the_phrase_stays(seeds_dir, tmp_path):
    plan = extract_plan(read_text_file(next(seeds_dir.glob("003_*.txt"))))
    path = write_review(tmp_path / "r.xlsx", plan)
    workbook, sheet = _rows(path)
    ref = plan.tasks[0].ref
    _cell(sheet, ref, "Hạn hoàn thành (ngày)").value = date(2026, 11, 20)
    workbook.save(path)
    again = extract_plan(read_document(path)).tasks
    assert again[0].deadline.as_dict()["due"] == "2026-11-20"
    assert again[0].deadline.kind == "fixed"
    assert again[0].deadline_text == plan.tasks[0].deadline_text
    assert [task.as_dict() for task in again[1:]] == [task.as_dict() for task in plan.tasks[1:]]


def test_a_yearless_deadline_keeps_its_year_through_the_date_column(tmp_path):
    """ "trước ngày 15/12" is read against the plan's date on import; the workbook keeps the
    day it meant, so importing it gives the same deadline without the plan's date."""
    deadline = parse_deadline("trước ngày 15/12", today=date(2026, 2, 25))
    task = TaskDraft(
        ref="3",
        content="Ban hành bảng giá đất điều chỉnh",
        lead=["Sở Tài chính"],
        deadline_text="trước ngày 15/12",
        deadline=deadline,
    )
    again = extract_plan(
        read_document(write_review(tmp_path / "r.xlsx", ExtractedPlan("x", [task])))
    )
    assert again.tasks[0].deadline.as_dict() == deadline.as_dict()


def test_the_template_is_empty_and_a_filled_row_is_a_task(tmp_path):
    path = write_review(tmp_path / "mau.xlsx", None)
    with pytest.raises(UserError, match="chưa có dòng nhiệm vụ"):
        extract_plan(read_document(path))
    workbook, sheet = _rows(path)
    for column, value in enumerate(
        [
            "",
            "Tổ chức diễn tập phòng cháy chữa cháy rừng",
            "Bộ Chỉ huy Quân sự tỉnh",
            "",
            "",
            "",
            "Quý III/2026",
        ],
        start=1,
    ):
        sheet.cell(row=3, column=column, value=value)
    workbook.save(path)
    tasks = extract_plan(read_document(path)).tasks
    assert [(task.ref, task.lead, task.deadline.due) for task in tasks] == [
        ("1", ["Bộ Chỉ huy Quân sự tỉnh"], date(2026, 9, 30))
    ]


def test_the_workbook_offers_known_agencies_and_says_why_a_row_is_doubtful(tmp_path):
    tasks = [
        TaskDraft("1", "Rà soát", lead=["Phòng Ma"], deadline=parse_deadline("lúc rảnh")),
        TaskDraft(
            "2",
            "Báo cáo kết quả thực hiện kế hoạch",
            lead=["Các đơn vị liên quan"],
            deadline=parse_deadline("Năm 2026"),
        ),
    ]
    assert task_doubts(tasks[0]) == [LEAD_UNKNOWN, DEADLINE_NOT_UNDERSTOOD, CONTENT_SHORT]
    assert task_doubts(tasks[1]) == [GROUP_LEAD]
    assert task_doubts(tasks[0], is_known=lambda name: name == "Phòng Ma") == [
        DEADLINE_NOT_UNDERSTOOD,
        CONTENT_SHORT,
    ]
    path = write_review(tmp_path / "r.xlsx", ExtractedPlan("x", tasks), agencies=["Phòng Ma"])
    workbook, sheet = _rows(path)
    doubts = [_cell(sheet, ref, "Cần kiểm tra").value for ref in ("1", "2")]
    assert doubts == [
        "chưa rõ cơ quan chủ trì; không hiểu thời hạn; nội dung quá ngắn",
        "chủ trì là một nhóm chung, không ai nhận nhắc việc",
    ]
    validations = sheet.data_validations.dataValidation
    assert validations and validations[0].type == "list"
    listing = workbook["Danh mục cơ quan"]
    names = {row[0].value for row in listing.iter_rows()}
    assert {"Phòng Ma", "Sở Y tế", "Công an tỉnh"} <= names
    assert listing.sheet_state == "hidden"
