"""结案率 as the bureau counts it: over 应结案数, over 立案数 (less 作废) or over all received, on
a small hand-made set; 待受理 cases in the open figures; the denominator in use printed in every
output and kept as a project setting."""

from __future__ import annotations

import json
import os
from datetime import datetime

import pandas as pd
import pytest

from gridmgr.errors import UsageError
from gridmgr.indicators import compute as ind
from gridmgr.indicators import reports as rep
from gridmgr.indicators.compute import Period

T = datetime(2026, 4, 1, 12, 0)
MARCH = Period.parse("2026-03")
S, CELL = "440604001", "44060400100101"


def d(day: int, hm: str = "09:00", month: int = 3) -> str:
    return f"2026-{month:02d}-{day:02d}T{hm}:00"


def _case(uuid: str, steps: list[tuple]) -> tuple[dict, list[dict]]:
    rows, status = [], None
    for seq, (action, to, at, *due) in enumerate(steps, start=1):
        rows.append({"case_uuid": uuid, "seq": seq, "action": action, "from_status": status,
                     "to_status": to, "at": at, "due_at": due[0] if due else None})
        status = to
    case = {"uuid": uuid, "status": status, "category_code": "0101", "cell_code": CELL,
            "community_code": CELL[:12], "street_code": S, "handler_staff_no": "P1",
            "reported_at": steps[0][2], "registered_at": None, "dispatched_at": None,
            "dispose_due_at": None, "due_at": None, "closed_at": None, "rework_count": 0,
            "extension_count": 0}
    return case, rows


