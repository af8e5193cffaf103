"""The coordinator's side of a report: confirm a completion, decide an extension, answer a blocker.

An officer's report queues one notice per coordinator of the task's plan (delivered by the
dispatch loop). The notice's buttons ("rv:<action>:<status update id>") come back from the
client and may be forged or stale: each press is checked against the presser's scope and the
task's current state before anything changes.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import Session, col, select

from core.i18n import _
from core.messages import Answer
from db.models import (
    Agency,
    AgencyRole,
    Contact,
    ContactRole,
    NoticeKind,
    Prompt,
    StatusUpdate,
    Task,
    TaskAgency,
    TaskStatus,
)
from db.notices import enqueue_notice
from db.scope import coordinators_of_task, may_see, scope_of
from db.tasks import record_status
from handlers import review_text
from handlers.context import Request
from handlers.render import format_day, status_label
from handlers.review_text import APPROVE, ASK_MORE, CONFIRM, REFUSE, REPLY
from schedules.planning import plan_reminders

log = logging.getLogger(__name__)

# A question the bot asked a coordinator stays open this long for their answer.
PROMPT_LIFETIME = timedelta(hours=24)
_EXPECTED_STATUS = {
    CONFIRM: TaskStatus.AWAITING_CONFIRMATION,
    ASK_MORE: TaskStatus.AWAITING_CONFIRMATION,
    APPROVE: TaskStatus.EXTENSION_REQUESTED,
    REFUSE: TaskStatus.EXTENSION_REQUESTED,
    REPLY: TaskStatus.BLOCKED,
}


def completion_status(request: Request, task: Task) -> TaskStatus:
    """What an officer's "done" becomes: awaiting confirmation when someone can confirm it."""
    contact = request.contact
    if not request.context.confirm_completion or contact.role != ContactRole.OFFICER:
        return TaskStatus.DONE
    agency = request.session.get(Agency, contact.agency_id) if contact.agency_id else None
    if agency is not None and agency.skips_confirmation:
        return TaskStatus.DONE  # the agency asked for its officers' word to be final
    if not coordinators_of_task(request.session, task):
        return TaskStatus.DONE  # nobody would ever confirm it
    return TaskStatus.AWAITING_CONFIRMATION


def report_received(request: Request, task: Task, update: StatusUpdate) -> None:
    """Tell the task's coordinators about a report they must act on (queued notices)."""
    session = request.session
    if request.contact.role != ContactRole.OFFICER:
        return
    status = update.new_status
    if status == TaskStatus.EXTENSION_REQUESTED and update.requested_until is None:
        return  # the officer is asked for the date first
    if status not in (
        TaskStatus.AWAITING_CONFIRMATION,
        TaskStatus.EXTENSION_REQUESTED,
        TaskStatus.BLOCKED,
    ):
        return
    agency = _lead_names(session, task)
    reporter = request.contact.display_name
    if status == TaskStatus.AWAITING_CONFIRMATION:
        kind = NoticeKind.CONFIRM_REQUEST
        answer = review_text.confirm_request(
            task, update_id=update.id, agency=agency, reporter=reporter, words=update.text
        )
    elif status == TaskStatus.EXTENSION_REQUESTED:
        kind = NoticeKind.EXTENSION_REQUEST
        answer = review_text.extension_request(
            task,
            update_id=update.id,
            agency=agency,
            reporter=reporter,
            words=update.text,
            until=update.requested_until,
        )
    else:
        kind = NoticeKind.BLOCKED
        answer = review_text.blocked_report(
            task,
            update_id=update.id,
            agency=agency,
            reporter=reporter,
            reason=update.note or update.text,
        )
    for coordinator in coordinators_of_task(session, task):
        enqueue_notice(
            session,
            contact=coordinator,
            kind=kind,
            answer=answer,
            now=request.now(),
            task_id=task.id,
            status_update_id=update.id,
        )


