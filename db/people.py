"""Who is subscribed, when they last acted, and the tasks a generic group leads.

Coordinators see the contacts of the agencies that lead tasks in their plans; the CLI sees
everyone. Generic groups ("Các sở, ban, ngành…") subscribe no one, so their tasks are listed
for a coordinator to assign to real agencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from db.models import Agency, AgencyRole, Contact, StatusUpdate, Task, TaskAgency
from db.scope import Scope, restrict


@dataclass(frozen=True)
class ContactLine:
    """A contact with their agency's name and their last recorded activity."""

    contact: Contact
    agency: str
    last_active: datetime | None


def _agencies_in_scope(scope: Scope):
    """A subquery of the agencies leading a task within the scope."""
    return restrict(
        select(TaskAgency.agency_id)
        .join(Task, col(Task.id) == TaskAgency.task_id)
        .where(TaskAgency.role == AgencyRole.LEAD),
        scope,
    )


def contact_lines(
    session: Session, *, scope: Scope, agency_id: int | None = None, limit: int = 200
) -> list[ContactLine]:
    """Contacts the scope may see (an admin or the CLI: all), newest activity first."""
    last = (
        select(StatusUpdate.contact_id, func.max(StatusUpdate.created_at).label("at"))
        .group_by(StatusUpdate.contact_id)
        .subquery()
    )
    statement = (
        select(Contact, Agency.name, last.c.at)
        .outerjoin(Agency, col(Agency.id) == Contact.agency_id)
        .outerjoin(last, last.c.contact_id == Contact.id)
    )
    if agency_id is not None:
        statement = statement.where(Contact.agency_id == agency_id)
    if not scope.everything:
        statement = statement.where(col(Contact.agency_id).in_(_agencies_in_scope(scope)))
    statement = statement.order_by(Agency.name, col(Contact.active).desc(), Contact.id).limit(limit)
    return [ContactLine(contact, name or "—", at) for contact, name, at in session.exec(statement)]


def contact_in_scope(session: Session, *, scope: Scope, contact_id: int) -> Contact | None:
    """The contact, if the scope may see (and manage) them."""
    contact = session.get(Contact, contact_id)
    if contact is None or scope.everything:
        return contact
    found = session.exec(
        select(TaskAgency.agency_id).where(
            col(TaskAgency.agency_id).in_(_agencies_in_scope(scope)),
            TaskAgency.agency_id == contact.agency_id,
        )
    ).first()
    return contact if found is not None else None


def generic_led_tasks(session: Session, *, scope: Scope, limit: int = 50) -> list[tuple[Task, str]]:
    """Open tasks whose only leads are generic groups, with the group's name as written."""
    real_lead = (
        select(TaskAgency.task_id)
        .join(Agency, col(Agency.id) == TaskAgency.agency_id)
        .where(TaskAgency.role == AgencyRole.LEAD, col(Agency.is_generic).is_(False))
    )
    statement = restrict(
        select(Task, TaskAgency.name_as_written)
        .join(TaskAgency, col(TaskAgency.task_id) == Task.id)
        .join(Agency, col(Agency.id) == TaskAgency.agency_id)
        .where(
            TaskAgency.role == AgencyRole.LEAD,
            col(Agency.is_generic).is_(True),
            col(Task.withdrawn_at).is_(None),
            col(Task.id).not_in(real_lead),
        ),
        scope,
    )
    rows = session.exec(statement.order_by(Task.plan_id, Task.position).limit(limit)).all()
    return [(task, written) for task, written in rows]


def assign_leads(
    session: Session, *, task: Task, agencies: list[Agency], by: Contact | None
) -> list[str]:
    """Make real agencies lead a task a generic group led; returns the names newly added.

    The assignment is kept (TaskAssignment) so that re-importing the plan, which relinks the
    task to the agencies its document names, does not undo it.
    """
    from db.models import TaskAssignment

    added = []
    for agency in agencies:
        if session.get(TaskAssignment, (task.id, agency.id)) is None:
            session.add(
                TaskAssignment(
                    task_id=task.id, agency_id=agency.id, contact_id=by.id if by else None
                )
            )
            added.append(agency.name)
    session.flush()
    reapply_assignments(session, task_ids=[task.id])
    return added


def reapply_assignments(session: Session, *, task_ids: list[int]) -> None:
    """Give every assigned agency its lead link back (after an import relinked the tasks)."""
    from db.models import TaskAssignment

    for start in range(0, len(task_ids), 500):
        chunk = task_ids[start : start + 500]
        assigned = session.exec(
            select(TaskAssignment.task_id, TaskAssignment.agency_id, Agency.name)
            .join(Agency, col(Agency.id) == TaskAssignment.agency_id)
            .where(col(TaskAssignment.task_id).in_(chunk))
        ).all()
        if not assigned:
            continue
        linked = set(
            session.exec(
                select(TaskAgency.task_id, TaskAgency.agency_id).where(
                    col(TaskAgency.task_id).in_(chunk), TaskAgency.role == AgencyRole.LEAD
                )
            ).all()
        )
        for task_id, agency_id, name in assigned:
            if (task_id, agency_id) not in linked:
                session.add(
                    TaskAgency(
                        task_id=task_id,
                        agency_id=agency_id,
                        role=AgencyRole.LEAD,
                        name_as_written=name,
                    )
                )
    session.flush()
