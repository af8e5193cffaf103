"""What coordinators ask: /tiendo with its drill-down, /quahan, /choduyet, /lichsu.

Every list is computed in SQL within the asker's scope (db.scope) and shown a page at a time,
so no answer is cut off at Telegram's 4,096 characters. Buttons carry
"td:<view>:<key>:<plan id or 0>:<offset>", short and self-contained, and are checked again
when pressed: a forged agency or plan outside the scope shows nothing.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from core.i18n import _
from core.messages import Answer, Button
from core.text import fold
from db.digest import duty_updates
from db.models import Agency, Contact, ContactRole, Plan, StatusUpdate, Task, TaskStatus
from db.progress import (
    DUE_SOON_DAYS,
    Bucket,
    TaskView,
    agency_progress,
    last_words,
    lead_names,
    plans_in_scope,
    scoped_plans,
    scoped_summary,
    task_page,
)
from db.scope import Scope, plan_in_scope, scope_of
from handlers.context import Request
from handlers.notices import render_duty_updates
from handlers.render import bucket_label, format_day, render_summary, status_label, task_marker

DRILL_BUTTON_PREFIX = "td"
PAGE_SIZE = 15
TABLE_AGENCIES = 10  # agencies listed in /tiendo's table (the report has them all)
AGENCY_BUTTONS = 5
PLAN_BUTTONS = 4
_MAX_OFFSET = 10_000_000
# /lichsu stays one Telegram message (4,096 characters) with room for the heading.
HISTORY_CHARACTERS = 3800


def _drill(view: str, key: str, plan_id: int | None, offset: int, label: str) -> Button:
    return Button(label=label, data=f"{DRILL_BUTTON_PREFIX}:{view}:{key}:{plan_id or 0}:{offset}")


def _is_coordinating(contact: Contact) -> bool:
    return contact.role in (ContactRole.COORDINATOR, ContactRole.ADMIN)


def progress(request: Request) -> list[Answer]:
    """/tiendo [KẾ_HOẠCH]: buckets, then the agencies worst first, with buttons to open them."""
    session, contact = request.session, request.contact
    scope = scope_of(session, contact)
    plan_id = None
    if request.incoming.arguments:
        plan = find_plan(session, scope, request.incoming.arguments)
        if plan is None:
            return [Answer(text=_plan_not_found(session, scope, request.incoming.arguments))]
        plan_id = plan.id
    return [_overview(request, scope, plan_id)]


def find_plan(session, scope: Scope, words: str) -> Plan | None:
    """The plan in the scope named by its title, file name or number (a part of 3+ letters)."""
    wanted = fold(words)
    for plan in scoped_plans(session, scope=scope):
        title = plan.title or plan.source_name
        names = (fold(title), fold(plan.source_name), fold(plan.source_key), str(plan.id))
        if any(wanted == name or (len(wanted) >= 3 and wanted in name) for name in names):
            return plan
    return None


def _plan_not_found(session, scope: Scope, words: str) -> str:
    lines = [_("No plan you coordinate matches “{words}”. Your plans:").format(words=words)]
    lines += [f"• {title}" for _id, title in plans_in_scope(session, scope=scope)[:20]]
    return "\n".join(lines)


def _overview(request: Request, scope: Scope, plan_id: int | None) -> Answer:
    session, contact, today = request.session, request.contact, request.today()
    summary = scoped_summary(session, today=today, scope=scope, plan_id=plan_id)
    if not _is_coordinating(contact):
        agency = session.get(Agency, contact.agency_id)
        title = _("Tasks led by {agency}").format(agency=agency.name if agency else "?")
        note = _("(Only coordinators see the summary of all agencies.)")
        duties = render_duty_updates(duty_updates(session, agency_id=contact.agency_id))
        text = render_summary(summary, today=today, scope=title) + duties + "\n" + note
        return Answer(text=text, buttons=_bucket_buttons(summary, plan_id))
    scope_line = None
    if plan_id is not None:
        plan = session.get(Plan, plan_id)
        scope_line = _("Plan: {title}").format(title=plan.title or plan.source_name)
    lines = [render_summary(summary, today=today, scope=scope_line)]
    if scope.everything and plan_id is None:
        # Standing duties' latest answers to their check-ins (a plan-scoped view lists its
        # duties among its tasks instead).
        duties = render_duty_updates(duty_updates(session))
        if duties:
            lines.append(duties)
    agencies = agency_progress(session, today=today, scope=scope, plan_id=plan_id)
    if agencies:
        lines += ["", _("By lead agency (most behind first):")]
        for row in agencies[:TABLE_AGENCIES]:
            lines.append(
                _(
                    "• {name}: done {done}, overdue {overdue}, due within {days} days {soon}, "
                    "awaiting confirmation {awaiting}, extension requests {extensions}"
                ).format(
                    name=row.name,
                    done=row.done,
                    overdue=row.overdue,
                    days=DUE_SOON_DAYS,
                    soon=row.due_soon,
                    awaiting=row.awaiting,
                    extensions=row.extensions,
                )
            )
        if len(agencies) > TABLE_AGENCIES:
            lines.append(
                _("… and {count} more agencies: /baocao has them all.").format(
                    count=len(agencies) - TABLE_AGENCIES
                )
            )
    buttons = list(_bucket_buttons(summary, plan_id))
    for row in agencies[:AGENCY_BUTTONS]:
        if row.overdue or row.due_soon or row.awaiting or row.extensions:
            buttons.append(_drill(TaskView.AGENCY, str(row.agency_id), plan_id, 0, row.name))
    if plan_id is None:
        plans = plans_in_scope(session, scope=scope)
        if len(plans) > 1:
            for other_id, title in plans[:PLAN_BUTTONS]:
                label = _("Plan: {title}").format(title=title[:40])
                buttons.append(_drill("p", str(other_id), other_id, 0, label))
    return Answer(text="\n".join(lines), buttons=tuple(buttons))


def _bucket_buttons(summary, plan_id: int | None) -> tuple[Button, ...]:
    return tuple(
        _drill(
            TaskView.BUCKET,
            bucket.value,
            plan_id,
            0,
            f"{bucket_label(bucket)} ({summary.counts[bucket]})",
        )
        for bucket in Bucket
        if summary.counts[bucket]
    )


def overdue(request: Request) -> list[Answer]:
    """/quahan: overdue tasks with days overdue and the agency's last word."""
    scope = scope_of(request.session, request.contact)
    return [_task_list(request, scope, TaskView.OVERDUE, "", None, 0)]


