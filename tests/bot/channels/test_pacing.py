"""Splitting long texts and pacing sends as Telegram requires."""

from __future__ import annotations

import asyncio

from bot.channels.pacing import Limits, RateGate, split_text, utf16_length


def test_emoji_count_twice_and_a_long_line_is_cut_between_characters():
    text = "🔔 Nhắc việc\n" + "🌾" * 2505 + "\nTrả lời tin nhắn này"
    parts = split_text(text, 4096)
    assert all(utf16_length(part) <= 4096 for part in parts)
    assert len(parts) == 2
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
    assert parts[0].startswith("🔔 Nhắc việc\n🌾")


def test_lines_stay_whole_when_they_fit():
    lines = [f"Dòng {n}: " + "x" * 50 for n in range(200)]
    parts = split_text("\n".join(lines), 1000)
    assert all(utf16_length(part) <= 1000 for part in parts)
    assert [line for part in parts for line in part.split("\n")] == lines


def test_a_long_line_of_words_is_cut_at_a_space():
    words = " ".join(["nhiệm"] * 1000)
    parts = split_text(words, 1000)
    assert all(utf16_length(part) <= 1000 for part in parts)
    assert all(not part.startswith(" ") and "nhiệ " not in part for part in parts)
    assert " ".join(parts).split() == words.split()


def test_the_gate_keeps_the_overall_rate_and_one_message_a_second_per_chat():
    async def scenario():
        gate = RateGate(Limits(per_second=10, margin=0.0))
        loop = asyncio.get_running_loop()
        started = loop.time()
        times: dict[int, list[float]] = {}

        async def send(chat: int):
            await gate.wait_turn(chat, is_group=False)
            times.setdefault(chat, []).append(loop.time() - started)
            await asyncio.sleep(0.01)  # the server's answer
            await gate.answered(chat)

        await asyncio.gather(*(send(chat) for chat in range(20)), send(0), send(0))
        return times

    times = asyncio.run(scenario())
    moments = sorted(t for chat in times.values() for t in chat)
    assert sum(1 for t in moments if t < 0.99) == 10  # ten in the first second, no more
    assert all(b - a >= 0.99 for a, b in zip(times[0], times[0][1:], strict=False))


def test_a_pause_holds_every_chat():
    async def scenario():
        gate = RateGate(Limits())
        loop = asyncio.get_running_loop()
        gate.pause(0.3)
        started = loop.time()

        async def send(chat: int):
            await gate.wait_turn(chat, is_group=False)
            await gate.answered(chat)

        await asyncio.gather(*(send(chat) for chat in range(3)))
        return loop.time() - started

    assert asyncio.run(scenario()) >= 0.29


def test_an_answer_takes_the_chats_next_turn_before_queued_reminders():
    async def scenario():
        gate = RateGate(Limits(per_chat_interval=0.2, margin=0.0))
        order: list[str] = []

        async def send(name: str, *, answer: bool = False):
            await gate.wait_turn(7, is_group=False, answer=answer)
            order.append(name)
            await asyncio.sleep(0.01)
            await gate.answered(7)

        reminders = [asyncio.create_task(send(f"reminder {n}")) for n in range(4)]
        await asyncio.sleep(0.05)  # the first reminder is out, three wait their turn
        await asyncio.gather(send("answer", answer=True), *reminders)
        return order

    order = asyncio.run(scenario())
    assert order[0] == "reminder 0" and order[1] == "answer"
    assert sorted(order[2:]) == ["reminder 1", "reminder 2", "reminder 3"]
