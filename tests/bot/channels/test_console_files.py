"""A file the bot sends in the console demo (the review workbook) lands where it can be opened."""

from __future__ import annotations

import asyncio
import io

from bot.channels.console import ConsoleChannel
from core.messages import Answer, FileUpload


def test_an_attachment_is_saved_beside_the_others_and_named_for_sending_back(tmp_path):
    output = io.StringIO()
    channel = ConsoleChannel(
        personas={"daumoi": ("demo-coordinator", "Đầu mối")},
        current="daumoi",
        input_stream=io.StringIO(""),
        output=output,
        files_dir=tmp_path,
    )
    (tmp_path / "ke-hoach.xlsx").write_bytes(b"older")
    answer = Answer(text="Bảng kiểm tra", attachment=FileUpload("ke-hoach.xlsx", b"workbook"))
    asyncio.run(channel.send("demo-coordinator", answer))
    saved = tmp_path / "ke-hoach-2.xlsx"
    assert saved.read_bytes() == b"workbook"
    assert (tmp_path / "ke-hoach.xlsx").read_bytes() == b"older"
    printed = output.getvalue()
    assert f"Đã lưu tệp: {saved}" in printed and f"/tep {saved}" in printed
