"""Planning more tasks than PostgreSQL takes parameters in one statement (65,535)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select

from db.agencies import resolve_agency
from db.engine import session_scope
from db.models import AgencyRole, Plan, Reminder, Task, TaskAgency, TaskStatus
from schedules.calendar import parse_role_offsets
from schedules.planning import plan_reminders
from tests.factories import join, local, policy

TASKS = 70_000


def _write_tasks(engine, count: int) -> None:
    created = datetime(2026, 5, 1, tzinfo=UTC)
    with session_scope(engine) as session:
        agency_id = resolve_agency(session, "Sở Nội vụ").id
    with engine.begin() as connection:
        plan_id = connection.execute(
            insert(Plan.__table__).returning(Plan.__table__.c.id),
            [
                {
                    "source_key": "lon",
                    "source_name": "lon.txt",
                    "imported_at": created,
                    "updated_at": created,
                }
            ],
        ).scalar_one()
    for start in range(0, count, 10_000):
        rows = [
            {"plan_id": plan_id, "ref": str(n), "position": n, "content": f"Nhiệm vụ {n}",
             "result": "", "deadline_text": "", "deadline_kind": "fixed",
             "due_date": date(2026, 7, 1) + timedelta(days=n % 300), "milestones": "",
             "deadline_understood": True, "flagged": False,
             "status": TaskStatus.NOT_STARTED.value, "created_at": created,
             "updated_at": created}
            for n in range(start, min(start + 10_000, count))
        ]  # fmt: skip
        with engine.begin() as connection:
            ids = connection.execute(
                insert(Task.__table__).returning(Task.__table__.c.id), rows
            ).scalars()
            connection.execute(
                insert(TaskAgency.__table__),
                [{"task_id": i, "agency_id": agency_id, "role": AgencyRole.LEAD.value,
                  "name_as_written": ""} for i in ids],
            )  # fmt: skip


def _count(engine) -> int:
    with session_scope(engine) as session:
        return session.execute(select(func.count()).select_from(Reminder)).scalar_one()


def test_seventy_thousand_tasks_are_planned_in_chunks_on_postgresql(postgres_engine):
    engine = postgres_engine  # the parameter limit (65,535) is PostgreSQL's
    _write_tasks(engine, TASKS)
    now = local(2026, 6, 1, 9)
    lean = policy(offsets="0d")
    lean = type(lean)(**{**lean.__dict__, "support_offsets": parse_role_offsets("none"),
                         "executor_offsets": (), "overdue_max": 0})  # fmt: skip
    with session_scope(engine) as session:
        officer = join(session, agency="Sở Nội vụ", chat_id="1", now=now)
        # A new contact: its agency's 70,000 tasks, found by a subquery, not an id list.
        outcome = plan_reminders(session, policy=lean, now=now, contact_ids=[officer.id])
    assert outcome.created == TASKS + 1  # one 0d reminder per task, and the Monday list
    with session_scope(engine) as session:
        all_ids = list(session.execute(select(Task.id)).scalars())
        # Every task named explicitly: the ids go in chunks.
        again = plan_reminders(session, policy=lean, now=now, task_ids=all_ids)
        assert (again.created, again.cancelled) == (0, 0)
        session.execute(Task.__table__.update().values(status=TaskStatus.DONE.value))
        done = plan_reminders(session, policy=lean, now=now)
    assert done.cancelled == TASKS
    assert _count(engine) == TASKS + 1
