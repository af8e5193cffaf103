"""Writing an extracted plan: one transaction for the plan, its tasks and their agencies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from functools import lru_cache

from sqlmodel import Session, col, delete, select

from core.clock import utcnow
from core.text import fold
from db.agencies import resolve_agency
from db.models import Agency, AgencyRole, Plan, Task, TaskAgency
from plans.model import ExtractedPlan, TaskDraft
from schedules.deadlines import Deadline

# Below this likeness (0..1, words of the folded text) a task under the same ref is another
# task: the plan was renumbered or rewritten, and the old status must not pass to new work.
SAME_TASK_UNDER_SAME_REF = 0.6
# A task that moved to another ref is recognised only when nearly identical.
SAME_TASK_UNDER_OTHER_REF = 0.8


@dataclass
class ImportOutcome:
    """What an import changed, for the summary shown to the person who ran it."""

    plan_id: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    task_ids: list[int] = field(default_factory=list)
    withdrawn_refs: list[str] = field(default_factory=list)
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
    """Create or update a plan; tasks are matched by ref and content, statuses are kept.

    Tasks the new version no longer has are withdrawn (their history stays); a task whose
    content changed beyond recognition under the same ref counts as a new task.
    """
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
    old_tasks = list(session.exec(select(Task).where(Task.plan_id == plan.id)))
    matches = _match_tasks(old_tasks, extracted.tasks)
    links = _links_by_task(session, [task.id for task in old_tasks])
    tasks: list[Task] = []
    for position, draft in enumerate(extracted.tasks):
        task = matches.get(position)
        if task is None:
            task = Task(plan_id=plan.id, ref=draft.ref, content=draft.content)
            session.add(task)
            outcome.created += 1
        elif task.withdrawn_at is None and _same_as_document(
            task, links.get(task.id, []), draft, position
        ):
            outcome.unchanged += 1
        else:
            outcome.updated += 1
        _fill_task(task, draft, position=position, today=today)
        tasks.append(task)
    session.flush()  # one round for every new task's id
    relinked = [task.id for task in matches.values()]  # withdrawn tasks keep their links
    if relinked:
        session.exec(delete(TaskAgency).where(col(TaskAgency.task_id).in_(relinked)))
    agencies: dict[str, Agency] = {}
    for task, draft in zip(tasks, extracted.tasks, strict=True):
        unknown = _link_agencies(session, task=task, draft=draft, agencies=agencies)
        outcome.unknown_agencies.extend(
            name for name in unknown if name not in outcome.unknown_agencies
        )
        task.flagged = bool(unknown) or not task.deadline_understood
        if task.flagged:
            outcome.flagged_refs.append(task.ref)
        outcome.task_ids.append(task.id)
    session.flush()
    from db.people import reapply_assignments

    # Agencies a coordinator assigned to a generic group's task stay its leads.
    reapply_assignments(session, task_ids=relinked)
    kept = {task.id for task in matches.values()}
    for task in old_tasks:
        if task.id not in kept and task.withdrawn_at is None:
            task.withdrawn_at = utcnow()
            outcome.withdrawn_refs.append(task.ref)
            outcome.task_ids.append(task.id)  # so that planning cancels its reminders
    return outcome


def _match_tasks(old_tasks: list[Task], drafts: list[TaskDraft]) -> dict[int, Task]:
    """Draft position -> the stored task it continues: same ref and alike, else nearly the same."""
    matches: dict[int, Task] = {}
    by_ref: dict[str, list[Task]] = {}
    # Live tasks first: a ref reused after a withdrawal continues the live one.
    for task in sorted(old_tasks, key=lambda task: task.withdrawn_at is not None):
        by_ref.setdefault(task.ref, []).append(task)
    taken: set[int] = set()
    for position, draft in enumerate(drafts):
        for task in by_ref.get(draft.ref, []):
            if (
                task.id not in taken
                and _likeness(task.content, draft.content) >= SAME_TASK_UNDER_SAME_REF
            ):
                matches[position] = task
                taken.add(task.id)
                break
    for position, draft in enumerate(drafts):
        if position in matches:
            continue
        scored = (
            (_likeness(task.content, draft.content), task)
            for task in old_tasks
            if task.id not in taken
        )
        score, best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
        if best is not None and score >= SAME_TASK_UNDER_OTHER_REF:
            matches[position] = best
            taken.add(best.id)
    return matches


def _likeness(first: str, second: str) -> float:
    # Word by word: Vietnamese syllables shared by unrelated tasks ("nghị quyết") would make
    # a letter-level comparison call them alike.
    return SequenceMatcher(None, _words(first), _words(second), autojunk=False).ratio()


@lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    # Cached: a renumbered plan compares every new task with every old one.
    return tuple(fold(text).split())


def _fill_task(task: Task, draft: TaskDraft, *, position: int, today: date) -> None:
    deadline_changed = task.deadline_text != draft.deadline_text or task.due_date is None
    task.ref = draft.ref
    task.position = position
    task.content = draft.content
    task.result = draft.result
    task.deadline_text = draft.deadline_text
    task.withdrawn_at = None
    # An unchanged recurring phrase keeps the cycle being worked on (it may be overdue).
    if draft.deadline is not None and (deadline_changed or task.deadline_kind != "recurring"):
        approved = task.due_date if task.original_due_date is not None else None
        apply_deadline(task, draft.deadline, today=today)
        if approved is not None and task.due_date == task.original_due_date:
            task.due_date = approved  # the document's date is unchanged: the extension stands
        elif approved is not None:
            task.original_due_date = None  # the plan itself moved the deadline
    task.updated_at = utcnow()


def _links_by_task(session: Session, task_ids: list[int]) -> dict[int, list[TaskAgency]]:
    """task id -> its agency links, in one query."""
    grouped: dict[int, list[TaskAgency]] = {}
    if task_ids:
        statement = select(TaskAgency).where(col(TaskAgency.task_id).in_(task_ids))
        for link in session.exec(statement):
            grouped.setdefault(link.task_id, []).append(link)
    return grouped


def _same_as_document(task: Task, links: list[TaskAgency], draft: TaskDraft, position: int) -> bool:
    written = {
        role: sorted(link.name_as_written for link in links if link.role == role)
        for role in AgencyRole
    }
    return (
        task.ref == draft.ref
        and task.position == position
        and task.content == draft.content
        and task.result == draft.result
        and task.deadline_text == draft.deadline_text
        and written[AgencyRole.LEAD] == sorted(draft.lead)
        and written[AgencyRole.COORDINATOR] == sorted(draft.coordinators)
        and written[AgencyRole.EXECUTOR] == sorted(draft.executors)
    )


def _link_agencies(
    session: Session, *, task: Task, draft: TaskDraft, agencies: dict[str, Agency]
) -> list[str]:
    """Add the task's agency links (the old ones are already gone); returns the names that
    created flagged agencies. `agencies` remembers names already resolved in this import."""
    unknown: list[str] = []
    seen: set[tuple[int, str]] = set()
    for role, names in (
        (AgencyRole.LEAD, draft.lead),
        (AgencyRole.COORDINATOR, draft.coordinators),
        (AgencyRole.EXECUTOR, draft.executors),
    ):
        for name in names:
            agency = agencies.get(name)
            if agency is None:
                agency = agencies[name] = resolve_agency(session, name)
            if agency.flagged:
                unknown.append(name)
            if (agency.id, role) in seen:
                continue
            seen.add((agency.id, role))
            session.add(
                TaskAgency(task_id=task.id, agency_id=agency.id, role=role, name_as_written=name)
            )
    return unknown
