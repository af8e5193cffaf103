"""People joining: invite codes redeemed with /start, and the answer to strangers."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from core.i18n import _
from core.messages import Answer
from db.contacts import redeem_invite
from db.models import Agency, ContactRole
from db.tasks import open_tasks_for_agency
from handlers.context import Request
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
    return [Answer(text=text + "\n\n" + help_text(contact.role))]


# --- the coordinator's people: /canbo and /giaoviec ----------------------------------------

CONTACT_BUTTON_PREFIX = "cb"
LISTED_CONTACTS = 40
DEACTIVATE_BUTTONS = 10


def contacts(request: Request) -> list[Answer]:
    """/canbo [CƠ_QUAN]: the contacts of the agencies in the coordinator's plans."""
    from core.messages import Button
    from db.agencies import find_agency
    from db.people import contact_lines
    from db.scope import scope_of

    session, words = request.session, request.incoming.arguments
    scope = scope_of(session, request.contact)
    agency = None
    if words:
        agency = find_agency(session, words)
        if agency is None:
            return [Answer(text=_("No agency is named “{name}”.").format(name=words))]
    lines = contact_lines(
        session, scope=scope, agency_id=agency.id if agency else None, limit=LISTED_CONTACTS + 1
    )
    if not lines:
        return [Answer(text=_("No contacts here yet. Issue invites with nhacviec invite."))]
    zone = ZoneInfo(request.context.zone_name)
    text = [_("Contacts (last activity):")]
    for line in lines[:LISTED_CONTACTS]:
        person = line.contact
        when = (
            line.last_active.astimezone(zone).strftime("%d/%m/%Y")
            if line.last_active
            else _("no report yet")
        )
        state = "" if person.active else " " + _("(deactivated)")
        text.append(
            f"• {person.display_name or person.chat_id} — {line.agency} — "
            f"{role_name(person.role)} — {when}{state}"
        )
    if len(lines) > LISTED_CONTACTS:
        text.append(_("… and more: name an agency, e.g. /canbo Sở Nội vụ"))
    buttons = ()
    if agency is not None:
        buttons = tuple(
            Button(
                label=_("Deactivate {name}").format(name=line.contact.display_name or "?"),
                data=f"{CONTACT_BUTTON_PREFIX}:off:{line.contact.id}",
            )
            for line in lines[:DEACTIVATE_BUTTONS]
            if line.contact.active and line.contact.id != request.contact.id
        )
    return [Answer(text="\n".join(text), buttons=buttons)]


def role_name(role: str) -> str:
    """The Vietnamese name of a contact's role."""
    names = {
        ContactRole.OFFICER: _("officer"),
        ContactRole.COORDINATOR: _("coordinator"),
        ContactRole.ADMIN: _("admin"),
    }
    return names.get(role, role)


def contact_button_pressed(request: Request, fields: list[str]) -> list[Answer]:
    """ "cb:off:<contact id>": deactivate a contact the coordinator may see; data may be forged."""
    from db.people import contact_in_scope
    from db.scope import scope_of
    from handlers.status import invalid_button, small_number

    if len(fields) != 2 or fields[0] != "off" or small_number(fields[1]) is None:
        return [invalid_button()]
    session = request.session
    person = contact_in_scope(
        session, scope=scope_of(session, request.contact), contact_id=int(fields[1])
    )
    if person is None or person.id == request.contact.id:
        return [invalid_button()]
    person.active = False
    # Their pending reminders are withdrawn at the next claim (inactive contacts get none).
    return [
        Answer(
            text=_("{name} is deactivated and gets no more reminders.").format(
                name=person.display_name or person.chat_id
            )
        )
    ]


def assign(request: Request) -> list[Answer]:
    """/giaoviec [REF CƠ_QUAN; CƠ_QUAN…]: assign a generic group's task to real agencies."""
    from core.errors import UserError
    from db.contacts import agency_for_invite
    from db.people import assign_leads, generic_led_tasks
    from db.scope import scope_of

    session = request.session
    scope = scope_of(session, request.contact)
    waiting = generic_led_tasks(session, scope=scope)
    ref, _space, names = request.incoming.arguments.partition(" ")
    if not ref:
        if not waiting:
            return [Answer(text=_("No task is led only by a generic group."))]
        lines = [_("Tasks led only by a generic group (assign with /giaoviec REF AGENCY):")]
        lines += [f"• {task.ref}. {task.content[:90]} — {written}" for task, written in waiting]
        return [Answer(text="\n".join(lines))]
    matches = [task for task, _written in waiting if task.ref == ref]
    if not matches:
        return [Answer(text=_("No task {ref} led only by a generic group.").format(ref=ref))]
    wanted = [name.strip() for name in names.replace(",", ";").split(";") if name.strip()]
    if not wanted:
        raise UserError(
            _("Name the agencies, e.g. /giaoviec {ref} Sở Nội vụ; Sở Y tế").format(ref=ref)
        )
    agencies = [agency_for_invite(session, name) for name in wanted]
    task = matches[0]
    added = assign_leads(session, task=task, agencies=agencies, by=request.contact)
    plan_reminders(
        session,
        policy=request.context.policy_loader(session),
        now=request.now(),
        task_ids=[task.id],
    )
    return [
        Answer(
            text=_("Task {ref} is now led by {names}; their officers will be reminded.").format(
                ref=task.ref, names="; ".join(agency.name for agency in agencies)
            )
            if added
            else _("Task {ref} was already assigned to them.").format(ref=task.ref)
        )
    ]
