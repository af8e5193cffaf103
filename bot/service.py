"""Assembly: store, channels, the dispatch loop and the daily re-planning, in one process."""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import col, select

from bot.logs import chat_context, worker_id
from bot.settings import Settings
from core.clock import pin_clock_from_environment, utcnow
from core.messages import Answer, Incoming
from db.contacts import chat_roles
from db.engine import make_engine, migrate, session_scope
from db.models import Contact, ContactRole, Reminder
from handlers import routes
from handlers.context import BotContext
from handlers.conversation import handle
from handlers.render import render_reminder
from schedules.dispatch import Dispatcher
from schedules.planning import load_policy, plan_reminders

log = logging.getLogger(__name__)

SAMPLE_PLAN = Path(__file__).resolve().parent / "samples" / "ke-hoach-mau.txt"
DEMO_OFFICER_CHAT = "demo-officer"
DEMO_COORDINATOR_CHAT = "demo-coordinator"


def build_context(settings: Settings, engine: Engine) -> BotContext:
    """The services every handler shares."""
    return BotContext(
        engine=engine,
        clock=utcnow,
        policy_loader=partial(load_policy, settings=settings),
        zone_name=settings.timezone,
    )


def build_dispatcher(settings: Settings, engine: Engine, senders: dict) -> Dispatcher:
    """The delivery loop for the running channels."""
    zone = settings.zone

    def render(task, reminder, late):
        return render_reminder(task, reminder, today=utcnow().astimezone(zone).date(), late=late)

    return Dispatcher(
        engine=engine,
        policy_loader=partial(load_policy, settings=settings),
        senders=senders,
        render=render,
        clock=utcnow,
        worker=worker_id(),
        lease=timedelta(seconds=settings.lease_seconds),
        fallback_after=settings.fallback_after,
    )


def build_channels(settings: Settings, engine: Engine, *, on_eof) -> list:
    """Telegram and Zalo for the tokens set (both, one), or the console demo without any."""
    from bot.channels.text import TextChats

    channels: list = []
    text_chats = TextChats(engine, utcnow)
    if settings.telegram_bot_token:
        from bot.channels.telegram import TelegramChannel

        channels.append(
            TelegramChannel(
                token=settings.telegram_bot_token, base_url=settings.telegram_api_base_url
            )
        )
    if settings.zalo_bot_token:
        from bot.channels.zalo import ZaloChannel

        channels.append(
            ZaloChannel(
                token=settings.zalo_bot_token,
                text_chats=text_chats,
                base_url=settings.zalo_api_base_url,
                messages_per_second=settings.zalo_messages_per_second,
                webhook_url=settings.zalo_webhook_url,
                webhook_secret=settings.zalo_webhook_secret,
                listen=settings.zalo_webhook_listen,
            )
        )
    if not channels:
        channels.append(_console_demo(settings, engine, on_eof=on_eof, text_chats=text_chats))
    return channels


def replan_all(settings: Settings, engine: Engine) -> None:
    """Re-plan every task: recurring cycles move on, calendar edits take effect."""
    with session_scope(engine) as session:
        outcome = plan_reminders(session, policy=load_policy(session, settings), now=utcnow())
    log.info("re-planned reminders: %d added, %d withdrawn", outcome.created, outcome.cancelled)


async def serve(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set, SIGINT/SIGTERM arrives, or the console's input ends."""
    pin_clock_from_environment()  # NHACVIEC_NOW: a demo or a test runs the service on a set day
    engine = make_engine(settings.database_url)
    migrate(engine)
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)

    context = build_context(settings, engine)
    channels = build_channels(settings, engine, on_eof=stop.set)
    # Use cases are plain functions: they run in worker threads so that a slow query or a large
    # document never stops the loop from serving other chats and deliveries.
    workers = ThreadPoolExecutor(
        max_workers=settings.handler_threads, thread_name_prefix="use-case"
    )

    loop = asyncio.get_running_loop()

    def answering(channel):
        async def on_incoming(incoming):
            answers = await loop.run_in_executor(workers, _handle_logged, incoming, context)
            if incoming.command == "start" and hasattr(channel, "set_menu"):
                # A new coordinator's chat gets the coordinator's menu at once.
                await _set_chat_menus(channel, engine, only_chat=incoming.chat_id)
            return answers

        return on_incoming

    started = []
    try:
        for channel in channels:
            await channel.start(answering(channel))
            started.append(channel)
    except BaseException:
        for channel in reversed(started):
            await channel.stop()
        workers.shutdown(wait=False, cancel_futures=True)
        engine.dispose()
        raise

    for channel in channels:
        if hasattr(channel, "set_menu"):
            await channel.set_menu(routes.menu(ContactRole.OFFICER))
            await _set_chat_menus(channel, engine)
    await asyncio.to_thread(replan_all, settings, engine)
    dispatcher = build_dispatcher(
        settings, engine, {channel.name: channel.send for channel in channels}
    )
    # The first pass runs before anything can stop the service (the console's input may already
    # have ended): reminders due at start-up are delivered, not cut off mid-send.
    await dispatcher.run_once()
    scheduler = _scheduler(settings, engine, dispatcher)
    scheduler.start()
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        for channel in reversed(channels):
            await channel.stop()
        workers.shutdown(wait=True, cancel_futures=True)
        engine.dispose()


