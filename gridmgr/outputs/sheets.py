"""What a printed responsibility map shows, gathered in the core so that maps/ only draws.

A scope (the district, an area code at any level, or ``officer:STAFF_NO``) resolves to a set of
unit cells; the job holds their outlines and those of their communities and streets projected to
the CGCS2000 3-degree Gauss-Krüger zone of the scope's centre (so that the scale bar is true),
the key enterprises in them, the responsibility table (primary and supervisor with phones, after
属地兜底) and, for an atlas, the units — one page each.  :func:`print_map` is the task the CLI and
the desktop run: gather here, then draw through the renderer plug-in (``maps/plugin.py``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from pyproj import CRS, Transformer

from ..coords.crs import gk_zone_for
from ..errors import UsageError
from ..levels import LEVEL_ZH
from ..progress import Progress, Task
from ..registers.enterprises import SUPERVISION_CLASSES
from ..registers.responsibility import effective
from ..storage import Store, open_readonly, today
from ..text import iso_date

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import geopandas as gpd
    import pandas as pd

PAPERS = ("A4", "A3", "A2", "A1", "A0")
ATLAS_LEVELS = ("street", "community", "cell", "officer")
MAPPED_CLASSES = ("国控", "省控", "市控")  # drawn as symbols; 一般 enterprises are not printed
OUTPUTS = (".pdf", ".png")


@dataclass
class Shapes:
    """One level's polygons in the print CRS (metres)."""

    level: str
    codes: list[str]
    names: list[str]
    geoms: np.ndarray


@dataclass
class Row:
    """One line of the responsibility table.  ``*_from`` is the level a person came from when
    the cell has none of its own (属地兜底), else None."""

    code: str
    name: str
    community: str
    primary: str | None
    primary_mobile: str | None
    primary_from: str | None
    supervisor: str | None
    supervisor_mobile: str | None
    supervisor_from: str | None
    # the whole team: role → (names, mobiles, came by fallback) — "陈静、杨帆" for a role with
    # several holders; the columns of the printed table are ``PrintJob.team_roles``
    team: dict[str, tuple[str, str, bool]] = field(default_factory=dict)


@dataclass
class Unit:
    """One atlas page: an area or an officer, and the cells of the scope that belong to it."""

    key: str
    name: str
    level: str
    cells: list[str]
    geom: Any


@dataclass
class Detail:
    """A cluster of areas much smaller than the largest on the sheet (urban streets beside a
    500 km² town): a candidate for a detail sheet (详图) at its own scale.  The layout prints
    it when those areas would be drawn too small on the main map."""

    key: str  # 详图一, 详图二 …
    name: str  # the areas' names, 东华街道、西华街道 …
    level: str  # street | community
    codes: list[str]
    cells: list[str]
    bounds: tuple[float, float, float, float]  # print CRS, metres


DETAIL_RATIO = 50.0  # an area this many times smaller than the sheet's largest is "dense"
NUMERALS = "一二三四五六七八九十"


@dataclass
class PrintJob:
    """Everything a layout draws; plain data (no Qt, no database)."""

    title: str
    scope: str
    scope_name: str
    issuer: str
    date: str
    crs_epsg: int
    crs_name: str
    true_north_deg: float  # true north, clockwise from grid north at the centre (convergence)
    layers: dict[str, Shapes]  # district/street/community outlines and the cells, clipped to use
    scope_cells: set[str]
    scope_geom: Any
    enterprises: list[tuple[float, float, str, str]]  # x, y, class, name (key classes only)
    rows: list[Row]
    short_digits: int  # cell labels show the last N digits: the code inside the street (5)
    atlas: str | None = None
    units: list[Unit] = field(default_factory=list)
    extent: tuple[float, float, float, float] | None = None  # "print this view" (print CRS)
    details: list[Detail] = field(default_factory=list)  # dense clusters (single maps only)
    # the team roles the table has a column for, in the role table's order (empty: the two
    # columns 责任人 and 区级监管责任人 of a job made without teams); the primary and supervisor
    # roles' columns say （未落实） where a cell has none
    team_roles: list[str] = field(default_factory=list)
    primary_role: str | None = None
    supervisor_role: str | None = None

    def rows_for(self, cells: list[str]) -> list[Row]:
        wanted = set(cells)
        return [r for r in self.rows if r.code in wanted]


