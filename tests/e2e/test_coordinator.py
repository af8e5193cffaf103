"""The coordinator's side through the real PTB Application and the fake Bot API server.

The officer reports; the notice reaches the coordinator through the dispatch loop; the
coordinator's buttons decide; the officer hears back; /tiendo and /baocao agree.
"""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bot.service import sample_plan_text, serve
from bot.settings import Settings
from db.engine import make_engine, session_scope
from db.models import Reminder, ReminderState, Task, TaskStatus
from tests.e2e.test_telegram import _cli, _invite, _message_with, configured, fake_telegram

pytestmark = pytest.mark.e2e
__all__ = ["configured", "fake_telegram"]  # fixtures shared with the other end-to-end tests


def _text(message) -> str:
    return message.text or message.caption or ""


async def _join(fake_telegram, capsys_codes, user_id: int, name: str, code: str):
    person = fake_telegram.user(user_id, name)
    await person.send(f"/start {code}")
    await _message_with(person, lambda m: "Chào mừng" in _text(m))
    return person


@pytest.fixture
def people(fake_telegram, configured, tmp_path, capsys):
    """The sample plan imported; codes for an officer of Sở Nội vụ and a coordinator."""
    plan_file = tmp_path / "ke-hoach-mau.txt"
    plan_file.write_text(sample_plan_text(date.today()), encoding="utf-8")
    assert "7 nhiệm vụ" in _cli(capsys, "import", str(plan_file))
    return {
        "officer": _invite(capsys, "Sở Nội vụ", "officer"),
        "coordinator": _invite(capsys, "Văn phòng UBND tỉnh", "coordinator"),
    }


async def test_completion_is_confirmed_or_sent_back_with_a_reason(
    fake_telegram, configured, people
):
    stop = asyncio.Event()
    service = asyncio.create_task(serve(Settings(), stop=stop))
    try:
        officer = await _join(fake_telegram, None, 1001, "Lan", people["officer"])
        coordinator = await _join(fake_telegram, None, 2002, "Minh", people["coordinator"])
        await officer.send("xong, đã tập huấn 120 người")
        recorded = await _message_with(officer, lambda m: "Đã ghi nhận" in _text(m))
        assert "chờ đầu mối tổng hợp xác nhận" in recorded.text

        notice = await _message_with(coordinator, lambda m: "Chờ xác nhận" in _text(m))
        assert "Tổ chức tập huấn kỹ năng số" in notice.text and "120 người" in notice.text
        assert [label for label, _ in notice.buttons] == ["Xác nhận hoàn thành", "Yêu cầu bổ sung"]
        await coordinator.press(notice, dict(notice.buttons)["Yêu cầu bổ sung"])
        await _message_with(coordinator, lambda m: "lý do" in _text(m))
        await coordinator.send("Thiếu danh sách học viên")
        await _message_with(coordinator, lambda m: "đã được báo lý do" in _text(m))
        sent_back = await _message_with(officer, lambda m: "yêu cầu bổ sung" in _text(m))
        assert "Thiếu danh sách học viên" in sent_back.text

        await officer.send("xong, đã gửi danh sách")
        again = await _message_with(coordinator, lambda m: "Chờ xác nhận" in _text(m))
        await coordinator.press(again, dict(again.buttons)["Xác nhận hoàn thành"])
        edited = await coordinator.next_edit()
        assert "Đã xác nhận" in edited.text and edited.buttons == []
        await _message_with(officer, lambda m: "đã xác nhận hoàn thành" in _text(m))

        await coordinator.send("/tiendo")
        summary = await _message_with(coordinator, lambda m: "Tổng số" in _text(m))
        assert "Hoàn thành đúng hạn: 1" in summary.text
        assert "Sở Nội vụ: hoàn thành 1" in summary.text
    finally:
        stop.set()
        await asyncio.wait_for(service, timeout=20)
    with session_scope(make_engine(configured)) as session:
        task = session.exec(select(Task).where(Task.ref == "2")).one()
        local_today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
        assert (task.status, task.completed_on) == (TaskStatus.DONE, local_today)


async def test_extension_refused_then_approved_and_the_report_shows_both_dates(
    fake_telegram, configured, people
):
    wanted = date.today() + timedelta(days=20)
    stop = asyncio.Event()
    service = asyncio.create_task(serve(Settings(), stop=stop))
    try:
        officer = await _join(fake_telegram, None, 1001, "Lan", people["officer"])
        coordinator = await _join(fake_telegram, None, 2002, "Minh", people["coordinator"])
        await officer.send("xin gia hạn")
        await _message_with(officer, lambda m: "đến 15/3" in _text(m))
        await officer.send(f"đến {wanted:%d/%m/%Y}")
        await _message_with(officer, lambda m: f"{wanted:%d/%m/%Y}" in _text(m))

        first = await _message_with(coordinator, lambda m: "Xin gia hạn" in _text(m))
        assert [label for label, _ in first.buttons] == ["Duyệt gia hạn", "Không duyệt"]
        await coordinator.press(first, dict(first.buttons)["Không duyệt"])
        await _message_with(coordinator, lambda m: "lý do" in _text(m))
        await coordinator.send("Cần hoàn thành trước kỳ họp")
        refused = await _message_with(officer, lambda m: "không duyệt" in _text(m))
        assert "Cần hoàn thành trước kỳ họp" in refused.text

        await officer.send(f"xin gia hạn đến {wanted:%d/%m/%Y}, lớp học bị hoãn")
        second = await _message_with(coordinator, lambda m: "Xin gia hạn" in _text(m))
        await coordinator.press(second, dict(second.buttons)["Duyệt gia hạn"])
        await coordinator.next_edit()
        approved = await _message_with(officer, lambda m: "thời hạn mới" in _text(m))
        assert f"{wanted:%d/%m/%Y}" in approved.text

        await coordinator.send("/baocao")
        await _message_with(coordinator, lambda m: "Báo cáo tiến độ" in _text(m))
        document = await _message_with(coordinator, lambda m: m.document is not None)
        photo = await _message_with(coordinator, lambda m: m.photo is not None)
        assert photo.photo.data.startswith(b"\x89PNG")
        book = load_workbook(io.BytesIO(document.document.data))
        header, *rows = book["Nhiệm vụ"].iter_rows(values_only=True)
        row = next(r for r in rows if r[1] == "2")
        columns = dict(zip(header, row, strict=True))
        plan_due = date.today() + timedelta(days=5)
        # Real date cells (openpyxl reads them back as midnight datetimes), so they sort.
        assert columns["Hạn theo kế hoạch"].date() == plan_due
        assert columns["Hạn được gia hạn"].date() == wanted
    finally:
        stop.set()
        await asyncio.wait_for(service, timeout=20)
    with session_scope(make_engine(configured)) as session:
        task = session.exec(select(Task).where(Task.ref == "2")).one()
        assert task.due_date == wanted
        reminders = session.exec(select(Reminder).where(Reminder.task_id == task.id)).all()
        assert {r.cycle for r in reminders if r.state == ReminderState.PENDING} == {wanted}
