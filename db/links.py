"""One person, several chats: link codes, linked chats, the preferred chat."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from core.errors import UserError
from core.i18n import _
from db.models import Contact, ContactChat, LinkCode

LINK_CODE_LIFETIME = timedelta(minutes=30)
# No 0/O or 1/I: the code is typed on a phone, read off another screen.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class ChatOfContact:
    """One chat a contact can be reached in; `home` is the chat that redeemed the invite."""

    contact_id: int
    channel: str
    chat_id: str
    home: bool
    preferred: bool
    unreachable: bool


def contact_for_chat(session: Session, *, channel: str, chat_id: str) -> Contact | None:
    """The contact a linked (not home) chat belongs to."""
    return session.exec(
        select(Contact)
        .join(ContactChat, col(ContactChat.contact_id) == Contact.id)
        .where(ContactChat.channel == channel, ContactChat.chat_id == chat_id)
    ).first()


def create_link_code(session: Session, *, contact: Contact, now: datetime) -> LinkCode:
    """A fresh one-time code; sent from another chat, it links that chat to `contact`."""
    code = LinkCode(
        code="".join(secrets.choice(_CODE_ALPHABET) for _ in range(6)),
        contact_id=contact.id,
        created_at=now,
        expires_at=now + LINK_CODE_LIFETIME,
    )
    session.add(code)
    session.flush()
    return code


def redeem_link_code(
    session: Session, *, code: str, channel: str, chat_id: str, now: datetime
) -> Contact:
    """Link this chat to the code's contact; the code then stops working."""
    link = session.get(LinkCode, code.strip().upper())
    if link is None or link.used_at is not None or link.expires_at < now:
        raise UserError(
            _("This link code is not valid or has expired. Send /lienket again in your first chat.")
        )
    contact = session.get(Contact, link.contact_id)
    if contact is None:
        raise UserError(
            _("This link code is not valid or has expired. Send /lienket again in your first chat.")
        )
    if contact.channel == channel:
        raise UserError(
            _("Link a chat on another channel (Zalo or Telegram), not a second one here.")
        )
    claimed = session.execute(
        update(LinkCode)
        .where(col(LinkCode.code) == link.code, col(LinkCode.used_at).is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise UserError(
            _("This link code is not valid or has expired. Send /lienket again in your first chat.")
        )
    # One linked chat per channel: a new one replaces the old.
    for old in session.exec(
        select(ContactChat).where(
            ContactChat.contact_id == contact.id, ContactChat.channel == channel
        )
    ):
        session.delete(old)
    session.flush()
    session.add(
        ContactChat(contact_id=contact.id, channel=channel, chat_id=chat_id, created_at=now)
    )
    session.flush()
    return contact


def prefer_chat(session: Session, *, contact: Contact, channel: str, chat_id: str) -> None:
    """Make this chat the one reminders go to first."""
    session.execute(
        update(ContactChat)
        .where(col(ContactChat.contact_id) == contact.id)
        .values(
            preferred=(col(ContactChat.channel) == channel) & (col(ContactChat.chat_id) == chat_id)
        )
        .execution_options(synchronize_session=False)
    )


def chats_of_contacts(
    session: Session, contact_ids: Sequence[int]
) -> dict[int, list[ChatOfContact]]:
    """Every chat of each contact, home first (two queries for the batch)."""
    ids = sorted(set(contact_ids))
    chats: dict[int, list[ChatOfContact]] = {contact_id: [] for contact_id in ids}
    if not ids:
        return chats
    for contact in session.exec(select(Contact).where(col(Contact.id).in_(ids))):
        chats[contact.id].append(
            ChatOfContact(
                contact.id,
                contact.channel,
                contact.chat_id,
                home=True,
                preferred=False,
                unreachable=contact.unreachable_at is not None,
            )
        )
    for linked in session.exec(
        select(ContactChat).where(col(ContactChat.contact_id).in_(ids)).order_by(ContactChat.id)
    ):
        chats[linked.contact_id].append(
            ChatOfContact(
                linked.contact_id,
                linked.channel,
                linked.chat_id,
                home=False,
                preferred=linked.preferred,
                unreachable=linked.unreachable_at is not None,
            )
        )
    return chats


def mark_chat_unreachable(
    session: Session, *, contact_id: int, channel: str, chat_id: str, now: datetime
) -> bool:
    """When the contact has another reachable chat, note that this one refused delivery and
    return True; otherwise change nothing and return False (the contact itself is unreachable,
    which the delivery loop records its own way)."""
    chats = chats_of_contacts(session, [contact_id]).get(contact_id, [])
    others = [
        chat
        for chat in chats
        if not chat.unreachable and (chat.channel, chat.chat_id) != (channel, chat_id)
    ]
    if not others:
        return False
    contact = session.get(Contact, contact_id)
    if contact.channel == channel and contact.chat_id == chat_id:
        contact.unreachable_at = contact.unreachable_at or now
    else:
        session.execute(
            update(ContactChat)
            .where(
                col(ContactChat.contact_id) == contact_id,
                col(ContactChat.channel) == channel,
                col(ContactChat.chat_id) == chat_id,
            )
            .values(unreachable_at=now)
            .execution_options(synchronize_session=False)
        )
    session.flush()
    return True


def restore_chat(session: Session, *, channel: str, chat_id: str) -> None:
    """A chat that refused delivery wrote again: reachable once more (a linked chat, or the
    home chat of a contact kept active by its other chat)."""
    session.execute(
        update(Contact)
        .where(
            col(Contact.channel) == channel,
            col(Contact.chat_id) == chat_id,
            col(Contact.active).is_(True),
            col(Contact.unreachable_at).is_not(None),
        )
        .values(unreachable_at=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(ContactChat)
        .where(
            col(ContactChat.channel) == channel,
            col(ContactChat.chat_id) == chat_id,
            col(ContactChat.unreachable_at).is_not(None),
        )
        .values(unreachable_at=None)
        .execution_options(synchronize_session=False)
    )


def reachable_on_no_channel(
    session: Session, *, agency_ids: Sequence[int] | None = None, limit: int | None = None
) -> tuple[list[Contact], int]:
    """Active contacts (of these agencies, or all) that no chat of theirs can reach, and how
    many there are in all: the coordinators' digest lists them."""
    linked_reachable = (
        select(ContactChat.id)
        .where(
            col(ContactChat.contact_id) == Contact.id,
            col(ContactChat.unreachable_at).is_(None),
        )
        .exists()
    )
    conditions = [Contact.active, col(Contact.unreachable_at).is_not(None), ~linked_reachable]
    if agency_ids is not None:
        conditions.append(col(Contact.agency_id).in_(list(agency_ids)))
    listed = select(Contact).where(*conditions).order_by(Contact.display_name, Contact.id)
    if limit is not None:
        listed = listed.limit(limit)
    total = session.exec(select(func.count()).select_from(Contact).where(*conditions)).one()
    return list(session.exec(listed)), total
