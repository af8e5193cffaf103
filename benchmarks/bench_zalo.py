"""Delivery to Zalo at its configured rate: 1,000 reminders, none lost, none sent twice.

The real Dispatcher and ZaloChannel against the fake Zalo Bot API (tests/fakes/zalo_api.py)
on loopback, which refuses with 429 "Quota exceeded" anything above the same rate. Prints the
rate reached beside the configured limit, and what was lost or doubled (both must be 0).
Usage: python benchmarks/bench_zalo.py [REMINDERS] [MESSAGES_PER_SECOND]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert
from sqlmodel import select

from bot.channels.text import TextChats
from bot.channels.zalo import ZaloChannel
from core.clock import utcnow
from core.messages import Answer
from db.agencies import resolve_agency
from db.contacts import create_invite, redeem_invite
from db.engine import make_engine, migrate, session_scope
from db.imports import save_plan
from db.models import Contact, Reminder, ReminderState
from plans.model import ExtractedPlan, TaskDraft
from schedules.calendar import SendWindow, WorkingCalendar, parse_offsets, working_days_from_setting
from schedules.deadlines import parse_deadline
from schedules.dispatch import Dispatcher, render_each
from schedules.planning import ReminderPolicy
from tests.fakes.zalo_api import FakeZalo

ZONE_NAME = "Asia/Ho_Chi_Minh"


def _policy() -> ReminderPolicy:
    from zoneinfo import ZoneInfo

    return ReminderPolicy(
        offsets=tuple(parse_offsets("0d")),
        window=SendWindow.parse("00:00-24:00"),
        calendar=WorkingCalendar(working_weekdays=working_days_from_setting("all")),
        zone=ZoneInfo(ZONE_NAME),
    )


def _seed(engine, chat_ids: list[str]) -> None:
    """One task of Sở Nội vụ, one contact per chat, one due reminder per contact."""
    now = utcnow()
    with session_scope(engine) as session:
        deadline = "ngày 31/12/2099"
        task = TaskDraft(
            ref="1",
            content="Báo cáo tiến độ",
            lead=["Sở Nội vụ"],
            coordinators=[],
            result="Báo cáo",
            deadline_text=deadline,
            deadline=parse_deadline(deadline),
        )
        outcome = save_plan(
            session,
            extracted=ExtractedPlan(source="bench.txt", tasks=[task]),
            source_key="bench",
            source_name="bench.txt",
            today=now.date(),
        )
        agency = resolve_agency(session, "Sở Nội vụ")
        for chat_id in chat_ids:
            invite = create_invite(session, agency=agency, role="officer", now=now)
            redeem_invite(
                session, code=invite.code, channel="zalo", chat_id=chat_id, display_name="", now=now
            )
        contact_ids = session.exec(select(Contact.id)).all()
        task_id = outcome.task_ids[0]
        session.execute(
            insert(Reminder),
            [
                {
                    "task_id": task_id,
                    "contact_id": contact_id,
                    "cycle": (now + timedelta(days=1)).date(),
                    "offset_label": "0d",
                    "due_at": now - timedelta(minutes=1),
                    "state": ReminderState.PENDING,
                    "attempts": 0,
                    "late": False,
                    "fallback": False,
                    "created_at": now,
                }
                for contact_id in contact_ids
            ],
        )


async def run(reminders: int, rate: float) -> int:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        migrate(engine)
        async with FakeZalo(messages_per_second=rate) as fake:
            people = [fake.user(f"Cán bộ {n}", has_written=True) for n in range(reminders)]
            _seed(engine, [person.chat_id for person in people])
            channel = ZaloChannel(
                token=fake.token,
                text_chats=TextChats(engine, utcnow),
                base_url=fake.base_url,
                messages_per_second=rate,
            )
            import httpx

            channel._client = httpx.AsyncClient()  # sending only: no polling needed

            def render(task, reminder, late) -> Answer:
                return Answer(text=f"Nhắc việc {reminder.reminder_id}: {task.content}")

            dispatcher = Dispatcher(
                engine=engine,
                policy_loader=lambda session: _policy(),
                senders={"zalo": channel.send},
                render=render_each(render),
                clock=utcnow,
                worker="bench",
            )
            started = time.perf_counter()
            while time.perf_counter() - started < max(60.0, 4 * reminders / rate):
                report = await dispatcher.run_once()
                if not (report.sent or report.retried or report.failed):
                    with session_scope(engine) as session:
                        left = session.exec(
                            select(func.count())
                            .select_from(Reminder)
                            .where(Reminder.state != ReminderState.SENT)
                        ).one()
                    if not left:
                        break
                    await asyncio.sleep(0.5)
            elapsed = time.perf_counter() - started
            await channel._client.aclose()
            refused = sum(1 for method, code, _ in fake.refused if code == 429)
        with session_scope(engine) as session:
            sent_rows = session.exec(
                select(func.count())
                .select_from(Reminder)
                .where(Reminder.state == ReminderState.SENT)
            ).one()
        engine.dispose()
    per_chat = Counter(message.chat_id for message in fake.sent)
    doubled = sum(count - 1 for count in per_chat.values() if count > 1)
    lost = reminders - len(per_chat)
    achieved = len(fake.sent) / elapsed
    print(
        f"zalo delivery: {len(fake.sent)} of {reminders} reminders in {elapsed:.1f} s = "
        f"{achieved:.1f} msg/s (target: at the configured {rate:g} msg/s, >= {0.8 * rate:.1f})"
    )
    print(f"  lost: {lost} (target 0), sent twice: {doubled} (target 0), ledger sent: {sent_rows}")
    print(f"  429 Quota exceeded answers: {refused} (each retried, none lost)")
    ok = lost == 0 and doubled == 0 and sent_rows == reminders and achieved >= 0.8 * rate
    return 0 if ok else 1


def main() -> int:
    """Run with the defaults or REMINDERS and MESSAGES_PER_SECOND from the command line."""
    reminders = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rate = float(sys.argv[2]) if len(sys.argv) > 2 else 50.0
    return asyncio.run(run(reminders, rate))


if __name__ == "__main__":
    sys.exit(main())