def _clean(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def short_digits(codes: list[str], minimum: int = 2) -> int:
    """The fewest trailing digits that still tell the scope's cells apart (2 inside one
    community, 5 inside a street …) — the short form printed in the cells."""
    if not codes:
        return minimum
    longest = max(len(c) for c in codes)
    for n in range(minimum, longest + 1):
        if len({c[-n:] for c in codes}) == len(codes):
            return n
    return longest


def in_street_digits(cells: list[str], streets: list[str | None],
                     communities: list[str | None]) -> int:
    """How many trailing digits a sheet's cell labels show: the code inside the community when
    the sheet is one community (2), else the code inside the street (5 for the 14-digit
    national code: 3 for the community and 2 for the cell — what the README promises, the same
    length on every sheet of a district, and unique because the street is drawn around it).
    Codes that do not extend their parents' fall back to :func:`short_digits`."""
    if not cells:
        return 2
    one_community = len(set(communities)) == 1 and communities[0]
    parents = communities if one_community else streets
    lengths = {len(c) - len(p) for c, p in zip(cells, parents)
               if p and c.startswith(p) and len(c) > len(p)}
    if len(lengths) == 1 and all(p and c.startswith(p) for c, p in zip(cells, parents)):
        n = lengths.pop()
        seen: set[tuple[str, str]] = set()
        for c, p in zip(cells, parents):
            seen.add((str(p), c[-n:]))
        if len(seen) == len(cells):
            return n
    return short_digits(sorted(cells))


def _resolve(store: Store, scope: str, eff: Any, system: str, day: str,
             level_areas: Callable[[str], Any]) -> tuple[str, str, list[str]]:
    """(kind, display name, cell codes) for a scope text; UsageError when it names nothing."""
    scope = (scope or "district").strip()
    meta_name = store.meta().get("name") or ""
    if scope == "district":
        return "district", meta_name, list(eff["cell_code"])
    if scope.startswith("officer:"):
        staff = scope.split(":", 1)[1].strip()
        officers = store.officers()
        match = officers[officers["staff_no"] == staff]
        if not len(match):
            raise UsageError(f"范围 {scope}：没有工号为 {staff!r} 的人员")
        mine = eff[eff["team"].map(lambda team: any(m["staff_no"] == staff for m in team))]
        if not len(mine):
            raise UsageError(f"范围 {scope}：{match['name'].iloc[0]}（{staff}）在 {day} "
                             "没有负责的网格")
        return "officer", f"{match['name'].iloc[0]}（{staff}）", list(mine["cell_code"])
    for level in ("district", "street", "community", "cell"):
        areas = level_areas(level)
        hit = areas[areas["code"] == scope]
        if not len(hit):
            continue
        name = hit["name"].iloc[0] or scope
        if level == "district":
            return "district", name, list(eff["cell_code"])
        column = {"street": "street_code", "community": "community_code", "cell": "cell_code"}
        cells = list(eff.loc[eff[column[level]] == scope, "cell_code"])
        if level == "community":
            street = eff.loc[eff["community_code"] == scope, "street_name"]
            name = f"{street.iloc[0] or ''}{name}" if len(street) else name
        if level == "cell":  # 祖庙街道升平社区01号网格 (the name often starts with 升平社区)
            row = eff[eff["cell_code"] == scope]
            community = row["community_name"].iloc[0] or ""
            name = f"{row['street_name'].iloc[0] or ''}" \
                   f"{'' if name.startswith(community) else community}{name}"
        return level, name, cells
    raise UsageError(f"范围 {scope!r} 不存在：请用 district、{system} 体系中的区域编码"
                     "（区、街道、社区或单元网格）或 officer:工号")


def _table_roles(store: Store, sub: Any) -> tuple[list[str], str | None, str | None]:
    """The roles the table shows: those anyone holds in the scope, in team order, and always
    a primary and a supervisor column (so a cell without one shows （未落实）)."""
    from ..registers.teams import roles

    table = roles(store)
    held = {m["role"] for team in sub["team"] for m in team}
    slot = {r["name"]: r["slot"] for r in table}
    for team in sub["team"]:
        for m in team:
            slot.setdefault(m["role"], m["slot"])
    order = [r["name"] for r in table] + sorted(held - {r["name"] for r in table})

    def first(kind: str) -> str | None:
        return next((r for r in order if r in held and slot[r] == kind),
                    next((r for r in order if slot[r] == kind), None))

    primary, supervisor = first("primary"), first("supervisor")
    shown = [r for r in order if r in held or r in (primary, supervisor)]
    return shown, primary, supervisor


def _team_cells(team: list[dict[str, Any]]) -> dict[str, tuple[str, str, bool]]:
    out: dict[str, tuple[list[str], list[str], bool]] = {}
    for m in team:
        names, mobiles, _ = out.setdefault(m["role"], ([], [], not m["own"]))
        names.append(_clean(m["name"]) or m["staff_no"])
        if _clean(m["mobile"]):
            mobiles.append(m["mobile"])
    return {r: ("、".join(n), "、".join(p), f) for r, (n, p, f) in out.items()}


def default_title(project_name: str, kind: str, scope_name: str) -> str:
    """禅城区祖庙街道网格化管理责任区域图 — the project (district) name and the scope's name;
    a cell named …网格 gives 禅城区祖庙街道升平社区01号网格责任区域图 (网格 not doubled)."""
    if kind == "district":
        return f"{scope_name or project_name}网格化管理责任区域图"
    if kind == "officer":  # scope_name is 姓名（工号）
        return f"{project_name}网格化管理责任区域图（{scope_name.replace('（', ' ').rstrip('）')}）"
    if scope_name.endswith("网格"):  # …01号网格责任区域图, not …01号网格网格化管理…
        return f"{project_name}{scope_name}责任区域图"
    return f"{project_name}{scope_name}网格化管理责任区域图"


def gather(store: Store, *, scope: str = "district", atlas: str | None = None,
           title: str | None = None, issuer: str | None = None, as_of: str | None = None,
           system: str = "urban", eff: pd.DataFrame | None = None,
           areas: Mapping[str, gpd.GeoDataFrame] | None = None,
           enterprises: gpd.GeoDataFrame | None = None) -> PrintJob:
    """Resolve ``scope`` and collect what the printed map shows (see the module docstring).
    ``eff``: the whole grid's :func:`effective` responsibility of that day and system when the
    caller has it already (a field package has just worked it out for its scope); ``areas``
    ({level: that day's areas of the system}) and ``enterprises`` (the register): the frames
    when the caller has read them already (a day's field packages read them once)."""
    if atlas is not None and atlas not in ATLAS_LEVELS:
        raise UsageError(f"未知的分幅级别 {atlas!r}；可用：{'、'.join(ATLAS_LEVELS)}")
    store.check_system(system)
    day = iso_date(as_of) if as_of else today()
    if eff is None:
        eff = effective(store, as_of=day, system=system)
    if not len(eff):
        raise UsageError("项目中没有单元网格，无法出图；请先导入或生成网格")
    def level_areas(level: str) -> gpd.GeoDataFrame:
        if areas is not None and level in areas:
            return areas[level]
        return store.areas(level, system=system, as_of=day)

    kind, scope_name, cells = _resolve(store, scope, eff, system, day, level_areas)
    if not cells:
        raise UsageError(f"范围 {scope} 中没有单元网格")
    cellset = set(cells)
    meta_name = store.meta().get("name") or ""
    unit_level = str(eff["level"].iloc[0])
    sub = eff[eff["cell_code"].isin(cellset)].sort_values("cell_code")
    streets = set(sub["street_code"].dropna())
    communities = set(sub["community_code"].dropna())

    # geometry: the scope's cells, the cells around them in the same streets (context), and
    # the outlines of the communities and streets they lie in
    raw: dict[str, Any] = {}
    cell_frame = level_areas(unit_level)
    if kind != "district":
        around = set(eff.loc[eff["street_code"].isin(streets), "cell_code"]) | cellset
        cell_frame = cell_frame[cell_frame["code"].isin(around)]
    raw["cell"] = cell_frame
    for level, keep in (("community", communities), ("street", streets)):
        if level == unit_level:
            continue
        f = level_areas(level)
        if level == "community":  # the neighbours in the same streets, for orientation
            keep = keep | set(f.loc[f["parent_code"].isin(streets), "code"])
        raw[level] = f[f["code"].isin(keep)]
    if kind == "district":
        raw["district"] = level_areas("district")
    scope_cells = raw["cell"][raw["cell"]["code"].isin(cellset)]
    src = CRS.from_user_input(store.crs)
    to_ll = Transformer.from_crs(src, "EPSG:4490", always_xy=True)
    x0, y0, x1, y1 = scope_cells.total_bounds
    lon, lat = to_ll.transform((x0 + x1) / 2, (y0 + y1) / 2)
    gk = gk_zone_for(lon)
    layers = {}
    for level, f in raw.items():
        g = f.geometry.to_crs(gk) if len(f) else f.geometry
        layers[level] = Shapes(level, [str(c) for c in f["code"]],
                               [str(n or "") for n in f["name"]], np.asarray(g.values, dtype=object))
    cell_geoms = dict(zip(layers["cell"].codes, layers["cell"].geoms))
    scope_geom = shapely.union_all([cell_geoms[c] for c in cells if c in cell_geoms])
    to_gk = Transformer.from_crs("EPSG:4490", gk, always_xy=True)
    (ax, bx), (ay, by) = to_gk.transform([lon, lon], [lat, lat + 0.01])
    true_north = math.degrees(math.atan2(bx - ax, by - ay))

    ents = store.enterprises() if enterprises is None else enterprises
    ents = ents[ents["cell_code"].isin(cellset) & ents["supervision_class"].isin(MAPPED_CLASSES)]
    rank = {c: i for i, c in enumerate(SUPERVISION_CLASSES)}
    points: list[tuple[float, float, str, str]] = []
    if len(ents):
        xy = shapely.get_coordinates(ents.geometry.to_crs(gk).values)
        points = sorted(((float(x), float(y), c, n) for (x, y), c, n in
                         zip(xy, ents["supervision_class"], ents["name"])),
                        key=lambda p: -rank.get(p[2], 9))  # key classes drawn last, on top
    team_roles, primary_role, supervisor_role = _table_roles(store, sub)
    rows = [Row(code=r["cell_code"], name=_clean(r["cell_name"]) or "",
                community=_clean(r["community_name"]) or "",
                primary=_clean(r["primary_name"]), primary_mobile=_clean(r["primary_mobile"]),
                primary_from=None if r["primary_from"] == unit_level else _clean(
                    r["primary_from"]),
                supervisor=_clean(r["supervisor_name"]),
                supervisor_mobile=_clean(r["supervisor_mobile"]),
                supervisor_from=None if r["supervisor_from"] == unit_level else _clean(
                    r["supervisor_from"]),
                team=_team_cells(r["team"]))
            for r in sub.to_dict("records")]
    job = PrintJob(
        title=(title or "").strip() or default_title(meta_name, kind, scope_name),
        scope=scope, scope_name=scope_name,
        issuer=(issuer or "").strip() or f"{meta_name}网格化管理办公室",
        date=_date_text(day), crs_epsg=int(gk.to_epsg() or 0), crs_name=gk.name,
        true_north_deg=true_north, layers=layers, scope_cells=cellset, scope_geom=scope_geom,
        enterprises=points, rows=rows, team_roles=team_roles, primary_role=primary_role,
        supervisor_role=supervisor_role,
        short_digits=in_street_digits(list(sub["cell_code"]), list(sub["street_code"]),
                                      list(sub["community_code"])), atlas=atlas)
    if atlas:
        job.units = _units(job, sub, atlas, layers, cell_geoms)
    else:
        level = {"district": "street", "officer": "street", "street": "community"}.get(kind)
        if level and level in layers and level != unit_level:
            job.details = dense_clusters(layers[level], sub, level)
    return job


def dense_clusters(shapes: Shapes, sub: Any, level: str,
                   ratio: float = DETAIL_RATIO) -> list[Detail]:
    """The groups of touching areas of ``level`` holding the sheet's cells (``sub``: rows of
    :func:`~gridmgr.registers.responsibility.effective`) that are ``ratio`` times smaller
    than the largest of them, west to east; each becomes a :class:`Detail`."""
    column = f"{level}_code"
    cells_of: dict[str, list[str]] = {}
    for cell, code in zip(sub["cell_code"], sub[column]):
        if code:
            cells_of.setdefault(str(code), []).append(str(cell))
    idx = [i for i, c in enumerate(shapes.codes) if c in cells_of]
    if len(idx) < 2:
        return []
    areas = shapely.area(shapes.geoms[idx])
    small = [i for i, a in zip(idx, areas) if a * ratio <= areas.max()]
    if not small:
        return []
    gap = math.sqrt(float(areas.max())) * 0.02  # touching, or nearly
    merged = shapely.get_parts(shapely.union_all(shapely.buffer(shapes.geoms[small], gap)))
    tree = shapely.STRtree(shapes.geoms[small])
    groups = []
    for part in merged:
        members = sorted(small[j] for j in tree.query(part, predicate="intersects"))
        if members:
            groups.append(members)
    groups.sort(key=lambda m: shapely.bounds(shapely.union_all(shapes.geoms[m]))[0])
    out = []
    for n, members in enumerate(groups):
        codes = [shapes.codes[i] for i in members]
        out.append(Detail(
            key=f"详图{NUMERALS[n] if n < len(NUMERALS) else n + 1}",
            name="、".join(shapes.names[i] for i in members), level=level, codes=codes,
            cells=sorted(c for code in codes for c in cells_of[code]),
            bounds=tuple(float(v) for v in shapely.bounds(
                shapely.union_all(shapes.geoms[members])))))
    return out


def restrict_to_view(job: PrintJob, bounds: tuple[float, float, float, float]) -> PrintJob:
    """"Print this view": the map frame fits the desktop's extent (lon/lat: west, south, east,
    north) and the table lists the scope's cells that show in it."""
    to_gk = Transformer.from_crs("EPSG:4490", f"EPSG:{job.crs_epsg}", always_xy=True)
    w, s, e, n = bounds
    xs, ys = to_gk.transform([w, e, w, e], [s, s, n, n])
    box = shapely.box(min(xs), min(ys), max(xs), max(ys))
    cells = job.layers["cell"]
    seen = {c for c, g in zip(cells.codes, cells.geoms) if c in job.scope_cells
            and shapely.intersects(g, box)}
    if not seen:
        raise UsageError("当前视图中没有出图范围内的单元网格")
    job.extent = tuple(shapely.bounds(box))
    job.scope_cells = seen
    job.rows = [r for r in job.rows if r.code in seen]
    return job


def prepare(project: str | Path, *, scope: str = "district", atlas: str | None = None,
            title: str | None = None, view: tuple[float, float, float, float] | None = None,
            as_of: str | None = None, system: str = "urban") -> Task[PrintJob]:
    """:func:`gather` (and "print this view") as a task: the desktop prepares its preview
    with it in a worker thread (5 s for 100k cells) and drops a stale run between steps."""
    yield Progress(0, 2, "读取项目数据")
    with open_readonly(project) as store:
        job = gather(store, scope=scope, atlas=atlas, title=title, as_of=as_of, system=system)
    yield Progress(1, 2, "整理出图数据")
    if view is not None:
        restrict_to_view(job, view)
    yield Progress(2, 2, "完成")
    return job


def _date_text(day: str) -> str:
    d = dt.date.fromisoformat(day)
    return f"{d.year}年{d.month}月{d.day}日"


def _units(job: PrintJob, sub: Any, atlas: str, layers: dict[str, Shapes],
           cell_geoms: dict[str, Any]) -> list[Unit]:
    """The atlas pages in code order: one per street, community, cell or officer of the scope."""
    def union(codes: list[str]) -> Any:
        return shapely.union_all([cell_geoms[c] for c in codes if c in cell_geoms])

    units: list[Unit] = []
    if atlas == "cell":
        for r in job.rows:
            units.append(Unit(r.code, r.name, "cell", [r.code], cell_geoms.get(r.code)))
        return units
    if atlas in ("street", "community"):
        column = f"{atlas}_code"
        shapes = layers.get(atlas)
        geom_of = dict(zip(shapes.codes, shapes.geoms)) if shapes else {}
        for code, group in sub.groupby(column, sort=True):
            cells = list(group["cell_code"])
            name = _clean(group[f"{atlas}_name"].iloc[0]) or str(code)
            units.append(Unit(str(code), name, atlas, cells,
                              geom_of.get(code) if code in geom_of else union(cells)))
        return units
    people: dict[str, tuple[str, list[str]]] = {}
    for r in sub.to_dict("records"):
        for m in r["team"]:  # one page per member of any role of the team
            staff = _clean(m["staff_no"])
            if staff:
                entry = people.setdefault(staff, (_clean(m["name"]) or staff, []))
                if r["cell_code"] not in entry[1]:
                    entry[1].append(r["cell_code"])
    for staff in sorted(people):
        name, cells = people[staff]
        units.append(Unit(staff, f"{name}（{staff}）", "officer", cells, union(cells)))
    return units


def check_output(out: str | Path, paper: str, dpi: int) -> Path:
    """The output path and options, refused before anything is read or written."""
    path = Path(out)
    if path.suffix.lower() not in OUTPUTS:
        raise UsageError(f"输出文件应以 .pdf 或 .png 结尾：{path}")
    if paper not in PAPERS:
        raise UsageError(f"未知纸张 {paper!r}；可用：{'、'.join(PAPERS)}")
    if not 30 <= dpi <= 1200:
        raise UsageError(f"分辨率 {dpi} dpi 不合理（30–1200）")
    if not path.parent.is_dir():
        raise UsageError(f"输出目录不存在：{path.parent}")
    return path


def print_map(project: str | Path, out: str | Path, *, scope: str = "district",
              atlas: str | None = None, paper: str = "A3", landscape: bool = False,
              title: str | None = None, issuer: str | None = None, dpi: int = 200,
              as_of: str | None = None, system: str = "urban",
              view: tuple[float, float, float, float] | None = None) -> Task[dict[str, Any]]:
    """Print a responsibility map (or atlas) of ``project`` to ``out`` (.pdf or .png).

    ``view`` (lon/lat west, south, east, north) prints the desktop's map extent instead of
    fitting the scope.  Yields progress per page; closing the generator (Cancel) leaves no file
    behind.  Returns
    the renderer's summary: pages, files written, and per page what was placed.
    """
    from ..renderers import renderer

    path = check_output(out, paper, dpi)
    yield Progress(0, 0, "读取项目数据")
    with open_readonly(project) as store:
        job = gather(store, scope=scope, atlas=atlas, title=title, issuer=issuer, as_of=as_of,
                     system=system)
    if view is not None:
        restrict_to_view(job, view)
    result = yield from renderer().print_map(job, path, paper=paper, landscape=landscape,
                                             dpi=dpi)
    return result


__all__ = ["ATLAS_LEVELS", "LEVEL_ZH", "PAPERS", "PrintJob", "Row", "Shapes", "Unit",
           "check_output", "default_title", "gather", "prepare", "print_map", "restrict_to_view",
           "short_digits"]
