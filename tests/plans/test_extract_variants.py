"""Plans a clerk would write in the seeds' layouts, with other agencies, wordings and numbering.

The seeds are what the extractor was developed against; these variants check that its rules
are general. Each expected task is written by hand, as a careful reader would extract it.
"""

from __future__ import annotations

import unicodedata

import pytest

from plans.extract import extract_plan
from plans.model import Document, Table
from plans.readers import read_document
from plans.text import text_to_document
from tests.plans.builders import MERGED_ABOVE, build_docx, build_xlsx


def _tasks(text: str) -> list[tuple[str, str, list[str], list[str], str, str]]:
    """(ref, content, lead, coordinators, result, deadline_text) of every task found."""
    plan = extract_plan(text_to_document(text, source="variant.txt"))
    return [
        (task.ref, task.content, task.lead, task.coordinators, task.result, task.deadline_text)
        for task in plan.tasks
    ]


def _due(text: str) -> dict[str, str | None]:
    """ref -> due date (ISO), else recurrence, else kind ("ongoing") of every task found."""
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


FLATTENED_LETTERED_SECTIONS = """TT Nội dung nhiệm vụ
Đơn vị chủ trì Thời gian
hoàn thành
A. NHIỆM VỤ CHUNG
1
Quán triệt, phổ biến Kế hoạch đến toàn thể cán
bộ, công chức
Văn phòng Sở
Quý I/2026
2
Kiểm tra việc thực hiện
Thanh tra Sở
Hằng năm
B. NHIỆM VỤ CỤ THỂ
1
Tổ chức thi giáo viên dạy giỏi cấp tỉnh
Phòng Giáo dục Trung học
Tháng 11/2026
KT. GIÁM ĐỐC
PHÓ GIÁM ĐỐC
"""


def test_flattened_table_with_sections_lettered_in_capitals():
    # "B. NHIỆM VỤ CỤ THỂ" is the next section, not the signature block ending the table.
    assert [
        (ref, content, lead, deadline)
        for ref, content, lead, _, _, deadline in _tasks(FLATTENED_LETTERED_SECTIONS)
    ] == [
        (
            "A.1",
            "Quán triệt, phổ biến Kế hoạch đến toàn thể cán bộ, công chức",
            ["Văn phòng Sở"],
            "Quý I/2026",
        ),
        ("A.2", "Kiểm tra việc thực hiện", ["Thanh tra Sở"], "Hằng năm"),
        (
            "B.1",
            "Tổ chức thi giáo viên dạy giỏi cấp tỉnh",
            ["Phòng Giáo dục Trung học"],
            "Tháng 11/2026",
        ),
    ]


FLATTENED_BARE_NUMBERS = """TT Nội dung nhiệm vụ
Cơ quan chủ trì Thời gian
hoàn thành
I
TUYÊN TRUYỀN, PHỔ BIẾN
1)
Tuyên truyền Luật Thanh niên năm 2020
Tỉnh đoàn
Quý II/2026
2)
Tổ chức Diễn đàn thanh niên với pháp luật
Tỉnh đoàn
Tháng 3/2026
II
KIỂM TRA, GIÁM SÁT
1)
Kiểm tra việc thực hiện chính sách đối với thanh niên
Sở Nội vụ
Hằng năm
"""


def test_flattened_table_with_a_bare_roman_number_cell_and_rows_numbered_1_paren():
    # "I" alone is a section row's number cell, its title the next cell; "1)" numbers a row.
    assert [
        (ref, content, deadline)
        for ref, content, _, _, _, deadline in _tasks(FLATTENED_BARE_NUMBERS)
    ] == [
        ("I.1", "Tuyên truyền Luật Thanh niên năm 2020", "Quý II/2026"),
        ("I.2", "Tổ chức Diễn đàn thanh niên với pháp luật", "Tháng 3/2026"),
        ("II.1", "Kiểm tra việc thực hiện chính sách đối với thanh niên", "Hằng năm"),
    ]


# --- labelled lists (seed 004's layout) --------------------------------------------------------

