"""Agency rows: names as documents write them resolved to one canonical agency."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from core.errors import UserError
from core.i18n import _
from core.text import nfc, squash_spaces
from db.models import Agency, AgencyAlias, AgencyRole, Contact, Invite, TaskAgency
from plans.agencies import agency_key, canonical_agency, is_generic_group


def find_agency(session: Session, name: str) -> Agency | None:
    """The agency a name denotes (canonical name, known spelling or alias)."""
    key = agency_key(name)
    agency = session.exec(select(Agency).where(Agency.folded_name == key)).first()
    if agency is not None:
        return agency
    alias = session.exec(select(AgencyAlias).where(AgencyAlias.folded_alias == key)).first()
    return session.get(Agency, alias.agency_id) if alias else None


def resolve_agency(session: Session, name: str) -> Agency:
    """The agency for a name, created when new: flagged unless the canonical table knows it."""
    name = squash_spaces(nfc(name))
    existing = find_agency(session, name)
    if existing is not None:
        return existing
    canonical = canonical_agency(name)
    generic = canonical is None and is_generic_group(name)
    agency = Agency(
        name=canonical or name,
        folded_name=agency_key(name),
        is_generic=generic,
        flagged=canonical is None and not generic,
    )
    session.add(agency)
    session.flush()
    return agency


def add_alias(session: Session, *, agency: Agency, alias: str) -> AgencyAlias:
    """Record another spelling of an agency; refused when it already names another one."""
    key = agency_key(alias)
    owner = find_agency(session, alias)
    if owner is not None and owner.id != agency.id:
        raise UserError(
            _("“{alias}” already names {agency}.").format(alias=alias, agency=owner.name)
        )
    existing = session.exec(select(AgencyAlias).where(AgencyAlias.folded_alias == key)).first()
    if existing is not None or key == agency.folded_name:
        return existing or AgencyAlias(agency_id=agency.id, alias=alias, folded_alias=key)
    row = AgencyAlias(agency_id=agency.id, alias=squash_spaces(nfc(alias)), folded_alias=key)
    session.add(row)
    session.flush()
    return row


def merge_agencies(session: Session, *, source: Agency, target: Agency) -> None:
    """Fold one agency into another: its tasks, contacts and invites move, its name becomes an alias."""
    if source.id == target.id:
        return
    for link in session.exec(select(TaskAgency).where(TaskAgency.agency_id == source.id)):
        duplicate = session.get(TaskAgency, (link.task_id, target.id, link.role))
        if duplicate is None:
            session.add(
                TaskAgency(
                    task_id=link.task_id,
                    agency_id=target.id,
                    role=link.role,
                    name_as_written=link.name_as_written,
                )
            )
        session.delete(link)
    session.flush()
    for model in (Contact, Invite):
        session.execute(
            update(model)
            .where(col(model.agency_id) == source.id)
            .values(agency_id=target.id)
            .execution_options(synchronize_session=False)
        )
    session.execute(
        update(AgencyAlias)
        .where(col(AgencyAlias.agency_id) == source.id)
        .values(agency_id=target.id)
        .execution_options(synchronize_session=False)
    )
    source_name, source_key = source.name, source.folded_name
    session.delete(source)
    session.flush()
    session.add(AgencyAlias(agency_id=target.id, alias=source_name, folded_alias=source_key))
    session.flush()


@dataclass(frozen=True)
class AgencyOverview:
    """One agency with what hangs on it, for `nhacviec agencies`."""

    agency: Agency
    aliases: list[str]
    lead_tasks: int
    contacts: int


def list_agencies(session: Session) -> list[AgencyOverview]:
    """Every agency, flagged ones first, with alias and usage counts."""
    aliases: dict[int, list[str]] = {}
    for alias in session.exec(select(AgencyAlias).order_by(AgencyAlias.alias)):
        aliases.setdefault(alias.agency_id, []).append(alias.alias)
    lead_counts = dict(
        session.exec(
            select(TaskAgency.agency_id, func.count())
            .where(TaskAgency.role == AgencyRole.LEAD)
            .group_by(TaskAgency.agency_id)
        ).all()
    )
    contact_counts = dict(
        session.exec(
            select(Contact.agency_id, func.count())
            .where(col(Contact.active).is_(True))
            .group_by(Contact.agency_id)
        ).all()
    )
    agencies = session.exec(select(Agency).order_by(col(Agency.flagged).desc(), Agency.name)).all()
    return [
        AgencyOverview(
            agency=agency,
            aliases=aliases.get(agency.id, []),
            lead_tasks=lead_counts.get(agency.id, 0),
            contacts=contact_counts.get(agency.id, 0),
        )
        for agency in agencies
    ]
