"""Most bureaus receive only the cell layer: ``grid import cells.shp`` with no ``--level`` into a
bare project recognises the cells by their codes and derives streets and communities from code
prefixes and the 社区/街道 name columns, with boundaries dissolved from the cells.

The files are GBK Shapefiles without a .cpg, made here, shaped like a surveying bureau's."""

from __future__ import annotations

import pytest
import shapely

from gridmgr.cli import main
from gridmgr.errors import UsageError
from gridmgr.grid.importer import import_grid
from gridmgr.progress import run

# (community code, community name, street name, lower-left x, y); each community 1000 × 1000 m
# holds four 500 m cells numbered west → east, north → south.
LAYOUT = [("440604010001", "升平社区", "祖庙街道", 0, 1000),
          ("440604010002", "新村社区", "祖庙街道", 0, 0),
          ("440604011001", "新村社区", "石湾镇街道", 1000, 1000),  # the same name, another street
          ("440604011002", "东风社区", "石湾镇街道", 1000, 0)]


def cells_of(gk_square, *, codes: bool = True):
    rows, geoms = [], []
    serial = 1
    for cc, cn, sn, x, y in LAYOUT:
        seq = 1
        for dy in (500, 0):
            for dx in (0, 500):
                rows.append({"网格编码": f"{cc}{seq:02d}" if codes else f"{serial:04d}",
                             "社区": cn, "街道": sn})
                geoms.append(gk_square(x + dx, y + dy, 500))
                seq += 1
                serial += 1
    return rows, geoms


@pytest.fixture
def cell_file(write_vector, gk_square):
    rows, geoms = cells_of(gk_square)
    return write_vector("单元网格.shp", {k: [r[k] for r in rows] for k in rows[0]}, geoms,
                        encoding="GBK", hide_encoding=True)


def test_a_bare_cell_layer_brings_its_streets_and_communities(project, cell_file):
    report = run(import_grid(project, cell_file))  # no level
    assert report.info["level"] == "cell" and report.info["level_detected"] is True
    assert report.accepted == 16 and not report.refused
    streets = project.areas("street").set_index("code")
    comms = project.areas("community").set_index("code")
    cells = project.areas("cell")
    assert dict(streets["name"]) == {"440604010": "祖庙街道", "440604011": "石湾镇街道"}
    assert set(streets["parent_code"]) == {"440604"}
    assert dict(comms["name"]) == {c: n for c, n, _, _, _ in LAYOUT}
    assert dict(comms["parent_code"]) == {c: c[:9] for c, *_ in LAYOUT}
    assert dict(zip(cells["code"], cells["parent_code"])) == {
        c: c[:12] for c in cells["code"]}
    # boundaries dissolved from the cells: each community is exactly its four cells' union
    for code, comm in comms.iterrows():
        mine = cells[cells["parent_code"] == code].geometry.to_numpy()
        assert shapely.symmetric_difference(comm.geometry,
                                            shapely.union_all(mine)).area < 1e-12  # deg²
    assert comms.loc["440604010001", "area_m2"] == pytest.approx(1_000_000, rel=1e-3)
    assert streets.loc["440604010", "area_m2"] == pytest.approx(2_000_000, rel=1e-3)
    derived = {(d["level"], d["code"]): (d["name"], d["members"], d["how"])
               for d in report.info["derived"]}
    assert derived[("street", "440604011")] == ("石湾镇街道", 8, "code")
    assert derived[("community", "440604011001")] == ("新村社区", 4, "code")
    assert sorted(w.reason for w in report.warnings) == [
        "hierarchy_derived", "hierarchy_derived", "streets_without_district"]
    # what import stored validates clean: children tile their derived parents
    from gridmgr.grid.validate import validate_grid
    assert not run(validate_grid(project)).refused


