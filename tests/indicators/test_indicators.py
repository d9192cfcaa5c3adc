"""Indicators (网格化考核): a hand-computed example, as-of reproducibility, zero denominators, a
published bulletin's figures, weights, and the ``gridmgr stats`` outputs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import pytest
from project_state import fingerprint

from gridmgr.errors import UsageError
from gridmgr.indicators import compute as ind
from gridmgr.indicators import reports as rep
from gridmgr.indicators.compute import Period

T = datetime(2026, 4, 1, 12, 0, 0)
MARCH = Period.parse("2026-03")


def _case(uuid: str, street: str, cell: str, handler: str, category: str,
          steps: list[tuple[Any, ...]], **columns: Any) -> tuple[dict[str, Any], list[dict]]:
    """A case row and its transitions; a step is (action, to_status, at[, due_at])."""
    rows, status = [], None
    for seq, step in enumerate(steps, start=1):
        action, to, at = step[:3]
        due = step[3] if len(step) > 3 else None
        rows.append({"case_uuid": uuid, "seq": seq, "action": action, "from_status": status,
                     "to_status": to, "at": at, "due_at": due})
        status = to
    case = {"uuid": uuid, "status": status, "category_code": category, "cell_code": cell,
            "community_code": cell[:12], "street_code": street, "handler_staff_no": handler,
            "reported_at": steps[0][2] if steps else columns.get("reported_at"),
            "registered_at": None, "dispatched_at": None, "dispose_due_at": None,
            "due_at": None, "closed_at": None, "rework_count": 0, "extension_count": 0}
    case.update(columns)
    return case, rows


def frames(*cases: tuple[dict[str, Any], list[dict]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    c = pd.DataFrame([x[0] for x in cases], columns=list(ind.CASE_COLUMNS), dtype=object)
    t = pd.DataFrame([r for x in cases for r in x[1]], columns=list(ind.TRANSITION_COLUMNS))
    return c, t


S1, S2 = "440604001", "440604002"
A1, A2 = "44060400100101", "44060400200101"  # one cell in each street


def d(day: int, hm: str = "09:00", month: int = 3) -> str:
    return f"2026-{month:02d}-{day:02d}T{hm}:00"


def example() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Thirteen cases built by hand; the figures each test expects are worked out in the
    comments (period March 2026, as of 2026-04-01 12:00)."""
    reg = ("立案", "立案")
    return frames(
        # C1 on time: due 03-05, closed 03-04
        _case("c1", S1, A1, "P1", "0101", [("受理", "受理", d(2)), (*reg, d(2, "09:10")),
              ("派遣", "派遣", d(2, "10:00"), d(5, "10:00")), ("处置", "处置", d(3), d(5, "10:00")),
              ("反馈", "反馈", d(4)), ("核查通过", "核查", d(4, "15:00")),
              ("结案", "结案", d(4, "16:00"))]),
        # C2 late: due 03-06, closed 03-09
        _case("c2", S1, A1, "P1", "0101", [(*reg, d(3)),
              ("派遣", "派遣", d(3, "10:00"), d(6)), ("反馈", "反馈", d(8)),
              ("核查通过", "核查", d(8, "11:00")), ("结案", "结案", d(9))]),
        # C3 extended from 03-10 to 03-20, closed 03-19: on time, extended
        _case("c3", S1, A1, "P2", "0102", [(*reg, d(5)),
              ("派遣", "派遣", d(5, "10:00"), d(10)), ("延期", "派遣", d(9), d(20)),
              ("反馈", "反馈", d(18)), ("核查通过", "核查", d(18, "11:00")),
              ("结案", "结案", d(19))]),
        # C4 reworked once, closed on time
        _case("c4", S2, A2, "P3", "0201", [(*reg, d(10)),
              ("派遣", "派遣", d(10, "10:00"), d(12, "17:00")), ("反馈", "反馈", d(11)),
              ("返工", "处置", d(11, "15:00"), d(12, "17:00")), ("反馈", "反馈", d(12, "10:00")),
              ("核查通过", "核查", d(12, "11:00")), ("结案", "结案", d(12, "11:30"))]),
        # C5 still in 处置 after its deadline 03-18: due, open, overdue
        _case("c5", S2, A2, "P3", "0201", [(*reg, d(15)),
              ("派遣", "派遣", d(15, "10:00"), d(18)), ("处置", "处置", d(16), d(18))]),
        # C6 not due yet (deadline 04-10): open, not overdue
        _case("c6", S2, A2, "P3", "0201", [(*reg, d(20)),
              ("派遣", "派遣", d(20, "10:00"), d(10, month=4))]),
        # C7 closed early (deadline 04-05): due, closed, on time
        _case("c7", S1, A1, "P1", "0101", [(*reg, d(25)),
              ("派遣", "派遣", d(25, "10:00"), d(5, month=4)), ("反馈", "反馈", d(26)),
              ("核查通过", "核查", d(26, "11:00")), ("结案", "结案", d(27))]),
        # C8 voided: only 作废数
        _case("c8", S1, A1, None, "0101", [(*reg, d(6)), ("作废", "作废", d(6, "10:00"))]),
        # C9 parked (挂账) after its deadline: 立案数 and 挂账数 only
        _case("c9", S2, A2, "P3", "0202", [(*reg, d(7)),
              ("派遣", "派遣", d(7, "10:00"), d(9)), ("挂账", "挂账", d(15))]),
        # C10 registered in February: outside the period
        _case("c10", S1, A1, "P1", "0101", [(*reg, d(25, month=2)),
              ("派遣", "派遣", d(25, "10:00", month=2), d(27, month=2)),
              ("反馈", "反馈", d(26, month=2)), ("核查通过", "核查", d(26, "11:00", month=2)),
              ("结案", "结案", d(1))]),
        # C11 fed back, then reworked before the as-of time (back to its dispose deadline 03-31
        # 17:00); closed after it: at T due, not disposed, reworked, open and overdue
        _case("c11", S2, A2, "P3", "0201", [(*reg, d(28)),
              ("派遣", "派遣", d(28, "10:00"), d(31, "17:00")), ("反馈", "反馈", d(31, "16:00")),
              ("返工", "处置", d(1, "09:00", month=4), d(31, "17:00")),
              ("反馈", "反馈", d(1, "15:00", month=4)),
              ("核查通过", "核查", d(1, "16:00", month=4)),
              ("结案", "结案", d(1, "17:00", month=4))]),
        # C12 fed back, not checked; the check stage ran out 03-14 12:00: disposed, overdue
        _case("c12", S1, A1, "P2", "0102", [(*reg, d(12)),
              ("派遣", "派遣", d(12, "10:00"), d(14)), ("反馈", "反馈", d(13), d(14, "12:00"))]),
        # C13 a category without a limit (no deadline), closed: due, closed, on time
        _case("c13", S2, A2, "P3", "0301", [(*reg, d(21)),
              ("派遣", "派遣", d(21, "10:00")), ("反馈", "反馈", d(22)),
              ("核查通过", "核查", d(22, "11:00")), ("结案", "结案", d(23))]),
    )