def _lead_names(session: Session, task: Task) -> str:
    names = session.exec(
        select(Agency.name)
        .join(TaskAgency, col(TaskAgency.agency_id) == Agency.id)
        .where(TaskAgency.task_id == task.id, TaskAgency.role == AgencyRole.LEAD)
        .order_by(Agency.name)
    ).all()
    return "; ".join(names) or "—"


def _latest_update_id(session: Session, task_id: int) -> int | None:
    return session.exec(
        select(StatusUpdate.id)
        .where(StatusUpdate.task_id == task_id)
        .order_by(col(StatusUpdate.id).desc())
        .limit(1)
    ).first()


def _locked_task(session: Session, update: StatusUpdate | None) -> Task | None:
    """The update's task, its row locked (PostgreSQL): of two coordinators deciding at once,
    the second sees the first one's decision and is told it was handled."""
    if update is None:
        return None
    return session.get(Task, update.task_id, with_for_update=True, populate_existing=True)


def _still_open(session: Session, task: Task, update: StatusUpdate, action: str) -> bool:
    """The report is the task's latest and the task still waits for this decision."""
    return (
        task.withdrawn_at is None
        and task.status == _EXPECTED_STATUS[action]
        and _latest_update_id(session, task.id) == update.id
    )


def review_button_pressed(request: Request, fields: list[str]) -> list[Answer]:
    """A coordinator's decision button ("rv:<action>:<update id>"); its data may be forged."""
    from handlers.status import invalid_button, small_number

    if len(fields) != 2 or fields[0] not in _EXPECTED_STATUS:
        return [invalid_button()]
    update_id = small_number(fields[1])
    session = request.session
    update = session.get(StatusUpdate, update_id) if update_id is not None else None
    task = _locked_task(session, update)
    if task is None or not may_see(session, scope_of(session, request.contact), task):
        log.warning("refused review button %r from contact %s", fields, request.contact.id)
        return [invalid_button()]
    action = fields[0]
    if not _still_open(session, task, update, action):
        return [_already_handled(task, action)]
    if action == CONFIRM:
        return [_confirm(request, task, update)]
    if action == APPROVE:
        return [_approve(request, task, update)]
    session.add(
        Prompt(
            contact_id=request.contact.id,
            action=action,
            status_update_id=update.id,
            created_at=request.now(),
        )
    )
    questions = {
        ASK_MORE: _("What should be added to task {ref}? Write the reason in one message."),
        REFUSE: _("Why is the extension of task {ref} refused? Write the reason in one message."),
        REPLY: _("Write your answer to the officer about task {ref} in one message."),
    }
    return [Answer(text=questions[action].format(ref=task.ref))]


def _already_handled(task: Task, action: str | None = None) -> Answer:
    if action and task.withdrawn_at is None and task.status == _EXPECTED_STATUS[action]:
        # Still waiting for this kind of decision, on a newer report ("xin gia hạn" twice).
        return Answer(
            text=_(
                "A newer request about task {ref} replaces this one: please decide on the "
                "latest message."
            ).format(ref=task.ref)
        )
    return Answer(
        text=_(
            "This request about task {ref} was already handled; the task is now {status}."
        ).format(ref=task.ref, status=status_label(task.status))
    )


def _reporter(session: Session, update: StatusUpdate) -> Contact | None:
    contact = session.get(Contact, update.contact_id) if update.contact_id else None
    return contact if contact is not None and contact.active else None


def _decide(
    request: Request,
    task: Task,
    *,
    status: TaskStatus,
    words: str,
    note: str | None = None,
    due_date=None,
) -> StatusUpdate:
    """Record a coordinator's decision (and an approved date), then re-plan the reminders."""
    incoming, context = request.incoming, request.context
    update = record_status(
        request.session,
        task=task,
        contact=request.contact,
        channel=incoming.channel,
        chat_id=incoming.chat_id,
        text=words,
        status=status,
        note=note,
        today=request.today(),
        now=request.now(),
    )
    if due_date is not None:
        # After recording: the status change may re-read the locked row.
        if task.original_due_date is None:
            task.original_due_date = task.due_date  # the plan's date stays on record
        task.due_date = due_date
        request.session.flush()
    plan_reminders(
        request.session,
        policy=context.policy_loader(request.session),
        now=context.clock(),
        task_ids=[task.id],
    )
    return update


