"""What every command group shares: progress on stderr, printing findings and import summaries,
writing to a file or stdout, and the arguments every spreadsheet import takes."""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from .. import messages
from ..errors import EXIT_FINDINGS, EXIT_OK, GridmgrError, UsageError
from ..findings import Finding, Report
from ..progress import Progress, Task, run

LEVEL_ZH = messages.LEVEL_ZH


class ProgressPrinter:
    """Progress on stderr: one updating line on a terminal, sparse lines in a log."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last_decile = -1
        self.last_time = 0.0

    def __call__(self, p: Progress) -> None:
        if self.quiet:
            return
        pct = f"{100 * p.fraction:5.1f}%" if p.total else "     "
        if self.tty:
            bar = "#" * int(20 * p.fraction)
            sys.stderr.write(f"\r[{bar:<20}] {pct} {p.message[:60]:<60}")
            sys.stderr.flush()
        else:
            decile = int(10 * p.fraction)
            if decile != self.last_decile or time.monotonic() - self.last_time > 10:
                print(f"… {pct} {p.message}", file=sys.stderr)
                self.last_decile, self.last_time = decile, time.monotonic()

    def done(self) -> None:
        if self.tty and not self.quiet:
            sys.stderr.write("\r" + " " * 90 + "\r")


def drive(task: Task[Any], args: argparse.Namespace) -> Any:
    printer = ProgressPrinter(getattr(args, "quiet", False))
    try:
        return run(task, printer)
    finally:
        printer.done()


def print_findings(findings: list[Finding], limit: int, per_reason: int = 5) -> None:
    """Print findings, but no more than ``per_reason`` of one kind: a file whose 900 rows all got
    the same warning should not hide the one row that was refused."""
    by_reason: dict[str, list[Finding]] = {}
    for f in findings:
        by_reason.setdefault(f.reason, []).append(f)
    shown = 0
    for reason, group in by_reason.items():
        for f in group[:per_reason]:
            if shown >= limit:
                break
            print(f.line())
            shown += 1
        if len(group) > per_reason:
            print(f"  … 同类（{reason}）另有 {len(group) - per_reason} 条，见 --report")


def print_report(report: Report, limit: int = 50) -> None:
    print_findings(report.refused, limit)
    print_findings(report.warnings, limit)
    if len(report.findings) > 2 * limit:
        print(f"… 共 {len(report.findings)} 条，完整列表见 --report")


def import_summary(report: Report, args: argparse.Namespace, what: str) -> int:
    _print_import_summary(report, args, what)
    if args.report:
        report.write(args.report)
    return EXIT_FINDINGS if report.refused else EXIT_OK


def _print_import_summary(report: Report, args: argparse.Namespace, what: str) -> None:
    info = report.info
    if info.get("encoding"):
        how = {"bom": "文件带 BOM", "detected": "按内容自动识别", "option": "按 --encoding 指定"}
        print(f"编码：{info['encoding']}（{how.get(info.get('encoding_source'), '')}）")
    print("列：" + "，".join(f"{k}←{v}" for k, v in info.get("columns", {}).items()))
    print_report(report)
    verb = "可导入" if args.dry_run else "已导入"
    print(f"{verb} {report.accepted} 个{what}：新增 {info.get('inserted', 0)}，更新 "
          f"{info.get('updated', 0)}，未变 {info.get('unchanged', 0)}；拒收 {len(report.refused)}，"
          f"警告 {len(report.warnings)}" + ("（试运行，未写入）" if args.dry_run else ""))
    for change in info.get("changes", [])[:10]:
        header = info.get("columns", {})
        fields = "，".join(f"{header.get(k, k)}：{v[0] or '（空）'} → {v[1]}"
                          for k, v in change["changes"].items() if k != "location")
        moved = "；位置已改" if "location" in change["changes"] else ""
        print(f"  第 {change['row']} 行 {change['name']}：{fields}{moved}")
    if info.get("not_in_file"):
        names = "、".join(o["name"] for o in info.get("not_in_file_sample", [])[:5])
        print(f"项目中有 {info['not_in_file']} 个{what}不在这个文件里（保留未动）：{names}"
              + ("…" if info["not_in_file"] > 5 else ""))
    if args.report and args.report != "-":
        print(f"报告：{args.report}")


def run_import(args: argparse.Namespace, task_for: Any, what: str) -> int:
    with _stdin_as_file(args):
        try:
            with open_project_for(args) as store:
                report = drive(task_for(store), args)
            if "file" in report.info and getattr(args, "stdin", False):
                report.info["file"] = "-"  # not the temporary file, gone once this returns
        except GridmgrError as exc:
            if args.report:
                Report(info={"file": args.file, "error": str(exc)}).write(args.report)
            raise
        return import_summary(report, args, what)


@contextlib.contextmanager
def _stdin_as_file(args: argparse.Namespace) -> Iterator[None]:
    """``FILE`` = ``-``: the table comes on stdin (``iconv … | gridmgr officers import P -``).

    The readers sniff encoding and header from a whole file, so stdin is kept in a temporary
    one named for what it holds (an XLSX is a zip: ``PK``), removed afterwards."""
    if getattr(args, "file", None) != "-":
        yield
        return
    data = sys.stdin.buffer.read()
    if not data:
        raise UsageError("标准输入是空的：用 - 作文件名时，请把表格通过管道或重定向交给命令")
    with tempfile.TemporaryDirectory(prefix="gridmgr-stdin-") as tmp:
        path = Path(tmp) / ("stdin.xlsx" if data[:4] == b"PK\x03\x04" else "stdin.csv")
        path.write_bytes(data)
        args.file, args.stdin = str(path), True
        try:
            yield
        finally:
            args.file, args.stdin = "-", False


def open_project_for(args: argparse.Namespace) -> Any:
    from ..project import open_project

    return open_project(args.project, readonly=getattr(args, "dry_run", False))


def print_json(payload: Any) -> None:
    """``--json``: the command's result as one JSON document on stdout (and nothing else)."""
    import json

    print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def json_arg(s: argparse.ArgumentParser) -> None:
    s.add_argument("--json", action="store_true", help="把结果以 JSON 写到标准输出")


def emit(text: str, out: str | None, bom: bool = False) -> None:
    """Write ``text`` to the file ``out``, or to stdout when there is none or it is ``-``."""
    if out and out != "-":
        Path(out).write_text(text, encoding="utf-8-sig" if bom else "utf-8")
        print(f"已写入 {out}")
    else:
        print(text)


def emit_with(write: Callable[[TextIO], Any], out: str | None, bom: bool = False) -> None:
    """:func:`emit` for text written piece by piece: ``write(handle)`` writes it to the file
    ``out`` (or stdout), and the bytes are those ``emit`` gives for the whole text."""
    if out and out != "-":
        with open(out, "w", encoding="utf-8-sig" if bom else "utf-8") as fh:
            write(fh)
        print(f"已写入 {out}")
    else:
        write(sys.stdout)
        sys.stdout.write("\n")  # print(text)'s end


def date_arg(text: str) -> str:
    from ..text import iso_date

    try:
        return iso_date(text)
    except GridmgrError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def table_import_args(s: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The arguments every spreadsheet import takes."""
    s.add_argument("project")
    s.add_argument("file", help="XLSX 或 CSV 文件（- 为标准输入）")
    s.add_argument("--sheet", help="工作表名（默认第一个）")
    s.add_argument("--encoding", help="CSV 编码（默认自动识别 UTF-8/GBK）")
    s.add_argument("--map", action="append", metavar="源列=字段")
    s.add_argument("--report", help="把报告写成 JSON 文件（- 为标准输出）")
    s.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    return s