def _handle_logged(incoming: Incoming, context: BotContext) -> list[Answer]:
    """Run the use case with its chat named on every log line, and log one line for it."""
    with chat_context(incoming.channel, incoming.chat_id):
        start = time.perf_counter()
        answers = handle(incoming, context)
        # What kind of message, never its words: those are the person's.
        log.info(
            "%s answered in %.2f s",
            _message_kind(incoming),
            time.perf_counter() - start,
        )
        return answers


def _message_kind(incoming: Incoming) -> str:
    if incoming.upload is not None:
        return "file"
    if incoming.button_data:
        return "button " + incoming.button_data.split(":", 1)[0]
    if incoming.command:
        return "/" + incoming.command
    return "message"


async def _set_chat_menus(channel, engine: Engine, *, only_chat: str | None = None) -> None:
    """Give coordinators' and admins' chats their own command menu (officers use the default)."""

    def roles() -> list[tuple[str, str]]:
        with session_scope(engine) as session:
            return chat_roles(
                session, channel=channel.name, roles=(ContactRole.COORDINATOR, ContactRole.ADMIN)
            )

    for chat_id, role in await asyncio.to_thread(roles):
        if only_chat is None or chat_id == only_chat:
            await channel.set_menu(routes.menu(role), chat_id=chat_id)


def _scheduler(settings: Settings, engine: Engine, dispatcher: Dispatcher):
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    scheduler = AsyncIOScheduler(timezone=UTC)
    # One delivery pass at a time: a slow pass is not doubled by the next tick.
    scheduler.add_job(
        dispatcher.run_once,
        "interval",
        seconds=settings.tick_seconds,
        id="dispatch",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC) + timedelta(seconds=settings.tick_seconds),
    )
    scheduler.add_job(
        replan_all,
        "cron",
        args=(settings, engine),
        hour=0,
        minute=5,
        timezone=settings.zone,
        id="replan-daily",
        coalesce=True,
        misfire_grace_time=3600,
    )
    return scheduler


# --- console demo ---------------------------------------------------------------------------


def _console_demo(settings: Settings, engine: Engine, *, on_eof, text_chats=None):
    from bot.channels.console import ConsoleChannel
    from core.i18n import _

    officer_agency, coordinator_agency = "Sở Khoa học và Công nghệ", "Văn phòng UBND tỉnh"
    if settings.sample_plan:
        install_sample_plan(settings, engine)
    officer = _demo_contact(
        engine, DEMO_OFFICER_CHAT, _("Demo officer"), officer_agency, ContactRole.OFFICER
    )
    coordinator = _demo_contact(
        engine,
        DEMO_COORDINATOR_CHAT,
        _("Demo coordinator"),
        coordinator_agency,
        ContactRole.COORDINATOR,
    )
    personas = {
        "canbo": (DEMO_OFFICER_CHAT, officer),
        "daumoi": (DEMO_COORDINATOR_CHAT, coordinator),
    }
    return ConsoleChannel(
        personas=personas,
        current="canbo",
        on_eof=on_eof,
        first_message_id=_last_console_message_id(engine) + 1,
        text_chats=text_chats,
    )


def _last_console_message_id(engine: Engine) -> int:
    """The highest message number an earlier console run gave a reminder (0 if none)."""
    with session_scope(engine) as session:
        ids = session.exec(
            select(Reminder.message_id)
            .join(Contact, col(Contact.id) == Reminder.contact_id)
            .where(Contact.channel == "console", col(Reminder.message_id).is_not(None))
        ).all()
    return max((int(value) for value in ids if value and value.isdecimal()), default=0)


def sample_plan_text(today: date) -> str:
    """The bundled sample plan with its {{+Nd}} and {{month+N}} dates filled in from today."""
    text = SAMPLE_PLAN.read_text(encoding="utf-8")

    def day(match: re.Match) -> str:
        return f"ngày {today + timedelta(days=int(match.group(1))):%d/%m/%Y}"

    def month(match: re.Match) -> str:
        index = today.month - 1 + int(match.group(1))
        return f"Tháng {index % 12 + 1}/{today.year + index // 12}"

    text = re.sub(r"\{\{([+-]\d+)d\}\}", day, text)
    return re.sub(r"\{\{month\+(\d+)\}\}", month, text)


def install_sample_plan(settings: Settings, engine: Engine) -> None:
    """Import the sample plan (again: it updates in place) so a newcomer has tasks to see."""
    import tempfile

    from handlers.imports import import_plan

    today = utcnow().astimezone(settings.zone).date()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / SAMPLE_PLAN.name
        path.write_text(sample_plan_text(today), encoding="utf-8")
        import_plan(
            engine, path=path, policy_loader=partial(load_policy, settings=settings), now=utcnow()
        )


def _demo_contact(
    engine: Engine, chat_id: str, name: str, agency_name: str, role: ContactRole
) -> str:
    from db.agencies import resolve_agency
    from db.contacts import create_invite, redeem_invite

    with session_scope(engine) as session:
        existing = session.exec(
            select(Contact).where(Contact.channel == "console", Contact.chat_id == chat_id)
        ).first()
        if existing is None:
            agency = resolve_agency(session, agency_name)
            invite = create_invite(session, agency=agency, role=role, now=utcnow())
            redeem_invite(
                session,
                code=invite.code,
                channel="console",
                chat_id=chat_id,
                display_name=name,
                now=utcnow(),
            )
    return name
