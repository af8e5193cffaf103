"""Planning and delivery: every reminder reaches its officer once, on time, in working hours."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select

from core.messages import Answer
from db.engine import session_scope
from db.models import (
    Contact,
    Reminder,
    ReminderKind,
    ReminderState,
    StatusUpdate,
    Task,
    TaskStatus,
)
from db.tasks import record_status
from handlers.notices import render_claimed
from schedules.dispatch import Dispatcher, RetryLater, Unreachable, claim_due
from schedules.planning import plan_reminders
from tests.factories import ZONE, Clock, draft, join, local, plan, policy, store_plan

MONDAY = local(2026, 6, 1, 9)  # plan imported on a Monday morning


class RecordingChannel:
    """A channel that records what it was asked to send, and can refuse."""

    def __init__(self):
        self.sent: list[tuple[str, str]] = []
        self.failures: list[Exception] = []

    async def send(self, chat_id: str, answer: Answer) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((chat_id, answer.text))
        return str(len(self.sent))


def _setup(engine, *deadlines: str, contacts=("100",)):
    with session_scope(engine) as session:
        tasks = [
            draft(str(i), f"Nhiệm vụ {i}", "Sở Nội vụ", text) for i, text in enumerate(deadlines, 1)
        ]
        outcome = store_plan(session, plan(*tasks), today=MONDAY.astimezone(ZONE).date())
        for chat_id in contacts:
            join(session, agency="Sở Nội vụ", chat_id=chat_id, now=MONDAY)
        plan_reminders(session, policy=policy(), now=MONDAY)
    return outcome.task_ids


def _dispatcher(engine, channel, clock):
    def render(session, claimed):
        return render_claimed(session, claimed, now=clock(), zone=ZONE)

    return Dispatcher(
        engine=engine,
        policy_loader=lambda session: policy(),
        senders={"telegram": channel.send},
        render=render,
        clock=clock,
        worker="test",
    )


def _reminders(engine, kind=ReminderKind.REMINDER):
    """The ledger's rows of one kind (countdown reminders unless told), earliest first."""
    with session_scope(engine) as session:
        return session.exec(
            select(Reminder).where(Reminder.kind == kind).order_by(Reminder.due_at)
        ).all()


def test_planning_creates_one_row_per_contact_and_offset_inside_working_hours(engine):
    _setup(engine, "ngày 30/06/2026", contacts=("100", "200"))
    reminders = _reminders(engine)
    assert len(reminders) == 8
    for reminder in reminders:
        local_time = reminder.due_at.astimezone(ZONE)
        assert local_time.weekday() < 5 and local_time.hour == 8
    assert {r.offset_label for r in reminders} == {"7d", "3d", "1d", "0d"}


def test_new_contact_gets_reminders_for_open_tasks(engine):
    _setup(engine, "ngày 30/06/2026", contacts=())
    assert _reminders(engine) == []
    with session_scope(engine) as session:
        officer = join(session, agency="Sở Nội vụ", chat_id="300", now=MONDAY)
        plan_reminders(session, policy=policy(), now=MONDAY, contact_ids=[officer.id])
    assert len(_reminders(engine)) == 4


async def test_due_reminder_is_sent_once_with_the_task_and_deadline(engine):
    _setup(engine, "ngày 30/06/2026")
    channel, clock = RecordingChannel(), Clock(local(2026, 6, 23, 8, 1))  # 7 days before
    dispatcher = _dispatcher(engine, channel, clock)
    await dispatcher.run_once()
    await dispatcher.run_once()
    assert len(channel.sent) == 1
    chat_id, text = channel.sent[0]
    assert chat_id == "100"
    assert "Nhiệm vụ 1" in text and "30/06/2026" in text
    sent = [r for r in _reminders(engine) if r.state == ReminderState.SENT]
    assert [(r.offset_label, r.message_id, r.late) for r in sent] == [("7d", "1", False)]


async def test_after_downtime_only_the_latest_missed_offset_goes_out_marked_late(engine):
    _setup(engine, "ngày 30/06/2026")
    channel, clock = RecordingChannel(), Clock(local(2026, 6, 29, 10))  # 7d, 3d and 1d missed
    await _dispatcher(engine, channel, clock).run_once()
    assert len(channel.sent) == 1
    states = {r.offset_label: (r.state, r.late) for r in _reminders(engine)}
    assert states["1d"] == (ReminderState.SENT, True)
    assert states["7d"][0] == states["3d"][0] == ReminderState.SKIPPED
    assert states["0d"][0] == ReminderState.PENDING


