"""The `nhacviec` command as an operator or coordinator uses it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import main as nhacviec
from db.engine import make_engine, session_scope
from db.models import Plan, Task


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    """A fresh SQLite store named by DATABASE_URL, as an operator configures it."""
    url = f"sqlite:///{tmp_path / 'store' / 'nhacviec.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    return url


# A Wednesday in mid-quarter: only the sample's task 1 (due in two days) is reminded.
DEMO_DAY = "2026-11-18T09:00:00+07:00"


def _rows(url: str, model) -> list:
    if not Path(url.split("///", 1)[1]).exists():
        return []
    with session_scope(make_engine(url)) as session:
        return list(session.exec(select(model)))


def test_json_dry_run_of_seed_003_gives_the_expected_tasks(seeds_dir, database, capsys):
    assert (
        nhacviec(["import", str(seeds_dir / "003_d0be1ff9ce6fea24.txt"), "--dry-run", "--json"])
        == 0
    )
    printed = json.loads(capsys.readouterr().out)
    expected = json.loads(
        (seeds_dir / "expected" / "003_d0be1ff9ce6fea24.json").read_text(encoding="utf-8")
    )
    assert [task["ref"] for task in printed["tasks"]] == [task["ref"] for task in expected["tasks"]]
    for got, want in zip(printed["tasks"], expected["tasks"], strict=True):
        assert (got["lead"], got["deadline"]) == (want["lead"], want["deadline"]), want["ref"]
    assert _rows(database, Task) == []  # a dry run writes nothing


@pytest.mark.parametrize(
    ("name", "content", "phrase"),
    [
        ("empty.txt", b"", "trống"),
        ("garbage.docx", bytes(range(256)) * 40, "Tệp"),
        ("no-tasks.txt", "Kính gửi các đơn vị.\nTrân trọng.\n".encode(), "nhiệm vụ"),
        (
            "no-header.tsv",
            "Cột 1\tCột 2\tCột 3\n1\tRà soát hồ sơ\tSở Y tế\n2\tBáo cáo\tSở Tài chính\n".encode(),
            "dòng tiêu đề nhận biết được",
        ),
    ],
)
def test_unreadable_file_gives_a_vietnamese_error_and_writes_nothing(
    database, tmp_path, capsys, name, content, phrase
):
    good = Path(__file__).resolve().parents[2] / "bot" / "samples" / "ke-hoach-mau.txt"
    bad = tmp_path / name
    bad.write_bytes(content)
    # The good plan comes first: a batch with a bad file must not leave the good one half-imported.
    assert nhacviec(["import", str(good), str(bad)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("Lỗi:") and phrase in error
    assert _rows(database, Plan) == [] and _rows(database, Task) == []


def test_import_twice_keeps_one_copy(database, capsys):
    sample = Path(__file__).resolve().parents[2] / "bot" / "samples" / "ke-hoach-mau.txt"
    assert nhacviec(["import", str(sample)]) == 0
    assert nhacviec(["import", str(sample)]) == 0
    assert "7 nhiệm vụ (0 mới, 0 cập nhật, 7 không đổi)" in capsys.readouterr().out
    assert len(_rows(database, Task)) == 7


def test_invite_for_unknown_agency_suggests_close_names(database, capsys):
    sample = Path(__file__).resolve().parents[2] / "bot" / "samples" / "ke-hoach-mau.txt"
    nhacviec(["import", str(sample)])
    assert nhacviec(["invite", "--agency", "So Noi vu tinh", "--role", "officer"]) == 1
    assert "Sở Nội vụ" in capsys.readouterr().err
    assert nhacviec(["invite", "--agency", "sở nội vụ", "--role", "officer"]) == 0
    assert "/start " in capsys.readouterr().out


def test_parse_commands_print_json(capsys):
    assert nhacviec(["parse", "deadline", "Quý I/2026"]) == 0
    deadline = json.loads(capsys.readouterr().out)
    assert (deadline["kind"], deadline["due"]) == ("fixed", "2026-03-31")
    assert nhacviec(["parse", "deadline", "hằng năm", "--today", "2026-11-23"]) == 0
    assert json.loads(capsys.readouterr().out)["next_due"] == "2026-12-31"
    assert nhacviec(["parse", "reply", "đang làm 60%", "--today", "2026-11-23"]) == 0
    reply = json.loads(capsys.readouterr().out)
    assert (reply["status"], reply["progress"]) == ("in_progress", 60)


def test_calendar_announced_day_off_is_listed(database, capsys):
    assert (
        nhacviec(["calendar", "off", "2026-12-31", "--note", "Nghỉ bù theo quyết định của tỉnh"])
        == 0
    )
    out = capsys.readouterr().out
    assert "Tết Nguyên Đán" in out  # the public holidays of this year come from `holidays`
    announced = out.split("Do tỉnh công bố:", 1)[1]
    assert "31/12/2026  ngày nghỉ  Nghỉ bù theo quyết định của tỉnh" in announced
    assert nhacviec(["calendar", "remove", "2026-12-30"]) == 1
    assert "không có trong danh sách" in capsys.readouterr().err


def _run_demo(tmp_path: Path, typed: str) -> subprocess.CompletedProcess:
    """`nhacviec run` without a token (the console demo) on a database in tmp_path, fed `typed`."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        # A fixed working day, so the sample plan's reminders show on whatever day CI runs.
        "NHACVIEC_NOW": DEMO_DAY,
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--demo"],
        input=typed,
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.slow  # a subprocess: the whole service starts
def test_console_demo_answers_tiendo(tmp_path):
    """`make run` without a token: the console demo, with the sample plan, answers /tiendo."""
    upload = tmp_path / "ke-hoach-bo-sung.txt"
    upload.write_text(
        "TT\tNội dung\tĐơn vị chủ trì\tThời hạn\n1\tRà soát quy chế phối hợp\tSở Nội vụ\tQuý I/2027\n",
        encoding="utf-8",
    )
    result = _run_demo(tmp_path, f"/tiendo\n/vai daumoi\n/tiendo\n/tep {upload}\n1\n")
    assert "chạy thử" in result.stdout
    assert "Tiến độ thực hiện nhiệm vụ" in result.stdout
    assert "Tổng số: 7 nhiệm vụ" in result.stdout  # the coordinator sees the whole sample plan
    assert "ke-hoach-bo-sung.txt: tìm được 1 nhiệm vụ" in result.stdout
    # Buttons are numbered choices, as on Zalo, and "1" picks the first.
    assert "Trả lời bằng một số để chọn:\n1. Nhập kế hoạch\n" in result.stdout
    assert "Đã nhập ke-hoach-bo-sung.txt: 1 mới" in result.stdout


