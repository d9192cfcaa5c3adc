"""The conventions other tools expect of a command line (issue 18, point 7): ``--json`` on the
commands that report, ``-`` for stdin and stdout, ``-q`` after the subcommand, a damaged XLSX
as an input error, and a GeoPackage that names its project for GDAL/QGIS."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pyogrio
import pytest
from fieldpack_helpers import OFFICER

from gridmgr.cli import main
from gridmgr.cli.entry import build_parser
from gridmgr.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK
from gridmgr.project import open_project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo_rw(demo_file, tmp_path) -> Path:
    p = tmp_path / "demo.gpkg"
    shutil.copy(demo_file, p)
    p.chmod(0o644)
    return p


def _json_out(capsys) -> dict:
    out = capsys.readouterr().out
    return json.loads(out)  # stdout is one JSON document and nothing else


def test_check_json_is_the_report_and_the_same_exit(demo_file, tmp_path, capsys):
    code_plain = main(["check", str(demo_file), "--report", str(tmp_path / "r.json")])
    capsys.readouterr()
    written = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    code_json = main(["check", str(demo_file), "--json"])
    doc = _json_out(capsys)
    assert code_json == code_plain
    assert (doc["refused"], doc["warnings"]) == (written["refused"], written["warnings"])
    assert doc["cells"] == written["cells"] > 1000


def test_grid_validate_json_and_report_to_stdout(demo_file, capsys):
    assert main(["grid", "validate", str(demo_file), "--json"]) == EXIT_OK
    doc = _json_out(capsys)
    assert doc["errors"] == 0 and doc["checked"] > 1000 and isinstance(doc["findings"], list)
    assert main(["-q", "grid", "validate", str(demo_file), "--report", "-"]) == EXIT_OK
    captured = capsys.readouterr()
    assert json.loads(captured.out)["checked"] == doc["checked"]
    assert "检查了" in captured.err  # the sentences for a person went to stderr


def test_fieldpack_export_and_import_json(demo_rw, tmp_path, capsys):
    out = tmp_path / "pack.zip"
    assert main(["-q", "fieldpack", "export", str(demo_rw), "--officer", OFFICER, "--out",
                 str(out), "--json"]) == EXIT_OK
    doc = _json_out(capsys)
    assert doc["counts"]["cells"] > 0
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        data = tmp_path / "data.gpkg"
        data.write_bytes(z.read(next(n for n in names if n.endswith("data.gpkg"))))
    assert len(pyogrio.read_dataframe(data, layer="cells")) == doc["counts"]["cells"]

    assert main(["-q", "fieldpack", "import", str(demo_rw), str(out), "--json"]) == EXIT_OK
    receipt = _json_out(capsys)
    assert receipt["refused"] == [] and receipt["receipt"]["counts"]["inspections_new"] == 0


def test_q_after_the_subcommand_silences_progress(demo_file, capsys):
    for argv in (["grid", "validate", str(demo_file), "-q"],
                 ["-q", "grid", "validate", str(demo_file)],
                 ["grid", "validate", str(demo_file), "--quiet"]):
        assert build_parser().parse_args(argv).quiet is True
        assert main(argv) == EXIT_OK
        assert "…" not in capsys.readouterr().err
    assert build_parser().parse_args(["grid", "validate", str(demo_file)]).quiet is False
    assert main(["grid", "validate", str(demo_file)]) == EXIT_OK
    assert "…" in capsys.readouterr().err  # progress, when not silenced


OFFICERS_CSV = "姓名,工号,手机,角色,所属单位\n张伟,T901,13800000901,网格员,祖庙街道城管办\n" \
               "李娜,,13800000902,网格员,祖庙街道城管办\n"


def test_a_table_on_stdin(demo_rw, monkeypatch, capsys):
    """``-`` as the file: a GBK CSV piped in is read as a file would be (encoding sniffed), and
    ``--report -`` gives the report on stdout with the summary on stderr."""
    stdin = io.TextIOWrapper(io.BytesIO(OFFICERS_CSV.encode("gbk")), encoding="gbk")
    monkeypatch.setattr(sys, "stdin", stdin)
    code = main(["-q", "officers", "import", str(demo_rw), "-", "--report", "-"])
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert code == EXIT_FINDINGS  # the second row has no 工号
    assert report["accepted"] == 1
    assert [(f["row"], f["reason"]) for f in report["refused"]] == [(3, "missing_staff_no")]
    assert "编码：gb18030" in captured.err and "已导入 1 个" in captured.err
    assert report["file"] == "-" and "stdin.csv:3" in captured.err
    with open_project(demo_rw, readonly=True) as store:
        staff = store.officers()
    assert "T901" in set(staff["staff_no"]) and "李娜" not in set(staff["name"])


def test_an_empty_stdin_is_a_usage_error(demo_rw, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    assert main(["officers", "import", str(demo_rw), "-"]) == 2
    assert "标准输入是空的" in capsys.readouterr().err


def test_workload_csv_to_stdout_with_dash(demo_file, capsys):
    assert main(["workload", str(demo_file), "--format", "csv", "--out", "-"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.lstrip("\ufeff").startswith("工号,") and "已写入" not in out


@pytest.mark.parametrize("damage", ["cut", "bad_xml"])
def test_a_damaged_xlsx_is_an_input_error_with_the_file_named(tmp_path, demo_rw, damage, capsys):
    good = ROOT / "gridmgr" / "data" / "demo" / "chancheng" / "enterprises.xlsx"
    bad = tmp_path / "企业名录.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data[: len(data) // 2] if damage == "cut" else data.replace(b"<row", b"<r0w<", 3)
            dst.writestr(item, data)
    before = demo_rw.read_bytes()
    code = main(["-q", "enterprises", "import", str(demo_rw), str(bad), "--coords", "gcj02"])
    err = capsys.readouterr().err
    assert code == EXIT_INPUT, err
    assert "企业名录.xlsx" in err and "已损坏" in err and "Traceback" not in err
    assert demo_rw.read_bytes() == before


def test_the_geopackage_names_its_project_for_gdal(demo_rw):
    meta = pyogrio.read_info(demo_rw, layer="cells")["dataset_metadata"]
    doc = json.loads(meta["GPKG_METADATA_ITEM_1"])
    with open_project(demo_rw, readonly=True) as store:
        version = store.meta()["schema_version"]
    assert doc["application"] == "gridmgr" and doc["project"] == "禅城区"
    assert doc["admin_code"] == "440604" and doc["schema_version"] == int(version)
    if shutil.which("ogrinfo"):
        listed = subprocess.run(["ogrinfo", "-so", str(demo_rw)], capture_output=True,
                                text=True).stdout
        assert "GPKG_METADATA_ITEM_1" in listed and "禅城区" in listed


def test_the_metadata_record_is_replaced_not_duplicated(demo_rw):
    import sqlite3

    from gridmgr.storage.gpkg import metadata

    for version in ("3", "4", "5"):  # each open after a migration rewrites the record
        conn = sqlite3.connect(demo_rw)
        conn.execute("UPDATE gpkg_metadata SET metadata = json_set(metadata, "
                     "'$.schema_version', ?)", [int(version)])
        conn.commit()
        conn.close()
        open_project(demo_rw).close()
    with open_project(demo_rw, readonly=True) as store:
        assert not metadata.is_stale(store.db, store.meta())
    conn = sqlite3.connect(demo_rw)
    try:
        rows = conn.execute("SELECT count(*) FROM gpkg_metadata").fetchone()[0]
        ext = conn.execute("SELECT count(*) FROM gpkg_extensions WHERE extension_name = "
                           "'gpkg_metadata'").fetchone()[0]
    finally:
        conn.close()
    assert (rows, ext) == (1, 2)


def test_constraints_pin_every_dependency_setup_cfg_names():
    """A reproducible install: every package setup.cfg asks for has its version in
    constraints.txt (setup.sh and the bundle install with -c constraints.txt)."""
    import configparser
    import re

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    wanted = cfg["options"]["install_requires"].split("\n")
    for extra in cfg["options.extras_require"].values():
        wanted += extra.split("\n")
    names = {re.split(r"[<>=!\[; ]", w.strip())[0].lower().replace("_", "-")
             for w in wanted if w.strip() and not w.strip().startswith("#")}
    pinned = {line.split("==")[0].lower().replace("_", "-")
              for line in (ROOT / "constraints.txt").read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    assert names - pinned == set()
