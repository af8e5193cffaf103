"""The service on Zalo against a fake Zalo Bot API on loopback: the people only type text.

Invite, first message, reminders with numbered choices, replies without reply-to, a ref that
wins over the latest reminder, a coordinator's /tiendo, a stranger, duplicate deliveries; the
webhook's secret header; and a person on both Telegram and Zalo whose Telegram chat blocks
the bot getting the reminder once, on Zalo.
"""

from __future__ import annotations

import asyncio
import re
import socket
from datetime import date

import aiohttp
import pytest
from sqlmodel import select

from bot.cli import main as nhacviec
from bot.service import sample_plan_text, serve
from bot.settings import Settings
from db.engine import make_engine, session_scope
from db.models import Reminder, ReminderState, SeenEvent, StatusUpdate, Task, TaskStatus
from tests.e2e.environment import configure_service
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

pytestmark = pytest.mark.e2e


@pytest.fixture
async def fake_zalo():
    async with FakeZalo() as fake:
        yield fake


@pytest.fixture
def configured(fake_zalo, tmp_path, monkeypatch):
    """Environment as an operator sets it for Zalo only, pointing at the fake."""
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    database = configure_service(
        monkeypatch,
        tmp_path,
        **{
            "ZALO_BOT_TOKEN": fake_zalo.token,
            "ZALO_API_BASE_URL": fake_zalo.base_url,
            "ZALO_MESSAGES_PER_SECOND": "50",
        },
    )
    return database


def _cli(capsys, *args: str) -> str:
    assert nhacviec(list(args)) == 0
    return capsys.readouterr().out


def _zalo_invite(capsys, agency: str, role: str) -> str:
    out = _cli(capsys, "invite", "--agency", agency, "--role", role, "--channel", "zalo")
    assert "Zalo" in out and "t.me" not in out, out
    return re.search(r"/start (\w+)", out).group(1)


async def _message_with(person, predicate, timeout: float = 15.0):
    while True:
        message = await person.next_message(timeout=timeout)
        if predicate(message):
            return message


async def _all_messages_until_quiet(person, quiet: float = 2.5) -> list:
    messages = []
    while True:
        try:
            messages.append(await person.next_message(timeout=quiet))
        except TimeoutError:
            return messages


def _open_refs(database: str, agency_name: str) -> list[str]:
    from db.agencies import find_agency
    from db.tasks import open_tasks_for_agency

    with session_scope(make_engine(database)) as session:
        agency = find_agency(session, agency_name)
        return [task.ref for task in open_tasks_for_agency(session, agency_id=agency.id)]


def _import_sample(capsys, tmp_path) -> None:
    plan_file = tmp_path / "ke-hoach-mau.txt"
    plan_file.write_text(sample_plan_text(date.today()), encoding="utf-8")
    assert "7 nhiệm vụ" in _cli(capsys, "import", str(plan_file))


