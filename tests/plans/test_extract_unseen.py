"""Plans written by other offices: unseen header words, lettered sections, prose forms.

Each document here is fictional and written for these tests; the failures they show (issue 9)
were a row number taken for the content, section rows imported as tasks, intros whose
assignment the bullets under them lost, and leads read as "các cơ quan, đơn vị".
"""

from __future__ import annotations

from datetime import datetime

import pytest

from plans.extract import extract_plan
from plans.readers import read_document
from plans.text import text_to_document
from tests.plans.builders import build_docx, build_xlsx

UNSEEN_HEADER = [
    "Số TT",
    "Nội dung công việc",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Kết quả/Sản phẩm",
    "Thời gian hoàn thành",
]
LETTERED_ROWS = [
    UNSEEN_HEADER,
    ["A. NHIỆM VỤ CHUNG"],
    ["1", "Nhóm nhiệm vụ về hạ tầng số", "", "", "", ""],
    [
        "1.1",
        "Nâng cấp mạng truyền số liệu chuyên dùng đến cấp xã",
        "Sở Khoa học và Công nghệ",
        "UBND các xã, phường",
        "Hạ tầng được nâng cấp",
        datetime(2026, 9, 30),
    ],
    [
        "1.2",
        "Triển khai nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh",
        "Sở Khoa học và Công nghệ",
        "Sở Tài chính; Công an tỉnh",
        "Nền tảng vận hành",
        "Quý III/2026",
    ],
    ["B. NHIỆM VỤ CỤ THỂ"],
    [
        "1",
        "Số hóa hồ sơ thủ tục hành chính",
        "Văn phòng UBND tỉnh",
        "Các sở, ban, ngành",
        "Kho dữ liệu số hóa",
        "Năm 2026",
    ],
    ["2", "Đào tạo kỹ năng số cho cán bộ cấp xã", "Sở Nội vụ", "", "Kế hoạch đào tạo", "Hằng năm"],
]


def _tasks(document):
    return [task.as_dict() for task in extract_plan(document).tasks]


def test_excel_sheet_with_unseen_header_words_and_lettered_sections(tmp_path):
    path = build_xlsx(tmp_path / "cds.xlsx", LETTERED_ROWS, title=["KẾ HOẠCH", "Chuyển đổi số"])
    tasks = _tasks(read_document(path))
    assert [task["ref"] for task in tasks] == ["1.1", "1.2", "B.1", "B.2"]
    assert [task["content"] for task in tasks] == [row[1] for row in LETTERED_ROWS[3:5]] + [
        row[1] for row in LETTERED_ROWS[6:]
    ]
    first = tasks[0]
    assert first["lead"] == ["Sở Khoa học và Công nghệ"]
    assert first["coordinators"] == ["UBND các xã, phường"]
    assert first["result"] == "Hạ tầng được nâng cấp"
    # A date cell is a fixed deadline on that day.
    assert first["deadline"]["kind"] == "fixed" and first["deadline"]["due"] == "2026-09-30"
    assert tasks[1]["coordinators"] == ["Sở Tài chính", "Công an tỉnh"]
    assert tasks[3]["deadline"]["recurrence"] == "yearly"


@pytest.mark.parametrize(
    "header",
    [
        ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Sản phẩm", "Thời gian"],
        ["TT", "Nhiệm vụ, giải pháp", "Chủ trì", "Phối hợp", "Sản phẩm dự kiến", "Tiến độ"],
        ["TT", "Công việc", "Chủ trì", "Phối hợp", "Hình thức văn bản", "Thời hạn"],
    ],
)
def test_docx_table_with_other_column_names(tmp_path, header):
    rows = [
        header,
        ["A", "NHIỆM VỤ TRỌNG TÂM"],
        [
            "1",
            "Kiểm tra an toàn thực phẩm tại bếp ăn tập thể các khu công nghiệp",
            "Sở Y tế",
            "Sở Công Thương, Công an tỉnh",
            "Báo cáo kết quả kiểm tra",
            "Quý II/2026",
        ],
        [
            "2",
            "Tập huấn kiến thức an toàn thực phẩm cho chủ cơ sở kinh doanh",
            "Sở Y tế",
            "",
            "Lớp tập huấn",
            "Hằng năm",
        ],
    ]
    tasks = _tasks(read_document(build_docx(tmp_path / "attp.docx", rows)))
    assert [task["content"] for task in tasks] == [rows[2][1], rows[3][1]]
    assert [task["ref"] for task in tasks] == ["1", "2"]
    assert tasks[0]["coordinators"] == ["Sở Công Thương", "Công an tỉnh"]
    assert tasks[0]["result"] == "Báo cáo kết quả kiểm tra"
    assert tasks[0]["deadline"]["due"] == "2026-06-30"


