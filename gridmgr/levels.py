"""The area hierarchy: district (区) → street/town (街道/镇) → community/village (社区/村) → cell."""

from __future__ import annotations

LEVELS = ("district", "street", "community", "cell")
LEVEL_TABLES = {"district": "districts", "street": "streets", "community": "communities",
                "cell": "cells"}
PARENT_LEVEL: dict[str, str | None] = {"district": None, "street": "district",
                                       "community": "street", "cell": "community"}
LEVEL_ZH = {"district": "区", "street": "街道", "community": "社区", "cell": "单元网格"}
