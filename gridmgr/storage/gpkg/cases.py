"""Cases, their transitions and photos, the category table, the working calendar, notices.

A mixin of :class:`gridmgr.storage.Store` (uses ``self.db``, ``self.crs``, ``self.srs_id``).
All SQL for the cases schema (migration 4, :mod:`.schema_cases`) lives here; the workflow rules
live in :mod:`gridmgr.cases`.  Frames keep the schema's column names, so that other modules
(indicators, the desktop) can rely on them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..clock import now_iso
from ..records import (
    CASE_COLUMNS,
    CASE_FIELDS,
    CATEGORY_COLUMNS,
    NOTICE_COLUMNS,
    TRANSITION_COLUMNS,
)

_INT_COLUMNS = ("fid", "supervised", "rework_count", "extension_count")


def _where(filters: dict[str, Any]) -> tuple[str, list[Any]]:
    where, params = ["1=1"], []
    for col, value in filters.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set):
            values = list(value)
            where.append(f'"{col}" IN ({",".join("?" * len(values))})' if values else "0")
            params += values
        else:
            where.append(f'"{col}" = ?')
            params.append(value)
    return " AND ".join(where), params


class CasesMixin:
    db: Any
    srs_id: int
    crs: Any

    # -- cases
    def cases_frame(self, *, status: str | Sequence[str] | None = None,
                    cell_code: str | None = None, street_code: str | None = None,
                    community_code: str | None = None, handler_staff_no: str | None = None,
                    category_code: str | None = None, case_nos: Sequence[str] | None = None,
                    reported_from: str | None = None, reported_to: str | None = None,
                    with_location: bool = False) -> pd.DataFrame:
        """Cases as a DataFrame with the schema's columns (``reported_from`` ≤ reported_at <
        ``reported_to``); ``with_location`` adds ``x``/``y`` in the project CRS."""
        if case_nos is not None and len(case_nos) > 500:
            nos = list(case_nos)
            kw = dict(status=status, cell_code=cell_code, street_code=street_code,
                      community_code=community_code, handler_staff_no=handler_staff_no,
                      category_code=category_code, reported_from=reported_from,
                      reported_to=reported_to, with_location=with_location)
            parts = [self.cases_frame(case_nos=nos[i:i + 500], **kw)
                     for i in range(0, len(nos), 500)]
            return pd.concat(parts, ignore_index=True).sort_values("fid", ignore_index=True)
        where, params = _where({"status": [status] if isinstance(status, str) else status,
                                "cell_code": cell_code, "street_code": street_code,
                                "community_code": community_code,
                                "handler_staff_no": handler_staff_no,
                                "category_code": category_code,
                                "case_no": list(case_nos) if case_nos is not None else None})
        if reported_from:
            where += " AND reported_at >= ?"
            params.append(reported_from)
        if reported_to:
            where += " AND reported_at < ?"
            params.append(reported_to)
        cols = ", ".join(f'"{c}"' for c in CASE_COLUMNS)
        extra = ", geom" if with_location else ""
        rows = self.db.execute(f"SELECT {cols}{extra} FROM cases WHERE {where} ORDER BY fid",
                               params).fetchall()
        n = len(CASE_COLUMNS)
        df = pd.DataFrame([r[:n] for r in rows], columns=list(CASE_COLUMNS), dtype=object)
        for c in _INT_COLUMNS:
            df[c] = df[c].astype("int64")
        if with_location:
            geoms = self._decode_geoms([r[n] for r in rows]) if rows else np.array([], dtype=object)
            df["x"] = [g.x if g is not None else None for g in geoms]
            df["y"] = [g.y if g is not None else None for g in geoms]
        return df

    def cases_gdf(self, **filters: Any) -> gpd.GeoDataFrame:
        """Cases with their point geometry (project CRS), for export and the map."""
        df = self.cases_frame(with_location=True, **filters)
        pts = gpd.points_from_xy(pd.to_numeric(df["x"]), pd.to_numeric(df["y"]))
        return gpd.GeoDataFrame(df.drop(columns=["x", "y"]), geometry=pts, crs=self.crs)

    def count_cases(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM cases").fetchone()[0])

    def case_row(self, case_no: str) -> dict[str, Any] | None:
        df = self.cases_frame(case_nos=[case_no], with_location=True)
        return df.to_dict("records")[0] if len(df) else None

    def case_numbers(self, prefix: str) -> list[str]:
        cur = self.db.execute("SELECT case_no FROM cases WHERE case_no LIKE ? ORDER BY case_no",
                              [prefix + "%"])
        return [r[0] for r in cur]

    def existing_case_nos(self, case_nos: Iterable[str]) -> dict[str, dict[str, Any]]:
        """{case_no: {fid, uuid, status, …}} for the given numbers that the project has."""
        nos = list(dict.fromkeys(case_nos))
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(nos), 500):
            df = self.cases_frame(case_nos=nos[i:i + 500])
            out.update({r["case_no"]: r for r in df.to_dict("records")})
        return out

    def insert_cases(self, records: list[dict[str, Any]], geoms: Sequence[Any], *,
                     refresh_extent: bool = True) -> list[int]:
        now = now_iso()
        rows = []
        for r in records:
            row = dict(zip(CASE_FIELDS, map(r.get, CASE_FIELDS)))
            row["uuid"] = row["uuid"] or str(uuid.uuid4())
            row["supervised"] = int(row["supervised"] or 0)
            row["rework_count"] = int(row["rework_count"] or 0)
            row["extension_count"] = int(row["extension_count"] or 0)
            row["created_at"] = row["updated_at"] = now
            rows.append(row)
        fids = self._insert_features("cases", rows, geoms)
        if refresh_extent:
            self._update_extent("cases")
        return fids

    def update_case(self, case_uuid: str, fields: dict[str, Any],
                    geom: Any | None = None) -> None:
        """Overwrite fields of one case (and its location when ``geom`` is given)."""
        fields = {k: v for k, v in fields.items() if k in CASE_FIELDS and k != "uuid"}
        sets = [f'"{k}" = ?' for k in fields]
        params = list(fields.values())
        if geom is not None:
            sets.append("geom = ?")
            params.append(self._encode_geoms([geom])[0])
        sets.append("updated_at = ?")
        params.append(now_iso())
        self.db.execute(f"UPDATE cases SET {', '.join(sets)} WHERE uuid = ?",
                        [*params, case_uuid])

    def refresh_cases_extent(self) -> None:
        self._update_extent("cases")

    def last_steps(self, case_uuids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """{case_uuid: {seq, action, to_status, at}} of each case's latest step (a re-import
        appends after it; the history itself is never rewritten)."""
        ids = list(dict.fromkeys(case_uuids))
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            # each case's highest seq, joined back (UNIQUE (case_uuid, seq)): standard SQL
            cur = self.db.execute(
                "SELECT t.case_uuid, t.seq, t.action, t.to_status, t.at FROM case_transitions t "
                "JOIN (SELECT case_uuid, max(seq) AS seq FROM case_transitions WHERE case_uuid "
                f"IN ({','.join('?' * len(chunk))}) GROUP BY case_uuid) m "
                "ON t.case_uuid = m.case_uuid AND t.seq = m.seq", chunk)
            for u, seq, action, to, at in cur:
                out[u] = {"seq": int(seq), "action": action, "to_status": to, "at": at}
        return out

    # -- transitions
    def transitions_frame(self, *, case_uuid: str | Sequence[str] | None = None,
                          action: str | Sequence[str] | None = None,
                          at_from: str | None = None, at_to: str | None = None
                          ) -> pd.DataFrame:
        """Transitions (``at_from`` ≤ at < ``at_to``), ordered by case and seq."""
        if not isinstance(case_uuid, str) and case_uuid is not None and len(case_uuid) > 500:
            uuids = list(case_uuid)  # SQLite limits the parameters of one statement
            parts = [self.transitions_frame(case_uuid=uuids[i:i + 500], action=action,
                                            at_from=at_from, at_to=at_to)
                     for i in range(0, len(uuids), 500)]
            return pd.concat(parts, ignore_index=True).sort_values(
                ["case_uuid", "seq"], ignore_index=True)
        where, params = _where({
            "case_uuid": [case_uuid] if isinstance(case_uuid, str) else case_uuid,
            "action": [action] if isinstance(action, str) else action})
        if at_from:
            where += " AND at >= ?"
            params.append(at_from)
        if at_to:
            where += " AND at < ?"
            params.append(at_to)
        cur = self.db.execute(f"SELECT {', '.join(TRANSITION_COLUMNS)} FROM case_transitions "
                              f"WHERE {where} ORDER BY case_uuid, seq", params)
        df = pd.DataFrame(cur.fetchall(), columns=list(TRANSITION_COLUMNS), dtype=object)
        for c in ("id", "seq"):
            df[c] = df[c].astype("int64")
        return df

    def last_transition_at(self) -> str | None:
        """The time of the latest step of any case (None without steps)."""
        return self.db.execute("SELECT max(at) FROM case_transitions").fetchone()[0]

    def last_seq(self, case_uuid: str) -> int:
        r = self.db.execute("SELECT max(seq) FROM case_transitions WHERE case_uuid = ?",
                            [case_uuid]).fetchone()
        return int(r[0] or 0)

    def insert_transitions(self, rows: Iterable[dict[str, Any]]) -> None:
        now = now_iso()
        cols = [c for c in TRANSITION_COLUMNS if c != "id"]
        middle = cols[1:-1]  # between uuid (drawn when missing) and created_at (now)
        # one tuple per row, straight from the row: 5k cases took 5 s one dict per column
        values = [(r.get("uuid") or str(uuid.uuid4()), *map(r.get, middle), now) for r in rows]
        if not values:
            return
        after = self.last_step_id()  # type: ignore[attr-defined]
        with self._own_steps(len(values)):  # type: ignore[attr-defined]
            self.db.conn.executemany(
                f"INSERT INTO case_transitions ({', '.join(cols)}) VALUES "
                f"({', '.join('?' * len(cols))})", values)
        # the cases' reduced logs (schema 12) follow every write of steps
        firsts: dict[str, int] = {}
        ci, si = cols.index("case_uuid"), cols.index("seq")
        for v in values:
            seq = int(v[si])
            if firsts.get(v[ci], seq + 1) > seq:
                firsts[v[ci]] = seq
        self.update_case_times(after, firsts)  # type: ignore[attr-defined]

    # -- photos
    def add_photo(self, case_uuid: str, name: str, mime: str, data: bytes,
                  taken_at: str | None = None) -> str:
        pid = str(uuid.uuid4())
        self.db.execute("INSERT INTO case_photos (uuid, case_uuid, name, mime, data, taken_at, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [pid, case_uuid, name, mime, data, taken_at, now_iso()])
        return pid

    def photos(self, case_uuid: str) -> list[dict[str, Any]]:
        cur = self.db.execute("SELECT uuid, name, mime, data, taken_at, created_at FROM "
                              "case_photos WHERE case_uuid = ? ORDER BY id", [case_uuid])
        keys = ("uuid", "name", "mime", "data", "taken_at", "created_at")
        return [dict(zip(keys, r)) for r in cur]

    # -- categories
    def categories_frame(self) -> pd.DataFrame:
        # a project before schema 10 (opened read-only, so not migrated) has no dispatch role
        cols = CATEGORY_COLUMNS if self.has_table("team_roles") else [
            "NULL AS dispatch_role" if c == "dispatch_role" else c for c in CATEGORY_COLUMNS]
        cur = self.db.execute(f"SELECT {', '.join(cols)} FROM case_categories ORDER BY code")
        return pd.DataFrame(cur.fetchall(), columns=list(CATEGORY_COLUMNS), dtype=object)

    def categories(self) -> dict[str, dict[str, Any]]:
        """{code: row} of the category table."""
        return {r["code"]: r for r in self.categories_frame().to_dict("records")}

    def case_counts_by_category(self) -> dict[str, int]:
        """{category code: number of cases filed under it} (cases without a category left out)."""
        cur = self.db.execute("SELECT category_code, count(*) FROM cases WHERE category_code "
                              "IS NOT NULL GROUP BY category_code")
        return {code: int(n) for code, n in cur}

    def case_status_counts_in(self, system: str, areas: dict[str, Sequence[str]],
                              before: str) -> dict[str, int]:
        """{status: cases} of the cases of ``system`` reported before ``before`` (a day) whose
        cell, community or street (``areas``: level → codes) is one of those given."""
        where, params = [], []
        for level in ("cell", "community", "street"):
            codes = list(dict.fromkeys(areas.get(level) or ()))
            for i in range(0, len(codes), 500):
                chunk = codes[i:i + 500]
                where.append(f"{level}_code IN ({','.join('?' * len(chunk))})")
                params += chunk
        if not where:
            return {}
        cur = self.db.execute(
            "SELECT status, count(*) FROM cases WHERE coalesce(system, 'urban') = ? AND "
            f"reported_at < ? AND ({' OR '.join(where)}) GROUP BY status",
            [system, before, *params])
        return {status: int(n) for status, n in cur}

    def replace_categories(self, rows: Sequence[dict[str, Any]]) -> None:
        self.db.execute("DELETE FROM case_categories")
        self.db["case_categories"].insert_all(
            [{c: r.get(c) for c in CATEGORY_COLUMNS} for r in rows])

    def add_categories(self, rows: Sequence[dict[str, Any]]) -> None:
        self.db["case_categories"].insert_all(
            [{c: r.get(c) for c in CATEGORY_COLUMNS} for r in rows])

    # -- working calendar
    def calendar_rows(self, year: int | None = None) -> list[dict[str, Any]]:
        sql, params = "SELECT day, kind, name FROM work_calendar", []
        if year is not None:
            sql += " WHERE day LIKE ?"
            params.append(f"{year:04d}-%")
        cur = self.db.execute(sql + " ORDER BY day", params)
        return [{"day": d, "kind": k, "name": n} for d, k, n in cur]

    def set_calendar_day(self, day: str, kind: str | None, name: str | None = None) -> None:
        """Make ``day`` a holiday or a make-up working day; ``kind=None`` removes the entry
        (the day follows the Monday–Friday rule again)."""
        if kind is None:
            self.db.execute("DELETE FROM work_calendar WHERE day = ?", [day])
        else:
            self.db.execute("INSERT INTO work_calendar (day, kind, name) VALUES (?, ?, ?) "
                            "ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, "
                            "name = excluded.name", [day, kind, name])

    # -- enterprises, as cases need them
    def find_enterprise(self, key: str) -> dict[str, Any] | None:
        """An enterprise by credit code, register id or exact name (None if not exactly one)."""
        cur = self.db.execute("SELECT uuid, name, credit_code, cell_code FROM enterprises "
                              "WHERE credit_code = ? OR ext_id = ? OR name = ? LIMIT 2",
                              [key, key, key])
        rows = cur.fetchall()
        if len(rows) != 1:
            return None
        return dict(zip(("uuid", "name", "credit_code", "cell_code"), rows[0]))

    def enterprise_keys(self) -> dict[str, str]:
        """{credit code / id / name: uuid} for matching imported cases to enterprises (a credit
        code shared by branch sites, or a name, that is not one enterprise's is left out)."""
        out: dict[str, str] = {}
        names: dict[str, list[str]] = {}
        shared: set[str] = set()  # a code of several branch sites names none of them
        for u, code, ext, name in self.db.execute(
                "SELECT uuid, credit_code, ext_id, name FROM enterprises"):
            for k in (code, ext):
                if k:
                    if k in out and out[k] != u:
                        shared.add(k)
                    out[k] = u
            names.setdefault(name, []).append(u)
        for k in shared:
            del out[k]
        for name, us in names.items():
            if len(us) == 1:
                out.setdefault(name, us[0])
        return out

    def enterprise_names(self, uuids: Iterable[str]) -> dict[str, dict[str, Any]]:
        ids = [u for u in dict.fromkeys(uuids) if u]
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            cur = self.db.execute("SELECT uuid, name, credit_code, address, contact, phone "
                                  f"FROM enterprises WHERE uuid IN ({','.join('?' * len(chunk))})",
                                  chunk)
            for r in cur:
                out[r[0]] = dict(zip(("uuid", "name", "credit_code", "address", "contact",
                                      "phone"), r))
        return out

    # -- rectification notices
    def notices_frame(self, *, enterprise_uuid: str | None = None,
                      place_key: str | None = None, case_uuid: str | None = None
                      ) -> pd.DataFrame:
        where, params = _where({"enterprise_uuid": enterprise_uuid, "place_key": place_key,
                                "case_uuid": case_uuid})
        cur = self.db.execute(f"SELECT {', '.join(NOTICE_COLUMNS)} FROM rectification_notices "
                              f"WHERE {where} ORDER BY issued_at, id", params)
        return pd.DataFrame(cur.fetchall(), columns=list(NOTICE_COLUMNS), dtype=object)

    def notice_numbers(self, prefix: str) -> list[str]:
        cur = self.db.execute("SELECT notice_no FROM rectification_notices WHERE notice_no "
                              "LIKE ? ORDER BY notice_no", [prefix + "%"])
        return [r[0] for r in cur]

    def insert_notice(self, row: dict[str, Any]) -> str:
        nid = str(uuid.uuid4())
        self.db.execute("INSERT INTO rectification_notices (uuid, notice_no, case_uuid, "
                        "enterprise_uuid, place_key, colour, issued_at, deadline, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [nid, row["notice_no"], row.get("case_uuid"),
                         row.get("enterprise_uuid"), row.get("place_key"), row["colour"],
                         row["issued_at"], row.get("deadline"), now_iso()])
        return nid