def test_names_alone_give_communities_told_apart_by_street(project, write_vector, gk_square):
    rows, geoms = cells_of(gk_square, codes=False)
    f = write_vector("cells.shp", {"WGBH": [r["网格编码"] for r in rows],
                                   "所属社区": [r["社区"] for r in rows],
                                   "所属街道": [r["街道"] for r in rows]}, geoms,
                     encoding="GBK", hide_encoding=True)
    with pytest.raises(UsageError, match="--level"):  # 4-digit codes say no level
        run(import_grid(project, f, mapping={"code": "WGBH"}))
    report = run(import_grid(project, f, level="cell", mapping={"code": "WGBH"}))
    assert report.accepted == 16
    streets = project.areas("street")
    comms = project.areas("community")
    by_code = dict(zip(streets["code"], streets["name"]))
    assert sorted(by_code.values()) == ["石湾镇街道", "祖庙街道"]
    # two 新村社区, one under each street; made-up codes extend their street's code
    pairs = sorted((n, by_code[p]) for n, p in zip(comms["name"], comms["parent_code"]))
    assert pairs == sorted((cn, sn) for _, cn, sn, _, _ in LAYOUT)
    assert all(c.startswith(p) and len(c) == 12 for c, p in zip(comms["code"],
                                                              comms["parent_code"]))
    made_up = [w for w in report.warnings if w.reason == "derived_code_made_up"]
    assert len(made_up) == 6
    # each cell sits in the community and street its own row names
    cells = project.areas("cell").set_index("code")
    comm_name = dict(zip(comms["code"], comms["name"]))
    comm_street = dict(zip(comms["code"], comms["parent_code"]))
    for r in rows:
        parent = cells.loc[r["网格编码"], "parent_code"]
        assert (comm_name[parent], by_code[comm_street[parent]]) == (r["社区"], r["街道"])
    # west → east, north → south: 祖庙 (west) is 001, its northern 升平社区 001001
    assert by_code["440604001"] == "祖庙街道" and comm_name["440604001001"] == "升平社区"


def test_with_streets_present_only_communities_are_derived(project, write_vector, gk_square,
                                                         cell_file):
    streets = write_vector("streets.shp", {"街道编码": ["440604010", "440604011"],
                                           "街道名称": ["祖庙街道", "石湾镇街道"]},
                           [gk_square(0, 0, 1000, 2000), gk_square(1000, 0, 1000, 2000)],
                           encoding="GBK", hide_encoding=True)
    street_report = run(import_grid(project, streets, level="street"))
    assert [w.reason for w in street_report.warnings] == ["streets_without_district"]
    report = run(import_grid(project, cell_file))
    assert [d["level"] for d in report.info["derived"]] == ["community"] * 4
    assert project.count_areas("street") == 2
    comms = project.areas("community")
    assert dict(zip(comms["code"], comms["parent_code"])) == {c: c[:9] for c, *_ in LAYOUT}


def test_a_parent_column_of_names_finds_existing_communities(project, cell_file,
                                                             write_vector, gk_square):
    run(import_grid(project, cell_file))
    # a redrawn cell file whose 所属社区 holds names only (unique ones: 升平, 东风)
    f = write_vector("new_cells.shp", {"网格编码": ["44060401000105", "44060401100205"],
                                       "所属社区": ["升平社区", "东风社区"]},
                     [gk_square(0, 1000, 100), gk_square(1000, 0, 100)],
                     encoding="GBK", hide_encoding=True)
    report = run(import_grid(project, f, dry_run=True))
    assert report.info["columns"]["parent"] == "所属社区"
    assert not report.refused and "derived" not in report.info


def test_a_name_used_twice_for_one_code_is_said(project, write_vector, gk_square):
    rows, geoms = cells_of(gk_square)
    rows[1]["社区"] = "升平居委会"  # one cell of 升平社区 says otherwise
    f = write_vector("c.shp", {k: [r[k] for r in rows] for k in rows[0]}, geoms,
                     encoding="GBK", hide_encoding=True)
    report = run(import_grid(project, f))
    conflict = [w for w in report.warnings if w.reason == "derived_name_conflict"]
    assert len(conflict) == 1 and "升平居委会（1）" in conflict[0].message
    assert project.areas("community").set_index("code").loc["440604010001", "name"] == "升平社区"


def test_the_cli_prints_what_it_derived(tmp_path, cell_file, capsys):
    p = tmp_path / "p.gpkg"
    assert main(["-q", "init", str(p), "--name", "禅城区", "--admin-code", "440604"]) == 0
    assert main(["-q", "grid", "import", str(p), str(cell_file)]) == 0
    out = capsys.readouterr().out
    assert "按编码长度识别为单元网格" in out
    assert "派生街道 440604010 祖庙街道：含文件中 8 个单元网格" in out
    assert "派生社区 440604011001 新村社区：含文件中 4 个单元网格" in out
    assert "已导入 16 个单元网格" in out
