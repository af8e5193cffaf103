"""Assembly: store, channels, the dispatch loop and the daily re-planning.

`serve(mode="run")` receives updates (long polling, or a webhook when TELEGRAM_WEBHOOK_URL is
set), answers them and delivers reminders; `serve(mode="worker")` only delivers and re-plans,
so several workers can share one PostgreSQL. On PostgreSQL only the process holding a
channel's advisory lock polls it (two pollers of one Telegram token get 409 Conflict; two
pollers of one Zalo token split and duplicate its events), and another takes over when the
holder goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, timedelta
from datetime import time as time_of_day
from functools import partial
from pathlib import Path

from apscheduler.triggers.base import BaseTrigger
from sqlalchemy import Engine, func, text
from sqlmodel import col, select

from bot.channels.text import TextChats
from bot.logs import chat_context, worker_id
from bot.settings import Settings
from core.clock import clock_offset, pin_clock_from_environment, utcnow
from core.errors import UserError
from core.i18n import _
from core.messages import Answer, Incoming
from db.contacts import chat_roles, restore_reachable
from db.engine import make_engine, migrate, session_scope
from db.models import Contact, ContactRole, Heartbeat, Plan, Reminder
from handlers import routes
from handlers.context import BotContext
from handlers.conversation import handle
from handlers.notices import render_claimed
from schedules.dispatch import HEARTBEAT, OUTAGE_GAP, Dispatcher
from schedules.planning import load_policy, plan_reminders

log = logging.getLogger(__name__)

SAMPLE_PLAN = Path(__file__).resolve().parent / "samples" / "ke-hoach-mau.txt"
DEMO_OFFICER_CHAT = "demo-officer"
DEMO_COORDINATOR_CHAT = "demo-coordinator"
# pg_advisory_lock keys: one process polls Telegram, one polls Zalo, one re-plans at a time.
POLLING_LOCK = 0x6E68_0001
REPLAN_LOCK = 0x6E68_0002
ZALO_POLLING_LOCK = 0x6E68_0003
# Which lock a channel's poller holds.
POLLING_LOCKS = {"telegram": POLLING_LOCK, "zalo": ZALO_POLLING_LOCK}
# How often a process that does not poll checks whether the poller went away.
LEADER_RETRY_SECONDS = 15.0
# The start-up re-plan waits this long after the channel started answering.
REPLAN_AFTER_START_SECONDS = 3.0
# The daily re-plan (recurring cycles move on, calendar edits take effect), in people's time.
DAILY_REPLAN_AT = time_of_day(0, 5)
# How long a stopping process lets the sends under way finish.
SHUTDOWN_GRACE_SECONDS = 10.0


def build_context(settings: Settings, engine: Engine) -> BotContext:
    """The services every handler shares."""
    return BotContext(
        engine=engine,
        clock=utcnow,
        policy_loader=partial(load_policy, settings=settings),
        zone_name=settings.timezone,
        confirm_completion=settings.confirm_completion,
    )


def worker_name() -> str:
    """This process's name in the ledger: host:pid as the logs name it, and a nonce (a restarted
    container may be given the same pid)."""
    return f"{worker_id()}:{secrets.token_hex(2)}"


def build_dispatcher(settings: Settings, engine: Engine, senders: dict) -> Dispatcher:
    """The delivery loop for the running channels."""
    zone = settings.zone

    def render(session, claimed):
        return render_claimed(
            session, claimed, now=utcnow(), zone=zone, group_above=settings.group_above
        )

    return Dispatcher(
        engine=engine,
        policy_loader=partial(load_policy, settings=settings),
        senders=senders,
        render=render,
        clock=utcnow,
        worker=worker_name(),
        lease=timedelta(seconds=settings.lease_seconds),
        fallback_after=settings.fallback_after,
    )


def replan_all(settings: Settings, engine: Engine) -> None:
    """Re-plan every task: recurring cycles move on, calendar edits take effect."""
    with session_scope(engine) as session:
        if (
            engine.dialect.name == "postgresql"
            and not session.execute(
                select(func.pg_try_advisory_xact_lock(REPLAN_LOCK))
            ).scalar_one()
        ):
            log.info("another process is re-planning; skipped")
            return
        outcome = plan_reminders(session, policy=load_policy(session, settings), now=utcnow())
    log.info("re-planned reminders: %d added, %d withdrawn", outcome.created, outcome.cancelled)


def welcome_back(settings: Settings, engine: Engine, *, channel: str, chat_id: str) -> bool:
    """A person who had blocked the bot writes again: reachable, with their reminders back."""
    with session_scope(engine) as session:
        contact_id = restore_reachable(session, channel=channel, chat_id=chat_id)
        if contact_id is None:
            return False
        plan_reminders(
            session,
            policy=load_policy(session, settings),
            now=utcnow(),
            contact_ids=[contact_id],
        )
    log.info("contact %s is reachable again", contact_id)
    return True


def check_health(settings: Settings) -> str | None:
    """None when the store answers and deliveries beat recently, else what is wrong."""
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            heartbeat = session.get(Heartbeat, HEARTBEAT)
    except Exception as error:  # any failure to reach the store is unhealthy
        return _("The database does not answer: {error}").format(error=error)
    finally:
        engine.dispose()
    if heartbeat is None or utcnow() - heartbeat.beat_at > OUTAGE_GAP:
        return _("No delivery pass for more than two minutes.")
    return None


def refuse_demo_on_real_data(engine: Engine) -> None:
    """The console demo writes sample tasks and demo people: never into a real store."""
    with session_scope(engine) as session:
        real_plan = session.exec(
            select(Plan.source_name).where(Plan.source_name != SAMPLE_PLAN.name).limit(1)
        ).first()
        real_contact = session.exec(
            select(Contact.id).where(Contact.channel != "console").limit(1)
        ).first()
    if real_plan is not None or real_contact is not None:
        raise UserError(
            _(
                "This database holds real plans or contacts; the console demo will not write "
                "into it. Point DATABASE_URL at another file, e.g. sqlite:///data/demo.db."
            )
        )


class PollingLeader:
    """A PostgreSQL advisory lock held on its own connection: the holder polls a channel.

    `key` names the channel's lock (POLLING_LOCKS); each channel has its own leader.
    """

    def __init__(self, engine: Engine, key: int = POLLING_LOCK) -> None:
        self.engine = engine
        self.key = key
        self._connection = None

    def try_acquire(self) -> bool:
        """Take the lock if free; True when this process holds it."""
        if self.engine.dialect.name != "postgresql":
            return True  # SQLite serves one process
        if self._connection is None:
            # Autocommit: an idle transaction held for the process's life would stop vacuum.
            self._connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        held = self._connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
        ).scalar_one()
        return bool(held)

    def release(self) -> None:
        """Drop the lock, then the connection (a pooled connection would keep holding it)."""
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
            finally:
                self._connection.close()
                self._connection = None


async def serve(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    mode: str = "run",
    demo: bool = False,
    ready: asyncio.Event | None = None,
) -> None:
    """Run until `stop` is set, SIGINT/SIGTERM arrives, or the console's input ends.

    mode "run": receive, answer and deliver; "worker": deliver and re-plan only.
    Without a Telegram token only the console demo runs, and only when `demo` asks for it.
    """
    if not (settings.telegram_bot_token or settings.zalo_bot_token) and (
        mode == "worker" or not demo
    ):
        raise UserError(
            _(
                "TELEGRAM_BOT_TOKEN is not set. Set it (from @BotFather), or try the console "
                "demo with `nhacviec run --demo` (`make run`)."
            )
        )
    pin_clock_from_environment()  # NHACVIEC_NOW: a demo or a test runs the service on a set day
    engine = make_engine(settings.database_url)
    migrate(engine)
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)

    leaders = {name: PollingLeader(engine, key) for name, key in POLLING_LOCKS.items()}
    channels: list = []
    if settings.telegram_bot_token:
        from bot.channels.pacing import Limits
        from bot.channels.telegram import TelegramChannel

        if mode == "worker":
            receive = "none"
        elif settings.telegram_webhook_url:
            receive = "webhook"
        else:
            receive = (
                "polling" if await asyncio.to_thread(leaders["telegram"].try_acquire) else "none"
            )
        channels.append(
            TelegramChannel(
                token=settings.telegram_bot_token,
                base_url=settings.telegram_api_base_url,
                receive=receive,
                webhook_url=settings.telegram_webhook_url,
                webhook_secret=settings.telegram_webhook_secret,
                webhook_listen=settings.telegram_webhook_listen,
                webhook_port=settings.telegram_webhook_port,
                limits=Limits(per_second=settings.telegram_max_per_second),
            )
        )
    text_chats = TextChats(engine, utcnow)
    if settings.zalo_bot_token:
        if mode == "worker":
            receive = "none"
        elif settings.zalo_webhook_url:
            receive = "webhook"
        else:
            receive = "polling" if await asyncio.to_thread(leaders["zalo"].try_acquire) else "none"
        channels.append(zalo_channel(settings, text_chats, receive=receive))
    if not channels:
        try:
            refuse_demo_on_real_data(engine)
        except BaseException:
            engine.dispose()
            raise
        channels.append(_console_demo(settings, engine, on_eof=stop.set, text_chats=text_chats))
    context = build_context(settings, engine)
    # Use cases are plain functions: they run in worker threads so that a slow query or a large
    # document never stops the loop from serving other chats and deliveries.
    workers = ThreadPoolExecutor(
        max_workers=settings.handler_threads, thread_name_prefix="use-case"
    )

    loop = asyncio.get_running_loop()

    def answer(incoming):
        welcome_back(settings, engine, channel=incoming.channel, chat_id=incoming.chat_id)
        return _handle_logged(incoming, context)

    delivery: list[Dispatcher] = []  # set once the dispatcher exists

    def answering(channel):
        async def on_incoming(incoming):
            if incoming.reply_to_message_id and delivery:
                # A reply names its reminder by message id: let the record of it land first.
                await delivery[0].settle(incoming.channel, incoming.chat_id)
            answers = await loop.run_in_executor(workers, answer, incoming)
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
        _release(leaders)
        engine.dispose()
        raise
    if ready is not None:
        ready.set()

    for channel in channels:
        if mode == "run" and hasattr(channel, "set_menu"):
            await channel.set_menu(routes.menu(ContactRole.OFFICER))
            await _set_chat_menus(channel, engine)
    # The channel answers from here on. The start-up re-plan runs in a thread beside it, a few
    # seconds later: the messages that waited for the start are answered first, without a
    # big planning pass competing for the interpreter.
    background = [asyncio.create_task(_replan_after(stop, settings, engine))]
    dispatcher = build_dispatcher(
        settings, engine, {channel.name: channel.send for channel in channels}
    )
    delivery.append(dispatcher)
    delivering = asyncio.create_task(_deliver_until(stop, dispatcher, settings))
    for channel in channels:
        # A channel polls from one process at a time; the others take over when it goes away.
        if channel.name in leaders and channel.receive == "none" and mode == "run":
            leader = leaders[channel.name]
            background.append(asyncio.create_task(_poll_when_leader(stop, leader, channel)))
    scheduler = build_scheduler(settings, engine)
    scheduler.start()
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        # Sends under way finish and are recorded: a clean stop repeats nothing.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(delivering), SHUTDOWN_GRACE_SECONDS)
        background.append(delivering)
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        for channel in reversed(channels):
            await channel.stop()
        _release(leaders)
        workers.shutdown(wait=True, cancel_futures=True)
        engine.dispose()


def _release(leaders: dict[str, PollingLeader]) -> None:
    """Let another process poll: every lock this one holds goes."""
    for leader in leaders.values():
        leader.release()


async def _replan_after(stop: asyncio.Event, settings: Settings, engine: Engine) -> None:
    """The start-up re-plan and progress count, once the first answers are out."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), REPLAN_AFTER_START_SECONDS)
        return
    await asyncio.to_thread(replan_all, settings, engine)
    await asyncio.to_thread(count_progress, settings, engine)


