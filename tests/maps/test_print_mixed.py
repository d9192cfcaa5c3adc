"""Printing a district of very different area sizes (issue 16): a 500 km² town beside four
urban streets of 2.6 km².  Detail sheets (详图) for the dense part with their extent marked on
the main map, names that stay in their own area, key-enterprise symbols that turn into counts
where they would bury the map, and cell labels of one length and one size per sheet."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import shapely

from gridmgr.outputs.sheets import DETAIL_RATIO, Shapes, dense_clusters, gather, print_map
from gridmgr.progress import run
from gridmgr.project import open_project

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

URBAN = ("东华街道", "西华街道", "南华街道", "北华街道")


@pytest.fixture(autouse=True, scope="module")
def widgets_app(qapp_cls: type, qapp_args: list[str]) -> object:
    """The QApplication first (see tests/maps/test_print.py)."""
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or qapp_cls(qapp_args)


def pdftotext(path: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def sheet(mixed_district: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("mixed-print") / "district.pdf"
    return out, run(print_map(mixed_district, out, paper="A3", landscape=True))


def test_dense_streets_get_a_detail_sheet_marked_on_the_main_map(sheet, mixed_district):
    out, result = sheet
    layout = result["layout"]
    streets = layout.job.layers["street"]
    areas = dict(zip(streets.names, shapely.area(streets.geoms)))
    assert areas["南岭镇"] / max(areas[n] for n in URBAN) >= DETAIL_RATIO  # ~195×
    assert result["kinds"][:2] == ["map", "detail"] and result["kinds"].count("detail") == 1
    detail = layout.pages[1].detail
    assert detail.key == "详图一" and detail.name == "、".join(sorted(URBAN, key=lambda n: [
        c for c, m in zip(streets.codes, streets.names) if m == n][0]))
    urban_cells = {c for c in layout.job.scope_cells if c[:9] != "440604100"}
    assert set(detail.cells) == urban_cells and len(urban_cells) == 1024
    # on the main map the urban streets are a few millimetres wide; on the detail, 8× larger
    main, zoom = layout.pages[0].view, layout.pages[1].view
    assert 1600 * main.k < 25.0 and zoom.k / main.k >= 5
    # the extent is marked on the main map and says where the detail is
    (mark_of, rect), = layout.pages[0].marks
    assert mark_of is detail
    x0, y0, x1, y1 = detail.bounds
    (px0, px1), (py1, py0) = main.to_page(np.array([x0, x1]), np.array([y0, y1]))
    assert shapely.box(*rect).contains(shapely.box(px0, py0, px1, py1))
    assert "详图一（第 2 页）" in pdftotext(out, 1)
    page2 = pdftotext(out, 2)
    assert "详图一" in page2 and all(n in page2 for n in URBAN)
    # on the main map no cell of the cluster is labelled; on the detail, most of them are
    main_cells = {lab.text for lab in layout.pages[0].labels if lab.kind == "cell"}
    assert len(main_cells) > 50
    zoom_labels = [lab for lab in layout.pages[1].labels if lab.kind == "cell"]
    assert len(zoom_labels) > 0.5 * len(urban_cells)
    # every row of the table is printed once, the detail page carrying it on
    printed = [r.code for pg in layout.pages for r in pg.rows]
    assert sorted(printed) == sorted(layout.job.scope_cells)
    assert len(layout.pages[1].rows) > 0


def test_no_detail_sheet_when_areas_are_alike_or_the_paper_is_large(demo, mixed_district,
                                                                    tmp_path):
    with open_project(demo, readonly=True) as store:
        assert gather(store).details == []  # Chancheng's four streets: within 50× of each other
    result = run(print_map(mixed_district, tmp_path / "a0.pdf", paper="A0", landscape=True))
    # on A0 the 1.6 km streets are wide enough (≥ 25 mm) to be read on the map itself
    assert "detail" not in result["kinds"]
    assert 1600 * result["layout"].pages[0].view.k >= 25.0


def test_dense_clusters_need_fifty_times_smaller_areas():
    def shapes(small: float) -> Shapes:
        big = shapely.box(0, 0, 1000, 1000)
        side = (1000 * 1000 / small) ** 0.5
        tiny = [shapely.box(1000 + i * side, 0, 1000 + (i + 1) * side, side) for i in range(2)]
        return Shapes("street", ["A", "B", "C"], ["大镇", "甲街道", "乙街道"],
                      np.array([big, *tiny], dtype=object))

    import pandas as pd

    sub = pd.DataFrame({"cell_code": ["A01", "B01", "C01"], "street_code": ["A", "B", "C"]})
    assert dense_clusters(shapes(49.0), sub, "street") == []
    got = dense_clusters(shapes(50.0), sub, "street")
    assert [(d.key, d.codes, d.name, d.cells) for d in got] == [
        ("详图一", ["B", "C"], "甲街道、乙街道", ["B01", "C01"])]


def test_area_names_never_run_across_a_neighbour(sheet):
    _, result = sheet
    layout = result["layout"]
    for page in layout.pages[:2]:
        names = [lab for lab in page.labels if lab.kind in ("street", "community")]
        assert names
        for lab in names:
            layer = layout.job.layers[lab.kind]
            own = page.view.transform(layer.geoms[[layer.names.index(lab.text)]])[0]
            box = shapely.box(*lab.box)
            h = lab.box[3] - lab.box[1]
            assert shapely.buffer(own, h / 3 + 1e-6).contains(box), lab.text
            others = page.view.transform(np.array([g for g, n in zip(layer.geoms, layer.names)
                                                   if n != lab.text], dtype=object))
            spill = max(shapely.area(shapely.intersection(box, o)) for o in others)
            assert spill <= 0.34 * shapely.area(box), (lab.text, spill)
    main_names = {lab.text for lab in layout.pages[0].labels}
    assert not main_names & set(URBAN)  # too small there: named on the detail sheet
    assert {lab.text for lab in layout.pages[1].labels} >= set(URBAN)


def test_key_enterprise_symbols_turn_into_counts_where_they_would_bury_the_map(sheet):
    out, result = sheet
    layout = result["layout"]
    job = layout.job
    assert len(job.enterprises) > 300  # 国控/省控/市控 of 3,000, four in five in the streets
    main = layout.pages[0]
    # nothing lost: every key enterprise is a symbol or counted in a disc
    assert main.symbols["single"] + main.symbols["grouped"] == len(job.enterprises)
    cells = job.layers["cell"]
    urban = shapely.union_all([g for c, g in zip(cells.codes, cells.geoms)
                               if c[:9] != "440604100"])
    in_streets = sum(shapely.contains_xy(urban, x, y) for x, y, _, _ in job.enterprises)
    assert main.symbols["grouped"] >= in_streets  # the streets show counts, not a carpet
    assert 0 < main.symbols["badges"] <= 16  # at most one per community
    assert main.symbols["single"] > 0  # the town's scattered symbols stay symbols
    # the legend says what the discs are
    assert "重点企业数（过密处按网格/社区合计）" in pdftotext(out, 1)


def test_cell_labels_are_five_digit_street_codes_in_one_size_per_sheet(sheet, demo):
    _, result = sheet
    layout = result["layout"]
    assert layout.job.short_digits == 5
    cells = layout.job.layers["cell"]
    for page in layout.pages[:2]:
        labels = [lab for lab in page.labels if lab.kind == "cell"]
        assert labels and {len(lab.lines[0][0]) for lab in labels} == {5}
        assert len({lab.lines[0][1] for lab in labels}) == 1  # one size, no jumps
        geoms = page.view.transform(cells.geoms)
        tree = shapely.STRtree(geoms)
        for lab in labels[:200]:
            box = shapely.box(*lab.box)
            hit = [cells.codes[i] for i in tree.query(box, predicate="within")]
            hit = hit or [cells.codes[i] for i in tree.query(box.centroid,
                                                              predicate="intersects")]
            assert any(c.endswith(lab.lines[0][0]) for c in hit), lab.text
    with open_project(demo, readonly=True) as store:
        assert gather(store).short_digits == 5  # the whole demo district too
        assert gather(store, scope="440604012001").short_digits == 2  # one community