LABELLED_SYNONYMS = """II. NHIỆM VỤ TRỌNG TÂM
1. Công tác quản lý nhà nước
a) Xây dựng kế hoạch kiểm tra chuyên ngành năm 2026.
- Thời gian thực hiện: Quý I/2026;
- Chủ trì: Thanh tra Sở;
- Phối hợp: Văn phòng Sở, các phòng chuyên môn.
b) Tổ chức tập huấn nghiệp vụ cho cán bộ quản lý.
- Đơn vị chủ trì: Phòng Tổ chức cán bộ;
- Thời hạn: Tháng 6/2026.
c) Báo cáo kết quả thực hiện kế hoạch.
- Cơ quan chủ trì: Văn phòng Sở;
- Cơ quan phối hợp: Các phòng chuyên môn, nghiệp vụ thuộc Sở;
- Sản phẩm: Báo cáo;
- Thời gian hoàn thành: Hằng quý.
2. Công tác chuyển đổi số
1) Triển khai phần mềm quản lý hồ sơ công việc.
- Tham mưu chính: Phòng Quản lý chất lượng giáo dục và Công nghệ thông tin;
- Kết quả: Phần mềm được đưa vào sử dụng;
- Thời gian thực hiện: Năm 2026.
2) Số hóa hồ sơ lưu trữ.
- Tham mưu chính: Văn phòng Sở;
- Phối hợp thực hiện: Trung tâm Lưu trữ lịch sử tỉnh;
- Thời gian thực hiện: 6 tháng đầu năm 2026.
"""


def test_labels_in_another_order_with_other_names_some_missing_and_numbered_items():
    assert _tasks(LABELLED_SYNONYMS) == [
        (
            "1.a",
            "Xây dựng kế hoạch kiểm tra chuyên ngành năm 2026.",
            ["Thanh tra Sở"],
            ["Văn phòng Sở", "các phòng chuyên môn"],
            "",
            "Quý I/2026",
        ),
        (
            "1.b",
            "Tổ chức tập huấn nghiệp vụ cho cán bộ quản lý.",
            ["Phòng Tổ chức cán bộ"],
            [],
            "",
            "Tháng 6/2026",
        ),
        (
            "1.c",
            "Báo cáo kết quả thực hiện kế hoạch.",
            ["Văn phòng Sở"],
            ["Các phòng chuyên môn, nghiệp vụ thuộc Sở"],
            "Báo cáo",
            "Hằng quý",
        ),
        # "1)" items under "2." are that heading's items, not new top-level numbers.
        (
            "2.1",
            "Triển khai phần mềm quản lý hồ sơ công việc.",
            ["Phòng Quản lý chất lượng giáo dục và Công nghệ thông tin"],
            [],
            "Phần mềm được đưa vào sử dụng",
            "Năm 2026",
        ),
        (
            "2.2",
            "Số hóa hồ sơ lưu trữ.",
            ["Văn phòng Sở"],
            ["Trung tâm Lưu trữ lịch sử tỉnh"],
            "",
            "6 tháng đầu năm 2026",
        ),
    ]


LABELLED_BULLETS = """III. NHIỆM VỤ CỤ THỂ
1. Lĩnh vực y tế
- Nâng cao chất lượng khám, chữa bệnh tại tuyến xã.
+ Chủ trì: Sở Y tế;
+ Phối hợp: UBND các xã, phường;
+ Thời gian: Thường xuyên.
- Kiểm tra an toàn thực phẩm dịp Tết Nguyên đán.
+ Chủ trì: Sở Y tế;
+ Phối hợp: Công an tỉnh, Sở Công Thương;
+ Thời gian: Tháng 01/2026.
2. Lĩnh vực giáo dục
a. Tuyển sinh đầu cấp năm học 2026-2027.
+ Chủ trì: Sở Giáo dục và Đào tạo;
+ Thời gian: Tháng 7/2026.
"""


