"""What the dispatch loop needs to know about each kind of ledger row, in one place.

The loop stays kind-agnostic: it asks here whether claimed rows are still wanted, which rows
supersede which, until when a failed row is worth retrying, and which rows go as one message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_
from sqlmodel import Session, col, select

from db.models import (
    FINISHED_STATUSES,
    AgencyRole,
    Contact,
    ContactRole,
    Reminder,
    ReminderKind,
    Task,
    TaskAgency,
)
from schedules.planning import ReminderPolicy

# Kinds that announce one task's deadline to one person: they may go together as one message.
GROUPABLE = frozenset(
    {
        ReminderKind.REMINDER,
        ReminderKind.SNOOZE,
        ReminderKind.OVERDUE,
        ReminderKind.ESCALATION,
        ReminderKind.CHECKIN,
    }
)
# Rows of one family for the same task, contact and cycle supersede each other: after an
# outage only the newest goes out, and a snooze falling on a countdown day is not doubled.
_FAMILY = {ReminderKind.SNOOZE: ReminderKind.REMINDER}


@dataclass(frozen=True)
class Claimed:
    """A due ledger row with its task (None for digests) and its contact."""

    reminder: Reminder
    task: Task | None
    contact: Contact


def family(reminder: Reminder) -> tuple:
    """The key under which newer due rows supersede older ones."""
    kind = ReminderKind(reminder.kind or ReminderKind.REMINDER)
    return (
        reminder.task_id,
        reminder.contact_id,
        reminder.cycle,
        _FAMILY.get(kind, kind),
    )


def still_wanted(session: Session, items: Sequence[Claimed]) -> list[bool]:
    """For each claimed row: is the task still open and the person still concerned?

    One query for the whole batch (the batch is bounded, so is its id list).
    """
    pairs = {
        (item.task.id, item.contact.agency_id)
        for item in items
        if item.task is not None and item.contact.agency_id is not None
    }
    links: dict[tuple[int, int], set[str]] = {}
    if pairs:
        rows = session.exec(
            select(TaskAgency.task_id, TaskAgency.agency_id, TaskAgency.role).where(
                col(TaskAgency.task_id).in_({task_id for task_id, _ in pairs}),
                col(TaskAgency.agency_id).in_({agency_id for _, agency_id in pairs}),
            )
        )
        for task_id, agency_id, role in rows:
            links.setdefault((task_id, agency_id), set()).add(role)
    return [_wanted(item, links) for item in items]


def _wanted(item: Claimed, links: dict[tuple[int, int], set[str]]) -> bool:
    contact, task, kind = item.contact, item.task, item.reminder.kind
    if not contact.active:
        return False
    if kind in (ReminderKind.DIGEST, ReminderKind.WEEKLY_LIST):
        return True
    if task is None or task.status in FINISHED_STATUSES or task.withdrawn_at is not None:
        return False
    roles = links.get((task.id, contact.agency_id), set())
    if kind == ReminderKind.ESCALATION:
        return contact.role == ContactRole.COORDINATOR
    if kind in (ReminderKind.OVERDUE, ReminderKind.CHECKIN):
        return AgencyRole.LEAD in roles
    # A countdown goes to the part the row was planned for (rows planned before roles: lead).
    return (item.reminder.role or AgencyRole.LEAD) in roles


# How long after its planned moment a message of each kind is still worth sending.
_USEFUL_FOR = {
    ReminderKind.OVERDUE: timedelta(days=2),
    ReminderKind.ESCALATION: timedelta(days=3),
    ReminderKind.CHECKIN: timedelta(days=7),
    ReminderKind.DIGEST: timedelta(days=1),
    ReminderKind.WEEKLY_LIST: timedelta(days=1),
}


def give_up_moment(reminder: Reminder, policy: ReminderPolicy) -> datetime:
    """After this moment a row is of no use: it is neither sent nor retried."""
    useful = _USEFUL_FOR.get(reminder.kind)
    if useful is None:  # countdowns and snoozes: until the deadline they announce
        return policy.deadline_moment(reminder.cycle)
    return policy.next_sending_moment(reminder.due_at) + useful


def group_for_sending(items: Sequence[Claimed], threshold: int) -> list[list[Claimed]]:
    """Rows for one person at one moment go as one message when more than `threshold` are due."""
    groups: dict[tuple, list[Claimed]] = {}
    order: list[tuple] = []
    for item in items:
        reminder = item.reminder
        if reminder.kind in GROUPABLE:
            key = (reminder.contact_id, reminder.due_at)
        else:
            key = ("single", reminder.id)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(item)
    batches: list[list[Claimed]] = []
    for key in order:
        group = groups[key]
        if len(group) > threshold:
            batches.append(group)
        else:
            batches.extend([item] for item in group)
    return batches


# --- the same rules as SQL, for a loop that classifies claimed rows in one statement ---------


def family_sql(reminder):
    """`family`'s kind part as a SQL expression over a reminder table (or alias)."""
    return case(
        (reminder.c.kind == ReminderKind.SNOOZE, ReminderKind.REMINDER.value),
        else_=reminder.c.kind,
    )


def wanted_sql(reminder, task, contact, task_agency):
    """`still_wanted` as a SQL expression; `task` must be outer-joined (digests have none)."""

    def linked(*roles):
        return exists().where(
            task_agency.c.task_id == reminder.c.task_id,
            task_agency.c.agency_id == contact.c.agency_id,
            task_agency.c.role.in_(roles),
        )

    countdown_role = func.coalesce(reminder.c.role, AgencyRole.LEAD.value)
    open_task = and_(task.c.status.not_in(FINISHED_STATUSES), task.c.withdrawn_at.is_(None))
    return and_(
        contact.c.active.is_(True),
        or_(
            reminder.c.kind.in_([ReminderKind.DIGEST, ReminderKind.WEEKLY_LIST]),
            and_(
                reminder.c.task_id.is_not(None),
                open_task,
                or_(
                    and_(
                        reminder.c.kind == ReminderKind.ESCALATION,
                        contact.c.role == ContactRole.COORDINATOR,
                    ),
                    and_(
                        reminder.c.kind.in_([ReminderKind.OVERDUE, ReminderKind.CHECKIN]),
                        linked(AgencyRole.LEAD),
                    ),
                    and_(
                        reminder.c.kind.in_([ReminderKind.REMINDER, ReminderKind.SNOOZE]),
                        exists().where(
                            task_agency.c.task_id == reminder.c.task_id,
                            task_agency.c.agency_id == contact.c.agency_id,
                            task_agency.c.role == countdown_role,
                        ),
                    ),
                ),
            ),
        ),
    )
