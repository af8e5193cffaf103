"""Plans a clerk would write in the seeds' layouts, with other agencies, wordings and numbering.

The seeds are what the extractor was developed against; these variants check that its rules
are general. Each expected task is written by hand, as a careful reader would extract it.
"""

from __future__ import annotations

from plans.extract import extract_plan
from plans.text import text_to_document


def _tasks(text: str) -> list[tuple[str, str, list[str], list[str], str, str]]:
    """(ref, content, lead, coordinators, result, deadline_text) of every task found."""
    plan = extract_plan(text_to_document(text, source="variant.txt"))
    return [
        (task.ref, task.content, task.lead, task.coordinators, task.result, task.deadline_text)
        for task in plan.tasks
    ]


def _due(text: str) -> dict[str, str | None]:
    """ref -> due date (ISO) or recurrence of every task found."""
    plan = extract_plan(text_to_document(text, source="variant.txt"))
    found: dict[str, str | None] = {}
    for task in plan.tasks:
        assert task.deadline is not None
        due = task.deadline.due.isoformat() if task.deadline.due else None
        found[task.ref] = due or task.deadline.recurrence or task.deadline.kind
    return found


# --- a table flattened by PDF text extraction (seed 001's layout) ----------------------------

FLATTENED_OTHER_AGENCIES = """Phụ lục I
NHIỆM VỤ CỤ THỂ
TT Nội dung nhiệm vụ
Cơ quan chủ
trì
Cơ quan phối hợp Kết quả
Thời gian
hoàn thành
I. Thu hút đầu tư
1
Xây dựng danh mục dự án kêu gọi đầu tư vào
các khu công nghiệp giai đoạn 2026 - 2030
Ban Quản lý các
khu công nghiệp
tỉnh
Trung tâm Xúc tiến
Đầu tư, Thương mại
và Du lịch
Danh mục dự án
Quý III/2026
2
Kiểm tra việc chấp hành pháp luật về an
toàn thực phẩm tại các chợ, siêu thị
Sở Y tế
Công an tỉnh; UBND
các xã, phường
Báo cáo kết quả
kiểm tra
Hằng quý
II. Cải thiện môi trường kinh doanh
1
Xây dựng quy chế phối hợp quản lý cụm công
nghiệp trên địa bàn tỉnh
Sở Công Thương
Sở Tài chính, Sở
Xây dựng, UBND
các xã, phường
Quyết định của
UBND tỉnh
Trước ngày 15/12/2026
"""


def test_flattened_table_with_other_agencies_wrapped_anywhere():
    assert _tasks(FLATTENED_OTHER_AGENCIES) == [
        (
            "I.1",
            "Xây dựng danh mục dự án kêu gọi đầu tư vào các khu công nghiệp giai đoạn 2026 - 2030",
            ["Ban Quản lý các khu công nghiệp tỉnh"],
            # A name wrapped before a capital ("Xúc tiến" / "Đầu tư") is still one name.
            ["Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch"],
            "Danh mục dự án",
            "Quý III/2026",
        ),
        (
            "I.2",
            "Kiểm tra việc chấp hành pháp luật về an toàn thực phẩm tại các chợ, siêu thị",
            ["Sở Y tế"],
            ["Công an tỉnh", "UBND các xã, phường"],
            "Báo cáo kết quả kiểm tra",
            "Hằng quý",
        ),
        (
            "II.1",
            "Xây dựng quy chế phối hợp quản lý cụm công nghiệp trên địa bàn tỉnh",
            ["Sở Công Thương"],
            ["Sở Tài chính", "Sở Xây dựng", "UBND các xã, phường"],
            "Quyết định của UBND tỉnh",
            "Trước ngày 15/12/2026",
        ),
    ]
    assert _due(FLATTENED_OTHER_AGENCIES) == {
        "I.1": "2026-09-30",
        "I.2": "quarterly",
        "II.1": "2026-12-14",
    }


FLATTENED_SYNONYMS = """KẾ HOẠCH
Cải cách hành chính năm 2026
STT Nhiệm vụ Đơn vị chủ trì Đơn vị phối hợp
Thời gian
thực hiện
Sản phẩm
1.
Rà soát, đơn giản hóa thủ tục hành chính
trong lĩnh vực đất đai
Sở Nông nghiệp và
Môi trường
Văn phòng UBND
tỉnh
Quý II/2026
Quyết định phê
duyệt phương án
2.
Tuyên truyền cải cách hành chính
Sở Văn hóa, Thể thao
và Du lịch
Báo và Phát thanh,
Truyền hình tỉnh
Thường xuyên
Tin, bài
3.
Kiểm tra công tác cải cách hành chính tại
các cơ quan, đơn vị
Sở Nội vụ
Tháng 10/2026
Báo cáo kết quả
kiểm tra
"""


def test_flattened_table_with_header_synonyms_other_column_order_and_a_missing_cell():
    assert _tasks(FLATTENED_SYNONYMS) == [
        (
            "1",
            "Rà soát, đơn giản hóa thủ tục hành chính trong lĩnh vực đất đai",
            ["Sở Nông nghiệp và Môi trường"],
            ["Văn phòng UBND tỉnh"],
            "Quyết định phê duyệt phương án",
            "Quý II/2026",
        ),
        (
            "2",
            "Tuyên truyền cải cách hành chính",
            ["Sở Văn hóa, Thể thao và Du lịch"],
            # A known name that does not begin with a head word ("Báo và Phát thanh, …").
            ["Báo và Phát thanh, Truyền hình tỉnh"],
            "Tin, bài",
            "Thường xuyên",
        ),
        (
            "3",
            "Kiểm tra công tác cải cách hành chính tại các cơ quan, đơn vị",
            ["Sở Nội vụ"],
            [],
            "Báo cáo kết quả kiểm tra",
            "Tháng 10/2026",
        ),
    ]
