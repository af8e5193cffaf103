"""The `nhacviec` command. Heavy imports stay inside the commands: --help must be instant."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path

from core.i18n import _


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    _argparse_in_vietnamese()
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "command_function"):
        parser.print_help()
        return 0
    from core.clock import pin_clock_from_environment
    from core.errors import UserError

    try:
        pin_clock_from_environment()
        return args.command_function(args) or 0
    except UserError as error:
        print(_("Error: {message}").format(message=error.message), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `nhacviec import … --json | head`: the reader left; say nothing more.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0


def _argparse_in_vietnamese() -> None:
    """Make argparse speak Vietnamese ("cách dùng: …", "lỗi: …") through our catalog.

    argparse looks its words up through the module's `_` and `ngettext` at the moment it
    prints them; the catalog holds argparse's own English words as msgids."""
    from core.i18n import ngettext

    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


# An agency whose officers' "xong" is final, or again awaits a coordinator's confirmation.
CONFIRMATION_ACTIONS = {"skip-confirmation": True, "require-confirmation": False}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nhacviec",
        description=_("nhacviec: task reminders for agencies' plans over Telegram and Zalo."),
    )
    commands = parser.add_subparsers(title=_("commands"), metavar=_("COMMAND"))

    run = commands.add_parser(
        "run", help=_("start the service: receive messages, answer them, deliver reminders")
    )
    run.add_argument(
        "--demo",
        action="store_true",
        help=_("without TELEGRAM_BOT_TOKEN, run the console demo (never on a real database)"),
    )
    run.set_defaults(command_function=_run)

    worker = commands.add_parser(
        "worker", help=_("deliver reminders and re-plan only (several may share PostgreSQL)")
    )
    worker.set_defaults(command_function=_worker)

    health = commands.add_parser(
        "health", help=_("exit 0 when the database answers and reminders are being delivered")
    )
    health.set_defaults(command_function=_health)

    importing = commands.add_parser(
        "import", help=_("import plan documents and plan their reminders")
    )
    importing.add_argument("paths", nargs="+", type=Path, metavar=_("PATH"))
    importing.add_argument(
        "--dry-run", action="store_true", help=_("show the tasks found, write nothing")
    )
    importing.add_argument(
        "--json", action="store_true", help=_("print the tasks as JSON, write nothing")
    )
    importing.add_argument(
        "--review",
        type=Path,
        metavar="BANG.xlsx",
        help=_(
            "write the tasks found to a review workbook to correct in Excel, write nothing "
            "else; import the corrected workbook afterwards"
        ),
    )
    importing.set_defaults(command_function=_import)

    template = commands.add_parser(
        "template", help=_("write the empty review workbook, for a plan typed from scratch")
    )
    template.add_argument(
        "path", nargs="?", type=Path, default=Path("ke-hoach-mau.xlsx"), metavar="BANG.xlsx"
    )
    template.set_defaults(command_function=_template)

    invite = commands.add_parser(
        "invite", help=_("issue an invite code for an agency's officer or coordinator")
    )
    invite.add_argument("--agency", help=_("the agency's name or abbreviation"))
    invite.add_argument("--role", choices=["officer", "coordinator"], default="officer")
    invite.add_argument(
        "--plan", help=_("a coordinator for this plan only (its title or file name)")
    )
    invite.add_argument("--count", type=int, default=1, help=_("how many codes to issue"))
    invite.add_argument(
        "--from",
        dest="from_file",
        type=Path,
        help=_("a workbook of people (name, agency, role per row): codes are written back"),
    )
    invite.add_argument("--out", type=Path, help=_("where --from writes the codes"))
    invite.add_argument(
        "--channel",
        choices=["telegram", "zalo"],
        default=None,
        help=_("the messenger the person uses (default: Telegram when its token is set)"),
    )
    invite.set_defaults(command_function=_invite)

    contacts = commands.add_parser(
        "contacts", help=_("list contacts, deactivate one, or change their role")
    )
    contacts.add_argument(
        "action", nargs="?", choices=["list", "deactivate", "role"], default="list"
    )
    contacts.add_argument("contact_id", nargs="?", type=int, help=_("the contact's number"))
    contacts.add_argument("role", nargs="?", choices=["officer", "coordinator", "admin"])
    contacts.add_argument("--agency", help=_("only this agency's contacts"))
    contacts.set_defaults(command_function=_contacts)

    assign = commands.add_parser(
        "assign", help=_("assign a task led by a generic group to real agencies")
    )
    assign.add_argument("ref", nargs="?", help=_("the task's reference (none: list such tasks)"))
    assign.add_argument("--agency", action="append", default=[], help=_("an agency to lead it"))
    assign.add_argument("--plan", help=_("the plan, when several have this reference"))
    assign.set_defaults(command_function=_assign)

    agencies = commands.add_parser(
        "agencies", help=_("list agencies; add an alias or merge two agencies")
    )
    agencies.add_argument(
        "action",
        nargs="?",
        choices=["list", "alias", "merge", "confirm", *CONFIRMATION_ACTIONS],
        default="list",
    )
    agencies.add_argument("name", nargs="?", help=_("the alias, or the agency to merge or confirm"))
    agencies.add_argument("--into", help=_("the agency the alias or merged agency belongs to"))
    agencies.set_defaults(command_function=_agencies)

    plans = commands.add_parser(
        "plans", help=_("list plans with their task counts and reminder offsets; change offsets")
    )
    plans.add_argument("action", nargs="?", choices=["list", "offsets"], default="list")
    plans.add_argument("plan", nargs="?", help=_("the plan's number or file name"))
    plans.add_argument("--task", help=_("change one task's offsets instead of the plan's"))
    for role in ("lead", "support", "executor"):
        plans.add_argument(
            f"--{role}",
            metavar="OFFSETS",
            help=_("offsets such as 10d,3d,0d; 'none' turns the role off; 'default' clears"),
        )
    plans.set_defaults(command_function=_plans)

    progress = commands.add_parser("progress", help=_("the progress summary, as /tiendo shows it"))
    progress.set_defaults(command_function=_progress)

    report = commands.add_parser(
        "report", help=_("write the progress report (.xlsx) and its chart (.png), as /baocao sends")
    )
    report.add_argument("--plan", help=_("only this plan (its title or file name)"))
    report.add_argument("--out", type=Path, default=None, help=_("the workbook to write"))
    report.add_argument("--chart", type=Path, default=None, help=_("the chart image to write"))
    report.set_defaults(command_function=_report)

    parse = commands.add_parser(
        "parse", help=_("show how a deadline phrase or a reply is understood (JSON)")
    )
    parse.add_argument("kind", choices=["deadline", "reply"])
    parse.add_argument("text")
    parse.add_argument("--today", type=_day, default=None, help=_("DD/MM/YYYY or YYYY-MM-DD"))
    parse.set_defaults(command_function=_parse)

    calendar = commands.add_parser(
        "calendar", help=_("list or edit the province's extra days off and make-up days")
    )
    calendar.add_argument("action", choices=["list", "off", "work", "remove"])
    calendar.add_argument("day", nargs="?", type=_day, help=_("DD/MM/YYYY or YYYY-MM-DD"))
    calendar.add_argument("--note", default="")
    calendar.set_defaults(command_function=_calendar)

    migrate = commands.add_parser("migrate", help=_("bring the database schema up to date"))
    migrate.set_defaults(command_function=_migrate)
    return parser


