"""What people see when Telegram refuses or fails a reminder, through the real TelegramChannel.

The service runs as in production (python-telegram-bot, the dispatch loop with its per-chat
pacing) against the fake Bot API's failure injection. Outcomes are read where a person or an
operator would see them: the chats the fake recorded, and each Reminder row's final state.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.service import serve
from bot.settings import Settings
from core.clock import pin_clock, utcnow
from db.engine import make_engine, migrate, session_scope
from db.models import Contact, Reminder, ReminderState
from tests.e2e.environment import configure_service, telegram_variables
from tests.e2e.ledger import ledger_is_final, wait_until_async
from tests.factories import ZONE, draft, join, plan, store_plan
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e

DAY = "2026-11-18T09:00:00+07:00"  # a Wednesday: a working day in mid-quarter
OFFICER, OTHER_OFFICER = 5001, 5002


@pytest.fixture
def fake():
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def database(fake, tmp_path, monkeypatch, pinned_now) -> str:
    """A store with officers of Sở Nội vụ; the service configured for the fake Bot API."""
    pinned_now(DAY)
    url = configure_service(monkeypatch, tmp_path, **telegram_variables(fake))
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


def _tasks_due_in_two_days(fake: FakeTelegram, url: str, count: int, officers: list[int]) -> None:
    """`count` tasks of Sở Nội vụ due in two days, for officers who have started the bot; the
    service plans them as it starts, and one reminder per task and officer goes out at once."""
    for chat_id in officers:
        fake.user(chat_id, f"Cán bộ {chat_id}")
    engine = make_engine(url)
    now = utcnow()
    today = now.astimezone(ZONE).date()
    due = f"ngày {today + timedelta(days=2):%d/%m/%Y}"
    with session_scope(engine) as session:
        for chat_id in officers:
            join(session, agency="Sở Nội vụ", chat_id=str(chat_id), now=now)
        tasks = [draft(str(n), f"Nhiệm vụ số {n}", "Sở Nội vụ", due) for n in range(1, count + 1)]
        store_plan(session, plan(*tasks), today=today)
    engine.dispose()


@contextlib.asynccontextmanager
async def _service():
    stop = asyncio.Event()
    service = asyncio.create_task(serve(Settings(), stop=stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(service, timeout=20)


def _reminders_in(fake: FakeTelegram, chat_id: int) -> list:
    return [m for m in fake.messages(chat_id) if m.text and m.text.startswith("🔔")]


def _states(url: str) -> dict[int, list[str]]:
    """Chat id -> the states of its reminder rows due by now or soon (the later offsets of the
    same tasks, due on later days, are left out)."""
    engine = make_engine(url)
    with session_scope(engine) as session:
        rows = session.exec(
            select(Contact.chat_id, Reminder.state, Reminder.due_at).join(
                Contact, col(Contact.id) == Reminder.contact_id
            )
        ).all()
    engine.dispose()
    soon = utcnow() + timedelta(hours=1)
    states: dict[int, list[str]] = {}
    for chat_id, state, due_at in rows:
        if state != ReminderState.PENDING or due_at <= soon:
            states.setdefault(int(chat_id), []).append(state)
    return states


async def _settled(url: str) -> None:
    await wait_until_async(lambda: ledger_is_final(url), timeout=20, what="a final ledger")


async def _first_send_answered(fake: FakeTelegram, chat_id: int, status: int) -> None:
    await fake.wait_for(
        lambda: any(c.status == status for c in fake.calls("sendMessage", chat_id=chat_id)),
        timeout=20,
    )


async def test_a_429_is_retried_no_sooner_than_telegram_asks_and_arrives_once(fake, database):
    _tasks_due_in_two_days(fake, database, 1, [OFFICER])
    fake.fail_next("retry_after", retry_after=2, chat_id=OFFICER)
    async with _service():
        await _first_send_answered(fake, OFFICER, 429)
        refused_at = time.monotonic()
        await fake.wait_for(lambda: _reminders_in(fake, OFFICER), timeout=20)
        waited = time.monotonic() - refused_at
        await _settled(database)
    assert waited >= 1.9  # retry_after is 2 seconds
    assert len(_reminders_in(fake, OFFICER)) == 1
    assert [c.status for c in fake.calls("sendMessage", chat_id=OFFICER)] == [429, 200]
    assert _states(database) == {OFFICER: [ReminderState.SENT]}


@pytest.mark.parametrize("refusal", ["blocked", "chat_not_found"])
async def test_an_unreachable_chat_is_tried_once_and_the_others_still_get_theirs(
    fake, database, refusal
):
    # 403 "bot was blocked by the user" and 400 "chat not found": trying again cannot help.
    _tasks_due_in_two_days(fake, database, 1, [OFFICER, OTHER_OFFICER])
    fake.fail_next(refusal, times=None, chat_id=OFFICER)
    async with _service():
        await _first_send_answered(fake, OFFICER, 403 if refusal == "blocked" else 400)
        await fake.wait_for(lambda: _reminders_in(fake, OTHER_OFFICER), timeout=20)
        await _settled(database)
    assert _reminders_in(fake, OFFICER) == []
    assert len(fake.calls("sendMessage", chat_id=OFFICER)) == 1
    assert len(_reminders_in(fake, OTHER_OFFICER)) == 1
    states = _states(database)
    assert states[OTHER_OFFICER] == [ReminderState.SENT]
    assert states[OFFICER] and not set(states[OFFICER]) & {
        ReminderState.PENDING,
        ReminderState.SENDING,
        ReminderState.SENT,
    }


@pytest.mark.slow
async def test_a_timed_out_send_is_kept_and_retried_later_arriving_once(fake, database):
    # The fake holds the first send past python-telegram-bot's 5 s read timeout, then drops it.
    _tasks_due_in_two_days(fake, database, 1, [OFFICER])
    fake.fail_next("timeout", retry_after=8, chat_id=OFFICER)
    async with _service():
        await fake.wait_for(lambda: fake.calls("sendMessage", chat_id=OFFICER), timeout=20)
        await _settled(database)
        # The channel retries a timed-out send after a jittered pause; if that retry was not
        # in this pass, the row waits as pending for a later one, never dropped.
        if not _reminders_in(fake, OFFICER):
            assert _states(database) == {OFFICER: [ReminderState.PENDING]}
            pin_clock(utcnow() + timedelta(hours=1))  # the retry's time comes
        await fake.wait_for(lambda: _reminders_in(fake, OFFICER), timeout=20)
        await _settled(database)
    assert len(_reminders_in(fake, OFFICER)) == 1
    assert _states(database) == {OFFICER: [ReminderState.SENT]}


async def test_reminders_to_one_chat_are_paced_a_second_apart(fake, database):
    _tasks_due_in_two_days(fake, database, 3, [OFFICER, OTHER_OFFICER])
    arrivals: dict[int, list[float]] = {OFFICER: [], OTHER_OFFICER: []}

    def note_arrivals() -> bool:
        for chat_id, seen in arrivals.items():
            for _ in range(len(_reminders_in(fake, chat_id)) - len(seen)):
                seen.append(time.monotonic())
        return all(len(seen) == 3 for seen in arrivals.values())

    async with _service():
        deadline = time.monotonic() + 30
        while not note_arrivals():
            assert time.monotonic() < deadline, arrivals
            await asyncio.sleep(0.02)
        await _settled(database)
    for seen in arrivals.values():
        gaps = [later - earlier for earlier, later in itertools.pairwise(seen)]
        # Telegram allows about one message a second to a chat; HTTP jitter aside.
        assert all(gap >= 0.8 for gap in gaps), gaps


async def test_an_unreachable_bot_api_stops_the_service_with_a_vietnamese_error(
    database, monkeypatch
):
    import socket

    from core.errors import UserError

    with socket.socket() as closed:  # a loopback port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", f"http://127.0.0.1:{port}/bot")
    with pytest.raises(UserError, match="Không kết nối được"):
        await serve(Settings(), stop=asyncio.Event())


async def test_a_failing_use_case_gets_an_apology_not_silence(fake):
    from bot.channels.telegram import TelegramChannel

    async def broken(incoming):
        raise RuntimeError("the database went away")

    channel = TelegramChannel(token=fake.token, base_url=fake.base_url, poll_timeout=1)
    await channel.start(broken)
    try:
        person = fake.user(OFFICER, "Lan")
        await person.send("/tiendo")
        apology = await person.next_message(timeout=15)
    finally:
        await channel.stop()
    assert apology.text == "Xin lỗi, hệ thống đang gặp sự cố. Vui lòng thử lại sau."
