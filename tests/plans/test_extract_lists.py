"""Labelled lists: "a) <content>" then "- Tham mưu chính: …; - Thời gian thực hiện: …" (seed 004)."""

from __future__ import annotations

import json

from plans.extract import extract_labelled, extract_plan
from plans.model import Document
from plans.text import read_text_file, text_to_document

SEED_004 = "004_b38089360ac554a6"


def test_seed_004_gives_the_expected_tasks(seeds_dir):
    plan = extract_plan(read_text_file(seeds_dir / f"{SEED_004}.txt"))
    expected = json.loads((seeds_dir / "expected" / f"{SEED_004}.json").read_text("utf-8"))
    assert plan.as_dict() == expected


LIST = """II. NHIỆM VỤ
1. Công tác tham mưu
1.1. Trình HĐND tỉnh các nghị quyết:
a) Nghị quyết về học phí năm học
2026-2027 của tỉnh.
- Chủ trì: Phòng Kế hoạch - Tài chính;
- Phối hợp: Sở Tài chính, Sở Tư pháp;
- Thời hạn: Tháng 7/2026.
c) Nghị quyết về hỗ trợ giáo viên mầm non làm việc ở vùng khó
12
khăn.
- Chủ trì: Phòng Giáo dục Mầm non;
- Thời hạn: Quý III/2026;
- Sản phẩm: Nghị quyết.
1.2. Công tác cải cách hành chính
Rà soát thủ tục hành chính thuộc thẩm quyền.
- Chủ trì: Văn phòng Sở;
- Thời hạn: Hằng quý.
"""


def test_items_headings_page_numbers_and_other_label_names():
    tasks = extract_labelled(text_to_document(LIST, source="x.txt"))
    assert [task.ref for task in tasks] == ["1.1.a", "1.1.c", "1.2"]
    first, second, third = tasks
    assert first.content == "Nghị quyết về học phí năm học 2026-2027 của tỉnh."
    assert first.lead == ["Phòng Kế hoạch - Tài chính"]
    assert first.coordinators == ["Sở Tài chính", "Sở Tư pháp"]
    assert first.deadline_text == "Tháng 7/2026"
    assert first.deadline is not None and first.deadline.due.isoformat() == "2026-07-31"
    # The page number "12" inside the item is dropped; letters may skip (no "b").
    assert second.content == "Nghị quyết về hỗ trợ giáo viên mầm non làm việc ở vùng khó khăn."
    # The last label's "." closes the item, as ";" closes the others.
    assert second.result == "Nghị quyết"
    # A heading followed by its text: the text is the content, the heading gives the ref.
    assert third.content == "Rà soát thủ tục hành chính thuộc thẩm quyền."
    assert third.deadline is not None and third.deadline.recurrence == "quarterly"


def test_labels_without_a_lead_or_a_second_label_are_not_a_task():
    document = Document(
        source="x.txt", blocks=["a) Một nội dung.", "- Thời gian thực hiện: Năm 2026."]
    )
    assert extract_labelled(document) == []
