"""Large documents: what is refused is refused at once, what is read is read in linear time,
and an officer's answer does not wait for either.

Figures and targets (issue 8):
- joining the wrapped lines of a 1 MB text (core.text.join_wrapped): under 1 s;
- reading a 1 MB text plan into paragraphs and tables: under 1 s;
- refusing a 19 MB text file and a 400 KB zip-bomb .docx: under 0.1 s each;
- an officer's reply answered, through the real Telegram stack against the fake Bot API, while
  a coordinator's zip bomb and 19 MB text are being handled: under 1 s.
Extracting tasks from long prose is printed for information, at two sizes: time growing four
times when the text doubles is quadratic. Exits 1 on a FAIL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # for tests.plans.builders and tests.fakes

from core.errors import UserError  # noqa: E402
from core.text import join_wrapped  # noqa: E402
from plans.readers import read_document  # noqa: E402

MEGABYTE = 1_000_000
SENTENCE = (
    "rà soát cập nhật danh mục thủ tục hành chính thực hiện trực tuyến toàn trình sở khoa học "
    "công nghệ ủy ban nhân dân tỉnh báo cáo kết quả quý năm triển khai kế hoạch 71-NQ/TW"
)
WORDS = SENTENCE.split(" ")


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def wrapped_prose(size: int) -> str:
    """Prose wrapped at ~70 characters, some lines broken at a hyphen."""
    rng = random.Random(8)
    lines: list[str] = []
    total = 0
    while total < size:
        line = _words(rng, 10) + ("-" if rng.random() < 0.2 else "")
        lines.append(line)
        total += len(line.encode()) + 1
    return "\n".join(lines)


def task_table(size: int) -> str:
    """A tab-separated task table of about `size` bytes."""
    rng = random.Random(9)
    lines = ["KẾ HOẠCH", "TT\tNội dung nhiệm vụ\tCơ quan chủ trì\tThời gian hoàn thành"]
    total, number = 0, 0
    while total < size:
        number += 1
        line = f"{number}\t{_words(rng, 20)}\tSở Nội vụ\tngày {number % 28 + 1}/3/2026"
        lines.append(line)
        total += len(line.encode()) + 1
    return "\n".join(lines)


def best_of(runs: int, work) -> float:
    """The fastest of `runs` timings (the least disturbed by other work on the machine)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def report(label: str, seconds: float, target: float) -> bool:
    ok = seconds < target
    print(f"{label}: {seconds:.3f} s, target < {target} s: {'PASS' if ok else 'FAIL'}")
    return ok


def refused(path: Path) -> None:
    try:
        read_document(path)
    except UserError:
        return
    raise AssertionError(f"{path.name} was read, not refused")