TOTAL_AT_T = {"registered": 11, "due": 9, "closed": 6, "ontime": 5, "dispose_due": 9,
              "disposed": 7, "checked": 7, "reworked": 2, "extended": 1, "open": 4,
              "overdue": 3, "parked": 1, "voided": 1,
              # reported in March: all but C10 (25 Feb), the voided C8 included; nobody waits
              # for 受理
              "received": 12, "pending": 0}


def test_hand_computed_total():
    cases, trans = example()
    t = ind.compute(cases, trans, by="total", as_of=T, period=MARCH)
    assert {k: t.total[k] for k in ind.COUNTS} == TOTAL_AT_T
    assert t.total["close_rate"] == pytest.approx(6 / 9)
    assert t.total["ontime_rate"] == pytest.approx(5 / 9)
    assert t.total["dispose_rate"] == pytest.approx(7 / 9)
    assert t.total["rework_rate"] == pytest.approx(2 / 7)
    assert t.total["extension_rate"] == pytest.approx(1 / 11)
    # 100 × (30·6/9 + 40·5/9 + 20·7/9 + 10·(1 − 2/7)) / 100
    assert t.total["score"] == pytest.approx(20 + 200 / 9 + 140 / 9 + 50 / 7)


def test_hand_computed_by_street():
    cases, trans = example()
    t = ind.compute(cases, trans, by="street", as_of=T, period=MARCH,
                    names={S1: "祖庙街道", S2: "石湾镇街道"})
    rows = {r["code"]: r for r in t.records()}
    assert list(rows) == [S1, S2]
    s1, s2 = rows[S1], rows[S2]
    assert s1["name"] == "祖庙街道"
    # S1: C1 C2 C3 C7 C12 registered, C8 voided, C10 outside the period
    assert {k: s1[k] for k in ind.COUNTS} == {
        "registered": 5, "due": 5, "closed": 4, "ontime": 3, "dispose_due": 5, "disposed": 5,
        "checked": 4, "reworked": 0, "extended": 1, "open": 1, "overdue": 1, "parked": 0,
        "voided": 1, "received": 6, "pending": 0}  # received: the five, C8 too
    # S2: C4 C5 C6 C9 C11 C13
    assert {k: s2[k] for k in ind.COUNTS} == {
        "registered": 6, "due": 4, "closed": 2, "ontime": 2, "dispose_due": 4, "disposed": 2,
        "checked": 3, "reworked": 2, "extended": 0, "open": 3, "overdue": 2, "parked": 1,
        "voided": 0, "received": 6, "pending": 0}
    assert s1["close_rate"] == pytest.approx(0.8) and s1["ontime_rate"] == pytest.approx(0.6)
    assert s1["rework_rate"] == 0.0  # a real 0: 4 checked, none reworked
    assert s2["rework_rate"] == pytest.approx(2 / 3)
    # the total is computed over all cases, not summed from ratios
    assert t.total["registered"] == s1["registered"] + s2["registered"]
    assert t.total["close_rate"] == pytest.approx(6 / 9)


