"""Grid teams: the role table a bureau edits (网格长, 网格员, 执法队员, 协管员, 监督员 …).

A cell has a team, not one person.  Each role keeps its own history (a 执法队员 assigned to a
cell never ends the 网格员's term); a role that is not ``multiple`` has one holder at a time,
so a new holder ends the previous one's term on the day the new one starts.  The ``slot`` says
what the role does for the rules older than teams: ``primary`` roles receive cases (the first of
them in team order, 网格员 by default, gets every case whose category names no role),
``supervisor`` is the 区级监管责任人 that key enterprises need, ``collector`` reports,
``member`` is any other member.  The shipped table is copied into each project (schema 10) and
edited with ``gridmgr team-roles``.
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageError
from ..storage import Store

SLOTS_ALL = ("primary", "supervisor", "collector", "member")
SLOT_ZH = {"primary": "责任人（受理派遣）", "supervisor": "区级监管", "collector": "信息采集",
           "member": "团队成员"}
SLOT_ALIASES = {"责任人": "primary", "受理派遣": "primary", "监管": "supervisor",
                "区级监管": "supervisor", "采集": "collector", "信息采集": "collector",
                "成员": "member", "团队成员": "member"}

DEFAULT_ROLES: list[dict[str, Any]] = [
    {"name": "网格长", "slot": "member", "multiple": 0, "required": 0, "sort_order": 10,
     "description": "统筹本网格团队（多由社区/村干部担任）"},
    {"name": "网格员", "slot": "primary", "multiple": 0, "required": 0, "sort_order": 20,
     "description": "日常巡查；分类未指定角色的案件派给网格员"},
    {"name": "执法队员", "slot": "primary", "multiple": 0, "required": 0, "sort_order": 30,
     "description": "执法类案件（分类的派遣角色为执法队员）的处置人"},
    {"name": "协管员", "slot": "member", "multiple": 1, "required": 0, "sort_order": 40,
     "description": "协助网格员巡查、劝导"},
    {"name": "监督员", "slot": "member", "multiple": 1, "required": 0, "sort_order": 50,
     "description": "城管监督员/社会监督员：巡查、监督、上报"},
    {"name": "信息采集员", "slot": "collector", "multiple": 1, "required": 0, "sort_order": 60,
     "description": "巡查采集、上报问题"},
    {"name": "区级监管责任人", "slot": "supervisor", "multiple": 0, "required": 0,
     "sort_order": 70, "description": "区级监管；国控/省控企业所在网格必须有"},
]
ROLE_ALIASES = {"网格管理员": "网格员", "专职网格员": "网格员", "执法人员": "执法队员",
                "镇街执法人员": "执法队员", "执法队": "执法队员", "监管责任人": "区级监管责任人",
                "区级监管": "区级监管责任人", "采集员": "信息采集员", "城管协管员": "协管员",
                "城管监督员": "监督员", "社会监督员": "监督员"}


def default_team_roles() -> list[dict[str, Any]]:
    """The shipped role table (rows of ``team_roles``)."""
    return [dict(r) for r in DEFAULT_ROLES]


def normalise_role(text: str | None) -> str | None:
    if not text:
        return None
    text = text.strip()
    return ROLE_ALIASES.get(text, text)


def roles(store: Store) -> list[dict[str, Any]]:
    """The project's role table in team order (the shipped one for an older project opened
    read-only, which has none yet)."""
    return store.team_roles() or default_team_roles()


def role_map(store: Store) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in roles(store)}


def default_primary(table: list[dict[str, Any]]) -> str | None:
    """The role cases go to when their category names none: the first primary role."""
    return next((r["name"] for r in table if r["slot"] == "primary"), None)


def _slot(text: str) -> str:
    slot = SLOT_ALIASES.get(text, text)
    if slot not in SLOTS_ALL:
        raise UsageError(f"未知的职责 {text!r}；可用：primary（责任人，受理派遣）、supervisor"
                         "（区级监管）、collector（信息采集）、member（团队成员）")
    return slot


def add_role(store: Store, name: str, *, slot: str = "member", multiple: bool | None = None,
             required: bool = False, after: str | None = None,
             description: str | None = None) -> dict[str, Any]:
    """Add a role to the project's table (one transaction, audited); returns its row."""
    name = (name or "").strip()
    if not name:
        raise UsageError("角色名称不能为空")
    slot = _slot(slot)
    with store.atomic():
        table = roles(store)
        if any(r["name"] == name for r in table):
            raise UsageError(f"角色 {name} 已经存在")
        if normalise_role(name) != name:
            raise UsageError(f"{name} 是 {normalise_role(name)} 的别名，请直接使用 "
                             f"{normalise_role(name)}")
        if after is not None:
            hit = [r for r in table if r["name"] == after]
            if not hit:
                raise UsageError(f"没有角色 {after}；现有：{'、'.join(r['name'] for r in table)}")
            order = int(hit[0]["sort_order"]) + 1
            for r in table:  # make room: every later role moves down one
                if int(r["sort_order"]) >= order:
                    store.update_team_role(r["name"], {"sort_order": int(r["sort_order"]) + 1})
        else:
            order = max((int(r["sort_order"]) for r in table), default=0) + 10
        row = {"name": name, "slot": slot,
               "multiple": int(slot in ("collector", "member") if multiple is None else multiple),
               "required": int(required), "sort_order": order, "description": description}
        store.insert_team_role(row)
        store.audit("team-roles add", row)
    return row