def _day(text: str) -> date:
    """A day as an agency writes it (15/12/2026) or in ISO form (2026-12-15)."""
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), layout).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(
        _("“{text}” is not a date: write it as DD/MM/YYYY, e.g. 16/02/2026.").format(text=text)
    )


def _settings():
    from pydantic import ValidationError

    from bot.settings import Settings
    from core.errors import UserError

    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in error.errors()
        )
        raise UserError(_("Invalid configuration: {problems}").format(problems=problems)) from error


def _engine(settings):
    from db.engine import make_engine, migrate

    engine = make_engine(settings.database_url)
    migrate(engine)
    return engine


def _today(settings) -> date:
    from core.clock import utcnow

    return utcnow().astimezone(settings.zone).date()


def _run(args) -> int:
    return _serve(mode="run", demo=args.demo)


def _worker(args) -> int:
    return _serve(mode="worker", demo=False)


def _health(args) -> int:
    from bot.service import check_health

    problem = check_health(_settings())
    if problem:
        print(problem, file=sys.stderr)
        return 1
    print(_("Healthy."))
    return 0


def _serve(*, mode: str, demo: bool) -> int:
    import asyncio

    from bot.logs import configure_logging
    from bot.service import serve

    settings = _settings()
    if not settings.telegram_bot_token and demo:
        # The console demo shows reminders at once, whatever the hour, unless told otherwise,
        # and keeps the screen for the conversation: warnings only.
        demo_defaults = {
            "send_window": "00:00-24:00",
            "working_days": "all",
            "tick_seconds": 2.0,
            "log_level": "WARNING",
        }
        settings = settings.model_copy(
            update={
                key: value
                for key, value in demo_defaults.items()
                if key not in settings.model_fields_set
            }
        )
    # The bot token keys the chat hashes: a secret all workers of a deployment share.
    configure_logging(settings.log_level, key=settings.telegram_bot_token or "")
    asyncio.run(serve(settings, mode=mode, demo=demo))
    return 0


