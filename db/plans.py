"""Plans as a coordinator manages them: task counts and per-role reminder offsets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from core.errors import UserError
from core.i18n import _
from core.text import fold
from db.models import Plan, Task, TaskStatus


@dataclass(frozen=True)
class PlanOverview:
    """One line of `nhacviec plans`."""

    id: int
    name: str
    title: str | None
    tasks: int
    open_tasks: int
    offsets: dict | None
    task_overrides: int


def plan_overviews(session: Session) -> list[PlanOverview]:
    """Every plan with its task counts (one aggregate query) and its offset overrides."""
    live = col(Task.withdrawn_at).is_(None)
    rows = session.exec(
        select(
            Plan.id,
            Plan.source_name,
            Plan.title,
            Plan.offsets,
            func.count(Task.id),
            func.sum(case((Task.status != TaskStatus.DONE, 1), else_=0)),
            func.sum(case((col(Task.offsets).is_not(None), 1), else_=0)),
        )
        .join(Task, (col(Task.plan_id) == Plan.id) & live, isouter=True)
        .group_by(Plan.id, Plan.source_name, Plan.title, Plan.offsets)
        .order_by(Plan.id)
    ).all()
    return [
        PlanOverview(
            id=plan_id,
            name=name,
            title=title,
            tasks=count,
            open_tasks=open_count or 0,
            offsets=offsets,
            task_overrides=overrides or 0,
        )
        for plan_id, name, title, offsets, count, open_count, overrides in rows
    ]


def find_plan(session: Session, key: str) -> Plan:
    """A plan by its number or its file name (with or without extension)."""
    if key.isdecimal():
        plan = session.get(Plan, int(key))
    else:
        keys = {fold(key), fold(PurePath(key).stem)}
        plan = session.exec(select(Plan).where(col(Plan.source_key).in_(keys))).first()
    if plan is None:
        raise UserError(_("No plan {key}: `nhacviec plans` lists them.").format(key=key))
    return plan


def set_offsets(
    session: Session, *, plan: Plan, changes: dict[str, str | None], ref: str | None = None
) -> tuple[list[int], dict | None]:
    """Override (text) or clear (None) a plan's or one task's offsets per role.

    Returns the ids of the tasks to re-plan and the overrides now in force.
    """
    if ref is None:
        target_ids = list(
            session.exec(
                select(Task.id).where(Task.plan_id == plan.id, col(Task.withdrawn_at).is_(None))
            )
        )
        plan.offsets = _merged(plan.offsets, changes)
        return target_ids, plan.offsets
    tasks = list(
        session.exec(
            select(Task).where(
                Task.plan_id == plan.id, Task.ref == ref, col(Task.withdrawn_at).is_(None)
            )
        )
    )
    if not tasks:
        raise UserError(_("The plan has no task {ref}.").format(ref=ref))
    for task in tasks:
        task.offsets = _merged(task.offsets, changes)
    # What is in force for the task: its own offsets over the plan's.
    return [task.id for task in tasks], {**(plan.offsets or {}), **(tasks[0].offsets or {})}


def _merged(current: dict | None, changes: dict[str, str | None]) -> dict | None:
    merged = dict(current or {})
    for role, value in changes.items():
        if value is None:
            merged.pop(role, None)
        else:
            merged[role] = value
    return merged or None
