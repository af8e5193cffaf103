"""Who is reminded, and when: every kind of message, through the dispatch loop, on a frozen clock."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlmodel import select

from core.messages import Answer, Incoming
from db.engine import session_scope
from db.models import (
    ContactRole,
    Plan,
    Reminder,
    ReminderKind,
    ReminderState,
    StatusUpdate,
    Task,
    TaskStatus,
)
from db.tasks import record_status
from handlers.context import BotContext
from handlers.conversation import handle
from handlers.notices import render_claimed
from schedules.dispatch import Dispatcher
from schedules.planning import plan_reminders
from tests.factories import ZONE, Clock, draft, join, local, plan, policy, store_plan

MONDAY = local(2026, 6, 1, 9)
LEAD, SUPPORT, EXECUTOR = "Sở Nội vụ", "Sở Tài chính", "Sở Xây dựng"


class RecordingChannel:
    """Records every message with the local day it went out and its buttons."""

    def __init__(self, clock):
        self.clock = clock
        self.sent: list[tuple[date, str, Answer]] = []

    async def send(self, chat_id: str, answer: Answer) -> str:
        self.sent.append((self.clock().astimezone(ZONE).date(), chat_id, answer))
        return str(len(self.sent))

    def days(self, chat_id: str, marker: str) -> list[date]:
        return [day for day, chat, answer in self.sent if chat == chat_id and marker in answer.text]


def _dispatcher(engine, channel, clock, the_policy=None):
    the_policy = the_policy or policy()
    return Dispatcher(
        engine=engine,
        policy_loader=lambda session: the_policy,
        senders={"telegram": channel.send},
        render=lambda session, claimed: render_claimed(session, claimed, now=clock(), zone=ZONE),
        clock=clock,
        worker="test",
    )


async def _run_days(engine, first: date, last: date, the_policy=None, hour=8, minute=5):
    """Run the service's days from `first` to `last`: the full re-plan at 00:05 as the service
    does, then the delivery loop in the morning and once more at noon."""
    the_policy = the_policy or policy()
    clock = Clock(local(first.year, first.month, first.day, hour, minute))
    channel = RecordingChannel(clock)
    dispatcher = _dispatcher(engine, channel, clock, the_policy)
    day = first
    while day <= last:
        with session_scope(engine) as session:
            plan_reminders(
                session, policy=the_policy, now=local(day.year, day.month, day.day, 0, 5)
            )
        for at_hour, at_minute in ((hour, minute), (12, 0)):
            clock.now = local(day.year, day.month, day.day, at_hour, at_minute)
            while (await dispatcher.run_once()).sent:
                pass
        day += timedelta(days=1)
    return channel


def _setup(engine, *tasks, people=(), the_policy=None, now=MONDAY):
    with session_scope(engine) as session:
        outcome = store_plan(session, plan(*tasks), today=now.astimezone(ZONE).date())
        for agency, chat_id, role in people:
            join(session, agency=agency, chat_id=chat_id, role=role, now=now)
        plan_reminders(session, policy=the_policy or policy(), now=now)
    return outcome


def _task(ref="1", deadline="ngày 30/06/2026", content=None, **extra):
    return draft(ref, content or f"Nhiệm vụ số {ref}", LEAD, deadline, **extra)


OFFICERS = (
    (LEAD, "lead", ContactRole.OFFICER),
    (SUPPORT, "support", ContactRole.OFFICER),
    (EXECUTOR, "executor", ContactRole.OFFICER),
)


async def test_each_role_receives_exactly_its_offsets(engine):
    _setup(
        engine,
        _task(coordinators=[SUPPORT], executors=[EXECUTOR]),
        people=OFFICERS,
    )
    channel = await _run_days(engine, date(2026, 6, 2), date(2026, 6, 30))
    # Deadline Tuesday 30 June: 7d the 23rd; 3d falls on Saturday the 27th, so Friday the 26th.
    assert channel.days("lead", "Nhắc việc") == [
        date(2026, 6, 23),
        date(2026, 6, 26),
        date(2026, 6, 29),
        date(2026, 6, 30),
    ]
    assert channel.days("support", "Nhắc việc") == [date(2026, 6, 26)]
    assert channel.days("executor", "Nhắc việc") == [date(2026, 6, 26), date(2026, 6, 30)]
    support = next(a for _d, chat, a in channel.sent if chat == "support")
    assert "phối hợp" in support.text
    # Only the lead reports: the others get no status buttons they could not use.
    assert not any(button.data.startswith("st:") for button in support.buttons)
    assert "Trả lời tin nhắn này" not in support.text
    lead = next(a for _d, chat, a in channel.sent if chat == "lead" and "Nhắc việc" in a.text)
    assert any(button.data.startswith("st:") for button in lead.buttons)


async def test_a_plan_override_wins_over_the_settings_and_a_task_override_over_the_plan(engine):
    _setup(
        engine,
        _task("1", coordinators=[SUPPORT]),
        _task("2", coordinators=[SUPPORT]),
        people=OFFICERS[:2],
    )
    with session_scope(engine) as session:
        the_plan = session.exec(select(Plan)).one()
        the_plan.offsets = {"lead": "10d,0d", "support": "none"}
        second = session.exec(select(Task).where(Task.ref == "2")).one()
        second.offsets = {"lead": "2d"}
        plan_reminders(session, policy=policy(), now=MONDAY)
    channel = await _run_days(engine, date(2026, 6, 2), date(2026, 6, 30))
    first, second_days = (
        [
            day
            for day, chat, a in channel.sent
            if chat == "lead" and "Nhắc việc" in a.text and f"Nhiệm vụ số {ref}" in a.text
        ]
        for ref in "12"
    )
    assert first == [date(2026, 6, 19), date(2026, 6, 30)]
    assert second_days == [date(2026, 6, 26)]  # 2d: Sunday the 28th, so Friday
    assert channel.days("support", "Nhắc việc") == []


async def test_overdue_notices_on_the_expected_working_days_and_one_escalation(engine):
    _setup(
        engine,
        _task(),
        people=((LEAD, "lead", ContactRole.OFFICER), (SUPPORT, "boss", ContactRole.COORDINATOR)),
    )
    the_policy = policy()
    channel = await _run_days(engine, date(2026, 7, 1), date(2026, 8, 31), the_policy)
    notices = channel.days("lead", "Quá hạn")
    # Next working morning, then every 3 working days, five times at most.
    assert notices == [
        date(2026, 7, 1),
        date(2026, 7, 6),
        date(2026, 7, 9),
        date(2026, 7, 14),
        date(2026, 7, 17),
    ]
    texts = [a.text for _d, chat, a in channel.sent if chat == "lead" and "Quá hạn" in a.text]
    assert "1 ngày" in texts[0] and "17 ngày" in texts[-1]
    escalations = [
        a.text for _d, chat, a in channel.sent if chat == "boss" and "đã quá hạn" in a.text
    ]
    assert len(escalations) == 1 and "Sở Nội vụ" in escalations[0]


async def test_no_overdue_notice_once_the_task_is_done(engine):
    outcome = _setup(engine, _task(), people=OFFICERS[:1])
    channel = await _run_days(engine, date(2026, 7, 1), date(2026, 7, 2))
    assert channel.days("lead", "Quá hạn") == [date(2026, 7, 1)]
    answers = handle(
        Incoming(channel="telegram", chat_id="lead", text="xong"),
        _context(engine, Clock(local(2026, 7, 3, 10))),
    )
    assert "Đã ghi nhận" in answers[0].text
    channel = await _run_days(engine, date(2026, 7, 3), date(2026, 7, 31))
    assert channel.days("lead", "Quá hạn") == []
    with session_scope(engine) as session:
        assert session.get(Task, outcome.task_ids[0]).status == TaskStatus.DONE


def _context(engine, clock):
    return BotContext(engine=engine, clock=clock, policy_loader=lambda session: policy())


def _press(engine, clock, chat_id: str, data: str) -> Answer:
    answers = handle(
        Incoming(channel="telegram", chat_id=chat_id, button_data=data), _context(engine, clock)
    )
    return answers[0]


async def test_a_monthly_check_in_goes_out_on_the_first_working_day_and_its_answer_is_kept(engine):
    _setup(engine, _task(deadline="Thường xuyên"), people=OFFICERS[:1])
    # 1 August 2026 is a Saturday: the check-in waits for Monday the 3rd.
    channel = await _run_days(engine, date(2026, 6, 2), date(2026, 8, 5))
    assert channel.days("lead", "Kiểm tra tiến độ") == [date(2026, 7, 1), date(2026, 8, 3)]
    check_in = next(a for _d, chat, a in channel.sent if "Kiểm tra tiến độ" in a.text)
    data = [button.data for button in check_in.buttons]
    assert any(value.endswith(":in_progress") for value in data)
    clock = Clock(local(2026, 8, 3, 9))
    august = max(i for i, (_d, _c, a) in enumerate(channel.sent) if "Kiểm tra tiến độ" in a.text)
    message_id = str(august + 1)  # the recording channel numbers messages from 1
    answers = handle(
        Incoming(
            channel="telegram",
            chat_id="lead",
            text="đang làm, đã tổ chức 2 đợt tuyên truyền",
            reply_to_message_id=message_id,
        ),
        _context(engine, clock),
    )
    assert "Đã ghi nhận" in answers[0].text
    with session_scope(engine) as session:
        task = session.exec(select(Task)).one()
        assert task.status == TaskStatus.IN_PROGRESS
        assert "2 đợt tuyên truyền" in task.status_note
    progress = handle(
        Incoming(channel="telegram", chat_id="lead", text="/tiendo"), _context(engine, clock)
    )[0].text
    assert "Nhiệm vụ thường xuyên, tiến độ mới nhất:" in progress
    assert "1: " in progress and "2 đợt tuyên truyền" in progress


async def test_five_reminders_due_together_arrive_as_one_message_and_one_answer_updates_one_task(
    engine,
):
    tasks = [_task(str(number)) for number in range(1, 6)]
    outcome = _setup(engine, *tasks, people=OFFICERS[:1])
    channel = await _run_days(engine, date(2026, 6, 23), date(2026, 6, 23))
    assert len(channel.sent) == 1
    message = channel.sent[0][2]
    assert all(f"Nhiệm vụ số {number}" in message.text for number in range(1, 6))
    assert [button.data for button in message.buttons] == [f"tk:{i}" for i in outcome.task_ids]
    with session_scope(engine) as session:
        rows = session.exec(select(Reminder).where(Reminder.offset_label == "7d")).all()
        assert {(row.state, row.message_id) for row in rows} == {(ReminderState.SENT, "1")}
    clock = Clock(local(2026, 6, 23, 9))
    third = outcome.task_ids[2]
    card = _press(engine, clock, "lead", f"tk:{third}")
    done = next(button.data for button in card.buttons if button.data.endswith(":done"))
    assert "Đã ghi nhận" in _press(engine, clock, "lead", done).text
    with session_scope(engine) as session:
        statuses = {task.id: task.status for task in session.exec(select(Task))}
    assert statuses[third] == TaskStatus.DONE
    assert [statuses[i] for i in outcome.task_ids if i != third] == [TaskStatus.NOT_STARTED] * 4


async def test_a_reply_to_a_grouped_reminder_names_its_task(engine):
    outcome = _setup(engine, *[_task(str(n)) for n in range(1, 6)], people=OFFICERS[:1])
    await _run_days(engine, date(2026, 6, 23), date(2026, 6, 23))
    clock = Clock(local(2026, 6, 23, 9))
    ask = handle(
        Incoming(channel="telegram", chat_id="lead", text="xong", reply_to_message_id="1"),
        _context(engine, clock),
    )[0]
    assert len(ask.buttons) == 5  # which of the five?
    handle(
        Incoming(channel="telegram", chat_id="lead", text="4 xong", reply_to_message_id="1"),
        _context(engine, clock),
    )
    with session_scope(engine) as session:
        done = [t.id for t in session.exec(select(Task).where(Task.status == TaskStatus.DONE))]
    assert done == [outcome.task_ids[3]]


async def test_snooze_plans_one_reminder_and_never_past_the_deadline(engine):
    _setup(engine, _task(), people=OFFICERS[:1])
    channel = await _run_days(engine, date(2026, 6, 23), date(2026, 6, 23))
    reminder = channel.sent[0][2]
    snoozes = [button.data for button in reminder.buttons if button.data.startswith("sz:")]
    assert len(snoozes) == 2
    clock = Clock(local(2026, 6, 23, 9))
    assert "24/06/2026" in _press(engine, clock, "lead", snoozes[0]).text  # tomorrow
    assert "26/06/2026" in _press(engine, clock, "lead", snoozes[1]).text  # in 3 working days
    assert "26/06/2026" in _press(engine, clock, "lead", snoozes[1]).text  # pressed twice: one row
    with session_scope(engine) as session:
        rows = session.exec(select(Reminder).where(Reminder.kind == ReminderKind.SNOOZE)).all()
        assert sorted(r.due_at for r in rows) == [local(2026, 6, 24, 8), local(2026, 6, 26, 8)]
    # On the 29th, "in 3 days" would be 2 July: the reminder comes on the deadline's day instead.
    late_clock = Clock(local(2026, 6, 29, 9))
    assert "30/06/2026" in _press(engine, late_clock, "lead", snoozes[1]).text
    on_the_day = Clock(local(2026, 6, 30, 9))
    assert "hạn" in _press(engine, on_the_day, "lead", snoozes[0]).text
    channel = await _run_days(engine, date(2026, 6, 24), date(2026, 7, 31))
    countdown = channel.days("lead", "Nhắc việc")
    # The snoozes on the 24th; the 26th's falls with the 3d reminder and the 30th's with 0d.
    assert countdown == [date(2026, 6, 24), date(2026, 6, 26), date(2026, 6, 29), date(2026, 6, 30)]


async def test_a_recurring_task_reported_done_opens_the_next_cycle_with_its_reminders(engine):
    outcome = _setup(engine, _task(deadline="Hằng tháng"), people=OFFICERS[:1])
    clock = Clock(local(2026, 6, 29, 9))
    record = handle(
        Incoming(channel="telegram", chat_id="lead", text="1 xong"), _context(engine, clock)
    )
    assert "Đã ghi nhận" in record[0].text
    with session_scope(engine) as session:
        plan_reminders(session, policy=policy(), now=local(2026, 7, 1, 0, 5))
    channel = await _run_days(engine, date(2026, 7, 1), date(2026, 7, 31))
    assert channel.days("lead", "Nhắc việc") == [
        date(2026, 7, 24),
        date(2026, 7, 28),
        date(2026, 7, 30),
        date(2026, 7, 31),
    ]
    with session_scope(engine) as session:
        task = session.get(Task, outcome.task_ids[0])
        assert task.due_date == date(2026, 7, 31)
        history = session.exec(select(StatusUpdate).order_by(StatusUpdate.id)).all()
        assert [h.new_status for h in history] == ["done", "not_started"]


async def test_the_digest_matches_the_database(engine):
    _setup(
        engine,
        _task("1", "ngày 10/06/2026"),  # done this week
        _task("2", "ngày 20/05/2026"),  # overdue since May
        _task("3", "ngày 03/06/2026"),  # newly overdue this week
        _task("4", "ngày 10/06/2026"),  # due in the next two weeks
        _task("5", "Theo đề nghị của các ngành"),  # no date
        draft("6", "Việc của Sở Y tế", "Sở Y tế", "ngày 15/06/2026"),  # nobody subscribed
        people=((LEAD, "lead", ContactRole.OFFICER), (SUPPORT, "boss", ContactRole.COORDINATOR)),
        now=local(2026, 5, 1, 9),
    )
    with session_scope(engine) as session:
        task = session.exec(select(Task).where(Task.ref == "1")).one()
        record_status(
            session,
            task=task,
            contact=None,
            channel="telegram",
            chat_id="lead",
            text="xong",
            status=TaskStatus.DONE,
            today=date(2026, 6, 3),
            now=local(2026, 6, 3, 10),
        )
    channel = await _run_days(engine, date(2026, 6, 8), date(2026, 6, 8))
    digest = next(a.text for _d, chat, a in channel.sent if chat == "boss" and "Tổng hợp" in a.text)
    counts = {label: int(number) for label, number in re.findall(r"• ([^:\n]+): (\d+)", digest)}
    assert counts["Hoàn thành đúng hạn"] == 1
    assert counts["Quá hạn, chưa hoàn thành"] == 2
    assert counts["Chưa xác định thời hạn"] == 1
    assert "hoàn thành: 1" in digest and "mới quá hạn: 1" in digest
    most_overdue = digest.split("Quá hạn nhiều nhất:")[1].split("\n\n")[0]
    assert most_overdue.index("2 (19 ngày)") < most_overdue.index("3 (5 ngày)")
    assert "Đến hạn trong hai tuần tới: 2" in digest  # tasks 4 and 6
    assert "/dathan" in digest and "5. Nhiệm vụ số 5" in digest
    assert "Sở Y tế: 1" in digest
    assert channel.days("lead", "hai tuần tới") == [date(2026, 6, 8)]  # the officer's list


def test_the_sql_and_python_rules_for_wanted_rows_agree(engine):
    from sqlalchemy import select as core_select

    from db.models import Contact, TaskAgency
    from schedules.ledger import Claimed, still_wanted, wanted_sql

    outcome = _setup(
        engine,
        _task("1", coordinators=[SUPPORT], executors=[EXECUTOR]),
        _task("2", coordinators=[SUPPORT]),
        _task("3", deadline="Thường xuyên"),
        people=(*OFFICERS, (SUPPORT, "boss", ContactRole.COORDINATOR)),
        now=local(2026, 6, 1, 9),
    )
    with session_scope(engine) as session:
        plan_reminders(session, policy=policy(), now=local(2026, 7, 20, 0, 5))  # overdue by now
        task = session.get(Task, outcome.task_ids[1])
        record_status(
            session,
            task=task,
            contact=None,
            channel="telegram",
            chat_id="lead",
            text="xong",
            status=TaskStatus.DONE,
            today=date(2026, 7, 20),
        )
        session.exec(select(Contact).where(Contact.chat_id == "executor")).one().active = False
        session.flush()
        rows = session.exec(select(Reminder)).all()
        assert {row.kind for row in rows} >= {"reminder", "overdue", "escalation", "checkin"}
        items = [
            Claimed(row, session.get(Task, row.task_id) if row.task_id else None,
                    session.get(Contact, row.contact_id))
            for row in rows
        ]  # fmt: skip
        python = dict(zip([row.id for row in rows], still_wanted(session, items), strict=True))
        reminder, task_table = Reminder.__table__, Task.__table__
        contact, links = Contact.__table__, TaskAgency.__table__
        statement = (
            core_select(reminder.c.id, wanted_sql(reminder, task_table, contact, links))
            .select_from(reminder)
            .join(task_table, task_table.c.id == reminder.c.task_id, isouter=True)
            .join(contact, contact.c.id == reminder.c.contact_id)
        )
        sql = {rid: bool(wanted) for rid, wanted in session.execute(statement)}
    assert sql == python
    assert set(python.values()) == {True, False}


def test_a_coordinator_joining_hears_which_lead_agencies_have_nobody(engine):
    from db.agencies import resolve_agency
    from db.contacts import create_invite

    _setup(
        engine,
        _task("1"),
        draft("2", "Việc của Sở Y tế", "Sở Y tế", "ngày 30/06/2026"),
        people=OFFICERS[:1],
    )
    with session_scope(engine) as session:
        agency = resolve_agency(session, "Văn phòng UBND tỉnh")
        code = create_invite(session, agency=agency, role=ContactRole.COORDINATOR, now=MONDAY).code
    welcome = handle(
        Incoming(channel="telegram", chat_id="boss", text=f"/start {code}"),
        _context(engine, Clock(MONDAY)),
    )[0].text
    assert "chưa có cán bộ đăng ký" in welcome and "Sở Y tế: 1" in welcome
    assert "Sở Nội vụ:" not in welcome


async def test_a_coordinator_dates_an_undetermined_task_and_its_reminders_follow(engine):
    outcome = _setup(
        engine,
        _task("5", deadline="Theo đề nghị của các ngành"),
        people=((LEAD, "lead", ContactRole.OFFICER), (SUPPORT, "boss", ContactRole.COORDINATOR)),
    )
    clock = Clock(MONDAY)

    def say(chat_id, text):
        return handle(
            Incoming(channel="telegram", chat_id=chat_id, text=text), _context(engine, clock)
        )[0].text

    assert "30/06/2026" not in say("lead", "/dathan 5 30/6/2026")  # officers may not
    assert "không phải là ngày" in say("boss", "/dathan 5 31/6/2026")
    assert "30/06/2026" in say("boss", "/dathan 5 30/6/2026")
    with session_scope(engine) as session:
        task = session.get(Task, outcome.task_ids[0])
        assert (task.deadline_kind, task.due_date) == ("fixed", date(2026, 6, 30))
        history = session.exec(select(StatusUpdate)).one()
        assert history.text == "/dathan 5 30/6/2026" and history.chat_id == "boss"
    channel = await _run_days(engine, date(2026, 6, 2), date(2026, 6, 30))
    assert channel.days("lead", "Nhắc việc") == [
        date(2026, 6, 23),
        date(2026, 6, 26),
        date(2026, 6, 29),
        date(2026, 6, 30),
    ]