def test_columns_without_known_names_are_read_from_their_cells(tmp_path):
    """Only the lead's and deadline's headers are known: the content is the long free text,
    the numbers are the refs, the other agency column supports."""
    rows = [
        ["#", "Việc cần làm", "Chủ trì", "Cùng làm", "Hạn"],
        [
            "1",
            "Rà soát, cập nhật phương án ứng phó bão mạnh, siêu bão",
            "Sở Xây dựng",
            "Công an tỉnh",
            "30/6/2026",
        ],
        [
            "2",
            "Diễn tập cứu hộ, cứu nạn tại các xã ven biển",
            "Bộ Chỉ huy Quân sự tỉnh",
            "UBND các xã, phường",
            "Quý III/2026",
        ],
        [
            "3",
            "Kiểm tra an toàn hồ đập trước mùa mưa lũ",
            "Sở Nông nghiệp và Môi trường",
            "Sở Xây dựng",
            "Tháng 8/2026",
        ],
    ]
    tasks = _tasks(read_document(build_xlsx(tmp_path / "thientai.xlsx", rows)))
    assert [task["ref"] for task in tasks] == ["1", "2", "3"]
    assert [task["content"] for task in tasks] == [row[1] for row in rows[1:]]
    assert tasks[1]["coordinators"] == ["UBND các xã, phường"]
    assert tasks[2]["deadline"]["due"] == "2026-08-31"


def test_a_content_column_of_row_numbers_is_refused(tmp_path):
    """The header calls the number column "Nội dung": its cells say it is not the content."""
    rows = [
        ["Nội dung", "Nhiệm vụ cụ thể", "Chủ trì", "Thời gian"],
        ["1", "Xây dựng cơ sở dữ liệu cán bộ, công chức", "Sở Nội vụ", "Năm 2026"],
        [
            "2",
            "Chuẩn hóa quy trình nội bộ giải quyết thủ tục",
            "Văn phòng UBND tỉnh",
            "Quý IV/2026",
        ],
    ]
    tasks = _tasks(read_document(build_xlsx(tmp_path / "cchc.xlsx", rows)))
    assert [task["content"] for task in tasks] == [row[1] for row in rows[1:]]
    assert [task["ref"] for task in tasks] == ["1", "2"]


def _prose(text: str) -> list[dict]:
    return _tasks(text_to_document(text))


HEADING = "KẾ HOẠCH\nPhòng, chống dịch bệnh năm 2026\nII. NHIỆM VỤ\n"


def test_an_intro_assigns_every_bullet_under_it_with_its_coordinators():
    tasks = _prose(
        HEADING
        + "Giao Sở Y tế chủ trì, phối hợp với Sở Tài chính, Sở Nội vụ và UBND các xã, phường:\n"
        "- Xây dựng phương án phòng, chống dịch sốt xuất huyết, hoàn thành trong tháng 5/2026.\n"
        "- Tổ chức tiêm chủng mở rộng cho trẻ em dưới 5 tuổi.\n"
    )
    assert len(tasks) == 2
    for task in tasks:
        assert task["lead"] == ["Sở Y tế"]
        assert task["coordinators"] == ["Sở Tài chính", "Sở Nội vụ", "UBND các xã, phường"]
    assert tasks[0]["deadline"]["due"] == "2026-05-31"