async def officer_round_trips(folder: Path) -> tuple[float, float]:
    """(idle, during the big uploads) seconds for an officer's reply to be answered."""
    from datetime import date

    from bot.cli import main as nhacviec
    from bot.service import sample_plan_text, serve
    from bot.settings import Settings
    from tests.fakes.telegram_api import FakeTelegram
    from tests.plans.builders import build_zip_bomb_docx

    # In a thread of its own: the CLI's invite asks it for the bot's name synchronously.
    with FakeTelegram() as fake:
        os.environ.update(
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_BASE_URL=fake.base_url,
            DATABASE_URL=f"sqlite:///{folder / 'bench.db'}",
            NHACVIEC_SEND_WINDOW="00:00-24:00",
            NHACVIEC_WORKING_DAYS="all",
            NHACVIEC_TICK_SECONDS="0.2",
        )
        plan = folder / "ke-hoach-mau.txt"
        plan.write_text(sample_plan_text(date.today()), encoding="utf-8")
        codes = {}
        for role, agency in (("officer", "Sở KH&CN"), ("coordinator", "Văn phòng UBND tỉnh")):
            out = folder / f"{role}.out"
            with out.open("w") as handle:
                stdout, sys.stdout = sys.stdout, handle
                try:
                    nhacviec(["import", str(plan)]) if role == "officer" else None
                    nhacviec(["invite", "--agency", agency, "--role", role])
                finally:
                    sys.stdout = stdout
            codes[role] = out.read_text().split("?start=", 1)[1].split()[0]
        stop = asyncio.Event()
        service = asyncio.create_task(serve(Settings(), stop=stop))
        try:
            officer, coordinator = fake.user(1001, "Lan"), fake.user(2002, "Minh")
            await officer.send(f"/start {codes['officer']}")
            await coordinator.send(f"/start {codes['coordinator']}")

            async def round_trip(text: str, expected: str) -> float:
                start = time.perf_counter()
                await officer.send(text)  # the officer names task 1 by its number
                await fake.wait_for(
                    lambda: any(expected in (m.text or "") for m in officer.messages()) or None,
                    timeout=60,
                )
                return time.perf_counter() - start

            for person in (officer, coordinator):
                await fake.wait_for(lambda p=person: len(p.messages()) > 0 or None, timeout=30)
            # The reminders due at joining go out first, one a second per chat (Telegram's
            # rule): measured behind them, an answer would time the pacing, not the loop.
            seen = -1
            while seen != len(officer.messages()):
                seen = len(officer.messages())
                await asyncio.sleep(1.5)
            idle = await round_trip("1 đang làm 50%", "đang thực hiện (50%)")
            await asyncio.sleep(1.1)  # past the chat's one-message-a-second interval again
            bomb = build_zip_bomb_docx(folder / "ke-hoach-lon.docx")
            big = ("1\tRà soát thủ tục\tSở Nội vụ\tQuý I/2026\n" * 500_000).encode()[: 19 << 20]
            await coordinator.send_document(bomb.name, bomb.read_bytes())
            await coordinator.send_document("ke-hoach-lon.txt", big)
            busy = await round_trip("1 xong", "đã hoàn thành")
            await fake.wait_for(lambda: len(coordinator.messages()) >= 3 or None, timeout=60)
        finally:
            stop.set()
            await asyncio.wait_for(service, timeout=30)
    return idle, busy


def main() -> int:
    """Run every measurement; 1 when one misses its target."""
    from plans.extract import extract_plan
    from tests.plans.builders import build_zip_bomb_docx

    ok = True
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        prose = wrapped_prose(MEGABYTE)
        lines = prose.split("\n")
        ok &= report(
            f"join_wrapped, {len(lines)} lines of a 1 MB text",
            best_of(3, lambda: join_wrapped(lines)),
            1.0,
        )
        table = folder / "bang.txt"
        table.write_text(task_table(MEGABYTE), encoding="utf-8")
        ok &= report("read a 1 MB text plan", best_of(3, lambda: read_document(table)), 1.0)
        big = folder / "lon.txt"
        big.write_bytes(
            ("1\tRà soát thủ tục\tSở Nội vụ\tQuý I/2026\n" * 500_000).encode()[: 19 << 20]
        )
        ok &= report("refuse a 19 MB text", best_of(3, lambda: refused(big)), 0.1)
        bomb = build_zip_bomb_docx(folder / "bom.docx")
        ok &= report(
            f"refuse a {bomb.stat().st_size // 1024} KB zip-bomb .docx",
            best_of(3, lambda: refused(bomb)),
            0.1,
        )
        idle, busy = asyncio.run(officer_round_trips(folder))
        print(f"officer's reply answered on an idle bot: {idle:.3f} s")
        ok &= report("officer's reply answered during the big uploads", busy, 1.0)
        for size in (50_000, 100_000):
            path = folder / f"van-xuoi-{size}.txt"
            path.write_text(wrapped_prose(size), encoding="utf-8")
            document = read_document(path)

            def extract(document=document) -> None:
                # No tasks in random prose: the time is what is measured.
                with contextlib.suppress(UserError):
                    extract_plan(document)

            print(
                f"for information: extract tasks from {size // 1000} KB of wrapped prose: "
                f"{best_of(1, extract):.3f} s"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
