"""Branch sites (分支机构): one credit code on several rows of a bureau's register is imported
with a warning, flagged in the register and listed by ``check``; ``--strict`` refuses; an
update import finds each site by its address (or name); the same site twice is still refused."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pytest

from gridmgr.cli import main
from gridmgr.errors import UsageError
from gridmgr.progress import run
from gridmgr.project import open_project
from gridmgr.registers.enterprises import SHARED_FLAG, edit_enterprise, import_enterprises
from gridmgr.registers.responsibility import check

CODE = "91440604MA4X001A1H"  # valid (GB 32100), shared by three sites
OTHER = "91440604MA4X002B2B"
HEAD = ["企业名称", "统一社会信用代码", "地址", "联系电话", "经度", "纬度"]


def _points(store, n: int) -> list[tuple[float, float, str]]:
    """(lon, lat, cell) of ``n`` demo enterprises in different cells, in WGS84."""
    ents = store.enterprises().drop_duplicates("cell_code").head(n)
    ll = gpd.GeoSeries(ents.geometry.to_numpy(), crs=store.crs).to_crs(4326)
    return [(p.x, p.y, c) for p, c in zip(ll, ents["cell_code"])]


def _write(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEAD)
        w.writerows(rows)
    return path


@pytest.fixture
def store(demo_copy):
    with open_project(demo_copy) as s:
        yield s


def _register(store, pts, tmp_path: Path, phone: str = "13900000001") -> Path:
    (x1, y1, _), (x2, y2, _), (x3, y3, _), (x4, y4, _) = pts
    return _write(tmp_path / "名录.csv", [
        ["佛山市顺达物流有限公司", CODE, "季华五路 1 号", "13900000000", x1, y1],        # 2
        ["佛山市顺达物流有限公司张槎分公司", CODE, "张槎一路 8 号", phone, x2, y2],     # 3
        ["佛山市顺达物流有限公司", CODE, "南庄大道 99 号", "13900000002", x3, y3],      # 4
        ["佛山市顺达物流有限公司", CODE, "季华五路 1 号", "13900000009", x1, y1],        # 5: row 2 again
        ["佛山市其他企业", OTHER, "汾江中路 3 号", "13900000003", x4, y4],              # 6
    ])


def test_branch_sites_are_kept_flagged_and_checked(store, tmp_path):
    pts = _points(store, 4)
    f = _register(store, pts, tmp_path)
    n0 = store.count_enterprises()
    report = run(import_enterprises(store, f, coords="wgs84"))
    assert [(x.row, x.reason) for x in report.refused] == [(5, "duplicate_credit_code")]
    assert report.refused[0].extra["first_row"] == 2
    shared = [(w.row, w.code, w.extra["first_row"]) for w in report.warnings
              if w.reason == "shared_credit_code"]
    assert shared == [(3, CODE, 2), (4, CODE, 2)]
    assert (report.info["inserted"], report.info["updated"]) == (4, 0)
    ents = store.enterprises()
    assert store.count_enterprises() == n0 + 4
    sites = ents[ents["credit_code"] == CODE].sort_values("fid")
    assert list(sites["address"]) == ["季华五路 1 号", "张槎一路 8 号", "南庄大道 99 号"]
    assert list(sites["cell_code"]) == [c for _, _, c in pts[:3]]  # each where it stands
    assert set(sites["credit_code_flag"]) == {SHARED_FLAG}  # flagged in the register
    assert ents.loc[ents["credit_code"] == OTHER, "credit_code_flag"].tolist() == [None]
    # check lists the shared code once, with its sites
    flagged = [x for x in check(store).warnings if x.reason == "enterprise_shared_credit_code"]
    assert [(x.code, x.extra["count"]) for x in flagged] == [(CODE, 3)]
    assert "张槎分公司" in flagged[0].message
    # the register's layer export carries the flag
    from gridmgr.outputs.layers import export_layer

    csv_out = tmp_path / "企业.csv"
    run(export_layer(store, "enterprises", csv_out))
    with csv_out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert sum(r["信用代码标记"] == SHARED_FLAG for r in rows) == 3
    # edit by a shared code is ambiguous: by its name, a site is one enterprise
    with pytest.raises(UsageError, match="须唯一"):
        edit_enterprise(store, CODE, {"phone": "13900000123"})
    done = edit_enterprise(store, "佛山市顺达物流有限公司张槎分公司", {"phone": "13900000123"})
    assert done["changes"] == {"phone": ["13900000001", "13900000123"]}


def test_strict_refuses_branch_sites(store, tmp_path):
    f = _register(store, _points(store, 4), tmp_path)
    n0 = store.count_enterprises()
    report = run(import_enterprises(store, f, coords="wgs84", strict=True))
    assert [(x.row, x.reason) for x in report.refused] == [
        (3, "shared_credit_code_refused"), (4, "shared_credit_code_refused"),
        (5, "duplicate_credit_code")]
    assert report.info["inserted"] == 2
    assert store.count_enterprises() == n0 + 2
    ents = store.enterprises()
    assert ents.loc[ents["credit_code"] == CODE, "address"].tolist() == ["季华五路 1 号"]
    assert ents.loc[ents["credit_code"] == CODE, "credit_code_flag"].tolist() == [None]


def test_update_import_matches_each_site_by_address(store, tmp_path):
    pts = _points(store, 5)
    run(import_enterprises(store, _register(store, pts[:4], tmp_path), coords="wgs84"))
    n1 = store.count_enterprises()
    x5, y5, cell5 = pts[4]
    # the next register: the 张槎 site's new phone, a fourth site, the rest as they were
    (x1, y1, _), (x2, y2, _), (x3, y3, _), _ = pts[:4]
    f = _write(tmp_path / "名录2.csv", [
        ["佛山市顺达物流有限公司", CODE, "季华五路 1 号", "13900000000", x1, y1],
        ["佛山市顺达物流有限公司张槎分公司", CODE, "张槎一路 8 号", "13911112222", x2, y2],
        ["佛山市顺达物流有限公司", CODE, "南庄大道 99 号", "13900000002", x3, y3],
        ["佛山市顺达物流有限公司石湾分公司", CODE, "石湾公园路 5 号", "13900000005", x5, y5],
    ])
    report = run(import_enterprises(store, f, coords="wgs84"))
    assert report.refused == []
    assert (report.info["inserted"], report.info["updated"], report.info["unchanged"]) == (
        1, 1, 2)
    [change] = report.info["changes"]
    assert (change["row"], change["changes"]) == (3, {"phone": ["13900000001", "13911112222"]})
    ents = store.enterprises()
    assert store.count_enterprises() == n1 + 1
    sites = ents[ents["credit_code"] == CODE].set_index("address")
    assert sites.loc["张槎一路 8 号", "phone"] == "13911112222"
    assert sites.loc["石湾公园路 5 号", "cell_code"] == cell5
    assert set(sites["credit_code_flag"]) == {SHARED_FLAG} and len(sites) == 4


def test_cli_strict_exit_and_check(demo_copy, tmp_path, capsys):
    with open_project(demo_copy, readonly=True) as s:
        f = _register(s, _points(s, 4), tmp_path)
    code = main(["-q", "enterprises", "import", str(demo_copy), str(f), "--coords", "wgs84",
                 "--strict", "--dry-run"])
    out = capsys.readouterr()
    assert code != 0
    assert "shared_credit_code_refused" in out.out + out.err
    assert main(["-q", "enterprises", "import", str(demo_copy), str(f), "--coords",
                 "wgs84"]) in (0, 1)
    capsys.readouterr()
    main(["-q", "check", str(demo_copy)])
    out = capsys.readouterr().out
    assert f"统一社会信用代码 {CODE} 由 3 家企业共用" in out
