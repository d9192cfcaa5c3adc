"""Cases on the demo district: dispatch by reported day, the workflow, deadlines, overdue,
escalation (三色单), photos, the notice PDF and the CLI."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from project_state import fingerprint

from gridmgr.cases import lifecycle as cases
from gridmgr.cases import notices
from gridmgr.cli import main
from gridmgr.errors import UsageError
from gridmgr.indicators.map_counts import cell_case_counts
from gridmgr.project import open_project
from gridmgr.registers.responsibility import assign
from gridmgr.storage import Store
from gridmgr.storage.records import CASE_COLUMNS, TRANSITION_COLUMNS

CELL = "44060401000501"  # community 440604010005: CC0046 until 2026-02-28, CC0146 from 03-01
SIBLING = "44060401000502"


@pytest.fixture
def store(demo_copy: Path) -> Iterator[Store]:
    s = open_project(demo_copy)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> str:
    """"Now" in mid-2027, for tests that file cases in the months after the demo's data — later
    than the machine's clock may be, and steps cannot be recorded in the future."""
    now = "2027-06-30T12:00:00"
    monkeypatch.setattr(cases, "now_local", lambda: now)
    return now


def point(store: Store, cell: str) -> tuple[float, float]:
    cells = store.areas("cell")
    p = cells[cells["code"] == cell].geometry.iloc[0].representative_point()
    return p.x, p.y


def new(store: Store, at: str, *, cell: str = CELL, category: str = "暴露垃圾",
        enterprise: str | None = None, **kw: object) -> str:
    lon, lat = point(store, cell)
    row = cases.create_case(store, source="12345热线", category=category, lon=lon, lat=lat,
                            coords="cgcs2000", reported_at=at, enterprise=enterprise,
                            by_staff_no="CC0001", **kw)
    return row["case_no"]


def run(store: Store, no: str, *steps: tuple[str, str]) -> dict:
    row: dict = {}
    for action, at in steps:
        row = cases.transition(store, no, action, by="CC0001", at=at)
    return row


def test_dispatch_goes_to_who_was_responsible_on_the_reported_day(store: Store) -> None:
    before = new(store, "2026-02-10T09:00")
    # registered and dispatched after the change on 03-01: still the officer of 02-10
    row = run(store, before, ("立案", "2026-03-02T09:00"), ("派遣", "2026-03-02T09:10"))
    assert row["cell_code"] == CELL and row["community_code"] == "440604010005"
    assert row["street_code"] == "440604010"
    assert row["handler_staff_no"] == "CC0046"
    after = new(store, "2026-03-10T09:00")
    row = run(store, after, ("立案", "2026-03-10T09:10"), ("派遣", "2026-03-10T09:20"))
    assert row["handler_staff_no"] == "CC0146"
    step = store.transitions_frame(case_uuid=row["uuid"]).iloc[-1]
    assert (step["action"], step["note"]) == ("派遣", "派遣给 CC0146")


def test_fallback_to_the_parent_area_and_refusal_when_nobody(store: Store) -> None:
    resp = store.responsibilities()
    mine = resp[(resp["area_code"] == "440604010005") & (resp["slot"] == "primary")]
    with store.atomic():  # the community loses its primaries: nobody answers for the cell
        for rid, start in zip(mine["id"], mine["valid_from"]):
            store.close_responsibilities([rid], start)
    no = new(store, "2026-02-10T09:00")
    cases.transition(store, no, "立案", by="CC0001", at="2026-02-10T09:05")
    with pytest.raises(UsageError, match="没有责任人"):
        cases.transition(store, no, "派遣", by="CC0001", at="2026-02-10T09:10")
    assert store.case_row(no)["status"] == "立案"
    assign(store, staff_no="CC0140", role="执法队员", area="440604010", from_date="2025-01-01")
    assign(store, staff_no="CC0141", role="网格员", cells=[SIBLING], from_date="2025-01-01")
    row = cases.transition(store, no, "派遣", by="CC0001", at="2026-02-10T09:10")
    assert row["handler_staff_no"] == "CC0140"  # 属地兜底: the street's
    d = cases.Dispatcher(store)
    assert d.primary(CELL, "440604010005", "440604010", "2026-02-10") == ("CC0140", "street")
    assert d.primary(SIBLING, "440604010005", "440604010", "2026-02-10") == ("CC0141", "cell")
    assert d.primary("x", "440604010001", "440604010", "2026-02-10") == ("CC0042", "community")
    assert d.primary(SIBLING, "440604010005", "440604010", "2024-12-31") == (None, None)


