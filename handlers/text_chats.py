"""Chats without buttons or replies (Zalo, the console): numbered choices and a default task.

Every answer with buttons is shown with numbered lines and its buttons are remembered for the
chat; a bare number later presses the button it names. A status reply that names no task is
about the chat's latest reminder, as a reply would be on Telegram; a ref ("2.a xong") wins.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session

from core.i18n import _
from core.messages import Answer, Incoming
from db.contacts import find_contact
from db.text_chats import latest_reminded_task, offer_choices, offered_choice
from handlers.replies import parse_reply
from handlers.status import small_number


def read_text_message(session: Session, incoming: Incoming, *, now: datetime) -> Incoming:
    """The message as the shared handlers understand it: a number presses, a reply has a target."""
    if incoming.button_data is not None or incoming.upload is not None or incoming.command:
        return incoming
    number = small_number(incoming.text.strip())
    if number is not None:
        button = offered_choice(
            session, channel=incoming.channel, chat_id=incoming.chat_id, number=number, now=now
        )
        if button is not None:
            return replace(incoming, text=button.label, button_data=button.data)
        return incoming
    if incoming.reply_to_message_id is not None:
        return incoming
    if parse_reply(incoming.text, today=now.date()).task_ref is not None:
        return incoming  # the words name the task: they win over any reminder
    contact = find_contact(session, channel=incoming.channel, chat_id=incoming.chat_id)
    if contact is None:
        return incoming
    message_id = latest_reminded_task(
        session, contact_id=contact.id, channel=incoming.channel, home_channel=contact.channel
    )
    return replace(incoming, reply_to_message_id=message_id) if message_id else incoming


def numbered_text(session: Session, *, channel: str, chat_id: str, answer: Answer, now) -> str:
    """The answer's text with its buttons as numbered lines, the choices kept for the chat."""
    if not answer.buttons:
        return answer.text
    offer_choices(session, channel=channel, chat_id=chat_id, buttons=answer.buttons, now=now)
    lines = [answer.text, "", _("Reply with a number to choose:")]
    lines += [f"{number}. {button.label}" for number, button in enumerate(answer.buttons, 1)]
    return "\n".join(lines)
