"""Any text or table fed to any extractor: tasks or a UserError, never a crash."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from core.errors import UserError
from plans.agencies import split_agencies
from plans.extract import (
    extract_flattened,
    extract_labelled,
    extract_plan,
    extract_prose,
    extract_tables,
    find_deadline_phrase,
)
from plans.model import Document, Table
from plans.text import text_to_document

# Pieces that steer the extractors into their less travelled paths.
WORDS = [
    "TT",
    "STT",
    "Nội dung",
    "nhiệm vụ",
    "Cơ quan chủ",
    "trì",
    "Cơ quan phối hợp",
    "Kết quả",
    "Thời gian",
    "hoàn thành",
    "Đơn vị thực hiện",
    "- Tham mưu chính:",
    "- Phối hợp thực hiện:",
    "- Thời gian thực hiện:",
    "Giao",
    "Sở Y tế",
    "Sở Văn hóa, Thể thao và Du lịch",
    "UBND",
    "các xã, phường",
    "và",
    "chủ trì",
    "phối hợp với",
    "báo cáo",
    "định kỳ",
    "hằng năm",
    "trước ngày 07/02/2026",
    "Năm 2026",
    "Quý I/2026",
    "Thường xuyên",
    "I.",
    "II -",
    "1.",
    "2.1.",
    "a)",
    "đ)",
    "-",
    ";",
    ":",
    ",",
    "(",
    ")",
    "“",
    "”",
    "71-",
    "NQ/TW",
    "2",
    "12",
    "Nơi nhận:",
    "KT. CHỦ TỊCH",
    "MỤC ĐÍCH, YÊU CẦU",
    "TỔ CHỨC THỰC HIỆN",
    "\t",
    "\n",
    "\n\n",
    " ",
]
TEXT = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=60).map(" ".join)
CELL = st.one_of(st.sampled_from(WORDS), st.text(max_size=20), st.just(""))
TABLE = st.lists(st.lists(CELL, min_size=1, max_size=7), min_size=1, max_size=8).map(
    lambda rows: Table(rows=[["TT", "Nội dung", "Chủ trì", "Thời hạn"], *rows])
)
BLOCKS = st.lists(st.one_of(TEXT, TABLE), max_size=6)
EXTRACTORS = (extract_tables, extract_flattened, extract_labelled, extract_prose)


def _run_all(document: Document) -> None:
    for extractor in EXTRACTORS:
        for task in extractor(document):
            assert task.content.strip()
            assert task.deadline is not None
    try:
        plan = extract_plan(document)
    except UserError as error:
        assert error.message
    else:
        assert plan.tasks
        refs = [task.ref for task in plan.tasks]
        assert len(refs) == len(set(refs))


@given(TEXT)
def test_random_text_never_crashes(text):
    _run_all(text_to_document(text, source="fuzz.txt"))


@given(BLOCKS)
def test_random_tables_and_paragraphs_never_crash(blocks):
    _run_all(Document(source="fuzz.docx", blocks=blocks))


@given(TEXT)
def test_agency_lists_and_deadline_phrases_never_crash(text):
    for name in split_agencies(text):
        assert name == name.strip() and name
    phrase = find_deadline_phrase(text)
    assert phrase in text


# --- tables of unseen shape: header words, column order, merged rows ---------------------------

HEADER_WORDS = [
    "Số TT",
    "STT",
    "TT",
    "#",
    "Nội dung công việc",
    "Tên nhiệm vụ",
    "Nhiệm vụ, giải pháp",
    "Công việc",
    "Việc cần làm",
    "Cơ quan chủ trì",
    "Đơn vị/cá nhân thực hiện",
    "Phối hợp",
    "Cùng làm",
    "Kết quả/Sản phẩm",
    "Sản phẩm dự kiến",
    "Hình thức văn bản",
    "Thời gian hoàn thành",
    "Thời hạn",
    "Tiến độ",
    "Hạn",
    "Kinh phí",
    "Ghi chú",
    "Cột lạ",
    "",
]
ROW_VALUES = {
    "number": st.sampled_from(["1", "2", "1.1", "2.3", "II", "a", "b)", "12", ""]),
    "content": st.sampled_from(
        [
            "Rà soát, cập nhật phương án ứng phó thiên tai",
            "Tập huấn kỹ năng số cho cán bộ cấp xã",
            "Kiểm tra an toàn thực phẩm tại chợ đầu mối",
            "1.1",
            "",
        ]
    ),
    "agency": st.sampled_from(
        ["Sở Y tế", "Công an tỉnh", "UBND các xã, phường", "Sở Tài chính; Sở Nội vụ", ""]
    ),
    "deadline": st.sampled_from(["Quý III/2026", "30/09/2026", "Hằng năm", "Thường xuyên", ""]),
    "text": st.one_of(st.sampled_from(["Báo cáo", "Quyết định của UBND tỉnh", ""]), CELL),
}
KINDS = list(ROW_VALUES)
MERGED = st.sampled_from(
    ["A. NHIỆM VỤ CHUNG", "I. TUYÊN TRUYỀN", "1. Nhóm nhiệm vụ về hạ tầng số", "B", "Phần II"]
)


@st.composite
def unseen_tables(draw) -> Table:
    """A header of random words over columns of random kinds in random order, with rows merged
    across the table scattered between the task rows."""
    width = draw(st.integers(min_value=2, max_value=7))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=width, max_size=width))
    header = draw(st.lists(st.sampled_from(HEADER_WORDS), min_size=width, max_size=width))
    rows: list[list[str]] = [header]
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        if draw(st.booleans()) and draw(st.booleans()):
            rows.append([draw(MERGED)] + [""] * (width - 1))
        rows.append([draw(ROW_VALUES[kind]) for kind in kinds])
    return Table(rows=rows)


_NUMBER_ONLY = re.compile(r"^[\dIVXivx.,)(/\s-]*$")


@given(st.lists(unseen_tables(), min_size=1, max_size=3))
def test_unseen_tables_never_crash_and_never_give_a_number_or_nothing_as_content(tables):
    document = Document(source="fuzz.xlsx", blocks=list(tables))
    try:
        plan = extract_plan(document)
    except UserError as error:
        assert error.message
        return
    for task in plan.tasks:
        assert task.content.strip(), task
        assert not _NUMBER_ONLY.match(task.content), task


def test_a_list_item_without_a_task_is_refused_not_imported_empty():
    # Found by the fuzzer: a label line with nothing after it is shaped like a task.
    _run_all(text_to_document(":\r - Tham mưu chính:", source="fuzz.txt"))