def test_full_workflow_records_who_when_and_deadlines(store: Store) -> None:
    # 暴露垃圾: 核实 1 工作时, 派遣 0.5, 处置 4, 核查 1; the eve of 春节 2026 (2-14 is 调休)
    no = new(store, "2026-02-13T16:30", address="季华五路 1 号", description="垃圾袋堆放")
    row = store.case_row(no)
    assert (row["status"], row["due_at"]) == ("受理", "2026-02-13T17:30:00")
    row = run(store, no, ("核实", "2026-02-13T16:40"), ("立案", "2026-02-13T16:45"))
    assert (row["registered_at"], row["due_at"]) == ("2026-02-13T16:45:00", "2026-02-13T17:15:00")
    row = run(store, no, ("派遣", "2026-02-13T17:00"))
    # 1 h on Friday, then 3 h on the 调休 Saturday
    assert row["dispose_due_at"] == row["due_at"] == "2026-02-14T11:30:00"
    row = run(store, no, ("处置", "2026-02-14T08:40"), ("反馈", "2026-02-14T10:00"))
    assert row["due_at"] == "2026-02-14T11:00:00"
    row = run(store, no, ("核查通过", "2026-02-14T10:30"), ("结案", "2026-02-14T10:45"))
    assert (row["status"], row["closed_at"], row["due_at"]) == ("结案", "2026-02-14T10:45:00",
                                                                None)
    steps = store.transitions_frame(case_uuid=row["uuid"])
    assert list(steps["seq"]) == list(range(1, 9))
    assert list(steps["action"]) == ["受理", "核实", "立案", "派遣", "处置", "反馈", "核查通过",
                                     "结案"]
    assert set(steps["by_staff_no"]) == {"CC0001"} and set(steps["by_name"]) == {"刘广"}
    assert list(steps["to_status"])[-3:] == ["反馈", "核查", "结案"]
    assert steps["at"].iloc[3] == "2026-02-13T17:00:00"


def test_illegal_steps_are_refused_and_change_nothing(store: Store) -> None:
    no = new(store, "2026-03-02T09:00")
    before = len(store.transitions_frame())
    with pytest.raises(UsageError, match="当前状态为“受理”，不能“结案”"):
        cases.transition(store, no, "结案", by="CC0001", at="2026-03-02T09:10")
    with pytest.raises(UsageError, match="必须写明理由"):
        cases.transition(store, no, "作废", by="CC0001", at="2026-03-02T09:10")
    with pytest.raises(UsageError, match="没有工号为 XX9"):
        cases.transition(store, no, "立案", by="XX9", at="2026-03-02T09:10")
    run(store, no, ("立案", "2026-03-02T09:10"))
    with pytest.raises(UsageError, match="早于案件上一步"):
        cases.transition(store, no, "派遣", by="CC0001", at="2026-03-02T09:05")
    run(store, no, ("派遣", "2026-03-02T09:20"))
    with pytest.raises(UsageError, match="只能在受理、立案状态下作废") as late:
        cases.transition(store, no, "作废", by="CC0001", at="2026-03-02T09:30", note="重复")
    # a desk that came too late learns who moved the case last, and when
    assert "案件最近一步：派遣，刘广 CC0001，2026-03-02T09:20" in str(late.value)
    assert len(store.transitions_frame()) == before + 2
    assert store.case_row(no)["status"] == "派遣"