async def _deliver_until(stop: asyncio.Event, dispatcher: Dispatcher, settings: Settings) -> None:
    """Delivery passes back to back while rows are due, a tick apart when idle.

    The first pass runs even when `stop` is already set (a console demo fed by a pipe), and a
    pass under way when it is set finishes its sends and records them.
    """
    while True:
        try:
            report = await dispatcher.run_once(stop)
            if report.sent or report.failed:
                log.info(
                    "delivery pass: %d sent, %d retried, %d failed, %d skipped",
                    len(report.sent),
                    len(report.retried),
                    len(report.failed),
                    report.skipped,
                )
        except Exception:  # a failed pass is logged; the next one tries again
            log.exception("delivery pass failed")
        if stop.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.tick_seconds)


async def _poll_when_leader(stop: asyncio.Event, leader: PollingLeader, channel) -> None:
    """Another process polls; take over when it goes away (its lock is released)."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), LEADER_RETRY_SECONDS)
            return
        except TimeoutError:
            pass
        if await asyncio.to_thread(leader.try_acquire):
            await channel.start_polling()
            return


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


def build_scheduler(settings: Settings, engine: Engine):
    """APScheduler with the daily progress count (00:01) and re-plan (00:05), by the service's clock."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = AsyncIOScheduler(timezone=UTC)
    # A plain function: APScheduler runs it in its thread pool, off the event loop.
    scheduler.add_job(
        replan_all,
        ServiceClockTrigger(
            CronTrigger(
                hour=DAILY_REPLAN_AT.hour, minute=DAILY_REPLAN_AT.minute, timezone=settings.zone
            )
        ),
        args=(settings, engine),
        id="replan-daily",
        coalesce=True,
        misfire_grace_time=3600,
    )
    # A minute after midnight, every plan is counted for the new day: the first coordinator to
    # ask for /tiendo gets cached counts instead of waiting for 100k tasks to be counted.
    scheduler.add_job(
        count_progress,
        ServiceClockTrigger(CronTrigger(hour=0, minute=1, timezone=settings.zone)),
        args=(settings, engine),
        id="progress-daily",
        coalesce=True,
        misfire_grace_time=3600,
    )
    return scheduler


