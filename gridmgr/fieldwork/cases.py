"""The cases side of field packages: open cases sent out, case progress and new cases coming back.

Everything about cases goes through the cases module (``gridmgr.cases`` / ``gridmgr.cases.workflow``
and the ``CasesMixin`` of the store); this adapter is the one place the fieldwork code touches
them, so that a project from before cases (opened read-only, hence not migrated) still exports
and imports packages (with no cases in them).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd

CASE_COLUMNS = ("uuid", "case_no", "source", "category_code", "category_name", "description",
                "address", "status", "reported_at", "due_at", "dispose_due_at",
                "handler_staff_no", "cell_code", "enterprise_uuid")
# the fields of a case whose change at the desk makes field progress on it a conflict
VERSION_FIELDS = ("case_no", "status", "handler_staff_no", "dispose_due_at")
FINDING_SOURCE = "巡检发现"


def available(store: Any) -> bool:
    """Whether this project has the cases tables."""
    return store.has_table("cases")


def empty_cases(crs: Any) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in CASE_COLUMNS}, geometry=[], crs=crs)


def all_open_cases(store: Any) -> gpd.GeoDataFrame:
    """Every open case (not 结案/作废) with its category name, in the project CRS: read once
    for a day's packages (:mod:`.day`)."""
    if not available(store):
        return empty_cases(store.crs)
    from ..cases.workflow import OPEN_STATUSES

    gdf = store.cases_gdf(status=list(OPEN_STATUSES))
    names = {code: r.get("name") for code, r in store.categories().items()}
    gdf["category_name"] = [names.get(c) for c in gdf["category_code"]]
    return gdf[[*CASE_COLUMNS, "geometry"]]


def open_cases(store: Any, cells: list[str], everything: gpd.GeoDataFrame | None = None
               ) -> gpd.GeoDataFrame:
    """The open cases lying in ``cells``, in the project CRS.  ``everything``: what
    :func:`all_open_cases` returned, when the caller has read it already."""
    if not available(store) or not cells:
        return empty_cases(store.crs)
    gdf = all_open_cases(store) if everything is None else everything
    gdf = gdf[gdf["cell_code"].isin(set(cells))].copy()
    return gdf.sort_values(["dispose_due_at", "case_no"], na_position="last"
                           ).reset_index(drop=True)


def case_version(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: (rec.get(k) or None) for k in VERSION_FIELDS}


def current_versions(store: Any, uuids: list[str]) -> dict[str, dict[str, Any]]:
    """{case uuid: version} as the desk has it now."""
    if not available(store) or not uuids:
        return {}
    return {u: case_version(rec) for u, rec in
            store.case_fields_by_uuid(list(uuids), VERSION_FIELDS).items()}


def category_values(store: Any) -> list[tuple[str, str]]:
    """(code, name) of the case categories, for the value list of new findings."""
    if not store.has_table("case_categories"):
        return []
    return [(code, f"{code} {r.get('name') or ''}".strip())
            for code, r in sorted(store.categories().items())]


def known_transition_uuids(store: Any, case_uuids: list[str]) -> set[str]:
    """The uuids of the steps the project already has on these cases."""
    if not available(store) or not case_uuids:
        return set()
    return set(store.transitions_frame(case_uuid=list(case_uuids))["uuid"])


def history_marks(store: Any, case_uuids: list[str]) -> dict[str, dict[str, Any]]:
    """{case uuid: {"last_seq", "last_at"}}: where each case's history ends now.  Kept with
    what a package sent, so that an import can tell the steps the desk added after export."""
    if not available(store) or not case_uuids:
        return {}
    hist = store.transitions_frame(case_uuid=list(case_uuids))
    if hist.empty:
        return {}
    last = hist.sort_values(["case_uuid", "seq"]).groupby("case_uuid").last()
    return {str(u): {"last_seq": int(r["seq"]), "last_at": str(r["at"])}
            for u, r in last.iterrows()}


def desk_steps_since(store: Any, case_uuid: str, seq: int | None) -> list[dict[str, Any]]:
    """The steps recorded on a case after step ``seq`` (all of them when None)."""
    if not available(store):
        return []
    hist = store.transitions_frame(case_uuid=case_uuid)
    if seq is not None:
        hist = hist[hist["seq"] > int(seq)]
    return [{"action": r["action"], "at": str(r["at"]), "note": r.get("note") or None}
            for r in hist.to_dict("records")]


def last_step_at(store: Any, case_uuid: str) -> str:
    """When the case's last recorded step happened ('' without history)."""
    if not available(store):
        return ""
    hist = store.transitions_frame(case_uuid=case_uuid)
    return str(hist["at"].iloc[-1]) if len(hist) else ""


def check_steps(status: str, last: str, steps: list[dict[str, Any]]
                ) -> list[tuple[dict[str, Any], str]]:
    """The steps the workflow would refuse when recorded from ``status`` after a step at
    ``last``, each with why: a step from the wrong status, or timed before the previous step."""
    from ..cases.workflow import check
    from ..errors import UsageError

    bad = []
    for s in steps:
        try:
            status = check(status, s["action"], note=s.get("note"))
        except UsageError as exc:
            bad.append((s, str(exc)))
            continue
        if last and s["at"] < last:
            bad.append((s, f"时间 {s['at'].replace('T', ' ')} 早于案件上一步（"
                           f"{last.replace('T', ' ')}）"))
            continue
        last = s["at"]
    return bad


def _coords(store: Any) -> str:
    return "cgcs2000" if store.crs.is_geographic else f"EPSG:{store.srs_id}"


def open_case_from_finding(store: Any, *, inspection: dict[str, Any], geom: Any,
                           cells: tuple[Any, Any, Any]) -> str | None:
    """Open a case (受理, source 巡检发现) for an inspection's finding; returns its uuid.
    UsageError (e.g. unknown category, outside the district) leaves no trace of it."""
    if not available(store):
        from ..errors import UsageError

        raise UsageError("本程序或项目没有案件模块")
    from ..cases.lifecycle import create_case

    staff = inspection.get("by_staff_no")
    known = set(store.officers()["staff_no"])
    name = inspection.get("enterprise_name")
    desc = inspection.get("findings") or ""
    if name:
        desc = f"{name}：{desc}"
    row = create_case(store, source=FINDING_SOURCE, category=inspection.get("case_category"),
                      lon=float(geom.x), lat=float(geom.y), coords=_coords(store),
                      description=desc, reported_at=inspection["at"],
                      reporter=staff, by_staff_no=staff if staff in known else None)
    if inspection.get("enterprise_uuid"):
        store.update_case(row["uuid"], {"enterprise_uuid": inspection["enterprise_uuid"]})
    return str(row["uuid"])


def apply_progress(store: Any, case_no: str, steps: list[dict[str, Any]]) -> list[str]:
    """Record field progress steps (处置/反馈/回退) on a case through the workflow; returns the
    uuids of the recorded steps (their transition rows keep the field's uuid, so a re-import
    recognises them)."""
    from ..cases.lifecycle import transition

    done = []
    known = set(store.officers()["staff_no"])
    for s in steps:
        by = s.get("by_staff_no")
        before = store.case_row(case_no)
        transition(store, case_no, s["action"], by=by if by in known else None, at=s["at"],
                   note=s.get("note"))
        # the step just written carries a fresh uuid: give it the field's
        store.set_last_transition_uuid(before["uuid"], s["uuid"])
        done.append(s["uuid"])
    return done