def _import(args) -> int:
    from core.errors import UserError
    from handlers.imports import load_plan

    if args.review is not None and len(args.paths) > 1:
        raise UserError(_("--review takes one plan file at a time."))
    extracted = []
    failures: list[tuple[Path, str]] = []
    for path in _with_progress(args.paths):
        try:
            extracted.append((path, load_plan(path)))
        except UserError as error:
            failures.append((path, error.message))
    if failures:
        _report_failures(failures, [path for path, _plan in extracted])
        return 1
    if args.review is not None:
        return _write_review(args.review, extracted[0][1])
    if args.json:
        objects = [plan.as_dict() for _path, plan in extracted]
        payload = objects[0] if len(objects) == 1 else objects
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if args.dry_run:
        for path, plan in extracted:
            _print_preview(path, plan)
        return 0
    from functools import partial

    from core.clock import utcnow
    from db.coverage import unreminded_leads
    from db.engine import session_scope
    from handlers.imports import doubts_in_store, import_plan
    from handlers.notices import unreminded_lines
    from plans.doubts import doubt_summary
    from schedules.planning import load_policy

    settings = _settings()
    engine = _engine(settings)
    for path, plan in extracted:
        outcome = import_plan(
            engine,
            path=path,
            policy_loader=partial(load_policy, settings=settings),
            now=utcnow(),
            extracted=plan,
        )
        print(
            _(
                "{name}: {total} tasks ({created} new, {updated} updated, {unchanged} unchanged)."
            ).format(
                name=path.name,
                total=len(outcome.task_ids),
                created=outcome.created,
                updated=outcome.updated,
                unchanged=outcome.unchanged,
            )
        )
        if outcome.withdrawn_refs:
            print(
                _("  No longer in the document (withdrawn): tasks {refs}").format(
                    refs=", ".join(outcome.withdrawn_refs)
                )
            )
        if outcome.flagged_refs:
            print(_("  To check: tasks {refs}").format(refs=", ".join(outcome.flagged_refs)))
        summary = doubt_summary(doubts_in_store(engine, plan))
        if summary:
            print(f"  {summary}")
        if outcome.unknown_agencies:
            print(
                _("  Unknown agencies (created, flagged): {names}").format(
                    names="; ".join(outcome.unknown_agencies)
                )
            )
        with session_scope(engine) as session:
            unreminded = unreminded_leads(session, plan_id=outcome.plan_id)
        for line in unreminded_lines(unreminded):
            if line:
                print(f"  {line}")
    return 0


def _report_failures(failures: list[tuple[Path, str]], good: list[Path]) -> None:
    """Each bad file with its reason; the good ones as not imported, because of the bad ones."""
    for path, message in failures:
        print(_("Error: {message}").format(message=f"{path}: {message}"), file=sys.stderr)
    if good:
        bad_names = ", ".join(path.name for path, _message in failures)
        for path in good:
            print(
                _(
                    "{name}: not imported, because {bad} could not be read (nothing was written)."
                ).format(name=path.name, bad=bad_names),
                file=sys.stderr,
            )


