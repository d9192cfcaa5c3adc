"""End to end through the command line, on the demo district and on small projects."""

from __future__ import annotations

import json
import subprocess
import sys

import pyogrio
import pytest

from gridmgr.cli import main
from gridmgr.project import open_project


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo.gpkg"
    assert main(["-q", "demo", "--out", str(path)]) == 0
    return path


def test_demo_is_a_clean_complete_grid(demo, capsys):
    assert main(["info", str(demo), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["name"] == "禅城区" and info["admin_code"] == "440604"
    assert info["areas"]["district"] == 1 and info["areas"]["street"] == 4
    assert info["areas"]["community"] == 96
    assert 1500 < info["areas"]["cell"] < 2500
    assert (info["enterprises"], info["officers"]) == (3000, 148)
    assert info["responsibilities_current"] > 0
    assert main(["-q", "grid", "validate", str(demo)]) == 0
    with open_project(demo, readonly=True) as store:
        cells = store.areas("cell")
        comms = store.areas("community")
    # every cell code = its community's code + a 2-digit sequence, numbered from 01 without holes
    assert (cells["code"].str.len() == 14).all()
    assert (cells["code"].str[:12] == cells["parent_code"]).all()
    for _, group in cells.groupby("parent_code"):
        seqs = sorted(int(c[-2:]) for c in group["code"])
        assert seqs == list(range(1, len(seqs) + 1))
    # cells cover their communities: total areas agree within 1 m² per community
    per_comm = cells.groupby("parent_code")["area_m2"].sum()
    for code, area in zip(comms["code"], comms["area_m2"]):
        assert per_comm[code] == pytest.approx(area, abs=1.0)


def test_generated_cells_are_numbered_west_to_east_north_to_south(demo):
    with open_project(demo, readonly=True) as store:
        cells = store.areas("cell").to_crs("EPSG:4547")
    cells["x"] = cells.geometry.representative_point().x
    cells["y"] = cells.geometry.representative_point().y
    checked = 0
    for _, g in cells.groupby("parent_code"):
        g = g.sort_values("code")
        # a later cell is never in a row north of an earlier one (rows are 300 m tall)
        assert (g["y"].diff().dropna() < 300).all()
        checked += 1
    assert checked == 96


def test_regenerating_keeps_history(tmp_path, demo_file):
    p = tmp_path / "regen.gpkg"
    p.write_bytes(demo_file.read_bytes())
    assert main(["-q", "grid", "generate", str(p), "--size", "400"]) == 2  # cells exist
    assert main(["-q", "grid", "generate", str(p), "--size", "400", "--supersede"]) == 0
    with open_project(p, readonly=True) as store:
        current = store.count_areas("cell")
        everything = store.count_areas("cell", current=False)
        old = store.areas("cell", current=False)
    assert 800 < current < 1500
    assert everything == current + len(old[old["valid_to"].notna()])
    assert old["valid_to"].notna().sum() > 1500
    assert main(["-q", "grid", "validate", str(p)]) == 0


def test_overflowing_sequence_writes_nothing(tmp_path, demo_file, capsys):
    p = tmp_path / "overflow.gpkg"
    p.write_bytes(demo_file.read_bytes())
    before = p.read_bytes()
    rep = tmp_path / "r.json"
    rc = main(["-q", "grid", "generate", str(p), "--size", "20", "--supersede",
               "--report", str(rep)])
    assert rc == 1
    assert p.read_bytes() == before
    data = json.loads(rep.read_text(encoding="utf-8"))
    assert data["accepted"] == 0 and data["written"] is False
    assert {f["reason"] for f in data["refused"]} == {"sequence_overflow"}
    assert "项目未改变" in capsys.readouterr().out


def test_env_grid_system_side_by_side(tmp_path, demo_file):
    """The environmental grid stops at villages and lives beside the urban grid."""
    p = tmp_path / "two.gpkg"
    p.write_bytes(demo_file.read_bytes())
    streets = tmp_path / "streets.gpkg"
    comms = tmp_path / "communities.gpkg"
    assert main(["-q", "export", str(p), "streets", "--out", str(streets)]) == 0
    assert main(["-q", "export", str(p), "communities", "--out", str(comms)]) == 0
    assert main(["-q", "grid", "import", str(p), str(streets), "--level", "street",
                 "--system", "env", "--map", "parent_code=parent"]) == 0
    assert main(["-q", "grid", "import", str(p), str(comms), "--level", "community",
                 "--system", "env"]) == 0
    with open_project(p, readonly=True) as store:
        assert store.count_areas("community") == 2 * 96
        assert len(store.areas("community", system="env")) == 96
        assert len(store.areas("cell", system="env")) == 0
    assert main(["-q", "grid", "validate", str(p), "--system", "env"]) == 0
    layers = dict(pyogrio.list_layers(p))
    assert layers["communities"] == "MultiPolygon"


def test_errors_map_to_exit_codes(tmp_path, capsys):
    assert main(["info", str(tmp_path / "missing.gpkg")]) == 4
    assert "项目文件不存在" in capsys.readouterr().err
    assert main(["init", str(tmp_path / "x.gpkg"), "--name", "禅城区",
                 "--admin-code", "12"]) == 2
    assert main(["init", str(tmp_path / "x.gpkg"), "--name", "禅城区",
                 "--admin-code", "440604"]) == 0
    assert main(["init", str(tmp_path / "x.gpkg"), "--name", "禅城区",
                 "--admin-code", "440604"]) == 4  # exists: not overwritten
    assert main(["grid", "import", str(tmp_path / "x.gpkg"), str(tmp_path / "none.shp"),
                 "--level", "street"]) == 3
    assert main(["grid", "generate", str(tmp_path / "x.gpkg"), "--size", "100"]) == 2
    assert "请先 grid import --level community" in capsys.readouterr().err


def test_console_script_runs_as_a_process(tmp_path):
    """The installed entry point, as a user runs it, with English messages on request."""
    p = tmp_path / "p.gpkg"
    out = subprocess.run([sys.executable, "-m", "gridmgr", "--lang", "en", "init", str(p),
                          "--name", "禅城区", "--admin-code", "440604"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert p.exists()
    out = subprocess.run([sys.executable, "-m", "gridmgr", "info", str(p)],
                         capture_output=True, text=True)
    assert "禅城区" in out.stdout and "EPSG:4490" in out.stdout


def test_cells_within_streets_when_there_are_no_communities(tmp_path, demo):
    p = tmp_path / "streets-only.gpkg"
    streets = tmp_path / "streets.geojson"
    assert main(["-q", "export", str(demo), "streets", "--out", str(streets)]) == 0
    assert main(["-q", "init", str(p), "--name", "禅城区", "--admin-code", "440604"]) == 0
    assert main(["-q", "grid", "import", str(p), str(streets), "--level", "street"]) == 0
    assert main(["-q", "grid", "generate", str(p), "--size", "1000", "--within", "street"]) == 0
    with open_project(p, readonly=True) as store:
        cells = store.areas("cell")
    # a 9-digit street code + a 5-digit sequence keeps the 14-digit national length
    assert (cells["code"].str.len() == 14).all()
    assert (cells["code"].str[:9] == cells["parent_code"]).all()
    assert set(cells["parent_code"]) == {"440604010", "440604011", "440604012", "440604100"}
    assert main(["-q", "grid", "validate", str(p)]) == 0  # checked against the streets
    # with communities present, cells across community borders are refused
    assert main(["-q", "grid", "generate", str(demo), "--size", "1000", "--within", "street",
                 "--supersede", "--dry-run"]) == 2


def test_output_piped_into_head_is_not_a_bug(demo):
    """`gridmgr stats … | head -3` ends quietly: the reader closing the pipe is no error."""
    import subprocess
    import sys

    cmd = (f'"{sys.executable}" -m gridmgr -q stats "{demo}" --by cell --as-of 2026-11-01T00:00 '
           "| head -3")
    done = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "内部错误" not in done.stderr and "Traceback" not in done.stderr
    assert len(done.stdout.splitlines()) == 3
