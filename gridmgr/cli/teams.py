"""``gridmgr team-roles list|add|edit|rename|remove``: the grid team role table of a project."""

from __future__ import annotations

import argparse

from ..errors import EXIT_OK
from .common import emit


def cmd_list(args: argparse.Namespace) -> int:
    import json

    from ..project import open_project
    from ..registers.teams import SLOT_ZH, roles

    with open_project(args.project, readonly=True) as store:
        table = roles(store)
        held = store.responsibilities(current_only=True)["role"].value_counts().to_dict()
    if args.json:
        emit(json.dumps(table, ensure_ascii=False, indent=2), None)
        return EXIT_OK
    for r in table:
        flags = ["可多人" if r["multiple"] else "单人", "必须有" if r["required"] else ""]
        print(f"{r['name']}\t{SLOT_ZH.get(r['slot'], r['slot'])}\t"
              f"{'、'.join(f for f in flags if f)}\t在任 {held.get(r['name'], 0)} 条\t"
              f"{r['description'] or ''}")
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    from ..project import open_project
    from ..registers.teams import add_role

    with open_project(args.project) as store:
        row = add_role(store, args.name, slot=args.slot, multiple=args.multiple,
                       required=args.required, after=args.after, description=args.description)
    print(f"已添加角色 {row['name']}（{row['slot']}，{'可多人' if row['multiple'] else '单人'}）")
    return EXIT_OK


def cmd_edit(args: argparse.Namespace) -> int:
    from ..project import open_project
    from ..registers.teams import edit_role

    with open_project(args.project) as store:
        row = edit_role(store, args.name, slot=args.slot, multiple=args.multiple,
                        required=args.required, description=args.description)
    print(f"已修改角色 {args.name}：{row['slot']}，{'可多人' if row['multiple'] else '单人'}，"
          f"{'必须有' if row['required'] else '可空缺'}")
    return EXIT_OK


def cmd_rename(args: argparse.Namespace) -> int:
    from ..project import open_project
    from ..registers.teams import rename_role

    with open_project(args.project) as store:
        n = rename_role(store, args.old, args.new)
    print(f"角色 {args.old} 已改名为 {args.new}（{n} 条责任记录，任期不变）")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    from ..project import open_project
    from ..registers.teams import remove_role

    with open_project(args.project) as store:
        remove_role(store, args.name)
    print(f"已删除角色 {args.name}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    grp = sub.add_parser("team-roles", help="网格团队角色表（网格长、网格员、执法队员 …）"
                         ).add_subparsers(dest="team_roles_command", required=True,
                                          metavar="SUBCOMMAND")
    s = grp.add_parser("list", help="列出角色、职责和在任人数")
    s.add_argument("project")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)

    def options(s: argparse.ArgumentParser, adding: bool) -> None:
        s.add_argument("--slot", default="member" if adding else None,
                       help="职责：primary（责任人，受理派遣）、supervisor（区级监管）、"
                            "collector（信息采集）、member（团队成员，默认）")
        s.add_argument("--multiple", action=argparse.BooleanOptionalAction, default=None,
                       help="可多人同时在任（--no-multiple：单人，新任者就任时前任结束）")
        s.add_argument("--required", action=argparse.BooleanOptionalAction,
                       default=False if adding else None,
                       help="check 报告没有此角色的网格")
        s.add_argument("--description")

    s = grp.add_parser("add", help="添加角色")
    s.add_argument("project")
    s.add_argument("name")
    s.add_argument("--after", help="排在该角色之后（默认排在最后）")
    options(s, True)
    s.set_defaults(func=cmd_add)
    s = grp.add_parser("edit", help="修改角色的职责、人数或必须有")
    s.add_argument("project")
    s.add_argument("name")
    options(s, False)
    s.set_defaults(func=cmd_edit)
    s = grp.add_parser("rename", help="角色改名（责任记录和分类表一并改，任期不变）")
    s.add_argument("project")
    s.add_argument("old")
    s.add_argument("new")
    s.set_defaults(func=cmd_rename)
    s = grp.add_parser("remove", help="删除没人担任过、分类表也未引用的角色")
    s.add_argument("project")
    s.add_argument("name")
    s.set_defaults(func=cmd_remove)
