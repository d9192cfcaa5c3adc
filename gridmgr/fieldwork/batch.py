"""Every officer's field package in one run: the batch a bureau makes each morning.

One process, one effective-responsibility table for the day and one read of the day's grid,
register and open cases (:mod:`.day`: reading them takes longer than writing a small package),
then one package per officer who answers for any cell, each its own transaction as a single
export is.  An officer whose package cannot be made is named in the summary and the
others still land; a cancel stops between packages' steps, and the package being written rolls
back while the finished ones stay (each is complete and recorded).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import GridmgrError, UsageError
from ..progress import Progress, Task
from ..registers.responsibility import effective
from ..storage import Store, today
from ..text import iso_date
from .day import read_day
from .export import export_fieldpack

_UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def package_name(staff_no: str, name: str | None) -> str:
    """``CC0013-方荣.zip``: the staff number first (unique, sorts), the name for people; the
    characters Windows refuses in file names are replaced."""
    label = _UNSAFE.sub("_", f"{staff_no}-{name}" if name else staff_no).strip("._")
    return f"{label or 'officer'}.zip"


def officers_on_duty(eff: Any) -> list[str]:
    """Staff numbers of everyone in any cell's team that day (own or by fallback), sorted."""
    return sorted({m["staff_no"] for team in eff["team"] for m in team if m.get("staff_no")})


def export_all_officers(store: Store, out_dir: str | Path, *, as_of: str | None = None
                        ) -> Task[dict[str, Any]]:
    """One ``.zip`` package per officer on duty into ``out_dir`` (made if missing; an existing
    package file is not overwritten: that officer is skipped and named).  Returns a summary:
    ``packages`` (staff_no, name, out, cells, enterprises, cases, bytes), ``failed``
    (staff_no, name, reason), ``as_of``."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} 不是文件夹；--all-officers 需要一个输出文件夹")
    if not out.parent.exists():
        raise UsageError(f"目录不存在：{out.parent}")
    day = iso_date(as_of) if as_of else today()
    yield Progress(0, 1, "计算当日责任")
    eff = effective(store, as_of=day, system="urban")
    staff = officers_on_duty(eff)
    if not staff:
        raise UsageError(f"{day} 没有任何人员负责单元网格，无法生成外业包")
    shared = read_day(store, day, eff)
    people = store.officers()
    names = dict(zip(people["staff_no"], people["name"]))
    out.mkdir(exist_ok=True)
    summary: dict[str, Any] = {"as_of": day, "out": str(out), "packages": [], "failed": []}
    steps = 8  # a single export's steps (0..7) plus one
    total = len(staff) * steps
    for i, s in enumerate(staff):
        name = names.get(s)
        target = out / package_name(s, name)
        label = f"{name or s}（{s}）"
        try:
            if target.exists():
                raise UsageError(f"{target.name} 已存在，不会覆盖")
            task = export_fieldpack(store, out=target, officer=s, as_of=day, day=shared)
            while True:
                try:
                    step = next(task)
                except StopIteration as stop:
                    result = stop.value
                    break
                yield Progress(i * steps + min(step.done, steps - 1), total,
                               f"{i + 1}/{len(staff)} {label}：{step.message}")
        except GridmgrError as exc:
            summary["failed"].append({"staff_no": s, "name": name, "reason": str(exc)})
            continue
        summary["packages"].append({
            "staff_no": s, "name": name, "out": result["out"], **result["counts"],
            "bytes": target.stat().st_size, "left_out": result["left_out"]})
    yield Progress(total, total, "完成")
    return summary