def _tell_reporter(request: Request, update: StatusUpdate, task: Task, answer: Answer) -> None:
    reporter = _reporter(request.session, update)
    if reporter is not None:
        enqueue_notice(
            request.session,
            contact=reporter,
            kind=NoticeKind.DECISION,
            answer=answer,
            now=request.now(),
            task_id=task.id,
            status_update_id=update.id,
        )


def _confirm(request: Request, task: Task, update: StatusUpdate) -> Answer:
    name = request.contact.display_name
    _decide(request, task, status=TaskStatus.DONE, words=request.incoming.text or _("Confirmed"))
    _tell_reporter(request, update, task, review_text.confirmed(task, name))
    return Answer(
        text=_("✅ Confirmed: task {ref} is done ({day}).").format(
            ref=task.ref, day=format_day(task.completed_on)
        ),
        edit=True,
    )


def _approve(request: Request, task: Task, update: StatusUpdate) -> Answer:
    until = update.requested_until
    if until is None:
        return _already_handled(task)
    words = _("Extension approved until {day}").format(day=format_day(until))
    status = TaskStatus(update.old_status) if update.old_status in _RESUMABLE else None
    _decide(request, task, status=status or TaskStatus.IN_PROGRESS, words=words, due_date=until)
    _tell_reporter(
        request, update, task, review_text.extension_approved(task, request.contact.display_name)
    )
    return Answer(
        text=_("📅 Approved: task {ref} is now due {day}; the officer is told.").format(
            ref=task.ref, day=format_day(until)
        ),
        edit=True,
    )


_RESUMABLE = {TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS}


def open_prompt(session: Session, *, contact: Contact, now) -> Prompt | None:
    """The question this coordinator was last asked and has not answered, if still fresh."""
    prompt = session.exec(
        select(Prompt)
        .where(Prompt.contact_id == contact.id, col(Prompt.closed_at).is_(None))
        .order_by(col(Prompt.id).desc())
        .limit(1)
    ).first()
    if prompt is None or prompt.created_at < now - PROMPT_LIFETIME:
        return None
    return prompt


def prompt_answered(request: Request, prompt: Prompt) -> list[Answer]:
    """A coordinator's text answering the question of a button: the reason, or the reply."""
    from core.text import fold
    from handlers.status import UNDO_WORDS

    session, words = request.session, request.incoming.text.strip()
    prompt.closed_at = request.now()
    if fold(words).strip(" .!") in UNDO_WORDS:
        return [Answer(text=_("Cancelled: nothing was changed."))]
    update = session.get(StatusUpdate, prompt.status_update_id)
    task = _locked_task(session, update)
    if task is None or not may_see(session, scope_of(session, request.contact), task):
        return [Answer(text=_("This task no longer exists."))]
    if not _still_open(session, task, update, prompt.action):
        return [_already_handled(task, prompt.action)]
    name = request.contact.display_name
    if prompt.action == REPLY:
        _tell_reporter(request, update, task, review_text.coordinator_reply(task, name, words))
        return [Answer(text=_("💬 Sent to the officer of task {ref}.").format(ref=task.ref))]
    if prompt.action == ASK_MORE:
        _decide(request, task, status=TaskStatus.IN_PROGRESS, words=words, note=words)
        _tell_reporter(request, update, task, review_text.more_asked(task, name, words))
        return [
            Answer(
                text=_("↩️ Task {ref} is in progress again; the officer is told why.").format(
                    ref=task.ref
                )
            )
        ]
    previous = TaskStatus(update.old_status) if update.old_status in _RESUMABLE else None
    _decide(request, task, status=previous or TaskStatus.IN_PROGRESS, words=words, note=words)
    _tell_reporter(request, update, task, review_text.extension_refused(task, name, words))
    return [
        Answer(
            text=_("❌ Extension of task {ref} refused; the officer is told why.").format(
                ref=task.ref
            )
        )
    ]
