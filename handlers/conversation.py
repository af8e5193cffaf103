"""The conversation: every incoming message or button press becomes answers.

One function routes through the table in handlers/routes.py; the use cases live in their own
modules (status, progress, people, plan_upload) and never see a chat library.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from core.errors import UserError
from core.i18n import _
from core.messages import Answer, Incoming
from db.contacts import find_contact
from db.engine import session_scope
from db.links import restore_chat
from handlers import routes
from handlers.context import BotContext, Request
from handlers.people import stranger_answer
from handlers.plan_upload import upload_received
from handlers.review import open_prompt, prompt_answered
from handlers.status import invalid_button, status_reply

log = logging.getLogger(__name__)


def handle(incoming: Incoming, context: BotContext) -> list[Answer]:
    """Answer one incoming message; bad input becomes a Vietnamese message, never a crash."""
    # PostgreSQL text cannot hold NUL, and no person means one.
    incoming = replace(
        incoming,
        text=incoming.text.replace("\x00", ""),
        sender_name=incoming.sender_name.replace("\x00", ""),
    )
    try:
        with session_scope(context.engine) as session:
            restore_chat(session, channel=incoming.channel, chat_id=incoming.chat_id)
            contact = find_contact(session, channel=incoming.channel, chat_id=incoming.chat_id)
            return _route(Request(session, incoming, contact, context))
    except UserError as error:
        return [Answer(text=error.message)]


def _route(request: Request) -> list[Answer]:
    incoming, contact = request.incoming, request.contact
    role = contact.role if contact is not None else routes.STRANGER
    name = incoming.command
    if name is not None and incoming.button_data is None:
        command = routes.find_command(name)
        if command is None:
            if contact is None:
                return [stranger_answer()]
            return [Answer(text=_("Unknown command.") + "\n\n" + routes.help_text(role))]
        if role not in command.roles:
            return [_not_allowed(role)]
        return command.run(request)
    if contact is None:
        return [stranger_answer()]
    if incoming.button_data is not None:
        action, fields = routes.find_button(incoming.button_data)
        if action is None:
            return [invalid_button()]
        if role not in action.roles:
            # Forged or stale data: say no more than for any invalid button.
            log.warning("refused button %r for role %s", action.prefix, role)
            return [invalid_button()]
        return action.run(request, fields)
    if incoming.upload is not None:
        return upload_received(request)
    if role in routes.COORDINATORS:
        prompt = open_prompt(request.session, contact=contact, now=request.now())
        if prompt is not None:
            return prompt_answered(request, prompt)
    return status_reply(request)


def _not_allowed(role: str) -> Answer:
    if role == routes.STRANGER:
        return stranger_answer()
    return Answer(text=_("This is not available to you.") + "\n\n" + routes.help_text(role))


__all__ = ["handle"]