def test_by_officer_and_category():
    cases, trans = example()
    by_officer = {r["code"]: r for r in ind.compute(
        cases, trans, by="officer", as_of=T, period=MARCH).records()}
    # P1: C1 C2 C7 (C10 is February's); P2: C3 C12; P3: C4 C5 C6 C9 C11 C13; C8 has no one
    assert {k: v["registered"] for k, v in by_officer.items()} == {
        "P1": 3, "P2": 2, "P3": 6, ind.NO_GROUP: 0}
    assert by_officer["P3"]["overdue"] == 2 and by_officer["P2"]["overdue"] == 1
    assert ind.NO_GROUP in by_officer and by_officer[ind.NO_GROUP]["voided"] == 1
    cats = pd.DataFrame([
        {"code": "0101", "kind": "事件", "major_code": "01", "major_name": "市容环境",
         "name": "暴露垃圾"},
        {"code": "0102", "kind": "事件", "major_code": "01", "major_name": "市容环境",
         "name": "乱堆物堆料"},
        {"code": "0201", "kind": "事件", "major_code": "02", "major_name": "街面秩序",
         "name": "占道经营"},
        {"code": "0202", "kind": "事件", "major_code": "02", "major_name": "街面秩序",
         "name": "店外经营"},
        {"code": "0301", "kind": "事件", "major_code": "03", "major_name": "施工管理",
         "name": "施工扰民"}])
    minor = ind.compute(cases, trans, by="category", as_of=T, period=MARCH, categories=cats)
    rows = {r["code"]: r for r in minor.records()}
    assert rows["0201"]["name"] == "占道经营" and rows["0201"]["parent"] == "街面秩序"
    assert rows["0201"]["registered"] == 4 and rows["0201"]["due"] == 3
    major = {r["code"]: r for r in ind.compute(cases, trans, by="major", as_of=T, period=MARCH,
                                               categories=cats).records()}
    assert major["01"]["name"] == "市容环境"
    assert (major["01"]["registered"], major["02"]["registered"], major["03"]["registered"]) \
        == (5, 5, 1)


def test_as_of_ignores_later_transitions():
    """The figures at a past moment come out the same from the whole log and from the log as it
    stood then; a later moment sees C11 closed late."""
    cases, trans = example()
    full = ind.compute(cases, trans, by="street", as_of=T, period=MARCH)
    then = trans[pd.to_datetime(trans["at"]) <= pd.Timestamp(T)]
    assert len(then) < len(trans)
    past = ind.compute(cases, then, by="street", as_of=T, period=MARCH)
    assert full.records() == past.records() and full.total == past.total
    later = ind.compute(cases, trans, by="total", as_of=datetime(2026, 4, 2, 12), period=MARCH)
    assert (later.total["closed"], later.total["ontime"], later.total["disposed"]) == (7, 5, 8)
    assert later.total["open"] == 3
    # and on 10 March only the cases registered by then exist, with their state then
    early = ind.compute(cases, trans, by="total", as_of=datetime(2026, 3, 10, 12),
                        period=MARCH)
    # C1 C2 C3 C4 C9 (C8 voided); due: C1 (closed), C2 (closed 03-09), C9 deadline 03-09 passed
    assert early.total["registered"] == 5
    assert (early.total["due"], early.total["closed"], early.total["ontime"]) == (3, 2, 1)
    assert early.total["extended"] == 1 and early.total["parked"] == 0


def test_boundary_instants():
    """Due exactly at the as-of instant counts as due (应结案); overdue is strictly after."""
    cases, trans = frames(_case("b", S1, A1, "P1", "0101", [
        ("立案", "立案", d(2)), ("派遣", "派遣", d(2, "10:00"), d(5, "10:00"))]))
    at_due = ind.compute(cases, trans, by="total", as_of=datetime(2026, 3, 5, 10), period=MARCH)
    assert at_due.total["due"] == 1 and at_due.total["overdue"] == 0
    after = ind.compute(cases, trans, by="total", as_of=datetime(2026, 3, 5, 10, 0, 1),
                        period=MARCH)
    assert after.total["overdue"] == 1
    before = ind.compute(cases, trans, by="total", as_of=datetime(2026, 3, 5, 9, 59, 59),
                         period=MARCH)
    assert before.total["due"] == 0 and before.total["registered"] == 1


def test_zero_denominators_are_empty():
    cases, trans = frames(_case("z", S1, A1, "P1", "0101", [
        ("立案", "立案", d(20)), ("派遣", "派遣", d(20, "10:00"), d(10, month=4))]))
    t = ind.compute(cases, trans, by="street", as_of=T, period=MARCH)
    r = t.records()[0]
    assert r["registered"] == 1 and r["due"] == 0 and r["checked"] == 0
    for k in ("close_rate", "ontime_rate", "dispose_rate", "rework_rate"):
        assert r[k] is None
    assert r["extension_rate"] == 0.0
    # the score uses what has a value: here only 1 − 延期率 has, with weight 0 → empty
    assert r["score"] is None
    text = rep.to_text(t)
    assert "nan" not in text.lower() and "0.00%" in text  # 延期率 0.00%, the others blank
    empty = ind.compute(*frames(), by="street", as_of=T, period=MARCH)
    assert empty.records() == [] and empty.total["registered"] == 0
    assert empty.total_record()["close_rate"] is None


def _bulletin_cases() -> tuple[pd.DataFrame, pd.DataFrame]:
    """天门市 2016年12月: 应结案 972, 结案 911 (按期 737), 立案 996 (24 not yet due)."""
    out = []
    for i in range(996):
        steps: list[tuple[Any, ...]] = [("立案", "立案", "2016-12-01T09:00:00"),
                                        ("派遣", "派遣", "2016-12-01T10:00:00",
                                         "2016-12-10T10:00:00" if i < 972 else
                                         "2017-01-20T10:00:00")]
        if i < 911:
            closed = "2016-12-08T10:00:00" if i < 737 else "2016-12-15T10:00:00"
            steps += [("反馈", "反馈", "2016-12-07T10:00:00"),
                      ("核查通过", "核查", "2016-12-07T11:00:00"), ("结案", "结案", closed)]
        out.append(_case(f"t{i}", S1, A1, "P1", "0101", steps))
    return frames(*out)


