"""A district shaped like the one in issue 16: a large rural town (南岭镇, 500 km²) beside four
small urban streets (about 2.6 km² each) — 1,124 cells, 3,000 enterprises, and (optionally)
5,000 cases over 2026.

Built the way a bureau's files arrive: the grid levels as GBK Shapefiles without a .cpg (CGCS2000
/ 3-degree GK CM 114°E), the enterprise register as a GBK CSV with Amap (GCJ-02) coordinates,
the cases as a hotline export CSV (UTF-8 with BOM) with its own column and status names.  All
synthetic and deterministic (fixed seed).

Layout (metres east/north of X0, Y0 — see tests/conftest.py):

* 南岭镇 440604100: x 0–20 000, y 0–25 000, ten villages (4 km × 12.5 km) of ten cells
  (2 km × 2.5 km) each;
* 东华/西华/南华/北华街道 440604001–004: a 3.2 km square east of the town (x 20 000–23 200,
  y 10 000–13 200) cut into four 1.6 km streets, each of four 800 m communities of 64 cells
  (100 m).
"""

from __future__ import annotations

import csv
import random
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import shapely
from shapely.geometry import box

from gridmgr.coords.chinacoords import wgs84_to_gcj02
from gridmgr.findings import Report
from gridmgr.grid.importer import import_grid
from gridmgr.progress import run
from gridmgr.project import init_project
from gridmgr.registers.creditcode import check_character
from gridmgr.registers.enterprises import import_enterprises

GK = "EPSG:4547"
X0, Y0 = 398_000.0, 2_548_000.0
TOWN = "440604100"
URBAN = {"440604001": "东华街道", "440604002": "西华街道", "440604003": "南华街道",
         "440604004": "北华街道"}
VILLAGES = ("上岗村", "下岗村", "石门村", "岭头村", "塘边村", "新围村", "大坑村", "沙田村",
            "龙湾村", "白石村")
URBAN_BLOCK = (20_000.0, 10_000.0, 23_200.0, 13_200.0)


