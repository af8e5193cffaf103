"""The coordinator's CLI: scoped invites, batches of codes, contacts, assignments, reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from bot.cli import main as nhacviec
from core.messages import Incoming
from db.engine import make_engine, session_scope
from db.models import Contact, Task, TaskAgency
from handlers.context import BotContext
from handlers.conversation import handle
from tests.factories import policy

PLAN = (
    "TT\tNội dung\tĐơn vị chủ trì\tThời hạn\n"
    "1\tLập danh mục dự án\tSở Nội vụ\tQuý I/2027\n"
    "2\tTuyên truyền chuyển đổi số\tCác sở, ban, ngành\tTháng 3/2027\n"
)


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'nhacviec.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    return url


def _import(tmp_path: Path, name: str, capsys) -> None:
    path = tmp_path / name
    path.write_text(PLAN, encoding="utf-8")
    assert nhacviec(["import", str(path)]) == 0
    capsys.readouterr()


def _codes(out: str) -> list[str]:
    return re.findall(r"/start ([A-Z0-9]{8})", out)


def _say(url: str, chat_id: str, text: str) -> str:
    from core.clock import utcnow

    context = BotContext(
        engine=make_engine(url), clock=utcnow, policy_loader=lambda session: policy()
    )
    answers = handle(Incoming(channel="telegram", chat_id=chat_id, text=text), context)
    return "\n".join(answer.text for answer in answers)


def test_a_coordinator_invited_for_one_plan_sees_only_that_plan(database, tmp_path, capsys):
    _import(tmp_path, "ke-hoach-a.txt", capsys)
    _import(tmp_path, "ke-hoach-b.txt", capsys)
    assert (
        nhacviec(
            ["invite", "--agency", "Sở Nội vụ", "--role", "coordinator", "--plan", "ke-hoach-b"]
        )
        == 0
    )
    [code] = _codes(capsys.readouterr().out)
    assert "Chào mừng" in _say(database, "700", f"/start {code}")
    assert "Tổng số: 2 nhiệm vụ" in _say(database, "700", "/tiendo")
    assert nhacviec(["invite", "--agency", "Sở Nội vụ", "--role", "officer", "--plan", "a"]) == 1
    assert "--plan" in capsys.readouterr().err


def test_count_prints_that_many_codes(database, tmp_path, capsys):
    assert nhacviec(["invite", "--agency", "Sở Nội vụ", "--count", "5"]) == 0
    codes = _codes(capsys.readouterr().out)
    assert len(codes) == 5 == len(set(codes))


def test_invites_from_a_workbook_are_written_back_with_codes(database, tmp_path, capsys):
    people = tmp_path / "danh-sach.xlsx"
    book = Workbook()
    book.active.append(["Họ tên", "Cơ quan", "Vai trò"])
    book.active.append(["Nguyễn Văn A", "Sở Nội vụ", "cán bộ"])
    book.active.append(["Trần Thị B", "Sở GD&ĐT", "đầu mối"])
    book.active.append(["Lê C", "Sở Không Tồn Tại", "cán bộ"])
    book.save(people)
    assert nhacviec(["invite", "--from", str(people)]) == 0
    assert "2 mã mời" in capsys.readouterr().out
    rows = list(
        load_workbook(tmp_path / "danh-sach-ma-moi.xlsx").active.iter_rows(values_only=True)
    )
    assert rows[1][:2] == ("Nguyễn Văn A", "Sở Nội vụ") and re.fullmatch(r"[A-Z0-9]{8}", rows[1][3])
    assert rows[2][1] == "Sở Giáo dục và Đào tạo"
    assert rows[3][3] in ("", None) and "Không có cơ quan" in rows[3][5]


def test_contacts_are_listed_deactivated_and_given_a_role(database, tmp_path, capsys):
    assert nhacviec(["invite", "--agency", "Sở Nội vụ"]) == 0
    [code] = _codes(capsys.readouterr().out)
    _say(database, "100", f"/start {code}")
    assert nhacviec(["contacts"]) == 0
    listing = capsys.readouterr().out
    assert "Sở Nội vụ" in listing and "cán bộ" in listing
    with session_scope(make_engine(database)) as session:
        contact_id = session.exec(select(Contact.id)).one()
    assert nhacviec(["contacts", "role", str(contact_id), "coordinator"]) == 0
    capsys.readouterr()
    assert nhacviec(["contacts", "deactivate", str(contact_id)]) == 0
    with session_scope(make_engine(database)) as session:
        contact = session.get(Contact, contact_id)
        assert (contact.role, contact.active) == ("coordinator", False)


def test_a_generic_groups_task_is_assigned_and_stays_assigned_after_reimport(
    database, tmp_path, capsys
):
    _import(tmp_path, "ke-hoach-a.txt", capsys)
    assert nhacviec(["assign"]) == 0
    assert "Tuyên truyền chuyển đổi số" in capsys.readouterr().out
    assert nhacviec(["assign", "2", "--agency", "Sở Y tế", "--agency", "Sở Nội vụ"]) == 0
    assert "Sở Y tế; Sở Nội vụ" in capsys.readouterr().out
    _import(tmp_path, "ke-hoach-a.txt", capsys)  # the document still names the group
    with session_scope(make_engine(database)) as session:
        task = session.exec(select(Task).where(Task.ref == "2")).one()
        leads = session.exec(
            select(TaskAgency.name_as_written).where(
                TaskAgency.task_id == task.id, TaskAgency.role == "lead"
            )
        ).all()
    assert set(leads) == {"Các sở, ban, ngành", "Sở Y tế", "Sở Nội vụ"}
    assert nhacviec(["assign"]) == 0
    assert "Tuyên truyền" not in capsys.readouterr().out


def test_report_writes_the_workbook_and_the_chart(database, tmp_path, capsys):
    _import(tmp_path, "ke-hoach-a.txt", capsys)
    out, chart = tmp_path / "bc.xlsx", tmp_path / "bc.png"
    assert (
        nhacviec(["report", "--out", str(out), "--chart", str(chart), "--plan", "ke-hoach-a"]) == 0
    )
    assert load_workbook(out).sheetnames == ["Tổng hợp", "Nhiệm vụ", "Quá hạn", "Lịch sử"]
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert nhacviec(["report", "--plan", "khong-co"]) == 1


def test_an_agency_may_have_its_officers_completions_taken_without_confirmation(
    database, tmp_path, capsys
):
    _import(tmp_path, "ke-hoach-a.txt", capsys)
    for agency, role in (("Sở Nội vụ", "officer"), ("Văn phòng UBND tỉnh", "coordinator")):
        assert nhacviec(["invite", "--agency", agency, "--role", role]) == 0
        [code] = _codes(capsys.readouterr().out)
        _say(database, {"officer": "100", "coordinator": "500"}[role], f"/start {code}")
    assert "chờ đầu mối tổng hợp xác nhận" in _say(database, "100", "1 xong")
    assert "hủy" in _say(database, "100", "hủy").lower()
    assert nhacviec(["agencies", "skip-confirmation", "Sở Nội vụ"]) == 0
    assert "không cần xác nhận" in capsys.readouterr().out
    answer = _say(database, "100", "1 xong")
    assert "chờ" not in answer and "hoàn thành" in answer
    with session_scope(make_engine(database)) as session:
        assert session.exec(select(Task.status).where(Task.ref == "1")).one() == "done"
    assert nhacviec(["agencies", "require-confirmation", "Sở Nội vụ"]) == 0
    assert "không cần xác nhận" not in capsys.readouterr().out
    assert nhacviec(["agencies", "skip-confirmation"]) == 1  # which agency?
