"""The progress buckets coordinators report in, aggregated in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from db.models import AgencyRole, Task, TaskAgency, TaskStatus


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
    done = Task.status == TaskStatus.DONE
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