def test_items_written_as_bullets_or_with_a_full_stop_and_labels_with_plus_signs():
    tasks = _tasks(LABELLED_BULLETS)
    # Bullets are lettered in order, the first one included, as prose bullets are.
    assert [
        (ref, lead, coordinators, deadline) for ref, _, lead, coordinators, _, deadline in tasks
    ] == [
        ("1.a", ["Sở Y tế"], ["UBND các xã, phường"], "Thường xuyên"),
        ("1.b", ["Sở Y tế"], ["Công an tỉnh", "Sở Công Thương"], "Tháng 01/2026"),
        ("2.a", ["Sở Giáo dục và Đào tạo"], [], "Tháng 7/2026"),
    ]
    assert tasks[2][1] == "Tuyển sinh đầu cấp năm học 2026-2027."


LABELLED_INLINE = """II. NHIỆM VỤ
1. Rà soát, sắp xếp các đơn vị sự nghiệp công lập. Chủ trì: Sở Nội vụ; phối hợp: các sở, ngành; thời gian hoàn thành: Quý IV/2026.
2. Xây dựng Đề án vị trí việc làm.
- Chủ trì: Sở Nội vụ; Thời hạn: Năm 2026.
3. Kết quả: đã hoàn thành 95% chỉ tiêu năm 2025; thời gian: năm 2025.
"""


def test_labels_written_inside_the_item_or_on_one_line():
    assert _tasks(LABELLED_INLINE) == [
        (
            "1",
            "Rà soát, sắp xếp các đơn vị sự nghiệp công lập.",
            ["Sở Nội vụ"],
            ["các sở, ngành"],
            "",
            "Quý IV/2026",
        ),
        ("2", "Xây dựng Đề án vị trí việc làm.", ["Sở Nội vụ"], [], "", "Năm 2026"),
    ]


LABELLED_CONTENT = """III. NHIỆM VỤ CỤ THỂ
1. Nhiệm vụ thứ nhất
- Nội dung: Rà soát, sắp xếp các cơ sở giáo dục mầm non, phổ thông.
- Chủ trì: Sở Giáo dục và Đào tạo;
- Phối hợp: Sở Nội vụ, UBND các xã, phường;
- Thời hạn: Quý II/2026.
2. Nhiệm vụ thứ hai
- Nội dung nhiệm vụ: Xây dựng Đề án phát triển đội ngũ nhà giáo.
- Chủ trì: Sở Giáo dục và Đào tạo;
- Sản phẩm: Quyết định của UBND tỉnh;
- Thời hạn: Năm 2026.
"""


def test_content_given_by_its_own_label():
    assert _tasks(LABELLED_CONTENT) == [
        (
            "1",
            "Rà soát, sắp xếp các cơ sở giáo dục mầm non, phổ thông.",
            ["Sở Giáo dục và Đào tạo"],
            ["Sở Nội vụ", "UBND các xã, phường"],
            "",
            "Quý II/2026",
        ),
        (
            "2",
            "Xây dựng Đề án phát triển đội ngũ nhà giáo.",
            ["Sở Giáo dục và Đào tạo"],
            [],
            "Quyết định của UBND tỉnh",
            "Năm 2026",
        ),
    ]


# --- prose directives (seeds 000 and 002's layout) ---------------------------------------------

DIRECTIVE = """ỦY BAN NHÂN DÂN TỈNH
Số: 123/UBND-KT
V/v triển khai công tác phòng, chống dịch bệnh trên cây trồng năm 2026
Kính gửi: Các sở, ban, ngành; UBND các xã, phường.
Để chủ động phòng, chống dịch bệnh trên cây trồng, UBND tỉnh chỉ đạo như sau:
1. Giao Sở Nông nghiệp và Môi trường chủ trì, phối hợp với UBND các xã, phường tổ chức điều tra, giám sát dịch hại trên cây cà phê, sầu riêng; hoàn thành trước ngày 30/4/2026.
2. Sở Tài chính cân đối, bố trí kinh phí phòng, chống dịch bệnh.
3. Giao Sở Tư pháp chủ trì, phối hợp với Sở Nội vụ và các cơ quan liên quan rà soát quy định về bảo vệ thực vật, hoàn thành trong quý III/2026.
4. Công an tỉnh là cơ quan thường trực, chủ trì theo dõi việc buôn bán thuốc bảo vệ thực vật; định kỳ hằng quý báo cáo UBND tỉnh kết quả thực hiện.
5. Công an tỉnh, Bộ Chỉ huy Quân sự tỉnh theo chức năng, nhiệm vụ được giao phối hợp kiểm tra các tuyến biên giới.
6. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh tuyên truyền, vận động Nhân dân tham gia phòng, chống dịch bệnh.
7. Yêu cầu Thủ trưởng các sở, ban, ngành, Chủ tịch UBND các xã, phường nghiêm túc triển khai thực hiện Công văn này.
Nơi nhận:
- Như trên;
"""


