"""The coordinator's side in the console demo, where buttons are typed as numbers."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

REPO = Path(__file__).resolve().parents[2]


class _Demo:
    """`nhacviec run` without a token, typed into line by line, its output read as it comes."""

    def __init__(self, tmp_path: Path) -> None:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "PYTHONPATH": str(REPO),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
            "NHACVIEC_TICK_SECONDS": "0.2",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--demo"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={key: value for key, value in env.items() if value},
            cwd=tmp_path,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def type(self, text: str) -> None:
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def wait_for(self, *needles: str, timeout: float = 20.0) -> str:
        """Everything printed from now until all needles have appeared."""
        deadline = time.monotonic() + timeout
        printed: list[str] = []
        while not all(needle in "".join(printed) for needle in needles):
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"not printed: {needles}\n{''.join(self.seen + printed)[-3000:]}")
            try:
                printed.append(self.lines.get(timeout=left))
            except queue.Empty:
                continue
        self.seen += printed
        return "".join(printed)

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        finally:
            if self.process.poll() is None:
                self.process.kill()


def test_console_confirmation_and_extension_by_number_and_the_report(tmp_path):
    demo = _Demo(tmp_path)
    try:
        demo.wait_for("chạy thử")
        demo.type("1 xong")
        demo.wait_for("chờ đầu mối tổng hợp xác nhận")
        notice = demo.wait_for("Chờ xác nhận", "1. Xác nhận hoàn thành\n2. Yêu cầu bổ sung")
        assert "Rà soát, cập nhật danh mục" in notice
        demo.type("/vai daumoi")
        demo.type("1")
        demo.wait_for("Đã xác nhận: nhiệm vụ 1 hoàn thành")
        demo.wait_for("đã xác nhận hoàn thành nhiệm vụ 1")  # the officer is told
        wanted = (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(days=70)).date()
        demo.type("/vai canbo")
        demo.type(f"3 xin gia hạn đến {wanted:%d/%m/%Y}")
        demo.wait_for("Xin gia hạn đến", "1. Duyệt gia hạn\n2. Không duyệt")
        demo.type("/vai daumoi")
        demo.type("1")
        demo.wait_for("Đã duyệt: nhiệm vụ 3", f"{wanted:%d/%m/%Y}")
        demo.wait_for("thời hạn mới")  # the officer is told
        demo.type("/tiendo")
        summary = demo.wait_for("Theo cơ quan chủ trì")
        assert "Hoàn thành đúng hạn: 1" in summary
        demo.type("/baocao")
        demo.wait_for("Đã lưu tệp", ".png")
    finally:
        demo.close()
    [workbook] = tmp_path.glob("bao-cao-tien-do-*.xlsx")
    assert load_workbook(workbook).sheetnames == ["Tổng hợp", "Nhiệm vụ", "Quá hạn", "Lịch sử"]
