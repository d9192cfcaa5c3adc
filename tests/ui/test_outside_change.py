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


def test_a_dialog_does_not_write_over_a_change_made_meanwhile(qtbot, demo_copy, monkeypatch,
                                                             modal_boxes_never_block):
    """The CLI (another process) assigns a cell while the window's 指定责任人 dialog for that
    cell is open: the dialog's 指定 notices it before writing — the window reloads, a box says
    nothing was written — and only the next 指定, on what is now shown, writes (issue 19)."""
    import subprocess
    import sys
    from pathlib import Path

    from gridmgr.registers.responsibility import effective
    from ui.assign_dialog import AssignDialog

    monkeypatch.setattr(app_module, "WATCH_MS", 3_600_000)  # the timer plays no part here
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.load(demo_copy)

    def primary(cell: str) -> str:
        with open_project(demo_copy, readonly=True) as store:
            eff = effective(store)
        return eff.loc[eff["cell_code"] == cell, "primary_staff_no"].iloc[0]

    with open_project(demo_copy, readonly=True) as store:
        cell = effective(store)["cell_code"].iloc[0]
        people = store.officers()
    was = primary(cell)
    mine, theirs = [s for s, r in zip(people["staff_no"], people["role"])
                    if r == "网格员" and s != was][:2]
    dialog = AssignDialog(str(demo_copy), [cell],
                          [(s, n, r) for s, n, r in zip(people["staff_no"], people["name"],
                                                        people["role"])], win)
    qtbot.addWidget(dialog)
    dialog.officer.setCurrentIndex(dialog.officer.findData(mine))

    other = subprocess.run([sys.executable, "-m", "gridmgr", "-q", "assign", str(demo_copy),
                            "--officer", theirs, "--role", "网格员", "--cells", cell],
                           capture_output=True, text=True, timeout=120,
                           cwd=Path(__file__).resolve().parents[2])
    assert other.returncode == 0, other.stderr
    assert primary(cell) == theirs

    dialog.apply()  # notices the other process's assignment before writing over it
    assert dialog.result_info is None and dialog.result() == 0
    warned = [text for kind, text in modal_boxes_never_block if kind == "warning"]
    assert len(warned) == 1 and "项目已被其他程序或工位修改" in warned[0] and "本次未写入" in warned[0]
    assert "已被其他程序或工位修改，已重新载入" in win.statusBar().currentMessage()
    assert primary(cell) == theirs  # nothing written over it

    dialog.apply()  # confirmed again, on what the window now shows: written
    assert dialog.result_info is not None and dialog.result() == 1
    assert primary(cell) == mine
    assert len([k for k, _ in modal_boxes_never_block if k == "warning"]) == 1


def test_a_case_step_notices_a_step_another_desk_recorded_meanwhile(qtbot, demo_copy,
                                                                   monkeypatch,
                                                                   modal_boxes_never_block):
    """A case in 受理 is voided by the CLI while the window's 立案 dialog for it is open: 立案
    does not go through on what the dialog read — the window reloads and says so, and the
    case keeps the other desk's 作废 as its last step."""
    import subprocess
    import sys
    from pathlib import Path

    from ui.case_detail import ActionDialog

    monkeypatch.setattr(app_module, "WATCH_MS", 3_600_000)
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.load(demo_copy)
    with open_project(demo_copy, readonly=True) as store:
        frame = store.cases_frame()
        case_no = frame.loc[frame["status"] == "受理", "case_no"].iloc[0]
        case = store.case_row(case_no)
        officers = store.officers().to_dict("records")
    dialog = ActionDialog(demo_copy, case, "立案", officers, operator="CC0001", parent=win)
    qtbot.addWidget(dialog)

    other = subprocess.run([sys.executable, "-m", "gridmgr", "-q", "cases", "transition",
                            str(demo_copy), case_no, "作废", "--by", "CC0001", "--note", "重复上报"],
                           capture_output=True, text=True, timeout=120,
                           cwd=Path(__file__).resolve().parents[2])
    assert other.returncode == 0, other.stderr

    dialog.apply()
    assert dialog.result_row is None and dialog.result() == 0
    boxes = [(kind, text) for kind, text in modal_boxes_never_block]
    assert len(boxes) == 1 and boxes[0][0] == "warning" and "本次未写入" in boxes[0][1]
    assert "已被其他程序或工位修改，已重新载入" in win.statusBar().currentMessage()
    with open_project(demo_copy, readonly=True) as store:
        assert store.case_row(case_no)["status"] == "作废"