def test_directive_in_other_wordings():
    tasks = _tasks(DIRECTIVE)
    assert [
        (ref, lead, coordinators, deadline) for ref, _, lead, coordinators, _, deadline in tasks
    ] == [
        # Every agency after "phối hợp với", up to the verb, commas and "và" included.
        ("1", ["Sở Nông nghiệp và Môi trường"], ["UBND các xã, phường"], "trước ngày 30/4/2026"),
        # A known name ends the subject before a verb the extractor does not know.
        ("2", ["Sở Tài chính"], [], ""),
        ("3", ["Sở Tư pháp"], ["Sở Nội vụ", "các cơ quan liên quan"], "trong quý III/2026"),
        ("4.a", ["Công an tỉnh"], [], ""),
        # A periodic report is a task of its own, whatever period stands before "báo cáo".
        ("4.b", ["Công an tỉnh"], [], "định kỳ hằng quý"),
        ("5", ["Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh"], [], ""),
        # "Đề nghị" and "Yêu cầu" assign too; the head of an agency answers for it.
        ("6", ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"], [], ""),
        ("7", ["các sở, ban, ngành", "UBND các xã, phường"], [], ""),
    ]
    assert tasks[4][1] == "định kỳ hằng quý báo cáo UBND tỉnh kết quả thực hiện."
    assert _due(DIRECTIVE) == {
        "1": "2026-04-29",
        "2": "ongoing",
        "3": "2026-09-30",
        "4.a": "ongoing",
        "4.b": "quarterly",
        "5": "ongoing",
        "6": "ongoing",
        "7": "ongoing",
    }


CELEBRATION = """KẾ HOẠCH
Tổ chức các hoạt động kỷ niệm 80 năm Ngày Tổng tuyển cử đầu tiên
II. NỘI DUNG
1. Tổ chức mít tinh kỷ niệm tại trung tâm tỉnh.
III. TỔ CHỨC THỰC HIỆN
1. Sở Văn hóa, Thể thao và Du lịch chủ trì tham mưu tổ chức Lễ mít tinh; hoàn thành công tác chuẩn bị trước ngày 25/12/2025.
2. Báo và Phát thanh, Truyền hình tỉnh mở chuyên mục tuyên truyền từ tháng 12/2025 đến tháng 01/2026.
3. Ủy ban nhân dân các xã, phường:
- Treo cờ, băng rôn, khẩu hiệu tuyên truyền;
- Báo cáo kết quả về Sở Văn hóa, Thể thao và Du lịch trước ngày 15/01/2026.
"""


def test_plan_with_agencies_written_in_full_and_a_period_that_ends_on_a_month():
    tasks = _tasks(CELEBRATION)
    assert [(ref, lead, deadline) for ref, _, lead, _, _, deadline in tasks] == [
        ("1", ["Sở Văn hóa, Thể thao và Du lịch"], "trước ngày 25/12/2025"),
        # A known name that begins with no head word, and "từ … đến tháng 01/2026".
        ("2", ["Báo và Phát thanh, Truyền hình tỉnh"], "đến tháng 01/2026"),
        # "Ủy ban nhân dân" in full, handing out its bullets.
        ("3.a", ["Ủy ban nhân dân các xã, phường"], ""),
        ("3.b", ["Ủy ban nhân dân các xã, phường"], "trước ngày 15/01/2026"),
    ]
    assert _due(CELEBRATION)["2"] == "2026-01-31"


UNNUMBERED = """Để triển khai hiệu quả Kế hoạch, UBND tỉnh yêu cầu các cơ quan, đơn vị thực hiện tốt các nội dung sau:
Giao Sở Y tế chủ trì, phối hợp với Sở Giáo dục và Đào tạo tổ chức tiêm chủng cho học sinh, hoàn thành trước ngày 30/9/2026.
Giao Sở Tài chính bố trí kinh phí thực hiện Kế hoạch.
Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh phối hợp tuyên truyền, vận động Nhân dân.
Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị báo cáo về Sở Y tế để tổng hợp.
"""


def test_assignments_whose_numbers_a_word_export_lost():
    # Each "Giao …"/"Đề nghị …" is a paragraph of its own, even after a line that looks full
    # or when it begins with a capital such as "Đ"; the closing sentence assigns nothing.
    assert _tasks(UNNUMBERED) == [
        (
            "1",
            "Giao Sở Y tế chủ trì, phối hợp với Sở Giáo dục và Đào tạo tổ chức tiêm chủng cho "
            "học sinh, hoàn thành trước ngày 30/9/2026.",
            ["Sở Y tế"],
            ["Sở Giáo dục và Đào tạo"],
            "",
            "trước ngày 30/9/2026",
        ),
        (
            "2",
            "Giao Sở Tài chính bố trí kinh phí thực hiện Kế hoạch.",
            ["Sở Tài chính"],
            [],
            "",
            "",
        ),
        (
            "3",
            "Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh phối hợp tuyên truyền, vận động Nhân dân.",
            ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"],
            [],
            "",
            "",
        ),
    ]


AGENCY_HEADINGS = """KẾ HOẠCH
Phòng, chống dịch bệnh mùa mưa năm 2026
I. MỤC ĐÍCH, YÊU CẦU
1. Các cơ quan, đơn vị chủ động phòng, chống dịch bệnh.
II. TỔ CHỨC THỰC HIỆN
1. Sở Y tế
1.1. Lãnh đạo Sở
- Chỉ đạo các phòng chuyên môn triển khai Kế hoạch.
- Phân công đồng chí Phó Giám đốc theo dõi việc thực hiện.
1.2. Phòng Nghiệp vụ Y
Là đầu mối tham mưu triển khai Kế hoạch; định kỳ hằng quý báo cáo kết quả thực hiện.
1.3. Các phòng chuyên môn, Văn phòng Sở: Căn cứ chức năng, nhiệm vụ phối hợp thực hiện Kế hoạch.
2. Trung tâm Kiểm soát bệnh tật tỉnh; UBND các xã, phường
Tổ chức giám sát dịch bệnh tại cộng đồng, hoàn thành trước ngày 30/6/2026.
3. Công tác thông tin, tuyên truyền
Các cơ quan báo chí tăng cường thông tin về phòng, chống dịch bệnh.
Nơi nhận:
- Như trên;
"""


def test_headings_that_name_agencies_hand_out_the_paragraphs_under_them():
    tasks = _tasks(AGENCY_HEADINGS)
    assert [(ref, lead, deadline) for ref, _, lead, _, _, deadline in tasks] == [
        ("1.1.a", ["Lãnh đạo Sở"], ""),
        ("1.1.b", ["Lãnh đạo Sở"], ""),
        ("1.2.a", ["Phòng Nghiệp vụ Y"], ""),
        ("1.2.b", ["Phòng Nghiệp vụ Y"], "định kỳ hằng quý"),
        # Agencies before a colon, then their duties.
        ("1.3", ["Các phòng chuyên môn", "Văn phòng Sở"], ""),
        ("2", ["Trung tâm Kiểm soát bệnh tật tỉnh", "UBND các xã, phường"], "trước ngày 30/6/2026"),
        # "3." is a topic, not an agency: what follows it is not assigned by the plan's numbering.
    ]
    assert [content for _, content, *_ in tasks[:3]] == [
        "Chỉ đạo các phòng chuyên môn triển khai Kế hoạch.",
        "Phân công đồng chí Phó Giám đốc theo dõi việc thực hiện.",
        "Là đầu mối tham mưu triển khai Kế hoạch",
    ]


# --- decomposed Unicode --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "blocks",
    [
        DIRECTIVE.splitlines(),
        [
            Table(
                rows=[
                    ["TT", "Nội dung", "Đơn vị chủ trì", "Thời hạn"],
                    ["1", "Kiểm tra an toàn thực phẩm", "Sở Y tế", "Quý II/2026"],
                ]
            )
        ],
    ],
    ids=["prose", "table"],
)
def test_a_document_in_decomposed_unicode_gives_the_same_tasks(blocks):
    """A reader that hands over tone marks as combining characters (seed 000 stores them so)."""

    def nfd(text: str) -> str:
        return unicodedata.normalize("NFD", text)

    decomposed = [
        Table(rows=[[nfd(cell) for cell in row] for row in block.rows])
        if isinstance(block, Table)
        else nfd(block)
        for block in blocks
    ]
    expected = [task.as_dict() for task in extract_plan(Document("x", blocks)).tasks]
    assert expected
    assert [task.as_dict() for task in extract_plan(Document("x", decomposed)).tasks] == expected


