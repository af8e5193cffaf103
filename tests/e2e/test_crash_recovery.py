"""SIGKILL while dispatching: after a restart no reminder is lost, and none is sent twice
except those whose send was in flight (or its answer not yet recorded) when the process died."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import select

from core.clock import utcnow
from db.engine import make_engine, migrate, session_scope
from db.models import Reminder, ReminderState
from schedules.planning import plan_reminders
from tests.e2e.environment import service_process_environment
from tests.e2e.ledger import ledger_is_final, wait_until
from tests.factories import ZONE, draft, join, plan, policy, store_plan
from tests.fakes.telegram_api import FakeTelegram

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OFFICERS = [str(5000 + number) for number in range(8)]
TASKS = 3  # each officer gets one reminder per task: 24 in all
# A working day: the service sends only on those (a Tết holiday would hold every reminder).
DAY = "2026-11-18T09:00:00+07:00"


def _prepare(database_url: str) -> int:
    """Officers, tasks and planned reminders; returns how many reminder rows exist."""
    engine = make_engine(database_url)
    migrate(engine)
    now = utcnow()
    today = now.astimezone(ZONE).date()
    # Due in two days: the 7d and 3d offsets are already behind us, so one reminder per task
    # and officer goes out at once (the 1d and 0d ones wait for their day).
    due = f"ngày {today + timedelta(days=2):%d/%m/%Y}"
    with session_scope(engine) as session:
        for chat_id in OFFICERS:
            join(session, agency="Sở Nội vụ", chat_id=chat_id, now=now)
        tasks = [draft(str(n), f"Nhiệm vụ số {n}", "Sở Nội vụ", due) for n in range(1, TASKS + 1)]
        store_plan(session, plan(*tasks), today=today)
        plan_reminders(session, policy=policy(window="00:00-24:00", working_days="all"), now=now)
        count = len(session.exec(select(Reminder)).all())
    engine.dispose()
    return count


def _start_service(fake: FakeTelegram, database_url: str, tmp_path) -> subprocess.Popen:
    env = service_process_environment(
        fake,
        database_url,
        NHACVIEC_LEASE_SECONDS="3",
        # The service lives on the test's clock (pinned to DAY), from this moment on.
        NHACVIEC_NOW=utcnow().isoformat(),
    )
    # The child keeps its own copy of the log descriptor; ours can close at once.
    with (tmp_path / "service.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"], env=env, cwd=tmp_path, stdout=log, stderr=log
        )


def _received(fake: FakeTelegram) -> Counter:
    """(officer, task line) -> how many reminders for it reached the officer's chat."""
    return Counter(
        (chat_id, message.text.split("\n")[1])
        for chat_id in OFFICERS
        for message in fake.messages(int(chat_id))
        if message.text and "Nhắc việc" in message.text
    )


def _states(database_url: str) -> Counter:
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        states = Counter(r.state for r in session.exec(select(Reminder)))
    engine.dispose()
    return states


def _in_flight_at(fake: FakeTelegram, moment: float, grace: float = 0.05) -> int:
    """Sends that reached the fake before `moment` and were not answered `grace` before it."""
    return sum(
        1
        for call in fake.sent_log
        if call.method == "sendMessage"
        and call.at < moment
        and (call.answered_at is None or call.answered_at > moment - grace)
    )


def test_sigkill_mid_dispatch_loses_nothing_and_duplicates_at_most_those_in_flight(
    tmp_path, pinned_now
):
    pinned_now(DAY)
    database_url = f"sqlite:///{tmp_path / 'nhacviec.db'}"
    assert _prepare(database_url) >= len(OFFICERS) * TASKS
    with FakeTelegram() as fake:
        # Each send takes a while and reaches the chat before the bot hears back: killing the
        # bot mid-send leaves a message delivered but not recorded.
        fake.set_delay(0.25, deliver_first=True)
        for chat_id in OFFICERS:
            fake.user(int(chat_id), f"Cán bộ {chat_id}")
        service = _start_service(fake, database_url, tmp_path)
        try:
            fake.wait_for_sync(lambda: sum(_received(fake).values()) >= 6, timeout=60)
            # Wait for a send that is under way, then kill.
            fake.wait_for_sync(
                lambda: any(c.method == "sendMessage" and c.status is None for c in fake.sent_log),
                timeout=30,
            )
            service.send_signal(signal.SIGKILL)
            killed_at = time.monotonic()
            service.wait(timeout=10)
        finally:
            if service.poll() is None:
                service.kill()
        sent_before_restart = sum(_received(fake).values())
        assert 0 < sent_before_restart < len(OFFICERS) * TASKS

        fake.set_delay(0)
        service = _start_service(fake, database_url, tmp_path)
        try:
            expected = len(OFFICERS) * TASKS
            fake.wait_for_sync(lambda: len(_received(fake)) >= expected, timeout=90)
            wait_until(lambda: ledger_is_final(database_url), timeout=30, what="a final ledger")
        finally:
            service.send_signal(signal.SIGTERM)
            service.wait(timeout=20)
    # The ledger is final and the service has exited: the chats hold all it will ever send.

    texts = _received(fake)
    assert len(texts) == len(OFFICERS) * TASKS  # every officer got every task's reminder
    duplicates = {key: count for key, count in texts.items() if count > 1}
    # Sends run concurrently: what was in flight at the kill may arrive twice, nothing else.
    assert len(duplicates) <= _in_flight_at(fake, killed_at)
    assert all(count == 2 for count in duplicates.values())
    states = _states(database_url)
    assert states[ReminderState.SENT] == len(OFFICERS) * TASKS
    assert states[ReminderState.SENDING] == 0
