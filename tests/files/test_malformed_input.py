"""Malformed input, table-driven: each bad file is built here, imported through the CLI as a
user would (``grid import``, ``enterprises import``, ``cases import``, no --dry-run), and must
give a one-line message naming the file (and the row), its documented exit code (3: the file
cannot be used, 1: rows refused, 0: imported with warnings), no traceback, a project
byte-identical to before when the file is refused, and only the good rows when rows are."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from openpyxl import Workbook
from shapely.geometry import MultiPolygon, Polygon, box

from gridmgr.cli import main
from gridmgr.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK
from gridmgr.project import init_project, open_project

GK = "EPSG:4547"  # CGCS2000 3-degree GK, 114°E: what a surveying bureau hands out
X0, Y0 = 398_000.0, 2_548_000.0
VALIDATOR = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def streets_gdf(geoms=None, z: bool = False) -> gpd.GeoDataFrame:
    """Two streets of 禅城区 as a bureau's layer: GBK names, 9-digit codes."""
    def sq(x: float) -> Polygon:
        pts = [(X0 + x, Y0), (X0 + x + 500, Y0), (X0 + x + 500, Y0 + 800), (X0 + x, Y0 + 800)]
        return Polygon([(a, b, 12.5) for a, b in pts] if z else pts)
    return gpd.GeoDataFrame({"街道编码": ["440604010", "440604011"],
                             "街道名称": ["祖庙街道", "石湾镇街道"]},
                            geometry=geoms or [sq(0), sq(500)], crs=GK)


def shapefile(d: Path, name: str = "街道.shp", **kw) -> Path:
    p = d / name
    pyogrio.write_dataframe(streets_gdf(**kw), p, encoding="GBK")
    return p


def write(d: Path, name: str, data: bytes | str) -> Path:
    p = d / name
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def garbage(n: int = 4000) -> bytes:
    return bytes((i * 7919 + 13) % 251 for i in range(n))


# ---------------------------------------------------------------------------- builders

def b_zero(ext: str) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        if ext == ".shp":
            for s in (".shx", ".dbf"):
                write(d, "空" + s, b"")
        return write(d, "空" + ext, b"")
    return build


def b_garbage(ext: str) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        if ext == ".shp":
            for s in (".shx", ".dbf"):
                write(d, "乱码" + s, garbage())
        return write(d, "乱码" + ext, garbage())
    return build


def b_shp_without(part: str) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        p = shapefile(d)
        p.with_suffix(part).unlink()
        return p
    return build


