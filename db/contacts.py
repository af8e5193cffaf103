"""Contacts and invites: officers join an agency only through a coordinator's code."""

from __future__ import annotations

import difflib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.errors import UserError
from core.i18n import _
from core.text import fold
from db.agencies import find_agency, resolve_agency
from db.links import contact_for_chat
from db.models import Agency, Contact, ContactRole, Invite, Reminder, ReminderState

# No 0/O or 1/I: codes are read aloud over the phone and typed on small keyboards.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
INVITE_LIFETIME = timedelta(days=14)


def agency_for_invite(session: Session, name: str) -> Agency:
    """The agency an invite names; unknown names are refused with the closest suggestions."""
    from plans.agencies import canonical_agency

    agency = find_agency(session, name)
    if agency is None and canonical_agency(name) is not None:
        # A known agency that no imported plan has named yet: invite first, import later.
        agency = resolve_agency(session, name)
    if agency is not None and not agency.is_generic:
        return agency
    names = [
        row.name for row in session.exec(select(Agency).where(col(Agency.is_generic).is_(False)))
    ]
    folded = {fold(candidate): candidate for candidate in names}
    close = difflib.get_close_matches(fold(name), list(folded), n=3, cutoff=0.5)
    message = _("No agency is named “{name}”.").format(name=name)
    if close:
        message += " " + _("Did you mean: {names}?").format(
            names="; ".join(folded[item] for item in close)
        )
    raise UserError(message)


def create_invite(
    session: Session,
    *,
    agency: Agency,
    role: ContactRole,
    now: datetime,
    created_by: Contact | None = None,
    plan_id: int | None = None,
) -> Invite:
    """A fresh single-use invite code for one agency and role."""
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    invite = Invite(
        code=code,
        agency_id=agency.id,
        role=role,
        created_by_contact_id=created_by.id if created_by else None,
        created_at=now,
        expires_at=now + INVITE_LIFETIME,
        plan_id=plan_id,
    )
    session.add(invite)
    session.flush()
    return invite


def find_contact(session: Session, *, channel: str, chat_id: str) -> Contact | None:
    """The active contact behind a chat (its own or one linked to it), or None for a stranger."""
    contact = session.exec(
        select(Contact).where(Contact.channel == channel, Contact.chat_id == chat_id)
    ).first()
    if contact is None:
        contact = contact_for_chat(session, channel=channel, chat_id=chat_id)
    return contact if contact is not None and contact.active else None


def redeem_invite(
    session: Session,
    *,
    code: str,
    channel: str,
    chat_id: str,
    display_name: str,
    now: datetime,
) -> Contact:
    """Register a chat with the invite's agency and role; the code then stops working."""
    invite = session.exec(select(Invite).where(Invite.code == code.strip().upper())).first()
    if invite is None:
        raise UserError(_("This invite code is not valid. Ask your coordinator for a new one."))
    if invite.used_at is not None:
        raise UserError(
            _("This invite code has already been used. Ask your coordinator for a new one.")
        )
    if invite.expires_at < now:
        raise UserError(_("This invite code has expired. Ask your coordinator for a new one."))
    contact = session.exec(
        select(Contact).where(Contact.channel == channel, Contact.chat_id == chat_id)
    ).first()
    if contact is None:
        contact = Contact(channel=channel, chat_id=chat_id)
        session.add(contact)
    contact.display_name = display_name
    contact.agency_id = invite.agency_id
    contact.role = invite.role
    contact.active = True
    contact.unreachable_at = None
    # A coordinator invited for one plan coordinates that plan (and those they import);
    # without a plan, every plan, as the province's office does.
    contact.all_plans = invite.role == ContactRole.ADMIN or (
        invite.role == ContactRole.COORDINATOR and invite.plan_id is None
    )
    session.flush()
    if invite.role == ContactRole.COORDINATOR and invite.plan_id is not None:
        from db.scope import grant_plan

        grant_plan(session, contact=contact, plan_id=invite.plan_id)
    # Conditional update: of two chats redeeming the same code at once, only one wins.
    claimed = session.execute(
        update(Invite)
        .where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None))
        .values(used_at=now, used_by_contact_id=contact.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise UserError(
            _("This invite code has already been used. Ask your coordinator for a new one.")
        )
    session.refresh(invite)
    return contact


def restore_reachable(session: Session, *, channel: str, chat_id: str) -> int | None:
    """A person who had blocked the bot wrote again: reachable once more; returns the contact id.

    Only contacts made unreachable by the channel (Telegram 403) come back this way; one a
    coordinator removed stays removed. Reminders that failed on the block are cancelled, so
    the next planning brings back those still wanted.
    """
    restored = session.execute(
        update(Contact)
        .where(
            col(Contact.channel) == channel,
            col(Contact.chat_id) == chat_id,
            col(Contact.unreachable_at).is_not(None),
        )
        .values(active=True, unreachable_at=None)
        .returning(col(Contact.id))
        .execution_options(synchronize_session=False)
    )
    contact_id = restored.scalar_one_or_none()
    if contact_id is not None:
        session.execute(
            update(Reminder)
            .where(
                col(Reminder.contact_id) == contact_id,
                col(Reminder.state) == ReminderState.FAILED,
                col(Reminder.last_error).startswith("Unreachable"),
            )
            .values(state=ReminderState.CANCELLED)
            .execution_options(synchronize_session=False)
        )
    return contact_id


def chat_roles(session: Session, *, channel: str, roles: Iterable[str]) -> list[tuple[str, str]]:
    """(chat id, role) of the active contacts on a channel with one of `roles`."""
    rows = session.exec(
        select(Contact.chat_id, Contact.role).where(
            Contact.channel == channel,
            Contact.active,
            col(Contact.role).in_(list(roles)),
        )
    ).all()
    return [(chat_id, role) for chat_id, role in rows]
