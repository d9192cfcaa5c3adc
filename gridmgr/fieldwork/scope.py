"""Which cells a field package covers and for whom (its scope), resolved from the effective
responsibility of one day.  Held apart from :mod:`.export` so the package's file writers
(:mod:`.files`) can name a scope without importing the exporter."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..errors import UsageError
from ..registers.responsibility import effective
from ..storage import Store, today
from ..text import iso_date


@dataclass
class Scope:
    """Which cells a package covers, and for whom."""

    kind: str  # 'officer' | 'area'
    value: str
    as_of: str
    staff_no: str | None = None
    officer_name: str | None = None
    label: str = ""
    cells: list[str] = field(default_factory=list)


def resolve_scope(store: Store, *, officer: str | None, area: str | None,
                  as_of: str | None = None, eff: pd.DataFrame | None = None
                  ) -> tuple[Scope, pd.DataFrame]:
    """The scope and the effective responsibility rows of its cells (see
    :func:`gridmgr.responsibility.effective`).  An officer's cells are those they answer for on
    ``as_of`` in any slot (primary, supervisor, collector), their own or by fallback.
    ``eff``: the effective responsibility of that day when the caller has it already (many
    packages in a row)."""
    if bool(officer) == bool(area):
        raise UsageError("请给出 --officer 工号 或 --area 区域编码（二选一）")
    day = iso_date(as_of) if as_of else today()
    if eff is None:
        eff = effective(store, as_of=day, system="urban")
    if officer:
        people = store.officers()
        match = people[people["staff_no"] == officer]
        if match.empty:
            raise UsageError(f"没有工号为 {officer} 的人员")
        name = match["name"].iloc[0]
        # an officer in any role of a cell's team (网格员, 执法队员, 协管员 …) takes it out
        mine = eff["team"].map(lambda team: any(m["staff_no"] == officer for m in team))
        rows = eff[mine]
        if rows.empty:
            raise UsageError(f"{name}（{officer}）在 {day} 不负责任何单元网格，无法生成外业包")
        scope = Scope("officer", officer, day, officer, name, f"{name}（{officer}）")
    else:
        code = str(area).strip()
        district = store.areas("district", system="urban", as_of=day)
        if code in set(district["code"]):
            rows = eff
        else:
            rows = eff[(eff["cell_code"] == code) | (eff["community_code"] == code)
                       | (eff["street_code"] == code)]
        if rows.empty:
            raise UsageError(f"找不到区域 {code}，或其中没有单元网格（{day}）")
        names = {**dict(zip(eff["cell_code"], eff["cell_name"])),
                 **dict(zip(eff["community_code"], eff["community_name"])),
                 **dict(zip(eff["street_code"], eff["street_name"])),
                 **dict(zip(district["code"], district["name"]))}
        scope = Scope("area", code, day, label=f"{names.get(code) or ''}（{code}）")
    scope.cells = sorted(rows["cell_code"])
    return scope, rows.reset_index(drop=True)
