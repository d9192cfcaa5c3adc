"""The case import's fast paths (each column cleaned and read once, deadlines computed all at
once from the calendar's period index, uuids drawn in order) write exactly what the row-by-row
reference paths write: the stepping calendar, ``clean_cell`` and ``parse_time`` per cell."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from test_workindex import step_hours

from gridmgr.cases import importer
from gridmgr.cases.importer import import_cases, parse_time, parse_time_column, sorted_uuid4s
from gridmgr.cases.workcalendar import WorkCalendar
from gridmgr.progress import run
from gridmgr.project import open_project
from gridmgr.text import clean_cell

HEAD = ["工单编号", "来源", "问题类型", "诉求内容", "经度", "纬度", "来电时间", "工单状态",
        "立案时间", "派单时间", "办结时间", "办理时限"]
LON, LAT = "113.1334", "23.0102"  # cell 44060401000501 of the demo district
STATUSES = ["处理中", "已办结", "待派遣", "已派遣", "待受理", "已处置", "待结案", "已作废", "暂缓"]
LIMITS = ["", "", "2工作日", "4工作时", "24小时", "3天", "1.5自然日", "0.5工作日", "7.5",
          "100000工作日"]


def spelled(t: datetime, k: int) -> str:
    """A time as hotline exports write it, one of several ways."""
    if k == 0:
        return t.strftime("%Y-%m-%d %H:%M:%S")
    if k == 1:
        return t.strftime("%Y-%m-%dT%H:%M:%S")
    if k == 2:
        return f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}"
    if k == 3:
        return f"{t.year}年{t.month}月{t.day}日 {t.hour}时{t.minute}分"
    return t.strftime("%Y-%m-%d %H:%M").translate(str.maketrans("0123456789",
                                                                 "０１２３４５６７８９"))


def hotline_rows(n: int, seed: int) -> list[list[str]]:
    """``n`` rows over 2025-01 … 2026-10 (holidays, 调休 days, year and month ends), in every
    status and limit unit, with a few defects (bad dates, a duplicate, an absurd limit)."""
    rng = np.random.default_rng(seed)
    t0 = datetime(2024, 12, 28)
    rows = []
    for i in range(n):
        rep = t0 + timedelta(seconds=int(rng.integers(0, 660 * 86400)))
        reg = rep + timedelta(minutes=int(rng.integers(0, 3000)))
        dis = reg + timedelta(minutes=int(rng.integers(0, 3000)))
        clo = dis + timedelta(hours=int(rng.integers(1, 300)))
        status = STATUSES[int(rng.integers(len(STATUSES)))]
        k = int(rng.integers(0, 5))
        reg_text = spelled(reg, k) if rng.random() < 0.7 else ""
        dis_text = spelled(dis, k) if rng.random() < 0.7 else ""
        if status in ("待受理",):
            reg_text = dis_text = ""
        if status in ("待派遣", "已作废"):
            dis_text = ""
        clo_text = spelled(clo, k) if status == "已办结" else ""
        rep_text = spelled(rep, k)
        if i % 97 == 5:
            rep_text = "2026-02-30 10:00:00"  # the stored form, but no such day
        rows.append([f" RX{i:05d}" if i % 50 == 3 else f"RX{i:05d}", "12345",
                     "暴露垃圾" if i % 3 else "占道经营", "垃圾\u3000堆放" if i % 7 == 0 else "垃圾",
                     LON, LAT, rep_text, status, reg_text, dis_text, clo_text,
                     LIMITS[int(rng.integers(len(LIMITS)))]])
    rows.append(list(rows[10]))  # a repeated number
    return rows


def reference_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """The import as it was: the calendar stepping hour by hour, nothing computed ahead, each
    cell cleaned and each time read on its own."""
    monkeypatch.setattr(WorkCalendar, "add_hours", step_hours)
    monkeypatch.setattr(WorkCalendar, "prime", lambda self, *a: None)
    def each_cell(values: list[Any], narrow: bool = False) -> tuple[list[Any], dict[int, Any]]:
        done = [clean_cell(v, narrow=narrow) for v in values]
        return [t for t, _ in done], {i: n for i, (_, n) in enumerate(done) if n}

    monkeypatch.setattr(importer, "clean_column", each_cell)

    def one_by_one(values: list[Any]) -> list[Any]:
        out = []
        for v in values:
            try:
                out.append(parse_time(v))
            except Exception as exc:
                out.append(importer._Unreadable(exc))
        return out

    monkeypatch.setattr(importer, "parse_time_column", one_by_one)


def written(location: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every case and step the import wrote, without the uuids, ids and write times."""
    with open_project(location, readonly=True) as store:
        cases = store.cases_frame(with_location=True)
        steps = store.transitions_frame()
    no = dict(zip(cases["uuid"], cases["case_no"]))
    steps = steps.assign(case_no=steps["case_uuid"].map(no)).drop(
        columns=["id", "uuid", "case_uuid", "created_at"], errors="ignore")
    cases = cases.drop(columns=["fid", "uuid", "created_at", "updated_at"], errors="ignore")
    return (cases.sort_values("case_no", ignore_index=True),
            steps.sort_values(["case_no", "seq"], ignore_index=True))


