"""Two people answering one task at the same instant: the task and its history always agree."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlmodel import select

from core.messages import Incoming
from db.engine import session_scope
from db.models import Reminder, ReminderState, StatusUpdate, Task, TaskStatus
from handlers.context import BotContext
from handlers.conversation import handle
from schedules.planning import plan_reminders
from tests.factories import ZONE, draft, join, local, plan, policy, store_plan

MONDAY = local(2026, 6, 1, 9)
ROUNDS = 100
# What the two officers write in each round (cycled): the second pair reopens, the third
# blocks, so progress and completion dates are exercised both ways.
ANSWERS = [
    ("xong", "đang làm 50%"),
    ("đang làm 30%", "xong"),
    ("vướng mắc: thiếu kinh phí", "xong"),
    ("xong", "đang làm"),
]


def _context(engine) -> BotContext:
    return BotContext(engine=engine, clock=lambda: MONDAY, policy_loader=lambda s: policy())


def _answer_at_once(context: BotContext, messages: list[Incoming]) -> list[str]:
    barrier = threading.Barrier(len(messages))
    answers: list[str | BaseException] = [""] * len(messages)

    def officer(index: int) -> None:
        barrier.wait()
        try:
            answers[index] = handle(messages[index], context)[0].text
        except BaseException as error:  # handed to the test below
            answers[index] = error

    threads = [threading.Thread(target=officer, args=(i,)) for i in range(len(messages))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
    return answers


def test_two_officers_answering_one_task_at_once_never_leave_task_and_history_apart(engine):
    with session_scope(engine) as session:
        tasks = [
            draft(str(n), f"Nhiệm vụ {n}", "Sở Nội vụ", "ngày 30/06/2026")
            for n in range(1, ROUNDS + 1)
        ]
        task_ids = store_plan(session, plan(*tasks), today=MONDAY.date()).task_ids
        for chat_id in ("101", "102"):
            join(session, agency="Sở Nội vụ", chat_id=chat_id, now=MONDAY)
    context = _context(engine)
    for round_number, task_id in enumerate(task_ids):
        words = ANSWERS[round_number % len(ANSWERS)]
        ref = str(round_number + 1)
        messages = [
            Incoming(channel="telegram", chat_id=chat, text=f"{ref} {said}", message_id=str(n))
            for n, (chat, said) in enumerate(zip(("101", "102"), words, strict=True))
        ]
        answers = _answer_at_once(context, messages)
        with session_scope(engine) as session:
            task = session.get(Task, task_id)
            history = session.exec(
                select(StatusUpdate)
                .where(StatusUpdate.task_id == task_id)
                .order_by(StatusUpdate.id)
            ).all()
        recorded = [answer for answer in answers if "Đã ghi nhận" in answer]
        assert len(history) == len(recorded), (round_number, answers)
        newest = history[-1]
        assert (task.status, task.progress) == (newest.new_status, newest.progress), round_number
        # Each row starts from what the one before it left.
        assert [row.old_status for row in history] == [
            TaskStatus.NOT_STARTED,
            *[row.new_status for row in history[:-1]],
        ], round_number
        assert (task.completed_on is not None) == (task.status == TaskStatus.DONE), round_number
        if task.status != TaskStatus.DONE:
            assert task.progress != 100, round_number


def test_a_reply_during_a_re_import_keeps_the_new_deadlines_reminders(engine):
    """The reply's session read the task before the re-import moved its deadline."""
    with session_scope(engine) as session:
        task_id = store_plan(
            session,
            plan(draft("1", "Nhiệm vụ 1", "Sở Nội vụ", "ngày 30/06/2026")),
            today=MONDAY.date(),
        ).task_ids[0]
        officer = join(session, agency="Sở Nội vụ", chat_id="101", now=MONDAY)
        plan_reminders(session, policy=policy(), now=MONDAY)

    with session_scope(engine) as reply:
        stale = reply.get(Task, task_id)  # the reply has found its task …
        assert stale.due_date.isoformat() == "2026-06-30"
        # … when the re-import, in its own transaction, moves the deadline to 31 July.
        with session_scope(engine) as reimport:
            moved = plan(draft("1", "Nhiệm vụ 1", "Sở Nội vụ", "ngày 31/07/2026"))
            ids = store_plan(reimport, moved, today=MONDAY.date()).task_ids
            plan_reminders(reimport, policy=policy(), now=MONDAY, task_ids=ids)
        from db.tasks import record_status

        record_status(
            reply,
            task=stale,
            contact=reply.get(type(officer), officer.id),
            channel="telegram",
            chat_id="101",
            text="đang làm 40%",
            status=TaskStatus.IN_PROGRESS,
            progress=40,
            today=MONDAY.astimezone(ZONE).date(),
            now=MONDAY + timedelta(minutes=1),
        )
        plan_reminders(reply, policy=policy(), now=MONDAY, task_ids=[task_id])

    with session_scope(engine) as session:
        task = session.get(Task, task_id)
        pending = session.exec(
            select(Reminder).where(
                Reminder.task_id == task_id, Reminder.state == ReminderState.PENDING
            )
        ).all()
    assert task.due_date.isoformat() == "2026-07-31"
    assert (task.status, task.progress) == (TaskStatus.IN_PROGRESS, 40)
    assert pending and {r.cycle.isoformat() for r in pending} == {"2026-07-31"}
