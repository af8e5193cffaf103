"""Task tables flattened by PDF text extraction: one cell's lines after another (seed 001)."""

from __future__ import annotations

import json

from plans.extract import extract_flattened, extract_plan
from plans.model import Document
from plans.text import read_text_file

SEED_001 = "001_7249d285a22bf50e"


def _lines(text: str) -> Document:
    return Document(source="plan.pdf", blocks=[line for line in text.split("\n") if line.strip()])


def test_seed_001_gives_the_expected_tasks(seeds_dir):
    plan = extract_plan(read_text_file(seeds_dir / f"{SEED_001}.txt"))
    expected = json.loads((seeds_dir / "expected" / f"{SEED_001}.json").read_text("utf-8"))
    assert plan.as_dict() == expected


PAGE = """Phụ lục
TT Nội dung nhiệm vụ
Cơ quan chủ
trì
Cơ quan phối hợp Kết quả
Thời gian
hoàn thành
I. Tuyên truyền
1
Tổ chức tuyên truyền Nghị quyết số 71-
NQ/TW trong toàn tỉnh
Sở Văn hóa,
Thể thao và Du
lịch
Các đơn vị liên
quan
Kế hoạch Quý I/2026
2
Xây dựng kế hoạch của từng cơ quan, đơn
vị
Sở, ngành, các xã,
phường và cơ quan,
đơn vị liên quan
Kế hoạch
Năm 2026
2
TT Nội dung nhiệm vụ
Cơ quan chủ
trì
Cơ quan phối hợp Kết quả
Thời gian
hoàn thành
II. Chuyển đổi số
1
Xây dựng cơ sở dữ liệu ngành giáo dục và
Sở Giáo dục và
Đào tạo
Công an tỉnh
Hệ thống
Theo lộ trình
Trung ương
TT Nội dung nhiệm vụ
Cơ quan chủ
trì
Cơ quan phối hợp Kết quả
Thời gian
hoàn thành
đào tạo của tỉnh
"""


def test_page_breaks_page_numbers_missing_cells_and_joined_cells():
    tasks = extract_flattened(_lines(PAGE))
    assert [task.ref for task in tasks] == ["I.1", "I.2", "II.1"]
    first, second, third = tasks
    assert first.content == "Tổ chức tuyên truyền Nghị quyết số 71-NQ/TW trong toàn tỉnh"
    assert first.lead == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert first.coordinators == ["Các đơn vị liên quan"]
    assert (first.result, first.deadline_text) == ("Kế hoạch", "Quý I/2026")
    # No coordinator cell at all: the only agency list is the lead.
    assert second.lead == ["Sở, ngành, các xã, phường và cơ quan, đơn vị liên quan"]
    assert second.coordinators == []
    assert (second.result, second.deadline_text) == ("Kế hoạch", "Năm 2026")
    # The content runs on after the page header at the end.
    assert third.content == "Xây dựng cơ sở dữ liệu ngành giáo dục và đào tạo của tỉnh"
    assert (third.lead, third.coordinators) == (["Sở Giáo dục và Đào tạo"], ["Công an tỉnh"])
    assert third.deadline is not None and third.deadline.kind == "undetermined"


def test_columns_in_another_order():
    text = """STT Nội dung
Thời hạn Chủ trì
1
Rà soát văn bản quy phạm pháp luật
Tháng 6/2026
Sở Tư pháp
2
Kiểm tra việc thực hiện
Hằng quý
Thanh tra tỉnh
"""
    tasks = extract_flattened(_lines(text))
    assert [(task.ref, task.lead, task.deadline_text) for task in tasks] == [
        ("1", ["Sở Tư pháp"], "Tháng 6/2026"),
        ("2", ["Thanh tra tỉnh"], "Hằng quý"),
    ]
    assert tasks[1].deadline is not None and tasks[1].deadline.recurrence == "quarterly"


def test_prose_without_a_header_is_not_a_flattened_table():
    text = "1. Giao Sở Y tế chủ trì tổ chức kiểm tra.\n2. Thời gian thực hiện: Năm 2026."
    assert extract_flattened(_lines(text)) == []
