"""The routing table: what each role is offered, and that Telegram accepts the menu."""

from __future__ import annotations

import re

from db.models import ContactRole
from handlers import routes


def _listed(help_text: str) -> list[str]:
    return re.findall(r"^• /(\w+)", help_text, flags=re.MULTILINE)


def test_help_lists_exactly_what_each_role_may_use():
    assert _listed(routes.help_text(routes.STRANGER)) == ["start", "help"]
    officer = _listed(routes.help_text(ContactRole.OFFICER))
    assert officer == ["nhiemvu", "tiendo", "lichsu", "lienket", "help"]
    coordinator = _listed(routes.help_text(ContactRole.COORDINATOR))
    assert set(officer) <= set(coordinator)
    # Deciding and chasing are the coordinator's: officers are not even offered them.
    assert {"quahan", "choduyet"} <= set(coordinator) - set(officer)
    for role in (routes.STRANGER, *ContactRole):
        listed = _listed(routes.help_text(role))
        assert all(role in routes.find_command(name).roles for name in listed)


def test_help_is_vietnamese_and_names_every_way_to_reply():
    text = routes.help_text(ContactRole.OFFICER)
    assert text.startswith("Bạn có thể:")
    assert "/tiendo [KẾ_HOẠCH] — tổng hợp tiến độ" in text
    assert '"xin gia hạn đến 15/3"' in text


def test_aliases_reach_the_same_command():
    assert routes.find_command("trogiup") is routes.find_command("help")
    assert routes.find_command("TASKS") is routes.find_command("nhiemvu")
    assert routes.find_command("xoa_het") is None


def test_the_menu_fits_telegrams_rules():
    for role in ContactRole:
        for name, description in routes.menu(role):
            assert re.fullmatch(r"[a-z0-9_]{1,32}", name)
            assert 1 <= len(description) <= 256


def test_button_data_is_split_after_its_prefix():
    action, fields = routes.find_button("st:12:done:50")
    assert action is not None and action.prefix == "st" and fields == ["12", "done", "50"]
    assert routes.find_button("zz:1")[0] is None