def test_a_zoned_time_is_converted_to_beijing_time(store: Store) -> None:
    """--at 2026-03-02T01:10:00Z is 09:10 in Beijing — converted, not read as 01:10."""
    no = new(store, "2026-03-02T00:30:00Z")  # 08:30 Beijing
    assert store.case_row(no)["reported_at"] == "2026-03-02T08:30:00"
    row = cases.transition(store, no, "立案", by="CC0001", at="2026-03-02T01:10:00Z")
    assert row["registered_at"] == "2026-03-02T09:10:00"
    row = cases.transition(store, no, "派遣", by="CC0001", at="2026-03-02T09:20:00+08:00")
    assert row["dispatched_at"] == "2026-03-02T09:20:00"
    row = cases.transition(store, no, "延期", by="CC0001", at="2026-03-02T02:30:00+01:00",
                           note="等材料", approver="CC0002", due="2026-03-06T01:00:00Z")
    steps = store.transitions_frame(case_uuid=row["uuid"])
    assert steps["at"].iloc[-1] == "2026-03-02T09:30:00"
    assert row["dispose_due_at"] == "2026-03-06T09:00:00"


def test_a_step_in_the_future_is_refused(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cases, "now_local", lambda: "2026-03-02T10:00:00")
    with pytest.raises(UsageError, match="晚于现在"):
        new(store, "2031-01-01T10:00")
    no = new(store, "2026-03-02T09:00")
    before = store.transitions_frame(case_uuid=store.case_row(no)["uuid"])
    with pytest.raises(UsageError, match="晚于现在"):
        cases.transition(store, no, "立案", by="CC0001", at="2031-01-01T10:00")
    with pytest.raises(UsageError, match="晚于现在"):
        cases.transition(store, no, "立案", by="CC0001", at="2026-03-02T10:11")
    assert store.case_row(no)["status"] == "受理"
    assert len(store.transitions_frame(case_uuid=store.case_row(no)["uuid"])) == len(before)
    # a clock a few minutes fast is not an error
    row = cases.transition(store, no, "立案", by="CC0001", at="2026-03-02T10:09")
    assert row["registered_at"] == "2026-03-02T10:09:00"