def test_agencies_flag_unknown_names_and_merge_them(database, tmp_path, capsys):
    plan_file = tmp_path / "ke-hoach.txt"
    plan_file.write_text(
        "TT\tNội dung\tĐơn vị chủ trì\tĐơn vị phối hợp\tThời hạn\tSản phẩm\n"
        "1\tLập danh mục dự án\tSở Nội vụ\tCác đơn vị liên quan\tQuý I/2027\tDanh mục\n"
        "2\tKiểm tra hiện trạng\tPhòng Quản lý đô thị thị xã Mẫu\tSở Nội vụ\tTháng 3/2027\tBáo cáo\n",
        encoding="utf-8",
    )
    assert nhacviec(["import", str(plan_file)]) == 0
    out = capsys.readouterr().out
    assert "Phòng Quản lý đô thị thị xã Mẫu" in out and "cần kiểm tra" in out.lower()

    assert nhacviec(["agencies"]) == 0
    listing = capsys.readouterr().out
    assert "Các đơn vị liên quan" in listing and "cần kiểm tra" in listing

    assert (
        nhacviec(["agencies", "merge", "Phòng Quản lý đô thị thị xã Mẫu", "--into", "Sở Nội vụ"])
        == 0
    )
    merged = capsys.readouterr().out
    assert "cần kiểm tra" not in merged
    with session_scope(make_engine(database)) as session:
        from db.agencies import find_agency
        from db.tasks import open_tasks_for_agency

        agency = find_agency(session, "phong quan ly do thi thi xa mau")
        assert agency is not None and agency.name == "Sở Nội vụ"
        assert [task.ref for task in open_tasks_for_agency(session, agency_id=agency.id)] == [
            "1",
            "2",
        ]


def test_dry_run_names_deadline_kinds_in_vietnamese(database, capsys):
    sample = Path(__file__).resolve().parents[2] / "bot" / "samples" / "ke-hoach-mau.txt"
    assert nhacviec(["import", str(sample), "--dry-run"]) == 0
    out = capsys.readouterr().out
    for english in ("ongoing", "recurring", "undetermined"):
        assert english not in out
    assert "thường xuyên" in out and "định kỳ" in out and "chưa xác định" in out


