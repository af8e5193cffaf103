"""/tiendo's drill-down, /quahan, /choduyet, /lichsu and /baocao, as a coordinator sees them."""

from __future__ import annotations

import io
import re
from datetime import datetime

from openpyxl import load_workbook

from core.messages import Incoming
from db.agencies import resolve_agency
from db.contacts import create_invite
from db.engine import session_scope
from db.models import ContactRole
from handlers.context import BotContext
from handlers.conversation import handle
from tests.factories import draft, local, plan, policy, store_plan

NOW = local(2026, 6, 10, 9)
PAST = local(2026, 6, 1, 9)


def _ask(engine, chat_id: str, text: str = "", now=NOW, **extra):
    context = BotContext(engine=engine, clock=lambda: now, policy_loader=lambda s: policy())
    incoming = Incoming(
        channel="telegram", chat_id=chat_id, text=text, sender_name=chat_id, **extra
    )
    return handle(incoming, context)


def _seed(engine, overdue_tasks: int = 3) -> None:
    """Sở Nội vụ: many overdue tasks; Sở Y tế: one due in two days; one done."""
    drafts = [
        draft(str(n), f"Nhiệm vụ quá hạn số {n}", "Sở Nội vụ", "ngày 05/06/2026")
        for n in range(1, overdue_tasks + 1)
    ]
    drafts.append(draft("II.1", "Khám sàng lọc", "Sở Y tế", "ngày 12/06/2026"))
    drafts.append(draft("II.2", "Báo cáo dịch bệnh", "Sở Y tế", "ngày 30/06/2026"))
    with session_scope(engine) as session:
        store_plan(session, plan(*drafts), today=PAST.date())
        codes = {
            chat: create_invite(
                session, agency=resolve_agency(session, agency), role=role, now=PAST
            ).code
            for chat, agency, role in (
                ("100", "Sở Nội vụ", ContactRole.OFFICER),
                ("300", "Sở Y tế", ContactRole.OFFICER),
                ("500", "Văn phòng UBND tỉnh", ContactRole.COORDINATOR),
            )
        }
    for chat, code in codes.items():
        _ask(engine, chat, f"/start {code}", now=PAST)
    _ask(engine, "100", "1 vướng mắc: chờ ý kiến Sở Tài chính", now=PAST)
    _ask(engine, "300", "II.2 xong", now=PAST)


def test_tiendo_lists_agencies_worst_first_and_opens_them(engine):
    _seed(engine)
    [answer] = _ask(engine, "500", "/tiendo")
    lines = answer.text.splitlines()
    agencies = [line for line in lines if line.startswith("• Sở")]
    assert agencies[0].startswith("• Sở Nội vụ: hoàn thành 0, quá hạn 3")
    assert agencies[1].startswith("• Sở Y tế: hoàn thành 1, quá hạn 0, đến hạn trong 3 ngày 1")
    assert "chờ xác nhận 1" in agencies[1]
    labels = {button.label: button.data for button in answer.buttons}
    assert "Quá hạn, chưa hoàn thành (3)" in labels and "Sở Nội vụ" in labels
    assert all(len(data.encode()) < 64 for data in labels.values())
    [overdue] = _ask(engine, "500", "x", button_data=labels["Quá hạn, chưa hoàn thành (3)"])
    assert "🔴 1. Nhiệm vụ quá hạn số 1" in overdue.text and "quá hạn 5 ngày" in overdue.text
    [agency] = _ask(engine, "500", "x", button_data=labels["Sở Y tế"])
    assert "🟠 II.1. Khám sàng lọc" in agency.text and "⏳ II.2" in agency.text


def test_long_lists_page_instead_of_being_cut(engine):
    _seed(engine, overdue_tasks=40)
    [first] = _ask(engine, "500", "/quahan")
    assert "(1–15 trên 40)" in first.text and len(first.text) < 4000
    assert "chờ ý kiến Sở Tài chính" in first.text  # the agency's last word
    pages = 1
    page = first
    while any(button.label == "Trang sau ▶" for button in page.buttons):
        data = next(b.data for b in page.buttons if b.label == "Trang sau ▶")
        [page] = _ask(engine, "500", "x", button_data=data)
        pages += 1
        assert len(page.text) < 4000
    assert pages == 3 and "(31–40 trên 40)" in page.text
    assert sum(len(re.findall(r"^• ", p.text, re.M)) for p in (first,)) == 15


def test_choduyet_lists_what_waits_with_decision_buttons(engine):
    _seed(engine)
    _ask(engine, "100", "2 xin gia hạn đến 30/6/2026", now=PAST)
    [waiting] = _ask(engine, "500", "/choduyet")
    assert "II.2" in waiting.text and "2. Nhiệm vụ quá hạn số 2" in waiting.text
    labels = {button.label: button.data for button in waiting.buttons}
    assert set(labels) == {"Xác nhận II.2", "Duyệt gia hạn 2"}
    [done] = _ask(engine, "500", "Xác nhận II.2", button_data=labels["Xác nhận II.2"])
    assert "Đã xác nhận" in done.text
    [after] = _ask(engine, "500", "/choduyet")
    assert "II.2" not in after.text