def b_shp_cut(part: str) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        p = shapefile(d)
        f = p.with_suffix(part)
        raw = f.read_bytes()
        f.write_bytes(raw[: len(raw) // 2 + 3])
        return p
    return build


def b_shp_mixed(d: Path) -> Path:
    """The .dbf of another delivery (one record) beside a two-feature .shp/.shx."""
    p = shapefile(d)
    other = d / "other"
    other.mkdir()
    one = streets_gdf().iloc[:1]
    pyogrio.write_dataframe(one, other / "x.shp", encoding="GBK")
    shutil.copy(other / "x.dbf", p.with_suffix(".dbf"))
    return p


def b_geojson(coords_text: str) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        return write(d, "街道.geojson", '{"type": "FeatureCollection", "features": [{"type": '
                     '"Feature", "properties": {"街道编码": "440604010", "街道名称": "祖庙街道"}, '
                     '"geometry": {"type": "Polygon", "coordinates": [' + coords_text + ']}}]}')
    return build


def b_shp_3d(d: Path) -> Path:
    return shapefile(d, z=True)


def b_multipart(d: Path) -> Path:
    multi = MultiPolygon([box(X0, Y0, X0 + 200, Y0 + 800), box(X0 + 300, Y0, X0 + 500, Y0 + 800)])
    p = d / "街道.gpkg"
    pyogrio.write_dataframe(streets_gdf([multi, box(X0 + 500, Y0, X0 + 1000, Y0 + 800)]), p)
    return p


def b_empty_geometry(d: Path) -> Path:
    p = d / "街道.gpkg"
    pyogrio.write_dataframe(streets_gdf([Polygon(), box(X0 + 500, Y0, X0 + 1000, Y0 + 800)]), p)
    return p


ENT_HEAD = ["企业名称", "统一社会信用代码", "监管类别", "检查频次", "联系人", "联系电话", "地址", "经度",
            "纬度"]


def ent_row(name: str, lon: str = "113.1200", lat: str = "23.0200", **kw: str) -> list[str]:
    return [name, "", "一般", kw.get("freq", "每年1次"), "陈生", "13800000000",
            kw.get("address", "佛山市禅城区祖庙路1号"), lon, lat]


def b_ent_csv(rows: list[list[str]], encoding: str = "gbk") -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        p = d / "企业名录.csv"
        with p.open("w", encoding=encoding, newline="") as fh:
            csv.writer(fh).writerows([ENT_HEAD, *rows])
        return p
    return build


def b_xlsx_bomb(d: Path) -> Path:
    """An XLSX whose sheet inflates to 300 MiB from well under 1 MiB."""
    buf = io.BytesIO()
    wb = Workbook()
    wb.active.append(ENT_HEAD)
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    p = d / "企业名录.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                cell = b'<c t="inlineStr"><is><t>' + b"A" * (300 << 20) + b"</t></is></c>"
                data = data.replace(b"</sheetData>", b'<row r="2">' + cell + b"</row></sheetData>")
            out.writestr(info, data)
    assert p.stat().st_size < 1 << 20
    return p


def b_cases_long(d: Path) -> Path:
    """A 12345 export whose 诉求内容 is longer than the csv module's 128 KiB field limit."""
    p = d / "12345工单.csv"
    with p.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["工单编号", "来源", "问题类型", "诉求内容", "事发地址", "经度", "纬度",
                    "来电时间", "工单状态", "派单时间", "办结时间", "办理时限"])
        w.writerow(["RX20260301001", "12345", "道路遗撒", "渣土遗撒" * 40_000, "祖庙路",
                    "113.1061", "23.0273", "2026-03-01 09:00", "处理中", "", "", ""])
    return p


# (id, command, builder, exit code, text the output must hold — besides the file's name)
CASES = [
    ("zero_shp", "grid", b_zero(".shp"), EXIT_INPUT, "不是 Shapefile"),
    ("zero_gpkg", "grid", b_zero(".gpkg"), EXIT_INPUT, "无法读取"),
    ("zero_geojson", "grid", b_zero(".geojson"), EXIT_INPUT, "无法读取"),
    ("zero_csv", "enterprises", b_zero(".csv"), EXIT_INPUT, "文件是空的"),
    ("zero_xlsx", "enterprises", b_zero(".xlsx"), EXIT_INPUT, "不是 Excel 文件"),
    ("garbage_shp", "grid", b_garbage(".shp"), EXIT_INPUT, "不是 Shapefile"),
    ("garbage_gpkg", "grid", b_garbage(".gpkg"), EXIT_INPUT, "无法读取"),
    ("garbage_geojson", "grid", b_garbage(".geojson"), EXIT_INPUT, "无法读取"),
    ("garbage_csv", "enterprises", b_garbage(".csv"), EXIT_INPUT, "编码"),
    ("garbage_xlsx", "enterprises", b_garbage(".xlsx"), EXIT_INPUT, "不是 Excel 文件"),
    ("garbage_xlsx_cases", "cases", b_garbage(".xlsx"), EXIT_INPUT, "不是 Excel 文件"),
    ("shp_without_dbf", "grid", b_shp_without(".dbf"), EXIT_INPUT, "缺少同名 .dbf"),
    ("shp_without_shx", "grid", b_shp_without(".shx"), EXIT_INPUT, "缺少同名 .shx"),
    ("shp_cut_in_half", "grid", b_shp_cut(".shp"), EXIT_INPUT, "截断"),
    ("shx_cut_in_half", "grid", b_shp_cut(".shx"), EXIT_INPUT, "截断"),
    ("dbf_cut_in_half", "grid", b_shp_cut(".dbf"), EXIT_INPUT, "截断"),
    ("dbf_of_another_delivery", "grid", b_shp_mixed, EXIT_INPUT, "2 个要素而 .dbf 有 1 条"),
    ("geojson_nan", "grid", b_geojson("[[NaN, 0], [1, 0], [1, 1], [NaN, 0]]"), EXIT_INPUT,
     "第 1 个要素"),
    ("geojson_unclosed_ring", "grid", b_geojson("[[398000, 2548000], [398500, 2548000], "
                                                "[398500, 2548800]]"), EXIT_INPUT, "第 1 个要素"),
    ("empty_geometry", "grid", b_empty_geometry, EXIT_FINDINGS, ":1: 错误 [no_geometry]"),
    ("multipart", "grid", b_multipart, EXIT_OK, "2 个"),
    ("shp_3d", "grid", b_shp_3d, EXIT_OK, ":1: 警告 [z_dropped]"),
    ("csv_nan_inf_coords", "enterprises",
     b_ent_csv([ent_row("佛山市甲有限公司", lon="nan"), ent_row("佛山市乙有限公司", lat="inf"),
                ent_row("佛山市丙有限公司", lon="-Infinity")]), EXIT_FINDINGS, ":4: 错误"),
    ("csv_rtl_zero_width", "enterprises",
     b_ent_csv([ent_row("佛山市\u202e司公限有\u200b丁"), ent_row("佛山市戊\u200d有限公司")],
               encoding="utf-8"), EXIT_OK, ":3: 警告 [invisible_chars]"),
    ("csv_nul", "enterprises", b_ent_csv([ent_row("佛山市\x00己有限公司")], encoding="utf-8"),
     EXIT_OK, ":2: 警告 [invisible_chars]"),
    ("xlsx_zip_bomb", "enterprises", b_xlsx_bomb, EXIT_INPUT, "压缩炸弹"),
    ("csv_field_over_128k", "cases", b_cases_long, EXIT_OK, "RX20260301001"),
]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("fresh") / "p.gpkg"
    init_project(p, name="禅城区", admin_code="440604").close()
    return p


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_malformed_input(case, tmp_path, fresh, demo_file, capsys):
    name, command, build, code, text = case
    d = tmp_path / "in"
    d.mkdir()
    src = build(d)
    project = tmp_path / "p.gpkg"
    shutil.copy(fresh if command == "grid" else demo_file, project)
    os.chmod(project, 0o644)
    before = sha(project)
    argv = {"grid": ["grid", "import", str(project), str(src), "--level", "street"],
            "enterprises": ["enterprises", "import", str(project), str(src)],
            "cases": ["cases", "import", str(project), str(src)]}[command]
    got = main(argv)
    out = capsys.readouterr()
    shown = out.out + out.err
    assert "Traceback" not in shown and "内部错误" not in shown, shown[-2000:]
    assert got == code, shown[-2000:]
    assert text in shown, shown[-2000:]
    assert src.name in shown  # the message names the file
    if code == EXIT_INPUT:
        assert sha(project) == before  # nothing of a refused file reaches the project
        if code == EXIT_INPUT:  # one line: the reason for the whole file
            lines = [x for x in out.err.splitlines() if x.startswith("输入文件错误")]
            assert len(lines) == 1 and src.stem in lines[0], out.err  # .shp or its .shx, .dbf
    check_after(name, project)
    if code == EXIT_FINDINGS:
        assert sha(project) != before or name == "csv_nan_inf_coords"


def check_after(name: str, project: Path) -> None:
    """What a file that imported with warnings left in the project."""
    if name == "shp_3d":
        with open_project(project, readonly=True) as store:
            streets = store.areas("street")
            assert len(streets) == 2 and not streets.geometry.has_z.any()
        if VALIDATOR.exists() and Path("/usr/bin/python3").exists():
            check = subprocess.run(["/usr/bin/python3", str(VALIDATOR), str(project)],
                                   capture_output=True, text=True)
            assert check.returncode == 0, check.stdout + check.stderr
    elif name in ("csv_rtl_zero_width", "csv_nul"):
        with open_project(project, readonly=True) as store:
            names = set(store.enterprises()["name"])
        want = ({"佛山市司公限有丁", "佛山市戊有限公司"} if name == "csv_rtl_zero_width"
                else {"佛山市己有限公司"})
        assert want <= names
    elif name == "csv_field_over_128k":
        with open_project(project, readonly=True) as store:
            df = store.cases_frame()
            desc = df.loc[df["case_no"] == "RX20260301001", "description"].iloc[0]
        assert len(desc) == 4 * 40_000
    elif name == "empty_geometry":  # row 1 refused, row 2 imported (one transaction)
        with open_project(project, readonly=True) as store:
            assert list(store.areas("street")["code"]) == ["440604011"]
    elif name == "csv_nan_inf_coords":  # every row refused: nothing imported
        with open_project(project, readonly=True) as store:
            assert not store.enterprises()["name"].str.contains("佛山市[甲乙丙]有限公司").any()
    elif name == "multipart":
        with open_project(project, readonly=True) as store:
            streets = store.areas("street")
        zumiao = streets.loc[streets["code"] == "440604010", "geometry"].iloc[0]
        assert zumiao.geom_type == "MultiPolygon" and len(zumiao.geoms) == 2


def test_fieldpack_export_with_blank_or_unknown_frequency(demo_copy, tmp_path, qapp):
    """An enterprise with a last inspection but no usable 检查频次 is in the package, not due by
    date, and the export does not crash."""
    from fieldpack_helpers import OFFICER

    from gridmgr.fieldwork.export import export_fieldpack
    from gridmgr.fieldwork.scope import resolve_scope
    from gridmgr.progress import run
    from gridmgr.registers.enterprises import import_enterprises

    with open_project(demo_copy) as store:
        scope, _ = resolve_scope(store, officer=OFFICER, area=None)
        cells = store.areas("cell").to_crs("EPSG:4326")
        c = cells.loc[cells["code"] == scope.cells[0], "geometry"].iloc[0].representative_point()
        f = tmp_path / "企业.csv"
        with f.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["企业名称", "检查频次", "经度", "纬度", "最近检查日期"])
            w.writerow(["佛山市空频次有限公司", "", f"{c.x:.7f}", f"{c.y:.7f}", "2026-01-05"])
            w.writerow(["佛山市怪频次有限公司", "看心情", f"{c.x + 1e-5:.7f}", f"{c.y:.7f}",
                        "2026-01-05"])
        report = run(import_enterprises(store, f))
        assert report.accepted == 2
        result = run(export_fieldpack(store, out=tmp_path / "pack", officer=OFFICER))
    ents = pyogrio.read_dataframe(tmp_path / "pack" / "data.gpkg", layer="enterprises")
    mine = ents[ents["name"].isin(["佛山市空频次有限公司", "佛山市怪频次有限公司"])]
    assert len(mine) == 2 and result["counts"]["enterprises"] == len(ents)
    assert mine["next_due"].isna().all() and not mine["due"].astype(bool).any()