def example() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seven cases reported in March 2026, as of 1 April 12:00:

    A on time (due 03-05, closed 03-04); B late (due 03-06, closed 03-09); C not due yet
    (04-10), open; D voided at 立案; E waiting for 受理 since 03-20, its 核实 deadline 03-20
    10:00 passed; F waiting for 受理 since 03-25, deadline 04-05; G closed on time 03-29
    (due 18:00 that day).

    立案数 = A B C G = 4; 应结案数 = A B G = 3; 结案数 = 3; 按期结案数 = A G = 2;
    受理数 = all 7 (D, E, F too); 在办数 = C E F = 3 (待受理 2); 超期在办 = E."""
    acc = ("受理", "受理")
    reg = ("立案", "立案")
    cases = [
        _case("A", [(*acc, d(2)), (*reg, d(2, "09:10")), ("派遣", "派遣", d(2, "10:00"), d(5)),
                    ("反馈", "反馈", d(3)), ("核查通过", "核查", d(4)), ("结案", "结案", d(4, "10:00"))]),
        _case("B", [(*acc, d(3)), (*reg, d(3, "09:10")), ("派遣", "派遣", d(3, "10:00"), d(6)),
                    ("反馈", "反馈", d(8)), ("核查通过", "核查", d(9)), ("结案", "结案", d(9, "10:00"))]),
        _case("C", [(*acc, d(10)), (*reg, d(10, "09:10")),
                    ("派遣", "派遣", d(10, "10:00"), d(10, month=4))]),
        _case("D", [(*acc, d(11)), (*reg, d(11, "09:10")), ("作废", "作废", d(11, "10:00"))]),
        _case("E", [("受理", "受理", d(20), d(20, "10:00"))]),
        _case("F", [("受理", "受理", d(25), d(5, month=4))]),
        _case("G", [(*acc, d(28)), (*reg, d(28, "09:10")),
                    ("派遣", "派遣", d(28, "10:00"), d(29, "18:00")),
                    ("反馈", "反馈", d(29)), ("核查通过", "核查", d(29, "10:00")),
                    ("结案", "结案", d(29, "11:00"))]),
    ]
    c = pd.DataFrame([x[0] for x in cases], columns=list(ind.CASE_COLUMNS), dtype=object)
    t = pd.DataFrame([r for x in cases for r in x[1]], columns=list(ind.TRANSITION_COLUMNS))
    return c, t


@pytest.mark.parametrize("denominator, closed, ontime, den, close_text, ontime_text", [
    ("due", "closed", "ontime", 3, "100.00%", "66.67%"),
    ("registered", "closed", "ontime", 4, "75.00%", "50.00%"),
    ("received", "received_closed", "received_ontime", 7, "42.86%", "28.57%"),
])
def test_each_denominator_on_the_hand_made_set(denominator, closed, ontime, den, close_text,
                                               ontime_text):
    cases, trans = example()
    t = ind.compute(cases, trans, by="total", as_of=T, period=MARCH, denominator=denominator)
    tot = t.total
    assert (tot["registered"], tot["due"], tot["closed"], tot["ontime"], tot["received"],
            tot["voided"]) == (4, 3, 3, 2, 7, 1)
    assert (tot["received_closed"], tot["received_ontime"]) == (3, 2)
    assert t.ratios["close_rate"] == ("结案率", closed, {"due": "due", "registered": "registered",
                                                      "received": "received"}[denominator])
    assert tot["close_rate"] == pytest.approx(3 / den)
    assert tot["ontime_rate"] == pytest.approx(2 / den)
    shown = rep.display_frame(t).iloc[-1]
    assert (shown["结案率"], shown["按期结案率"]) == (close_text, ontime_text)
    assert ("受理口径结案数" in shown.index) == (denominator == "received")
    name = ind.DENOMINATORS[denominator][0]
    assert f"结案率分母：{name}" in rep.to_text(t)


def test_pending_cases_are_in_the_open_figures():
    cases, trans = example()
    t = ind.compute(cases, trans, by="total", as_of=T, period=MARCH)
    assert (t.total["open"], t.total["pending"], t.total["overdue"]) == (3, 2, 1)
    # before F was reported, and before E's 核实 deadline: one waiting, not yet late
    early = ind.compute(cases, trans, by="total", as_of=datetime(2026, 3, 20, 9, 30),
                        period=MARCH)
    assert (early.total["open"], early.total["pending"], early.total["overdue"]) == (2, 1, 0)
    assert early.total["registered"] == 3  # A B C; G came later


def test_parse_and_resolve_denominator():
    assert ind.parse_denominator("应结案数") == "due"
    assert ind.parse_denominator("立案数") == "registered"
    assert ind.parse_denominator("RECEIVED") == "received"
    with pytest.raises(UsageError, match="结案率分母"):
        ind.parse_denominator("办结数")
    assert ind.resolve_denominator({}, None) == "due"
    # the sources the docs cite: 天门 (over 应结案数) and 衡东 12345 (over all received)
    assert ind.percent_text(911, 972) == "93.72%"
    assert ind.percent_text(11163, 11171) == "99.93%"
    assert ind.resolve_denominator({"close_rate_denominator": "registered"}, None) == "registered"
    assert ind.resolve_denominator({"close_rate_denominator": "registered"}, "received") == \
        "received"


@pytest.fixture
def project(new_location):
    """A project holding the hand-made set (file or server)."""
    from shapely.geometry import Point, box

    from gridmgr.project import init_project

    loc = new_location("den.gpkg")
    cases, trans = example()
    with init_project(loc, name="禅城区", admin_code="440604") as store, store.atomic():
        store.insert_areas("street", [{"code": S, "name": "祖庙街道", "parent_code": "440604",
                                       "valid_from": "2025-01-01"}], [box(113.0, 23.0, 113.1, 23.1)])
        store.insert_cases([{**r, "case_no": f"AJ{r['uuid']}", "source": "巡查上报",
                             "system": "urban"} for r in cases.to_dict("records")],
                           [Point(113.005, 23.005)] * len(cases))
        store.insert_transitions(trans.to_dict("records"))
    return loc


ARGS = ("--period", "2026-03", "--as-of", "2026-04-01T12:00:00")


def _stats(capsys, *argv: str) -> tuple[int, str]:
    from gridmgr.cli import main

    code = main(["-q", "stats", *argv])
    out, _ = capsys.readouterr()
    return code, out


def test_cli_prints_saves_and_uses_the_denominator(project, capsys, tmp_path):
    from openpyxl import load_workbook

    p = str(project)
    code, out = _stats(capsys, p, *ARGS)
    assert code == 0
    assert "结案率分母：应结案数（" in out and "100.00%" in out
    code, out = _stats(capsys, p, *ARGS, "--denominator", "registered", "--format", "json")
    doc = json.loads(out)
    assert doc["denominator"]["key"] == "registered" and doc["denominator"]["source"]
    assert doc["total"]["close_rate"] == pytest.approx(0.75)
    assert doc["total"]["pending"] == 2 and doc["total"]["open"] == 3
    # saved: later runs (and the window) use it without the option
    code, out = _stats(capsys, p, *ARGS, "--denominator", "received", "--save-denominator")
    assert code == 0 and "已保存结案率分母：受理数（全部受理）" in out
    code, out = _stats(capsys, p, *ARGS, "--format", "csv")
    import csv
    import io

    lines = [r for r in csv.reader(io.StringIO(out.lstrip("\ufeff"))) if r]
    head, total = lines[0], lines[-1]
    assert total[head.index("结案率(%)")] == "42.86"
    assert total[head.index("结案率分母")] == "受理数（全部受理）"
    assert total[head.index("受理口径结案数")] == "3"
    xlsx = tmp_path / "月报.xlsx"
    code, _ = _stats(capsys, p, "--report", "monthly", "--period", "2026-03", "--as-of",
                     "2026-04-01T12:00:00", "--out", str(xlsx))
    assert code == 0
    wb = load_workbook(xlsx)
    assert any("结案率分母：受理数（全部受理）" in str(c.value) for c in wb["全区"]["A"][:6])
    notes = [c.value for c in wb["说明"]["A"] if c.value]
    assert any(str(n).startswith("结案率分母：受理数") for n in notes)
    assert _stats(capsys, p, *ARGS, "--denominator", "办结数")[0] == 2
    assert _stats(capsys, p, *ARGS, "--save-denominator")[0] == 2


def test_the_window_prints_the_denominator_in_use(qtbot, project, capsys):
    """The indicators tab computes with the project's saved denominator and says which."""
    pytest.importorskip("pytestqt")
    from ui.indicators_view import IndicatorsView

    assert _stats(capsys, str(project), "--denominator", "registered",
                  "--save-denominator", *ARGS)[0] == 0
    view = IndicatorsView(project)
    qtbot.addWidget(view)
    view.set_inputs("street", "2026-03-01", "2026-03-31", "2026-04-01T12:00")
    with qtbot.waitSignal(view.computed, timeout=60_000):
        view.compute()
    assert "结案率分母：立案数（不含作废）" in view.header.text()
    t = view.tables[0]
    assert t.denominator == "registered" and t.total["close_rate"] == pytest.approx(0.75)
    c = list(t.columns).index("close_rate")
    tip = view.table.item(view.table.rowCount() - 1, c).toolTip()
    assert "结案数 3" in tip and "立案数 4" in tip and "75.00%" in tip
    heads = [view.table.horizontalHeaderItem(i).text() for i in range(view.table.columnCount())]
    assert "待受理数" in heads and "受理数" in heads
    view.resize(1200, 700)
    if os.environ.get("GRIDMGR_GRAB"):
        view.grab().save(os.environ["GRIDMGR_GRAB"])
