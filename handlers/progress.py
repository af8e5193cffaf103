"""Progress in the official buckets: every agency for coordinators, their own for officers."""

from __future__ import annotations

from core.i18n import _
from core.messages import Answer
from db.digest import duty_updates
from db.models import Agency, ContactRole
from db.progress import progress_summary
from handlers.context import Request
from handlers.notices import render_duty_updates
from handlers.render import render_summary


def progress(request: Request) -> list[Answer]:
    """/tiendo: the six buckets, for the scope the contact may see."""
    session, contact, today = request.session, request.contact, request.today()
    if contact.role in (ContactRole.COORDINATOR, ContactRole.ADMIN):
        summary = progress_summary(session, today=today)
        duties = render_duty_updates(duty_updates(session))
        return [Answer(text=render_summary(summary, today=today) + duties)]
    agency = session.get(Agency, contact.agency_id)
    summary = progress_summary(session, today=today, agency_id=contact.agency_id)
    scope = _("Tasks led by {agency}").format(agency=agency.name if agency else "?")
    note = _("(Only coordinators see the summary of all agencies.)")
    duties = render_duty_updates(duty_updates(session, agency_id=contact.agency_id))
    return [Answer(text=render_summary(summary, today=today, scope=scope) + duties + "\n" + note)]
