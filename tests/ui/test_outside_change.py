"""The window notices what another process or desk wrote, without a restart: it asks the
store's change token every few seconds and reloads (file projects and, with --backend
postgis, server projects alike)."""

from __future__ import annotations

from gridmgr.progress import run
from gridmgr.project import open_project
from gridmgr.registers.officers import import_officers
from ui import app as app_module
from ui.app import MainWindow


def test_the_window_reloads_when_another_desk_writes(qtbot, demo_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(app_module, "WATCH_MS", 200)
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.load(demo_copy)
    officers = win.registers["officers"].model
    before = officers.total
    token = win._change_token
    assert token is not None
    qtbot.wait(600)
    assert win._change_token == token  # nothing happened: no reload

    staff = tmp_path / "staff.csv"
    staff.write_text("姓名,工号,手机,角色,所属单位\n外来同事,CC9100,13900000002,网格员,张槎街道\n",
                     encoding="utf-8-sig")
    with open_project(demo_copy) as other:  # another desk, its own connection
        run(import_officers(other, staff))
    qtbot.waitUntil(lambda: win._change_token != token, timeout=10_000)
    assert win.registers["officers"].model.total == before + 1
    assert "已被其他程序或工位修改" in win.statusBar().currentMessage()
