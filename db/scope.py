"""Who may see and act on which tasks: officers their agency's, coordinators their plans'.

A coordinator coordinates the plans they imported or were granted (PlanCoordinator), or every
plan when they belong to the province's office (Contact.all_plans); an admin sees everything.
Every query a coordinator's command runs goes through `restrict`, so the scope is one rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists
from sqlmodel import Session, col, select

from db.models import AgencyRole, Contact, ContactRole, PlanCoordinator, Task, TaskAgency


@dataclass(frozen=True)
class Scope:
    """The tasks one contact may see: every task, some plans, or one agency's lead tasks."""

    everything: bool = False
    coordinator_id: int | None = None  # a coordinator of granted plans only
    agency_id: int | None = None  # officers: the tasks their agency leads

    @property
    def is_coordinating(self) -> bool:
        """Whether this scope is a coordinator's or admin's (may confirm and approve)."""
        return self.agency_id is None


def scope_of(session: Session, contact: Contact) -> Scope:
    """The scope of a contact's role and grants."""
    if contact.role == ContactRole.ADMIN or (
        contact.role == ContactRole.COORDINATOR and contact.all_plans
    ):
        return Scope(everything=True)
    if contact.role == ContactRole.COORDINATOR:
        return Scope(coordinator_id=contact.id)
    return Scope(agency_id=contact.agency_id if contact.agency_id is not None else -1)


def restrict(statement, scope: Scope):
    """Add the scope's condition to a statement that selects from Task."""
    if scope.everything:
        return statement
    if scope.agency_id is not None:
        leads = exists().where(
            TaskAgency.task_id == Task.id,
            TaskAgency.agency_id == scope.agency_id,
            TaskAgency.role == AgencyRole.LEAD,
        )
        return statement.where(leads)
    return statement.where(col(Task.plan_id).in_(granted_plans(scope.coordinator_id)))


def granted_plans(contact_id: int | None):
    """A subquery of the plan ids granted to a coordinator."""
    return select(PlanCoordinator.plan_id).where(PlanCoordinator.contact_id == contact_id)


def may_see(session: Session, scope: Scope, task: Task) -> bool:
    """Whether a task lies within the scope."""
    if scope.everything:
        return True
    if scope.agency_id is not None:
        return (
            session.exec(
                select(TaskAgency.task_id).where(
                    TaskAgency.task_id == task.id,
                    TaskAgency.agency_id == scope.agency_id,
                    TaskAgency.role == AgencyRole.LEAD,
                )
            ).first()
            is not None
        )
    return session.get(PlanCoordinator, (task.plan_id, scope.coordinator_id)) is not None


def plan_in_scope(session: Session, scope: Scope, plan_id: int) -> bool:
    """Whether a coordinator may narrow to this plan (officers: never by plan)."""
    if scope.everything:
        from db.models import Plan

        return session.get(Plan, plan_id) is not None
    if scope.coordinator_id is None:
        return False
    return session.get(PlanCoordinator, (plan_id, scope.coordinator_id)) is not None


def grant_plan(session: Session, *, contact: Contact, plan_id: int) -> None:
    """Let a coordinator coordinate one more plan (idempotent)."""
    if session.get(PlanCoordinator, (plan_id, contact.id)) is None:
        session.add(PlanCoordinator(plan_id=plan_id, contact_id=contact.id))
        session.flush()


def coordinators_of_task(session: Session, task: Task) -> list[Contact]:
    """Active coordinators whose scope covers the task's plan: the people to notify."""
    granted = exists().where(
        PlanCoordinator.contact_id == Contact.id, PlanCoordinator.plan_id == task.plan_id
    )
    statement = (
        select(Contact)
        .where(
            Contact.role == ContactRole.COORDINATOR,
            col(Contact.active).is_(True),
            col(Contact.all_plans).is_(True) | granted,
        )
        .order_by(Contact.id)
    )
    return list(session.exec(statement))
