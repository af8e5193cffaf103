"""The progress buckets coordinators report in, aggregated in SQL."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import and_, case, event, func, or_
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from db.models import FINISHED_STATUSES, AgencyRole, Task, TaskAgency, TaskStatus


class Bucket(StrEnum):
    """domain.md section 4, in the order reports list them."""

    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    IN_PROGRESS_ON_TIME = "in_progress_on_time"
    OVERDUE = "overdue"
    ONGOING = "ongoing"
    UNDETERMINED = "undetermined"


@dataclass(frozen=True)
class ProgressSummary:
    """Task counts per bucket."""

    counts: dict[Bucket, int]

    @property
    def total(self) -> int:
        """All tasks counted."""
        return sum(self.counts.values())


def bucket_expression(today: date):
    """A SQL CASE giving each task's bucket on `today`."""
    # Awaiting confirmation counts as done on the day the officer reported it.
    done = col(Task.status).in_(FINISHED_STATUSES)
    no_date = or_(
        Task.deadline_kind == "undetermined",
        and_(Task.deadline_kind != "ongoing", col(Task.due_date).is_(None)),
    )
    return case(
        (Task.deadline_kind == "ongoing", Bucket.ONGOING.value),
        (no_date, Bucket.UNDETERMINED.value),
        (and_(done, Task.completed_on <= Task.due_date), Bucket.DONE_ON_TIME.value),
        (done, Bucket.DONE_LATE.value),
        (Task.due_date >= today, Bucket.IN_PROGRESS_ON_TIME.value),
        else_=Bucket.OVERDUE.value,
    )


def progress_summary(
    session: Session, *, today: date, agency_id: int | None = None, plan_id: int | None = None
) -> ProgressSummary:
    """Count tasks per bucket, for everything or for one lead agency or plan."""
    bucket = bucket_expression(today).label("bucket")
    statement = (
        select(bucket, func.count(func.distinct(Task.id)))
        .select_from(Task)
        .where(col(Task.withdrawn_at).is_(None))
    )
    if agency_id is not None:
        statement = statement.join(TaskAgency, col(TaskAgency.task_id) == Task.id).where(
            TaskAgency.agency_id == agency_id, TaskAgency.role == AgencyRole.LEAD
        )
    if plan_id is not None:
        statement = statement.where(Task.plan_id == plan_id)
    rows = session.exec(statement.group_by(bucket)).all()
    counts = dict.fromkeys(Bucket, 0)
    for name, count in rows:
        counts[Bucket(name)] = count
    return ProgressSummary(counts=counts)


# --- the coordinator's drill-down: per agency, per plan, and task lists ---------------------

# "Due soon" is the orange band of Vietnamese tracking systems: due within this many days.
DUE_SOON_DAYS = 3


def live_tasks(statement, scope, plan_id: int | None):
    """Not withdrawn, within the scope, and in one plan when asked."""
    from db.scope import restrict

    statement = restrict(statement.where(col(Task.withdrawn_at).is_(None)), scope)
    if plan_id is not None:
        statement = statement.where(Task.plan_id == plan_id)
    return statement


# Aggregates over 100k tasks take hundreds of milliseconds; they are kept per store, scope,
# plan and day until a trigger moves the progress stamp (any change to tasks or their links).
_CACHE_SIZE = 256
_cache: OrderedDict[tuple, tuple[int, object]] = OrderedDict()
_cache_lock = threading.Lock()


@event.listens_for(OrmSession, "after_flush")
def _note_writes(session, _flush_context) -> None:
    """Remember that a session wrote: what it reads may include changes not yet committed."""
    session.info["wrote"] = True


def _cached(session: Session, key: tuple, compute):
    """compute(), or its earlier result while the store's progress stamp has not moved."""
    from db.models import ProgressStamp

    version = session.exec(select(ProgressStamp.version).where(ProgressStamp.id == 1)).first()
    if version is None:
        return compute()
    key = (str(session.get_bind().url), *key)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == version:
            _cache.move_to_end(key)
            return hit[1]
    value = compute()
    # A transaction that wrote sees its own changes; they may still be rolled back.
    if not (session.new or session.dirty or session.deleted) and not session.info.get("wrote"):
        with _cache_lock:
            _cache[key] = (version, value)
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return value


