"""Two `nhacviec worker` processes on one PostgreSQL, killed at random: nothing is lost, and
no more reminders arrive twice than there were kills."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from db.agencies import resolve_agency
from db.engine import make_engine, session_scope
from db.models import Reminder, ReminderState
from schedules.planning import plan_reminders
from tests.e2e.environment import service_process_environment
from tests.e2e.ledger import wait_until
from tests.factories import ZONE, draft, plan, policy, store_plan
from tests.fakes.telegram_api import FakeTelegram

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow]

OFFICERS = 400
TASKS = 5  # one reminder per officer and task is due now: 2,000 in all
FIRST_CHAT = 700_000
KILLS = 6
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def postgres_url(postgres_template):
    from tests.conftest import _drop_postgres_database, _fresh_postgres_url

    url, name = _fresh_postgres_url(postgres_template)
    yield url
    _drop_postgres_database(name)


def _prepare(url: str) -> None:
    """Tasks due in two days and 400 officers (inserted by one statement); reminders planned."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    due = f"ngày {now.astimezone(ZONE).date() + timedelta(days=2):%d/%m/%Y}"
    with session_scope(engine) as session:
        drafts = [draft(str(n), f"Nhiệm vụ số {n}", "Sở Nội vụ", due) for n in range(1, TASKS + 1)]
        store_plan(session, plan(*drafts), today=now.date())
        agency = resolve_agency(session, "Sở Nội vụ")
        session.execute(
            text(
                "INSERT INTO contact (channel, chat_id, display_name, agency_id, role, active, "
                "created_at) SELECT 'telegram', (:first + g)::text, 'Cán bộ ' || g, :agency, "
                "'officer', true, now() FROM generate_series(0, :count - 1) AS g"
            ),
            {"first": FIRST_CHAT, "agency": agency.id, "count": OFFICERS},
        )
        plan_reminders(session, policy=policy(window="00:00-24:00", working_days="all"), now=now)
        due_now = session.exec(select(Reminder).where(Reminder.due_at <= now)).all()
        assert len(due_now) == OFFICERS * TASKS
    engine.dispose()


def _start_worker(fake: FakeTelegram, url: str, log_path) -> subprocess.Popen:
    env = service_process_environment(
        fake,
        url,
        # Long enough that a restarted worker's start-up re-plan, which holds row locks on
        # reminders for its whole transaction, cannot outlast the lease of a live worker.
        NHACVIEC_LEASE_SECONDS="10",
    )
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker"], env=env, cwd=REPO, stdout=log, stderr=log
        )


def _received(fake: FakeTelegram) -> Counter:
    """(chat, task line) -> reminders that reached the chat (read from the fake's call log)."""
    return Counter(
        (call.params["chat_id"], call.params["text"].split("\n")[1])
        for call in fake.calls("sendMessage")
        if call.status == 200 and "Nhắc việc" in call.params["text"]
    )


def test_two_workers_killed_at_random_lose_nothing_and_repeat_at_most_one_per_kill(
    postgres_url, tmp_path
):
    _prepare(postgres_url)
    rng = random.Random(20261125)
    expected = OFFICERS * TASKS
    with FakeTelegram() as fake:
        for chat_id in range(FIRST_CHAT, FIRST_CHAT + OFFICERS):
            fake.user(chat_id, f"Cán bộ {chat_id}")
        logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
        workers = [_start_worker(fake, postgres_url, log) for log in logs]
        kills = 0
        try:
            deadline = time.monotonic() + 240
            while kills < KILLS and sum(_received(fake).values()) < expected * 0.9:
                time.sleep(rng.uniform(1.5, 4.0))
                victim = rng.randrange(2)
                workers[victim].send_signal(signal.SIGKILL)
                workers[victim].wait(timeout=10)
                kills += 1
                workers[victim] = _start_worker(fake, postgres_url, logs[victim])
                assert time.monotonic() < deadline
            wait_until(lambda: len(_received(fake)) >= expected, timeout=180, what="every reminder")
            time.sleep(11)  # a lease (10 s) for a wrong second copy to show up
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
        received = _received(fake)

    assert kills >= 3  # the workers really were killed mid-run
    assert len(received) == expected  # nothing lost
    duplicates = sum(count - 1 for count in received.values())
    print(f"{kills} kills, {duplicates} duplicates, {expected} reminders")
    assert duplicates <= kills, (duplicates, kills)
    engine = make_engine(postgres_url)
    with session_scope(engine) as session:
        states = Counter(r.state for r in session.exec(select(Reminder)))
    engine.dispose()
    assert states[ReminderState.SENT] == expected
    assert states[ReminderState.SENDING] == 0