async def test_nothing_goes_out_outside_working_hours(engine):
    _setup(engine, "ngày 30/06/2026")
    channel = RecordingChannel()
    await _dispatcher(engine, channel, Clock(local(2026, 6, 27, 10))).run_once()  # Saturday
    await _dispatcher(engine, channel, Clock(local(2026, 6, 29, 19))).run_once()  # evening
    assert channel.sent == []


async def test_rate_limit_reschedules_and_blocked_contact_is_marked_unreachable(engine):
    _setup(engine, "ngày 30/06/2026", contacts=("100", "200"))
    channel, clock = RecordingChannel(), Clock(local(2026, 6, 23, 8, 1))
    channel.failures = [RetryLater("429", retry_after=30), Unreachable("403 blocked")]
    await _dispatcher(engine, channel, clock).run_once()
    assert channel.sent == []
    rows = [r for r in _reminders(engine) if r.offset_label == "7d"]
    states = sorted((r.state, r.attempts) for r in rows)
    assert states == [(ReminderState.FAILED, 1), (ReminderState.PENDING, 0)]  # a 429 is no attempt
    retried = next(r for r in rows if r.state == ReminderState.PENDING)
    assert retried.due_at.astimezone(ZONE) == clock.now.astimezone(ZONE) + timedelta(seconds=30)
    with session_scope(engine) as session:
        assert sorted(c.active for c in session.exec(select(Contact))) == [False, True]
    clock.now += timedelta(seconds=31)
    await _dispatcher(engine, channel, clock).run_once()
    assert len(channel.sent) == 1


def _claim_as_a_worker_that_crashes(engine, now) -> list:
    """Claim the due reminders under a one-minute lease, as a worker that dies before sending."""
    with session_scope(engine) as session:
        _count, claimed = claim_due(
            session,
            now=now,
            worker="crashed",
            lease=timedelta(seconds=60),
            limit=10,
            policy=policy(),
        )
        return claimed


async def test_a_crashed_worker_lease_expires_and_the_reminder_is_sent_again(engine):
    _setup(engine, "ngày 30/06/2026")
    clock = Clock(local(2026, 6, 23, 8, 1))
    claimed = _claim_as_a_worker_that_crashes(engine, clock())
    assert len(claimed) == 1
    channel = RecordingChannel()
    await _dispatcher(engine, channel, clock).run_once()
    assert channel.sent == []  # still leased to the crashed worker
    clock.now += timedelta(seconds=61)
    await _dispatcher(engine, channel, clock).run_once()
    assert len(channel.sent) == 1


async def test_done_task_gets_no_more_reminders(engine):
    task_ids = _setup(engine, "ngày 30/06/2026")
    with session_scope(engine) as session:
        task = session.get(Task, task_ids[0])
        record_status(
            session,
            task=task,
            contact=None,
            channel="telegram",
            chat_id="100",
            text="xong",
            status=TaskStatus.DONE,
            today=MONDAY.date(),
        )
        plan_reminders(session, policy=policy(), now=MONDAY, task_ids=task_ids)
    channel = RecordingChannel()
    await _dispatcher(engine, channel, Clock(local(2026, 6, 30, 9))).run_once()
    assert channel.sent == []
    assert {r.state for r in _reminders(engine)} == {ReminderState.CANCELLED}


@pytest.mark.parametrize("deadline", ["Thường xuyên", "Theo đề nghị của các ngành"])
def test_tasks_without_a_date_get_no_countdown(engine, deadline):
    _setup(engine, deadline)
    assert _reminders(engine) == []