def test_published_bulletin_figures():
    cases, trans = _bulletin_cases()
    t = ind.compute(cases, trans, by="street", as_of=datetime(2017, 1, 3), period=Period.parse(
        "2016-12"))
    assert (t.total["registered"], t.total["due"], t.total["closed"], t.total["ontime"]) == \
        (996, 972, 911, 737)
    assert ind.percent_text(911, 972) == "93.72%"
    assert ind.percent_text(737, 972) == "75.82%"
    text = rep.to_text(t)
    assert "93.72%" in text and "75.82%" in text


def test_percent_text_rounds_half_up_exactly():
    assert ind.percent_text(1, 8) == "12.50%"
    assert ind.percent_text(1, 3) == "33.33%"
    assert ind.percent_text(2, 3) == "66.67%"
    assert ind.percent_text(1, 80000) == "0.00%"  # 0.00125% → 0.00
    assert ind.percent_text(1, 16) == "6.25%"
    assert ind.percent_text(5, 5) == "100.00%"
    assert ind.percent_text(0, 0) == ""


def test_weights():
    assert ind.parse_weights(None) == ind.DEFAULT_WEIGHTS
    w = ind.parse_weights("结案率=50，按期结案率=50")
    assert w == {"close_rate": 50, "ontime_rate": 50, "dispose_rate": 0, "rework_rate": 0,
                 "extension_rate": 0}
    assert ind.parse_weights('{"close": 1, "rework": 3}')["rework_rate"] == 3
    for bad in ("结案率", "满意度=10", "结案率=-1", "结案率=abc", "结案率=0"):
        with pytest.raises(UsageError):
            ind.parse_weights(bad)
    cases, trans = example()
    t = ind.compute(cases, trans, by="total", as_of=T, period=MARCH, weights=w)
    assert t.total["score"] == pytest.approx(100 * (6 / 9 + 5 / 9) / 2)
    only_rework = ind.compute(cases, trans, by="total", as_of=T, period=MARCH,
                              weights=ind.parse_weights("返工率=1"))
    assert only_rework.total["score"] == pytest.approx(500 / 7)  # 100 × (1 − 2/7)


def test_cases_without_transitions_use_their_columns():
    """A case imported as a summary (no steps) is read from its columns."""
    cases, trans = frames(
        _case("s1", S1, A1, "P1", "0101", [], reported_at=d(2), registered_at=d(2),
              dispatched_at=d(2, "10:00"), dispose_due_at=d(5), due_at=d(5),
              closed_at=d(6), status="结案", extension_count=1),
        _case("s2", S1, A1, "P1", "0101", [], reported_at=d(3), registered_at=d(3),
              dispatched_at=d(3, "10:00"), dispose_due_at=d(6), due_at=d(6), status="处置"),
        _case("s3", S1, A1, "P1", "0101", [], reported_at=d(4), status="作废"))
    t = ind.compute(cases, trans, by="total", as_of=T, period=MARCH)
    tot = t.total
    assert (tot["registered"], tot["due"], tot["closed"], tot["ontime"]) == (2, 2, 1, 0)
    assert (tot["open"], tot["overdue"], tot["extended"], tot["voided"]) == (1, 1, 1, 1)


def test_a_case_closed_without_a_check_step_counts_as_checked():
    """Imported logs go 受理→立案→派遣→结案 with no 核查通过: the case was checked when it was
    closed, so 返工率 is 1 reworked of 2 checked — not 1 of 1 (100%)."""
    cases, trans = frames(
        _case("i", S1, A1, "P1", "0101", [("受理", "受理", d(2)), ("立案", "立案", d(2, "09:10")),
              ("派遣", "派遣", d(2, "10:00"), d(5)), ("结案", "结案", d(3))]),
        _case("r", S1, A1, "P1", "0101", [("立案", "立案", d(4)),
              ("派遣", "派遣", d(4, "10:00"), d(6)), ("反馈", "反馈", d(5)),
              ("返工", "处置", d(5, "11:00"), d(6)), ("反馈", "反馈", d(5, "15:00"))]))
    t = ind.compute(cases, trans, by="total", as_of=T, period=MARCH)
    assert (t.total["checked"], t.total["reworked"]) == (2, 1)
    assert t.total["rework_rate"] == pytest.approx(0.5)
    # as of before its closing it had not reached 核查
    before = ind.compute(cases, trans, by="total", as_of=datetime(2026, 3, 2, 12),
                         period=MARCH)
    assert before.total["checked"] == 0


def test_as_of_with_a_zone_is_converted_to_beijing_time():
    assert ind.parse_as_of("2026-03-31T16:00:00Z") == datetime(2026, 4, 1, 0, 0)
    assert ind.parse_as_of("2026-03-31T09:30:00+08:00") == datetime(2026, 3, 31, 9, 30)
    assert ind.parse_as_of("2026-03-31T09:30:00-05:00") == datetime(2026, 3, 31, 22, 30)


