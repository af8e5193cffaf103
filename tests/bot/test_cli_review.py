"""`nhacviec import --review`, `nhacviec template` and the command's words in Vietnamese."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import select

from bot.cli import main as nhacviec
from db.engine import make_engine, session_scope
from db.models import Plan, Task

SAMPLE = Path(__file__).resolve().parents[2] / "bot" / "samples" / "ke-hoach-mau.txt"


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'store' / 'nhacviec.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    return url


def _rows(url: str, model) -> list:
    if not Path(url.split("///", 1)[1]).exists():
        return []
    with session_scope(make_engine(url)) as session:
        return list(session.exec(select(model)))


def test_review_then_import_of_the_workbook_gives_the_same_tasks(seeds_dir, database, capsys):
    seed = seeds_dir / "003_d0be1ff9ce6fea24.txt"
    assert nhacviec(["import", str(seed), "--dry-run", "--json"]) == 0
    original = json.loads(capsys.readouterr().out)
    assert nhacviec(["import", str(seed), "--review", "bang-kiem-tra.xlsx"]) == 0
    printed = capsys.readouterr().out
    assert "bang-kiem-tra.xlsx" in printed and "nhacviec import" in printed
    assert _rows(database, Task) == []  # the review workbook is all --review writes
    assert nhacviec(["import", "bang-kiem-tra.xlsx", "--dry-run", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["tasks"] == original["tasks"]
    assert nhacviec(["import", "bang-kiem-tra.xlsx"]) == 0
    assert len(_rows(database, Task)) == len(original["tasks"])


def test_template_writes_the_empty_workbook(database, capsys):
    assert nhacviec(["template", "mau.xlsx"]) == 0
    assert "mau.xlsx" in capsys.readouterr().out
    sheet = openpyxl.load_workbook("mau.xlsx")["Nhiệm vụ"]
    assert sheet.cell(row=2, column=2).value == "Nội dung nhiệm vụ"
    assert sheet.cell(row=2, column=9).value == "Cần kiểm tra"
    assert sheet.max_row == 2
    assert nhacviec(["import", "mau.xlsx"]) == 1
    assert "chưa có dòng nhiệm vụ" in capsys.readouterr().err


def test_argparse_speaks_vietnamese(capsys):
    with pytest.raises(SystemExit) as exit_info:
        nhacviec(["import"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("cách dùng: nhacviec import")
    assert "nhacviec import: lỗi: thiếu các tham số bắt buộc: TỆP" in error
    with pytest.raises(SystemExit):
        nhacviec(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("cách dùng: nhacviec") and "hiện hướng dẫn này rồi thoát" in out
    assert "usage" not in out and "show this help" not in out


def test_a_missing_file_is_named_and_the_good_ones_are_reported_not_imported(
    database, tmp_path, capsys
):
    other = tmp_path / "ke-hoach-2.txt"
    other.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert nhacviec(["import", str(SAMPLE), "khong-co.docx", str(other)]) == 1
    error = capsys.readouterr().err
    assert "Lỗi: khong-co.docx: Không tìm thấy tệp." in error
    assert "ke-hoach-mau.txt: chưa được nhập vì không đọc được khong-co.docx" in error
    assert "ke-hoach-2.txt: chưa được nhập" in error
    assert _rows(database, Plan) == []


def test_the_dry_run_and_the_import_summary_count_the_doubts(database, tmp_path, capsys):
    plan = tmp_path / "nghi-ngo.txt"
    plan.write_text(
        "KẾ HOẠCH\nII. NHIỆM VỤ\n"
        "1. Giao Phòng Ma chủ trì tổ chức hội nghị tổng kết công tác năm, lúc rảnh.\n"
        "2. Giao Sở Y tế chủ trì kiểm tra an toàn thực phẩm dịp Tết, trong Quý I/2026.\n",
        encoding="utf-8",
    )
    assert nhacviec(["import", str(plan), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "chưa rõ cơ quan chủ trì" in out
    assert "Cần kiểm tra: 1 chưa rõ cơ quan chủ trì" in out
    assert nhacviec(["import", str(plan)]) == 0
    assert "Cần kiểm tra: 1 chưa rõ cơ quan chủ trì" in capsys.readouterr().out
