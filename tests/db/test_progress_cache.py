"""Cached /tiendo aggregates follow every change to tasks, whoever writes it, plan by plan."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import text
from sqlmodel import select

from db.engine import session_scope
from db.models import (
    Agency,
    AgencyRole,
    Contact,
    ContactRole,
    PlanCoordinator,
    PlanStamp,
    Task,
    TaskAgency,
)
from db.progress import Bucket, agency_progress, progress_summary, scoped_summary
from db.scope import Scope
from tests.factories import draft, plan, store_plan

TODAY = date(2026, 6, 1)
EVERYTHING = Scope(everything=True)


def _counts(engine, scope=EVERYTHING, plan_id=None):
    with session_scope(engine) as session:
        summary = scoped_summary(session, today=TODAY, scope=scope, plan_id=plan_id)
        agencies = agency_progress(session, today=TODAY, scope=scope, plan_id=plan_id)
        return summary.counts[Bucket.OVERDUE], [(a.name, a.overdue) for a in agencies]


def _stamps(engine) -> dict[int, int]:
    with session_scope(engine) as session:
        return dict(session.exec(select(PlanStamp.plan_id, PlanStamp.version)).all())


def test_a_change_by_any_writer_moves_its_plans_stamp_and_refreshes_the_counts(engine):
    with session_scope(engine) as session:
        first = store_plan(
            session,
            plan(draft("1", "Báo cáo", "Sở Nội vụ", "ngày 30/06/2026")),
            today=TODAY,
        ).plan_id
        second = store_plan(
            session,
            plan(draft("1", "Tổng kết", "Sở Tư pháp", "ngày 30/06/2026"), source="b.txt"),
            today=TODAY,
            key="ke-hoach-khac",
        ).plan_id
    assert _counts(engine) == (0, [("Sở Nội vụ", 0), ("Sở Tư pháp", 0)])
    assert _counts(engine) == (0, [("Sở Nội vụ", 0), ("Sở Tư pháp", 0)])  # served again
    before = _stamps(engine)
    with session_scope(engine) as session:
        # Another process (a script, a second worker) writing plain SQL.
        session.execute(
            text("UPDATE task SET due_date = '2026-05-01' WHERE plan_id = :p"), {"p": first}
        )
    after = _stamps(engine)
    assert after[first] != before[first]
    assert after[second] == before[second]  # the other plan's counts are still good
    assert _counts(engine) == (1, [("Sở Nội vụ", 1), ("Sở Tư pháp", 0)])
    assert _counts(engine, plan_id=second) == (0, [("Sở Tư pháp", 0)])
    with session_scope(engine) as session:
        session.execute(text("UPDATE agency SET name = 'Sở Nội vụ tỉnh' WHERE name = 'Sở Nội vụ'"))
    assert _counts(engine) == (1, [("Sở Nội vụ tỉnh", 1), ("Sở Tư pháp", 0)])
    with session_scope(engine) as session:
        task = session.exec(select(Task).where(Task.plan_id == first)).one()
        task.status = "done"  # through the ORM, as handlers do
        task.completed_on = date(2026, 4, 30)
    assert _counts(engine) == (0, [("Sở Nội vụ tỉnh", 0), ("Sở Tư pháp", 0)])
    with session_scope(engine) as session:  # a lead link moved to another agency
        session.execute(
            text(
                "UPDATE taskagency SET agency_id = (SELECT id FROM agency WHERE name = 'Sở Tư pháp')"
                " WHERE task_id IN (SELECT id FROM task WHERE plan_id = :p)"
            ),
            {"p": first},
        )
    assert _stamps(engine)[first] != after[first]
    assert _counts(engine, plan_id=first) == (0, [("Sở Tư pháp", 0)])


def test_what_a_writing_transaction_sees_is_never_served_to_others(engine):
    with session_scope(engine) as session:
        store_plan(
            session, plan(draft("1", "Báo cáo", "Sở Nội vụ", "ngày 30/06/2026")), today=TODAY
        )
    assert _counts(engine) == (0, [("Sở Nội vụ", 0)])
    with session_scope(engine) as session:
        session.exec(select(Task)).one().due_date = date(2026, 5, 1)
        session.flush()
        assert scoped_summary(session, today=TODAY, scope=EVERYTHING).counts[Bucket.OVERDUE] == 1
        session.rollback()
    assert _counts(engine) == (0, [("Sở Nội vụ", 0)])


def test_cached_tables_equal_a_direct_count_through_random_changes(engine):
    """Every scope's cached summary and table equal counting the tasks afresh."""
    agencies = ["Sở Nội vụ", "Sở Tư pháp", "Sở Y tế", "Công an tỉnh"]
    chooser = random.Random(20260601)
    with session_scope(engine) as session:
        plans = []
        for number in range(4):
            drafts = [
                draft(
                    str(ref),
                    f"Nhiệm vụ {number}.{ref}",
                    chooser.choice(agencies),
                    chooser.choice(
                        ["ngày 15/05/2026", "ngày 02/06/2026", "Quý III/2026", "Thường xuyên"]
                    ),
                )
                for ref in range(1, 9)
            ]
            saved = store_plan(
                session, plan(*drafts, source=f"{number}.txt"), today=TODAY, key=f"kh-{number}"
            )
            plans.append(saved.plan_id)
        agency_ids = dict(session.exec(select(Agency.name, Agency.id)).all())
    granted = plans[1:3]
    with session_scope(engine) as session:
        contact = Contact(
            channel="telegram", chat_id="c", display_name="Đầu mối", role=ContactRole.COORDINATOR
        )
        session.add(contact)
        session.flush()
        coordinator = contact.id
        for plan_id in granted:
            session.add(PlanCoordinator(plan_id=plan_id, contact_id=coordinator))

    def check() -> None:
        with session_scope(engine) as session:
            direct = {p: progress_summary(session, today=TODAY, plan_id=p).counts for p in plans}
            whole = progress_summary(session, today=TODAY).counts
            assert scoped_summary(session, today=TODAY, scope=EVERYTHING).counts == whole
            mine = scoped_summary(session, today=TODAY, scope=Scope(coordinator_id=coordinator))
            assert mine.counts == {b: sum(direct[p][b] for p in granted) for b in Bucket}
            for plan_id in plans:
                counts = scoped_summary(session, today=TODAY, scope=EVERYTHING, plan_id=plan_id)
                assert counts.counts == direct[plan_id]
            for name, agency_id in agency_ids.items():
                expected = progress_summary(session, today=TODAY, agency_id=agency_id).counts
                officer = scoped_summary(session, today=TODAY, scope=Scope(agency_id=agency_id))
                assert officer.counts == expected, name
                rows = {
                    r.agency_id: r for r in agency_progress(session, today=TODAY, scope=EVERYTHING)
                }
                if sum(expected.values()):
                    assert rows[agency_id].counts == expected
                    assert rows[agency_id].overdue == expected[Bucket.OVERDUE]
                else:
                    assert agency_id not in rows

    check()
    for _step in range(12):
        with session_scope(engine) as session:
            task = chooser.choice(list(session.exec(select(Task))))
            change = chooser.randrange(4)
            if change == 0:
                task.status = "done"
                task.completed_on = TODAY - timedelta(days=chooser.randrange(-20, 20))
            elif change == 1:
                task.due_date = TODAY + timedelta(days=chooser.randrange(-10, 10))
                task.deadline_kind = "fixed"
            elif change == 2:
                link = session.exec(
                    select(TaskAgency).where(
                        TaskAgency.task_id == task.id, TaskAgency.role == AgencyRole.LEAD
                    )
                ).first()
                if link is not None:
                    session.delete(link)
            else:
                task.status = chooser.choice(["awaiting_confirmation", "extension_requested"])
        check()


def test_counted_ahead_the_days_first_tiendo_reads_no_task(engine):
    from sqlalchemy import event

    from db.progress import count_every_plan

    with session_scope(engine) as session:
        store_plan(
            session, plan(draft("1", "Báo cáo", "Sở Nội vụ", "ngày 30/06/2026")), today=TODAY
        )
    tomorrow = TODAY + timedelta(days=1)
    with session_scope(engine) as session:
        count_every_plan(session, today=tomorrow)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with session_scope(engine) as session:
        summary = scoped_summary(session, today=tomorrow, scope=Scope(everything=True))
        agency_progress(session, today=tomorrow, scope=Scope(everything=True))
    assert summary.total == 1
    assert statements and not [s for s in statements if "FROM task" in s]