async def test_invite_reminder_numbered_choices_replies_and_progress_on_zalo(
    fake_zalo, configured, tmp_path, capsys
):
    _import_sample(capsys, tmp_path)
    officer_code = _zalo_invite(capsys, "Sở KH&CN", "officer")
    coordinator_code = _zalo_invite(capsys, "Văn phòng UBND tỉnh", "coordinator")

    stop = asyncio.Event()
    service = asyncio.create_task(serve(Settings(), stop=stop))
    try:
        stranger = fake_zalo.user("Người lạ")
        await stranger.send("/tiendo")
        refusal = await stranger.next_message()
        assert "chưa được đăng ký" in refusal.text and "mã mời" in refusal.text

        officer = fake_zalo.user("Lan")
        # Delivered twice (getUpdates has no offset): one welcome, not "code already used".
        await officer.send(f"/start {officer_code}", twice=True)
        welcome = await _message_with(officer, lambda m: "Chào mừng" in m.text)
        assert "Sở Khoa học và Công nghệ" in welcome.text

        received = await _all_messages_until_quiet(officer)
        reminders = [m for m in received if m.text.startswith("🔔")]
        assert reminders
        for reminder in reminders:
            assert "Trả lời bằng một số để chọn:\n1. Hoàn thành\n2. Đang thực hiện" in reminder.text
            assert "đang làm 50%" in reminder.text  # says how to reply in words, too
        # Countdowns and overdue notices (⏰) both ask for a report; the newest is the default.
        asking = [m for m in received if m.text.startswith(("🔔", "⏰"))]
        latest = re.search(r"Nhiệm vụ (\S+):", asking[-1].text).group(1)
        await officer.send("/nhiemvu")
        listing = await officer.next_message()
        assert f"{latest}." in listing.text
        other = next(ref for ref in _open_refs(configured, "Sở KH&CN") if ref != latest)

        # No reply-to on Zalo: words without a ref are about the latest reminder.
        await officer.send("dang lam 50%")
        progress = await officer.next_message()
        assert f"nhiệm vụ {latest}" in progress.text and "đang thực hiện (50%)" in progress.text

        # A ref wins over the latest reminder.
        await officer.send(f"{other} dang lam 20%")
        named = await officer.next_message()
        assert f"nhiệm vụ {other}" in named.text and "(20%)" in named.text

        # A bare number presses the latest reminder's first choice; twice delivered, once done.
        await officer.send("1", twice=True)
        done = await officer.next_message()
        assert f"nhiệm vụ {latest}" in done.text and "đã hoàn thành" in done.text

        coordinator = fake_zalo.user("Minh")
        await coordinator.send(f"/start {coordinator_code}")
        await _message_with(coordinator, lambda m: "Chào mừng" in m.text)
        await coordinator.send("/tiendo")
        summary = await _message_with(coordinator, lambda m: "Tiến độ" in m.text)
        assert "Tổng số: 7 nhiệm vụ" in summary.text
        # Done on time or late, depending on which task the latest reminder was about.
        on_time = int(re.search(r"Hoàn thành đúng hạn: (\d+)", summary.text).group(1))
        late = int(re.search(r"Hoàn thành quá hạn: (\d+)", summary.text).group(1))
        assert on_time + late == 1

        # Nothing more for the officer: the duplicates changed nothing and said nothing.
        assert await _all_messages_until_quiet(officer, quiet=1.0) == []
    finally:
        stop.set()
        await asyncio.wait_for(service, timeout=20)

    assert all(len(m.text) <= 2000 for m in fake_zalo.sent)
    with session_scope(make_engine(configured)) as session:
        history = session.exec(select(StatusUpdate).order_by(StatusUpdate.id)).all()
        assert [(h.text, h.new_status, h.channel, h.chat_id) for h in history] == [
            ("dang lam 50%", "in_progress", "zalo", officer.chat_id),
            (f"{other} dang lam 20%", "in_progress", "zalo", officer.chat_id),
            ("Hoàn thành", "done", "zalo", officer.chat_id),
        ]
        assert session.exec(select(Task).where(Task.ref == latest)).one().status == TaskStatus.DONE
        sent = session.exec(select(Reminder).where(Reminder.state == ReminderState.SENT)).all()
        assert sent and {r.delivered_channel for r in sent} == {"zalo"}
        assert len(session.exec(select(SeenEvent)).all()) == 8  # every distinct event once


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_webhook_refuses_a_forged_or_missing_secret_and_answers_zalos_pushes(
    fake_zalo, configured, monkeypatch
):
    port = _free_port()
    hook = f"http://127.0.0.1:{port}/zalo/webhook"
    monkeypatch.setenv("ZALO_WEBHOOK_URL", hook)
    monkeypatch.setenv("ZALO_WEBHOOK_LISTEN", f"127.0.0.1:{port}")
    stop = asyncio.Event()
    service = asyncio.create_task(serve(Settings(), stop=stop))
    try:
        for _ in range(100):
            if fake_zalo.webhook is not None:
                break
            await asyncio.sleep(0.05)
        assert fake_zalo.webhook["url"] == hook
        secret = fake_zalo.webhook["secret_token"]
        assert 8 <= len(secret) <= 256
        victim = fake_zalo.user("Lan", has_written=True)
        forged = {
            "event_name": "message.text.received",
            "message": {
                "chat": {"id": victim.chat_id, "chat_type": "PRIVATE"},
                "from": {"id": victim.chat_id, "display_name": "Lan"},
                "text": "/tiendo",
                "message_id": "f0f0f0f0",
                "date": 1766619597466,
            },
        }
        async with aiohttp.ClientSession() as client:
            for headers in ({}, {"X-Bot-Api-Secret-Token": secret[:-1] + "x"}):
                async with client.post(hook, json=forged, headers=headers) as response:
                    assert response.status == 403
        # Zalo's own pushes (wrapped in `result` or flat, one delivered twice) are answered once.
        stranger = fake_zalo.user("Người lạ")
        await stranger.send("/tiendo", twice=True)
        refusal = await stranger.next_message()
        assert "chưa được đăng ký" in refusal.text
        await stranger.send("xin chào")
        await stranger.next_message()
        assert await _all_messages_until_quiet(stranger, quiet=1.0) == []
        assert fake_zalo.pushes == [200, 200, 200]
    finally:
        stop.set()
        await asyncio.wait_for(service, timeout=20)
    assert fake_zalo.messages_to(victim) == []
    assert not any(method == "getUpdates" for method, _payload in fake_zalo.calls)
    with session_scope(make_engine(configured)) as session:
        seen = {row.event_id for row in session.exec(select(SeenEvent))}
        assert "f0f0f0f0" not in seen and len(seen) == 2


