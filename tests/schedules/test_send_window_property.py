"""No message is planned or sent on a day off or outside the send window, whatever the settings,
the plans and the province's calendar."""

from __future__ import annotations

import asyncio
import shutil
from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from db.engine import make_engine, migrate, session_scope
from db.models import CalendarDay, ContactRole, Reminder, ReminderState
from handlers.notices import render_claimed
from schedules.calendar import (
    SendWindow,
    WorkingCalendar,
    parse_interval,
    parse_role_offsets,
    working_days_from_setting,
)
from schedules.dispatch import Dispatcher
from schedules.planning import ReminderPolicy, plan_reminders
from tests.factories import ZONE, draft, join, local, plan, store_plan

START = date(2026, 6, 1)
DEADLINES = [
    "Thường xuyên",
    "Hằng tháng",
    "Hằng tuần",
    "Theo đề nghị của các ngành",
    *(f"ngày {START + timedelta(days=offset):%d/%m/%Y}" for offset in range(0, 120, 7)),
]
OFFSET_CHOICES = ["7d", "3d", "1d", "0d", "2wd", "5wd", "4h", "30m"]


@st.composite
def policies(draw) -> ReminderPolicy:
    start = draw(st.integers(5, 11))
    end = draw(st.integers(start + 1, 22))
    window = SendWindow.parse(f"{start:02d}:00-{end:02d}:{draw(st.sampled_from(['00', '30']))}")
    days = draw(st.sampled_from(["mon-fri", "mon-sat", "all", "mon,wed,fri", "tue-thu"]))
    days_off = draw(
        st.sets(st.integers(0, 150).map(lambda n: START + timedelta(days=n)), max_size=20)
    )

    def offsets():
        chosen = draw(st.lists(st.sampled_from(OFFSET_CHOICES), unique=True, max_size=4))
        return parse_role_offsets(",".join(chosen))

    digest_hour = draw(st.integers(0, 23))
    return ReminderPolicy(
        offsets=offsets(),
        window=window,
        calendar=WorkingCalendar(
            working_weekdays=working_days_from_setting(days), extra_days_off=frozenset(days_off)
        ),
        zone=ZONE,
        support_offsets=offsets(),
        executor_offsets=offsets(),
        overdue_every=parse_interval(draw(st.sampled_from(["1wd", "3wd", "2d", "7d"]))),
        overdue_max=draw(st.integers(0, 6)),
        checkin_every=draw(st.sampled_from(["weekly", "monthly", "quarterly"])),
        digest_weekday=draw(st.integers(0, 6)),
        digest_time=time(digest_hour, 0),
    )


def _template(tmp_path_factory) -> str:
    folder = tmp_path_factory.getbasetemp() / "send-window-template"
    path = folder / "template.db"
    if not path.exists():
        folder.mkdir(exist_ok=True)
        engine = make_engine(f"sqlite:///{path}")
        migrate(engine)
        engine.dispose()
    return str(path)


class Recorder:
    def __init__(self, clock):
        self.clock = clock
        self.moments = []

    async def send(self, chat_id, answer):
        self.moments.append(self.clock())
        return str(len(self.moments))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    policy=policies(),
    deadlines=st.lists(st.sampled_from(DEADLINES), min_size=1, max_size=6),
    imported=st.integers(0, 60 * 24 * 20),
    probes=st.lists(st.integers(0, 60 * 24 * 90), min_size=1, max_size=12),
    group_above=st.integers(1, 5),
)
def test_nothing_is_planned_or_sent_on_a_day_off_or_outside_the_window(
    tmp_path_factory, policy, deadlines, imported, probes, group_above
):
    folder = tmp_path_factory.mktemp("send-window")
    shutil.copy(_template(tmp_path_factory), folder / "store.db")
    engine = make_engine(f"sqlite:///{folder / 'store.db'}")
    now = local(2026, 6, 1, 0) + timedelta(minutes=imported)
    tasks = [
        draft(str(i), f"Nhiệm vụ {i}", "Sở Nội vụ", text, coordinators=["Sở Tài chính"])
        for i, text in enumerate(deadlines, 1)
    ]
    with session_scope(engine) as session:
        for day in policy.calendar.extra_days_off:
            session.add(CalendarDay(day=day, is_working=False))
        store_plan(session, plan(*tasks), today=now.astimezone(ZONE).date())
        for agency, chat, role in (
            ("Sở Nội vụ", "lead", ContactRole.OFFICER),
            ("Sở Tài chính", "support", ContactRole.OFFICER),
            ("Văn phòng UBND tỉnh", "boss", ContactRole.COORDINATOR),
        ):
            join(session, agency=agency, chat_id=chat, role=role, now=now)
        plan_reminders(session, policy=policy, now=now)
    with session_scope(engine) as session:
        pending = session.exec(
            select(Reminder).where(Reminder.state == ReminderState.PENDING)
        ).all()
        for reminder in pending:
            assert policy.is_sending_time(reminder.due_at), (reminder.kind, reminder.due_at)
    clock_moment = [now]
    recorder = Recorder(lambda: clock_moment[0])
    dispatcher = Dispatcher(
        engine=engine,
        policy_loader=lambda session: policy,
        senders={"telegram": recorder.send},
        render=lambda session, claimed: render_claimed(
            session, claimed, now=clock_moment[0], zone=ZONE, group_above=group_above
        ),
        clock=lambda: clock_moment[0],
        worker="property",
    )
    # Random moments, and the moments rows fall due (so that messages do go out).
    moments = {now + timedelta(minutes=probe) for probe in probes}
    moments |= {reminder.due_at for reminder in pending[:20]}
    for moment in sorted(moments):
        clock_moment[0] = moment
        asyncio.run(dispatcher.run_once())
    assert all(policy.is_sending_time(moment) for moment in recorder.moments)
    engine.dispose()