def waiting(request: Request) -> list[Answer]:
    """/choduyet: everything waiting for the coordinator (completions and extensions)."""
    scope = scope_of(request.session, request.contact)
    return [_task_list(request, scope, TaskView.WAITING, "", None, 0)]


def drill_button_pressed(request: Request, fields: list[str]) -> list[Answer]:
    """A /tiendo button ("td:<view>:<key>:<plan>:<offset>"); forged values show nothing."""
    from handlers.status import invalid_button, small_number

    if len(fields) != 4:
        return [invalid_button()]
    view, key, plan_text, offset_text = fields
    plan_number, offset = small_number(plan_text), small_number(offset_text)
    if plan_number is None or offset is None or offset > _MAX_OFFSET:
        return [invalid_button()]
    session = request.session
    scope = scope_of(session, request.contact)
    plan_id = plan_number or None
    if plan_id is not None and not plan_in_scope(session, scope, plan_id):
        return [invalid_button()]
    if view == "p":
        if not _is_coordinating(request.contact):
            return [invalid_button()]
        return [_overview(request, scope, plan_id)]
    try:
        task_view = TaskView(view)
        if task_view == TaskView.BUCKET:
            Bucket(key)
        elif task_view == TaskView.AGENCY and small_number(key) is None:
            return [invalid_button()]
    except ValueError:
        return [invalid_button()]
    return [_task_list(request, scope, task_view, key, plan_id, offset)]


