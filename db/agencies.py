"""Agency rows: names as documents write them resolved to one canonical agency."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.text import fold, nfc, squash_spaces
from db.models import Agency, AgencyAlias


def find_agency(session: Session, name: str) -> Agency | None:
    """The agency a name denotes (canonical name or alias), matched insensitively."""
    folded = fold(name)
    agency = session.exec(select(Agency).where(Agency.folded_name == folded)).first()
    if agency is not None:
        return agency
    alias = session.exec(select(AgencyAlias).where(AgencyAlias.folded_alias == folded)).first()
    return session.get(Agency, alias.agency_id) if alias else None


def resolve_agency(session: Session, name: str) -> Agency:
    """The agency for a name, created when new: flagged unless the canonical table knows it."""
    from plans.agencies import canonical_agency, is_generic_group

    name = squash_spaces(nfc(name))
    existing = find_agency(session, name)
    if existing is not None:
        return existing
    canonical = canonical_agency(name)
    if canonical is not None:
        agency = find_agency(session, canonical)
        if agency is None:
            agency = Agency(name=canonical, folded_name=fold(canonical))
            session.add(agency)
            session.flush()
        if fold(canonical) != fold(name):
            add_alias(session, agency=agency, alias=name)
        return agency
    generic = is_generic_group(name)
    agency = Agency(name=name, folded_name=fold(name), is_generic=generic, flagged=not generic)
    session.add(agency)
    session.flush()
    return agency


def add_alias(session: Session, *, agency: Agency, alias: str) -> AgencyAlias:
    """Record another spelling of an agency (no-op when it already points there)."""
    folded = fold(alias)
    existing = session.exec(select(AgencyAlias).where(AgencyAlias.folded_alias == folded)).first()
    if existing is not None:
        return existing
    row = AgencyAlias(agency_id=agency.id, alias=squash_spaces(nfc(alias)), folded_alias=folded)
    session.add(row)
    session.flush()
    return row