def edit_role(store: Store, name: str, *, slot: str | None = None,
              multiple: bool | None = None, required: bool | None = None,
              description: str | None = None) -> dict[str, Any]:
    """Change a role's slot, multiplicity, required flag or description.  Making a role single
    while a cell has several current holders of it is refused (who would keep the term?)."""
    fields: dict[str, Any] = {}
    if slot is not None:
        fields["slot"] = _slot(slot)
    if multiple is not None:
        fields["multiple"] = int(multiple)
    if required is not None:
        fields["required"] = int(required)
    if description is not None:
        fields["description"] = description
    with store.atomic():
        table = role_map(store)
        if name not in table:
            raise UsageError(f"没有角色 {name}；现有：{'、'.join(table)}")
        if fields.get("multiple") == 0:
            cur = store.responsibilities(current_only=True)
            cur = cur[cur["role"] == name]
            many = cur.groupby(["system", "area_code"]).size()
            many = many[many > 1]
            if len(many):
                areas = "、".join(str(k[1]) for k in list(many.index)[:5])
                raise UsageError(f"{name} 在 {len(many)} 个区域有多人同时在任（{areas}…），"
                                 "不能改为单人；请先结束多余的任期")
        store.update_team_role(name, fields)
        store.audit("team-roles edit", {"name": name, **fields})
    return {**table[name], **fields}


def rename_role(store: Store, old: str, new: str) -> int:
    """Rename a role everywhere it is written (table, responsibility rows, category table);
    returns the responsibility rows renamed.  History keeps its periods."""
    new = (new or "").strip()
    if not new:
        raise UsageError("新名称不能为空")
    with store.atomic():
        table = role_map(store)
        if old not in table:
            raise UsageError(f"没有角色 {old}；现有：{'、'.join(table)}")
        if new in table:
            raise UsageError(f"角色 {new} 已经存在")
        n = store.rename_team_role(old, new)
        store.audit("team-roles rename", {"old": old, "new": new, "responsibilities": n})
    return n


def remove_role(store: Store, name: str) -> None:
    """Remove a role nobody ever held and no category names (history would lose its word)."""
    with store.atomic():
        table = role_map(store)
        if name not in table:
            raise UsageError(f"没有角色 {name}；现有：{'、'.join(table)}")
        rows = store.responsibilities()
        held = int((rows["role"] == name).sum())
        if held:
            raise UsageError(f"角色 {name} 有 {held} 条责任记录（含历史），不能删除；"
                             "可以用 team-roles rename 改名")
        cats = [c for c, r in store.categories().items() if r.get("dispatch_role") == name]
        if cats:
            raise UsageError(f"案件分类 {'、'.join(cats[:5])} 派给 {name}，不能删除；"
                             "请先修改分类表（categories import）")
        if name == default_primary(list(table.values())) and sum(
                r["slot"] == "primary" for r in table.values()) == 1:
            raise UsageError(f"{name} 是唯一受理派遣的角色，不能删除")
        store.delete_team_role(name)
        store.audit("team-roles remove", {"name": name})