def _write_review(target: Path, plan) -> int:
    from core.errors import UserError
    from handlers.imports import source_key
    from plans.doubts import doubt_counts, doubt_summary
    from plans.review import write_review

    if target.suffix.lower() != ".xlsx":
        raise UserError(_("The review workbook must be an .xlsx file: {path}").format(path=target))
    try:
        write_review(target, plan)
    except OSError as error:
        raise UserError(
            _("Cannot write {path}: {reason}").format(path=target, reason=error.strerror)
        ) from error
    print(
        _(
            "{count} tasks written to {path}: correct them in Excel, then run: nhacviec import {path}"
        ).format(count=len(plan.tasks), path=target)
    )
    summary = doubt_summary(doubt_counts(plan.tasks))
    if summary:
        print(summary)
    if source_key(target) != source_key(Path(plan.source)):
        # A plan is known by its file name: under another name the workbook is another plan.
        print(
            _(
                "Imported under this name it is a plan of its own; to update the tasks of "
                "{name} instead, name the workbook {stem}.xlsx."
            ).format(name=plan.source, stem=Path(plan.source).stem)
        )
    return 0


def _template(args) -> int:
    from core.errors import UserError
    from plans.review import write_review

    if args.path.suffix.lower() != ".xlsx":
        raise UserError(
            _("The review workbook must be an .xlsx file: {path}").format(path=args.path)
        )
    try:
        write_review(args.path, None)
    except OSError as error:
        raise UserError(
            _("Cannot write {path}: {reason}").format(path=args.path, reason=error.strerror)
        ) from error
    print(
        _(
            "Empty plan workbook written to {path}: one row per task, then: nhacviec import {path}"
        ).format(path=args.path)
    )
    return 0


def _with_progress(paths: list[Path]):
    """Yield the paths, with a progress bar on stderr when there are many (stdout stays JSON)."""
    if len(paths) < 4:
        yield from paths
        return
    from rich.console import Console
    from rich.progress import track

    yield from track(
        paths, description=_("Reading plans…"), console=Console(stderr=True), transient=True
    )


def _console():
    """A rich console; piped output gets wide lines instead of names wrapped mid-word."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=200)


def _print_preview(path: Path, plan) -> None:
    from rich.table import Table

    heading = _("{name}: {count} tasks").format(name=path.name, count=len(plan.tasks))
    table = Table(
        title=f"{heading}\n{plan.title}" if plan.title else heading,
        show_lines=True,
    )
    from plans.doubts import doubt_counts, doubt_summary, doubt_text, task_doubts

    for header in (_("Ref"), _("Task"), _("Lead"), _("Deadline"), _("Due"), _("To check")):
        table.add_column(header)
    unknown = 0
    for task in plan.tasks:
        deadline = task.deadline
        if deadline is not None and not deadline.understood:
            unknown += 1
        due = (
            deadline.due.strftime("%d/%m/%Y")
            if deadline and deadline.due
            else (_deadline_kind_label(deadline.kind) if deadline else "")
        )
        table.add_row(
            task.ref,
            task.content[:120],
            "; ".join(task.lead),
            task.deadline_text,
            due,
            doubt_text(task_doubts(task)),
        )
    console = _console()
    console.print(table)
    console.print(
        _("Tasks found: {count}; unreadable deadline phrases: {unknown}.").format(
            count=len(plan.tasks), unknown=unknown
        )
    )
    summary = doubt_summary(doubt_counts(plan.tasks))
    if summary:
        console.print(summary)


def _deadline_kind_label(kind: str) -> str:
    """A deadline without a date, named in Vietnamese for the preview's "due" column."""
    labels = {
        "ongoing": _("ongoing"),
        "recurring": _("recurring"),
        "undetermined": _("not determined"),
    }
    return labels.get(kind, kind)