def test_cli_refuses_a_future_at(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = fingerprint(demo_copy)
    assert main(["cases", "transition", str(demo_copy), "CC20261118001", "督办", "--by",
                 "CC0001", "--note", "限期", "--at", "2031-01-01T10:00"]) == 2
    assert "晚于现在" in capsys.readouterr().err
    assert fingerprint(demo_copy) == before


def test_void_return_extension_rework_park_and_supervision(store: Store) -> None:
    void = new(store, "2026-03-02T09:00")
    row = cases.transition(store, void, "作废", by="CC0001", at="2026-03-02T09:30",
                           note="与 AJ 重复")
    assert (row["status"], row["due_at"]) == ("作废", None)

    no = new(store, "2026-03-02T09:00")
    run(store, no, ("立案", "2026-03-02T09:10"), ("派遣", "2026-03-02T09:20"))
    row = cases.transition(store, no, "回退", by="CC0146", at="2026-03-02T10:00",
                           note="属于供水公司管养")
    assert (row["status"], row["handler_staff_no"], row["dispose_due_at"]) == ("立案", None, None)
    row = cases.transition(store, no, "派遣", by="CC0001", at="2026-03-02T10:10",
                           handler="CC0100")
    assert (row["handler_staff_no"], row["dispose_due_at"]) == ("CC0100", "2026-03-02T16:10:00")
    with pytest.raises(UsageError, match="应晚于现在的"):
        cases.transition(store, no, "延期", by="CC0100", at="2026-03-02T11:00", note="等材料",
                         approver="CC0002", due="2026-03-02T12:00")
    row = cases.transition(store, no, "延期", by="CC0100", at="2026-03-02T11:00",
                           note="需协调产权单位", approver="CC0002", due="2026-03-05T18:00")
    assert (row["dispose_due_at"], row["due_at"], row["extension_count"]) == (
        "2026-03-05T18:00:00", "2026-03-05T18:00:00", 1)
    assert store.transitions_frame(case_uuid=row["uuid"]).iloc[-1]["note"] == \
        "需协调产权单位（批准人：CC0002）"
    run(store, no, ("处置", "2026-03-03T09:00"), ("反馈", "2026-03-03T10:00"))
    row = cases.transition(store, no, "返工", by="CC0001", at="2026-03-03T11:00",
                           note="仍有残留，请彻底清理")
    assert (row["status"], row["rework_count"]) == ("处置", 1)
    assert row["due_at"] == "2026-03-05T18:00:00"  # 返工 does not reset the deadline
    t = cases.timeline(store, no)
    assert t["rework_reason"] == "仍有残留，请彻底清理"
    assert t["allowed"] == ["反馈", "回退", "延期", "挂账", "督办"]
    row = cases.transition(store, no, "督办", by="CC0001", at="2026-03-03T11:30",
                           note="区城管办挂牌督办")
    assert (row["supervised"], row["status"]) == (1, "处置")
    row = cases.transition(store, no, "挂账", by="CC0001", at="2026-03-04T11:30",
                           note="涉及历史遗留产权纠纷，暂无法处置")
    assert (row["status"], row["due_at"]) == ("挂账", None)
    assert cases.transition(store, no, "派遣", by="CC0001",
                            at="2026-04-01T09:00")["status"] == "派遣"


def test_overdue_at_the_boundary_and_as_of_any_moment(store: Store) -> None:
    no = new(store, "2026-03-02T09:00", cell=SIBLING)
    row = run(store, no, ("立案", "2026-03-02T09:10"), ("派遣", "2026-03-02T09:20"))
    due = row["dispose_due_at"]
    assert due == "2026-03-02T15:20:00"  # 2 h 40 min before lunch, 1 h 20 min after

    def state(at: str) -> bool:
        df = cases.state_as_of(store, at)
        return bool(df.loc[df["case_no"] == no, "overdue"].iloc[0])

    assert not state("2026-03-02T15:20:00")  # at the due instant: not yet
    assert state("2026-03-02T15:20:01")
    counts = cell_case_counts(store, "2026-03-02T15:20:01").set_index("cell_code")
    assert (counts.loc[SIBLING, "open"], counts.loc[SIBLING, "overdue"]) >= (1, 1)
    run(store, no, ("处置", "2026-03-03T09:00"), ("反馈", "2026-03-03T09:30"),
        ("核查通过", "2026-03-03T10:00"), ("结案", "2026-03-03T10:10"))
    assert state("2026-03-02T16:00:00")  # replayed: it was overdue then
    assert not state("2026-03-03T10:10:00")  # closed: no longer
    listed = cases.list_cases(store, overdue_only=True, as_of="2026-03-02T16:00:00")
    assert no in set(listed["case_no"])
    assert no not in set(cases.list_cases(store, overdue_only=True)["case_no"])


def test_cell_case_counts_values(store: Store, later: str) -> None:
    at = "2026-12-01T09:00:00"
    base = cell_case_counts(store, at).set_index("cell_code")
    for k in range(3):
        no = new(store, f"2026-11-30T09:0{k}", cell=SIBLING)
        if k < 2:
            run(store, no, ("立案", f"2026-11-30T09:1{k}"), ("派遣", f"2026-11-30T09:2{k}"))
    counts = cell_case_counts(store, at).set_index("cell_code")
    assert list(counts.columns) == ["open", "overdue"]
    old = base.loc[SIBLING] if SIBLING in base.index else {"open": 0, "overdue": 0}
    # three open; the two dispatched at 09:2x (4 h) are overdue on 12-01 09:00, the third is
    # overdue too (its 1-hour 核实 limit ran out on 11-30)
    assert counts.loc[SIBLING, "open"] - old["open"] == 3
    assert counts.loc[SIBLING, "overdue"] - old["overdue"] == 3
    assert counts["open"].dtype == "int64"


def test_escalation_blue_yellow_red_at_one_enterprise(store: Store, later: str) -> None:
    ents = store.enterprises()
    used = set(store.cases_frame()["enterprise_uuid"].dropna())
    ent = ents[ents["cell_code"].notna() & ~ents["uuid"].isin(used)].iloc[0]
    key, cell = ent["credit_code"], ent["cell_code"]
    nos = [new(store, at, cell=cell, category="废气排放", enterprise=key)
           for at in ("2026-11-02T09:00", "2026-11-20T09:00", "2026-12-01T09:00")]
    other = new(store, "2026-12-02T09:00", cell=cell, category="占道经营", enterprise=key)
    colours = [notices.escalation(store, store.case_row(n))["colour"] for n in nos]
    assert colours == ["蓝", "黄", "红"]
    assert notices.escalation(store, store.case_row(other))["colour"] == "蓝"  # other 大类
    esc = notices.escalation(store, store.case_row(nos[2]))
    assert (esc["enterprise_uuid"], esc["count"], esc["cases"]) == (ent["uuid"], 3, sorted(nos))
    late = new(store, "2027-03-15T09:00", cell=cell, category="废水排放", enterprise=key)
    assert notices.escalation(store, store.case_row(late))["colour"] == "蓝"  # > 90 days on
    # recorded afterwards ("now" is mid-2027): their deadlines have passed, hence force
    n1 = notices.issue_notice(store, nos[0], issued_at="2026-11-02T10:00", force=True)["notice"]
    n2 = notices.issue_notice(store, nos[1], issued_at="2026-11-20T10:00", force=True)["notice"]
    assert (n1["colour"], n2["colour"]) == ("蓝", "黄")
    assert (n1["notice_no"], n2["notice_no"]) == ("ZG202600001", "ZG202600002")
    again = notices.issue_notice(store, nos[1])["notice"]
    assert again["notice_no"] == n2["notice_no"]  # the same notice, not a new one
    assert len(store.notices_frame(enterprise_uuid=ent["uuid"])) == 2


def test_escalation_at_a_place_without_enterprise(store: Store, later: str) -> None:
    used = set(store.cases_frame()["cell_code"])
    cell = next(c for c in store.areas("cell")["code"] if c not in used)
    nos = [new(store, f"2026-12-0{d}T09:00", cell=cell, category=c)
           for d, c in ((1, "暴露垃圾"), (2, "道路不洁"), (3, "施工扰民"), (4, "积存垃圾渣土"))]
    got = [notices.escalation(store, store.case_row(n)) for n in nos]
    # 市容环境 three times at this cell; 施工扰民 is another 大类 (施工管理)
    assert [g["colour"] for g in got] == ["蓝", "黄", "蓝", "红"]
    assert [g["count"] for g in got] == [1, 2, 1, 3]
    assert got[3]["place_key"] == cell and "enterprise_uuid" not in got[3]


def test_photos_are_kept_inside_the_project(store: Store, tmp_path: Path) -> None:
    jpg = tmp_path / "现场.jpg"
    data = bytes(range(256)) * 40 + b"\xff\xd9"
    jpg.write_bytes(data)
    no = new(store, "2026-03-02T09:00", photos=[jpg])
    jpg.unlink()
    store.close()
    again = open_project(store.path, readonly=True)
    try:
        photos = again.photos(again.case_row(no)["uuid"])
    finally:
        again.close()
    assert len(photos) == 1
    assert (photos[0]["name"], photos[0]["mime"], photos[0]["data"]) == ("现场.jpg",
                                                                         "image/jpeg", data)


def test_frames_keep_the_schema_columns(store: Store) -> None:
    df = store.cases_frame()
    assert tuple(df.columns) == CASE_COLUMNS
    assert tuple(store.transitions_frame().columns) == TRANSITION_COLUMNS
    assert len(df) > 300  # the demo's cases
    many = [*df["uuid"], *(f"none-{i}" for i in range(600))]  # more than one statement holds
    assert len(store.transitions_frame(case_uuid=many)) == len(store.transitions_frame())
    assert len(store.cases_frame(case_nos=[*df["case_no"], *map(str, range(600))])) == len(df)


def test_demo_cases_cover_the_workflow(demo: Path) -> None:
    s = open_project(demo, readonly=True)
    try:
        df = s.cases_frame()
        steps = s.transitions_frame()
        state = cases.state_as_of(s, "2026-11-23T12:00")
    finally:
        s.close()
    assert set(df["status"]) == {"受理", "立案", "派遣", "处置", "反馈", "核查", "结案", "作废",
                                 "挂账"}
    assert (df["rework_count"] > 0).sum() >= 3 and (df["extension_count"] > 0).sum() >= 3
    assert df["supervised"].sum() >= 1
    assert state["overdue"].sum() >= 5
    assert df["cell_code"].notna().all()
    assert set(steps["action"]) >= {"受理", "立案", "派遣", "结案", "作废", "返工", "延期", "督办"}
    early = df[df["case_no"] == "CC20260210001"].iloc[0]
    assert (early["cell_code"], early["handler_staff_no"]) == (CELL, "CC0046")


def test_notice_pdf_has_case_number_deadline_and_embedded_cjk_font(store: Store,
                                                                   tmp_path: Path,
                                                                   qapp: object) -> None:
    # qapp: the QApplication the desktop tests need is made first; a bare QGuiApplication
    # made by the renderer would abort a later QWidget test in the same process
    if not shutil.which("pdftotext") or not shutil.which("pdffonts"):
        pytest.skip("poppler-utils missing")
    no = new(store, "2026-03-02T09:00", address="季华五路 1 号", description="人行道暴露垃圾")
    run(store, no, ("立案", "2026-03-02T09:10"), ("派遣", "2026-03-02T09:20"))
    out = tmp_path / "整改通知书.pdf"
    # recorded afterwards: the deadline (03-02 15:20) is past today, so it needs force
    data = notices.write_notice_pdf(store, no, out, issued_at="2026-03-02T09:30", force=True)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert no in text and data["notice"]["notice_no"] in text
    assert "2026年3月2日 15:20 前" in text  # the deadline, without seconds
    assert "15:20:00" not in text and "09:30:00" not in text
    # addressed to the handler's unit (no enterprise on the case), not to a placeholder
    handler = store.officer_by_staff_no(store.case_row(no)["handler_staff_no"])
    assert data["addressee"] == {"name": handler["unit"], "kind": "handler_unit"}
    assert f"{handler['unit']}：" in text and "责任单位" not in text
    # the place in words: address, cell name (code), community, street
    where = data["place"]
    names = {lvl: store.area_brief(lvl, "urban", code)["name"]
             for lvl, code in (("cell", CELL), ("community", CELL[:12]), ("street", CELL[:9]))}
    assert (where["cell_name"], where["community_name"], where["street_name"]) == (
        names["cell"], names["community"], names["street"])
    flat = " ".join(text.split())
    for part in ("季华五路 1 号", names["community"], names["street"], CELL):
        assert part in flat
    assert "（盖章）" in text
    # the demo's 暴露垃圾 case of 02-10 in the same cell makes this the second: yellow
    assert data["notice"]["colour"] == "黄" and data["escalation"]["count"] == 2
    assert "黄色整改通知单" in text and "单元网格" in text  # no radicals (⽹) in place of 网
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True,
                           check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)


