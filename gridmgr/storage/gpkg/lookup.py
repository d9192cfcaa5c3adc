"""Point look-ups for the desktop: find an enterprise or officer by what a user types, one area's
parent and counts, the responsibility rows of a few areas.

Every query here uses an index (credit_code UNIQUE, ``idx_enterprises_name``,
``idx_enterprises_cell``/``street_code``, the area code indexes), so it stays fast with a million
enterprises; the one scan — a name containing the text, not starting with it — stops at ``limit``
rows and only runs when nothing starts with the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ...levels import LEVEL_TABLES
from ..records import ENTERPRISE_BRIEF, OFFICER_BRIEF

_TOP = "\U0010ffff"  # above every character: the end of a prefix range


class LookupMixin:
    db: Any
    crs: Any

    def _enterprise_rows(self, where: str, params: list[Any], limit: int) -> list[dict[str, Any]]:
        cols = ", ".join(ENTERPRISE_BRIEF)
        cur = self.db.execute(f"SELECT {cols} FROM enterprises WHERE {where} LIMIT ?",
                              [*params, limit])
        return [dict(zip(ENTERPRISE_BRIEF, r)) for r in cur.fetchall()]

    def find_enterprises(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Enterprises whose credit code is (or starts with) ``text``, else whose name starts
        with it, else whose name contains it — in that order, at most ``limit``."""
        t = text.strip()
        if not t:
            return []
        up = t.upper()
        found = self._enterprise_rows("credit_code = ?", [up], limit)
        if not found and len(up) >= 4 and up.isalnum():
            found = self._enterprise_rows("credit_code >= ? AND credit_code < ?",
                                          [up, up + _TOP], limit)
        if not found:
            found = self._enterprise_rows("name >= ? AND name < ? ORDER BY name",
                                          [t, t + _TOP], limit)
        if not found:
            found = self._enterprise_rows("instr(name, ?) > 0", [t], limit)
        return found

    def enterprise_by_key(self, key: str | int) -> dict[str, Any] | None:
        """One enterprise by credit code, uuid or fid (an int)."""
        if isinstance(key, int):
            rows = self._enterprise_rows("fid = ?", [key], 1)
        else:
            rows = (self._enterprise_rows("credit_code = ?", [key], 1)
                    or self._enterprise_rows("uuid = ?", [key], 1))
        return rows[0] if rows else None

    def enterprises_in(self, level: str, code: str, key_classes: Sequence[str],
                       limit: int = 6) -> tuple[int, int, list[dict[str, Any]]]:
        """(all, key) enterprises in an area of ``level`` (cell/community/street) and the first
        ``limit`` of them, key classes first."""
        column = {"cell": "cell_code", "community": "community_code",
                  "street": "street_code"}[level]
        marks = ",".join("?" * len(key_classes)) or "NULL"
        total, key = self.db.execute(
            f"SELECT count(*), coalesce(sum(supervision_class IN ({marks})), 0) "
            f"FROM enterprises WHERE {column} = ?", [*key_classes, code]).fetchone()
        listed = self._enterprise_rows(
            f"{column} = ? ORDER BY supervision_class IN ({marks}) DESC, name", [code,
                                                                              *key_classes],
            limit)
        return int(total), int(key or 0), listed

    def enterprise_counts(self, level: str, key_classes: Sequence[str]
                          ) -> dict[str, tuple[int, int]]:
        """Per area of ``level``: (enterprises, key enterprises) — one grouped query."""
        column = {"cell": "cell_code", "community": "community_code",
                  "street": "street_code"}[level]
        marks = ",".join("?" * len(key_classes)) or "NULL"
        cur = self.db.execute(
            f"SELECT {column}, count(*), coalesce(sum(supervision_class IN ({marks})), 0) "
            f"FROM enterprises WHERE {column} IS NOT NULL GROUP BY {column}", list(key_classes))
        return {r[0]: (int(r[1]), int(r[2])) for r in cur.fetchall()}

    def enterprise_points(self, classes: Sequence[str] | None = None) -> gpd.GeoDataFrame:
        """What the map draws of the enterprises (uuid, credit code, name, class, point), all
        of them or only those of ``classes`` — without the other columns."""
        cols = ("uuid", "credit_code", "name", "supervision_class")
        where, params = "", []
        if classes is not None:
            where = f" WHERE supervision_class IN ({','.join('?' * len(classes)) or 'NULL'})"
            params = list(classes)
        rows = self.db.execute(f"SELECT {', '.join(cols)}, geom FROM enterprises{where} "
                               "ORDER BY fid", params).fetchall()
        df = pd.DataFrame([r[:-1] for r in rows], columns=list(cols), dtype=object)
        geoms = self._decode_geoms([r[-1] for r in rows]) if rows else np.array([], dtype=object)
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=self.crs), crs=self.crs)

    def find_officers(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Officers whose staff number is ``text`` or starts with it, or whose name contains it."""
        t = text.strip()
        if not t:
            return []
        cols = ", ".join(OFFICER_BRIEF)
        cur = self.db.execute(
            f"SELECT {cols} FROM officers WHERE staff_no = ? OR (staff_no >= ? AND staff_no < ?)"
            " OR instr(name, ?) > 0 ORDER BY staff_no != ?, name LIMIT ?",
            [t, t, t + _TOP, t, t, limit])
        return [dict(zip(OFFICER_BRIEF, r)) for r in cur.fetchall()]

    def officer_by_staff_no(self, staff_no: str) -> dict[str, Any] | None:
        cols = ", ".join(OFFICER_BRIEF)
        row = self.db.execute(f"SELECT {cols} FROM officers WHERE staff_no = ?",
                              [staff_no]).fetchone()
        return dict(zip(OFFICER_BRIEF, row)) if row else None

    def area_brief(self, level: str, system: str, code: str) -> dict[str, Any] | None:
        """Name, parent and area of the current area ``code`` of ``level``."""
        row = self.db.execute(
            f'SELECT code, name, parent_code, area_m2 FROM "{LEVEL_TABLES[level]}" '
            "WHERE system = ? AND code = ? AND valid_to IS NULL", [system, code]).fetchone()
        return dict(zip(("code", "name", "parent_code", "area_m2"), row)) if row else None

    def count_children(self, level: str, system: str, parent: str) -> int:
        return int(self.db.execute(
            f'SELECT count(*) FROM "{LEVEL_TABLES[level]}" WHERE system = ? AND parent_code = ? '
            "AND valid_to IS NULL", [system, parent]).fetchone()[0])

    def responsibilities_on(self, system: str, codes: Sequence[str], as_of: str
                            ) -> list[dict[str, Any]]:
        """Responsibility rows on these areas valid on ``as_of``, with the officer's name."""
        if not codes:
            return []
        cols = ("area_code", "slot", "role", "staff_no", "valid_from", "name", "mobile")
        cur = self.db.execute(
            "SELECT r.area_code, r.slot, r.role, r.staff_no, r.valid_from, o.name, o.mobile "
            "FROM responsibilities r LEFT JOIN officers o ON o.staff_no = r.staff_no "
            f"WHERE r.system = ? AND r.area_code IN ({','.join('?' * len(codes))}) "
            "AND r.valid_from <= ? AND (r.valid_to IS NULL OR r.valid_to > ?) ORDER BY r.id",
            [system, *codes, as_of, as_of])
        return [dict(zip(cols, r)) for r in cur.fetchall()]