# --- .docx/.xlsx tables ---------------------------------------------------------------------

TWO_ROW_HEADER = [
    ["STT", "Nội dung công việc", "Cơ quan thực hiện", "", "Thời gian", "", "Sản phẩm"],
    [MERGED_ABOVE, MERGED_ABOVE, "Chủ trì", "Phối hợp", "Bắt đầu", "Hoàn thành", MERGED_ABOVE],
    ["I. CÔNG TÁC TUYÊN TRUYỀN"],
    [
        "1",
        "Tuyên truyền về chuyển đổi số\ntrên các phương tiện thông tin đại chúng",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Báo và Phát thanh, Truyền hình tỉnh",
        "Tháng 3/2026",
        "Thường xuyên",
        "Tin, bài",
    ],
    [
        "2",
        "Xây dựng kế hoạch ứng dụng trí tuệ nhân tạo",
        "Sở Khoa học và Công nghệ; Sở Tài chính",
        "Các sở, ngành",
        "Quý I/2026",
        "Quý II/2026",
        "Kế hoạch",
    ],
]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_header_drawn_two_rows_tall_names_the_columns_under_a_shared_title(tmp_path, fmt):
    """'Cơ quan thực hiện' over 'Chủ trì | Phối hợp', 'Thời gian' over 'Bắt đầu | Hoàn thành':
    the lower row names the columns, and a start date is not the deadline."""
    path = tmp_path / f"plan.{fmt}"
    if fmt == "docx":
        build_docx(path, TWO_ROW_HEADER, title=["KẾ HOẠCH"], header_rows=2)
    else:
        build_xlsx(path, TWO_ROW_HEADER, title=["PHỤ LỤC NHIỆM VỤ"])
    plan = extract_plan(read_document(path))
    assert [
        (task.ref, task.content, task.lead, task.coordinators, task.result, task.deadline_text)
        for task in plan.tasks
    ] == [
        (
            "1",
            "Tuyên truyền về chuyển đổi số trên các phương tiện thông tin đại chúng",
            ["Sở Văn hóa, Thể thao và Du lịch"],
            ["Báo và Phát thanh, Truyền hình tỉnh"],
            "Tin, bài",
            "Thường xuyên",
        ),
        (
            "2",
            "Xây dựng kế hoạch ứng dụng trí tuệ nhân tạo",
            ["Sở Khoa học và Công nghệ", "Sở Tài chính"],
            ["Các sở, ngành"],
            "Kế hoạch",
            "Quý II/2026",
        ),
    ]