def test_periods():
    q = Period.parse("2026Q1")
    assert (q.first.isoformat(), q.last.isoformat(), q.label) == ("2026-01-01", "2026-03-31",
                                                                 "2026年第1季度")
    assert [m.label for m in q.months()] == ["2026年1月", "2026年2月", "2026年3月"]
    feb = Period.parse("2024-02")
    assert feb.last.isoformat() == "2024-02-29"
    for bad in ("2026-13", "2026Q5", "March"):
        with pytest.raises(UsageError):
            Period.parse(bad)
    with pytest.raises(UsageError):
        Period.between("2026-03-31", "2026-03-01")
    assert ind.parse_as_of("2026-03-31") == datetime(2026, 3, 31, 23, 59, 59)
    assert ind.parse_as_of("2026-03-31 08:30") == datetime(2026, 3, 31, 8, 30)
    with pytest.raises(UsageError):
        ind.parse_as_of("yesterday")


def test_monthly_rows_of_a_quarter():
    cases, trans = example()
    q = Period.parse("2026Q1")
    states = ind.case_states(cases, trans, T)
    t = ind.monthly_rows(states, cases, q, as_of=T, weights=ind.DEFAULT_WEIGHTS)
    rows = t.records()
    assert [r["name"] for r in rows] == ["2026年1月", "2026年2月", "2026年3月"]
    assert [r["registered"] for r in rows] == [0, 1, 11]
    assert t.total["registered"] == 12 and t.total["closed"] == 7


def test_enterprise_inspection_share():
    ents = pd.DataFrame({
        "street_code": [S1, S1, S1, S2, S2, None],
        "community_code": [A1[:12]] * 3 + [A2[:12]] * 3,
        "cell_code": [A1] * 3 + [A2] * 3,
        # 30 days: inspected 03-05 → fine until 04-04; 03-01 + 30 = 03-31 < 04-01 → overdue
        "frequency_days": [30, 30, None, 91, 30, 30],
        "last_inspection": ["2026-03-05", "2026-03-01", "2026-03-20", None, "2026-03-02",
                            "2026-03-30"]})
    cases, trans = example()
    t = ind.compute(cases, trans, by="street", as_of=T, period=MARCH, enterprises=ents)
    rows = {r["code"]: r for r in t.records()}
    assert (rows[S1]["ent_known"], rows[S1]["ent_on_schedule"], rows[S1]["ent_unknown"]) == \
        (2, 1, 1)
    assert rows[S1]["inspection_rate"] == pytest.approx(0.5)
    assert (rows[S2]["ent_known"], rows[S2]["ent_on_schedule"]) == (2, 1)  # 03-02+30 = 04-01
    assert rows[ind.NO_GROUP]["ent_on_schedule"] == 1 and rows[ind.NO_GROUP]["registered"] == 0
    assert t.total["ent_known"] == 5 and t.total["inspection_rate"] == pytest.approx(3 / 5)
    # officers have no enterprises: no inspection columns
    assert "inspection_rate" not in ind.compute(cases, trans, by="officer", as_of=T,
                                                period=MARCH, enterprises=ents).columns


def test_outputs_state_the_as_of_time(tmp_path):
    cases, trans = example()
    t = ind.compute(cases, trans, by="street", as_of=T, period=MARCH)
    assert "2026-04-01 12:00:00" in rep.to_text(t)
    import io
    import json

    doc = json.loads(rep.to_json(t))
    assert doc["as_of"] == "2026-04-01T12:00:00" and doc["period"]["from"] == "2026-03-01"
    assert doc["total"]["close_rate"] == pytest.approx(6 / 9)
    csv = pd.read_csv(io.StringIO(rep.to_csv(t)), dtype={"编码": str})
    assert list(csv["计算时点"].unique()) == ["2026-04-01T12:00:00"]
    assert csv.loc[csv["编码"] == "合计", "结案率(%)"].item() == pytest.approx(66.67)


# --------------------------------------------------------------------------- from a project

CATEGORIES = [
    {"code": "0101", "kind": "事件", "major_code": "01", "major_name": "市容环境", "name": "暴露垃圾"},
    {"code": "0102", "kind": "事件", "major_code": "01", "major_name": "市容环境",
     "name": "乱堆物堆料"},
    {"code": "0201", "kind": "事件", "major_code": "02", "major_name": "街面秩序", "name": "占道经营"},
    {"code": "0202", "kind": "事件", "major_code": "02", "major_name": "街面秩序", "name": "店外经营"},
    {"code": "0301", "kind": "事件", "major_code": "03", "major_name": "施工管理", "name": "施工扰民"},
]


def _returned_case() -> tuple[dict[str, Any], list[dict]]:
    """Dispatched, returned (回退) and not yet re-dispatched: not due, not to be disposed."""
    return _case("r1", S1, A1, None, "0101", [
        ("立案", "立案", d(2)), ("派遣", "派遣", d(2, "10:00"), d(5)),
        ("回退", "立案", d(3), d(3, "12:00"))])


def test_returned_case_has_no_dispose_deadline():
    cases, trans = frames(_returned_case())
    t = ind.compute(cases, trans, by="total", as_of=T, period=MARCH).total
    assert (t["registered"], t["due"], t["dispose_due"], t["open"], t["overdue"]) == \
        (1, 0, 0, 1, 1)  # overdue: the dispatch stage ran out 03-03 12:00
    redispatched = frames(_case("r2", S1, A1, "P1", "0101", [
        ("立案", "立案", d(2)), ("派遣", "派遣", d(2, "10:00"), d(5)),
        ("回退", "立案", d(3), d(3, "12:00")), ("派遣", "派遣", d(3, "11:00"), d(10, month=4))]))
    t2 = ind.compute(*redispatched, by="total", as_of=T, period=MARCH).total
    assert (t2["due"], t2["dispose_due"], t2["overdue"]) == (0, 0, 0)  # new deadline 04-10