async def test_a_blocked_telegram_chat_gets_its_reminder_once_on_the_linked_zalo_chat(
    fake_zalo, configured, tmp_path, capsys, monkeypatch
):
    with FakeTelegram() as fake_telegram:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake_telegram.token)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake_telegram.base_url)
        out = _cli(capsys, "invite", "--agency", "Sở Nội vụ", "--role", "officer")
        code = re.search(r"start=(\w+)", out).group(1)

        stop = asyncio.Event()
        service = asyncio.create_task(serve(Settings(), stop=stop))
        try:
            on_telegram = fake_telegram.user(1001, "Lan")
            await on_telegram.send(f"/start {code}")
            await _message_with(on_telegram, lambda m: "Chào mừng" in (m.text or ""))
            await on_telegram.send("/lienket")
            offer = await _message_with(on_telegram, lambda m: "/lienket " in (m.text or ""))
            link_code = re.search(r"/lienket (\w+)", offer.text).group(1)
            on_zalo = fake_zalo.user("Lan")
            await on_zalo.send(f"/lienket {link_code}")
            linked = await on_zalo.next_message()
            assert "đã được liên kết" in linked.text

            on_telegram.block()
            # The plan arrives while the service runs: its reminders are due at once.
            await asyncio.to_thread(_import_sample, capsys, tmp_path)
            reminders = [
                m for m in await _all_messages_until_quiet(on_zalo, quiet=3.0) if "🔔" in m.text
            ]
        finally:
            stop.set()
            await asyncio.wait_for(service, timeout=20)
        on_telegram_after = [
            m for m in fake_telegram.messages(1001) if "Nhắc việc" in (m.text or "")
        ]

    assert reminders and on_telegram_after == []
    for reminder in reminders:
        assert "Gửi qua đây vì cuộc trò chuyện Telegram của bạn không nhận được" in reminder.text
    with session_scope(make_engine(configured)) as session:
        sent = session.exec(select(Reminder).where(Reminder.state == ReminderState.SENT)).all()
        assert len(sent) == len(reminders)
        assert {(r.delivered_channel, r.fallback) for r in sent} == {("zalo", True)}
        # Each task announced once: never on both channels, never twice.
        assert len({(r.task_id, r.cycle) for r in sent}) == len(sent)


async def test_a_refused_zalo_token_stops_the_service_with_a_vietnamese_error(
    fake_zalo, configured, monkeypatch
):
    from core.errors import UserError

    monkeypatch.setenv("ZALO_BOT_TOKEN", "42:not-the-token-the-server-knows")
    with pytest.raises(UserError, match="từ chối ZALO_BOT_TOKEN"):
        await serve(Settings(), stop=asyncio.Event())


@pytest.mark.postgres
async def test_one_run_process_polls_zalo_and_another_takes_over_when_it_stops(
    fake_zalo, configured, postgres_engine, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", postgres_engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr("bot.service.LEADER_RETRY_SECONDS", 0.3)
    polls = {"now": 0, "most": 0}
    poll = fake_zalo._m_getUpdates

    async def counted_poll(payload):
        polls["now"] += 1
        polls["most"] = max(polls["most"], polls["now"])
        try:
            return await poll(payload)
        finally:
            polls["now"] -= 1

    monkeypatch.setattr(fake_zalo, "_m_getUpdates", counted_poll)
    stops, services = [], []
    for _ in range(2):  # two `nhacviec run` on one PostgreSQL
        stop, ready = asyncio.Event(), asyncio.Event()
        services.append(asyncio.create_task(serve(Settings(), stop=stop, ready=ready)))
        stops.append(stop)
        await asyncio.wait_for(ready.wait(), 20)
    try:
        await asyncio.sleep(2)  # several take-over checks of the second process
        assert polls["most"] == 1  # getUpdates has no offset: two pollers would split events
        stops[0].set()
        await asyncio.wait_for(services[0], 20)
        before = sum(method == "getUpdates" for method, _payload in fake_zalo.calls)
        for _ in range(100):  # the second process takes over
            if sum(method == "getUpdates" for method, _payload in fake_zalo.calls) > before:
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("nobody polls Zalo after the poller stopped")
    finally:
        for stop in stops:
            stop.set()
        await asyncio.wait_for(asyncio.gather(*services, return_exceptions=True), 20)