def _table_tasks(rows: list[list[str]]) -> list[tuple[str, str, list[str], str]]:
    """(ref, content, lead, deadline_text) of the tasks of one table."""
    plan = extract_plan(Document("plan.docx", ["KẾ HOẠCH", Table(rows=rows)]))
    return [(task.ref, task.content, task.lead, task.deadline_text) for task in plan.tasks]


def test_a_table_without_a_number_column_numbers_its_tasks_in_the_content_cell():
    rows = [
        ["Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn"],
        ["I. TUYÊN TRUYỀN", "", "", ""],
        ["1. Tuyên truyền Nghị quyết về chuyển đổi số", "Sở VHTTDL", "Các sở", "Quý I/2026"],
        ["2. Tổ chức hội nghị quán triệt", "Sở Nội vụ", "", "Tháng 4/2026"],
        ["II. KIỂM TRA", "", "", ""],
        ["1. Kiểm tra việc thực hiện", "", "", ""],
        ["a) Kiểm tra tại các sở", "Thanh tra tỉnh", "", "Quý III/2026"],
        ["b) Kiểm tra tại các xã", "Thanh tra tỉnh", "", "Quý IV/2026"],
    ]
    assert _table_tasks(rows) == [
        ("I.1", "Tuyên truyền Nghị quyết về chuyển đổi số", ["Sở VHTTDL"], "Quý I/2026"),
        ("I.2", "Tổ chức hội nghị quán triệt", ["Sở Nội vụ"], "Tháng 4/2026"),
        ("1.a", "Kiểm tra tại các sở", ["Thanh tra tỉnh"], "Quý III/2026"),
        ("1.b", "Kiểm tra tại các xã", ["Thanh tra tỉnh"], "Quý IV/2026"),
    ]