def test_the_subject_that_leads_inside_a_sentence():
    tasks = _prose(
        HEADING + "1. Sở Nội vụ chủ trì, phối hợp với Sở Y tế tham mưu UBND tỉnh ban hành quy chế "
        "đánh giá, hoàn thành trong Quý III/2026.\n"
        "2. Bảo hiểm xã hội tỉnh phối hợp với Sở Y tế hoàn thành cấp thẻ bảo hiểm y tế điện "
        "tử trước ngày 30/9/2026.\n"
        "3. Sở Tài chính phối hợp với Sở Y tế thẩm định dự toán kinh phí phòng, chống dịch.\n"
    )
    assert [(task["lead"], task["coordinators"]) for task in tasks] == [
        (["Sở Nội vụ"], ["Sở Y tế"]),
        (["Bảo hiểm xã hội tỉnh"], ["Sở Y tế"]),
        (["Sở Tài chính"], ["Sở Y tế"]),
    ]
    assert tasks[1]["deadline"]["due"] == "2026-09-29"


def test_two_leads_before_a_set_phrase_are_one_task_and_the_report_receiver_is_no_one():
    tasks = _prose(
        HEADING + "3. Các sở, ban, ngành tỉnh; UBND các xã, phường theo chức năng, nhiệm vụ "
        "được giao báo cáo kết quả về UBND tỉnh (qua Sở Nội vụ) trước ngày 15 tháng 6 năm 2026.\n"
    )
    assert len(tasks) == 1
    assert tasks[0]["lead"] == ["Các sở, ban, ngành tỉnh", "UBND các xã, phường"]
    assert tasks[0]["coordinators"] == []
    assert tasks[0]["deadline"]["due"] == "2026-06-14"


def test_a_deadline_that_opens_the_sentence():
    tasks = _prose(
        HEADING + "- Trong Quý III/2026, Sở Xây dựng kiểm tra an toàn các công trình hồ đập.\n"
        "- Thường xuyên, UBND các xã, phường tổ chức diễn tập phòng, chống thiên tai.\n"
    )
    assert [task["lead"] for task in tasks] == [["Sở Xây dựng"], ["UBND các xã, phường"]]
    assert tasks[0]["deadline"]["due"] == "2026-09-30"
    assert tasks[1]["deadline"]["kind"] == "ongoing"
    assert tasks[1]["deadline_text"] == "Thường xuyên"


def test_an_agency_label_over_its_bullets_and_a_request():
    tasks = _prose(
        HEADING + "Sở Y tế:\n"
        "- Thanh tra an toàn thực phẩm dịp Tết Nguyên đán, hoàn thành trước ngày 15/02/2026.\n"
        "- Tổng hợp kết quả, báo cáo UBND tỉnh trước ngày 20/12/2026.\n"
        "Sở Công Thương:\n"
        "- Kiểm tra các chợ đầu mối, định kỳ hằng quý.\n"
        "- Đề nghị Công an tỉnh chỉ đạo công an xã hỗ trợ người dân làm thủ tục trực tuyến.\n"
    )
    assert [task["lead"] for task in tasks] == [
        ["Sở Y tế"],
        ["Sở Y tế"],
        ["Sở Công Thương"],
        ["Công an tỉnh"],
    ]
    assert tasks[1]["coordinators"] == []  # UBND tỉnh only receives the report
    assert tasks[2]["deadline"]["recurrence"] == "quarterly"


def test_a_shared_head_word_list_and_agency_labelled_bullets():
    tasks = _prose(
        HEADING + "2. Các Sở: Xây dựng; Công Thương theo chức năng, nhiệm vụ:\n"
        "- Rà soát điều kiện an toàn phòng cháy trong hồ sơ cấp phép xây dựng;\n"
        "3. Các cơ quan khác:\n"
        "- Sở Tài chính: thẩm định, trình UBND tỉnh phân bổ kinh phí trước ngày 30/9/2026;\n"
        "- Công ty Điện lực Kim Long: thay thế đường dây điện xuống cấp trong năm 2026.\n"
    )
    assert [task["lead"] for task in tasks] == [
        ["Sở Xây dựng", "Sở Công Thương"],
        ["Sở Tài chính"],
        ["Công ty Điện lực Kim Long"],
    ]
    assert tasks[1]["content"].startswith("thẩm định")
    assert tasks[1]["deadline"]["due"] == "2026-09-29"
    assert tasks[2]["deadline"]["due"] == "2026-12-31"


