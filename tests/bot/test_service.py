"""Running the service safely: no token means no start (unless the demo is asked for, and
never on real data), health for containers, one poller per PostgreSQL, webhook mode."""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlmodel import select

from bot.cli import main as nhacviec
from bot.service import POLLING_LOCKS, PollingLeader, ServiceClockTrigger, build_scheduler, serve
from bot.settings import Settings
from core.clock import pin_clock, utcnow
from db.engine import make_engine, migrate, session_scope
from db.models import Contact, Plan, Reminder, ReminderKind
from schedules.dispatch import beat
from tests.factories import ZONE, draft, join, plan, store_plan
from tests.fakes.telegram_api import FakeTelegram


@pytest.fixture
def store(tmp_path, monkeypatch) -> str:
    """An empty migrated SQLite store as DATABASE_URL, no token, a clean working folder."""
    url = f"sqlite:///{tmp_path / 'nhacviec.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


def _with_a_real_plan(url: str) -> None:
    engine = make_engine(url)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        store_plan(session, plan(draft("1", "Báo cáo", "Sở Nội vụ", "Năm 2027")), today=now.date())
        join(session, agency="Sở Nội vụ", chat_id="1001", now=now)
    engine.dispose()


def test_without_a_token_the_service_refuses_to_start(store, capsys):
    assert nhacviec(["run"]) == 1
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err
    assert nhacviec(["worker"]) == 1
    assert "--demo" in capsys.readouterr().err


def test_the_demo_never_writes_into_a_store_that_holds_real_plans(store, capsys):
    _with_a_real_plan(store)
    assert nhacviec(["run", "--demo"]) == 1
    assert "DATABASE_URL" in capsys.readouterr().err
    engine = make_engine(store)
    with session_scope(engine) as session:
        assert [p.source_name for p in session.exec(select(Plan))] == ["ke-hoach-thu.txt"]
        assert {c.channel for c in session.exec(select(Contact))} == {"telegram"}
    engine.dispose()


def test_health_says_whether_deliveries_are_running(store, capsys):
    assert nhacviec(["health"]) == 1
    assert "hai phút" in capsys.readouterr().err
    engine = make_engine(store)
    with session_scope(engine) as session:
        beat(session, now=datetime.now(UTC))
    engine.dispose()
    assert nhacviec(["health"]) == 0


@pytest.mark.postgres
def test_only_one_process_holds_the_polling_lock(postgres_engine):
    engine = postgres_engine  # SQLite serves one process: there is nothing to share
    first, second = PollingLeader(engine), PollingLeader(make_engine(str(engine.url)))
    try:
        assert first.try_acquire() is True
        assert second.try_acquire() is False
        first.release()  # the poller stops (or dies: its connection closes the same way)
        assert second.try_acquire() is True
    finally:
        first.release()
        second.release()
        second.engine.dispose()


@pytest.mark.postgres
def test_one_process_polls_zalo_and_another_takes_over_when_it_goes(postgres_engine):
    engine = postgres_engine
    other = make_engine(str(engine.url))  # another process's pool
    telegram = PollingLeader(other, POLLING_LOCKS["telegram"])
    first = PollingLeader(engine, POLLING_LOCKS["zalo"])
    second = PollingLeader(other, POLLING_LOCKS["zalo"])
    try:
        # Polling Telegram elsewhere does not stop this process from polling Zalo.
        assert telegram.try_acquire() is True
        assert first.try_acquire() is True
        assert second.try_acquire() is False
        assert second.try_acquire() is False  # asking again changes nothing
        first.release()  # the poller stops (or dies: its connection closes the same way)
        assert second.try_acquire() is True
        assert first.try_acquire() is False
    finally:
        for leader in (first, second, telegram):
            leader.release()
        other.dispose()


