"""Writing an extracted plan: one transaction for the plan, its tasks and their agencies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, delete, select

from db.agencies import resolve_agency
from db.models import AgencyRole, Plan, Task, TaskAgency
from db.types import utcnow
from plans.model import ExtractedPlan, TaskDraft
from schedules.deadlines import Deadline


@dataclass
class ImportOutcome:
    """What an import changed, for the summary shown to the person who ran it."""

    plan_id: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    task_ids: list[int] = field(default_factory=list)
    flagged_refs: list[str] = field(default_factory=list)
    unknown_agencies: list[str] = field(default_factory=list)


def apply_deadline(task: Task, deadline: Deadline, *, today: date) -> None:
    """Copy a parsed deadline onto a task; recurring tasks get their current cycle's date."""
    task.deadline_kind = deadline.kind
    task.recurrence = deadline.recurrence
    task.milestones = ",".join(milestone.isoformat() for milestone in deadline.milestones)
    task.anchor = f"{deadline.anchor[0]:02d}/{deadline.anchor[1]:02d}" if deadline.anchor else None
    task.deadline_understood = deadline.understood
    task.due_date = deadline.due if deadline.kind == "fixed" else deadline.next_due(today)


def save_plan(
    session: Session,
    *,
    extracted: ExtractedPlan,
    source_key: str,
    source_name: str,
    today: date,
) -> ImportOutcome:
    """Create or update a plan and its tasks in place (matched by ref); statuses are kept."""
    plan = session.exec(select(Plan).where(Plan.source_key == source_key)).first()
    if plan is None:
        plan = Plan(source_key=source_key, source_name=source_name, title=extracted.title)
        session.add(plan)
        session.flush()
    else:
        plan.source_name = source_name
        plan.title = extracted.title or plan.title
        plan.updated_at = utcnow()
    outcome = ImportOutcome(plan_id=plan.id)
    existing = {
        task.ref: task for task in session.exec(select(Task).where(Task.plan_id == plan.id))
    }
    for position, draft in enumerate(extracted.tasks):
        task = existing.get(draft.ref)
        if task is None:
            task = Task(plan_id=plan.id, ref=draft.ref, content=draft.content)
            session.add(task)
            outcome.created += 1
        elif _same_as_document(task, draft, position):
            outcome.unchanged += 1
        else:
            outcome.updated += 1
        _fill_task(task, draft, position=position, today=today)
        session.flush()
        unknown = _link_agencies(session, task=task, draft=draft)
        outcome.unknown_agencies.extend(
            name for name in unknown if name not in outcome.unknown_agencies
        )
        task.flagged = bool(unknown) or not task.deadline_understood
        if task.flagged:
            outcome.flagged_refs.append(task.ref)
        outcome.task_ids.append(task.id)
    return outcome


def _fill_task(task: Task, draft: TaskDraft, *, position: int, today: date) -> None:
    task.position = position
    task.content = draft.content
    task.result = draft.result
    task.deadline_text = draft.deadline_text
    if draft.deadline is not None:
        apply_deadline(task, draft.deadline, today=today)
    task.updated_at = utcnow()


def _same_as_document(task: Task, draft: TaskDraft, position: int) -> bool:
    return (
        task.position == position
        and task.content == draft.content
        and task.result == draft.result
        and task.deadline_text == draft.deadline_text
    )


def _link_agencies(session: Session, *, task: Task, draft: TaskDraft) -> list[str]:
    """Replace the task's agency links; returns the names that created flagged agencies."""
    session.exec(delete(TaskAgency).where(TaskAgency.task_id == task.id))
    unknown: list[str] = []
    seen: set[tuple[int, str]] = set()
    for role, names in (
        (AgencyRole.LEAD, draft.lead),
        (AgencyRole.COORDINATOR, draft.coordinators),
        (AgencyRole.EXECUTOR, draft.executors),
    ):
        for name in names:
            agency = resolve_agency(session, name)
            if agency.flagged:
                unknown.append(name)
            if (agency.id, role) in seen:
                continue
            seen.add((agency.id, role))
            session.add(
                TaskAgency(task_id=task.id, agency_id=agency.id, role=role, name_as_written=name)
            )
    session.flush()
    return unknown
