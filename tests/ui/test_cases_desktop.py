"""The desktop for cases: list, case page with its actions, new case, indicators, markers.

The tests click through the widgets on a copy of the demo project (which carries a year of
cases) and check what landed in the project file through the core's own reads.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from project_state import fingerprint
from PySide6.QtCore import QDateTime, Qt, QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from gridmgr.cases import lifecycle as cases
from gridmgr.cases import workflow
from gridmgr.errors import UsageError
from gridmgr.indicators import compute as indicators
from gridmgr.indicators import reports as indicator_reports
from gridmgr.progress import run
from gridmgr.project import open_project
from maps.case_layer import STATUS_COLOURS, case_payload, legend
from ui.case_detail import ActionDialog, set_staff
from ui.cases_panel import CasesPanel
from ui.indicators_view import IndicatorsView

NOW = "2026-11-23T10:00:00"  # after every demo step


@pytest.fixture
def panel(qtbot, demo_copy: Path) -> CasesPanel:
    p = CasesPanel(demo_copy)
    qtbot.addWidget(p)
    p.resize(1300, 800)
    p.show()
    return p


def listed(panel: CasesPanel, column: str) -> list:
    model = panel.list.model
    while model.canFetchMore():
        model.fetchMore()
    return [model.value(r, column) for r in range(model.rowCount())]


def case_in(path: Path, status: str) -> dict:
    with open_project(path, readonly=True) as store:
        df = store.cases_frame(status=status)
        return df.sort_values("case_no").iloc[0].to_dict()


def press_ok(dialog) -> None:
    box = dialog.findChild(QDialogButtonBox)
    box.button(QDialogButtonBox.StandardButton.Ok).click()


def set_time(edit, text: str) -> None:
    from datetime import datetime

    edit.setDateTime(QDateTime(datetime.fromisoformat(text)))


def steps_of(path: Path, case_no: str) -> list[dict]:
    with open_project(path, readonly=True) as store:
        row = store.case_row(case_no)
        return store.transitions_frame(case_uuid=row["uuid"]).to_dict("records")


# --------------------------------------------------------------------------- the list

def test_list_filters_match_the_core(panel: CasesPanel, demo_copy: Path):
    view = panel.list
    with open_project(demo_copy, readonly=True) as store:
        every = store.cases_frame()
        state = cases.state_as_of(store, cases.now_local())
        cats = store.categories()
    assert view.model.total == len(every) > 100

    view.status.setCurrentIndex(view.status.findText("处置"))
    assert view.model.total == int((every["status"] == "处置").sum()) > 0
    assert set(listed(panel, "status")) == {"处置"}

    view.status.setCurrentIndex(0)
    view.overdue.setChecked(True)  # overdue as of now: the core's state_as_of
    late = set(state.loc[state["overdue"], "case_no"])
    assert late and set(listed(panel, "case_no")) == late
    assert view.model.overdue == len(late)
    assert "超期" in view.count.text()
    view.overdue.setChecked(False)

    street = every["street_code"].value_counts().index[0]
    view.street.setCurrentIndex(view.street.findData(street))
    assert view.community.count() > 1  # the street's communities, to narrow further
    assert set(listed(panel, "street_code")) == {street}
    assert view.model.total == int((every["street_code"] == street).sum())
    community = every.loc[every["street_code"] == street, "community_code"].value_counts().index[0]
    view.community.setCurrentIndex(view.community.findData(community))
    assert set(listed(panel, "community_code")) == {community}
    assert view.cell.count() > 1
    view.street.setCurrentIndex(0)

    # a 大类 entry keeps all its 小类
    i = next(i for i in range(view.category.count())
             if len(view.category.itemData(i) or ()) > 1)
    codes = set(view.category.itemData(i))
    view.category.setCurrentIndex(i)
    assert view.model.total == int(every["category_code"].isin(codes).sum())
    assert {cats[c]["name"] for c in every.loc[every["category_code"].isin(codes),
                                               "category_code"]} >= set(
        view.model.display(r, "category_code") for r in range(view.model.rowCount()))
    view.category.setCurrentIndex(0)

    source = every["source"].value_counts().index[-1]
    view.source.setCurrentIndex(view.source.findData(source))
    assert view.model.total == int((every["source"] == source).sum())
    view.source.setCurrentIndex(0)

    handler = every["handler_staff_no"].dropna().value_counts().index[0]
    view.handler.setCurrentIndex(view.handler.findData(handler))
    assert set(listed(panel, "handler_staff_no")) == {handler}
    view.handler.setCurrentIndex(0)

    view.text.setText(every["case_no"].iloc[5])
    view.apply_filters()
    assert listed(panel, "case_no") == [every["case_no"].iloc[5]]
    view.text.setText("垃圾")  # a word: description or address
    view.apply_filters()
    words = every["description"].fillna("").str.contains("垃圾") | \
        every["address"].fillna("").str.contains("垃圾")
    assert set(listed(panel, "case_no")) == set(every.loc[words, "case_no"]) != set()
    view.text.setText("")
    view.apply_filters()

    # sorting is a query: oldest first when sorted by reported time
    view.table.sortByColumn(view.model.columnCount() - 2, Qt.SortOrder.AscendingOrder)
    times = listed(panel, "reported_at")
    assert times == sorted(times) and len(times) == len(every)


# --------------------------------------------------------------------------- the case page

def test_only_allowed_actions_have_buttons(panel: CasesPanel, demo_copy: Path):
    for status in ("处置", "受理", "结案", "反馈"):
        case = case_in(demo_copy, status)
        assert panel.show_case(case["case_no"])
        shown = [a for a in panel.detail.buttons if not a.startswith("_")]
        assert shown == workflow.allowed_actions(status)
    case = case_in(demo_copy, "处置")
    panel.show_case(case["case_no"])
    for illegal in ("结案", "核查通过", "立案", "作废", "返工"):
        assert illegal not in panel.detail.buttons  # no button: no way to ask for it


def test_pressing_a_button_records_the_step(qtbot, panel: CasesPanel, demo_copy: Path):
    case = case_in(demo_copy, "处置")
    with qtbot.waitSignal(panel.case_selected) as sig:
        panel.list.case_clicked.emit(case["case_no"])  # as a click in the list does
    lon, lat, no = sig.args
    assert no == case["case_no"] and 112.9 < lon < 113.2 and 22.9 < lat < 23.2
    before = steps_of(demo_copy, case["case_no"])
    qtbot.mouseClick(panel.detail.buttons["反馈"], Qt.MouseButton.LeftButton)
    dialog = panel.detail.dialog
    assert isinstance(dialog, ActionDialog) and dialog.action == "反馈"
    set_staff(dialog.by, "CC0001")
    set_time(dialog.at, NOW)
    dialog.note.setPlainText("已清理，现场照片已上传")
    with qtbot.waitSignal(panel.cases_changed):
        press_ok(dialog)
    after = steps_of(demo_copy, case["case_no"])
    assert len(after) == len(before) + 1
    last = after[-1]
    with open_project(demo_copy, readonly=True) as store:
        name = store.officer_by_staff_no("CC0001")["name"]
        row = store.case_row(case["case_no"])
    assert (last["action"], last["from_status"], last["to_status"]) == ("反馈", "处置", "反馈")
    assert (last["by_staff_no"], last["by_name"], last["at"]) == ("CC0001", name, NOW)
    assert last["note"] == "已清理，现场照片已上传"
    assert row["status"] == "反馈"
    # the page and the list follow
    shown = [a for a in panel.detail.buttons if not a.startswith("_")]
    assert shown == workflow.allowed_actions("反馈")
    assert [s["action"] for s in panel.detail.steps] == [s["action"] for s in after]
    page = panel.detail.body.toPlainText()
    assert "已清理，现场照片已上传" in page and f"{name}（CC0001）" in page
    model = panel.list.model
    assert [model.value(r, "status") for r in range(model.rowCount())
            if model.value(r, "case_no") == case["case_no"]] == ["反馈"]


def test_extension_asks_for_approver_and_deadline(qtbot, panel: CasesPanel, demo_copy: Path):
    case = case_in(demo_copy, "处置")
    panel.show_case(case["case_no"])
    dialog = panel.detail.open_action("延期")
    assert dialog.approver is not None and dialog.due is not None
    set_staff(dialog.by, "CC0002")
    set_staff(dialog.approver, "CC0003")
    set_time(dialog.at, NOW)
    set_time(dialog.due, "2026-12-01T18:00:00")
    dialog.note.setPlainText("需协调产权单位")
    with qtbot.waitSignal(panel.detail.changed):
        press_ok(dialog)
    with open_project(demo_copy, readonly=True) as store:
        row = store.case_row(case["case_no"])
    assert row["dispose_due_at"] == "2026-12-01T18:00:00" and row["extension_count"] == 1
    last = steps_of(demo_copy, case["case_no"])[-1]
    assert last["action"] == "延期" and "CC0003" in last["note"] and last["by_staff_no"] == "CC0002"


def test_refusal_is_shown_with_the_cores_title_and_text(qtbot, panel, demo_copy, monkeypatch):
    case = case_in(demo_copy, "处置")
    panel.show_case(case["case_no"])
    shown = []
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda parent, title, text: shown.append((title, text)))
    before = fingerprint(demo_copy)
    dialog = panel.detail.open_action("回退")  # the reason is required
    set_time(dialog.at, NOW)
    press_ok(dialog)
    assert len(shown) == 1
    title, text = shown[0]
    with pytest.raises(UsageError) as core:
        workflow.check("处置", "回退", note="")
    assert (title, text) == (UsageError.title, str(core.value))
    assert dialog.isVisible()  # the form stays open to be completed
    assert fingerprint(demo_copy) == before  # nothing written


def test_rework_reason_is_shown_first(qtbot, panel: CasesPanel, demo_copy: Path):
    case = case_in(demo_copy, "反馈")
    panel.show_case(case["case_no"])
    assert panel.detail.rework.isHidden() or case["rework_count"]
    dialog = panel.detail.open_action("返工")
    set_staff(dialog.by, "CC0001")
    set_time(dialog.at, NOW)
    dialog.note.setPlainText("井盖仍有松动，须重新固定")
    with qtbot.waitSignal(panel.detail.changed):
        press_ok(dialog)
    detail = panel.detail
    assert detail.rework.isVisible()
    assert "井盖仍有松动，须重新固定" in detail.rework.text()
    # first on the page: above the case number, the buttons and the fields
    assert detail.layout().itemAt(0).layout().indexOf(detail.rework) == 0
    assert detail.rework.y() < detail.title.y() < detail.body.y()
    assert [a for a in detail.buttons if not a.startswith("_")] == \
        workflow.allowed_actions("处置")
    last = steps_of(demo_copy, case["case_no"])[-1]
    assert (last["action"], last["to_status"], last["note"]) == ("返工", "处置",
                                                                  "井盖仍有松动，须重新固定")


# --------------------------------------------------------------------------- new case

def test_new_case_lands_in_its_cell_and_goes_to_its_officer(qtbot, panel, demo_copy,
                                                            tmp_path):
    with open_project(demo_copy, readonly=True) as store:
        cells = store.areas("cell", system="urban").to_crs("EPSG:4490")
        ents = store.enterprises()
        resp = store.responsibilities(system="urban", as_of=cases.now_local()[:10])
    cell = cells.iloc[len(cells) // 3]
    pt = cell.geometry.representative_point()
    primary = resp[(resp["slot"] == "primary")
                   & resp["area_code"].isin([cell["code"], cell["parent_code"]])]
    expected = primary.sort_values("level")["staff_no"].iloc[0]  # cell before community
    ent = ents.iloc[0]
    photo = tmp_path / "现场.png"
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#16a34a"))
    assert image.save(str(photo))

    with qtbot.waitSignal(panel.new_case_requested):
        qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    dialog = panel.new_case_at(pt.x, pt.y)  # what the window does after the map click
    assert cell["code"] in dialog.where.text()
    dialog.source.setCurrentText("巡查上报")
    assert dialog.set_category("SJ0102")
    dialog.description.setPlainText("人行道旁有暴露垃圾")
    dialog.address.setText("测试路 1 号")
    dialog.enterprise_text.setText(ent["name"])
    qtbot.waitUntil(lambda: dialog.enterprise.count() > 1)
    dialog.add_photos([str(photo)])
    set_staff(dialog.by, "CC0001")
    assert dialog.dispatch.isChecked()
    with qtbot.waitSignal(panel.cases_changed):
        press_ok(dialog)
    no = dialog.created["case_no"]
    with open_project(demo_copy, readonly=True) as store:
        row = store.case_row(no)
        photos = store.photos(row["uuid"])
    assert row["cell_code"] == cell["code"] and row["community_code"] == cell["parent_code"]
    assert row["status"] == "派遣" and row["handler_staff_no"] == expected
    assert row["source"] == "巡查上报" and row["category_code"] == "SJ0102"
    assert row["enterprise_uuid"] == ent["uuid"]
    assert [p["name"] for p in photos] == ["现场.png"]
    assert bytes(photos[0]["data"]) == photo.read_bytes()
    assert [s["action"] for s in steps_of(demo_copy, no)] == ["受理", "立案", "派遣"]
    # the new case is shown: its page, its photo, and it heads the list
    assert panel.detail.case_no == no
    assert len(panel.detail.thumbnails) == 1
    thumb = panel.detail.thumbnails[0]
    assert (thumb.width(), thumb.height()) == (64, 48)  # small enough: not scaled
    assert thumb.pixelColor(10, 10) == QColor("#16a34a")
    assert 'src="photo:0"' in panel.detail.body.toHtml()  # what the page draws
    shown = panel.detail.body.loadResource(QTextDocument.ResourceType.ImageResource.value,
                                           QUrl("photo:0"))
    assert shown == thumb
    assert panel.list.model.value(0, "case_no") == no


def test_new_case_outside_the_district_is_refused(qtbot, panel, demo_copy, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda parent, title, text: shown.append((title, text)))
    with open_project(demo_copy, readonly=True) as store:
        n = store.count_cases()
    dialog = panel.new_case_at(116.40, 39.90)  # Beijing
    assert "不在" in dialog.where.text()
    press_ok(dialog)
    assert shown and "不在辖区内" in shown[0][1]
    with open_project(demo_copy, readonly=True) as store:
        assert store.count_cases() == n


# --------------------------------------------------------------------------- indicators

def test_indicators_view_shows_the_cores_figures(qtbot, demo: Path):
    view = IndicatorsView(demo)
    qtbot.addWidget(view)
    view.resize(1200, 760)
    view.show()
    view.set_inputs("street", "2026-01-01", "2026-10-31", "2026-11-01T00:00")
    with qtbot.waitSignal(view.computed, timeout=60_000):
        view.compute()
    with open_project(demo, readonly=True) as store:
        t, months = run(indicators.project_tables(
            store, ["street", "month"], as_of=indicators.parse_as_of("2026-11-01T00:00"),
            period=indicators.Period.between("2026-01-01", "2026-10-31"),
            weights=indicators.resolve_weights(store.meta(), None)))
    expected = indicator_reports.display_frame(t)
    table = view.table
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == \
        list(expected.columns)
    assert table.rowCount() == len(expected) == len(t.rows) + 1
    got = [[table.item(r, c).text() for c in range(table.columnCount())]
           for r in range(table.rowCount())]
    assert got == [["" if v is None else str(v) for v in row]
                   for row in expected.itertuples(index=False)]
    total = t.total_record()
    assert total["registered"] > 100 and total["due"] > 0
    assert got[-1][list(expected.columns).index("结案率")] == indicators.percent_text(
        total["closed"], total["due"])
    # the counts behind each ratio, on the ratio
    c = list(t.columns).index("close_rate")
    tip = table.item(table.rowCount() - 1, c).toolTip()
    assert f"结案数 {total['closed']}" in tip and f"应结案数 {total['due']}" in tip
    assert "计算时点" in view.header.text() and "2026-11-01 00:00" in view.header.text()
    # charts: one bar per street, one group of bars per month
    area = view.area_chart.chart().series()[0]
    assert area.barSets()[0].count() == len(t.rows)
    month_sets = view.month_chart.chart().series()[0].barSets()
    assert [month_sets[0].at(i) for i in range(month_sets[0].count())] == \
        [float(r["registered"]) for r in months.records()]
    assert len(months.records()) == 10


def test_indicators_open_on_the_latest_period_with_data(qtbot, demo: Path):
    """Issue 16: the tab opens on the latest year that has case steps, computed when shown."""
    from datetime import date, datetime

    with open_project(demo, readonly=True) as store:
        last = store.last_transition_at()
        year = int(last[:4])
        # a machine clock years later: the period is still the year of the data
        later = datetime(year + 2, 3, 1, 9, 30)
        assert indicators.latest_period(store, later) == (
            date(year, 1, 1), date(year, 12, 31), datetime(year, 12, 31, 23, 59))
        now = datetime(year, 11, 30, 8, 15)
        assert indicators.latest_period(store, now) == (date(year, 1, 1), now.date(), now)
    view = IndicatorsView()
    qtbot.addWidget(view)
    view.resize(1200, 760)
    view.set_project(demo)
    assert view.first.date().toPython() == date(year, 1, 1)
    with qtbot.waitSignal(view.computed, timeout=60_000):
        view.show()  # computed without pressing 计算
    assert view.tables and view.tables[0].total_record()["registered"] > 100
    # the month axis: every label whole
    axis = next(a for a in view.month_chart.chart().axes() if hasattr(a, "categories"))
    assert not axis.truncateLabels() and axis.categories()[0] == "1月"
    view.grab().save("/tmp/gridmgr-indicators.png")


def test_ratio_chart_axis_fits_the_values():
    from ui.indicators_view import value_range

    lo, hi, ticks = value_range([93.7, 96.9], percent=True)
    assert 80 <= lo < 93.7 and 96.9 < hi <= 100 and ticks >= 3
    # the two bars differ by far more than 3 % of the axis: they look different
    a, b = (93.7 - lo) / (hi - lo), (96.9 - lo) / (hi - lo)
    assert b - a > 0.3
    assert value_range([0.0, 50.0], percent=True)[0] == 0.0  # a zero keeps the zero
    assert value_range([99.5, 100.0], percent=True)[1] == 100.0  # never past 100 %
    assert value_range([3.0, 41.0], percent=False)[:2] == (0.0, 50.0)  # counts from zero


# --------------------------------------------------------------------------- markers

def test_case_markers_are_coloured_by_status(panel: CasesPanel, demo_copy: Path):
    from maps.web_page import point_payload

    payload = panel.markers(every=True)
    with open_project(demo_copy, readonly=True) as store:
        every = store.cases_frame()
        state = cases.state_as_of(store, cases.now_local())
        ents = store.enterprises().to_crs("EPSG:4490")
    assert set(point_payload(ents.head(3))) <= set(payload)  # the point layer's shape
    assert len(payload["codes"]) == len(every)
    assert len(payload["coords"]) == 2 * len(every)
    status = dict(zip(every["case_no"], every["status"]))
    assert payload["classes"] == [status[c] for c in payload["codes"]]
    late = set(state.loc[state["overdue"], "case_no"])
    assert {c for c, o in zip(payload["codes"], payload["overdue"]) if o} == late
    assert payload["class_colours"] == STATUS_COLOURS
    labels = [e["label"] for e in payload["legend"]["entries"]]
    assert f"结案（{int((every['status'] == '结案').sum())}）" in labels
    assert labels[-1] == f"红圈：超期（{len(late)}）"
    assert [e["label"] for e in legend()["entries"]] == list(workflow.STATUSES)
    # by default only what is still to be done: open and parked cases
    unresolved = panel.markers()
    open_ones = every[every["status"].isin(cases.UNRESOLVED)]
    assert sorted(unresolved["codes"]) == sorted(open_ones["case_no"]) and len(open_ones) < 100
    assert {c for c, o in zip(unresolved["codes"], unresolved["overdue"]) if o} == late
    assert len(set(STATUS_COLOURS.values())) == len(STATUS_COLOURS)


def test_empty_payload_has_the_same_keys():
    import geopandas as gpd

    p = case_payload(gpd.GeoDataFrame({"case_no": []},
                                      geometry=gpd.GeoSeries([], crs="EPSG:4490")))
    assert p["codes"] == [] and p["coords"] == [] and p["legend"]["entries"] == []


def test_dispatch_goes_to_the_responsible_unless_another_is_chosen(qtbot, panel, demo_copy):
    with open_project(demo_copy, readonly=True) as store:
        resp = store.responsibilities(system="urban")
        officers = store.officers()
    registered, parked = case_in(demo_copy, "立案"), case_in(demo_copy, "挂账")

    def responsible(case: dict) -> str:
        day = case["reported_at"][:10]
        rows = resp[(resp["slot"] == "primary")
                    & resp["area_code"].isin([case["cell_code"], case["community_code"]])
                    & (resp["valid_from"] <= day)
                    & (resp["valid_to"].isna() | (resp["valid_to"].fillna("9999") > day))]
        return rows.sort_values("level")["staff_no"].iloc[0]  # cell before community

    expected = responsible(registered)
    panel.show_case(registered["case_no"])
    dialog = panel.detail.open_action("派遣")
    name = officers.loc[officers["staff_no"] == expected, "name"].iloc[0]
    assert name in dialog.handler.itemText(0) and expected in dialog.handler.itemText(0)
    set_time(dialog.at, NOW)
    with qtbot.waitSignal(panel.detail.changed):
        press_ok(dialog)
    with open_project(demo_copy, readonly=True) as store:
        assert store.case_row(registered["case_no"])["handler_staff_no"] == expected

    other = next(s for s in officers["staff_no"] if s != responsible(parked))
    panel.show_case(parked["case_no"])
    dialog = panel.detail.open_action("派遣")
    set_staff(dialog.handler, other)
    set_time(dialog.at, NOW)
    dialog.note.setPlainText("改由专项中队处置")
    with qtbot.waitSignal(panel.detail.changed):
        press_ok(dialog)
    with open_project(demo_copy, readonly=True) as store:
        row = store.case_row(parked["case_no"])
    assert (row["status"], row["handler_staff_no"]) == ("派遣", other)
    assert steps_of(demo_copy, parked["case_no"])[-1]["note"] == "改由专项中队处置"


def test_the_list_pages_lazily_without_overlap(qtbot, demo_copy, monkeypatch):
    from ui.cases_view import CaseListModel

    monkeypatch.setattr(CaseListModel, "page_size", 40)
    p = CasesPanel(demo_copy)
    qtbot.addWidget(p)
    model = p.list.model
    assert model.rowCount() == 40 and model.total > 200 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 80
    for column in (1, 11, 12):  # status, reported time, deadline: many ties, fid breaks them
        p.list.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
        assert model.rowCount() == 40
        nos = listed(p, "case_no")
        assert len(nos) == len(set(nos)) == model.total
    with open_project(demo_copy, readonly=True) as store:
        assert set(nos) == set(store.cases_frame()["case_no"])


def test_a_project_from_before_cases_is_upgraded_when_shown(qtbot, tmp_path, monkeypatch):
    from gridmgr.project import init_project
    from gridmgr.storage.gpkg import schema

    with monkeypatch.context() as m:  # a project as gridmgr wrote it before issue 5
        m.setattr(schema, "MIGRATIONS", {v: f for v, f in schema.MIGRATIONS.items() if v < 4})
        init_project(tmp_path / "old.gpkg", name="禅城区", admin_code="440604").close()
    with open_project(tmp_path / "old.gpkg", readonly=True) as store:
        assert not store.has_table("cases")
    p = CasesPanel(tmp_path / "old.gpkg")
    qtbot.addWidget(p)
    assert p.list is not None and p.list.model.total == 0
    assert p.list.category.count() > 10  # the default category table came with the upgrade
    with open_project(tmp_path / "old.gpkg", readonly=True) as store:
        assert store.has_table("cases") and store.meta()["schema_version"] == str(
            max(schema.MIGRATIONS))


def test_the_page_says_overdue_exactly_when_the_core_does(panel: CasesPanel, demo_copy: Path):
    with open_project(demo_copy, readonly=True) as store:
        state = cases.state_as_of(store, cases.now_local())
    late = state[state["overdue"]].iloc[0]["case_no"]
    fine = state[~state["overdue"] & state["status"].isin(workflow.OPEN_STATUSES)]
    assert panel.show_case(late) and "已超期" in panel.detail.title.text()
    if len(fine):
        assert panel.show_case(fine.iloc[0]["case_no"])
        assert "已超期" not in panel.detail.title.text()
    closed = state[state["status"] == "结案"].iloc[0]["case_no"]
    assert panel.show_case(closed) and "已超期" not in panel.detail.title.text()
