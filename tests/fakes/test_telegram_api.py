"""The fake Bot API server, driven by the real python-telegram-bot 22 stack over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import json
import logging
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram_api import DEFAULT_TOKEN, FakeTelegram

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
# Generous bounds: a wait only fails when something is broken, never because a machine is slow.
TIMEOUT = 10.0
LAN_ID = 1001
TASK = "nộp báo cáo quý"
PNG_2X3 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000030806000000b5b7b50a0000000049454e44ae426082"
)


@pytest.fixture(params=["same-loop", "thread"])
async def fake(request: pytest.FixtureRequest) -> AsyncIterator[FakeTelegram]:
    """The fake served on the test's loop, or from its own thread (as for a bot subprocess)."""
    server = FakeTelegram()
    if request.param == "thread":
        server.start_in_thread()
        yield server
        server.stop_thread()
    else:
        async with server:
            yield server


def fake_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    """A plain PTB Bot pointed at the fake."""
    return Bot(token or fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)


# --------------------------------------------------------------------------- a tiny real bot


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet and offer today's task with two buttons."""
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Xong", callback_data="done:7")],
            [InlineKeyboardButton("Hoãn 1 ngày", callback_data="snooze:7")],
        ]
    )
    await update.effective_message.reply_text(
        f"Chào {update.effective_user.first_name}! Việc hôm nay: <b>{TASK}</b>",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledge the press, then replace the keyboard by the outcome."""
    query = update.callback_query
    await query.answer("Đã ghi nhận")
    verb = "Đã xong" if query.data.startswith("done:") else "Đã hoãn"
    await query.edit_message_text(f"✅ {verb}: {TASK}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo text; a reply to one of our messages is answered as such, quoting the user."""
    message = update.effective_message
    seen: list[tuple[str, Any]] = context.bot_data["seen"]
    if message.reply_to_message is not None:
        replied = message.reply_to_message.message_id
        seen.append(("reply", replied))
        await message.reply_text(f"Bạn trả lời tin {replied}: {message.text}", do_quote=True)
    else:
        seen.append(("echo", update.update_id))
        await message.reply_text(f"echo: {message.text}")


async def receive_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download an uploaded document through getFile and report what arrived."""
    document = update.effective_message.document
    data = await (await document.get_file()).download_as_bytearray()
    await update.effective_message.reply_text(
        f"Nhận {document.file_name}: {len(data)} byte, bắt đầu {bytes(data[:4])!r}"
    )


class _Problems(logging.Handler):
    """Collects every warning or error logged while the bot runs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.asynccontextmanager
async def running_bot(fake: FakeTelegram) -> AsyncIterator[list[tuple[str, Any]]]:
    """Run a real PTB Application with long polling against the fake; check it stops cleanly."""
    app: Application = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.bot_data["seen"] = seen = []
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^(done|snooze):"))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.Document.ALL, receive_document))

    problems = _Problems()
    logging.getLogger().addHandler(problems)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            async with app:
                await app.start()
                # A short poll timeout keeps start and stop quick.
                await app.updater.start_polling(timeout=dtm.timedelta(seconds=1))
                try:
                    yield seen
                finally:
                    await app.updater.stop()
                    await app.stop()
    finally:
        logging.getLogger().removeHandler(problems)

    leftover = [
        task
        for task in asyncio.all_tasks()
        if "/telegram/" in getattr(getattr(task.get_coro(), "cr_code", None), "co_filename", "")
    ]
    assert leftover == [], f"PTB tasks still pending after shutdown: {leftover}"
    assert [str(w.message) for w in caught] == []
    assert [r.getMessage() for r in problems.records] == []


# --------------------------------------------------------------------------- what a user sees


async def test_start_shows_buttons_and_pressing_one_edits_the_message(fake: FakeTelegram) -> None:
    lan = fake.user(LAN_ID, "Lan", username="lan_nguyen")
    async with running_bot(fake):
        await lan.send("/start")
        menu = await lan.next_message(TIMEOUT)
        query_id = await lan.press(menu, "done:7")
        edited = await lan.next_edit(TIMEOUT)
        answer = await fake.wait_callback_answer(query_id, TIMEOUT)

    # HTML markup is parsed and stripped, as the user's client shows it.
    assert menu.text == f"Chào Lan! Việc hôm nay: {TASK}"
    assert menu.parse_mode == "HTML"
    assert menu.buttons == [("Xong", "done:7"), ("Hoãn 1 ngày", "snooze:7")]
    assert edited.message_id == menu.message_id
    assert edited.text == f"✅ Đã xong: {TASK}"
    assert edited.buttons == []  # an edit without reply_markup drops the keyboard
    assert edited.edited
    assert (answer.text, answer.data, answer.message_id) == (
        "Đã ghi nhận",
        "done:7",
        menu.message_id,
    )
    assert [m.text for m in fake.messages(LAN_ID)] == [edited.text]
    assert len(fake.calls("sendMessage", chat_id=LAN_ID)) == 1
    assert len(fake.calls("editMessageText", chat_id=LAN_ID, message_id=menu.message_id)) == 1


async def test_reply_to_a_bot_message_reaches_the_handler(fake: FakeTelegram) -> None:
    lan = fake.user(LAN_ID, "Lan")
    async with running_bot(fake) as seen:
        await lan.send("/start")
        menu = await lan.next_message(TIMEOUT)
        mine = await lan.send("xong rồi", reply_to=menu)
        answer = await lan.next_message(TIMEOUT)

    assert seen == [("reply", menu.message_id)]
    assert answer.text == f"Bạn trả lời tin {menu.message_id}: xong rồi"
    # The bot quoted the user's message through reply_parameters.
    assert answer.reply_to_message_id == mine.message_id
    assert answer.raw["reply_to_message"]["text"] == "xong rồi"


async def test_confirmed_updates_are_never_delivered_twice(fake: FakeTelegram) -> None:
    lan = fake.user(LAN_ID, "Lan")
    async with running_bot(fake) as seen:
        for text in ("một", "hai", "ba"):
            await lan.send(text)
        echoes = [(await lan.next_message(TIMEOUT)).text for _ in range(3)]
        await fake.wait_for(lambda: not fake.pending_updates(), TIMEOUT)

    # A second bot process starts from the confirmed offset: it sees only what is new.
    async with running_bot(fake) as seen_again:
        await lan.send("bốn")
        later = await lan.next_message(TIMEOUT)

    assert echoes == ["echo: một", "echo: hai", "echo: ba"]
    assert later.text == "echo: bốn"
    assert len(seen) == 3 and len(seen_again) == 1
    delivered = fake.delivered_update_ids()
    assert len(delivered) == len(set(delivered)) == 4
    assert len(fake.messages(LAN_ID)) == 4


async def test_uploaded_document_can_be_downloaded_by_the_bot(fake: FakeTelegram) -> None:
    lan = fake.user(LAN_ID, "Lan")
    plan = b"PK\x03\x04 a pretend .xlsx plan"
    async with running_bot(fake):
        await lan.send_document("ke-hoach-2026.xlsx", plan, caption="Kế hoạch năm")
        answer = await lan.next_message(TIMEOUT)

    assert answer.text == f"Nhận ke-hoach-2026.xlsx: {len(plan)} byte, bắt đầu b'PK\\x03\\x04'"
    assert len(fake.calls("getFile")) == 1


# --------------------------------------------------------------------------- raw protocol


async def test_get_updates_honours_offset_timeout_and_every_encoding(fake: FakeTelegram) -> None:
    lan = fake.user(LAN_ID, "Lan")
    async with aiohttp.ClientSession() as http:

        async def call(method: str, how: str = "json", **params: Any) -> tuple[int, Any]:
            url = fake.api_url(method)
            if how == "json":
                request = http.post(url, json=params)
            elif how == "form":
                request = http.post(url, data={k: str(v) for k, v in params.items()})
            else:
                request = http.get(url, params={k: str(v) for k, v in params.items()})
            async with request as response:
                return response.status, await response.json()

        lan.send_nowait("/start@nhacviec_test_bot")
        lan.send_nowait("hai")
        _, first = await call("getUpdates")
        _, again = await call("getUpdates", "form", timeout=0)
        ids = [u["update_id"] for u in first["result"]]
        assert ids == [u["update_id"] for u in again["result"]]  # unconfirmed: served again
        command = first["result"][0]["message"]
        assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 24}]
        assert command["date"] < 10**10  # seconds, not milliseconds

        _, rest = await call("getUpdates", "get", offset=ids[0] + 1)
        assert [u["update_id"] for u in rest["result"]] == ids[1:]
        _, empty = await call("getUpdates", offset=ids[1] + 1, timeout=1)
        assert empty["result"] == [] and fake.pending_updates() == []

        # A long poll answers as soon as an update arrives, well before its 30 s timeout.
        poll = asyncio.create_task(call("getUpdates", offset=ids[1] + 1, timeout=30))
        await fake.wait_for_call("getUpdates", {"timeout": 30}, timeout=TIMEOUT)
        lan.send_nowait("ba")
        _, woken = await asyncio.wait_for(poll, TIMEOUT)
        assert [u["message"]["text"] for u in woken["result"]] == ["ba"]

        # A newer poll ends an older one with 409, as when two bot instances run.
        older = asyncio.create_task(call("getUpdates", offset=ids[1] + 2, timeout=30))
        await fake.wait_for_call("getUpdates", {"offset": ids[1] + 2}, timeout=TIMEOUT)
        await call("getUpdates", offset=ids[1] + 2, timeout=0)
        status, conflict = await asyncio.wait_for(older, TIMEOUT)
        assert status == 409 and conflict["description"].startswith("Conflict: terminated")

        # A negative offset keeps only the last updates.
        for text in ("4", "5", "6"):
            lan.send_nowait(text)
        _, last = await call("getUpdates", offset=-1)
        assert [u["message"]["text"] for u in last["result"]] == ["6"]

        status, unknown = await call("sendTelepathy")
        assert (status, unknown) == (
            404,
            {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
        )
        async with http.get(f"{fake.base_url}999:wrong/getMe") as response:
            assert response.status == 401
            assert (await response.json())["description"] == "Unauthorized"


async def test_send_message_stores_markup_and_replies_from_form_params(fake: FakeTelegram) -> None:
    lan = fake.user(LAN_ID, "Lan")
    question = lan.send_nowait("khi nào hạn?")
    async with aiohttp.ClientSession() as http:
        form = {
            "chat_id": str(LAN_ID),
            "text": "Thứ Sáu",
            "reply_parameters": json.dumps({"message_id": question.message_id}),
            "reply_markup": json.dumps(
                {"inline_keyboard": [[{"text": "Xem", "callback_data": "view:7"}]]}
            ),
        }
        async with http.post(fake.api_url("sendMessage"), data=form) as response:
            sent = (await response.json())["result"]

    assert sent["message_id"] == question.message_id + 1  # one sequence per private chat
    assert sent["from"]["is_bot"] is True
    assert sent["reply_to_message"]["message_id"] == question.message_id
    stored = fake.messages(LAN_ID)[0]
    assert stored.buttons == [("Xem", "view:7")]
    assert stored.reply_to_message_id == question.message_id
    assert fake.sent_log[-1].params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Xem"


# --------------------------------------------------------------------------- failures and rules


async def test_injected_failures_surface_as_ptb_errors(
    fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # retry_after as a timedelta, without warnings
    lan = fake.user(LAN_ID, "Lan")
    async with fake_bot(fake) as bot:
        fake.fail_next("retry_after", retry_after=7, chat_id=LAN_ID)
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(LAN_ID, "một")
        assert flood.value.retry_after == dtm.timedelta(seconds=7)
        await bot.send_message(LAN_ID, "hai")  # only the next call failed

        fake.fail_next("blocked", chat_id=LAN_ID)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(LAN_ID, "ba")

        fake.fail_next("server_error", times=2)
        for text in ("bốn", "năm"):
            with pytest.raises(NetworkError, match="Internal Server Error"):
                await bot.send_message(LAN_ID, text)

        lan.block()
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(LAN_ID, "sáu")
        lan.unblock()

        fake.fail_next("retry_after", times=None, retry_after=3)
        for text in ("bảy", "tám"):
            with pytest.raises(RetryAfter):
                await bot.send_message(LAN_ID, text)
        fake.clear_failures()
        await bot.send_message(LAN_ID, "chín")

    statuses = [call.status for call in fake.calls("sendMessage", chat_id=LAN_ID)]
    assert statuses == [429, 200, 403, 500, 500, 403, 429, 429, 200]
    assert [m.text for m in fake.messages(LAN_ID)] == ["hai", "chín"]


async def test_bad_token_and_unknown_method(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with fake_bot(fake, token="999:wrong"):
            pass
    async with fake_bot(fake) as bot:
        me = await bot.get_me()
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("sendTelepathy")
    assert (me.is_bot, me.username) == (True, "nhacviec_test_bot")


async def test_bot_api_rules_are_enforced(fake: FakeTelegram) -> None:
    fake.user(LAN_ID, "Lan")
    async with fake_bot(fake) as bot:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(LAN_ID, "hạn < 3 ngày", parse_mode=ParseMode.HTML)
        shown = await bot.send_message(LAN_ID, "<b>Hạn</b> &lt;3 ngày&gt;", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(LAN_ID, "a" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(42, "ai đó")
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text("Hạn <3 ngày>", chat_id=LAN_ID, message_id=shown.id)
        with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
            await bot.send_message(LAN_ID, "x", reply_to_message_id=999)
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            too_long = InlineKeyboardButton("x", callback_data="d" * 65)
            await bot.send_message(LAN_ID, "x", reply_markup=InlineKeyboardMarkup([[too_long]]))

        await bot.set_my_commands([("start", "Bắt đầu"), ("tiendo", "Tiến độ")])
        commands = await bot.get_my_commands()
        with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
            await bot.set_my_commands([("TienDo", "Tiến độ")])
        assert await bot.send_chat_action(LAN_ID, "typing")

        await bot.set_webhook("https://example.invalid/hook")
        info = await bot.get_webhook_info()
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        await bot.delete_webhook()

    assert shown.text == "Hạn <3 ngày>"
    assert [(c.command, c.description) for c in commands] == [
        ("start", "Bắt đầu"),
        ("tiendo", "Tiến độ"),
    ]
    assert info.url == "https://example.invalid/hook"


async def test_press_refuses_buttons_the_message_does_not_offer(fake: FakeTelegram) -> None:
    lan = fake.user(LAN_ID, "Lan")
    async with fake_bot(fake) as bot:
        plain = await bot.send_message(LAN_ID, "không có nút")
    with pytest.raises(ValueError, match="no button"):
        await lan.press(fake.messages(LAN_ID)[0], "done:7")
    assert plain.reply_markup is None


async def test_files_sent_by_the_bot_keep_name_and_bytes(fake: FakeTelegram) -> None:
    fake.user(LAN_ID, "Lan")
    report = b"bao cao tien do\n" * 100
    async with fake_bot(fake) as bot:
        sent = await bot.send_document(
            LAN_ID, report, filename="tien-do.xlsx", caption="<i>Tiến độ</i>", parse_mode="HTML"
        )
        photo = await bot.send_photo(LAN_ID, PNG_2X3, caption="Biểu đồ")
        resent = await bot.send_document(LAN_ID, sent.document.file_id)
        downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()

    document, chart, again = fake.messages(LAN_ID)
    assert (document.document.filename, document.document.data) == ("tien-do.xlsx", report)
    assert document.caption == "Tiến độ"
    assert (photo.photo[-1].width, photo.photo[-1].height) == (2, 3)
    assert chart.photo.data == PNG_2X3
    assert again.document == document.document
    assert resent.document.file_name == "tien-do.xlsx"
    assert bytes(downloaded) == report


async def test_a_delayed_send_is_delivered_although_the_bot_dies_waiting(
    fake: FakeTelegram,
) -> None:
    lan = fake.user(LAN_ID, "Lan")
    fake.set_delay(60, chat_id=LAN_ID)
    async with fake_bot(fake) as bot:
        send = asyncio.create_task(bot.send_message(LAN_ID, f"Nhắc: {TASK}"))
        delivered = await lan.next_message(TIMEOUT)
        pending = fake.calls("sendMessage", chat_id=LAN_ID)
        assert not send.done()  # the answer is held back for a minute
        send.cancel()  # the bot is killed mid-send
        with contextlib.suppress(asyncio.CancelledError):
            await send

    assert delivered.text == f"Nhắc: {TASK}"
    assert [call.status for call in pending] == [None]  # the call was still unanswered


# --------------------------------------------------------------------------- other ways to run


def test_sync_test_with_a_bot_in_another_thread() -> None:
    with FakeTelegram() as fake:
        lan = fake.user(LAN_ID, "Lan")

        async def echo_once() -> None:
            async with fake_bot(fake) as bot:
                updates: list[Update] = []
                while not updates:
                    updates = list(await bot.get_updates(timeout=5))
                text = updates[0].message.text
                await bot.send_message(LAN_ID, f"echo: {text}")
                await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)

        bot_thread = threading.Thread(target=asyncio.run, args=(echo_once(),))
        bot_thread.start()
        lan.send_nowait("xin chào")
        reply = lan.next_message_sync(TIMEOUT)
        bot_thread.join(TIMEOUT)

        assert not bot_thread.is_alive()
        assert reply.text == "echo: xin chào"
        assert fake.wait_for_sync(lambda: not fake.pending_updates(), TIMEOUT)


def test_standalone_module_serves_and_relays_stdin() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.telegram_api", "--port", "0", "--user-id", "7"],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as demo:
        try:
            assert demo.stdout is not None and demo.stdin is not None
            base_url = next(line for line in demo.stdout if line.startswith("URL ")).split()[1]

            def call(method: str, **params: Any) -> Any:
                data = urllib.parse.urlencode(params).encode()
                url = f"{base_url}{DEFAULT_TOKEN}/{method}"
                with urllib.request.urlopen(url, data=data, timeout=TIMEOUT) as response:
                    return json.load(response)["result"]

            assert call("getMe")["is_bot"] is True
            demo.stdin.write("/start\n")
            demo.stdin.flush()
            updates: list[dict] = []
            while not updates:
                updates = call("getUpdates", timeout=5)
            assert updates[0]["message"]["text"] == "/start"
            call("sendMessage", chat_id=7, text="Chào bạn")
            assert "Chào bạn" in next(line for line in demo.stdout if line.startswith("[bot -> 7]"))
        finally:
            demo.terminate()