def scoped_summary(session: Session, *, today: date, scope, plan_id: int | None = None):
    """Count tasks per bucket within a contact's scope (and one plan); cached per stamp."""
    return _cached(
        session,
        ("summary", today, scope, plan_id),
        lambda: _scoped_summary(session, today=today, scope=scope, plan_id=plan_id),
    )


def _scoped_summary(session: Session, *, today: date, scope, plan_id: int | None = None):
    bucket = bucket_expression(today).label("bucket")
    statement = live_tasks(select(bucket, func.count()).select_from(Task), scope, plan_id)
    counts = dict.fromkeys(Bucket, 0)
    for name, count in session.exec(statement.group_by(bucket)).all():
        counts[Bucket(name)] = count
    return ProgressSummary(counts=counts)


@dataclass(frozen=True)
class AgencyProgress:
    """One lead agency's line of the coordinator's table."""

    agency_id: int
    name: str
    total: int
    done: int
    overdue: int
    due_soon: int
    awaiting: int
    extensions: int
    counts: dict[Bucket, int]


def agency_progress(
    session: Session,
    *,
    today: date,
    scope,
    plan_id: int | None = None,
    limit: int | None = None,
) -> list[AgencyProgress]:
    """Per lead agency, worst first (see _agency_progress); cached per progress stamp."""
    rows = _cached(
        session,
        ("agencies", today, scope, plan_id),
        lambda: tuple(_agency_progress(session, today=today, scope=scope, plan_id=plan_id)),
    )
    return list(rows[:limit] if limit is not None else rows)


def _agency_progress(
    session: Session, *, today: date, scope, plan_id: int | None = None
) -> list[AgencyProgress]:
    """Per lead agency: the buckets, due soon, awaiting confirmation and extension requests.

    Worst first: most overdue, then most due soon, then most waiting for a decision. The
    bucket is computed once per task link and grouped in SQL; a few thousand groups are
    folded here.
    """
    from datetime import timedelta

    from db.models import Agency

    open_dated = and_(
        col(Task.status).not_in(FINISHED_STATUSES),
        col(Task.deadline_kind).not_in(("ongoing", "undetermined")),
        col(Task.due_date).is_not(None),
    )
    due_soon = case(
        (
            and_(
                open_dated,
                Task.due_date >= today,
                Task.due_date <= today + timedelta(DUE_SOON_DAYS),
            ),
            1,
        ),
        else_=0,
    ).label("soon")
    bucket = bucket_expression(today).label("bucket")
    grouped = (
        live_tasks(
            select(TaskAgency.agency_id, bucket, Task.status, due_soon, func.count().label("n"))
            .select_from(Task)
            # "+ 0": the tasks are read from their covering index and each task's links
            # looked up by key; SQLite would otherwise start from the links and read every
            # task's whole row (several times slower). PostgreSQL hashes either way.
            .join(TaskAgency, col(TaskAgency.task_id) == Task.id + 0)
            .where(TaskAgency.role == AgencyRole.LEAD),
            scope,
            plan_id,
        )
        .group_by(TaskAgency.agency_id, bucket, Task.status, due_soon)
        .subquery()
    )
    statement = select(
        grouped.c.agency_id,
        Agency.name,
        grouped.c.bucket,
        grouped.c.status,
        grouped.c.soon,
        grouped.c.n,
    ).join(Agency, col(Agency.id) == grouped.c.agency_id)
    lines: dict[int, dict] = {}
    for agency_id, name, bucket_name, status, soon, count in session.exec(statement).all():
        line = lines.get(agency_id)
        if line is None:
            line = lines[agency_id] = {
                "name": name,
                "counts": dict.fromkeys(Bucket, 0),
                "soon": 0,
                "awaiting": 0,
                "ext": 0,
            }
        line["counts"][Bucket(bucket_name)] += count
        line["soon"] += count if soon else 0
        line["awaiting"] += count if status == TaskStatus.AWAITING_CONFIRMATION else 0
        line["ext"] += count if status == TaskStatus.EXTENSION_REQUESTED else 0
    rows = [
        AgencyProgress(
            agency_id=agency_id,
            name=line["name"],
            total=sum(line["counts"].values()),
            done=line["counts"][Bucket.DONE_ON_TIME] + line["counts"][Bucket.DONE_LATE],
            overdue=line["counts"][Bucket.OVERDUE],
            due_soon=line["soon"],
            awaiting=line["awaiting"],
            extensions=line["ext"],
            counts=line["counts"],
        )
        for agency_id, line in lines.items()
    ]
    rows.sort(key=lambda r: (-r.overdue, -r.due_soon, -(r.awaiting + r.extensions), r.name))
    return rows