def test_a_count_at_the_start_of_a_content_cell_is_not_a_number():
    rows = [
        ["Nội dung nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"],
        ["1. Tập huấn kỹ năng số", "Sở Nội vụ", "Quý I/2026"],
        ["100 cán bộ cấp xã được tập huấn về chuyển đổi số", "Sở Nội vụ", "Quý II/2026"],
        ["1.500 hộ dân được hỗ trợ cài đặt dịch vụ công", "UBND các xã", "Năm 2026"],
    ]
    contents = [content for _ref, content, _lead, _deadline in _table_tasks(rows)]
    assert contents[1:] == [
        "100 cán bộ cấp xã được tập huấn về chuyển đổi số",
        "1.500 hộ dân được hỗ trợ cài đặt dịch vụ công",
    ]


def test_an_unnumbered_group_row_in_a_numbered_table_is_a_heading_not_a_task():
    """'Nhóm 2: …' is not the rest of task 1 split by a page break, nor a task of its own."""
    rows = [
        ["TT", "Nội dung", "Cơ quan chủ trì", "Thời gian"],
        ["", "Nhóm 1: Hoàn thiện thể chế", "", ""],
        ["1", "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp", "Quý I/2026"],
        ["", "Nhóm 2: Phát triển hạ tầng", "", ""],
        ["2", "Nâng cấp trung tâm dữ liệu", "Sở Khoa học và Công nghệ", "Quý II/2026"],
        ["", "và kết nối với các xã", "", ""],
    ]
    assert _table_tasks(rows) == [
        ("1", "Rà soát văn bản quy phạm pháp luật", ["Sở Tư pháp"], "Quý I/2026"),
        (
            "2",
            "Nâng cấp trung tâm dữ liệu và kết nối với các xã",
            ["Sở Khoa học và Công nghệ"],
            "Quý II/2026",
        ),
    ]


def test_a_group_of_coordinators_ends_at_lien_quan_before_an_unknown_verb():
    text = (
        "1. Giao Sở Tài chính chủ trì, phối hợp với các cơ quan liên quan cân đối, bố trí "
        "kinh phí thực hiện, hoàn thành trong Quý II/2026.\n"
        "2. Giao Sở Y tế chủ trì, phối hợp với các đơn vị có liên quan rà soát danh mục thuốc.\n"
    )
    assert [(ref, lead, coordinators) for ref, _, lead, coordinators, _, _ in _tasks(text)] == [
        ("1", ["Sở Tài chính"], ["các cơ quan liên quan"]),
        ("2", ["Sở Y tế"], ["các đơn vị có liên quan"]),
    ]