def count_progress(settings: Settings, engine: Engine) -> None:
    """Count every plan's progress for today in this process, ahead of the first /tiendo."""
    from db.progress import count_every_plan

    with session_scope(engine) as session:
        count_every_plan(session, today=utcnow().astimezone(settings.zone).date())


class ServiceClockTrigger(BaseTrigger):
    """A trigger read on the service's clock (core.clock), which NHACVIEC_NOW may move.

    APScheduler keeps the machine's time; under a pinned clock the day turns when the service's
    clock says so, as it does for everything else the service plans and sends.
    """

    def __init__(self, trigger: BaseTrigger) -> None:
        self.trigger = trigger

    def get_next_fire_time(self, previous_fire_time, now):
        """The wrapped trigger's next time on the service's clock, in the machine's time."""
        shift = clock_offset()
        previous = previous_fire_time + shift if previous_fire_time is not None else None
        moment = self.trigger.get_next_fire_time(previous, now + shift)
        return moment - shift if moment is not None else None


# --- console demo ---------------------------------------------------------------------------


def zalo_channel(settings: Settings, text_chats, *, receive: str | None = None):
    """The Zalo channel, receiving as `receive` says ("polling", "webhook" or "none").

    One process polls (ZALO_POLLING_LOCK): getUpdates has no offset to share, so several
    pollers would split the events between them and fetch some twice. The seen-events table
    still answers an event delivered twice once.
    """
    from bot.channels.zalo import ZaloChannel

    return ZaloChannel(
        token=settings.zalo_bot_token,
        text_chats=text_chats,
        base_url=settings.zalo_api_base_url,
        messages_per_second=settings.zalo_messages_per_second,
        webhook_url=settings.zalo_webhook_url,
        webhook_secret=settings.zalo_webhook_secret,
        listen=settings.zalo_webhook_listen,
        receive=receive,
    )


def _console_demo(settings: Settings, engine: Engine, *, on_eof, text_chats=None):
    from bot.channels.console import ConsoleChannel
    from core.i18n import _

    officer_agency, coordinator_agency = "Sở Khoa học và Công nghệ", "Văn phòng UBND tỉnh"
    if settings.sample_plan:
        install_sample_plan(settings, engine)
    officer = _demo_contact(
        settings, engine, DEMO_OFFICER_CHAT, _("Demo officer"), officer_agency, ContactRole.OFFICER
    )
    coordinator = _demo_contact(
        settings,
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
    settings: Settings,
    engine: Engine,
    chat_id: str,
    name: str,
    agency_name: str,
    role: ContactRole,
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
            contact = redeem_invite(
                session,
                code=invite.code,
                channel="console",
                chat_id=chat_id,
                display_name=name,
                now=utcnow(),
            )
            # As after /start: the new person's reminders at once, not at the next re-plan.
            plan_reminders(
                session,
                policy=load_policy(session, settings),
                now=utcnow(),
                contact_ids=[contact.id],
            )
    return name