def plans_in_scope(session: Session, *, scope) -> list[tuple[int, str]]:
    """(plan id, title) of the plans a contact may narrow to, newest first."""
    return [
        (plan.id, plan.title or plan.source_name) for plan in scoped_plans(session, scope=scope)
    ]


def scoped_plans(session: Session, *, scope) -> list:
    """The plans a contact may narrow to, newest first, in one query."""
    from db.models import Plan
    from db.scope import granted_plans

    statement = select(Plan).order_by(col(Plan.id).desc())
    if not scope.everything:
        if scope.coordinator_id is None:
            return []
        statement = statement.where(col(Plan.id).in_(granted_plans(scope.coordinator_id)))
    return list(session.exec(statement))


class TaskView(StrEnum):
    """Which tasks a list shows."""

    BUCKET = "b"
    AGENCY = "a"
    OVERDUE = "q"
    WAITING = "w"  # awaiting confirmation or an extension decision


def task_page(
    session: Session,
    *,
    today: date,
    scope,
    view: TaskView,
    key: str = "",
    plan_id: int | None = None,
    offset: int = 0,
    limit: int = 15,
) -> tuple[list[Task], int]:
    """One page of a task list and the number of tasks in the whole list."""
    statement = live_tasks(select(Task), scope, plan_id)
    if view == TaskView.BUCKET:
        statement = statement.where(bucket_expression(today) == Bucket(key).value)
    elif view == TaskView.AGENCY:
        statement = statement.where(
            col(Task.id).in_(
                select(TaskAgency.task_id).where(
                    TaskAgency.agency_id == int(key), TaskAgency.role == AgencyRole.LEAD
                )
            )
        )
    elif view == TaskView.OVERDUE:
        statement = statement.where(bucket_expression(today) == Bucket.OVERDUE.value)
    else:
        statement = statement.where(
            col(Task.status).in_((TaskStatus.AWAITING_CONFIRMATION, TaskStatus.EXTENSION_REQUESTED))
        )
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    ordered = statement.order_by(
        col(Task.due_date).is_(None), Task.due_date, Task.plan_id, Task.position, Task.id
    )
    return list(session.exec(ordered.offset(offset).limit(limit))), total


def lead_names(session: Session, task_ids: list[int]) -> dict[int, str]:
    """task id -> its lead agencies' names, for one page of tasks."""
    from db.models import Agency

    names: dict[int, list[str]] = {}
    if task_ids:
        rows = session.exec(
            select(TaskAgency.task_id, Agency.name)
            .join(Agency, col(Agency.id) == TaskAgency.agency_id)
            .where(col(TaskAgency.task_id).in_(task_ids), TaskAgency.role == AgencyRole.LEAD)
            .order_by(Agency.name)
        )
        for task_id, name in rows:
            names.setdefault(task_id, []).append(name)
    return {task_id: "; ".join(items) for task_id, items in names.items()}


def last_words(session: Session, task_ids: list[int]):
    """task id -> its latest status update (words, when, who), for one page of tasks."""
    from db.models import Contact, StatusUpdate

    latest = (
        select(func.max(StatusUpdate.id))
        .where(col(StatusUpdate.task_id).in_(task_ids))
        .group_by(StatusUpdate.task_id)
    )
    found = {}
    if task_ids:
        rows = session.exec(
            select(StatusUpdate, Contact.display_name)
            .outerjoin(Contact, col(Contact.id) == StatusUpdate.contact_id)
            .where(col(StatusUpdate.id).in_(latest))
        )
        for update, name in rows:
            found[update.task_id] = (update, name or "")
    return found