def test_items_under_a_group_heading_that_name_their_own_agency():
    tasks = _prose(
        HEADING + "2. Các sở, ban, ngành tỉnh\n"
        "a) Sở Tài chính bố trí kinh phí thực hiện Kế hoạch trong dự toán năm 2027.\n"
        "b) Sở Nội vụ đưa kết quả vào tiêu chí thi đua, khen thưởng hằng năm.\n"
    )
    assert [task["lead"] for task in tasks] == [["Sở Tài chính"], ["Sở Nội vụ"]]
    assert [task["ref"] for task in tasks] == ["2.a", "2.b"]


def test_labels_in_unseen_words():
    tasks = _prose(
        HEADING + "1. Công tác tuyên truyền\n"
        "a) Tổ chức tuần lễ hưởng ứng phong trào thể dục thể thao toàn dân.\n"
        "- Cơ quan đầu mối: Sở Văn hóa, Thể thao và Du lịch;\n"
        "- Cơ quan tham gia phối hợp: Tỉnh đoàn;\n"
        "- Thời gian hoàn thành dự kiến: Quý II/2026;\n"
        "- Sản phẩm đầu ra dự kiến: Báo cáo tổng kết.\n"
    )
    assert len(tasks) == 1
    task = tasks[0]
    assert (task["ref"], task["lead"], task["coordinators"]) == (
        "1.a",
        ["Sở Văn hóa, Thể thao và Du lịch"],
        ["Tỉnh đoàn"],
    )
    assert task["deadline"]["due"] == "2026-06-30"
    assert task["result"] == "Báo cáo tổng kết"


def test_a_project_board_named_with_a_verb_and_a_monthly_day():
    # Found by trying plans written by another office (not these words): names holding
    # "xây dựng", lists ended by "đẩy nhanh", a day of every month inside the sentence.
    tasks = _prose(
        HEADING + "1. Ban Quản lý dự án đầu tư xây dựng tỉnh phối hợp với Sở Tài chính, Kho bạc "
        "Nhà nước tỉnh đẩy nhanh tiến độ giải ngân vốn đầu tư công, hoàn thành trước ngày "
        "31/12/2026.\n"
        "2. Sở Công Thương kiểm tra việc chấp hành quy định về giá; báo cáo kết quả về UBND "
        "tỉnh trước ngày 20 hằng tháng.\n"
        "3. Văn phòng UBND tỉnh theo dõi, đôn đốc việc thực hiện, tổng hợp báo cáo định kỳ "
        "6 tháng và năm.\n"
    )
    assert [(task["lead"], task["coordinators"]) for task in tasks] == [
        (["Ban Quản lý dự án đầu tư xây dựng tỉnh"], ["Sở Tài chính", "Kho bạc Nhà nước tỉnh"]),
        (["Sở Công Thương"], []),
        (["Sở Công Thương"], []),  # the monthly report is a duty of its own
        (["Văn phòng UBND tỉnh"], []),
    ]
    assert tasks[2]["deadline_text"] == "trước ngày 20 hằng tháng"
    assert tasks[2]["deadline"]["recurrence"] == "monthly"
    assert tasks[3]["deadline_text"] == "định kỳ 6 tháng và năm"


def test_the_office_of_each_locality_wrapped_in_its_cell():
    from plans.agencies import split_agencies

    assert split_agencies("Sở Tài chính; Phòng Tài chính - Kế\nhoạch\ncác huyện, thị xã") == [
        "Sở Tài chính",
        "Phòng Tài chính - Kế hoạch các huyện, thị xã",
    ]
    # A group of its own on the next line is still another agency.
    assert split_agencies("Sở Y tế\nUBND các xã, phường") == ["Sở Y tế", "UBND các xã, phường"]


def test_a_duty_done_regularly_inside_the_sentence_says_so_unless_dated():
    tasks = _prose(
        HEADING + "1. Yêu cầu Bộ Chỉ huy Quân sự tỉnh chủ trì, phối hợp với Công an tỉnh "
        "thường xuyên nắm tình hình địa bàn, bảo đảm an ninh trật tự.\n"
        "2. Sở Nông nghiệp và Môi trường thường xuyên kiểm tra các hồ chứa nước, hoàn thành "
        "việc gia cố trước ngày 30/6/2026.\n"
    )
    assert (tasks[0]["deadline_text"], tasks[0]["deadline"]["kind"]) == ("thường xuyên", "ongoing")
    assert tasks[1]["deadline"]["due"] == "2026-06-29"