def _plans(args) -> int:
    from core.clock import utcnow
    from core.errors import UserError
    from db.engine import session_scope
    from db.plans import find_plan, plan_overviews, set_offsets
    from schedules.calendar import parse_role_offsets
    from schedules.planning import load_policy, plan_reminders

    settings = _settings()
    engine = _engine(settings)
    if args.action == "offsets":
        if not args.plan:
            raise UserError(_("Name the plan: nhacviec plans offsets PLAN --lead 10d,3d,0d"))
        changes: dict[str, str | None] = {}
        for role in ("lead", "support", "executor"):
            value = getattr(args, role)
            if value is None:
                continue
            if value.strip().lower() == "default":
                changes[role] = None
                continue
            try:
                offsets = parse_role_offsets(value)
            except ValueError as error:
                raise UserError(str(error)) from error
            changes[role] = ",".join(offset.label for offset in offsets)
        if not changes:
            raise UserError(_("Give at least one of --lead, --support, --executor."))
        with session_scope(engine) as session:
            plan = find_plan(session, args.plan)
            task_ids, in_force = set_offsets(session, plan=plan, changes=changes, ref=args.task)
            outcome = plan_reminders(
                session, policy=load_policy(session, settings), now=utcnow(), task_ids=task_ids
            )
        print(
            _(
                "Offsets now: {offsets}. Reminders re-planned: {created} added, {cancelled} withdrawn."
            ).format(
                offsets=_offsets_text(in_force, settings),
                created=outcome.created,
                cancelled=outcome.cancelled,
            )
        )
        return 0
    with session_scope(engine) as session:
        overviews = plan_overviews(session)
    if not overviews:
        print(_("No plans yet: import one with `nhacviec import FILE`."))
        return 0
    for overview in overviews:
        line = _("#{id} {name}: {tasks} tasks ({open} open); offsets: {offsets}").format(
            id=overview.id,
            name=overview.name,
            tasks=overview.tasks,
            open=overview.open_tasks,
            offsets=_offsets_text(overview.offsets, settings),
        )
        if overview.task_overrides:
            line += " " + _("({count} tasks with their own)").format(count=overview.task_overrides)
        print(line)
    return 0


def _offsets_text(overrides: dict | None, settings) -> str:
    """Each role's offsets in force, the plan's own marked with *."""
    defaults = {
        "lead": settings.reminder_offsets,
        "support": settings.support_offsets,
        "executor": settings.executor_offsets,
    }
    names = {"lead": _("lead"), "support": _("coordinating"), "executor": _("executing")}
    parts = []
    for role, default in defaults.items():
        own = overrides is not None and role in overrides
        value = (overrides[role] if own else default) or _("none")
        parts.append(f"{names[role]} {value}{'*' if own else ''}")
    return "; ".join(parts)


def _invite(args) -> int:
    from core.clock import utcnow
    from core.errors import UserError
    from db.contacts import agency_for_invite, create_invite
    from db.engine import session_scope
    from db.models import ContactRole

    settings = _settings()
    engine = _engine(settings)
    if args.from_file is not None:
        return _invite_from_workbook(args, settings, engine)
    if not args.agency:
        raise UserError(_("Give --agency, or --from a workbook of people."))
    if args.count < 1 or args.count > 1000:
        raise UserError(_("--count must be between 1 and 1000."))
    if args.plan and args.role != "coordinator":
        raise UserError(_("--plan is for coordinators: officers follow their agency's tasks."))
    with session_scope(engine) as session:
        agency = agency_for_invite(session, args.agency)
        plan_id = _plan_id(session, args.plan) if args.plan else None
        invites = [
            create_invite(
                session, agency=agency, role=ContactRole(args.role), now=utcnow(), plan_id=plan_id
            )
            for _ in range(args.count)
        ]
        agency_name, expires = agency.name, invites[0].expires_at
        codes = [invite.code for invite in invites]
    channel = args.channel or (
        "zalo" if settings.zalo_bot_token and not settings.telegram_bot_token else "telegram"
    )
    username = (
        settings.telegram_bot_username or _bot_username(settings) if channel == "telegram" else None
    )
    role = _("coordinator") if args.role == "coordinator" else _("officer")
    if len(codes) == 1:
        print(
            _("Invite code for {agency} ({role}): {code}").format(
                agency=agency_name, role=role, code=codes[0]
            )
        )
    else:
        print(
            _("{count} invite codes for {agency} ({role}):").format(
                count=len(codes), agency=agency_name, role=role
            )
        )
    print(
        _("Valid until {day}.").format(day=expires.astimezone(settings.zone).strftime("%d/%m/%Y"))
    )
    for code in codes:
        if len(codes) > 1:
            print(code, end="  ")
        if channel == "zalo":
            # Zalo has no deep links, and a bot may only answer people who wrote to it first:
            # the invite message itself is that first message.
            print(
                _(
                    "On Zalo: open the agency's bot (search its name or scan its QR code), "
                    "then send it this message: /start {code}"
                ).format(code=code)
            )
        elif username:
            print(f"https://t.me/{username}?start={code}")
        else:
            print(_("Send the bot: /start {code}").format(code=code))
    return 0


