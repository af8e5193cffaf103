"""A plan sent in chat: its preview says which tasks to check and offers the review workbook."""

from __future__ import annotations

from sqlmodel import select

from core.messages import FileUpload, Incoming
from db.agencies import resolve_agency
from db.contacts import create_invite
from db.engine import session_scope
from db.models import ContactRole, Task
from handlers.context import BotContext
from handlers.conversation import handle
from tests.factories import local, policy

NOW = local(2026, 6, 1, 9)
PLAN = (
    "KẾ HOẠCH\nKiểm tra an toàn thực phẩm năm 2026\nII. NHIỆM VỤ\n"
    "1. Giao Phòng Ma chủ trì tổ chức hội nghị tổng kết công tác an toàn thực phẩm.\n"
    "2. Giao Sở Y tế chủ trì kiểm tra an toàn thực phẩm dịp Tết, trong Quý I/2026.\n"
    "3. Giao các đơn vị liên quan báo cáo kết quả thực hiện trước ngày 15/12/2026.\n"
)


def _context(engine) -> BotContext:
    return BotContext(engine=engine, clock=lambda: NOW, policy_loader=lambda session: policy())


def _coordinator(engine) -> None:
    with session_scope(engine) as session:
        code = create_invite(
            session,
            agency=resolve_agency(session, "Văn phòng UBND tỉnh"),
            role=ContactRole.COORDINATOR,
            now=NOW,
        ).code
    handle(Incoming(channel="telegram", chat_id="500", text=f"/start {code}"), _context(engine))


def _send(engine, upload: FileUpload):
    return handle(Incoming(channel="telegram", chat_id="500", upload=upload), _context(engine))[0]


def _press(engine, answer, label: str):
    data = {button.label: button.data for button in answer.buttons}[label]
    return handle(
        Incoming(channel="telegram", chat_id="500", text=label, button_data=data), _context(engine)
    )[0]


def test_the_preview_names_the_doubts_and_the_workbook_comes_back_as_the_same_plan(
    engine, tmp_path
):
    _coordinator(engine)
    preview = _send(engine, FileUpload("attp.txt", PLAN.encode()))
    assert "⚠ chưa rõ cơ quan chủ trì" in preview.text
    assert "chủ trì là một nhóm chung" in preview.text
    assert "Cần kiểm tra: 1 chưa rõ cơ quan chủ trì" in preview.text
    labels = [button.label for button in preview.buttons]
    assert labels == ["Nhập kế hoạch", "Tải bảng kiểm tra", "Hủy"]

    review = _press(engine, preview, "Tải bảng kiểm tra")
    assert review.attachment is not None and review.attachment.filename.endswith(".xlsx")
    assert "Cần kiểm tra" in review.text

    # The preview stays open: the coordinator may still import the file itself.
    imported = _press(engine, preview, "Nhập kế hoạch")
    assert "3 mới" in imported.text and "Cần kiểm tra" in imported.text

    # The workbook sent back is the same plan (it carries the plan's name): importing it
    # updates those tasks, it does not add a second copy.
    assert review.attachment.filename == "attp.xlsx"
    again = _send(engine, review.attachment)
    assert "3 nhiệm vụ" in again.text
    assert "3 không đổi" in _press(engine, again, "Nhập kế hoạch").text
    with session_scope(engine) as session:
        assert len(session.exec(select(Task)).all()) == 3


def test_the_review_button_of_a_closed_preview_sends_nothing(engine):
    _coordinator(engine)
    preview = _send(engine, FileUpload("attp.txt", PLAN.encode()))
    _press(engine, preview, "Hủy")
    review = _press(engine, preview, "Tải bảng kiểm tra")
    assert review.attachment is None and "đã đóng" in review.text