async def test_the_daily_replan_turns_with_the_service_clock(store):
    # The service runs on a pinned day (NHACVIEC_NOW), a second before the daily re-plan.
    pin_clock(datetime(2026, 3, 2, 0, 4, 59, tzinfo=ZONE))
    engine = make_engine(store)
    now = utcnow()
    with session_scope(engine) as session:
        join(session, agency="Sở Nội vụ", chat_id="1001", now=now)
        due = draft("1", "Báo cáo tháng", "Sở Nội vụ", "ngày 20/03/2026")
        store_plan(session, plan(due), today=now.astimezone(ZONE).date())  # not planned yet
    scheduler = build_scheduler(Settings(), engine)
    scheduler.start()
    try:
        async with asyncio.timeout(10):  # the pinned clock reaches 00:05 a second from now
            while not _reminders(engine):
                await asyncio.sleep(0.1)
    finally:
        scheduler.shutdown(wait=True)
    planned = _reminders(engine)
    engine.dispose()
    # Planned at 00:05 of the pinned day, for that day's future: the officer's four reminders.
    midnight = datetime(2026, 3, 2, 0, 5, tzinfo=ZONE)
    assert all(midnight <= row.created_at < midnight + timedelta(seconds=5) for row in planned)
    reminders = sorted(row.due_at for row in planned if row.kind == ReminderKind.REMINDER)
    assert [moment.astimezone(ZONE).day for moment in reminders] == [13, 17, 19, 20]


def test_the_daily_replan_comes_at_five_past_midnight_in_peoples_time():
    daily = ServiceClockTrigger(CronTrigger(hour=0, minute=5, timezone=ZONE))
    before = datetime(2026, 3, 1, 17, 4, tzinfo=UTC)  # 00:04 in Hà Nội
    assert daily.get_next_fire_time(None, before) == datetime(2026, 3, 2, 0, 5, tzinfo=ZONE)
    after = datetime(2026, 3, 1, 17, 6, tzinfo=UTC)  # 00:06
    assert daily.get_next_fire_time(None, after) == datetime(2026, 3, 3, 0, 5, tzinfo=ZONE)
    fired = datetime(2026, 3, 2, 0, 5, tzinfo=ZONE)
    assert daily.get_next_fire_time(fired, fired) == datetime(2026, 3, 3, 0, 5, tzinfo=ZONE)


def _reminders(engine) -> list[Reminder]:
    with session_scope(engine) as session:
        return list(session.exec(select(Reminder)))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _post(url: str, update: dict, secret: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(update).encode(),
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.e2e
async def test_webhook_mode_receives_updates_that_carry_the_secret(store, monkeypatch):
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    with FakeTelegram() as fake:
        for name, value in {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_WEBHOOK_URL": url,
            "TELEGRAM_WEBHOOK_SECRET": "s3cret-Token_42",
            "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
            "TELEGRAM_WEBHOOK_PORT": str(port),
        }.items():
            monkeypatch.setenv(name, value)
        person = fake.user(4242, "Người lạ")
        stop, ready = asyncio.Event(), asyncio.Event()
        service = asyncio.create_task(serve(Settings(), stop=stop, ready=ready))
        try:
            await asyncio.wait_for(ready.wait(), 20)
            (registered,) = fake.calls("setWebhook")
            assert registered.params["url"] == url
            assert registered.params["secret_token"] == "s3cret-Token_42"
            update = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": int(datetime.now(UTC).timestamp()),
                    "chat": {"id": 4242, "type": "private", "first_name": "Người lạ"},
                    "from": {"id": 4242, "is_bot": False, "first_name": "Người lạ"},
                    "text": "/tiendo",
                },
            }
            assert await asyncio.to_thread(_post, url, update, "wrong-secret") == 403
            assert await asyncio.to_thread(_post, url, update, "s3cret-Token_42") == 200
            answer = await person.next_message(timeout=20)
            assert "chưa được đăng ký" in answer.text
            assert not fake.calls("getUpdates")  # a webhook process never polls
        finally:
            stop.set()
            await asyncio.wait_for(service, 30)