def _plan_id(session, words: str) -> int:
    from core.errors import UserError
    from db.scope import Scope
    from handlers.reports import find_plan

    plan = find_plan(session, Scope(everything=True), words)
    if plan is None:
        raise UserError(_("No plan matches “{words}”.").format(words=words))
    return plan.id


def _invite_from_workbook(args, settings, engine) -> int:
    """One invite per row of a workbook (name, agency, role); the codes are written back."""
    from openpyxl import Workbook, load_workbook

    from core.clock import utcnow
    from core.errors import UserError
    from core.text import fold
    from db.contacts import agency_for_invite, create_invite
    from db.engine import session_scope
    from db.models import ContactRole

    try:
        rows = list(
            load_workbook(args.from_file, read_only=True).active.iter_rows(values_only=True)
        )
    except (OSError, ValueError, KeyError) as error:
        raise UserError(
            _("Cannot read {path}: {error}").format(path=args.from_file, error=error)
        ) from error
    roles = {"can bo": "officer", "officer": "officer", "dau moi": "coordinator"}
    roles |= {"coordinator": "coordinator", "dau moi tong hop": "coordinator"}
    username = settings.telegram_bot_username or _bot_username(settings)
    out = Workbook()
    sheet = out.active
    sheet.append([_("Name"), _("Agency"), _("Role"), _("Code"), _("Link"), _("Note")])
    issued = problems = 0
    with session_scope(engine) as session:
        for row in rows:
            name, agency_name, role_text = [*row, None, None, None][:3]
            if not agency_name or fold(str(agency_name)) in ("co quan", "don vi", "agency"):
                continue  # an empty row or the header
            role = roles.get(fold(str(role_text or "officer")), None)
            try:
                if role is None:
                    raise UserError(_("Unknown role “{role}”.").format(role=role_text))
                agency = agency_for_invite(session, str(agency_name))
                invite = create_invite(session, agency=agency, role=ContactRole(role), now=utcnow())
            except UserError as error:
                sheet.append([name, agency_name, role_text, "", "", error.message])
                problems += 1
                continue
            link = (
                f"https://t.me/{username}?start={invite.code}"
                if username
                else f"/start {invite.code}"
            )
            sheet.append([name, agency.name, role_text or role, invite.code, link, ""])
            issued += 1
    target = args.out or args.from_file.with_name(args.from_file.stem + "-ma-moi.xlsx")
    out.save(target)
    print(
        _("{issued} invite codes written to {path}; {problems} rows need a look.").format(
            issued=issued, path=target, problems=problems
        )
    )
    return 0 if issued else 1


def _contacts(args) -> int:
    from rich.table import Table

    from core.errors import UserError
    from db.agencies import find_agency
    from db.engine import session_scope
    from db.models import Contact
    from db.people import contact_lines
    from db.scope import Scope
    from handlers.people import role_name

    settings = _settings()
    engine = _engine(settings)
    with session_scope(engine) as session:
        if args.action != "list":
            contact = session.get(Contact, args.contact_id) if args.contact_id else None
            if contact is None:
                raise UserError(_("No contact number {id}.").format(id=args.contact_id))
            if args.action == "deactivate":
                contact.active = False
            else:
                if args.role is None:
                    raise UserError(_("Give the new role: officer, coordinator or admin."))
                contact.role = args.role
                # A coordinator made by the CLI coordinates every plan, like an invite without --plan.
                contact.all_plans = args.role in ("coordinator", "admin")
        agency_id = None
        if args.agency:
            agency = find_agency(session, args.agency)
            if agency is None:
                raise UserError(_("No agency is named “{name}”.").format(name=args.agency))
            agency_id = agency.id
        lines = contact_lines(
            session, scope=Scope(everything=True), agency_id=agency_id, limit=10_000
        )
        table = Table(title=_("Contacts"))
        for header in (
            "#",
            _("Name"),
            _("Agency"),
            _("Role"),
            _("Chat"),
            _("Active"),
            _("Last update"),
        ):
            table.add_column(header)
        for line in lines:
            person = line.contact
            table.add_row(
                str(person.id),
                person.display_name,
                line.agency,
                role_name(person.role),
                f"{person.channel}:{person.chat_id}",
                _("yes") if person.active else _("no"),
                line.last_active.astimezone(settings.zone).strftime("%d/%m/%Y %H:%M")
                if line.last_active
                else "",
            )
    _console().print(table)
    return 0


