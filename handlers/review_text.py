"""The words of coordinator notices and decisions, separate from what the handlers decide.

Each function renders one message a notice row will hold; the buttons carry
"rv:<action>:<status update id>", short and self-contained (the update names the task).
"""

from __future__ import annotations

from core.i18n import _
from core.messages import Answer, Button
from db.models import Task
from handlers.render import deadline_line, format_day

REVIEW_BUTTON_PREFIX = "rv"
CONFIRM, ASK_MORE, APPROVE, REFUSE, REPLY = "c", "m", "a", "r", "b"


def review_button(action: str, update_id: int, label: str) -> Button:
    """A coordinator's decision button about one reported status change."""
    return Button(label=label, data=f"{REVIEW_BUTTON_PREFIX}:{action}:{update_id}")


def _task_lines(task: Task, agency: str, reporter: str) -> list[str]:
    return [
        _("Task {ref}: {content}").format(ref=task.ref, content=task.content),
        _("Lead: {agency}").format(agency=agency),
        deadline_line(task),
        _("Reported by: {name}").format(name=reporter or "?"),
    ]


def confirm_request(
    task: Task, *, update_id: int, agency: str, reporter: str, words: str
) -> Answer:
    """To coordinators: an officer reported a task done."""
    lines = [_("📝 Awaiting confirmation: a task was reported done")]
    lines += _task_lines(task, agency, reporter)
    lines.append(_("Their words: “{words}”").format(words=words))
    buttons = (
        review_button(CONFIRM, update_id, _("Confirm completion")),
        review_button(ASK_MORE, update_id, _("Ask for more")),
    )
    return Answer(text="\n".join(lines), buttons=buttons)


def extension_request(
    task: Task, *, update_id: int, agency: str, reporter: str, words: str, until
) -> Answer:
    """To coordinators: an officer asked for more time."""
    lines = [_("📅 Extension requested until {day}").format(day=format_day(until))]
    lines += _task_lines(task, agency, reporter)
    lines.append(_("Their words: “{words}”").format(words=words))
    buttons = (
        review_button(APPROVE, update_id, _("Approve extension")),
        review_button(REFUSE, update_id, _("Refuse")),
    )
    return Answer(text="\n".join(lines), buttons=buttons)


def blocked_report(
    task: Task, *, update_id: int, agency: str, reporter: str, reason: str
) -> Answer:
    """To coordinators: an officer reported a blocker."""
    lines = [_("⚠️ A task is blocked")]
    lines += _task_lines(task, agency, reporter)
    lines.append(_("Reason: {reason}").format(reason=reason))
    buttons = (review_button(REPLY, update_id, _("Reply to the officer")),)
    return Answer(text="\n".join(lines), buttons=buttons)


def confirmed(task: Task, coordinator: str) -> Answer:
    """To the officer: the coordinator confirmed the completion."""
    return Answer(
        text=_("✅ {name} confirmed the completion of task {ref}.").format(
            name=coordinator, ref=task.ref
        )
    )


def more_asked(task: Task, coordinator: str, reason: str) -> Answer:
    """To the officer: the coordinator asks for more before confirming."""
    return Answer(
        text=_(
            "↩️ {name} asks for more on task {ref}: “{reason}”. The task is in progress again; "
            'reply "xong" when it is complete.'
        ).format(name=coordinator, ref=task.ref, reason=reason)
    )


def extension_approved(task: Task, coordinator: str) -> Answer:
    """To the officer: the extension was approved."""
    return Answer(
        text=_("📅 {name} approved the extension of task {ref}: the new deadline is {day}.").format(
            name=coordinator, ref=task.ref, day=format_day(task.due_date)
        )
    )


def extension_refused(task: Task, coordinator: str, reason: str) -> Answer:
    """To the officer: the extension was refused, with the reason."""
    return Answer(
        text=_(
            "❌ {name} did not approve the extension of task {ref}: “{reason}”. The deadline "
            "stays {day}."
        ).format(
            name=coordinator,
            ref=task.ref,
            reason=reason,
            day=format_day(task.due_date) if task.due_date else "—",
        )
    )


def coordinator_reply(task: Task, coordinator: str, words: str) -> Answer:
    """To the officer: the coordinator's answer to a blocker."""
    return Answer(
        text=_("💬 {name} about task {ref}: “{words}”").format(
            name=coordinator, ref=task.ref, words=words
        )
    )