@pytest.fixture
def stats_project(tmp_path):
    """A project holding the hand-computed example: 2 streets, 2 cells, officers, categories."""
    from shapely.geometry import Point, box

    from gridmgr.project import init_project

    path = tmp_path / "stats.gpkg"
    cases, trans = example()
    with init_project(path, name="禅城区", admin_code="440604") as store, store.atomic():
        since = "2025-01-01"
        store.insert_areas("street", [
            {"code": S1, "name": "祖庙街道", "parent_code": "440604", "valid_from": since},
            {"code": S2, "name": "石湾镇街道", "parent_code": "440604", "valid_from": since}],
            [box(113.0, 23.0, 113.1, 23.1), box(113.1, 23.0, 113.2, 23.1)])
        store.insert_areas("cell", [
            {"code": A1, "name": "祖庙01", "parent_code": A1[:12], "valid_from": since},
            {"code": A2, "name": "石湾01", "parent_code": A2[:12], "valid_from": since}],
                           [box(113.0, 23.0, 113.01, 23.01), box(113.1, 23.0, 113.11, 23.01)])
        store.upsert_officers([{"staff_no": "P1", "name": "张伟", "unit": "祖庙执法中队"},
                               {"staff_no": "P2", "name": "李娜", "unit": "祖庙执法中队"},
                               {"staff_no": "P3", "name": "王芳", "unit": "石湾执法中队"}])
        store.replace_categories(CATEGORIES)
        recs = []
        for r in cases.to_dict("records"):
            recs.append({**r, "case_no": f"AJ{r['uuid']}", "source": "巡查上报",
                         "system": "urban"})
        store.insert_cases(recs, [Point(113.005, 23.005)] * len(recs))
        store.insert_transitions(trans.to_dict("records"))
        store.insert_enterprises(
            [{"name": "甲厂", "frequency_days": 30, "last_inspection": "2026-03-20",
              "cell_code": A1, "community_code": A1[:12], "street_code": S1},
             {"name": "乙厂", "frequency_days": 30, "last_inspection": "2026-01-20",
              "cell_code": A2, "community_code": A2[:12], "street_code": S2}],
            [Point(113.005, 23.005), Point(113.105, 23.005)])
    return path


def _stats(capsys, *argv: str) -> tuple[int, str, str]:
    from gridmgr.cli import main

    code = main(["-q", "stats", *argv])
    out, err = capsys.readouterr()
    return code, out, err


ARGS = ("--period", "2026-03", "--as-of", "2026-04-01T12:00:00")