def _list_title(request: Request, view: TaskView, key: str) -> str:
    if view == TaskView.BUCKET:
        return _("Tasks: {bucket}").format(bucket=bucket_label(Bucket(key)))
    if view == TaskView.AGENCY:
        agency = request.session.get(Agency, int(key))
        return _("Tasks led by {agency}").format(agency=agency.name if agency else "?")
    if view == TaskView.OVERDUE:
        return _("🔴 Overdue tasks")
    return _("Waiting for your decision")


def _task_list(
    request: Request, scope: Scope, view: TaskView, key: str, plan_id: int | None, offset: int
) -> Answer:
    session, today = request.session, request.today()
    tasks, total = task_page(
        session,
        today=today,
        scope=scope,
        view=view,
        key=key,
        plan_id=plan_id,
        offset=offset,
        limit=PAGE_SIZE,
    )
    title = _list_title(request, view, key)
    if total == 0:
        empty = {
            TaskView.OVERDUE: _("No task is overdue."),
            TaskView.WAITING: _("Nothing is waiting for your decision."),
        }.get(view, _("No tasks here."))
        return Answer(text=f"{title}\n{empty}")
    first, last = offset + 1, offset + len(tasks)
    lines = [
        _("{title} ({first}–{last} of {total})").format(
            title=title, first=first, last=last, total=total
        )
    ]
    ids = [task.id for task in tasks]
    leads = lead_names(session, ids)
    words = last_words(session, ids) if view in (TaskView.OVERDUE, TaskView.WAITING) else {}
    buttons: list[Button] = []
    for task in tasks:
        lines.append(_task_line(task, today=today, lead=leads.get(task.id, "")))
        said = words.get(task.id)
        if said is not None:
            lines.append("   " + _last_word_line(*said))
        if view == TaskView.WAITING and said is not None and _is_coordinating(request.contact):
            buttons.extend(_decision_buttons(task, said[0]))
    if last < total:
        buttons.append(_drill(view, key, plan_id, offset + PAGE_SIZE, _("Next page ▶")))
    if offset > 0:
        buttons.append(_drill(view, key, plan_id, max(0, offset - PAGE_SIZE), _("◀ Previous page")))
    return Answer(text="\n".join(lines), buttons=tuple(buttons))


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _task_line(task: Task, *, today: date, lead: str) -> str:
    marker = task_marker(task, today)
    parts = [f"{marker}{task.ref}. {_short(task.content, 90)}"]
    if lead:
        parts.append(_short(lead, 60))
    if task.due_date is not None and task.deadline_kind not in ("ongoing", "undetermined"):
        due = _("due {day}").format(day=f"{task.due_date:%d/%m/%Y}")
        if task.original_due_date is not None:
            due += " " + _("(plan: {day})").format(day=f"{task.original_due_date:%d/%m/%Y}")
        if task.due_date < today and task.status not in (
            TaskStatus.DONE,
            TaskStatus.AWAITING_CONFIRMATION,
        ):
            due += " " + _("— {days} days overdue").format(days=(today - task.due_date).days)
        parts.append(due)
    status = status_label(task.status)
    if task.status == TaskStatus.IN_PROGRESS and task.progress is not None:
        status += f" {task.progress}%"
    if task.status == TaskStatus.EXTENSION_REQUESTED and task.requested_until:
        status += " " + _("until {day}").format(day=f"{task.requested_until:%d/%m/%Y}")
    parts.append(status)
    return "• " + " — ".join(parts)


def _last_word_line(update: StatusUpdate, name: str) -> str:
    when = f"{update.created_at:%d/%m}"
    return _("Last word ({when}, {name}): “{words}”").format(
        when=when, name=name or _("system"), words=_short(update.text, 120)
    )


def _decision_buttons(task: Task, update: StatusUpdate) -> list[Button]:
    from handlers.review_text import APPROVE, CONFIRM, review_button

    if task.status == TaskStatus.AWAITING_CONFIRMATION:
        return [review_button(CONFIRM, update.id, _("Confirm {ref}").format(ref=task.ref))]
    if task.status == TaskStatus.EXTENSION_REQUESTED and update.requested_until is not None:
        return [review_button(APPROVE, update.id, _("Approve {ref}").format(ref=task.ref))]
    return []