def test_the_import_writes_what_the_reference_paths_write(
        demo_file: Path, new_location: Callable[[str], Any], backend: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "工单.csv"
    with f.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEAD)
        w.writerows(hotline_rows(600, 3))
    reports, locations = [], []
    for name in ("fast", "reference"):
        target = new_location(f"{name}.gpkg")
        if backend == "postgis":
            from gridmgr.storage.postgis.transfer import push

            push(demo_file, target)
        else:
            target.write_bytes(demo_file.read_bytes())
        if name == "reference":
            reference_paths(monkeypatch)
        with open_project(target) as store:
            before = len(store.cases_frame())
            reports.append(run(import_cases(store, f)))
        locations.append(target)
    fast, ref = reports
    assert fast.accepted == ref.accepted > 400
    assert [(x.row, x.reason, x.extra) for x in fast.findings] == \
        [(x.row, x.reason, x.extra) for x in ref.findings]
    reasons = {x.reason for x in fast.refused}
    assert {"bad_time", "duplicate_case_no", "limit_too_long"} <= reasons
    (c1, s1), (c2, s2) = written(locations[0]), written(locations[1])
    assert len(c1) == before + fast.info["inserted"] and len(s1) > 2 * fast.accepted
    pd.testing.assert_frame_equal(c1, c2)
    pd.testing.assert_frame_equal(s1, s2)
    # deadlines were computed (not all blank) on the holiday calendar
    new = c1[c1["case_no"].str.startswith("RX")]
    assert new["dispose_due_at"].notna().sum() > 200 and new["due_at"].notna().sum() > 200


def test_time_columns_read_as_parse_time_reads_each_cell() -> None:
    values: list[Any] = ["2026-03-01 09:30:00", "2026-03-01T09:30:00", "2026-02-30 09:30:00",
                         "0000-01-01 00:00:00", "2026-03-01 24:00:00", "2026-03-01 09:30",
                         "2026/3/1 9:30", "2026年3月1日 9时30分", "２０２６-03-01 09:30:00",
                         " 2026-03-01 09:30:00", "2026-03-01T01:30:00Z",
                         "2026-03-01T09:30:00+08:00", "", None, "   ", "昨天", "昨天",
                         datetime(2026, 3, 1, 9, 30), 20260301, 4.5, "2026-03-01 09:30:00"]
    got = parse_time_column(values)
    for v, g in zip(values, got):
        try:
            want: Any = parse_time(v)
        except Exception as exc:
            assert isinstance(g, importer._Unreadable), v
            assert type(g.exc) is type(exc) and str(g.exc) == str(exc), v
        else:
            assert g == want, v


def test_uuids_are_random_version_4_in_order() -> None:
    ids = sorted_uuid4s(5000)
    assert ids == sorted(ids) and len(set(ids)) == 5000
    for s in ids:
        u = uuid.UUID(s)
        assert u.version == 4 and u.variant == uuid.RFC_4122 and str(u) == s
    assert sorted_uuid4s(0) == []
