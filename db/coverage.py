"""Nobody left unreminded by accident: lead agencies of open tasks with no one subscribed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from db.models import FINISHED_STATUSES, Agency, AgencyRole, Contact, Task, TaskAgency


@dataclass(frozen=True)
class Unreminded:
    """Open tasks whose lead agencies have no active subscriber, per agency and overall."""

    agencies: list[tuple[str, int]]  # (agency name, open tasks it leads), most tasks first
    task_refs: list[str]  # tasks no lead officer at all will hear of

    def __bool__(self) -> bool:
        return bool(self.agencies or self.task_refs)


def unreminded_leads(session: Session, *, plan_id: int | None = None) -> Unreminded:
    """Which lead agencies nobody hears for, and which tasks therefore remind no one."""
    subscribed = exists().where(
        Contact.agency_id == TaskAgency.agency_id, col(Contact.active).is_(True)
    )
    open_task = [
        TaskAgency.role == AgencyRole.LEAD,
        col(Task.status).not_in(FINISHED_STATUSES),
        col(Task.withdrawn_at).is_(None),
    ]
    if plan_id is not None:
        open_task.append(Task.plan_id == plan_id)
    agencies = session.exec(
        select(Agency.name, func.count(func.distinct(Task.id)))
        .select_from(TaskAgency)
        .join(Task, col(Task.id) == TaskAgency.task_id)
        .join(Agency, col(Agency.id) == TaskAgency.agency_id)
        .where(*open_task, col(Agency.is_generic).is_(False), ~subscribed)
        .group_by(Agency.name)
        .order_by(func.count(func.distinct(Task.id)).desc(), Agency.name)
    ).all()
    # A lead that is a generic group ("các sở, ngành") or unsubscribed reaches no one.
    reached = (
        select(TaskAgency.task_id)
        .join(Agency, col(Agency.id) == TaskAgency.agency_id)
        .join(Contact, col(Contact.agency_id) == TaskAgency.agency_id)
        .where(
            TaskAgency.role == AgencyRole.LEAD,
            col(Agency.is_generic).is_(False),
            col(Contact.active).is_(True),
        )
    )
    conditions = [
        col(Task.status).not_in(FINISHED_STATUSES),
        col(Task.withdrawn_at).is_(None),
        col(Task.id).not_in(reached),
    ]
    if plan_id is not None:
        conditions.append(Task.plan_id == plan_id)
    refs = session.exec(
        select(Task.ref).where(*conditions).order_by(Task.plan_id, Task.position).limit(50)
    ).all()
    return Unreminded(agencies=[(name, count) for name, count in agencies], task_refs=list(refs))


def unsubscribed_names(session: Session, names: list[str]) -> list[str]:
    """Of the agency names a plan gives as leads, those nobody is subscribed for (a preview:
    the plan is not written yet, so names are looked up, one per distinct name)."""
    from db.agencies import find_agency

    found: dict[str, Agency | None] = {}
    for name in dict.fromkeys(names):
        found[name] = find_agency(session, name)
    ids = {agency.id for agency in found.values() if agency is not None and not agency.is_generic}
    subscribed = set()
    if ids:
        subscribed = set(
            session.exec(
                select(Contact.agency_id).where(
                    col(Contact.agency_id).in_(ids), col(Contact.active).is_(True)
                )
            )
        )
    return [
        name
        for name, agency in found.items()
        if agency is None or (not agency.is_generic and agency.id not in subscribed)
    ]