def test_invite_names_the_role_in_vietnamese(database, capsys):
    assert nhacviec(["invite", "--agency", "Sở Nội vụ", "--role", "coordinator"]) == 0
    out = capsys.readouterr().out
    assert "coordinator" not in out and "đầu mối tổng hợp" in out
    assert nhacviec(["invite", "--agency", "Sở Nội vụ"]) == 0
    out = capsys.readouterr().out
    assert "officer" not in out and "cán bộ" in out


@pytest.mark.slow  # a subprocess: the whole service starts
def test_console_demo_numbers_messages_on_from_the_last_run(tmp_path):
    """The store keeps reminders' message numbers: a new run must not reuse them, or "#1 xong"
    would answer an old reminder instead of the message now shown as #1."""

    def run_demo() -> tuple[set[str], set[str]]:
        """The numbers of all messages shown, and of the reminders among them."""
        result = _run_demo(tmp_path, "/nhiemvu\n")
        shown = re.findall(r"^── #(\d+) →[^\n]*\n(.)", result.stdout, re.MULTILINE)
        return {number for number, _ in shown}, {number for number, c in shown if c == "🔔"}

    _shown, reminders = run_demo()
    shown_again, _reminders = run_demo()
    assert reminders and shown_again and not reminders & shown_again


def test_calendar_takes_days_as_agencies_write_them(database, capsys):
    assert nhacviec(["calendar", "off", "24/12/2026", "--note", "Nghỉ bù"]) == 0
    assert "24/12/2026  ngày nghỉ  Nghỉ bù" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        nhacviec(["calendar", "off", "31/02/2026"])
    assert "không phải là ngày" in capsys.readouterr().err


def test_plans_lists_counts_and_offsets_and_an_override_replans(database, tmp_path, capsys):
    from core.clock import utcnow
    from db.agencies import resolve_agency
    from db.contacts import create_invite, redeem_invite
    from db.models import ContactRole, Reminder, ReminderKind, ReminderState

    document = tmp_path / "ke-hoach-thu.txt"
    document.write_text(
        "KẾ HOẠCH\nTT\tNội dung\tCơ quan chủ trì\tThời gian hoàn thành\n"
        "1\tRà soát thủ tục hành chính\tSở Nội vụ\tngày 30/11/2030\n"
        "2\tBáo cáo kết quả thực hiện\tSở Nội vụ\tngày 15/12/2030\n",
        encoding="utf-8",
    )
    assert nhacviec(["import", str(document)]) == 0
    assert "Sở Nội vụ" in capsys.readouterr().out  # nobody subscribed yet: the summary says so
    with session_scope(make_engine(database)) as session:
        agency = resolve_agency(session, "Sở Nội vụ")
        invite = create_invite(session, agency=agency, role=ContactRole.OFFICER, now=utcnow())
        redeem_invite(
            session,
            code=invite.code,
            channel="telegram",
            chat_id="1",
            display_name="",
            now=utcnow(),
        )
    assert nhacviec(["plans"]) == 0
    listed = capsys.readouterr().out
    assert "#1 ke-hoach-thu.txt: 2 nhiệm vụ (2 đang mở)" in listed
    assert "chủ trì 7d,3d,1d,0d;" in listed
    command = ["plans", "offsets", "ke-hoach-thu", "--lead", "10d,0d", "--support", "none"]
    assert nhacviec(command) == 0
    assert "chủ trì 10d,0d*" in capsys.readouterr().out
    assert _rows(database, Plan)[0].offsets == {"lead": "10d,0d", "support": ""}
    assert nhacviec(["plans", "offsets", "1", "--task", "2", "--lead", "1d"]) == 0
    assert nhacviec(["plans"]) == 0
    assert "(1 nhiệm vụ có mốc riêng)" in capsys.readouterr().out
    assert nhacviec(["plans", "offsets", "1", "--lead", "7x"]) == 1
    assert "7x" in capsys.readouterr().err
    labels = {
        (task.ref, reminder.offset_label)
        for reminder in _rows(database, Reminder)
        for task in _rows(database, Task)
        if reminder.task_id == task.id
        and reminder.kind == ReminderKind.REMINDER
        and reminder.state == ReminderState.PENDING
    }
    assert labels == {("1", "10d"), ("1", "0d"), ("2", "1d")}
