"""``cases list --format csv`` is streamed from SQL (issue 17): its bytes must be those the
DataFrame path wrote — ``list_cases`` (every column, the history replayed in pandas), the
labels mapped, ``sheet_frame`` and ``to_csv`` — for every filter, on text that needs quoting,
guarding or nothing at all."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gridmgr.cases import lifecycle as cases
from gridmgr.cli import main
from gridmgr.cli.cases import LIST_ZH
from gridmgr.errors import UsageError
from gridmgr.project import open_project
from gridmgr.storage import Store
from gridmgr.text import sheet_frame, write_sheet_csv

LABELS = {"overdue": "是", "supervised": "督办"}
# stored text a CSV writer must quote, a spreadsheet must not run, or XML cannot hold
ODD = ["东风路 1 号, 2 号楼", '他说"井盖"丢了', "第一行\n第二行", "回车\r\n换行", "=HYPERLINK(\"x\")",
       "-3", "+8613800000000", "@SUM(1)", "\t制表符开头", "\r回车开头", "空\x0b字\x01符", "", "  "]


def reference_csv(store: Store, **kw: Any) -> tuple[str, int]:
    """The path the command took before: the whole frame, then pandas' CSV (and its rows)."""
    df = cases.list_cases(store, **kw)
    shown = df[list(LIST_ZH)].copy()
    shown["overdue"] = shown["overdue"].map({True: "是", False: ""})
    shown["supervised"] = shown["supervised"].map({1: "督办", 0: ""})
    return sheet_frame(shown.rename(columns=LIST_ZH)).to_csv(index=False), len(df)


@pytest.fixture
def odd_project(demo_copy: Any) -> Iterator[tuple[Any, Store]]:
    """The demo's cases with odd text, NULLs, supervision, a case without steps, one whose
    columns disagree with its last step and one reported before its only steps."""
    store = open_project(demo_copy)
    try:
        frame = store.cases_frame()
        first = frame.iloc[0]
        geom = store.cases_gdf(case_nos=[first["case_no"]]).geometry.iloc[0]
        with store.atomic():
            for i, (_, row) in enumerate(frame.iloc[:len(ODD)].iterrows()):
                store.update_case(row["uuid"], {"address": ODD[i],
                                                "source": ODD[-1 - i] or "热线",
                                                "supervised": i % 2})
            for i, (_, row) in enumerate(frame.iloc[len(ODD):len(ODD) + 6].iterrows()):
                store.update_case(row["uuid"], {"address": None, "cell_code": None,
                                                "handler_staff_no": None,
                                                "category_code": None if i % 2 else "中文类别"})
            # its columns say 处置 with a deadline long past; its log says otherwise
            store.update_case(frame.iloc[30]["uuid"], {"status": "处置",
                                                       "due_at": "2026-01-01T00:00:00"})
            base = {"source": "巡查上报", "category_code": frame.iloc[0]["category_code"],
                    "description": "无流程", "address": "桂城街道, \"无流程\"",
                    "reported_at": "2026-02-01T08:00:00", "status": "受理",
                    "due_at": "2026-02-02T08:00:00", "system": first["system"]}
            store.insert_cases([{**base, "case_no": "ODD1"},
                                {**base, "case_no": "ODD2", "uuid": "odd2-uuid"}], [geom, geom])
            store.insert_transitions([  # ODD2: reported 02-01, its only steps in mid-February
                {"case_uuid": "odd2-uuid", "seq": 1, "action": "受理", "from_status": None,
                 "to_status": "受理", "by_staff_no": "CC0001", "by_name": "甲",
                 "at": "2026-02-15T09:00:00", "note": None, "due_at": "2026-02-16T09:00:00"},
                {"case_uuid": "odd2-uuid", "seq": 2, "action": "立案", "from_status": "受理",
                 "to_status": "立案", "by_staff_no": "CC0001", "by_name": "甲",
                 "at": "2026-02-15T10:00:00", "note": "换行\n备注", "due_at": None}])
        yield demo_copy, store
    finally:
        store.close()


