"""Which chat a reminder goes to when a person has linked Telegram and Zalo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from db.links import ChatOfContact
from schedules.routing import Route, choose_route

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
HALF_HOUR = timedelta(minutes=30)


def _chats(*, telegram_unreachable=False, zalo_preferred=False, zalo_unreachable=False):
    return [
        ChatOfContact(1, "telegram", "1001", True, False, telegram_unreachable),
        ChatOfContact(1, "zalo", "abc", False, zalo_preferred, zalo_unreachable),
    ]


def _route(chats, *, running=None, failing_since=None):
    return choose_route(
        chats, running=running, failing_since=failing_since, now=NOW, fallback_after=HALF_HOUR
    )


def test_the_preferred_chat_is_used_while_it_works():
    assert _route(_chats()) == Route("telegram", "1001")
    assert _route(_chats(zalo_preferred=True)) == Route("zalo", "abc")
    assert _route(_chats(), failing_since=NOW - timedelta(minutes=29)) == Route("telegram", "1001")


def test_the_other_chat_takes_over_when_the_preferred_cannot():
    fallback = Route("zalo", "abc", fallback=True, instead_of="telegram")
    assert _route(_chats(telegram_unreachable=True)) == fallback
    assert _route(_chats(), failing_since=NOW - HALF_HOUR) == fallback
    assert _route(_chats(), running={"zalo"}) == fallback


def test_with_no_usable_other_chat_the_preferred_is_kept_unless_it_refused_the_bot():
    assert _route(_chats(zalo_unreachable=True), failing_since=NOW - timedelta(hours=2)) == Route(
        "telegram", "1001"
    )
    assert _route(_chats(telegram_unreachable=True, zalo_unreachable=True)) is None
    assert _route(_chats()[:1], running={"zalo"}) == Route("telegram", "1001")


# --- the delivery loop asks the decision --------------------------------------------------

from sqlmodel import select  # noqa: E402

from db.engine import session_scope  # noqa: E402
from db.models import ContactChat, Reminder, ReminderState  # noqa: E402
from schedules.dispatch import RetryLater, Unreachable  # noqa: E402
from tests.factories import Clock, local  # noqa: E402
from tests.schedules.test_dispatch import RecordingChannel, _setup  # noqa: E402


def _linked_dispatcher(engine, clock, telegram, zalo):
    from handlers.render import render_reminder
    from schedules.dispatch import Dispatcher, render_each
    from tests.factories import ZONE, policy

    def render(task, reminder, late):
        return render_reminder(task, reminder, today=clock().astimezone(ZONE).date(), late=late)

    return Dispatcher(
        engine=engine,
        policy_loader=lambda session: policy(),
        senders={"telegram": telegram.send, "zalo": zalo.send},
        render=render_each(render),
        clock=clock,
        worker="test",
        fallback_after=HALF_HOUR,
    )


def _link_zalo(engine, chat_id="abc"):
    with session_scope(engine) as session:
        from db.models import Contact

        contact = session.exec(select(Contact)).one()
        session.add(ContactChat(contact_id=contact.id, channel="zalo", chat_id=chat_id))


def _sent(engine):
    with session_scope(engine) as session:
        return [
            (r.offset_label, r.delivered_channel, r.fallback)
            for r in session.exec(select(Reminder).where(Reminder.state == ReminderState.SENT))
        ]


async def test_a_blocked_telegram_chat_sends_the_reminder_once_to_zalo(engine):
    _setup(engine, "ngày 30/06/2026")
    _link_zalo(engine)
    telegram, zalo = RecordingChannel(), RecordingChannel()
    telegram.failures = [Unreachable("403 blocked")]
    clock = Clock(local(2026, 6, 23, 8, 1))
    dispatcher = _linked_dispatcher(engine, clock, telegram, zalo)
    for _ in range(3):
        await dispatcher.run_once()
    assert telegram.sent == [] and len(zalo.sent) == 1
    assert "Telegram" in zalo.sent[0][1] and zalo.sent[0][0] == "abc"
    assert _sent(engine) == [("7d", "zalo", True)]
    # The next reminder goes straight to Zalo: Telegram stays unreachable until Lan writes.
    clock.now = local(2026, 6, 29, 8, 1)
    await dispatcher.run_once()
    assert len(zalo.sent) == 2 and telegram.sent == []


async def test_a_preferred_chat_failing_for_half_an_hour_hands_over_to_the_other(
    engine, monkeypatch
):
    # The backoff's jitter is not under test: retries come at their nominal times.
    monkeypatch.setattr("schedules.dispatch.random.uniform", lambda low, high: 1.0)
    _setup(engine, "ngày 30/06/2026")
    _link_zalo(engine)
    telegram, zalo = RecordingChannel(), RecordingChannel()
    telegram.failures = [RetryLater("502 bad gateway")] * 20
    clock = Clock(local(2026, 6, 23, 8, 1))
    dispatcher = _linked_dispatcher(engine, clock, telegram, zalo)
    handed_over_at = None
    for minute in range(91):
        clock.now = local(2026, 6, 23, 8, 1) + timedelta(minutes=minute)
        await dispatcher.run_once()
        if zalo.sent and handed_over_at is None:
            handed_over_at = minute
    # Telegram was tried while the failure was younger than half an hour, then Zalo took over.
    assert len(telegram.failures) < 20 - 3
    assert handed_over_at is not None and 30 <= handed_over_at <= 90
    assert len(zalo.sent) == 1 and telegram.sent == []
    assert _sent(engine) == [("7d", "zalo", True)]
