"""Prose directives: "Giao Sở … chủ trì …; báo cáo UBND tỉnh trước ngày …" (seeds 000 and 002)."""

from __future__ import annotations

import json

import pytest

from plans.extract import extract_plan, extract_prose, find_deadline_phrase
from plans.model import Document, Table
from plans.text import read_text_file, text_to_document


@pytest.mark.parametrize("seed", ["000_d3dbd9fbdfd04bb9", "002_c0b54d53ee8d8222"])
def test_seeds_give_the_expected_tasks(seeds_dir, seed):
    plan = extract_plan(read_text_file(seeds_dir / f"{seed}.txt"))
    expected = json.loads((seeds_dir / "expected" / f"{seed}.json").read_text("utf-8"))
    assert plan.as_dict() == expected


DIRECTIVE = """I. MỤC ĐÍCH, YÊU CẦU
1. Các sở, ngành tổ chức quán triệt kế hoạch.
II. TỔ CHỨC THỰC HIỆN
1. Giao Sở Y tế chủ trì, phối hợp với Công an tỉnh tổ chức kiểm tra an toàn thực phẩm; báo cáo UBND tỉnh trước ngày 15/3/2026.
2. Giao Sở Tài chính:
2.1. Bố trí kinh phí thực hiện Kế hoạch.
2.2. Hướng dẫn thanh quyết toán hằng quý.
3. Sở Nội vụ tham mưu khen thưởng; Thanh tra tỉnh kiểm tra việc thực hiện.
Nơi nhận:
- Như trên.
"""


def test_assignments_reports_sub_items_and_other_agencies():
    tasks = extract_prose(text_to_document(DIRECTIVE, source="x.txt"))
    refs = [task.ref for task in tasks]
    assert refs == ["1.a", "1.b", "2.1", "2.2", "3.a", "3.b"]
    check, report, funds, guide, awards, inspection = tasks
    assert check.lead == ["Sở Y tế"] and check.coordinators == ["Công an tỉnh"]
    assert check.deadline is not None and check.deadline.kind == "ongoing"
    assert report.content == "báo cáo UBND tỉnh trước ngày 15/3/2026."
    assert report.deadline_text == "trước ngày 15/3/2026"
    assert report.deadline is not None and report.deadline.due.isoformat() == "2026-03-14"
    assert (funds.lead, funds.content) == (["Sở Tài chính"], "Bố trí kinh phí thực hiện Kế hoạch.")
    assert guide.deadline_text == "hằng quý"
    assert awards.lead == ["Sở Nội vụ"] and inspection.lead == ["Thanh tra tỉnh"]


def test_a_document_with_a_task_table_only_adds_explicit_assignments():
    table = Table(rows=[["TT", "Nội dung", "Chủ trì"], ["1", "Tuyên truyền", "Sở Y tế"]])
    document = Document(
        source="x.docx",
        blocks=[
            table,
            "III. TỔ CHỨC THỰC HIỆN",
            "1. Giao Văn phòng Sở làm đầu mối theo dõi, báo cáo hằng tháng.",
            "2. Các phòng, đơn vị tổ chức thực hiện Kế hoạch này.",
        ],
    )
    tasks = extract_plan(document).tasks
    assert [(task.ref, task.lead) for task in tasks] == [
        ("1", ["Sở Y tế"]),
        ("III.1", ["Văn phòng Sở"]),
    ]
    assert tasks[1].deadline is not None and tasks[1].deadline.recurrence == "monthly"


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("gửi về Sở Nội vụ trước ngày 02/02/2026.", "trước ngày 02/02/2026"),
        ("định kỳ báo cáo kết quả", "định kỳ"),
        ("thực hiện chế độ báo cáo định kỳ hằng năm và đột xuất", "định kỳ hằng năm"),
        ("hoàn thành trong quý II/2026", "trong quý II/2026"),
        ("chậm nhất ngày 15 tháng 6 năm 2026", "chậm nhất ngày 15 tháng 6 năm 2026"),
        ("theo Nghị quyết số 71-NQ/TW ngày 22/8/2025 của Bộ Chính trị", ""),
    ],
)
def test_deadline_phrases_inside_a_sentence(sentence, phrase):
    assert find_deadline_phrase(sentence) == phrase
