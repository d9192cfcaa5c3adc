"""Grid teams in the window (issue 15, point 5): the assign dialog offers the project's own role
table and leaves the rest of the team alone, the new-case dialog names the holder of the role
the category is dispatched to and the case lands with them, and the detail panel shows the
whole team — on the demo district."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox

from gridmgr.cases import lifecycle as cases
from gridmgr.outputs.details import area_detail
from gridmgr.project import open_project
from gridmgr.registers.responsibility import effective
from gridmgr.registers.teams import add_role, roles
from ui import detail_html
from ui.assign_dialog import AssignDialog
from ui.cases_panel import CasesPanel

OFFICER = "CC0013"  # a demo officer, made the 执法队员 of one cell below


def _a_cell_with_its_grid_worker(path: Path) -> tuple[str, str, str]:
    """(cell code, its parent community, the 网格员 answering for it today)."""
    with open_project(path, readonly=True) as store:
        eff = effective(store)
    eff = eff[eff["primary_staff_no"].notna() & (eff["primary_staff_no"] != OFFICER)]
    row = eff.iloc[len(eff) // 2]
    return row["cell_code"], row["community_code"], row["primary_staff_no"]


def _open_rows(path: Path, role: str, area: str) -> list[str]:
    with open_project(path, readonly=True) as store:
        rows = store.responsibilities(current_only=True)
    mine = rows[(rows["role"] == role) & (rows["area_code"] == area)]
    return sorted(mine["staff_no"])


def _assign_enforcer(qtbot, path: Path, cell: str) -> AssignDialog:
    with open_project(path, readonly=True) as store:
        officers = [(o["staff_no"], o["name"], o["role"])
                    for o in store.officers().to_dict("records")]
    dlg = AssignDialog(str(path), [cell], officers)
    qtbot.addWidget(dlg)
    dlg.officer.setCurrentIndex(dlg.officer.findData(OFFICER))
    dlg.role.setCurrentIndex(dlg.role.findData("执法队员"))
    dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    return dlg


def test_the_assign_dialog_offers_the_projects_roles_and_keeps_the_team(qtbot, demo_copy):
    with open_project(demo_copy) as store:
        add_role(store, "河长", after="网格员")
        table = [r["name"] for r in roles(store)]
    cell, community, worker = _a_cell_with_its_grid_worker(demo_copy)
    worker_rows = {a: _open_rows(demo_copy, "网格员", a) for a in (cell, community)}
    dlg = _assign_enforcer(qtbot, demo_copy, cell)
    offered = [dlg.role.itemData(i) for i in range(dlg.role.count())]
    assert offered == table and offered[2] == "河长"  # the project's table, in its order
    assert dlg.result() == dlg.DialogCode.Accepted and dlg.result_info["opened"] == 1
    assert _open_rows(demo_copy, "执法队员", cell) == [OFFICER]
    # the 网格员 keeps the term: on the cell itself and on its community, as before
    assert {a: _open_rows(demo_copy, "网格员", a) for a in (cell, community)} == worker_rows
    with open_project(demo_copy, readonly=True) as store:
        eff = effective(store).set_index("cell_code").loc[cell]
    assert eff["primary_staff_no"] == worker


def test_a_new_case_goes_to_the_role_its_category_names(qtbot, demo_copy):
    cell, _community, worker = _a_cell_with_its_grid_worker(demo_copy)
    _assign_enforcer(qtbot, demo_copy, cell)
    with open_project(demo_copy, readonly=True) as store:
        cells = store.areas("cell", system="urban").to_crs("EPSG:4490")
        cats = store.categories()
    assert cats["SJ0502"]["dispatch_role"] == "执法队员" and not cats["SJ0102"]["dispatch_role"]
    pt = cells[cells["code"] == cell].geometry.iloc[0].representative_point()
    panel = CasesPanel(demo_copy)
    qtbot.addWidget(panel)
    dialog = panel.new_case_at(pt.x, pt.y)
    assert dialog.set_category("SJ0102")  # 暴露垃圾: no role named → the 网格员
    assert (dialog.cell_code, dialog.expected_handler) == (cell, worker)
    assert dialog.set_category("SJ0502")  # an 执法 小类 → the cell's 执法队员
    assert dialog.expected_handler == OFFICER
    dialog.description.setPlainText("占道经营")
    assert dialog.dispatch.isChecked()
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    with open_project(demo_copy, readonly=True) as store:
        row = store.case_row(dialog.created["case_no"])
        other, _ = cases.Dispatcher(store).primary(row["cell_code"], row["community_code"],
                                                   row["street_code"], row["reported_at"])
    assert (row["status"], row["cell_code"], row["handler_staff_no"]) == ("派遣", cell, OFFICER)
    assert other == worker  # the same cell's other cases still go to the 网格员


def test_the_detail_panel_lists_the_whole_team(qtbot, demo_copy):
    cell, _community, worker = _a_cell_with_its_grid_worker(demo_copy)
    _assign_enforcer(qtbot, demo_copy, cell)
    with open_project(demo_copy, readonly=True) as store:
        info = store.area_brief("cell", "urban", cell)
        area = area_detail(store, "cell", cell, "urban")
        names = dict(zip(store.officers()["staff_no"], store.officers()["name"]))
    team = {(p["role"], p["staff_no"]) for p in area["people"] if p["staff_no"]}
    assert {("网格员", worker), ("执法队员", OFFICER)} <= team
    html = detail_html.area_html(cell, info, None, area)
    for staff in (worker, OFFICER):
        assert names[staff] in html
    assert html.index("网格员") < html.index("执法队员")  # team order
