"""Cached /tiendo aggregates follow every change to tasks, whoever writes it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlmodel import select

from db.engine import session_scope
from db.models import ProgressStamp, Task
from db.progress import Bucket, agency_progress, scoped_summary
from db.scope import Scope
from tests.factories import draft, plan, store_plan

TODAY = date(2026, 6, 1)
EVERYTHING = Scope(everything=True)


def _counts(engine):
    with session_scope(engine) as session:
        summary = scoped_summary(session, today=TODAY, scope=EVERYTHING)
        agencies = agency_progress(session, today=TODAY, scope=EVERYTHING)
        return summary.counts[Bucket.OVERDUE], [(a.name, a.overdue) for a in agencies]


def test_a_change_by_any_writer_moves_the_stamp_and_refreshes_the_counts(engine):
    with session_scope(engine) as session:
        store_plan(
            session,
            plan(draft("1", "Báo cáo", "Sở Nội vụ", "ngày 30/06/2026")),
            today=TODAY,
        )
    assert _counts(engine) == (0, [("Sở Nội vụ", 0)])
    assert _counts(engine) == (0, [("Sở Nội vụ", 0)])  # served again, unchanged
    with session_scope(engine) as session:
        before = session.exec(select(ProgressStamp.version)).one()
        # Another process (a script, a second worker) writing plain SQL.
        session.execute(text("UPDATE task SET due_date = '2026-05-01'"))
    with session_scope(engine) as session:
        assert session.exec(select(ProgressStamp.version)).one() != before
    assert _counts(engine) == (1, [("Sở Nội vụ", 1)])
    with session_scope(engine) as session:
        session.execute(text("UPDATE agency SET name = 'Sở Nội vụ tỉnh'"))
    assert _counts(engine) == (1, [("Sở Nội vụ tỉnh", 1)])
    with session_scope(engine) as session:
        session.exec(select(Task)).one().status = "done"  # through the ORM, as handlers do
        session.exec(select(Task)).one().completed_on = date(2026, 4, 30)
    assert _counts(engine) == (0, [("Sở Nội vụ tỉnh", 0)])
