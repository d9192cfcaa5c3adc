"""Printed responsibility maps: what the PDF says, where labels go, pages, scale, bad input.

PDFs are checked with poppler (pdftotext, pdffonts, pdfinfo); the page plan and what was placed
on each page come back from the renderer in the result's ``layout``.
"""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import shapely
from project_state import fingerprint
from pyproj import Geod, Transformer

from gridmgr.cli import main
from gridmgr.errors import Cancelled
from gridmgr.grid.importer import import_grid
from gridmgr.outputs.sheets import gather, print_map, short_digits
from gridmgr.progress import run
from gridmgr.project import open_project
from gridmgr.registers.officers import import_officers
from gridmgr.registers.responsibility import assign, effective

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

STREET = "440604012"  # 祖庙街道 in the demo
COMMUNITY = "440604012001"


@pytest.fixture(autouse=True, scope="module")
def widgets_app(qapp_cls: type, qapp_args: list[str]) -> object:
    """Print code makes a QGuiApplication when none exists; tests later in the run need a
    QApplication (pytest-qt), and Qt cannot turn one into the other — so make the
    QApplication first."""
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or qapp_cls(qapp_args)


def pdftotext(path: Path, page: int | None = None) -> str:
    args = ["pdftotext"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(next(line.split()[-1] for line in out.stdout.splitlines()
                    if line.startswith("Pages:")))


def scope_people(project: Path, cells: set[str]) -> set[str]:
    with open_project(project, readonly=True) as store:
        eff = effective(store)
    sub = eff[eff["cell_code"].isin(cells)]
    return set(sub["primary_name"].dropna()) | set(sub["supervisor_name"].dropna())


def overlaps(boxes: list[tuple[float, float, float, float]]) -> list[tuple[int, int]]:
    """Pairs of boxes whose interiors intersect."""
    geoms = [shapely.box(*b) for b in boxes]
    tree = shapely.STRtree(geoms)
    bad = []
    for i, g in enumerate(geoms):
        for j in tree.query(g, predicate="intersects"):
            if j > i and shapely.intersection(g, geoms[j]).area > 1e-9:
                bad.append((i, int(j)))
    return bad


@pytest.fixture(scope="module")
def street_pdf(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("print") / "zumiao.pdf"
    result = run(print_map(demo, out, scope=STREET, paper="A3"))
    return out, result


@pytest.fixture(scope="module")
def district_pdf(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("print") / "district.pdf"
    result = run(print_map(demo, out, scope="district", paper="A1", landscape=True))
    return out, result


def test_street_map_text_has_title_every_code_and_person(street_pdf, demo):
    out, result = street_pdf
    layout = result["layout"]
    cells = layout.job.scope_cells
    assert len(cells) > 100
    text = pdftotext(out)
    assert "禅城区祖庙街道网格化管理责任区域图" in text
    missing = [c for c in cells if c not in text]
    assert not missing, missing[:5]
    people = scope_people(demo, cells)
    assert people and not [p for p in people if p not in text]
    assert "编制单位：禅城区网格化管理办公室" in text
    # Qt maps shared glyphs to Kangxi radicals (⽹ for 网); the fix-up puts the ideographs back
    assert not [c for c in text if 0x2E80 <= ord(c) < 0x2FE0]
    assert pdf_pages(out) == result["pages"] == len(layout.pages)
    assert result["kinds"][0] == "map" and set(result["kinds"][1:]) == {"table"}


def test_cjk_font_is_embedded(street_pdf):
    out, _ = street_pdf
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "CJK" in line]
    assert cjk, fonts
    for line in cjk:
        assert line.split()[-5] == "yes", line  # emb
        assert line.split()[-3] == "yes", line  # ToUnicode


def test_table_continues_with_every_row_once(street_pdf):
    _, result = street_pdf
    layout = result["layout"]
    printed = [r.code for page in layout.pages for r in page.rows]
    assert sorted(printed) == sorted(layout.job.scope_cells)
    assert len(layout.pages) > 1  # 170 cells do not fit beside an A3 map


def test_labels_do_not_overlap_and_stay_in_their_cells(street_pdf):
    _, result = street_pdf
    layout = result["layout"]
    page = layout.pages[0]
    cell_labels = [lab for lab in page.labels if lab.kind == "cell"]
    assert len(cell_labels) > 50
    assert {lab.kind for lab in page.labels} >= {"community", "cell"}
    assert overlaps([lab.box for lab in page.labels]) == []
    short = {c[-layout.job.short_digits:]: c for c in layout.job.scope_cells}
    cells = layout.job.layers["cell"]
    geom = dict(zip(cells.codes, page.view.transform(cells.geoms)))
    for lab in cell_labels:
        code = short[lab.lines[0][0]]
        assert geom[code].buffer(1e-6).contains(shapely.box(*lab.box)), code


def test_scale_bar_is_true(street_pdf):
    _, result = street_pdf
    page = result["layout"].pages[0]
    view = page.view
    x0, y, length_mm, length_m = page.bar
    assert length_m in {n * 10 ** e for n in (1, 2, 5) for e in range(6)}  # a round length
    (gx0, gx1), (gy0, gy1) = view.to_ground(np.array([x0, x0 + length_mm]), np.array([y, y]))
    assert gx1 - gx0 == pytest.approx(length_m, rel=1e-9)
    # and on the ellipsoid: GK is true to 2e-4 this close to its central meridian
    to_ll = Transformer.from_crs(f"EPSG:{result['layout'].job.crs_epsg}", "EPSG:4490",
                                 always_xy=True)
    lon, lat = to_ll.transform([gx0, gx1], [gy0, gy1])
    _, _, dist = Geod(ellps="GRS80").inv(lon[0], lat[0], lon[1], lat[1])
    assert dist == pytest.approx(length_m, rel=5e-4)
    assert view.scale % 10 == 0 and view.k == pytest.approx(1000 / view.scale)
    assert result["layout"].job.crs_epsg == 4547  # 113°E lies in the zone of 114°E


def test_district_of_1963_cells_is_readable(district_pdf, demo):
    out, result = district_pdf
    layout = result["layout"]
    assert len(layout.job.scope_cells) > 1900
    first = layout.pages[0]
    assert overlaps([lab.box for lab in first.labels]) == []
    assert sum(lab.kind == "cell" for lab in first.labels) > 500
    assert min(pt for lab in first.labels for _, pt in lab.lines) >= 4.0
    printed = [r.code for page in layout.pages for r in page.rows]
    assert sorted(printed) == sorted(layout.job.scope_cells)
    text = pdftotext(out)
    assert "禅城区网格化管理责任区域图" in text
    assert not [c for c in layout.job.scope_cells if c not in text]
    assert not [p for p in scope_people(demo, layout.job.scope_cells) if p not in text]


def test_a3_table_pages_hold_as_many_blocks_as_fit(demo, tmp_path):
    """1,963 rows on A3 portrait: table pages carry three blocks side by side (a fourth would
    not fit even at the smallest size), so the district takes 1 map + 7 table pages, not 15."""
    out = tmp_path / "a3.pdf"
    result = run(print_map(demo, out, paper="A3"))
    layout = result["layout"]
    x0, _, x1, _ = layout.body()
    width, per_pt = x1 - x0, sum(layout._table_cols)
    pt, blocks, rows = layout.page_table_fit()
    assert 5.8 <= pt <= 6.5 and blocks == 3
    assert blocks * per_pt * pt + 4.0 * (blocks - 1) <= width  # they fit …
    assert (blocks + 1) * per_pt * 5.8 + 4.0 * blocks > width  # … and one more would not
    _, b1, r1 = layout.panel_table_fit()
    n_rows = len(layout.job.rows)
    assert result["kinds"].count("table") == -(-(n_rows - b1 * r1) // (blocks * rows)) <= 7
    # every block is drawn: its heading appears once per block on a full table page
    assert pdftotext(out, 2).count("网格编码") == blocks
    assert pdftotext(out, 1).count("网格编码") == b1 >= 2  # the map page's panel too
    assert [len(pg.rows) for pg in layout.pages[1:-1]] == [blocks * rows] * (len(layout.pages) - 2)


def test_atlas_has_an_index_and_one_page_per_unit(demo, tmp_path):
    out = tmp_path / "atlas.pdf"
    result = run(print_map(demo, out, scope=STREET, atlas="community", paper="A3",
                           landscape=True))
    layout = result["layout"]
    units = layout.job.units
    with open_project(demo, readonly=True) as store:
        comms = store.areas("community")
    assert [u.key for u in units] == sorted(comms.loc[comms["parent_code"] == STREET, "code"])
    kinds = result["kinds"]
    assert kinds == ["index"] + ["map"] * len(units)  # every community fits its page
    assert pdf_pages(out) == len(units) + 1
    index = pdftotext(out, 1)
    for n, unit in enumerate(units, start=2):
        assert unit.name in index
        page_text = pdftotext(out, n)
        assert f"本幅：{unit.name}（{unit.key}）" in page_text
        assert f"第 {n} 页 共 {len(units) + 1} 页" in page_text
        assert not [c for c in unit.cells if c not in page_text]
    # the index lists each unit with its page number
    assert [page for _, page in layout.pages[0].index] == list(range(2, len(units) + 2))


def test_atlas_page_count_is_index_plus_units_plus_overflow(demo, tmp_path):
    """Streets of ~500 cells do not fit beside an A4 map: their tables continue, and the page
    count follows the documented rule exactly."""
    out = tmp_path / "streets.pdf"
    result = run(print_map(demo, out, atlas="street", paper="A4"))
    layout = result["layout"]
    (_, b1, r1), (_, b2, r2) = layout.panel_table_fit(), layout.page_table_fit()
    first, per_page = b1 * r1, b2 * r2
    expected = ["index"]
    for unit in layout.job.units:
        rest = max(0, len(unit.cells) - first)
        expected += ["map"] + ["table"] * -(-rest // per_page)
    assert result["kinds"] == expected and expected.count("table") > 0
    assert pdf_pages(out) == len(expected)
    # each street's rows are all printed, on its own map page and the pages after it
    for unit in layout.job.units:
        rows = [r.code for pg in layout.pages if pg.unit is unit for r in pg.rows]
        assert sorted(rows) == sorted(unit.cells)


def test_cell_and_officer_atlases_count_their_units(demo, tmp_path):
    out = tmp_path / "cells.pdf"
    result = run(print_map(demo, out, scope=COMMUNITY, atlas="cell", paper="A4"))
    n_cells = len(result["layout"].job.scope_cells)
    assert result["kinds"] == ["index"] + ["map"] * n_cells
    out = tmp_path / "people.pdf"
    result = run(print_map(demo, out, scope=STREET, atlas="officer", paper="A3"))
    job = result["layout"].job
    people = {u.name.split("（")[0] for u in job.units}
    assert people == scope_people(demo, job.scope_cells)
    assert result["kinds"].count("map") == len(job.units)
    assert pdf_pages(out) == result["pages"]


def test_officer_scope_is_the_cells_they_answer_for(demo):
    with open_project(demo, readonly=True) as store:
        eff = effective(store)
        staff = eff["primary_staff_no"].dropna().iloc[0]
        job = gather(store, scope=f"officer:{staff}")
    assert job.scope_cells == set(eff.loc[eff["primary_staff_no"] == staff, "cell_code"])
    assert staff in job.title


def test_as_of_prints_who_was_responsible_that_day(demo):
    """The demo reassigns five communities on 1 March 2026: a map as of February names the
    people of February."""
    with open_project(demo, readonly=True) as store:
        before = gather(store, scope="district", as_of="2026-02-15")
        after = gather(store, scope="district", as_of="2026-03-15")
        eff = effective(store, as_of="2026-02-15")
    was = dict(zip(eff["cell_code"], eff["primary_name"]))
    assert {r.code: r.primary for r in before.rows} == was
    changed = {r.code for r, s in zip(before.rows, after.rows) if r.primary != s.primary}
    assert changed and before.date == "2026年2月15日"


def test_a_cell_scope_titles_street_and_cell(demo):
    with open_project(demo, readonly=True) as store:
        job = gather(store, scope="44060401200101")
    assert job.title == "禅城区祖庙街道升平社区01号网格责任区域图"  # 网格 not doubled
    assert job.scope_cells == {"44060401200101"} and len(job.rows) == 1


def test_the_north_arrow_sits_on_a_white_box_clear_of_the_scope(demo, tmp_path):
    """On the A4 page of one cell the arrow used to sit on a community line: it now has its
    own white box in a frame corner the scope does not reach, and no label is under it."""
    out = tmp_path / "cell.png"
    result = run(print_map(demo, out, scope="44060401200101", paper="A4", dpi=100))
    page = result["layout"].pages[0]
    north, frame = page.north, page.frame
    assert north is not None
    assert any(abs(north[i] - frame[i]) < 1e-9 for i in (0, 2))  # in a corner of the frame
    assert any(abs(north[i] - frame[i]) < 1e-9 for i in (1, 3))
    scope = page.view.transform(np.array([result["layout"].job.scope_geom]))[0]
    assert not shapely.intersects(scope, shapely.box(*north))
    assert page.labels and not [j for i, j in overlaps([north] + [b.box for b in page.labels])
                                if i == 0]
    # what is drawn there: white with the arrow, not the map — the box's pixels are white
    # or the arrow's dark grey, never a boundary colour
    from PySide6.QtGui import QImage

    img = QImage(str(out))
    px = 100 / 25.4
    colours = {img.pixelColor(round(x * px), round(y * px)).name()
               for x in np.linspace(north[0] + 0.5, north[2] - 0.5, 40)
               for y in np.linspace(north[1] + 0.5, north[3] - 0.5, 40)}
    assert "#ffffff" in colours
    rgb = [(int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)) for c in colours]
    assert not [c for c in rgb if max(c) - min(c) > 60]  # no blue or red boundary in it


def test_png_has_the_size_of_the_paper_at_the_dpi(demo, tmp_path):
    out = tmp_path / "map.png"
    result = run(print_map(demo, out, scope=COMMUNITY, paper="A4", dpi=100))
    from PySide6.QtGui import QImage

    assert result["files"] == [str(out)]
    img = QImage(str(out))
    assert (img.width(), img.height()) == (827, 1169)  # 210 × 297 mm at 100 dpi
    out = tmp_path / "land.png"
    run(print_map(demo, out, scope=COMMUNITY, paper="A3", landscape=True, dpi=72))
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1191, 842)


def test_a_multi_page_png_is_numbered_files_and_a_cancel_leaves_none(demo, tmp_path):
    out = tmp_path / "street.png"
    result = run(print_map(demo, out, scope=STREET, paper="A4", dpi=30))
    names = [tmp_path / f"street-{i:03d}.png" for i in range(1, result["pages"] + 1)]
    assert result["pages"] > 1 and result["files"] == [str(n) for n in names]
    assert sorted(tmp_path.iterdir()) == names
    other = tmp_path / "again"
    other.mkdir()
    steps: list = []
    with pytest.raises(Cancelled):
        run(print_map(demo, other / "x.png", scope=STREET, paper="A4", dpi=30), steps.append,
            lambda: len(steps) >= 3)
    assert list(other.iterdir()) == []


def test_two_cells(tmp_path, project, write_vector, gk_square):
    streets = write_vector("s.gpkg", {"code": ["440604012"], "name": ["祖庙街道"]},
                           [gk_square(0, 0, 400, 200)])
    comms = write_vector("c.gpkg", {"code": ["440604012001"], "name": ["升平社区"],
                                    "parent": ["440604012"]}, [gk_square(0, 0, 400, 200)])
    cells = write_vector("g.gpkg", {"code": ["44060401200101", "44060401200102"],
                                    "name": ["升平一格", "升平二格"],
                                    "parent": ["440604012001"] * 2},
                         [gk_square(0, 0, 200, 200), gk_square(200, 0, 200, 200)])
    for path, level in ((streets, "street"), (comms, "community"), (cells, "cell")):
        assert not run(import_grid(project, path, level=level)).refused
    people = tmp_path / "people.csv"
    with open(people, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([["姓名", "工号", "手机", "角色"],
                                  ["张伟", "T1", "13800000001", "网格员"],
                                  ["李娜", "T2", "13800000002", "网格员"],
                                  ["赵敏", "T3", "13800000003", "区级监管责任人"]])
    assert not run(import_officers(project, people)).refused
    assign(project, staff_no="T1", role="网格员", cells=["44060401200101"])
    assign(project, staff_no="T2", role="网格员", cells=["44060401200102"])
    assign(project, staff_no="T3", role="区级监管责任人", area="440604012")
    path = project.path
    project.close()
    out = tmp_path / "two.pdf"
    result = run(print_map(path, out, scope="440604012001", paper="A4"))
    text = pdftotext(out)
    assert "禅城区祖庙街道升平社区网格化管理责任区域图" in text
    for word in ("44060401200101", "44060401200102", "张伟", "李娜", "赵敏", "13800000003",
                 "升平一格", "升平二格"):
        assert word in text
    assert "赵敏*" in text  # the supervisor comes from the street (属地兜底)
    page = result["layout"].pages[0]
    cell_labels = [lab for lab in page.labels if lab.kind == "cell"]
    # two big cells: both get the short code and the name
    assert sorted(lab.lines[0][0] for lab in cell_labels) == ["01", "02"]
    assert all(len(lab.lines) == 2 for lab in cell_labels)
    assert overlaps([lab.box for lab in page.labels]) == []
    assert result["pages"] == 1


def test_short_codes_are_the_fewest_unique_digits():
    assert short_digits(["44060401200101", "44060401200102"]) == 2
    assert short_digits(["44060401200101", "44060401200201"]) == 3
    assert short_digits(["44060401200101", "44060401100101"]) == 6


def test_bad_scope_is_exit_2_and_writes_nothing(demo, tmp_path, capsys):
    before = fingerprint(demo)
    out = tmp_path / "x.pdf"
    assert main(["-q", "print", str(demo), "--scope", "440604999", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "440604999" in err and "不存在" in err
    assert main(["-q", "print", str(demo), "--scope", "officer:NOBODY", "--out",
                 str(out)]) == 2
    assert "NOBODY" in capsys.readouterr().err
    assert main(["-q", "print", str(demo), "--out", str(tmp_path / "x.svg")]) == 2
    assert list(tmp_path.iterdir()) == []
    assert fingerprint(demo) == before


def test_cli_prints_and_says_how_many_pages(demo, tmp_path, capsys):
    out = tmp_path / "c.pdf"
    assert main(["-q", "print", str(demo), "--scope", COMMUNITY, "--paper", "A4",
                 "--title", "测试标题图", "--issuer", "祖庙街道城管办", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "已输出 1 页" in said and str(out) in said
    text = pdftotext(out)
    assert "测试标题图" in text and "编制单位：祖庙街道城管办" in text


def test_cancelled_print_leaves_no_file(demo, tmp_path):
    out = tmp_path / "big.pdf"
    steps = []

    def stop() -> bool:
        return len(steps) >= 3

    with pytest.raises(Cancelled):
        run(print_map(demo, out, scope=STREET, atlas="cell", paper="A4"), steps.append, stop)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("platform, fix, not_said", [
    ("linux", "apt-get install fonts-noto-cjk", "Windows\\Fonts"),
    ("win32", "C:\\Windows\\Fonts", "apt-get"),
    ("darwin", "PingFang", "apt-get"),
])
def test_no_cjk_font_at_all_is_a_setup_error_with_this_os_fix(monkeypatch, platform, fix,
                                                               not_said):
    """No Chinese font on the computer and the shipped one cannot be loaded either (with it,
    tests/maps/test_fonts.py prints in it): exit 9 and the fix for the user's OS."""
    from PySide6.QtGui import QFontDatabase

    from gridmgr.errors import EXIT_SETUP, SetupError
    from maps import fonts

    monkeypatch.setattr(fonts, "_chosen", None)
    monkeypatch.setattr(QFontDatabase, "families", staticmethod(lambda *a: ["DejaVu Sans"]))
    monkeypatch.setattr(QFontDatabase, "writingSystems", staticmethod(lambda *a: []))
    monkeypatch.setattr(QFontDatabase, "addApplicationFont", staticmethod(lambda *a: -1))
    with pytest.raises(SetupError, match="没有找到中文字体") as caught:
        fonts.cjk_families(platform)
    assert fix in str(caught.value) and not_said not in str(caught.value)
    assert caught.value.exit_code == EXIT_SETUP


def _paint_first_page(layout, dpi: float = 60.0):
    from PySide6.QtGui import QColor, QImage, QPainter

    img = QImage(round(layout.W / 25.4 * dpi), round(layout.H / 25.4 * dpi),
                 QImage.Format.Format_RGB32)
    img.setDotsPerMeterX(round(dpi / 0.0254))
    img.setDotsPerMeterY(round(dpi / 0.0254))
    img.fill(QColor("#ffffff"))
    p = QPainter(img)
    try:
        page = layout.paint(p, 0)
    finally:
        p.end()
    return img, page


def _pixels(img, box, colour: str, dpi: float = 60.0) -> int:
    from PySide6.QtGui import QColor

    want = QColor(colour)
    k = dpi / 25.4
    n = 0
    for y in range(int(box[1] * k), int(box[3] * k), 2):
        for x in range(int(box[0] * k), int(box[2] * k), 2):
            c = img.pixelColor(x, y)
            n += abs(c.red() - want.red()) + abs(c.green() - want.green()) + \
                abs(c.blue() - want.blue()) < 60
    return n


def test_key_map_draws_streets_in_the_street_style_and_takes_the_room_the_list_leaves(demo):
    from maps.print_layout import Layout, ensure_app
    from maps.render import STYLE

    ensure_app()
    with open_project(demo, readonly=True) as store:
        communities = gather(store, atlas="community")
        cells = gather(store, atlas="cell")
    # 96 communities on A3: the list takes what its rows need, the key map the rest (> half)
    layout = Layout(communities, "A3")
    body = layout.body()
    key, listed = layout.index_boxes()
    assert listed is not None and (key[3] - key[1]) > 0.5 * (body[3] - body[1])
    assert layout.pages[0].kind == "index" and len(layout.pages[0].index) == 96
    img, page = _paint_first_page(layout)
    street_px = _pixels(img, page.frame, STYLE["street"][0])
    assert street_px > 50  # the street outlines, red as on the map pages
    # 1,963 cells: the list needs more than half a page, so the key map has page 1 to itself
    layout = Layout(cells, "A3")
    key, listed = layout.index_boxes()
    assert listed is None and key == layout.body()
    kinds = [pg.kind for pg in layout.pages]
    n_index = kinds.count("index")
    assert layout.pages[0].index == [] and sum(len(pg.index) for pg in layout.pages) == 1963
    assert kinds[:n_index] == ["index"] * n_index and layout.pages[1].index[0][1] == n_index + 1