def test_recurring_task_done_for_a_cycle_reopens_when_the_next_cycle_starts(engine):
    task_ids = _setup(engine, "Hằng quý")
    with session_scope(engine) as session:
        task = session.get(Task, task_ids[0])
        assert task.due_date.isoformat() == "2026-06-30"
        record_status(
            session,
            task=task,
            contact=None,
            channel="telegram",
            chat_id="100",
            text="xong quý 2",
            status=TaskStatus.DONE,
            today=local(2026, 6, 20).date(),
        )
        plan_reminders(session, policy=policy(), now=local(2026, 6, 25, 9), task_ids=task_ids)
        assert (task.status, task.due_date.isoformat()) == (TaskStatus.DONE, "2026-06-30")
    with session_scope(engine) as session:
        plan_reminders(session, policy=policy(), now=local(2026, 7, 1, 0, 5), task_ids=task_ids)
    with session_scope(engine) as session:
        task = session.get(Task, task_ids[0])
        assert (task.status, task.due_date.isoformat()) == (TaskStatus.NOT_STARTED, "2026-09-30")
        history = session.exec(select(StatusUpdate).order_by(StatusUpdate.id)).all()
        assert [(h.new_status, h.channel) for h in history] == [
            ("done", "telegram"),
            ("not_started", "system"),
        ]
        assert "30/09/2026" in history[-1].text
        pending = session.exec(
            select(Reminder).where(
                Reminder.state == ReminderState.PENDING, Reminder.kind == ReminderKind.REMINDER
            )
        ).all()
        assert {r.cycle.isoformat() for r in pending} == {"2026-09-30"}


def _set_status(engine, task_id, status, when):
    with session_scope(engine) as session:
        task = session.get(Task, task_id)
        record_status(
            session,
            task=task,
            contact=None,
            channel="telegram",
            chat_id="100",
            text=status,
            status=status,
            today=when.astimezone(ZONE).date(),
        )
        plan_reminders(session, policy=policy(), now=when, task_ids=[task_id])


def test_a_task_reopened_after_done_gets_its_reminders_back(engine):
    task_ids = _setup(engine, "ngày 30/06/2026")
    _set_status(engine, task_ids[0], TaskStatus.DONE, MONDAY)
    assert {r.state for r in _reminders(engine)} == {ReminderState.CANCELLED}
    _set_status(engine, task_ids[0], TaskStatus.IN_PROGRESS, MONDAY + timedelta(hours=1))
    assert [r.state for r in _reminders(engine)] == [ReminderState.PENDING] * 4


def test_reminders_follow_the_lead_when_it_changes(engine):
    _setup(engine, "ngày 30/06/2026")
    with session_scope(engine) as session:
        join(session, agency="Sở Tài chính", chat_id="900", now=MONDAY)
        changed = plan(draft("1", "Nhiệm vụ 1", "Sở Tài chính", "ngày 30/06/2026"))
        outcome = store_plan(session, changed, today=MONDAY.date())
        plan_reminders(session, policy=policy(), now=MONDAY, task_ids=outcome.task_ids)
    channel = RecordingChannel()
    asyncio.run(_dispatcher(engine, channel, Clock(local(2026, 6, 23, 8, 1))).run_once())
    assert [chat for chat, _text in channel.sent] == ["900"]


async def test_a_stale_sending_row_is_not_sent_after_a_newer_offset(engine):
    _setup(engine, "ngày 30/06/2026")
    clock = Clock(local(2026, 6, 23, 8, 1))
    claimed = _claim_as_a_worker_that_crashes(engine, clock())
    assert len(claimed) == 1  # the 7d reminder, then the worker dies
    channel = RecordingChannel()
    clock.now = local(2026, 6, 26, 9)  # the 3d reminder is due; the 7d lease long expired
    await _dispatcher(engine, channel, clock).run_once()
    await _dispatcher(engine, channel, clock).run_once()
    assert len(channel.sent) == 1
    states = {r.offset_label: r.state for r in _reminders(engine)}
    assert (states["7d"], states["3d"]) == (ReminderState.SKIPPED, ReminderState.SENT)


async def test_a_catch_up_planned_at_night_goes_out_next_morning_not_marked_late(engine):
    with session_scope(engine) as session:
        store_plan(
            session,
            plan(draft("1", "Nhiệm vụ 1", "Sở Nội vụ", "ngày 30/06/2026")),
            today=MONDAY.date(),
        )
        friday_evening = local(2026, 6, 26, 20)
        join(session, agency="Sở Nội vụ", chat_id="100", now=friday_evening)
        plan_reminders(session, policy=policy(), now=friday_evening)
    catch_up = min(_reminders(engine), key=lambda r: r.due_at)
    assert catch_up.due_at == local(2026, 6, 29, 8)  # Monday at the window's start
    channel = RecordingChannel()
    await _dispatcher(engine, channel, Clock(local(2026, 6, 29, 8, 5))).run_once()
    # Monday morning also brings the officer's weekly list; the reminder is the one to check.
    reminders = [text for _chat, text in channel.sent if "Nhắc việc" in text]
    assert len(reminders) == 1 and "gửi muộn" not in reminders[0]