def history(request: Request) -> list[Answer]:
    """/lichsu REF: every change of a task: when, who, which chat, old → new, the words."""
    from sqlmodel import col, select

    from db.scope import restrict

    session, ref = request.session, request.incoming.arguments.strip()
    if not ref:
        return [Answer(text=_("Usage: /lichsu REF, e.g. /lichsu II.3"))]
    scope = scope_of(session, request.contact)
    statement = restrict(select(Task).where(Task.ref == ref), scope)
    tasks = list(session.exec(statement.order_by(col(Task.plan_id).desc()).limit(3)))
    if not tasks:
        return [Answer(text=_("No task {ref} that you may see.").format(ref=ref))]
    return [Answer(text=render_history(session, task, request.context.zone_name)) for task in tasks]


def render_history(session, task: Task, zone_name: str) -> str:
    """The record of one task, oldest change first (the last 30 when there are more)."""
    from zoneinfo import ZoneInfo

    from sqlmodel import col, select

    zone = ZoneInfo(zone_name)
    plan = session.get(Plan, task.plan_id)
    lines = [
        _("📜 Task {ref}: {content}").format(ref=task.ref, content=_short(task.content, 120)),
        _("Plan: {title}").format(title=plan.title or plan.source_name),
    ]
    if task.original_due_date is not None:
        lines.append(
            _("Deadline: {day} (extended; the plan said {original})").format(
                day=format_day(task.due_date), original=format_day(task.original_due_date)
            )
        )
    rows = session.exec(
        select(StatusUpdate, Contact.display_name)
        .outerjoin(Contact, col(Contact.id) == StatusUpdate.contact_id)
        .where(StatusUpdate.task_id == task.id)
        .order_by(col(StatusUpdate.id).desc())
        .limit(30)
    ).all()
    if not rows:
        lines.append(_("No change recorded yet."))
    changes: list[str] = []
    room = HISTORY_CHARACTERS - sum(len(line) + 1 for line in lines)
    for update, name in rows:  # newest first, so that the latest changes always fit
        when = update.created_at.astimezone(zone).strftime("%d/%m/%Y %H:%M")
        change = f"{status_label(update.old_status)} → {status_label(update.new_status)}"
        line = _("• {when} — {name} ({channel}): {change} — “{words}”").format(
            when=when,
            name=name or _("system"),
            channel=update.channel,
            change=change,
            words=_short(update.text, 200),
        )
        if len(line) + 1 > room:
            changes.append(_("… earlier changes are in the /baocao workbook."))
            break
        room -= len(line) + 1
        changes.append(line)
    return "\n".join(lines + changes[::-1])


def report(request: Request) -> list[Answer]:
    """/baocao [KẾ_HOẠCH]: the .xlsx report and the chart, within the asker's scope."""
    from core.messages import FileUpload
    from handlers.report_files import build_report

    session, today = request.session, request.today()
    scope = scope_of(session, request.contact)
    plan_id = None
    if request.incoming.arguments:
        plan = find_plan(session, scope, request.incoming.arguments)
        if plan is None:
            return [Answer(text=_plan_not_found(session, scope, request.incoming.arguments))]
        plan_id = plan.id
    zone = ZoneInfo(request.context.zone_name)
    files = build_report(session, today=today, scope=scope, plan_id=plan_id, zone=zone)
    stem = f"bao-cao-tien-do-{today:%Y-%m-%d}"
    text = _(
        "📎 Progress report as of {day}: the workbook has a summary, a task, an overdue and a "
        "history sheet."
    ).format(day=format_day(today))
    chart = _("📊 Tasks by lead agency, most behind first.")
    return [
        Answer(text=text, attachment=FileUpload(f"{stem}.xlsx", files.workbook)),
        Answer(text=chart, attachment=FileUpload(f"{stem}.png", files.chart)),
    ]


__all__ = [
    "drill_button_pressed",
    "history",
    "overdue",
    "progress",
    "report",
    "waiting",
]
