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


# --- per-plan tallies, cached while the plan's stamp stands ---------------------------------
#
# Aggregating 100k tasks takes hundreds of milliseconds, and officers change tasks all day.
# So each plan's counts are computed once per day and kept until a trigger moves that plan's
# stamp (db.models.PlanStamp); a change recomputes its plan only, and a scope's table is the
# sum of its plans' tallies. The store-wide stamp (agency renames) is part of every key.

# A tally line: the six buckets in Bucket order, then due soon, awaiting, extension requests.
_BUCKETS = tuple(Bucket)
_SOON, _AWAITING, _EXTENSIONS = len(_BUCKETS), len(_BUCKETS) + 1, len(_BUCKETS) + 2
_BUCKET_INDEX = {bucket.value: index for index, bucket in enumerate(_BUCKETS)}
# Up to this many stale plans are recomputed by id; more (a cold cache) by the whole scope.
_STALE_BY_ID = 64


@dataclass(frozen=True)
class _PlanTally:
    """One plan's counts on one day: per bucket (tasks), and per lead agency (links)."""

    buckets: tuple[int, ...]
    lines: dict[int, tuple[str, tuple[int, ...]]]  # agency id -> (name, tally line)


class _Cache:
    """A bounded, thread-safe map whose entries carry the version they were computed at."""

    def __init__(self, size: int) -> None:
        self._entries: OrderedDict[tuple, tuple[object, object]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple, version):
        """The value stored under key at this version, or None."""
        with self._lock:
            hit = self._entries.get(key)
            if hit is None or hit[0] != version:
                return None
            self._entries.move_to_end(key)
            return hit[1]

    def put(self, key: tuple, version, value) -> None:
        """Store a value computed at a version, forgetting the least recently used."""
        with self._lock:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


_plan_tallies = _Cache(4096)  # (store, plan, day) -> tally, at the plan's version
_scope_tables = _Cache(256)  # (store, scope, plan, day) -> summary and table, at the versions


@event.listens_for(OrmSession, "after_flush")
def _note_writes(session, _flush_context) -> None:
    """Remember that a session wrote: what it reads may include changes not yet committed."""
    session.info["wrote"] = True


def _may_cache(session: Session) -> bool:
    # A transaction that wrote sees its own changes; they may still be rolled back.
    return not (session.new or session.dirty or session.deleted or session.info.get("wrote"))


def _plans_of(scope, plan_id: int | None):
    """A select of the ids of the plans whose tallies make up a scope (and one plan)."""
    from db.models import Plan
    from db.scope import granted_plans

    statement = select(Plan.id)
    if not scope.everything and scope.agency_id is None:
        statement = statement.where(col(Plan.id).in_(granted_plans(scope.coordinator_id)))
    if plan_id is not None:
        statement = statement.where(Plan.id == plan_id)
    return statement


def _versions(session: Session, plans) -> tuple[int, tuple[tuple[int, int], ...]]:
    """The store's stamp and each plan's (id, version), read before any count they cover."""
    from db.models import PlanStamp, ProgressStamp

    store = session.exec(select(ProgressStamp.version).where(ProgressStamp.id == 1)).first()
    rows = session.exec(
        select(PlanStamp.plan_id, PlanStamp.version)
        .where(col(PlanStamp.plan_id).in_(plans))
        .order_by(PlanStamp.plan_id)
    ).all()
    return store or 0, tuple((plan, version) for plan, version in rows)


def _scope_progress(session: Session, *, today: date, scope, plan_id: int | None):
    """The summary and the per-agency table (worst first) of a scope, from plan tallies."""
    plans = _plans_of(scope, plan_id)
    store, versions = _versions(session, plans)
    url = str(session.get_bind().url)
    cacheable = _may_cache(session)
    key = (url, store, scope, plan_id, today)
    if cacheable:
        found = _scope_tables.get(key, versions)
        if found is not None:
            return found
    tallies = _tallies(
        session,
        today=today,
        key=(url, store),
        versions=versions,
        plans=plans,
        cacheable=cacheable,
    )
    result = _combine(tallies, agency_id=scope.agency_id)
    if cacheable:
        _scope_tables.put(key, versions, result)
    return result


def _tallies(session: Session, *, today: date, key: tuple, versions, plans, cacheable: bool):
    """Each plan's tally: cached at its version, or recomputed with the other stale plans.

    `key` names the store (its URL and stamp) in the cache.
    """
    found: dict[int, _PlanTally] = {}
    stale: list[int] = []
    for plan, version in versions:
        tally = _plan_tallies.get((*key, plan, today), version) if cacheable else None
        if tally is None:
            stale.append(plan)
        else:
            found[plan] = tally
    if stale:
        wanted = stale if len(stale) <= _STALE_BY_ID else plans
        computed = _compute_tallies(session, today=today, plans=wanted)
        current = dict(versions)
        for plan in stale:
            tally = computed.get(plan, _PlanTally(buckets=(0,) * len(Bucket), lines={}))
            found[plan] = tally
            if cacheable:
                _plan_tallies.put((*key, plan, today), current[plan], tally)
    return found


