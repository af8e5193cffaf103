"""A coordinator sends a plan file in chat: preview its tasks, import on confirmation."""

from __future__ import annotations

import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from core.i18n import _
from core.messages import Answer, Button, FileUpload
from db.imports import save_plan
from db.models import Contact, ContactRole, PendingImport, Plan
from db.scope import grant_plan, plan_in_scope, scope_of
from handlers.context import BotContext, Request
from handlers.imports import known_agency_test, load_plan, source_key, store_agency_names
from handlers.status import invalid_button, small_number
from plans.doubts import doubt_counts, doubt_summary, doubt_text, task_doubts
from plans.model import ExtractedPlan
from plans.review import write_review
from schedules.planning import plan_reminders

# Callback data: "imp:<pending import id>:ok|no|xlsx" (import, cancel, send the review workbook).
IMPORT_BUTTON_PREFIX = "imp"
PREVIEW_TASKS = 8


def may_import(contact: Contact) -> bool:
    """Only coordinators and admins bring plans in."""
    return contact.role in (ContactRole.COORDINATOR, ContactRole.ADMIN)


def _extract(filename: str, data: bytes) -> ExtractedPlan:
    """Run the same readers as `nhacviec import` on the bytes (raises UserError)."""
    safe_name = Path(filename).name
    if safe_name in ("", ".", ".."):
        safe_name = "ke-hoach.txt"
    with tempfile.TemporaryDirectory(prefix="nhacviec-upload-") as folder:
        path = Path(folder) / safe_name
        path.write_bytes(data)
        return load_plan(path)


def preview_upload(
    session: Session, *, contact: Contact, upload: FileUpload, context: BotContext
) -> Answer:
    """Read the file, keep it until confirmation, and show what would be imported."""
    if not may_import(contact):
        return Answer(
            text=_("Only coordinators can import plans. Please send the file to your coordinator.")
        )
    extracted = _extract(upload.filename, upload.data)
    now = context.clock()
    pending = PendingImport(
        contact_id=contact.id, filename=upload.filename, content=upload.data, created_at=now
    )
    session.add(pending)
    session.flush()
    is_known = known_agency_test(session)
    doubts = {task.ref: task_doubts(task, is_known=is_known) for task in extracted.tasks}
    unclear = [
        task.ref for task in extracted.tasks if task.deadline and not task.deadline.understood
    ]
    lines = [
        _("📄 {name}: {count} tasks found.").format(
            name=upload.filename, count=len(extracted.tasks)
        )
    ]
    for task in extracted.tasks[:PREVIEW_TASKS]:
        content = task.content if len(task.content) <= 80 else task.content[:77].rstrip() + "…"
        lines.append(
            _("{ref}. {content} — lead: {lead} — deadline: {deadline}").format(
                ref=task.ref,
                content=content,
                lead="; ".join(task.lead) or "—",
                deadline=task.deadline_text or "—",
            )
        )
        if doubts[task.ref]:
            lines.append("   ⚠ " + doubt_text(doubts[task.ref]))
    if len(extracted.tasks) > PREVIEW_TASKS:
        lines.append(_("… and {count} more.").format(count=len(extracted.tasks) - PREVIEW_TASKS))
    earlier = session.exec(
        select(Plan).where(Plan.source_key == source_key(Path(upload.filename)))
    ).first()
    if earlier is not None:
        lines.append(
            _("A plan of this name was imported on {day}: importing updates its tasks.").format(
                day=earlier.imported_at.astimezone(ZoneInfo(context.zone_name)).strftime("%d/%m/%Y")
            )
        )
    if unclear:
        lines.append(
            _("Deadlines to check (not understood): tasks {refs}").format(refs=", ".join(unclear))
        )
    summary = doubt_summary(doubt_counts(extracted.tasks, is_known=is_known))
    if summary:
        lines.append(summary)
    lines.append(
        _(
            "Import these tasks? To correct them first, download the review workbook, fix it "
            "in Excel and send it back."
        )
    )
    buttons = (
        Button(_("Import"), f"{IMPORT_BUTTON_PREFIX}:{pending.id}:ok"),
        Button(_("Download the review workbook"), f"{IMPORT_BUTTON_PREFIX}:{pending.id}:xlsx"),
        Button(_("Cancel"), f"{IMPORT_BUTTON_PREFIX}:{pending.id}:no"),
    )
    return Answer(text="\n".join(lines), buttons=buttons)


