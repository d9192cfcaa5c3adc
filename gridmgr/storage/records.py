"""The shapes that cross the storage seam: the columns of every frame and row a store returns.

Every backend returns these columns, in this order, with these names (the schema's), so that
the capabilities above (indicators, the desktop, exports) can rely on them whichever backend
holds the project.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from pyproj import CRS, Transformer

from ..geometry import Rings

# -- areas
AREA_COLUMNS = ("fid", "uuid", "system", "code", "name", "parent_code", "valid_from", "valid_to",
                "area_m2", "source", "created_at")

# -- registers
ENTERPRISE_FIELDS = ("credit_code", "ext_id", "name", "industry", "supervision_class", "rating",
                     "inspection_frequency", "frequency_days", "contact", "phone", "address",
                     "last_inspection", "source", "credit_code_flag")
OFFICER_FIELDS = ("staff_no", "name", "mobile", "role", "unit")
RESPONSIBILITY_COLUMNS = ("id", "uuid", "staff_no", "role", "slot", "system", "level",
                          "area_code", "valid_from", "valid_to", "note", "created_at")
TEAM_ROLE_COLUMNS = ("name", "slot", "multiple", "required", "sort_order", "description")

# -- the desktop's look-ups
ENTERPRISE_BRIEF = ("fid", "uuid", "credit_code", "name", "supervision_class", "rating",
                    "industry", "address", "contact", "phone", "inspection_frequency",
                    "last_inspection", "cell_code", "community_code", "street_code")
OFFICER_BRIEF = ("staff_no", "name", "mobile", "role", "unit")

# -- cases
CASE_COLUMNS = ("fid", "uuid", "case_no", "source", "category_code", "description", "address",
                "enterprise_uuid", "reported_at", "reporter", "status", "system", "cell_code",
                "community_code", "street_code", "handler_staff_no", "registered_at",
                "dispatched_at", "dispose_due_at", "due_at", "closed_at", "ext_status",
                "ext_no", "supervised", "rework_count", "extension_count", "created_at",
                "updated_at")
CASE_FIELDS = tuple(c for c in CASE_COLUMNS if c not in ("fid", "created_at", "updated_at"))
TRANSITION_COLUMNS = ("id", "uuid", "case_uuid", "seq", "action", "from_status", "to_status",
                      "by_staff_no", "by_name", "at", "note", "due_at", "created_at")
CATEGORY_COLUMNS = ("code", "kind", "major_code", "major_name", "name", "open_condition",
                    "close_condition", "dispose_limit", "dispose_unit", "verify_limit",
                    "verify_unit", "dispatch_limit", "dispatch_unit", "check_limit",
                    "check_unit", "dispatch_role")
NOTICE_COLUMNS = ("id", "uuid", "notice_no", "case_uuid", "enterprise_uuid", "place_key",
                  "colour", "issued_at", "deadline", "created_at")

# -- the indicators' narrow reads
STAT_CASE_COLUMNS = ("uuid", "status", "category_code", "cell_code", "community_code",
                     "street_code", "handler_staff_no", "reported_at", "registered_at",
                     "dispatched_at", "dispose_due_at", "due_at", "closed_at", "rework_count",
                     "extension_count")
INSPECTION_COLUMNS = ("uuid", "street_code", "community_code", "cell_code", "frequency_days",
                      "last_inspection")

# -- fieldwork
INSPECTION_FIELDS = ("uuid", "enterprise_uuid", "cell_code", "by_staff_no", "at", "result",
                     "findings", "opens_case", "case_category", "case_uuid", "package_uuid")
FIELDPACK_COLUMNS = ("id", "uuid", "project_uuid", "scope_kind", "scope_value", "staff_no",
                     "as_of", "exported_at", "out_path", "files", "cells", "enterprises", "cases",
                     "imported_at", "import_count")
CONFLICT_COLUMNS = ("id", "package_uuid", "table_name", "record_uuid", "label", "sent_version",
                    "desk_version", "field_version", "status", "decision", "decided_by",
                    "decided_at", "created_at")


@dataclass
class MapAreas:
    """The current areas of one level as the map draws them: codes, names, parents and areas
    (m²) in the store's order, and the geometry as flat :class:`gridmgr.geometry.Rings` in
    ``crs`` — no shapely objects and no frame, so that a window opens on 100k cells at once
    (``Store.map_areas``)."""

    codes: list[str]
    names: list[str | None]
    parents: list[str | None]
    areas: np.ndarray
    rings: Rings
    crs: Any

    def __len__(self) -> int:
        return len(self.codes)

    def to_crs(self, crs: Any) -> MapAreas:
        """The same areas with coordinates in ``crs`` (pyproj, x/y order as geopandas)."""
        src, dst = CRS.from_user_input(self.crs), CRS.from_user_input(crs)
        if src == dst:
            return self
        t = Transformer.from_crs(src, dst, always_xy=True)
        return replace(self, rings=self.rings.transformed(t.transform), crs=dst)
