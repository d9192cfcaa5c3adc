"""The staff list: officers with their staff number, mobile, role and unit.

Matched by staff number, so importing an updated list updates people instead of duplicating
them.  A mobile number that is not a mainland mobile is reported (the responsibility table on
the street wall must reach someone), and still kept as given.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from ..files.columns import OFFICER_ALIASES, match_headers
from ..files.tables import read_table
from ..findings import WARNING, Finding, Report
from ..progress import Progress, Task
from ..storage import Store
from ..text import MOBILE, clean_cell
from .teams import DEFAULT_ROLES, normalise_role, role_map

# the shipped roles and their slots; a project's own table is :func:`.teams.roles`
ROLES = {r["name"]: r["slot"] for r in DEFAULT_ROLES}


def import_officers(store: Store, path: str | Path, *, sheet: str | None = None,
                    encoding: str | None = None, mapping: Mapping[str, str] | None = None,
                    dry_run: bool = False) -> Task[Report]:
    p = Path(path)
    token = store.change_token()  # what the plan below is made on
    file = p.name
    yield Progress(0, 3, f"读取 {file}")
    table = read_table(p, sheet=sheet, encoding=encoding, header_aliases=OFFICER_ALIASES)
    fields = match_headers(table.headers, OFFICER_ALIASES, mapping)
    report = Report(info={"file": str(p), "encoding": table.encoding,
                          "encoding_source": table.encoding_source, "columns": fields,
                          "rows": len(table.rows), "dry_run": dry_run})
    for needed in ("staff_no", "name"):
        if needed not in fields:
            raise InputFileError(f"{p}：找不到{'工号' if needed == 'staff_no' else '姓名'}列；"
                                 f"文件的列：{', '.join(table.headers)}。请用 --map 源列={needed}")
    cols = {f: table.headers.index(h) for f, h in fields.items()}
    yield Progress(1, 3, "检查每一行")
    known = {r["staff_no"]: r for _, r in store.officers().iterrows()}
    team_roles = role_map(store)
    seen: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    inserted = updated = unchanged = 0
    changes: list[dict[str, Any]] = []
    for r, row in zip(table.rows, table.row_numbers):
        rec: dict[str, Any] = {}
        for f in ("staff_no", "name", "mobile", "role", "unit"):
            i = cols.get(f)
            value, notes = clean_cell(r[i] if i is not None and i < len(r) else None,
                                      narrow=f in ("staff_no", "mobile"))
            rec[f] = value
            for n in notes:
                report.add(Finding.make(n, severity=WARNING, file=file, row=row,
                                        field=fields[f]))
        if not rec["staff_no"]:
            report.add(Finding.make("missing_staff_no", file=file, row=row))
            continue
        if not rec["name"]:
            report.add(Finding.make("missing_name", file=file, row=row))
            continue
        if rec["staff_no"] in seen:
            report.add(Finding.make("duplicate_staff_no", file=file, row=row,
                                    code=rec["staff_no"], first_row=seen[rec["staff_no"]]))
            continue
        seen[rec["staff_no"]] = row
        if rec["mobile"]:
            given = rec["mobile"]
            mobile = given.replace("-", "").replace(" ", "")
            mobile = mobile[3:] if mobile.startswith("+86") else mobile
            if not MOBILE.match(mobile):
                report.add(Finding.make("bad_mobile", severity=WARNING, file=file, row=row,
                                        value=given))
            elif mobile != given:  # 138-0000-0000 or +86…: recorded plainly, and said so
                rec["mobile"] = mobile
                report.add(Finding.make("mobile_normalised", severity=WARNING, file=file,
                                        row=row, value=given, mobile=mobile))
        role = normalise_role(rec["role"])
        if role != rec["role"]:
            report.add(Finding.make("role_alias", severity=WARNING, file=file, row=row,
                                    value=rec["role"], role=role))
            rec["role"] = role
        if rec["role"] and rec["role"] not in team_roles:
            report.add(Finding.make("unknown_role", severity=WARNING, file=file, row=row,
                                    value=rec["role"], allowed="、".join(team_roles)))
        old = known.get(rec["staff_no"])
        diff = {} if old is None else {f: [old[f], v] for f, v in rec.items()
                                       if v is not None and v != old[f]}
        if old is None:
            inserted += 1
        elif diff:
            updated += 1
            changes.append({"row": row, "name": rec["name"], "changes": diff})
        else:
            unchanged += 1
            continue
        if old is not None:  # a blank cell never erases what the project knows
            rec = {f: (v if v is not None else old[f]) for f, v in rec.items()}
        out.append(rec)
    report.accepted = len(seen)
    report.info.update(inserted=inserted, updated=updated, unchanged=unchanged,
                       changes=changes[:1000])
    if dry_run:
        return report
    yield Progress(2, 3, f"写入 {len(out)} 人")
    with store.atomic():
        store.check_unchanged(token)  # planned on what is still the project's
        store.upsert_officers(out)
        store.audit("officers import", {"file": str(p), "inserted": inserted,
                                        "updated": updated})
    yield Progress(3, 3, "完成")
    return report
