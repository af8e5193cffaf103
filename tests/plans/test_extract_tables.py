"""Task tables: Table blocks and tab-separated text, in any column order."""

from __future__ import annotations

import json

import pytest

from core.errors import UserError
from plans.extract import extract_plan, extract_tables, header_columns
from plans.model import Document, Table
from plans.text import read_text_file, text_to_document

SEED_003 = "003_d0be1ff9ce6fea24"
HEADER = ["TT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện", "Sản phẩm"]


def _table(rows: list[list[str]]) -> Document:
    return Document(source="plan.docx", blocks=["KẾ HOẠCH", Table(rows=rows)])


def test_seed_003_appendix_table_gives_the_expected_tasks(seeds_dir):
    plan = extract_plan(read_text_file(seeds_dir / f"{SEED_003}.txt"))
    expected = json.loads((seeds_dir / "expected" / f"{SEED_003}.json").read_text("utf-8"))
    assert plan.as_dict() == expected


def test_columns_in_another_order_are_read_by_their_header_names(seeds_dir):
    document = read_text_file(seeds_dir / f"{SEED_003}.txt")
    table = next(block for block in document.blocks if isinstance(block, Table))
    order = [5, 3, 0, 4, 2, 1]
    shuffled = Table(rows=[[row[index] for index in order] for row in table.rows])
    expected = json.loads((seeds_dir / "expected" / f"{SEED_003}.json").read_text("utf-8"))
    tasks = extract_tables(Document(source=document.source, blocks=[shuffled]))
    assert [task.as_dict() for task in tasks] == expected["tasks"]


def test_repeated_header_section_rows_and_multiline_cells():
    rows = [
        HEADER,
        ["I", "TUYÊN TRUYỀN", "TUYÊN TRUYỀN", "TUYÊN TRUYỀN", "TUYÊN TRUYỀN", "TUYÊN TRUYỀN"],
        [
            "1",
            "Quán triệt Nghị quyết số 71-\nNQ/TW",
            "Sở Văn hóa,\nThể thao và Du lịch",
            "",
            "Quý I/2026",
            "",
        ],
        HEADER,
        ["2", "Tổ chức hội nghị", "Sở GD&ĐT;", "Các đơn vị liên quan", "Năm 2026", "Hội nghị"],
        ["II. KIỂM TRA", "", "", "", "", ""],
        [
            "1",
            "Kiểm tra việc thực hiện",
            "Thanh tra tỉnh",
            "Sở Nội vụ, Sở Tài chính",
            "Hằng năm",
            "",
        ],
    ]
    tasks = extract_tables(_table(rows))
    assert [task.ref for task in tasks] == ["I.1", "I.2", "II.1"]
    assert tasks[0].content == "Quán triệt Nghị quyết số 71-NQ/TW"
    assert tasks[0].lead == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert tasks[0].deadline is not None and tasks[0].deadline.due.isoformat() == "2026-03-31"
    assert tasks[1].lead == ["Sở GD&ĐT"]
    assert tasks[2].coordinators == ["Sở Nội vụ", "Sở Tài chính"]
    assert tasks[2].deadline is not None and tasks[2].deadline.recurrence == "yearly"


def test_lettered_rows_under_a_heading_row_and_a_row_split_by_a_page_break():
    rows = [
        ["STT", "Nhiệm vụ", "Chủ trì", "Thời hạn"],
        ["1", "Xây dựng văn bản", "", ""],
        ["a", "Kế hoạch năm", "Sở Nội vụ", "Tháng 5/2026"],
        ["b", "Báo cáo sơ kết", "Sở Y tế", "6 tháng đầu năm 2026"],
        ["", "gửi UBND tỉnh", "", ""],
    ]
    tasks = extract_tables(_table(rows))
    assert [task.ref for task in tasks] == ["1.a", "1.b"]
    assert tasks[1].content == "Báo cáo sơ kết gửi UBND tỉnh"
    assert tasks[1].deadline is not None and tasks[1].deadline.due.isoformat() == "2026-06-30"


def test_tab_separated_text_becomes_a_table():
    text = "Phụ lục\n\nTT\tNội dung\tChủ trì\n1\t<i>Tuyên truyền</i>\tSở Y tế\n\n2\t**Kiểm tra**\tCông an tỉnh\n"
    document = text_to_document(text, source="x.txt")
    assert document.blocks[0] == "Phụ lục"
    assert isinstance(document.blocks[1], Table) and len(document.blocks[1].rows) == 3
    tasks = extract_plan(document).tasks
    assert [(task.content, task.lead) for task in tasks] == [
        ("Tuyên truyền", ["Sở Y tế"]),
        ("Kiểm tra", ["Công an tỉnh"]),
    ]
    assert tasks[0].deadline is not None and tasks[0].deadline.kind == "ongoing"


@pytest.mark.parametrize(
    ("cell", "field"),
    [
        ("Nội dung nhiệm vụ", "content"),
        ("Cơ quan chủ trì", "lead"),
        ("Tham mưu chính", "lead"),
        ("Phối hợp thực hiện", "coordinators"),
        ("Đơn vị thực hiện", "executors"),
        ("Kết quả/sản phẩm", "result"),
        ("Thời hạn hoàn thành", "deadline"),
        ("STT", "number"),
    ],
)
def test_header_synonyms(cell, field):
    row = (
        ["TT", "Nội dung", cell]
        if field not in ("content", "number")
        else [cell, "Chủ trì", "Nội dung"]
    )
    columns = header_columns(row)
    assert columns is not None and field in columns.values()


def test_a_document_without_tasks_raises_a_user_error_in_vietnamese():
    document = Document(
        source="x.txt", blocks=["Kính gửi các đơn vị.", Table(rows=[["a", "b"], ["c", "d"]])]
    )
    with pytest.raises(UserError) as error:
        extract_plan(document)
    assert "Không tìm thấy nhiệm vụ" in error.value.message