def test_cli_json_matches_the_hand_computed_figures(stats_project, capsys):
    import json

    before = fingerprint(stats_project)
    code, out, err = _stats(capsys, str(stats_project), *ARGS, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["as_of"] == "2026-04-01T12:00:00" and doc["by"] == "street"
    assert {k: doc["total"][k] for k in ind.COUNTS} == TOTAL_AT_T
    rows = {r["code"]: r for r in doc["rows"]}
    assert rows[S1]["name"] == "祖庙街道" and rows[S2]["name"] == "石湾镇街道"
    assert rows[S1]["close_rate"] == pytest.approx(0.8)
    # enterprises: 甲厂 inspected 03-20 (every 30 days) is on schedule, 乙厂 is not
    assert (rows[S1]["ent_on_schedule"], rows[S2]["ent_on_schedule"]) == (1, 0)
    assert fingerprint(stats_project) == before  # stats never writes


def test_cli_table_csv_and_groupings(stats_project, capsys, tmp_path):
    import io

    code, out, _ = _stats(capsys, str(stats_project), *ARGS)
    assert code == 0
    assert "计算时点（as of）：2026-04-01 12:00:00" in out and "祖庙街道" in out
    assert "66.67%" in out  # the district's 结案率, 6 of 9
    code, out, _ = _stats(capsys, str(stats_project), *ARGS, "--by", "officer", "--format",
                          "csv")
    df = pd.read_csv(io.StringIO(out.lstrip("\ufeff")), dtype={"编码": str})
    assert set(df["计算时点"]) == {"2026-04-01T12:00:00"}
    row = df[df["编码"] == "P3"].iloc[0]
    assert (row["名称"], row["立案数"], row["超期在办数"]) == ("王芳", 6, 2)
    assert row["所属"] == "石湾执法中队"
    assert df[df["编码"] == "合计"]["结案率(%)"].item() == pytest.approx(66.67)
    code, out, _ = _stats(capsys, str(stats_project), *ARGS, "--by", "major", "--format", "csv")
    df = pd.read_csv(io.StringIO(out), dtype={"编码": str})
    assert dict(zip(df["名称"], df["立案数"])) == {"市容环境": 5, "街面秩序": 5, "施工管理": 1,
                                                 "全区": 11}
    out_csv = tmp_path / "cells.csv"
    code, out, _ = _stats(capsys, str(stats_project), *ARGS, "--by", "cell", "--format", "csv",
                          "--out", str(out_csv))
    assert code == 0 and out_csv.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8
    df = pd.read_csv(out_csv, encoding="utf-8-sig", dtype={"编码": str})
    assert dict(zip(df["编码"], df["名称"]))[A2] == "石湾01"


def test_cli_xlsx(stats_project, capsys, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "streets.xlsx"
    code, _, err = _stats(capsys, str(stats_project), *ARGS, "--format", "xlsx", "--out",
                          str(out))
    assert code == 0, err
    ws = load_workbook(out)["街道"]
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert "计算时点" in values[1][0] and "2026-04-01 12:00:00" in values[1][0]
    header = next(i for i, r in enumerate(values) if r[0] == "编码")
    cols = values[header]
    total = values[-1]
    assert total[0] == "合计"
    assert total[cols.index("应结案数")] == 9 and isinstance(total[cols.index("结案数")], int)
    cell = ws.cell(row=len(values), column=cols.index("结案率") + 1)
    assert cell.value == pytest.approx(6 / 9) and cell.number_format == "0.00%"


def test_monthly_and_quarterly_reports(stats_project, capsys, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "2026-03.xlsx"
    code, text, err = _stats(capsys, str(stats_project), "--report", "monthly", *ARGS, "--out",
                             str(out))
    assert code == 0, err
    assert "2026-04-01 12:00:00" in text
    wb = load_workbook(out)
    assert wb.sheetnames == ["全区", "街道", "社区", "单元网格", "处置人员", "案件大类", "案件小类",
                             "说明"]
    for name in wb.sheetnames[:-1]:
        ws = wb[name]
        assert "网格化考核指标" in ws["A1"].value and "2026年3月" in ws["A1"].value
        assert "计算时点" in ws["A2"].value
    ws = wb["全区"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = next(i for i, r in enumerate(rows) if r[0] == "编码")
    cols = rows[header]
    assert rows[header + 1][:2] == ["2026-03", "2026年3月"]
    assert rows[header + 1][cols.index("立案数")] == 11
    ratio = ws.cell(row=header + 2, column=cols.index("按期结案率") + 1)
    assert ratio.value == pytest.approx(5 / 9) and ratio.number_format == "0.00%"
    notes = [r[0] for r in wb["说明"].iter_rows(values_only=True)]
    assert any(str(n).startswith("应结案数") for n in notes)
    q = tmp_path / "2026Q1.xlsx"
    code, _, err = _stats(capsys, str(stats_project), "--report", "quarterly", "--period",
                          "2026Q1", "--as-of", "2026-04-01T12:00:00", "--out", str(q))
    assert code == 0, err
    rows = [r for r in load_workbook(q)["全区"].iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r[0] == "编码")
    assert [r[1] for r in rows[header + 1:]] == ["2026年1月", "2026年2月", "2026年3月", "全区"]
    assert [r[2] for r in rows[header + 1:]] == [0, 1, 11, 12]


def test_cli_weights_and_mistakes(stats_project, capsys):
    import json

    code, _, err = _stats(capsys, str(stats_project), *ARGS, "--weights", "满意度=10")
    assert code == 2 and "未知的权重项" in err
    code, _, err = _stats(capsys, str(stats_project), "--report", "monthly", "--period",
                          "2026Q1", "--out", "x.xlsx")
    assert code == 2 and "2026-03" in err
    code, _, err = _stats(capsys, str(stats_project), "--period", "2026-3x")
    assert code == 2 and "--period" in err
    code, _, err = _stats(capsys, str(stats_project), *ARGS, "--from", "2026-03-01")
    assert code == 2
    code, out, err = _stats(capsys, str(stats_project), *ARGS, "--weights", "结案率=1",
                            "--save-weights")
    assert code == 0, err
    code, out, _ = _stats(capsys, str(stats_project), *ARGS, "--format", "json")
    doc = json.loads(out)
    assert doc["weights"]["close_rate"] == 1 and doc["weights"]["ontime_rate"] == 0
    assert doc["total"]["score"] == pytest.approx(100 * 6 / 9)


# --------------------------------------------------------------------------- the real workflow

def test_real_workflow_on_the_demo(demo_copy):
    """Cases moved through cases-core's workflow (working-time deadlines, dispatch to the
    responsible officer) add up as defined, as of the end of March and as of a moment before
    the last steps; the per-cell colouring agrees with the map's counts."""
    from gridmgr.cases import lifecycle as core
    from gridmgr.indicators.map_counts import cell_case_counts
    from gridmgr.project import open_project

    cell = "44060401000501"  # dispatch goes to CC0146 from 2026-03-01
    march = Period.parse("2026-03")
    end = ind.parse_as_of("2026-03-31")
    early_at = datetime(2026, 3, 9, 10, 30)
    groupings = ["street", "officer", "cell"]
    with open_project(demo_copy, readonly=True) as store:  # the demo has cases of its own
        before = _run_tables(store, groupings, end, march)
        (early_before,) = _run_tables(store, ["total"], early_at, march)
    with open_project(demo_copy) as store:
        cells = store.areas("cell")
        p = cells[cells["code"] == cell].geometry.iloc[0].representative_point()

        def new(at: str) -> str:
            return core.create_case(store, source="12345热线", category="暴露垃圾", lon=p.x,
                                    lat=p.y, coords="cgcs2000", reported_at=at,
                                    by_staff_no="CC0001")["case_no"]

        def go(no: str, *steps: tuple[Any, ...]) -> None:
            for action, at, *kw in steps:
                core.transition(store, no, action, by="CC0001", at=at, **(kw[0] if kw else {}))

        a, b, c, v = (new(f"2026-03-0{i}T09:00") for i in (2, 3, 4, 5))
        for no, day in ((a, 2), (b, 3), (c, 4), (v, 5)):
            go(no, ("立案", f"2026-03-0{day}T09:05"))
        go(a, ("派遣", "2026-03-02T09:10"), ("处置", "2026-03-02T10:00"),
           ("反馈", "2026-03-02T11:00"), ("核查通过", "2026-03-02T11:30"),
           ("结案", "2026-03-02T11:45"))
        go(b, ("派遣", "2026-03-03T09:10"), ("处置", "2026-03-03T10:00"))  # left in 处置
        go(c, ("派遣", "2026-03-04T09:10"),
           ("延期", "2026-03-04T10:00", {"note": "需协调", "approver": "CC0002",
                                         "due": "2026-03-10T18:00"}),
           ("处置", "2026-03-05T09:00"), ("反馈", "2026-03-09T10:00"),
           ("返工", "2026-03-09T11:00", {"note": "未清理干净"}), ("反馈", "2026-03-09T15:00"),
           ("核查通过", "2026-03-09T15:30"), ("结案", "2026-03-09T16:00"))
        go(v, ("作废", "2026-03-05T09:10", {"note": "重复上报"}))
        assert store.case_row(b)["dispose_due_at"] == "2026-03-03T15:10:00"  # 4 工作时

    def added(after: dict[str, Any], was: dict[str, Any]) -> dict[str, int]:
        return {k: after.get(k, 0) - was.get(k, 0) for k in ind.COUNTS}

    with open_project(demo_copy, readonly=True) as store:
        street, officer, by_cell = _run_tables(store, groupings, end, march)
        assert added(street.total, before[0].total) == {
            "registered": 3, "due": 3, "closed": 2, "ontime": 2, "dispose_due": 3,
            "disposed": 2, "checked": 2, "reworked": 1, "extended": 1, "open": 1,
            "overdue": 1, "parked": 0, "voided": 1, "received": 4, "pending": 0}
        rows = {r["code"]: r for r in street.records()}
        was = {r["code"]: r for r in before[0].records()}
        assert added(rows["440604010"], was.get("440604010", {}))["registered"] == 3
        rows = {r["code"]: r for r in officer.records()}
        was = {r["code"]: r for r in before[1].records()}
        assert added(rows["CC0146"], was.get("CC0146", {}))["closed"] == 2
        rows = {r["code"]: r for r in by_cell.records()}
        assert rows[cell]["name"]  # the cell's name from the grid
        # before C's 返工: C was fed back (disposed), neither reworked nor closed
        (early,) = _run_tables(store, ["total"], early_at, march)
        assert added(early.total, early_before.total) == {
            "registered": 3, "due": 2, "closed": 1, "ontime": 1, "dispose_due": 3,
            "disposed": 2, "checked": 1, "reworked": 0, "extended": 1, "open": 2,
            "overdue": 1, "parked": 0, "voided": 1, "received": 4, "pending": 0}
        # the map: now from the columns, and at a past moment from the log
        now = ind.now_beijing().isoformat()
        sql = store.cell_open_overdue(now)
        assert sql.to_dict("records") == cell_case_counts(store, now).to_dict("records")
        from gridmgr.progress import run

        data = run(ind.load(store))
        states = ind.case_states(data.cases, data.transitions, end)
        mine = ind.cell_counts(states, data.cases, end)
        theirs = cell_case_counts(store, end.isoformat())
        assert mine.to_dict("records") == theirs.to_dict("records")
        assert len(mine) > 1 and cell in set(mine["cell_code"])


def _run_tables(store: Any, groupings: list[str], as_of: datetime, period: Period) -> list:
    from gridmgr.progress import run

    return run(ind.project_tables(store, groupings, as_of=as_of, period=period,
                                  weights=ind.DEFAULT_WEIGHTS))


def test_redrawn_grid_keeps_old_cases_in_their_cells(stats_project, capsys):
    """A2 is redrawn (ended, a new cell drawn over it): old cases stay under A2, with its
    name, and nothing moves to the new cell."""
    import json

    from shapely.geometry import box

    from gridmgr.project import open_project

    with open_project(stats_project) as store, store.atomic():
        store.close_areas("cell", "urban", valid_to="2026-03-20", codes=[A2])
        store.insert_areas("cell", [{"code": A2[:-2] + "99", "name": "石湾新01",
                                     "parent_code": A2[:12], "valid_from": "2026-03-20"}],
                           [box(113.1, 23.0, 113.11, 23.01)])
    code, out, err = _stats(capsys, str(stats_project), *ARGS, "--by", "cell", "--format",
                            "json")
    assert code == 0, err
    rows = {r["code"]: r for r in json.loads(out)["rows"]}
    assert set(rows) == {A1, A2}
    assert rows[A2]["name"] == "石湾01" and rows[A2]["registered"] == 6


def test_refused_weights_leave_the_project_as_it_was(stats_project, capsys):
    before = fingerprint(stats_project)
    code, _, err = _stats(capsys, str(stats_project), *ARGS, "--weights", "结案率=-1",
                          "--save-weights")
    assert code == 2 and "不小于 0" in err
    code, _, err = _stats(capsys, str(stats_project), *ARGS, "--save-weights")
    assert code == 2 and "--weights" in err
    assert fingerprint(stats_project) == before