def _compute_tallies(session: Session, *, today: date, plans) -> dict[int, _PlanTally]:
    """Count some plans' tasks (a list of ids, or a select of them) in two grouped queries."""
    from datetime import timedelta

    from db.models import Agency

    by_id = isinstance(plans, list)
    bucket = bucket_expression(today).label("bucket")
    live = and_(col(Task.withdrawn_at).is_(None), col(Task.plan_id).in_(plans))
    buckets: dict[int, list[int]] = {}
    rows = session.exec(
        select(Task.plan_id, bucket, func.count()).where(live).group_by(Task.plan_id, bucket)
    )
    for plan, name, count in rows:
        buckets.setdefault(plan, [0] * len(Bucket))[_BUCKET_INDEX[name]] = count

    open_dated = and_(
        col(Task.status).not_in(FINISHED_STATUSES),
        col(Task.deadline_kind).not_in(("ongoing", "undetermined")),
        col(Task.due_date).is_not(None),
    )
    soon = case(
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
    grouped = (
        select(
            Task.plan_id, TaskAgency.agency_id, bucket, Task.status, soon, func.count().label("n")
        )
        .select_from(Task)
        # Counting every plan, "+ 0" makes SQLite read the tasks from their covering index and
        # look each task's links up by key; it would otherwise start from the links and read
        # every task's whole row (several times slower). PostgreSQL hashes either way.
        .join(TaskAgency, col(TaskAgency.task_id) == (Task.id if by_id else Task.id + 0))
        .where(live, TaskAgency.role == AgencyRole.LEAD)
        .group_by(Task.plan_id, TaskAgency.agency_id, bucket, Task.status, soon)
        .subquery()
    )
    statement = select(
        grouped.c.plan_id,
        grouped.c.agency_id,
        Agency.name,
        grouped.c.bucket,
        grouped.c.status,
        grouped.c.soon,
        grouped.c.n,
    ).join(Agency, col(Agency.id) == grouped.c.agency_id)
    lines: dict[int, dict[int, tuple[str, list[int]]]] = {}
    for plan, agency_id, name, bucket_name, status, is_soon, count in session.exec(statement):
        plan_lines = lines.setdefault(plan, {})
        line = plan_lines.get(agency_id)
        if line is None:
            line = plan_lines[agency_id] = (name, [0] * (len(Bucket) + 3))
        tally = line[1]
        tally[_BUCKET_INDEX[bucket_name]] += count
        if is_soon:
            tally[_SOON] += count
        if status == TaskStatus.AWAITING_CONFIRMATION:
            tally[_AWAITING] += count
        elif status == TaskStatus.EXTENSION_REQUESTED:
            tally[_EXTENSIONS] += count
    return {
        plan: _PlanTally(
            buckets=tuple(buckets.get(plan, (0,) * len(Bucket))),
            lines={
                agency: (name, tuple(tally))
                for agency, (name, tally) in lines.get(plan, {}).items()
            },
        )
        for plan in buckets.keys() | lines.keys()
    }


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


def _combine(tallies: dict[int, _PlanTally], *, agency_id: int | None):
    """Sum plan tallies into a summary and a table, worst first; an officer's: one agency."""
    merged: dict[int, tuple[str, list[int]]] = {}
    for tally in tallies.values():
        for agency, (name, line) in tally.lines.items():
            if agency_id is not None and agency != agency_id:
                continue
            into = merged.get(agency)
            if into is None:
                merged[agency] = (name, list(line))
            else:
                merged[agency] = (name, [a + b for a, b in zip(into[1], line, strict=True)])
    if agency_id is None:
        buckets = [0] * len(_BUCKETS)
        for tally in tallies.values():
            buckets = [a + b for a, b in zip(buckets, tally.buckets, strict=True)]
    else:
        buckets = merged.get(agency_id, ("", [0] * len(_BUCKETS)))[1][: len(_BUCKETS)]
    summary = ProgressSummary(counts=dict(zip(_BUCKETS, buckets, strict=True)))
    rows = []
    for agency, (name, line) in merged.items():
        counts = dict(zip(_BUCKETS, line, strict=False))  # the buckets lead each line
        rows.append(
            AgencyProgress(
                agency_id=agency,
                name=name,
                total=sum(line[: len(_BUCKETS)]),
                done=counts[Bucket.DONE_ON_TIME] + counts[Bucket.DONE_LATE],
                overdue=counts[Bucket.OVERDUE],
                due_soon=line[_SOON],
                awaiting=line[_AWAITING],
                extensions=line[_EXTENSIONS],
                counts=counts,
            )
        )
    # Worst first: most overdue, then most due soon, then most waiting for a decision.
    rows.sort(key=lambda r: (-r.overdue, -r.due_soon, -(r.awaiting + r.extensions), r.name))
    return summary, tuple(rows)


def count_every_plan(session: Session, *, today: date) -> None:
    """Fill the cache with every plan's counts for `today`, so the day's first /tiendo is quick."""
    from db.scope import Scope

    _scope_progress(session, today=today, scope=Scope(everything=True), plan_id=None)


def scoped_summary(session: Session, *, today: date, scope, plan_id: int | None = None):
    """Count tasks per bucket within a contact's scope (and one plan)."""
    return _scope_progress(session, today=today, scope=scope, plan_id=plan_id)[0]


def agency_progress(
    session: Session,
    *,
    today: date,
    scope,
    plan_id: int | None = None,
    limit: int | None = None,
) -> list[AgencyProgress]:
    """Per lead agency: the buckets, due soon, awaiting and extension requests, worst first."""
    rows = _scope_progress(session, today=today, scope=scope, plan_id=plan_id)[1]
    return list(rows[:limit] if limit is not None else rows)


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
