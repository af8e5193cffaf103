"""What a coordinator's weekly digest and an officer's Monday list say, read in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from db.coverage import Unreminded, unreminded_leads
from db.links import reachable_on_no_channel
from db.models import (
    FINISHED_STATUSES,
    AgencyRole,
    Contact,
    StatusUpdate,
    Task,
    TaskAgency,
    TaskStatus,
)
from db.progress import ProgressSummary, progress_summary

LISTED = 10
SOON_DAYS = 14


@dataclass(frozen=True)
class Digest:
    """The week in numbers and lists; every list is capped, every count is complete."""

    today: date
    summary: ProgressSummary
    changes: dict[str, int]  # new status -> tasks that reached it this week
    newly_overdue: int
    most_overdue: list[Task]
    due_soon: list[Task]
    due_soon_total: int
    undetermined: list[Task]
    undetermined_total: int
    unreminded: Unreminded
    # People no chat of theirs reaches (they blocked the bot everywhere they linked).
    unreachable: list[Contact]
    unreachable_total: int


def _open():
    return (col(Task.status).not_in(FINISHED_STATUSES), col(Task.withdrawn_at).is_(None))


def weekly_digest(session: Session, *, today: date, since: datetime) -> Digest:
    """The coordinators' digest on `today`, with changes recorded since `since`."""
    changed = session.exec(
        select(StatusUpdate.new_status, func.count(func.distinct(StatusUpdate.task_id)))
        .join(Task, col(Task.id) == StatusUpdate.task_id)
        .where(
            StatusUpdate.created_at >= since,
            StatusUpdate.channel != "system",
            col(StatusUpdate.new_status).in_(
                [
                    TaskStatus.DONE,
                    TaskStatus.AWAITING_CONFIRMATION,
                    TaskStatus.EXTENSION_REQUESTED,
                    TaskStatus.BLOCKED,
                ]
            ),
            col(Task.withdrawn_at).is_(None),
        )
        .group_by(StatusUpdate.new_status)
    ).all()
    dated = (Task.deadline_kind != "ongoing", Task.deadline_kind != "undetermined")
    newly_overdue = session.exec(
        select(func.count())
        .select_from(Task)
        .where(*_open(), *dated, Task.due_date < today, Task.due_date >= today - timedelta(days=7))
    ).one()
    most_overdue = session.exec(
        select(Task)
        .where(*_open(), *dated, Task.due_date < today)
        .order_by(Task.due_date, Task.id)
        .limit(LISTED)
    ).all()
    soon = (*_open(), *dated, Task.due_date >= today, Task.due_date <= today + timedelta(SOON_DAYS))
    due_soon = session.exec(
        select(Task).where(*soon).order_by(Task.due_date, Task.id).limit(LISTED)
    ).all()
    due_soon_total = session.exec(select(func.count()).select_from(Task).where(*soon)).one()
    undetermined = (*_open(), Task.deadline_kind == "undetermined")
    unreachable, unreachable_total = reachable_on_no_channel(session, limit=LISTED)
    return Digest(
        today=today,
        summary=progress_summary(session, today=today),
        changes={status: count for status, count in changed},
        newly_overdue=newly_overdue,
        most_overdue=list(most_overdue),
        due_soon=list(due_soon),
        due_soon_total=due_soon_total,
        undetermined=list(
            session.exec(select(Task).where(*undetermined).order_by(Task.id).limit(LISTED))
        ),
        undetermined_total=session.exec(
            select(func.count()).select_from(Task).where(*undetermined)
        ).one(),
        unreminded=unreminded_leads(session),
        unreachable=unreachable,
        unreachable_total=unreachable_total,
    )


def agency_due_soon(session: Session, *, agency_id: int, today: date) -> list[Task]:
    """An agency's open tasks (any part) falling due in the next two weeks, nearest first."""
    statement = (
        select(Task)
        .join(TaskAgency, col(TaskAgency.task_id) == Task.id)
        .where(
            TaskAgency.agency_id == agency_id,
            col(TaskAgency.role).in_([AgencyRole.LEAD, AgencyRole.EXECUTOR]),
            *_open(),
            Task.due_date >= today,
            Task.due_date <= today + timedelta(days=SOON_DAYS),
        )
        .order_by(Task.due_date, Task.id)
        .limit(30)
    )
    return list(session.exec(statement).unique())


def duty_updates(session: Session, *, agency_id: int | None = None) -> list[Task]:
    """Standing duties ("Thường xuyên") with their latest reported progress, newest first."""
    statement = select(Task).where(
        Task.deadline_kind == "ongoing",
        col(Task.withdrawn_at).is_(None),
        col(Task.status_note).is_not(None) | (Task.status != TaskStatus.NOT_STARTED),
    )
    if agency_id is not None:
        statement = statement.join(TaskAgency, col(TaskAgency.task_id) == Task.id).where(
            TaskAgency.agency_id == agency_id, TaskAgency.role == AgencyRole.LEAD
        )
    return list(session.exec(statement.order_by(col(Task.updated_at).desc()).limit(LISTED)))