def test_cli_new_transition_show_list(demo_copy: Path, capsys: pytest.CaptureFixture[str],
                                      tmp_path: Path) -> None:
    s = open_project(demo_copy, readonly=True)
    lon, lat = point(s, CELL)
    s.close()
    p = str(demo_copy)
    assert main(["cases", "new", p, "--source", "巡查上报", "--category", "SJ0502", "--lon",
                 str(lon), "--lat", str(lat), "--coords", "cgcs2000", "--at",
                 "2026-02-10T10:00", "--case-no", "T1", "--by", "CC0001"]) == 0
    assert main(["cases", "transition", p, "T1", "立案", "--by", "CC0001", "--at",
                 "2026-02-10T10:05"]) == 0
    assert main(["cases", "transition", p, "T1", "派遣", "--by", "CC0001", "--at",
                 "2026-02-10T10:10"]) == 0
    assert "处置人 CC0046" in capsys.readouterr().out
    assert main(["cases", "transition", p, "T1", "结案", "--by", "CC0001"]) == 2
    assert "不能“结案”" in capsys.readouterr().err
    assert main(["cases", "transition", p, "T1", "延期", "--by", "CC0046", "--at",
                 "2026-02-10T11:00", "--note", "等材料"]) == 2
    assert "批准人" in capsys.readouterr().err
    assert main(["cases", "show", p, "T1"]) == 0
    out = capsys.readouterr().out
    assert "状态：派遣" in out and "派遣给 CC0046" in out and "当前可以：处置、回退" in out
    assert main(["cases", "list", p, "--overdue", "--as-of", "2026-02-10T18:00",
                 "--format", "csv", "--out", str(tmp_path / "l.csv")]) == 0
    assert "T1" in (tmp_path / "l.csv").read_text(encoding="utf-8-sig")
    assert main(["cases", "list", p, "--status", "派遣", "--as-of", "2026-02-10T10:20"]) == 0
    assert "T1" in capsys.readouterr().out