async def test_outages_are_retried_until_the_deadline_not_a_fixed_count(engine):
    _setup(engine, "ngày 30/06/2026")
    channel, clock = RecordingChannel(), Clock(local(2026, 6, 29, 16, 0))
    dispatcher = _dispatcher(engine, channel, clock)
    for _ in range(12):
        channel.failures = [RetryLater("429 flood", retry_after=3)]
        await dispatcher.run_once()
        clock.now += timedelta(seconds=4)
    await dispatcher.run_once()
    assert len(channel.sent) == 1
    channel.failures = [RetryLater("timeout")] * 50
    clock.now = local(2026, 6, 30, 16, 50)  # the 0d reminder, ten minutes before the deadline
    for _ in range(5):
        await dispatcher.run_once()
        clock.now += timedelta(minutes=5)
    zero_day = next(r for r in _reminders(engine) if r.offset_label == "0d")
    assert zero_day.state == ReminderState.FAILED and "timeout" in zero_day.last_error


def test_a_missed_recurring_cycle_stays_overdue_until_reported(engine):
    from db.progress import Bucket, progress_summary

    task_ids = _setup(engine, "Hằng quý")
    with session_scope(engine) as session:
        plan_reminders(session, policy=policy(), now=local(2026, 7, 1, 0, 5))
        assert session.get(Task, task_ids[0]).due_date.isoformat() == "2026-06-30"
        counts = progress_summary(session, today=local(2026, 7, 1).date()).counts
        assert counts[Bucket.OVERDUE] == 1
    # Reported late, on 2 July: the second quarter closes, and the third one opens at once.
    _set_status(engine, task_ids[0], TaskStatus.DONE, local(2026, 7, 2, 9))
    with session_scope(engine) as session:
        task = session.get(Task, task_ids[0])
        assert (task.status, task.due_date.isoformat()) == (TaskStatus.NOT_STARTED, "2026-09-30")
        history = session.exec(select(StatusUpdate).order_by(StatusUpdate.id)).all()
        assert [h.new_status for h in history] == ["done", "not_started"]
        pending = session.exec(
            select(Reminder).where(
                Reminder.state == ReminderState.PENDING, Reminder.kind == ReminderKind.REMINDER
            )
        ).all()
        assert pending and {r.cycle.isoformat() for r in pending} == {"2026-09-30"}


def test_two_workers_claiming_at_once_send_each_reminder_once(engine):
    """Two service processes on one database (PostgreSQL in production): each due reminder
    goes out once, whichever worker claims it."""
    import threading

    contacts = [str(700 + number) for number in range(30)]
    _setup(engine, "ngày 30/06/2026", contacts=contacts)
    clock = Clock(local(2026, 6, 23, 8, 1))  # the 7d reminders are due, one per officer
    start = threading.Barrier(2)
    channels = {"a": RecordingChannel(), "b": RecordingChannel()}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        channel = channels[name]
        original_send = channel.send

        async def slow_send(chat_id, answer):
            await asyncio.sleep(0.005)  # a network round trip: the other worker runs meanwhile
            return await original_send(chat_id, answer)

        channel.send = slow_send
        dispatcher = _dispatcher(engine, channel, clock)
        dispatcher.worker = f"worker-{name}"
        dispatcher.batch = 5  # small batches: the two workers interleave many times
        start.wait(timeout=10)
        try:
            for _ in range(20):  # bounded: 30 reminders, 5 a pass, two workers
                report = asyncio.run(dispatcher.run_once())
                if not report.sent and not report.retried:
                    break
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(name,)) for name in channels]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    sent = [chat_id for channel in channels.values() for chat_id, _text in channel.sent]
    assert sorted(sent) == sorted(contacts)  # every officer once, none twice
    seven_days = [r for r in _reminders(engine) if r.offset_label == "7d"]
    assert {r.state for r in seven_days} == {ReminderState.SENT}
    assert {r.claimed_by for r in seven_days} <= {"worker-a", "worker-b"}