def as_ofs(store: Store) -> list[str | None]:
    """Now (no replay), a moment after the last step, several inside the log (replay), one
    on a step's exact second, and one before every case."""
    steps = store.transitions_frame()
    mid = sorted(steps["at"])[len(steps) // 2]
    return [None, "2099-01-01T00:00", "2026-02-10T18:00", "2026-02-15T09:30", mid[:16],
            mid, "2026-02-28", "2000-01-01"]


def test_streamed_rows_equal_the_frame_path_for_every_filter(odd_project: Any) -> None:
    _, store = odd_project
    statuses = [None, *sorted(set(store.cases_frame()["status"])), "挂账"]
    header = list(LIST_ZH.values())
    rows = 0
    for as_of in as_ofs(store):
        for status in statuses:
            for overdue in (False, True):
                kw = {"status": status, "overdue_only": overdue, "as_of": as_of}
                want, n_want = reference_csv(store, **kw)
                for batch in (20_000, 3):  # one batch, and many mixing guarded and plain ones
                    buf = io.StringIO()
                    n = write_sheet_csv(buf, header, cases.list_case_rows(
                        store, list(LIST_ZH), labels=LABELS, batch=batch, **kw))
                    assert buf.getvalue() == want, (kw, batch)
                    assert n == n_want
                rows += n_want
    assert rows > 2000
    text, n_all = reference_csv(store)
    assert n_all == store.count_cases()
    # the odd values did reach the listing, guarded and quoted as pandas does
    assert '"东风路 1 号, 2 号楼"' in text and '"他说""井盖""丢了"' in text
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text and ",-3," in text
    assert "空字符" in text and "\x01" not in text and "\x0b" not in text and '"第一行\n第二行"' in text
    assert "督办" in text and "ODD1" in text and ",中文类别," in text
    # the replay: ODD2 keeps its columns before its steps, the log's status inside them
    before, _ = reference_csv(store, as_of="2026-02-10T18:00")
    inside, _ = reference_csv(store, as_of="2026-02-15T09:30")
    assert ",受理," in next(line for line in before.splitlines() if line.startswith("ODD2"))
    assert "2026-02-16T09:00:00" in next(line for line in inside.splitlines()
                                         if line.startswith("ODD2"))


def test_the_command_writes_the_same_bytes_to_a_file_and_to_stdout(
        odd_project: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project, store = odd_project
    runs = [([], {}), (["--overdue"], {"overdue_only": True}),
            (["--status", "派遣"], {"status": "派遣"}),
            (["--as-of", "2026-02-15T09:30"], {"as_of": "2026-02-15T09:30"}),
            (["--status", "处置", "--overdue", "--as-of", "2026-02-28T12:00"],
             {"status": "处置", "overdue_only": True, "as_of": "2026-02-28T12:00"}),
            (["--as-of", "2000-01-01"], {"as_of": "2000-01-01"})]
    for i, (flags, kw) in enumerate(runs):
        want, _ = reference_csv(store, **kw)
        out = tmp_path / f"l{i}.csv"
        assert main(["cases", "list", str(project), "--format", "csv", "--out", str(out),
                     *flags]) == 0
        assert capsys.readouterr().out == f"已写入 {out}\n"
        assert out.read_bytes() == want.encode("utf-8-sig"), flags
        assert main(["cases", "list", str(project), "--format", "csv", *flags]) == 0
        assert capsys.readouterr().out == want + "\n"  # what print(text) gave
    assert want == "案件编号,状态,来源,类别,上报时间,网格,处置人,本阶段截止,超期,督办,地址\n"


def test_bad_arguments_fail_before_anything_is_written(odd_project: Any,
                                                       tmp_path: Path) -> None:
    _, store = odd_project
    with pytest.raises(UsageError, match="未知状态"):
        cases.list_case_rows(store, list(LIST_ZH), status="没有")
    with pytest.raises(UsageError, match="--as-of"):
        cases.list_case_rows(store, list(LIST_ZH), as_of="昨天")
    with pytest.raises(ValueError, match="geom"):
        next(store.case_list_rows(["case_no", "geom"], "2026-01-01T00:00:00"))
    out = tmp_path / "x.csv"
    assert main(["cases", "list", str(odd_project[0]), "--format", "csv", "--status", "没有",
                 "--out", str(out)]) == 2
    assert not out.exists()
