"""A wrong ``--encoding`` or a lying ``.cpg`` is refused, never imported as mojibake.

Each file is built here with column names every alias list knows in ASCII (``name``, ``code``
…), so that before the check the garbled names went into the project without a word.  Through
the CLI as a user runs it: exit 3, one line naming the file, the encoding given and where it
came from, and the encoding that decodes the file cleanly; the project byte-identical.  The
right encoding imports the same file with the names as they were written."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import box

from gridmgr.cli import main
from gridmgr.errors import EXIT_INPUT
from gridmgr.project import init_project, open_project

GK = "EPSG:4547"
X0, Y0 = 398_000.0, 2_548_000.0
STREETS = ["祖庙街道", "石湾镇街道", "张槎街道"]
COMPANIES = ["佛山市祖庙五金制品有限公司", "佛山市石湾陶瓷厂", "佛山市张槎针织有限公司"]
OFFICERS = ["陈国强", "李秀英", "黄志明"]


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def csv_file(d: Path, name: str, head: list[str], rows: list[list[str]], encoding: str) -> Path:
    p = d / name
    with p.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows([head, *rows])
    return p


def enterprises(encoding: str) -> Callable[[Path], Path]:
    return lambda d: csv_file(d, "企业.csv", ["name", "address", "lon", "lat"],
                              [[n, "佛山市禅城区季华路1号", "113.11", f"23.0{i}"]
                               for i, n in enumerate(COMPANIES)], encoding)


def officers(encoding: str) -> Callable[[Path], Path]:
    return lambda d: csv_file(d, "人员.csv", ["name", "staff_no", "mobile", "role", "unit"],
                              [[n, f"CC95{i:02d}", f"1390000000{i}", "网格员", "张槎街道"]
                               for i, n in enumerate(OFFICERS)], encoding)


def cases(encoding: str, description: str = "道路两侧垃圾堆放，影响通行") -> Callable[[Path], Path]:
    return lambda d: csv_file(
        d, "工单.csv", ["case_no", "source", "category", "description", "address", "lon", "lat",
                        "reported_at", "status"],
        [[f"RX2026040100{i}", "12345", "道路遗撒", description if i == 1 else "井盖缺失",
          "禅城区祖庙路", "113.1061", "23.0273", "2026-04-01 09:00", "受理"] for i in range(3)],
        encoding)


def shapefile(encoding: str, cpg: str | None = None, zipped: bool = False
              ) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        gdf = gpd.GeoDataFrame({"code": ["440604010", "440604011", "440604012"], "name": STREETS},
                               geometry=[box(X0 + 600 * i, Y0, X0 + 600 * i + 500, Y0 + 800)
                                         for i in range(3)], crs=GK)
        p = d / "街道.shp"
        pyogrio.write_dataframe(gdf, p, encoding=encoding)
        if cpg is not None:
            p.with_suffix(".cpg").write_text(cpg)
        if not zipped:
            return p
        z = d / "街道.zip"
        with zipfile.ZipFile(z, "w") as zf:
            for part in d.glob("街道.*"):
                if part != z:
                    zf.write(part, part.name)
        return z
    return build


# (id, command, builder, --encoding or None, what the line must say)
WRONG = [
    ("gbk_csv_read_as_utf8", "enterprises", enterprises("gbk"), "utf-8",
     "按 --encoding 指定的编码 utf-8 无法解码；按 GB18030 可完整解码，请改用 --encoding GB18030"),
    ("utf8_csv_read_as_gb18030", "enterprises", enterprises("utf-8"), "gb18030",
     "按 --encoding 指定的编码 gb18030 无法解码；按 UTF-8 可完整解码，请改用 --encoding UTF-8"),
    ("utf8_officers_read_as_latin1", "officers", officers("utf-8"), "latin-1",
     "请改用 --encoding UTF-8"),
    ("gbk_cases_read_as_cp1252", "cases", cases("gbk"), "cp1252", "请改用 --encoding GB18030"),
    ("cases_garbled_before", "cases", cases("utf-8", "锟斤拷锟斤拷路面破损"), None,
     "第 3 行含乱码“锟斤拷”"),
    ("gbk_shp_cpg_says_utf8", "grid", shapefile("GBK", cpg="UTF-8"), None,
     "按 .cpg 声明的编码 UTF-8 无法解码；按 GB18030 可完整解码，请改用 --encoding GB18030"),
    ("utf8_shp_cpg_says_gbk", "grid", shapefile("UTF-8", cpg="GBK"), None,
     "按 .cpg 声明的编码 GBK"),
    ("gbk_shp_read_as_latin1", "grid", shapefile("GBK"), "latin-1",
     "读出的是乱码（如“"),
    ("zipped_gbk_shp_cpg_says_utf8", "grid", shapefile("GBK", cpg="UTF-8", zipped=True), None,
     "请改用 --encoding GB18030"),
]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("fresh") / "p.gpkg"
    init_project(p, name="禅城区", admin_code="440604").close()
    return p


def inputs(tmp_path: Path, build, start: Path) -> tuple[Path, Path]:
    """(the file ``build`` writes, a writable copy of the project ``start``)."""
    d = tmp_path / "in"
    d.mkdir()
    project = tmp_path / "p.gpkg"
    shutil.copy(start, project)
    os.chmod(project, 0o644)
    return build(d), project


def argv(command: str, project: Path, src: Path, encoding: str | None) -> list[str]:
    args = {"grid": ["grid", "import", str(project), str(src), "--level", "street"],
            "enterprises": ["enterprises", "import", str(project), str(src)],
            "officers": ["officers", "import", str(project), str(src)],
            "cases": ["cases", "import", str(project), str(src)]}[command]
    return ["-q", *args, *(["--encoding", encoding] if encoding else [])]


@pytest.mark.parametrize("case", WRONG, ids=[c[0] for c in WRONG])
def test_a_wrong_encoding_is_refused(case, tmp_path, fresh, demo_file, capsys):
    name, command, build, encoding, says = case
    src, project = inputs(tmp_path, build, fresh if command == "grid" else demo_file)
    before = sha(project)
    got = main(argv(command, project, src, encoding))
    out = capsys.readouterr()
    assert got == EXIT_INPUT, out.out + out.err
    lines = [x for x in out.err.splitlines() if x.startswith("输入文件错误")]
    assert len(lines) == 1, out.err
    assert str(src) in lines[0] and says in lines[0], lines[0]
    assert "Traceback" not in out.err
    assert sha(project) == before


RIGHT = [
    ("gbk_csv_as_gbk", "enterprises", enterprises("gbk"), "gbk", COMPANIES),
    ("utf8_officers_detected", "officers", officers("utf-8"), None, OFFICERS),
    ("gbk_cases_detected", "cases", cases("gbk"), None, ["道路两侧垃圾堆放，影响通行"]),
    ("gbk_shp_as_gb18030_despite_cpg", "grid", shapefile("GBK", cpg="UTF-8"), "GB18030", STREETS),
    ("utf8_shp_cpg_right", "grid", shapefile("UTF-8", cpg="UTF-8"), None, STREETS),
]


@pytest.mark.parametrize("case", RIGHT, ids=[c[0] for c in RIGHT])
def test_the_right_encoding_imports_the_names_as_written(case, tmp_path, fresh, demo_file,
                                                          capsys):
    name, command, build, encoding, names = case
    src, project = inputs(tmp_path, build, fresh if command == "grid" else demo_file)
    got = main(argv(command, project, src, encoding))
    out = capsys.readouterr()
    assert got == 0, out.out + out.err
    with open_project(project, readonly=True) as store:
        stored = {"grid": lambda: store.areas("street")["name"],
                  "enterprises": lambda: store.enterprises()["name"],
                  "officers": lambda: store.officers()["name"],
                  "cases": lambda: store.cases_frame()["description"]}[command]()
    assert set(names) <= set(stored)
