"""Any text or table fed to any extractor: tasks or a UserError, never a crash."""

from __future__ import annotations

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
