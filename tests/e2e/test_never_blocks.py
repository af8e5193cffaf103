"""Big documents and slow use cases never hold up another chat's answer (issue 8's acceptance).

The real PTB Application talks to the fake Bot API. Each test first times an officer's reply
on the idle service (the baseline), then the same reply while other chats are busy. The issue
asks for an answer within 1 s; on a loaded 2-core machine every round trip grows alike, so the
bound is max(1 s, 4 × the baseline): far below the tens of seconds a blocked loop or a queue
behind the big file costs.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

import bot.service
from bot.service import sample_plan_text, serve
from bot.settings import Settings
from tests.e2e.test_telegram import (
    _cli,
    _invite,
    _message_with,
    _service_today,
    configured,
    fake_telegram,
)
from tests.plans.builders import build_zip_bomb_docx

pytestmark = pytest.mark.e2e

__all__ = ["configured", "fake_telegram"]  # fixtures shared with test_telegram.py


def _bound(baseline: float) -> float:
    return max(1.0, 4 * baseline)


async def _round_trip(person, text: str, expected: str) -> float:
    """Seconds from the officer's message to the bot's answer holding `expected`."""
    start = time.perf_counter()
    await person.send(text)
    await _message_with(person, lambda m: expected in (m.text or ""), timeout=60)
    return time.perf_counter() - start


async def _start_officer(fake_telegram, capsys, tmp_path):
    """An officer of the agency that leads task 1 of the sample plan, welcomed."""
    plan = tmp_path / "ke-hoach-mau.txt"
    plan.write_text(sample_plan_text(_service_today()), encoding="utf-8")
    _cli(capsys, "import", str(plan))
    officer = fake_telegram.user(1001, "Lan")
    await officer.send(f"/start {_invite(capsys, 'Sở KH&CN', 'officer')}")
    await fake_telegram.wait_for(
        lambda: any("Chào mừng" in (m.text or "") for m in officer.messages()), timeout=30
    )
    return officer


async def test_big_files_from_a_coordinator_do_not_hold_up_an_officer(
    fake_telegram, configured, tmp_path, capsys
):
    bomb = build_zip_bomb_docx(tmp_path / "ke-hoach-lon.docx")  # about 400 KB, 100 MB unpacked
    assert bomb.stat().st_size < 600 * 1024
    big_text = ("1\tRà soát thủ tục hành chính\tSở Nội vụ\tQuý I/2026\n" * 400_000).encode()
    big_text = big_text[: 19 * 1024 * 1024]  # under the 20 MB a bot may download
    coordinator_code = _invite(capsys, "Văn phòng UBND tỉnh", "coordinator")

    stop = asyncio.Event()
    service = asyncio.create_task(serve(Settings(), stop=stop))
    try:
        officer = await _start_officer(fake_telegram, capsys, tmp_path)
        coordinator = fake_telegram.user(2002, "Minh")
        await coordinator.send(f"/start {coordinator_code}")
        await _message_with(coordinator, lambda m: "Chào mừng" in (m.text or ""))
        baseline = await _round_trip(officer, "1 đang làm 50%", "đang thực hiện (50%)")

        await coordinator.send_document(bomb.name, bomb.read_bytes())
        await coordinator.send_document("ke-hoach-lon.txt", big_text)
        answered = await _round_trip(officer, "1 xong", "đã hoàn thành")

        # The officer's "xong" also reaches the coordinator, as a request to confirm it.
        refusals = [
            await _message_with(coordinator, lambda m: "Chờ xác nhận" not in (m.text or ""), 60)
            for _ in range(2)
        ]
    finally:
        stop.set()
        await asyncio.wait_for(service, timeout=30)

    assert answered < _bound(baseline), f"answered in {answered:.2f} s, baseline {baseline:.2f} s"
    texts = sorted(message.text for message in refusals)
    assert any("nén theo cách bất thường" in text for text in texts), texts
    assert any("quá dài cho một kế hoạch" in text for text in texts), texts


async def test_a_slow_use_case_does_not_delay_another_chat(
    fake_telegram, configured, tmp_path, capsys, monkeypatch
):
    slow_chat = "3003"
    release = threading.Event()
    real_handle = bot.service.handle

    def handle(incoming, context):
        # A use case that takes as long as the test wants: blocking, as a slow query is.
        if incoming.chat_id == slow_chat:
            release.wait(timeout=30)
        return real_handle(incoming, context)

    monkeypatch.setattr(bot.service, "handle", handle)
    stop = asyncio.Event()
    service = asyncio.create_task(serve(Settings(), stop=stop))
    try:
        officer = await _start_officer(fake_telegram, capsys, tmp_path)
        baseline = await _round_trip(officer, "1 đang làm 50%", "đang thực hiện (50%)")

        stranger = fake_telegram.user(int(slow_chat), "Người lạ")
        await stranger.send("/start SAI-MA")
        await stranger.send("/tiendo")
        answered = await _round_trip(officer, "1 xong", "đã hoàn thành")
        assert stranger.messages() == []  # the slow chat is still being served
        release.set()
        # Its two messages are answered, in the order they were sent.
        answers = [await stranger.next_message(timeout=30) for _ in range(2)]
    finally:
        release.set()
        stop.set()
        await asyncio.wait_for(service, timeout=30)

    assert answered < _bound(baseline), f"answered in {answered:.2f} s, baseline {baseline:.2f} s"
    assert "không hợp lệ" in answers[0].text and "chưa được đăng ký" in answers[1].text
