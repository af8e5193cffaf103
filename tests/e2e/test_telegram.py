"""The real python-telegram-bot Application against a Bot API server on loopback.

The test plays the people: a coordinator's invite, the officer's /start, a reminder arriving,
a reply and a button press, and the coordinator's /tiendo showing the change.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlmodel import col, select

from bot.cli import main as nhacviec
from bot.service import sample_plan_text, serve
from bot.settings import Settings
from db.engine import make_engine, session_scope
from db.models import Contact, Reminder, ReminderState, StatusUpdate, Task, TaskStatus
from tests.e2e.environment import configure_service, telegram_variables
from tests.e2e.ledger import ledger_is_final, wait_until_async
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
    database = configure_service(monkeypatch, tmp_path, **telegram_variables(fake_telegram))
    return database


def _cli(capsys, *args: str) -> str:
    assert nhacviec(list(args)) == 0
    return capsys.readouterr().out


def _invite(capsys, agency: str, role: str) -> str:
    out = _cli(capsys, "invite", "--agency", agency, "--role", role)
    link = re.search(r"https://t\.me/(\w+)\?start=(\w+)", out)
    assert link, out
    return link.group(2)


async def _arrives(fake, person, predicate, *, after: int = 0, timeout: float = 30.0):
    """The first message the bot sent `person` after message number `after` that matches.

    Messages are awaited by what they say, never by their order: a second reminder (a quarterly
    task near the quarter's end) may arrive between a reply and its confirmation.
    """

    def found():
        return next(
            (
                message
                for message in fake.messages(person.chat_id)
                if message.message_id > after and predicate(message)
            ),
            None,
        )

    return await fake.wait_for(found, timeout=timeout)


async def _message_with(person, predicate, timeout: float = 15.0):
    """The next message to `person` that matches, the ones before it passed over."""
    while True:
        message = await person.next_message(timeout=timeout)
        if predicate(message):
            return message


def _service_today():
    """Today in Vietnam on the service's clock (NHACVIEC_NOW under `make test-dates`)."""
    from zoneinfo import ZoneInfo

    from core.clock import utcnow

    return utcnow().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def _says(*phrases: str):
    return lambda message: all(phrase in (message.text or "") for phrase in phrases)


# Days the scenario runs on, 09:00 in Vietnam, with the sample tasks whose reminders reach the
# officer (Sở KH&CN leads tasks 1, 3, 4 and 6). The first is the everyday case, chosen so that
# no sample task falls due by accident: only task 1 (due in two days). The others are the days
# a calendar race would show: the last week of a quarter (the quarterly report, task 4, is due
# too), New Year's Eve (the next day is a holiday), the last working day before Tết 2027 (the
# `holidays` package starts it on 29 Tết, 04/02/2027; 05/02 is Giao thừa, a day off) and the
# last week of the next quarter.
QUIET_DAY = "2026-11-18T09:00:00+07:00"
SCENARIO_DAYS = {
    "quiet-day": (QUIET_DAY, ["1"]),
    "quarter-end-week": ("2026-12-28T09:00:00+07:00", ["1", "4"]),
    "new-years-eve": ("2026-12-31T09:00:00+07:00", ["1", "4"]),
    "before-tet": ("2027-02-03T09:00:00+07:00", ["1"]),
    "next-quarter-end-week": ("2027-03-29T09:00:00+07:00", ["1", "4"]),
}


def _ledger(database: str) -> list[tuple]:
    """The reminder rows as a failure message shows them, with the service's clock."""
    from core.clock import utcnow

    engine = make_engine(database)
    with session_scope(engine) as session:
        rows = [
            (r.task_id, r.contact_id, r.offset_label, r.state, r.due_at.isoformat(), r.last_error)
            for r in session.exec(select(Reminder).order_by(Reminder.id))
        ]
    engine.dispose()
    return [("now", utcnow().isoformat()), *rows]


# How every kind of ledger message begins: countdown and grouped reminders, overdue notices,
# escalations, check-ins, the weekly digest, the Monday list.
LEDGER_HEADINGS = (
    "🔔",
    "⏰",
    "⚠️ Nhiệm vụ",
    "📋",
    "📊 Tổng hợp tuần",
    "📅 Nhiệm vụ của cơ quan",
)


def _announced_refs(message) -> list[str]:
    """The tasks a reminder names: its own, or, grouped, one per task button ("Nhiệm vụ 3")."""
    single = re.match(r"Nhiệm vụ (\w+):", message.text.split("\n")[1])
    if single:
        return [single.group(1)]
    return [label.split()[-1] for label, data in message.buttons if data.startswith("tk:")]


def _reminders_match_the_ledger(fake, database: str, chat_ids: list[int]) -> None:
    """Each reminder the chats got is one SENT row, and each SENT row one message: no copies."""
    received = sorted(
        (chat_id, message.message_id)
        for chat_id in chat_ids
        for message in fake.messages(chat_id)
        if message.text and message.text.startswith(LEDGER_HEADINGS)
    )
    engine = make_engine(database)
    with session_scope(engine) as session:
        sent = sorted(
            (int(contact.chat_id), int(reminder.message_id))
            for reminder, contact in session.exec(
                select(Reminder, Contact)
                .join(Contact, col(Contact.id) == Reminder.contact_id)
                .where(Reminder.state == ReminderState.SENT)
            )
        )
    engine.dispose()
    # A grouped message announces several rows under one message id.
    assert received == sorted(set(sent))


@pytest.mark.parametrize(("moment", "reminded"), SCENARIO_DAYS.values(), ids=SCENARIO_DAYS.keys())
async def test_invite_reminder_reply_button_and_progress(
    fake_telegram, configured, tmp_path, capsys, pinned_now, moment, reminded
):
    today = pinned_now(moment).date()
    plan_file = tmp_path / "ke-hoach-mau.txt"
    plan_file.write_text(sample_plan_text(today), encoding="utf-8")
    assert "7 nhiệm vụ" in _cli(capsys, "import", str(plan_file))
    officer_code = _invite(capsys, "Sở KH&CN", "officer")
    coordinator_code = _invite(capsys, "Văn phòng UBND tỉnh", "coordinator")

    stop = asyncio.Event()
    service = asyncio.create_task(serve(Settings(), stop=stop))
    try:
        stranger = fake_telegram.user(999, "Người lạ")
        await stranger.send("/tiendo")
        refusal = await _arrives(fake_telegram, stranger, _says("chưa được đăng ký"))
        assert "mã mời" in refusal.text

        officer = fake_telegram.user(1001, "Lan", last_name="Nguyễn")
        await officer.send(f"/start {officer_code}")
        welcome = await _arrives(fake_telegram, officer, _says("Chào mừng"))
        assert "Sở Khoa học và Công nghệ" in welcome.text

        try:
            reminder = await _arrives(
                fake_telegram, officer, _says("Nhắc việc", "Rà soát, cập nhật danh mục")
            )
        except TimeoutError as error:
            raise AssertionError(f"no reminder; the ledger: {_ledger(configured)}") from error
        assert [label for label, _data in reminder.buttons] == [
            "Hoàn thành",
            "Đang thực hiện",
            "Nhắc lại sau: ngày mai",
            "Nhắc lại sau: 3 ngày nữa",
        ]

        reply = await officer.send("đang làm 50%", reply_to=reminder)
        confirmation = await _arrives(
            fake_telegram, officer, _says("đang thực hiện (50%)"), after=reply.message_id
        )
        assert confirmation.text == "⏳ Đã ghi nhận: nhiệm vụ 1 đang thực hiện (50%)."

        done_button = dict(reminder.buttons)["Hoàn thành"]
        await officer.press(reminder, done_button)
        edited = await _arrives(
            fake_telegram, officer, lambda m: m.message_id == reminder.message_id and m.edited
        )
        # The reminder keeps its words, loses its buttons, and says what was recorded.
        assert edited.text == (
            f"{reminder.text}\n\n✅ Đã ghi nhận: nhiệm vụ 1 đã hoàn thành. Cảm ơn bạn!"
        )
        assert edited.buttons == []

        coordinator = fake_telegram.user(2002, "Minh")
        await coordinator.send(f"/start {coordinator_code}")
        await _arrives(fake_telegram, coordinator, _says("Chào mừng"))
        await coordinator.send("/tiendo")
        summary = await _arrives(fake_telegram, coordinator, _says("Tiến độ"))
        assert "Tổng số: 7 nhiệm vụ" in summary.text
        assert "Hoàn thành đúng hạn: 1" in summary.text
        assert "Quá hạn, chưa hoàn thành: 1" in summary.text
        await wait_until_async(
            lambda: ledger_is_final(configured), timeout=15, what="a final reminder ledger"
        )
    finally:
        stop.set()
        await asyncio.wait_for(service, timeout=20)

    # The service has stopped: nothing more can arrive, so the chats are complete.
    _reminders_match_the_ledger(fake_telegram, configured, [1001, 2002])
    officer_reminders = [
        ref
        for m in fake_telegram.messages(1001)
        if m.text.startswith("🔔")
        for ref in _announced_refs(m)
    ]
    assert sorted(officer_reminders) == reminded
    with session_scope(make_engine(configured)) as session:
        task = session.exec(select(Task).where(Task.ref == "1")).one()
        assert task.status == TaskStatus.DONE
        history = session.exec(select(StatusUpdate).order_by(StatusUpdate.id)).all()
        assert [(h.text, h.new_status, h.chat_id) for h in history] == [
            ("đang làm 50%", "in_progress", "1001"),
            ("Hoàn thành", "done", "1001"),
        ]


async def test_coordinator_imports_a_plan_file_sent_in_chat(
    fake_telegram, configured, tmp_path, capsys, pinned_now
):
    from tests.plans.builders import build_docx

    today = pinned_now(QUIET_DAY).date()
    sample = tmp_path / "sample.txt"
    sample.write_text(sample_plan_text(today), encoding="utf-8")
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
        await _arrives(fake_telegram, officer, _says("Chào mừng"))
        upload = await officer.send_document(docx.name, docx.read_bytes())
        await _arrives(
            fake_telegram, officer, _says("Chỉ đầu mối tổng hợp"), after=upload.message_id
        )

        coordinator = fake_telegram.user(2002, "Minh")
        await coordinator.send(f"/start {coordinator_code}")
        await _arrives(fake_telegram, coordinator, _says("Chào mừng"))
        upload = await coordinator.send_document("hong.docx", b"PK\x03\x04 not really a docx")
        await _arrives(fake_telegram, coordinator, _says("hỏng"), after=upload.message_id)

        upload = await coordinator.send_document(docx.name, docx.read_bytes())
        preview = await _arrives(
            fake_telegram, coordinator, _says("7 nhiệm vụ"), after=upload.message_id
        )
        assert "Rà soát, cập nhật danh mục" in preview.text
        assert [label for label, _data in preview.buttons] == [
            "Nhập kế hoạch",
            "Tải bảng kiểm tra",
            "Hủy",
        ]
        await coordinator.press(preview, dict(preview.buttons)["Nhập kế hoạch"])
        imported = await _arrives(
            fake_telegram,
            coordinator,
            lambda m: m.message_id == preview.message_id and "7 mới" in (m.text or ""),
        )
        assert imported.edited and imported.buttons == []

        # The officer's agency leads task 2 of the plan: its reminder arrives.
        await _arrives(fake_telegram, officer, _says("Nhắc việc", "Tổ chức tập huấn kỹ năng số"))
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
        await _arrives(fake_telegram, officer, _says("Chào mừng"))
        coordinator = fake_telegram.user(2002, "Minh")
        await coordinator.send(f"/start {coordinator_code}")
        await _arrives(fake_telegram, coordinator, _says("Chào mừng"))

        # The welcome lists what one can do too: the help is the answer after the command.
        asked = await officer.send("/help")
        officer_help = await _arrives(
            fake_telegram, officer, _says("Bạn có thể"), after=asked.message_id
        )
        asked = await coordinator.send("/trogiup")
        coordinator_help = await _arrives(
            fake_telegram, coordinator, _says("Bạn có thể"), after=asked.message_id
        )
        for help_message in (officer_help, coordinator_help):
            assert "/nhiemvu" in help_message.text and "/tiendo" in help_message.text
            assert "/start" not in help_message.text  # both have joined already
        assert "Gửi tệp kế hoạch" in coordinator_help.text
        assert "Gửi tệp kế hoạch" not in officer_help.text

        # Officers see the default menu; the coordinator's chat has its own scope.
        await fake_telegram.wait_for(lambda: fake_telegram.menu(2002))
        default = [name for name, _text in fake_telegram.menu()]
        assert default == ["nhiemvu", "tiendo", "lichsu", "lienket", "help"]
        assert set(default) <= {name for name, _text in fake_telegram.menu(2002)}
        assert fake_telegram.menu(1001) == []
        assert dict(fake_telegram.menu())["tiendo"] == "tổng hợp tiến độ"
    finally:
        stop.set()
        await asyncio.wait_for(service, timeout=20)
