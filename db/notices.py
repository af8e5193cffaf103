"""Notices: messages the bot sends on its own after someone acted, kept in a delivery ledger.

A handler never sends them itself: it writes a Notice row in its own transaction, and the
dispatch loop delivers it (at least once; at most once more per crash), like a reminder.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from core.messages import Answer, Button
from db.models import Contact, Notice, NoticeKind


def enqueue_notice(
    session: Session,
    *,
    contact: Contact,
    kind: NoticeKind,
    answer: Answer,
    now: datetime,
    task_id: int | None = None,
    status_update_id: int | None = None,
) -> Notice:
    """Queue a rendered message for one contact, due now."""
    notice = Notice(
        kind=kind,
        task_id=task_id,
        contact_id=contact.id,
        status_update_id=status_update_id,
        text=answer.text,
        buttons=[[button.label, button.data] for button in answer.buttons] or None,
        due_at=now,
        created_at=now,
    )
    session.add(notice)
    session.flush()
    return notice


def notice_answer(notice: Notice) -> Answer:
    """The message a notice row holds."""
    buttons = tuple(Button(label=label, data=data) for label, data in notice.buttons or ())
    return Answer(text=notice.text, buttons=buttons)
