"""Delivery through the real Telegram channel against the fake Bot API: Telegram's rules kept.

The service runs in-process (`serve`), the fake in a thread; the people and the Bot API's
answers (403, 429) are played by the test, and the fake's call log is the evidence.
"""

from __future__ import annotations

import asyncio
import warnings
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.service import serve
from bot.settings import Settings
from db.engine import make_engine, migrate, session_scope
from db.models import Contact, ContactRole, Reminder, ReminderState
from schedules.planning import plan_reminders
from tests.e2e.environment import configure_service, telegram_variables
from tests.factories import ZONE, draft, join, plan, policy, store_plan
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e

AGENCY = "Sở Nội vụ"


@pytest.fixture
def fake():
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def database(fake, tmp_path, monkeypatch):
    """A SQLite store and the environment an operator sets, pointing at the fake."""
    url = configure_service(monkeypatch, tmp_path, **telegram_variables(fake))
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()


def _due_in(days: int) -> str:
    """A deadline phrase `days` after the people's today."""
    return f"ngày {datetime.now(ZONE).date() + timedelta(days=days):%d/%m/%Y}"


def _setup(engine, tasks, officers, coordinators=()):
    """A plan of `tasks` (content, deadline phrase) and people of one agency, reminders planned."""
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        drafts = [draft(str(n), content, AGENCY, due) for n, (content, due) in enumerate(tasks, 1)]
        store_plan(session, plan(*drafts), today=now.date())
        for chat_id in officers:
            join(session, agency=AGENCY, chat_id=str(chat_id), now=now, name=f"Cán bộ {chat_id}")
        for chat_id in coordinators:
            join(
                session, agency=AGENCY, chat_id=str(chat_id), now=now, role=ContactRole.COORDINATOR
            )
        plan_reminders(session, policy=policy(window="00:00-24:00", working_days="all"), now=now)


class Service:
    """`serve` on the test's loop, stopped at the end."""

    async def __aenter__(self):
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(serve(Settings(), stop=self.stop))
        return self

    async def __aexit__(self, *exc):
        self.stop.set()
        await asyncio.wait_for(self.task, 30)


def _notices(fake, chat_id):
    return [m for m in fake.messages(chat_id) if m.text and "đã chặn bot" in m.text]


def _reminders(fake, chat_id):
    return [m for m in fake.messages(chat_id) if m.text and "Nhắc việc" in m.text]


async def test_a_blocked_officer_is_unreachable_coordinators_are_told_once_and_unblocking_restores(
    fake, database
):
    _setup(
        database,
        # Due today: a refused reminder has no later offset to wait for, so it must come back.
        [("Báo cáo tổng kết", _due_in(0)), ("Rà soát quy chế", _due_in(0))],
        officers=[1001],
        coordinators=[2001],
    )
    officer = fake.user(1001, "Lan")
    fake.user(2001, "Minh")
    officer.block()
    async with Service():
        notice = await fake.wait_for(lambda: _notices(fake, 2001), timeout=20)
        assert "Cán bộ 1001" in notice[0].text
        await asyncio.sleep(1.5)  # both reminders met the block by now
        with session_scope(database) as session:
            contact = session.exec(select(Contact).where(Contact.chat_id == "1001")).one()
            assert (contact.active, contact.unreachable_at is not None) == (False, True)
        assert len(_notices(fake, 2001)) == 1  # told once, not once per refused reminder

        officer.unblock()
        await officer.send("/nhiemvu")
        listing = await officer.next_message(timeout=20)
        assert "chưa được đăng ký" not in listing.text  # still an officer, no new invite
        assert "Báo cáo tổng kết" in listing.text
        # The reminders the block stopped come back.
        await fake.wait_for(lambda: len(_reminders(fake, 1001)) >= 2, timeout=20)
    with session_scope(database) as session:
        contact = session.exec(select(Contact).where(Contact.chat_id == "1001")).one()
        assert (contact.active, contact.unreachable_at) == (True, None)


async def test_a_task_of_2505_emoji_is_delivered_in_parts(fake, database):
    content = "🌾" * 2505  # 2,505 code points, but 5,010 UTF-16 units: over Telegram's 4,096
    _setup(database, [(content, _due_in(2))], officers=[1001])
    fake.user(1001, "Lan")
    async with Service():
        await fake.wait_for(lambda: len(fake.messages(1001)) >= 2, timeout=20)
        await asyncio.sleep(0.5)
    parts = fake.messages(1001)
    assert len(parts) == 2
    assert "".join(part.text for part in parts).count("🌾") == 2505
    assert parts[-1].buttons and not parts[0].buttons  # the buttons close the message
    assert not fake.calls("sendMessage") or all(
        call.status == 200 for call in fake.calls("sendMessage")
    )
    with session_scope(database) as session:
        reminder = session.exec(select(Reminder).where(Reminder.state == ReminderState.SENT)).one()
        assert reminder.message_id == str(parts[-1].message_id)


async def test_a_429_pauses_every_send_for_retry_after(fake, database, monkeypatch):
    # The channel itself opts in to PTB's timedelta form: nothing set by the operator.
    monkeypatch.setenv("PTB_TIMEDELTA", "")
    monkeypatch.delenv("PTB_TIMEDELTA")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await _a_429_pauses_every_send(fake, database)
    # PTB 22 warns when a 429's retry_after is built or read in its deprecated int form.
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert not deprecations, [str(w.message) for w in deprecations]


async def _a_429_pauses_every_send(fake, database):
    officers = list(range(1001, 1007))
    # Only the first officer has joined: their reminder is due now and meets a 429.
    _setup(database, [("Báo cáo quý", _due_in(2))], officers=officers[:1])
    for chat_id in officers:
        fake.user(chat_id, f"Cán bộ {chat_id}")
    fake.fail_next("retry_after", retry_after=3, chat_id=1001)
    async with Service():
        refused = await fake.wait_for(
            lambda: next((c for c in fake.sent_log if c.status == 429), None), timeout=20
        )
        # Now five more officers join: without the pause their reminders would go out at once.
        now = datetime.now(UTC)
        with session_scope(database) as session:
            joined = [
                join(session, agency=AGENCY, chat_id=str(chat_id), now=now).id
                for chat_id in officers[1:]
            ]
            plan_reminders(
                session,
                policy=policy(window="00:00-24:00", working_days="all"),
                now=now,
                contact_ids=joined,
            )
        await fake.wait_for(
            lambda: all(len(_reminders(fake, chat_id)) == 1 for chat_id in officers), timeout=30
        )
    resumed = refused.answered_at + 3
    later = [c for c in fake.calls("sendMessage") if c.at > refused.answered_at]
    assert len(later) == len(officers)  # the refused one again, and the five others
    assert all(call.at >= resumed - 0.05 for call in later), [c.at - resumed for c in later]
    assert min(call.at for call in later) < resumed + 1.5  # held by the pause, no longer
