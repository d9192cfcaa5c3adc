"""A project file on a network share opens, and the window says once that several desks
writing there can damage it and that the shared server is the way (issue 18, point 4)."""

from __future__ import annotations

from gridmgr import platforms
from ui.app import MainWindow


def test_a_project_on_a_share_opens_with_one_warning(qtbot, demo_copy, monkeypatch, backend,
                                                     modal_boxes_never_block):
    if backend == "postgis":
        monkeypatch.setattr(platforms, "is_network_path", lambda path, *a: True)
        win = MainWindow()
        qtbot.addWidget(win)
        assert win.load(demo_copy)
        assert modal_boxes_never_block == []  # a server project is not a file on a share
        return
    shares = {str(demo_copy)}
    monkeypatch.setattr(platforms, "is_network_path", lambda path, *a: path in shares)
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.load(demo_copy)
    warned = [text for kind, text in modal_boxes_never_block if kind == "warning"]
    assert len(warned) == 1
    assert "项目在网络共享上" in warned[0] and "共享服务器" in warned[0]
    assert str(demo_copy) in warned[0]
    assert win.load(demo_copy)  # reloading the same project does not ask again
    assert len([k for k, _ in modal_boxes_never_block if k == "warning"]) == 1
    assert win.systems.count() >= 1 and win.project == demo_copy
