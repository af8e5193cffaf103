"""The console channel as a person at the terminal uses it."""

from __future__ import annotations

import asyncio
import io

from bot.channels.console import ConsoleChannel


def _run(lines: str) -> tuple[str, list]:
    """Feed `lines` to a console channel; return what it printed and what it passed on."""
    received: list = []
    output = io.StringIO()

    async def main() -> None:
        done = asyncio.Event()
        channel = ConsoleChannel(
            personas={"daumoi": ("demo-coordinator", "Đầu mối")},
            current="daumoi",
            input_stream=io.StringIO(lines),
            output=output,
            on_eof=done.set,
        )

        async def on_incoming(incoming):
            received.append(incoming)
            return []

        await channel.start(on_incoming)
        await asyncio.wait_for(done.wait(), timeout=5)

    asyncio.run(main())
    return output.getvalue(), received


def test_sending_a_missing_file_says_it_was_not_found(tmp_path):
    missing = tmp_path / "ke-hoach.docx"
    printed, received = _run(f"/tep {missing}\n")
    assert received == []  # nothing reaches the bot: an empty upload would be called "empty"
    assert "Không tìm thấy tệp" in printed and str(missing) in printed


def test_sending_a_file_passes_its_bytes(tmp_path):
    plan = tmp_path / "ke-hoach.txt"
    plan.write_bytes(b"TT\tNoi dung\n")
    _printed, received = _run(f"/tep {plan}\n")
    assert [(item.upload.filename, item.upload.data) for item in received] == [
        ("ke-hoach.txt", b"TT\tNoi dung\n")
    ]


def test_sending_a_folder_says_it_was_not_found_and_the_console_goes_on(tmp_path):
    printed, received = _run(f"/tep {tmp_path}\n/tiendo\n")
    assert "Không tìm thấy tệp" in printed
    assert [item.text for item in received] == ["/tiendo"]
