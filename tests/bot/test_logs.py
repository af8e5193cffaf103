"""The log an operator reads: one format, the chat hashed, library chatter kept for debugging."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import threading

import pytest

import bot.service
from bot.logs import chat_context, chat_tag, configure_logging
from bot.service import serve
from bot.settings import Settings
from tests.e2e.test_telegram import QUIET_DAY, _cli, _invite, configured, fake_telegram

__all__ = ["configured", "fake_telegram"]  # fixtures shared with tests/e2e/test_telegram.py

# time, level, worker (host:pid), logger, what the line is about when known, message.
LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"[\w.-]+:\d+ [\w.]+( chat=\w+:[0-9a-f]{10})?( task=\d+)?( reminder=\d+)?: \S"
)
OFFICER_CHAT = 734125986  # long enough that it appears in no timestamp or pid by chance


@pytest.fixture
def log_output():
    """Configure logging as `nhacviec run` does, into a buffer; restore the root logger after."""
    root = logging.getLogger()
    level, handlers = root.level, set(root.handlers)
    buffer = io.StringIO()
    configure_logging("INFO", key="deployment-secret", stream=buffer)
    yield buffer
    for handler in set(root.handlers) - handlers:
        root.removeHandler(handler)
    root.setLevel(level)


async def _until(predicate, timeout: float = 30.0) -> None:
    """Wait for something the fake Bot API cannot signal (a line in the log)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.05)


def _records(text: str) -> list[str]:
    """Log records, each with its traceback lines (those that do not start with a time)."""
    records: list[str] = []
    for line in text.splitlines():
        if re.match(r"^\d{4}-\d\d-\d\dT", line) or not records:
            records.append(line)
        else:
            records[-1] += "\n" + line
    return records


def test_each_line_names_time_level_worker_logger_and_what_it_is_about(log_output):
    log = logging.getLogger("schedules.dispatch")
    log.warning("reminder 40 not sent", extra={"reminder_id": 40, "chat": ("telegram", "98765")})
    log.info("task 12 updated", extra={"task_id": 12})

    def in_a_worker_thread():
        with chat_context("telegram", "98765"):
            logging.getLogger("handlers.conversation").info("answered")

    worker = threading.Thread(target=in_a_worker_thread)
    worker.start()
    worker.join()
    logging.getLogger("bot.service").info("no chat here")

    lines = log_output.getvalue().splitlines()
    assert all(LINE.match(line) for line in lines), lines
    tag = chat_tag("telegram", "98765")
    assert tag != chat_tag("telegram", "98766") and tag.startswith("telegram:")
    assert " WARNING " in lines[0] and f"schedules.dispatch chat={tag} reminder=40: " in lines[0]
    assert "schedules.dispatch task=12: task 12 updated" in lines[1]
    assert f"handlers.conversation chat={tag}: answered" in lines[2]
    assert "bot.service: no chat here" in lines[3]
    assert "98765" not in log_output.getvalue()


def test_the_same_chat_has_the_same_tag_only_under_the_same_key(log_output):
    tag = chat_tag("telegram", "98765")
    assert chat_tag("telegram", "98765") == tag
    configure_logging("INFO", key="another-deployment", stream=log_output)
    assert chat_tag("telegram", "98765") != tag


def test_library_bookkeeping_is_debug_but_a_migration_run_is_shown(log_output):
    logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
    logging.getLogger("alembic.runtime.migration").info("Running %s", "upgrade 0002 -> 0003")
    logging.getLogger("apscheduler.executors.default").info('Running job "dispatch"')
    logging.getLogger("apscheduler.scheduler").warning("Execution of job skipped")
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot123:ABC/getMe")
    try:
        raise asyncio.CancelledError
    except asyncio.CancelledError:
        logging.getLogger("apscheduler.executors.default").exception("Error running job")

    lines = log_output.getvalue().splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "Running upgrade 0002 -> 0003",
        "Execution of job skipped",
    ]


def test_debug_level_shows_the_bookkeeping(log_output):
    configure_logging("DEBUG", stream=log_output)
    logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
    (line,) = log_output.getvalue().splitlines()
    assert " DEBUG " in line and LINE.match(line)


@pytest.mark.e2e
async def test_a_raw_chat_id_never_reaches_the_log(
    fake_telegram, configured, log_output, capsys, monkeypatch, tmp_path, pinned_now
):
    from bot.service import sample_plan_text

    # A working day: the reminder whose failed send is logged goes out only on one.
    today = pinned_now(QUIET_DAY).date()
    plan = tmp_path / "ke-hoach-mau.txt"
    plan.write_text(sample_plan_text(today), encoding="utf-8")
    _cli(capsys, "import", str(plan))
    code = _invite(capsys, "Sở KH&CN", "officer")
    real_handle = bot.service.handle

    def handle(incoming, context):
        if incoming.text == "lỗi":  # a bug whose message quotes the chat id
            raise RuntimeError(f"no state for chat {incoming.chat_id}")
        return real_handle(incoming, context)

    monkeypatch.setattr(bot.service, "handle", handle)
    officer = fake_telegram.user(OFFICER_CHAT, "Lan")
    # Telegram fails every send to the officer at first: the welcome, the apology for it and
    # the first reminder each leave a line naming the chat.
    fake_telegram.fail_next("server_error", chat_id=OFFICER_CHAT, times=None)
    stop = asyncio.Event()
    service = asyncio.create_task(serve(Settings(), stop=stop))
    try:
        await officer.send(f"/start {code}")
        await _until(lambda: "not sent" in log_output.getvalue())
        fake_telegram.clear_failures()
        await officer.send("lỗi")
        await fake_telegram.wait_for(
            lambda: any("Xin lỗi" in (m.text or "") for m in officer.messages()) or None,
            timeout=30,
        )
        await officer.send("/tiendo")
        await fake_telegram.wait_for(
            lambda: any("Tiến độ" in (m.text or "") for m in officer.messages()) or None,
            timeout=30,
        )
    finally:
        stop.set()
        await asyncio.wait_for(service, timeout=30)

    output = log_output.getvalue()
    records = _records(output)
    assert all(LINE.match(record) for record in records), records
    assert str(OFFICER_CHAT) not in output
    tag = chat_tag("telegram", str(OFFICER_CHAT))
    about_the_officer = [record for record in records if f" chat={tag}" in record]
    assert any("error while handling update" in record for record in about_the_officer)
    assert any(f"no state for chat {tag}" in record for record in about_the_officer)
    assert any(
        re.search(r" reminder=\d+: reminder \d+ not sent", record) for record in about_the_officer
    )
    assert any("/tiendo answered in" in record for record in about_the_officer)
    assert "lỗi" not in output and "Lan" not in output  # what people write stays out too