def _assign(args) -> int:
    from functools import partial

    from core.clock import utcnow
    from core.errors import UserError
    from db.contacts import agency_for_invite
    from db.engine import session_scope
    from db.people import assign_leads, generic_led_tasks
    from db.scope import Scope
    from schedules.planning import load_policy, plan_reminders

    settings = _settings()
    engine = _engine(settings)
    with session_scope(engine) as session:
        waiting = generic_led_tasks(session, scope=Scope(everything=True), limit=10_000)
        if not args.ref:
            for task, written in waiting:
                print(f"{task.ref}\t{task.content[:90]}\t{written}")
            return 0
        plan_id = _plan_id(session, args.plan) if args.plan else None
        matches = [
            task
            for task, _written in waiting
            if task.ref == args.ref and (plan_id is None or task.plan_id == plan_id)
        ]
        if len(matches) != 1:
            raise UserError(
                _("No single task {ref} led only by a generic group (give --plan).").format(
                    ref=args.ref
                )
            )
        if not args.agency:
            raise UserError(_("Give at least one --agency."))
        agencies = [agency_for_invite(session, name) for name in args.agency]
        assign_leads(session, task=matches[0], agencies=agencies, by=None)
        plan_reminders(
            session,
            policy=partial(load_policy, settings=settings)(session),
            now=utcnow(),
            task_ids=[matches[0].id],
        )
        print(
            _("Task {ref} is now led by {names}; their officers will be reminded.").format(
                ref=args.ref, names="; ".join(agency.name for agency in agencies)
            )
        )
    return 0


def _bot_username(settings) -> str | None:
    """Ask the Bot API who we are, so the deep link names the right bot."""
    if not settings.telegram_bot_token:
        return None
    import httpx

    base = settings.telegram_api_base_url or "https://api.telegram.org/bot"
    try:
        response = httpx.get(f"{base}{settings.telegram_bot_token}/getMe", timeout=5)
        return response.json()["result"]["username"]
    except (httpx.HTTPError, KeyError, ValueError):
        return None


def _agencies(args) -> int:
    from core.errors import UserError
    from db.agencies import add_alias, find_agency, list_agencies, merge_agencies
    from db.engine import session_scope

    settings = _settings()
    engine = _engine(settings)
    with session_scope(engine) as session:
        if args.action != "list":
            alone = ("confirm", *CONFIRMATION_ACTIONS)
            if not args.name or (args.action not in alone and not args.into):
                raise UserError(
                    _(
                        "Usage: nhacviec agencies alias|merge NAME --into AGENCY, or "
                        "confirm|skip-confirmation|require-confirmation NAME."
                    )
                )
            agency = find_agency(session, args.name)
            target = find_agency(session, args.into) if args.into else None
            if args.action != "alias" and agency is None:
                raise UserError(_("No agency is named “{name}”.").format(name=args.name))
            if args.into and target is None:
                raise UserError(_("No agency is named “{name}”.").format(name=args.into))
            if args.action == "alias":
                add_alias(session, agency=target, alias=args.name)
                target.flagged = False
            elif args.action == "merge":
                merge_agencies(session, source=agency, target=target)
            elif args.action in CONFIRMATION_ACTIONS:
                agency.skips_confirmation = CONFIRMATION_ACTIONS[args.action]
            else:
                agency.flagged = False
        overviews = list_agencies(session)
    _print_agencies(overviews)
    return 0


def _print_agencies(overviews) -> None:
    from rich.table import Table

    table = Table(title=_("Agencies"))
    for header in (_("Agency"), _("Other names"), _("Lead tasks"), _("Contacts"), _("Note")):
        table.add_column(header)
    for item in overviews:
        notes = [
            _("to check") if item.agency.flagged else "",
            _("group, no contacts") if item.agency.is_generic else "",
            _("completions need no confirmation") if item.agency.skips_confirmation else "",
        ]
        note = "; ".join(filter(None, notes))
        table.add_row(
            item.agency.name,
            "; ".join(item.aliases),
            str(item.lead_tasks),
            str(item.contacts),
            note,
        )
    _console().print(table)