def test_export_cases(demo: Path, tmp_path: Path) -> None:
    import pyogrio

    out = tmp_path / "cases.gpkg"
    assert main(["-q", "export", str(demo), "cases", "--out", str(out)]) == 0
    gdf = pyogrio.read_dataframe(out)
    assert len(gdf) > 300 and gdf.geometry.geom_type.eq("Point").all()
    row = gdf[gdf["case_no"] == "CC20260210001"].iloc[0]
    assert (row["status"], row["category_name"], row["handler_name"]) == ("结案", "暴露垃圾",
                                                                         "林祖婷")
    csv_out = tmp_path / "cases.csv"
    assert main(["-q", "export", str(demo), "cases", "--out", str(csv_out), "--as-of",
                 "2026-06-01"]) == 0
    text = csv_out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("案件编号,状态,来源,小类编码,小类,大类")


@pytest.mark.parametrize("moment", ["2026-12-31T23:00:00", "2026-06-15T12:00:00"])
def test_map_counts_agree_with_the_replayed_history(demo: Path, moment: str):
    """The map's counts — by one query on the current columns when no step lies after the
    moment, else by the indicators' vectorised replay — equal a plain replay of the history
    through state_as_of, per cell."""
    with open_project(demo, readonly=True) as s:
        quick_path = s.last_transition_at() <= moment
        counts = cell_case_counts(s, moment).set_index("cell_code")
        state = cases.state_as_of(s, moment)
    assert quick_path == moment.startswith("2026-12")  # both paths are exercised
    state = state[state["status"].isin(cases.UNRESOLVED) & state["cell_code"].notna()]
    replayed = state.groupby("cell_code").agg(open=("uuid", "size"), overdue=("overdue", "sum"))
    assert counts["open"].sum() >= 10 and counts["overdue"].sum() >= 1
    assert counts["open"].to_dict() == replayed["open"].astype(int).to_dict()
    assert counts["overdue"].to_dict() == replayed["overdue"].astype(int).to_dict()


