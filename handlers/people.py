"""People joining: invite codes redeemed with /start, and the answer to strangers."""

from __future__ import annotations

from core.i18n import _
from core.messages import Answer
from db.contacts import redeem_invite
from db.coverage import unreminded_leads
from db.models import Agency, ContactRole
from db.tasks import open_tasks_for_agency
from handlers.context import Request
from handlers.notices import unreminded_lines
from schedules.planning import plan_reminders


def stranger_answer() -> Answer:
    """What a chat that is not registered gets, whatever it sends."""
    return Answer(
        text=_(
            "Sorry, this chat is not registered with nhacviec yet. Ask your agency's coordinator "
            "for an invite code, then send /start followed by the code (e.g. /start ABCD2345)."
        )
    )


def start(request: Request) -> list[Answer]:
    """/start CODE: register this chat with an invite; /start alone: help or how to join."""
    # The help text comes from the routing table, which imports this module.
    from handlers.routes import help_text

    session, incoming, context = request.session, request.incoming, request.context
    code = incoming.arguments
    if not code:
        if request.contact is None:
            return [stranger_answer()]
        return [Answer(text=help_text(request.contact.role))]
    contact = redeem_invite(
        session,
        code=code,
        channel=incoming.channel,
        chat_id=incoming.chat_id,
        display_name=incoming.sender_name,
        now=context.clock(),
    )
    # A new contact gets reminders for its agency's open tasks straight away.
    plan_reminders(
        session,
        policy=context.policy_loader(session),
        now=context.clock(),
        contact_ids=[contact.id],
    )
    agency = session.get(Agency, contact.agency_id)
    role = _("coordinator") if contact.role == ContactRole.COORDINATOR else _("officer")
    open_count = len(open_tasks_for_agency(session, agency_id=contact.agency_id))
    text = _(
        "Welcome! This chat is now registered as {role} of {agency}. "
        "Your agency leads {count} open tasks; you will get reminders before their deadlines."
    ).format(role=role, agency=agency.name if agency else "?", count=open_count)
    if contact.role in (ContactRole.COORDINATOR, ContactRole.ADMIN):
        # A coordinator learns at once which lead agencies still have nobody to remind.
        text += "\n".join(unreminded_lines(unreminded_leads(session)))
    return [Answer(text=text + "\n\n" + help_text(contact.role))]
