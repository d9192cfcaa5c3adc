"""The window meets the database's roles as the CLI does: a street administrator's step on
another street's case is refused in the action dialog with the login, the role and the case
named, the form stays open, and nothing changes; on their own street it lands."""

from __future__ import annotations

from typing import Any

import pytest
from server_desks import MINE, OTHER, case_in, make_bureau

from gridmgr.project import open_project
from gridmgr.storage import location
from ui.case_detail import ActionDialog


@pytest.fixture(scope="module")
def bureau(pg_server: Any, demo_file, tmp_path_factory):
    return make_bureau(pg_server, demo_file, tmp_path_factory)


def _dialog(qtbot, desk, case_no: str) -> ActionDialog:
    location.remember_password(location.parse_server(desk.url), desk.password)
    with open_project(desk.url, readonly=True) as store:
        case = store.case_row(case_no)
        officers = store.officers().to_dict("records")
    dialog = ActionDialog(desk.url, case, "处置", officers, operator="CC0001")
    qtbot.addWidget(dialog)
    return dialog


def test_the_action_dialog_shows_the_databases_refusal(qtbot, bureau, monkeypatch):
    monkeypatch.setattr(location, "_typed", {})
    desk = bureau["street"]
    other = case_in(desk, OTHER)
    dialog = _dialog(qtbot, desk, other)
    dialog.apply()
    assert dialog.result_row is None
    title, text = dialog.error
    assert title == "没有权限"
    assert desk.user in text and "街道管理员" in text and other in text
    assert bureau["owner"].sql("SELECT status FROM cases WHERE case_no = %s", (other,)) == [("派遣",)]

    mine = case_in(desk, MINE)
    dialog = _dialog(qtbot, desk, mine)
    dialog.apply()
    assert dialog.error is None and dialog.result_row is not None
    assert bureau["owner"].sql("SELECT status FROM cases WHERE case_no = %s", (mine,)) == [("处置",)]
