"""The plan's title, as a reader would cite the document: kind, number and subject."""

from __future__ import annotations

from datetime import date

import pytest

from plans.extract import extract_plan, find_issue_date
from plans.model import Document, Table
from plans.text import read_text_file, text_to_document

TASK = "\n1. Giao Sở Y tế chủ trì kiểm tra an toàn thực phẩm, báo cáo trước ngày 15/3/2026.\n"


@pytest.mark.parametrize(
    ("seed", "title"),
    [
        # A letter with neither subject line nor number: nothing to name it by.
        ("000_d3dbd9fbdfd04bb9", None),
        ("001_7249d285a22bf50e", "Phụ lục II các nhiệm vụ trọng tâm"),
        ("002_c0b54d53ee8d8222", "Kế hoạch số 31-KH/BTGDUK công tác khoa giáo năm 2024"),
        # The number is given where the appendix says what it is attached to.
        (
            "003_d0be1ff9ce6fea24",
            "Kế hoạch số 68-KH/BTGDVTU thực hiện Nghị quyết số 06-NQ/TU, ngày 04/3/2026 của "
            "Ban Chấp hành Đảng bộ tỉnh về nâng cao chất lượng giáo dục và đào tạo trên địa "
            "bàn tỉnh Lai Châu giai đoạn 2026-2030",
        ),
        # A subject wrapped over three lines; "Số: /KH-SGDĐT" has no number yet.
        (
            "004_b38089360ac554a6",
            "Kế hoạch thực hiện Chương trình số 01-CTr/TU ngày 27/9/2025 của Ban chấp hành "
            "Đảng bộ tỉnh thực hiện Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ I, nhiệm "
            "kỳ 2025-2030",
        ),
    ],
)
def test_seed_titles(seeds_dir, seed, title):
    assert extract_plan(read_text_file(seeds_dir / f"{seed}.txt")).title == title


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        (
            "ỦY BAN NHÂN DÂN TỈNH\nSố: 45/KH-UBND\nKẾ HOẠCH Triển khai Đề án 06 năm 2026",
            "Kế hoạch số 45/KH-UBND triển khai Đề án 06 năm 2026",
        ),
        (
            "CHƯƠNG TRÌNH HÀNH ĐỘNG\nTHỰC HIỆN NGHỊ QUYẾT SỐ 57-NQ/TW\nKính gửi: các sở, ngành",
            "Chương trình hành động thực hiện nghị quyết số 57-NQ/TW",
        ),
        (
            "Số: 123/UBND-KT\nV/v triển khai phòng, chống dịch bệnh trên cây trồng",
            "Công văn số 123/UBND-KT V/v triển khai phòng, chống dịch bệnh trên cây trồng",
        ),
        ("Số 12-KH/ĐU\nĐắk Lắk, ngày 02 tháng 3 năm 2026", "Kế hoạch số 12-KH/ĐU"),
        (
            "PHỤ LỤC\n(Kèm theo Kế hoạch số 45/KH-UBND ngày 02/3/2026 của UBND tỉnh)",
            "Phụ lục (kèm theo Kế hoạch số 45/KH-UBND)",
        ),
        # "Kế hoạch này" in the body is not a heading.
        ("Kế hoạch này được triển khai trong toàn tỉnh.", None),
    ],
)
def test_titles_from_headings(heading, title):
    plan = extract_plan(text_to_document(heading + TASK, source="x.txt"))
    assert plan.title == title


def test_number_in_a_docx_letterhead_table():
    letterhead = Table(
        rows=[
            [
                "ỦY BAN NHÂN DÂN TỈNH\nSố: 45/KH-UBND",
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
            ]
        ]
    )
    document = Document(
        "x.docx",
        [letterhead, "KẾ HOẠCH", "Triển khai Đề án 06 năm 2026", TASK.strip()],
    )
    assert extract_plan(document).title == "Kế hoạch số 45/KH-UBND triển khai Đề án 06 năm 2026"


@pytest.mark.parametrize(
    ("head", "issued"),
    [
        ("Quảng Ngãi, ngày 10 tháng 01 năm 2026", date(2026, 1, 10)),
        # Day and month are filled in by hand at signing: the year is what the file knows.
        ("Số: /KH-SGDĐT        Quảng Ngãi, ngày      tháng     năm 2025", date(2025, 1, 1)),
        ("Đắk Lắk, ngày        tháng 01 năm 2026", date(2026, 1, 1)),
        ("Ha Noi, ngay 05 thang 3 nam 2026", date(2026, 3, 5)),
        ("Lai Châu, ngày 04/3/2026", date(2026, 3, 4)),
        ("Quảng Ngãi, ngày 31 tháng 02 năm 2026", date(2026, 2, 1)),
        # A cited document's date is not the plan's.
        ("Căn cứ Nghị quyết số 44/2021/NQ-HĐND ngày 29 tháng 4 năm 2021", None),
    ],
)
def test_the_date_a_plan_was_signed(head, issued):
    document = text_to_document(f"UBND TỈNH\n{head}\nKẾ HOẠCH\nVề công tác năm\n", source="x")
    assert find_issue_date(document) == issued


def test_deadlines_without_a_year_take_it_from_the_plans_date():
    text = (
        "UBND TỈNH QUẢNG NGÃI\nQuảng Ngãi, ngày    tháng 11 năm 2026\nKẾ HOẠCH\n"
        "Cải cách hành chính\n\nTT\tNội dung\tChủ trì\tThời gian\n"
        "1\tRà soát thủ tục hành chính\tSở Nội vụ\ttrước ngày 15/12\n"
        "2\tTổng kết công tác năm\tSở Tư pháp\ttrước ngày 15/01\n"
        "3\tTheo dõi thi hành\tSở Tư pháp\tTheo yêu cầu\n"
    )
    tasks = extract_plan(text_to_document(text, source="x")).tasks
    # The first 15/12 after the plan's date, and the January after it.
    assert [task.deadline.due for task in tasks] == [date(2026, 12, 14), date(2027, 1, 14), None]
    assert [task.deadline.kind for task in tasks] == ["fixed", "fixed", "undetermined"]


def test_a_plan_without_a_date_leaves_a_yearless_deadline_for_a_coordinator():
    text = "TT\tNội dung\tChủ trì\tThời gian\n1\tRà soát thủ tục\tSở Nội vụ\ttrước ngày 15/12\n"
    (task,) = extract_plan(text_to_document(text, source="x")).tasks
    assert task.deadline.kind == "undetermined" and task.deadline_text == "trước ngày 15/12"