def _progress(args) -> int:
    from db.engine import session_scope
    from db.progress import progress_summary
    from handlers.render import render_summary

    settings = _settings()
    engine = _engine(settings)
    today = _today(settings)
    with session_scope(engine) as session:
        summary = progress_summary(session, today=today)
    print(render_summary(summary, today=today))
    return 0


def _report(args) -> int:
    from core.errors import UserError
    from db.engine import session_scope
    from db.scope import Scope
    from handlers.report_files import build_report
    from handlers.reports import find_plan

    settings = _settings()
    engine = _engine(settings)
    today = _today(settings)
    everything = Scope(everything=True)
    out = args.out or Path(f"bao-cao-tien-do-{today:%Y-%m-%d}.xlsx")
    chart = args.chart or out.with_suffix(".png")
    with session_scope(engine) as session:
        plan_id = None
        if args.plan:
            plan = find_plan(session, everything, args.plan)
            if plan is None:
                raise UserError(_("No plan matches “{words}”.").format(words=args.plan))
            plan_id = plan.id
        files = build_report(
            session, today=today, scope=everything, plan_id=plan_id, zone=settings.zone
        )
    out.write_bytes(files.workbook)
    chart.write_bytes(files.chart)
    print(_("Report written: {workbook} and {chart}").format(workbook=out, chart=chart))
    return 0


def _parse(args) -> int:
    if args.kind == "deadline":
        from schedules.deadlines import parse_deadline

        today = args.today or _local_today()
        deadline = parse_deadline(args.text, today=args.today)
        payload = deadline.as_dict()
        next_due = deadline.next_due(today)
        payload["next_due"] = next_due.isoformat() if next_due else None
        payload["understood"] = deadline.understood
    else:
        from handlers.replies import parse_reply

        payload = parse_reply(args.text, today=args.today or _local_today()).as_dict()
    json.dump(payload, sys.stdout, ensure_ascii=False)
    print()
    return 0


def _local_today() -> date:
    """Today in the people's time zone (the host may run on UTC)."""
    from zoneinfo import ZoneInfo

    from core.clock import utcnow

    zone = ZoneInfo(os.environ.get("NHACVIEC_TIMEZONE", "Asia/Ho_Chi_Minh"))
    return utcnow().astimezone(zone).date()


def _calendar(args) -> int:
    from bot.service import replan_all
    from core.errors import UserError
    from db.engine import session_scope
    from db.models import CalendarDay

    settings = _settings()
    engine = _engine(settings)
    if args.action != "list":
        if args.day is None:
            raise UserError(_("Give the day, e.g. 16/02/2026."))
        with session_scope(engine) as session:
            row = session.get(CalendarDay, args.day)
            if args.action == "remove":
                if row is None:
                    raise UserError(
                        _("{day} has no announced exception.").format(day=f"{args.day:%d/%m/%Y}")
                    )
                session.delete(row)
            else:
                row = row or CalendarDay(day=args.day, is_working=False)
                row.is_working = args.action == "work"
                row.note = args.note
                session.add(row)
        replan_all(settings, engine)
    _print_calendar(settings, engine)
    return 0


def _print_calendar(settings, engine) -> None:
    import holidays
    from sqlmodel import select

    from db.engine import session_scope
    from db.models import CalendarDay

    year = _today(settings).year
    print(_("Public holidays {year}:").format(year=year))
    for day, name in sorted(holidays.country_holidays("VN", years=year, language="vi").items()):
        print(f"  {day:%d/%m/%Y}  {name}")
    with session_scope(engine) as session:
        rows = session.exec(select(CalendarDay).order_by(CalendarDay.day)).all()
    print(
        _("Announced by the province:")
        if rows
        else _("No extra days off or make-up working days announced.")
    )
    for row in rows:
        kind = _("make-up working day") if row.is_working else _("day off")
        print(f"  {row.day:%d/%m/%Y}  {kind}  {row.note}")


def _migrate(args) -> int:
    _engine(_settings())
    print(_("The database schema is up to date."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