def test_notice_deadline_before_issue_or_past_is_refused_unless_forced(
        store: Store, later: str, tmp_path: Path) -> None:
    no = new(store, "2027-06-29T09:00")
    run(store, no, ("立案", "2027-06-29T09:10"), ("派遣", "2027-06-29T09:20"))
    before = len(store.notices_frame())
    # earlier than the issue time (a notice dated tomorrow)
    with pytest.raises(UsageError, match="不晚于签发时间 2027-07-01 10:00") as err:
        notices.issue_notice(store, no, issued_at="2027-07-01T10:00",
                             deadline="2027-07-01T09:00")
    assert "--force" in str(err.value)
    # already past ("now" is 2027-06-30 12:00): the case's own 4-hour deadline ran out
    due = store.case_row(no)["dispose_due_at"]
    assert due < later
    with pytest.raises(UsageError, match=r"已过（现在 2027-06-30 12:00）"):
        notices.issue_notice(store, no)
    assert len(store.notices_frame()) == before  # nothing recorded
    # a new deadline the officer gives goes on the notice
    ok = notices.issue_notice(store, no, deadline="2027-07-05T18:00")["notice"]
    assert ok["deadline"] == "2027-07-05T18:00:00"
    other = new(store, "2027-06-29T09:05", cell=SIBLING)
    forced = notices.issue_notice(store, other, issued_at="2027-06-30T10:00",
                                  deadline="2027-06-30T09:00", force=True)["notice"]
    assert forced["deadline"] == "2027-06-30T09:00:00"
    assert len(store.notices_frame()) == before + 2


def test_cli_notice_refuses_a_past_deadline_and_prints_minutes(
        demo_copy: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        later: str, qapp: object) -> None:
    s = open_project(demo_copy)
    try:
        no = new(s, "2027-06-29T09:00")
        run(s, no, ("立案", "2027-06-29T09:10"), ("派遣", "2027-06-29T09:20"))
    finally:
        s.close()
    out = tmp_path / "n.pdf"
    assert main(["cases", "notice", str(demo_copy), no, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "已过" in err and "--force" in err and not out.exists()
    assert main(["cases", "notice", str(demo_copy), no, "--out", str(out),
                 "--deadline", "2027-07-02 17:30"]) == 0
    said = capsys.readouterr().out
    assert "整改期限 2027-07-02 17:30：" in said and "17:30:00" not in said
    assert out.exists()