def test_forged_drill_down_data_is_refused(engine):
    _seed(engine)
    for forged in ("td:b:nope:0:0", "td:a:x:0:0", "td:b:overdue:99999:0", "td:q::0:-5", "td:q"):
        [answer] = _ask(engine, "500", "x", button_data=forged)
        assert "không còn hiệu lực" in answer.text
    # An officer opening another agency's list through forged data sees nothing of it.
    [answer] = _ask(engine, "300", "x", button_data="td:b:overdue:0:0")
    assert "Nhiệm vụ quá hạn số" not in answer.text


def test_baocao_sends_a_workbook_whose_totals_are_tiendos_and_a_chart(engine):
    _seed(engine)
    [summary] = _ask(engine, "500", "/tiendo")
    report, picture = _ask(engine, "500", "/baocao")
    workbook, chart = report.attachment, picture.attachment
    assert workbook.filename.endswith(".xlsx") and chart.filename.endswith(".png")
    assert chart.data.startswith(b"\x89PNG")
    book = load_workbook(io.BytesIO(workbook.data))
    assert book.sheetnames == ["Tổng hợp", "Nhiệm vụ", "Quá hạn", "Lịch sử"]
    rows = list(book["Tổng hợp"].iter_rows(values_only=True))
    header = next(row for row in rows if row and row[0] == "Cơ quan chủ trì")
    totals = next(row for row in rows if row and row[0] == "Tất cả nhiệm vụ")
    for label, count in zip(header[2:8], totals[2:8], strict=True):
        assert f"• {label}: {count}\n" in summary.text + "\n"
    tasks = list(book["Nhiệm vụ"].iter_rows(values_only=True))
    assert len(tasks) == 1 + 5
    overdue = list(book["Quá hạn"].iter_rows(values_only=True))
    assert len(overdue) == 1 + 3 and overdue[1][1] == "1"
    assert overdue[1][13] == "chờ ý kiến Sở Tài chính" or "vướng mắc" in overdue[1][13]
    history = list(book["Lịch sử"].iter_rows(values_only=True))
    assert len(history) == 1 + 2


def test_report_cells_are_dates_overdue_is_red_and_the_header_stays(engine):
    _seed(engine)
    with session_scope(engine) as session:  # texts Excel would otherwise take as a formula
        store_plan(
            session,
            plan(draft("K.1", "=1+2 là mục tiêu\x01", "Sở Y tế", "ngày 30/06/2026")),
            today=PAST.date(),
            key="ke-hoach-khac",
        )
    report, _picture = _ask(engine, "500", "/baocao")
    book = load_workbook(io.BytesIO(report.attachment.data))
    tasks = book["Nhiệm vụ"]
    assert all(cell.font.b for cell in tasks[1]) and not tasks["A2"].font.b
    assert tasks.freeze_panes == "A2" and tasks.auto_filter.ref.startswith("A1:N")
    rows = {row[1].value: row for row in tasks.iter_rows(min_row=2)}
    deadline = rows["1"][5]
    assert deadline.value == datetime(2026, 6, 5) and deadline.number_format == "dd/mm/yyyy"
    assert rows["1"][8].value == "Quá hạn, chưa hoàn thành"
    assert rows["1"][8].fill.fgColor.rgb == "FFFFCDD2"  # overdue: red
    assert rows["II.1"][8].fill.fill_type is None
    assert rows["K.1"][2].value == "=1+2 là mục tiêu" and rows["K.1"][2].data_type == "s"
    when = book["Lịch sử"]["C2"]  # the officer wrote at 09:00 in Vietnam
    assert when.value == datetime(2026, 6, 1, 9, 0) and when.number_format == "dd/mm/yyyy hh:mm"
    overdue = book["Quá hạn"]
    assert overdue.max_row == 1 + 3 and overdue["I2"].fill.fill_type is None


def test_baocao_is_for_coordinators(engine):
    _seed(engine)
    [answer] = _ask(engine, "100", "/baocao")
    assert answer.attachment is None and "không có quyền" in answer.text


def test_lichsu_keeps_the_latest_changes_within_one_message(engine):
    _seed(engine)
    for percent in range(1, 60):
        _ask(engine, "100", f"3 đang làm {percent}% " + "chi tiết " * 20, now=PAST)
    [history] = _ask(engine, "500", "/lichsu 3")
    assert len(history.text) < 4000
    assert "59%" in history.text and "trước đó có trong tệp /baocao" in history.text
    lines = history.text.splitlines()
    assert lines.index(next(line for line in lines if "/baocao" in line)) < len(lines) - 1
