"""``gridmgr users``: who may do what on a server project — PostgreSQL's own logins and roles,
with row-level security doing the enforcing (see ``gridmgr/storage/postgis/roles.py``)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from ..errors import EXIT_OK, UsageError
from ..storage import server

ROLE_HELP = "区级管理员 admin | 街道管理员 street | 受理派遣员 dispatch | 只读 reader"


def _password(args: argparse.Namespace) -> str:
    """From stdin (``--password-stdin``) or a prompt; never from the command line."""
    if args.password_stdin:
        pw = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        pw = getpass.getpass(f"{args.name} 的密码：")
        if getpass.getpass("再输一次：") != pw:
            raise UsageError("两次输入的密码不同，未建立用户")
    else:
        raise UsageError("新用户需要密码：用 --password-stdin 从标准输入读入，或在终端里运行以输入")
    if len(pw) < 8:
        raise UsageError("密码至少 8 个字符")
    return pw


def _url(value: str) -> str:
    from ..storage.location import is_server

    if not is_server(value):
        raise UsageError(f"用户与角色只用于服务器项目 postgresql://…?schema=…，收到 {value}")
    return value


def cmd_setup(args: argparse.Namespace) -> int:
    server.setup_roles(_url(args.url))
    print(f"已建立角色与行级权限：{args.url}")
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    kind = server.role_kind(args.role)
    new = server.add_user(_url(args.url), args.name, kind, password=lambda: _password(args),
                          streets=args.street or [])
    what = "新建登录" if new else "已有登录"
    scope = f"，街道 {'、'.join(args.street)}" if args.street else ""
    print(f"{what} {args.name}：{server.ROLE_NAMES[kind]}{scope}")
    return EXIT_OK


def cmd_grant(args: argparse.Namespace) -> int:
    kind = server.role_kind(args.role)
    server.grant_user(_url(args.url), args.name, kind, streets=args.street or [])
    print(f"{args.name} 增加角色 {server.ROLE_NAMES[kind]}")
    return EXIT_OK


def cmd_revoke(args: argparse.Namespace) -> int:
    kind = server.role_kind(args.role) if args.role else None
    server.revoke_user(_url(args.url), args.name, kind, streets=args.street or [])
    what = server.ROLE_NAMES[kind] if kind else ("街道 " + "、".join(args.street)
                                                 if args.street else "本项目的全部角色")
    print(f"{args.name} 已收回：{what}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    rows = server.list_users(_url(args.url))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    if not rows:
        print("本项目还没有用户；用 gridmgr users add 添加")
    for r in rows:
        streets = f"  街道 {'、'.join(r['streets'])}" if r["streets"] else ""
        print(f"{r['user']}\t{'、'.join(r['roles'])}{streets}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("users", help="服务器项目的用户与角色（由数据库强制执行）")
    ss = s.add_subparsers(dest="users_command", required=True)
    t = ss.add_parser("setup", help="为项目建立角色、行级权限与审计触发器（push 时已自动建立）")
    t.add_argument("url")
    t.set_defaults(func=cmd_setup)
    t = ss.add_parser("add", help="新建登录（或用已有登录）并授予本项目的一个角色")
    t.add_argument("url")
    t.add_argument("name", help="数据库登录名")
    t.add_argument("--role", required=True, help=ROLE_HELP)
    t.add_argument("--street", action="append", help="街道管理员所辖街道代码（可多次）")
    t.add_argument("--password-stdin", action="store_true", help="从标准输入读密码（不要写在命令行）")
    t.set_defaults(func=cmd_add)
    t = ss.add_parser("grant", help="给已有登录增加角色或街道")
    t.add_argument("url")
    t.add_argument("name")
    t.add_argument("--role", required=True, help=ROLE_HELP)
    t.add_argument("--street", action="append")
    t.set_defaults(func=cmd_grant)
    t = ss.add_parser("revoke", help="收回角色或街道（不给 --role/--street 则收回本项目的全部角色）")
    t.add_argument("url")
    t.add_argument("name")
    t.add_argument("--role")
    t.add_argument("--street", action="append")
    t.set_defaults(func=cmd_revoke)
    t = ss.add_parser("list", help="列出本项目的用户、角色与街道")
    t.add_argument("url")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_list)
