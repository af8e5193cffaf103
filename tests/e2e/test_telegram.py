"""The real python-telegram-bot Application against a Bot API server on loopback.

The test plays the people: a coordinator's invite, the officer's /start, a reminder arriving,
a reply and a button press, and the coordinator's /tiendo showing the change.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlmodel import select

from bot.cli import main as nhacviec
from bot.service import sample_plan_text, serve
from bot.settings import Settings
from db.engine import make_engine, session_scope
from db.models import StatusUpdate, Task, TaskStatus
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e


@pytest.fixture
def fake_telegram():
    """A fake Bot API server in a thread, so synchronous CLI calls may talk to it too."""
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def configured(fake_telegram, tmp_path, monkeypatch):
    """Environment as an operator sets it, pointing at the fake Bot API server."""
    database = f"sqlite:///{tmp_path / 'nhacviec.db'}"
    for name, value in {
        "TELEGRAM_BOT_TOKEN": fake_telegram.token,
        "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
        "DATABASE_URL": database,
        "NHACVIEC_SEND_WINDOW": "00:00-24:00",
        "NHACVIEC_WORKING_DAYS": "all",
        "NHACVIEC_TICK_SECONDS": "0.2",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return database


def _cli(capsys, *args: str) -> str:
    assert nhacviec(list(args)) == 0
    return capsys.readouterr().out


def _invite(capsys, agency: str, role: str) -> str:
    out = _cli(capsys, "invite", "--agency", agency, "--role", role)
    link = re.search(r"https://t\.me/(\w+)\?start=(\w+)", out)
    assert link, out
    return link.group(2)


async def _message_with(person, predicate, timeout: float = 15.0):
    while True:
        message = await person.next_message(timeout=timeout)
        if predicate(message):
            return message


async def test_invite_reminder_reply_button_and_progress(
    fake_telegram, configured, tmp_path, capsys
):
    plan_file = tmp_path / "ke-hoach-mau.txt"
    from datetime import date

    plan_file.write_text(sample_plan_text(date.today()), encoding="utf-8")
    assert "7 nhiệm vụ" in _cli(capsys, "import", str(plan_file))
    officer_code = _invite(capsys, "Sở KH&CN", "officer")
    coordinator_code = _invite(capsys, "Văn phòng UBND tỉnh", "coordinator")

    stop = asyncio.Event()
    service = asyncio.create_task(serve(Settings(), stop=stop))
    try:
        stranger = fake_telegram.user(999, "Người lạ")
        await stranger.send("/tiendo")
        refusal = await stranger.next_message()
        assert "chưa được đăng ký" in refusal.text and "mã mời" in refusal.text

        officer = fake_telegram.user(1001, "Lan", last_name="Nguyễn")
        await officer.send(f"/start {officer_code}")
        welcome = await _message_with(officer, lambda m: "Chào mừng" in (m.text or ""))
        assert "Sở Khoa học và Công nghệ" in welcome.text

        reminder = await _message_with(officer, lambda m: bool(m.buttons))
        assert "Nhắc việc" in reminder.text and "Rà soát, cập nhật danh mục" in reminder.text
        assert [label for label, _data in reminder.buttons] == ["Hoàn thành", "Đang thực hiện"]

        await officer.send("đang làm 50%", reply_to=reminder)
        confirmation = await officer.next_message()
        assert "đang thực hiện (50%)" in confirmation.text

        done_button = dict(reminder.buttons)["Hoàn thành"]
        await officer.press(reminder, done_button)
        edited = await officer.next_edit()
        assert "đã hoàn thành" in edited.text and edited.buttons == []

        coordinator = fake_telegram.user(2002, "Minh")
        await coordinator.send(f"/start {coordinator_code}")
        await _message_with(coordinator, lambda m: "Chào mừng" in (m.text or ""))
        await coordinator.send("/tiendo")
        summary = await _message_with(coordinator, lambda m: "Tiến độ" in (m.text or ""))
        assert "Tổng số: 7 nhiệm vụ" in summary.text
        assert "Hoàn thành đúng hạn: 1" in summary.text
        assert "Quá hạn, chưa hoàn thành: 1" in summary.text
    finally:
        stop.set()
        await asyncio.wait_for(service, timeout=20)

    with session_scope(make_engine(configured)) as session:
        task = session.exec(select(Task).where(Task.ref == "1")).one()
        assert task.status == TaskStatus.DONE
        history = session.exec(select(StatusUpdate).order_by(StatusUpdate.id)).all()
        assert [(h.text, h.new_status, h.chat_id) for h in history] == [
            ("đang làm 50%", "in_progress", "1001"),
            ("Hoàn thành", "done", "1001"),
        ]


async def test_coordinator_imports_a_plan_file_sent_in_chat(
    fake_telegram, configured, tmp_path, capsys
):
    from tests.plans.builders import build_docx

    sample = tmp_path / "sample.txt"
    from datetime import date

    sample.write_text(sample_plan_text(date.today()), encoding="utf-8")
    rows = [
        line.split("\t") for line in sample.read_text(encoding="utf-8").splitlines() if "\t" in line
    ]
    docx = tmp_path / "ke-hoach-chuyen-doi-so.docx"
    build_docx(docx, rows, title=["KẾ HOẠCH chuyển đổi số"])
    coordinator_code = _invite(capsys, "Văn phòng UBND tỉnh", "coordinator")
    officer_code = _invite(capsys, "Sở Nội vụ", "officer")

    stop = asyncio.Event()
    service = asyncio.create_task(serve(Settings(), stop=stop))
    try:
        officer = fake_telegram.user(1001, "Lan")
        await officer.send(f"/start {officer_code}")
        await _message_with(officer, lambda m: "Chào mừng" in (m.text or ""))
        await officer.send_document(docx.name, docx.read_bytes())
        refusal = await officer.next_message()
        assert "Chỉ đầu mối tổng hợp" in refusal.text

        coordinator = fake_telegram.user(2002, "Minh")
        await coordinator.send(f"/start {coordinator_code}")
        await _message_with(coordinator, lambda m: "Chào mừng" in (m.text or ""))
        await coordinator.send_document("hong.docx", b"PK\x03\x04 not really a docx")
        broken = await coordinator.next_message()
        assert "hỏng" in broken.text

        await coordinator.send_document(docx.name, docx.read_bytes())
        preview = await coordinator.next_message()
        assert "7 nhiệm vụ" in preview.text and "Rà soát, cập nhật danh mục" in preview.text
        assert [label for label, _data in preview.buttons] == [
            "Nhập kế hoạch",
            "Tải bảng kiểm tra",
            "Hủy",
        ]
        await coordinator.press(preview, dict(preview.buttons)["Nhập kế hoạch"])
        imported = await coordinator.next_edit()
        assert "7 mới" in imported.text and imported.buttons == []

        # The officer's agency leads task 2 of the plan: its reminder arrives.
        reminder = await _message_with(officer, lambda m: bool(m.buttons))
        assert "Tổ chức tập huấn kỹ năng số" in reminder.text
    finally:
        stop.set()
        await asyncio.wait_for(service, timeout=20)

    with session_scope(make_engine(configured)) as session:
        assert len(session.exec(select(Task)).all()) == 7


async def test_a_refused_token_stops_the_service_with_a_vietnamese_error(
    fake_telegram, configured, monkeypatch
):
    from core.errors import UserError

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "42:not-the-token-the-server-knows")
    with pytest.raises(UserError, match="từ chối TELEGRAM_BOT_TOKEN"):
        await serve(Settings(), stop=asyncio.Event())


async def test_help_and_the_command_menu_follow_the_role(fake_telegram, configured, capsys):
    coordinator_code = _invite(capsys, "Văn phòng UBND tỉnh", "coordinator")
    officer_code = _invite(capsys, "Sở Nội vụ", "officer")
    stop = asyncio.Event()
    service = asyncio.create_task(serve(Settings(), stop=stop))
    try:
        officer = fake_telegram.user(1001, "Lan")
        await officer.send(f"/start {officer_code}")
        await _message_with(officer, lambda m: "Chào mừng" in (m.text or ""))
        coordinator = fake_telegram.user(2002, "Minh")
        await coordinator.send(f"/start {coordinator_code}")
        await _message_with(coordinator, lambda m: "Chào mừng" in (m.text or ""))

        await officer.send("/help")
        officer_help = await _message_with(officer, lambda m: "Bạn có thể" in (m.text or ""))
        await coordinator.send("/trogiup")
        coordinator_help = await _message_with(
            coordinator, lambda m: "Bạn có thể" in (m.text or "")
        )
        for help_message in (officer_help, coordinator_help):
            assert "/nhiemvu" in help_message.text and "/tiendo" in help_message.text
            assert "/start" not in help_message.text  # both have joined already
        assert "Gửi tệp kế hoạch" in coordinator_help.text
        assert "Gửi tệp kế hoạch" not in officer_help.text

        # Officers see the default menu; the coordinator's chat has its own scope.
        await fake_telegram.wait_for(lambda: fake_telegram.menu(2002))
        default = [name for name, _text in fake_telegram.menu()]
        assert default == ["nhiemvu", "tiendo", "lienket", "help"]
        assert [name for name, _text in fake_telegram.menu(2002)][:4] == default
        assert fake_telegram.menu(1001) == []
        assert dict(fake_telegram.menu())["tiendo"] == "tổng hợp tiến độ"
    finally:
        stop.set()
        await asyncio.wait_for(service, timeout=20)