def review_upload(session: Session, *, contact: Contact, pending_id: int) -> Answer:
    """The review workbook of a previewed file; the preview stays open for "Import"."""
    pending = session.get(PendingImport, pending_id)
    if pending is None or pending.contact_id != contact.id or pending.closed_at is not None:
        return Answer(text=_("This preview is no longer open. Send the file again."))
    extracted = _extract(pending.filename, pending.content)
    # Named after the plan: a plan's identity is its file name without extension, so the
    # corrected workbook sent back updates the same tasks instead of adding a second plan.
    name = f"{Path(pending.filename).stem or 'ke-hoach'}.xlsx"
    with tempfile.TemporaryDirectory(prefix="nhacviec-review-") as folder:
        path = write_review(
            Path(folder) / "review.xlsx",
            extracted,
            agencies=store_agency_names(session),
            is_known=known_agency_test(session),
        )
        data = path.read_bytes()
    return Answer(
        text=_(
            "The review workbook of {name}: one row per task. Correct the cells in Excel (the "
            "“Cần kiểm tra” column says which rows to look at) and send the workbook back to "
            "import it."
        ).format(name=pending.filename),
        attachment=FileUpload(filename=name, data=data),
    )


def confirm_upload(
    session: Session, *, contact: Contact, pending_id: int, accept: bool, context: BotContext
) -> Answer:
    """Import (or drop) a previewed file; a second press of the same button changes nothing."""
    pending = session.get(PendingImport, pending_id)
    if pending is None or pending.contact_id != contact.id or pending.closed_at is not None:
        return Answer(text=_("This preview is no longer open. Send the file again."), edit=True)
    now = context.clock()
    pending.closed_at = now
    if not accept:
        return Answer(text=_("Cancelled: nothing was imported."), edit=True)
    extracted = _extract(pending.filename, pending.content)
    policy = context.policy_loader(session)
    existing = session.exec(
        select(Plan).where(Plan.source_key == source_key(Path(pending.filename)))
    ).first()
    scope = scope_of(session, contact)
    if existing is not None and not plan_in_scope(session, scope, existing.id):
        return Answer(
            text=_("A plan of this name is coordinated by someone else; it was not changed."),
            edit=True,
        )
    outcome = save_plan(
        session,
        extracted=extracted,
        source_key=source_key(Path(pending.filename)),
        source_name=pending.filename,
        today=policy.local_today(now),
    )
    if not scope.everything:
        grant_plan(session, contact=contact, plan_id=outcome.plan_id)  # they imported it
    plan_reminders(session, policy=policy, now=now, task_ids=outcome.task_ids)
    text = _(
        "✅ Imported {name}: {created} new, {updated} updated, {unchanged} unchanged tasks."
    ).format(
        name=pending.filename,
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
    )
    if outcome.withdrawn_refs:
        text += "\n" + _("No longer in the document (withdrawn): tasks {refs}").format(
            refs=", ".join(outcome.withdrawn_refs)
        )
    summary = doubt_summary(doubt_counts(extracted.tasks, is_known=known_agency_test(session)))
    if summary:
        text += "\n" + summary
    if outcome.unknown_agencies:
        text += "\n" + _("Unknown agencies (created, to check): {names}").format(
            names="; ".join(outcome.unknown_agencies)
        )
    return Answer(text=text, edit=True)


def upload_received(request: Request) -> list[Answer]:
    """A file sent in chat: preview it for a coordinator, refuse it for anyone else."""
    return [
        preview_upload(
            request.session,
            contact=request.contact,
            upload=request.incoming.upload,
            context=request.context,
        )
    ]


def import_button_pressed(request: Request, fields: list[str]) -> list[Answer]:
    """The preview's buttons ("imp:<pending import id>:ok|no|xlsx"); their data may be forged."""
    if len(fields) != 2 or fields[1] not in ("ok", "no", "xlsx"):
        return [invalid_button()]
    pending_id = small_number(fields[0])
    if pending_id is None:
        return [invalid_button()]
    if fields[1] == "xlsx":
        return [review_upload(request.session, contact=request.contact, pending_id=pending_id)]
    return [
        confirm_upload(
            request.session,
            contact=request.contact,
            pending_id=pending_id,
            accept=fields[1] == "ok",
            context=request.context,
        )
    ]
