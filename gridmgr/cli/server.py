"""``gridmgr push``, ``pull`` and ``server``: a project on a shared PostgreSQL/PostGIS server."""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

from ..errors import EXIT_OK


def cmd_push(args: argparse.Namespace) -> int:
    from ..project import push_project

    counts = push_project(args.project, args.url, replace=args.replace)
    print(f"已上传 {sum(counts.values())} 行（{len(counts)} 张表）：{args.project} → {args.url}")
    return EXIT_OK


def cmd_pull(args: argparse.Namespace) -> int:
    from ..project import pull_project

    counts = pull_project(args.url, args.out, overwrite=args.force, scope=args.scope)
    part = f"（只含 {args.scope} 及其上级区域；不能再 push 覆盖整个项目）" if args.scope else ""
    print(f"已下载 {sum(counts.values())} 行（{len(counts)} 张表）：{args.url} → {args.out}{part}")
    return EXIT_OK


def cmd_server_start(args: argparse.Namespace) -> int:
    from ..storage.server import start_local_server

    folder = Path(args.folder).resolve()
    secret = folder.with_name(folder.name + ".password")
    password = None
    if not secret.exists():
        password = secrets.token_urlsafe(16)
        secret.write_text(password + "\n")
        os.chmod(secret, 0o600)
    server = start_local_server(folder, port=args.port, password=password)
    print(f"PostgreSQL 已在 127.0.0.1:{server.port} 运行（数据目录 {folder}）")
    print(f"管理员 {server.user} 的密码在 {secret}（仅本用户可读）。试用：")
    print(f'  export PGPASSWORD="$(cat {secret})"')
    print(f'  gridmgr init "{server.url("postgres", "chancheng")}" --name 禅城区 --admin-code 440604')
    print(f"停止：gridmgr server stop {folder}")
    return EXIT_OK


def cmd_server_stop(args: argparse.Namespace) -> int:
    from ..storage.server import stop_local_server

    stop_local_server(Path(args.folder))
    print(f"已停止：{args.folder}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("push", help="把项目文件上传为服务器项目（一次事务，失败则服务器不变）")
    s.add_argument("project", help="项目文件 .gpkg")
    s.add_argument("url", help="postgresql://用户@主机:端口/数据库?schema=项目（密码用 PGPASSWORD 或 ~/.pgpass）")
    s.add_argument("--replace", action="store_true", help="服务器上已有同名 schema 时整体替换")
    s.set_defaults(func=cmd_push)

    s = sub.add_parser("pull", help="把服务器项目下载为项目文件（离线工作或存档；QGIS 可直接打开）")
    s.add_argument("url")
    s.add_argument("out", help="新的项目文件 .gpkg")
    s.add_argument("--force", action="store_true", help="覆盖已有文件")
    s.add_argument("--scope", metavar="区域编码",
                   help="只下载这个街道/社区/网格（连同其上级区域、其中的企业、案件与责任）")
    s.set_defaults(func=cmd_pull)

    s = sub.add_parser("server", help="在本机启动/停止一个试用的 PostgreSQL/PostGIS（仅 127.0.0.1）")
    ss = s.add_subparsers(dest="server_command", required=True)
    t = ss.add_parser("start", help="新建（首次）并启动")
    t.add_argument("folder", help="数据目录")
    t.add_argument("--port", type=int, default=None, help="端口（默认：一个空闲端口）")
    t.set_defaults(func=cmd_server_start)
    t = ss.add_parser("stop", help="停止")
    t.add_argument("folder")
    t.set_defaults(func=cmd_server_stop)