def _b(x0: float, y0: float, x1: float, y1: float) -> Any:
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def layers() -> dict[str, gpd.GeoDataFrame]:
    """The four grid levels (GK metres), with the columns a surveying bureau's files have."""
    streets, comms, cells = [], [], []
    streets.append({"街道编码": TOWN, "街道名称": "南岭镇", "geometry": _b(0, 0, 20_000, 25_000)})
    for v, name in enumerate(VILLAGES):
        vx, vy = (v % 5) * 4_000.0, (v // 5) * 12_500.0
        code = f"{TOWN}{201 + v:03d}"
        comms.append({"社区编码": code, "社区名称": name, "所属街道": TOWN,
                      "geometry": _b(vx, vy, vx + 4_000, vy + 12_500)})
        seq = 0
        for j in reversed(range(5)):  # numbered west → east, north → south
            for i in range(2):
                seq += 1
                cells.append({"网格编码": f"{code}{seq:02d}", "网格名称": f"{name}{seq:02d}号网格",
                              "所属社区": code,
                              "geometry": _b(vx + i * 2_000, vy + j * 2_500, vx + (i + 1) * 2_000,
                                             vy + (j + 1) * 2_500)})
    bx, by = URBAN_BLOCK[:2]
    for s, (scode, sname) in enumerate(URBAN.items()):
        sx, sy = bx + (s % 2) * 1_600.0, by + (1 - s // 2) * 1_600.0
        streets.append({"街道编码": scode, "街道名称": sname,
                        "geometry": _b(sx, sy, sx + 1_600, sy + 1_600)})
        for c in range(4):
            cx, cy = sx + (c % 2) * 800.0, sy + (1 - c // 2) * 800.0
            ccode = f"{scode}{c + 1:03d}"
            cname = f"{sname[:2]}{'一二三四'[c]}社区"
            comms.append({"社区编码": ccode, "社区名称": cname, "所属街道": scode,
                          "geometry": _b(cx, cy, cx + 800, cy + 800)})
            seq = 0
            for j in reversed(range(8)):
                for i in range(8):
                    seq += 1
                    cells.append({"网格编码": f"{ccode}{seq:02d}",
                                  "网格名称": f"{cname}{seq:02d}号网格", "所属社区": ccode,
                                  "geometry": _b(cx + i * 100, cy + j * 100, cx + (i + 1) * 100,
                                                 cy + (j + 1) * 100)})
    district = shapely.union_all([s["geometry"] for s in streets])
    return {
        "district": gpd.GeoDataFrame([{"区县编码": "440604", "区县名称": "岭华区",
                                       "geometry": district}], crs=GK),
        "street": gpd.GeoDataFrame(streets, crs=GK),
        "community": gpd.GeoDataFrame(comms, crs=GK),
        "cell": gpd.GeoDataFrame(cells, crs=GK),
    }


def _credit_code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91440604" + "".join(rng.choice(alphabet) for _ in range(9))
    return body + check_character(body)


def enterprise_rows(n: int = 3_000, seed: int = 16) -> list[dict[str, Any]]:
    """The register: four in five enterprises in the urban streets; 国控 1 %, 省控 4 %, 市控
    10 %; GCJ-02 coordinates with 6 decimals, as copied from Amap."""
    rng = random.Random(seed)
    from pyproj import Transformer

    to_ll = Transformer.from_crs(GK, "EPSG:4490", always_xy=True)
    rows = []
    for k in range(n):
        if rng.random() < 0.8:
            x = rng.uniform(URBAN_BLOCK[0] + 5, URBAN_BLOCK[2] - 5)
            y = rng.uniform(URBAN_BLOCK[1] + 5, URBAN_BLOCK[3] - 5)
        else:
            x, y = rng.uniform(5, 19_995), rng.uniform(5, 24_995)
        lon, lat = to_ll.transform(X0 + x, Y0 + y)
        glon, glat = wgs84_to_gcj02(lon, lat)
        r = rng.random()
        cls = "国控" if r < 0.01 else "省控" if r < 0.05 else "市控" if r < 0.15 else "一般"
        rows.append({"序号": k + 1, "企业名称": f"岭华区{k + 1:04d}号测试企业有限公司",
                     "统一社会信用代码": _credit_code(rng), "所属行业": "金属制品",
                     "监管类别": cls, "环境行为等级": rng.choice("绿蓝黄"),
                     "检查频次": "每季度1次", "联系人": "陈生", "联系电话": "0757-8000"
                     f"{k % 10000:04d}", "地址": f"岭华区测试路{k + 1}号",
                     "经度": f"{float(glon):.6f}", "纬度": f"{float(glat):.6f}",
                     "最近检查日期": "2026-10-08"})
    return rows


def _clean(report: Report) -> None:
    assert not report.refused, [f.line() for f in report.refused[:3]]


def build(path: Path, work: Path) -> Path:
    """Write the bureau's files under ``work`` and build the project at ``path`` from them."""
    work.mkdir(parents=True, exist_ok=True)
    files = {}
    for level, gdf in layers().items():
        shp = work / f"{level}.shp"
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", ".*laundered", RuntimeWarning)
            pyogrio.write_dataframe(gdf, shp, encoding="GBK")
        shp.with_suffix(".cpg").unlink(missing_ok=True)
        files[level] = shp
    ents = work / "企业名录.csv"
    rows = enterprise_rows()
    with open(ents, "w", encoding="gbk", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with init_project(path, name="岭华区", admin_code="440604") as store:
        for level in ("district", "street", "community", "cell"):
            _clean(run(import_grid(store, files[level], level=level, encoding="GBK",
                                   valid_from="2025-01-01")))
        _clean(run(import_enterprises(store, ents, coords="gcj02", encoding="gbk")))
    return path
