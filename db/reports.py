"""The report's rows, streamed from SQL: a report over 100k tasks never holds them all.

The per-agency and overall counts come from db.progress, the same query layer as /tiendo, so
the report's totals are /tiendo's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, col, select

from db.models import Agency, AgencyRole, Contact, Plan, StatusUpdate, Task, TaskAgency
from db.progress import Bucket, bucket_expression, live_tasks

STREAM_BATCH = 2000


@dataclass(frozen=True)
class PlanProgress:
    """One plan's line of the summary sheet."""

    plan_id: int
    title: str
    counts: dict[Bucket, int]


def plan_progress(
    session: Session, *, today: date, scope, plan_id: int | None = None
) -> list[PlanProgress]:
    """Bucket counts per plan within the scope."""
    bucket = bucket_expression(today).label("bucket")
    statement = live_tasks(
        select(Plan.id, Plan.title, Plan.source_name, bucket, func.count())
        .select_from(Task)
        .join(Plan, col(Plan.id) == Task.plan_id),
        scope,
        plan_id,
    ).group_by(Plan.id, Plan.title, Plan.source_name, bucket)
    plans: dict[int, PlanProgress] = {}
    for found_id, title, source, name, count in session.exec(statement).all():
        line = plans.setdefault(
            found_id, PlanProgress(found_id, title or source, dict.fromkeys(Bucket, 0))
        )
        line.counts[Bucket(name)] = count
    return sorted(plans.values(), key=lambda line: line.plan_id)


def _names_joined(session: Session):
    """The SQL aggregate that joins agency names with "; " on this database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.string_agg(Agency.name, "; ")
    return func.group_concat(Agency.name, "; ")


class TaskRow(NamedTuple):
    """One line of the task sheet (a tuple: 100k of them are made per report)."""

    plan: str
    ref: str
    content: str
    leads: str
    deadline_text: str
    original_due: date | None
    due: date | None
    status: str
    bucket: str
    progress: int | None
    completed_on: date | None
    last_at: datetime | None
    last_by: str | None
    last_words: str | None


def stream_tasks(
    session: Session, *, today: date, scope, plan_id: int | None = None, only_overdue=False
) -> Iterator[TaskRow]:
    """Every task in the scope with its leads and last update, in plan order, streamed."""
    leads = (
        select(TaskAgency.task_id.label("task_id"), _names_joined(session).label("names"))
        .join(Agency, col(Agency.id) == TaskAgency.agency_id)
        .where(TaskAgency.role == AgencyRole.LEAD)
        .group_by(TaskAgency.task_id)
        .subquery()
    )
    latest = (
        select(StatusUpdate.task_id.label("task_id"), func.max(StatusUpdate.id).label("last_id"))
        .group_by(StatusUpdate.task_id)
        .subquery()
    )
    bucket = bucket_expression(today)
    statement = (
        select(
            func.coalesce(Plan.title, Plan.source_name),
            Task.ref,
            Task.content,
            leads.c.names,
            Task.deadline_text,
            Task.original_due_date,
            Task.due_date,
            Task.status,
            bucket,
            Task.progress,
            Task.completed_on,
            StatusUpdate.created_at,
            Contact.display_name,
            StatusUpdate.text,
        )
        .select_from(Task)
        .join(Plan, col(Plan.id) == Task.plan_id)
        .outerjoin(leads, leads.c.task_id == Task.id)
        .outerjoin(latest, latest.c.task_id == Task.id)
        .outerjoin(StatusUpdate, col(StatusUpdate.id) == latest.c.last_id)
        .outerjoin(Contact, col(Contact.id) == StatusUpdate.contact_id)
    )
    statement = live_tasks(statement, scope, plan_id)
    if only_overdue:
        statement = statement.where(bucket == Bucket.OVERDUE.value)
        statement = statement.order_by(Task.due_date, Task.plan_id, Task.position, Task.id)
    else:
        statement = statement.order_by(Task.plan_id, Task.position, Task.id)
    yield from map(TaskRow._make, _streamed(session, statement))


class HistoryRow(NamedTuple):
    """One change of one task, for the history sheet (a tuple, like TaskRow)."""

    plan: str
    ref: str
    at: datetime
    by: str | None
    channel: str
    old_status: str
    new_status: str
    words: str


def stream_history(session: Session, *, scope, plan_id: int | None = None) -> Iterator[HistoryRow]:
    """Every recorded change within the scope, oldest first, streamed."""
    statement = (
        select(
            func.coalesce(Plan.title, Plan.source_name),
            Task.ref,
            StatusUpdate.created_at,
            Contact.display_name,
            StatusUpdate.channel,
            StatusUpdate.old_status,
            StatusUpdate.new_status,
            StatusUpdate.text,
        )
        .select_from(StatusUpdate)
        .join(Task, col(Task.id) == StatusUpdate.task_id)
        .join(Plan, col(Plan.id) == Task.plan_id)
        .outerjoin(Contact, col(Contact.id) == StatusUpdate.contact_id)
    )
    statement = live_tasks(statement, scope, plan_id).order_by(StatusUpdate.id)
    yield from map(HistoryRow._make, _streamed(session, statement))


def _streamed(session: Session, statement) -> Iterator[tuple]:
    """A query's rows in batches of STREAM_BATCH (server-side on PostgreSQL).

    Run on the session's connection as a Core statement: these are columns, not entities,
    and the ORM's row loading added about 0.8 s to a report over 100k tasks for nothing.
    """
    result = session.connection().execute(statement.execution_options(yield_per=STREAM_BATCH))
    for batch in result.partitions():
        yield from batch
