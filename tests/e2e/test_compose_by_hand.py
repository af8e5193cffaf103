"""compose.yaml's one bot and two workers, run by hand (Docker is not available here):
scripts/compose_by_hand.sh on a throwaway PostgreSQL against the fake Bot API."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL
from tests.factories import ZONE
from tests.fakes.telegram_api import FakeTelegram

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_one_bot_and_two_workers_on_postgresql(tmp_path):
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server here")
    with FakeTelegram() as fake:
        env = dict(
            os.environ,
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_BASE_URL=fake.base_url,
            NHACVIEC_SEND_WINDOW="00:00-24:00",
            NHACVIEC_WORKING_DAYS="all",
            NHACVIEC_TICK_SECONDS="0.3",
            COMPOSE_POSTGRES_PORT=str(_free_port()),
        )
        env.pop("DATABASE_URL", None)
        log_path = tmp_path / "compose.log"
        with log_path.open("wb") as log:
            compose = subprocess.Popen(
                [str(REPO / "scripts" / "compose_by_hand.sh")],
                env=env,
                cwd=REPO,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + 90
            while not (found := re.search(r" on (\S+)$", log_path.read_text(), re.M)):
                assert compose.poll() is None and time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.5)
            env["DATABASE_URL"] = found.group(1)
            due = datetime.now(ZONE).date() + timedelta(days=2)
            plan_file = tmp_path / "ke-hoach.txt"
            plan_file.write_text(
                "TT\tNội dung\tĐơn vị chủ trì\tThời hạn\n"
                f"1\tRà soát quy chế phối hợp\tSở Nội vụ\tngày {due:%d/%m/%Y}\n",
                encoding="utf-8",
            )
            assert _cli(env, "import", str(plan_file)).returncode == 0
            invited = _cli(env, "invite", "--agency", "Sở Nội vụ").stdout
            code = re.search(r"start=(\w+)", invited).group(1)
            officer = fake.user(5001, "Lan")
            officer.send_nowait(f"/start {code}")
            fake.wait_for_sync(
                lambda: [m for m in fake.messages(5001) if "Nhắc việc" in (m.text or "")] or None,
                timeout=60,
            )
            time.sleep(2)  # room for a second copy from another process
            texts = [m.text for m in fake.messages(5001)]
            assert sum("Chào mừng" in t for t in texts) == 1  # the bot answered
            assert sum("Nhắc việc" in t for t in texts) == 1  # one process delivered it
            assert _cli(env, "health").returncode == 0
            processes = subprocess.run(
                ["ps", "-ww", "-o", "args=", "--ppid", str(compose.pid)],
                capture_output=True,
                text=True,
            ).stdout
            assert processes.count("nhacviec run") == 1
            assert processes.count("nhacviec worker") == 2
        finally:
            os.killpg(compose.pid, signal.SIGTERM)
            compose.wait(timeout=60)
