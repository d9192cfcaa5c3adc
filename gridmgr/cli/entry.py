"""The ``gridmgr`` command line.  Every command calls the same functions the desktop calls.

Exit codes (see :mod:`gridmgr.errors`): 0 done/clean, 1 a check found problems or an import
refused rows, 2 bad command line, 3 unusable input file, 4 unusable project file, 5 another
process is writing the project (try again), 6 an output cannot be written there (disk full,
read-only folder), 130 cancelled.  A reader that closes standard output early (``| head``)
changes none of them: the command runs to its end (its work and ``--report`` complete), what it
would still have printed is dropped, and stderr says so.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from .. import __version__, findings, messages, platforms
from ..errors import EXIT_BUG, EXIT_CANCELLED, EXIT_OUTPUT, GridmgrError
from . import (
    cases,
    export,
    fieldpack,
    grid,
    printing,
    project,
    registers,
    server,
    stats,
    teams,
    users,
)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gridmgr", description="网格化管理：项目、网格、导入导出")
    p.add_argument("--version", action="version", version=f"gridmgr {__version__}")
    p.add_argument("--lang", choices=["zh", "en"], help="消息语言（默认中文）")
    p.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (project, grid, registers, teams, export, printing, cases, stats, fieldpack,
                  server, users):
        group.register(sub)
    _quiet_everywhere(sub)
    return p


def _quiet_everywhere(sub: argparse._SubParsersAction) -> None:
    """``-q`` after the command too (``gridmgr grid generate P -q``): every command accepts it,
    without overriding a ``-q`` given before the command."""
    for parser in sub.choices.values():
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            for n in nested:
                _quiet_everywhere(n)
        elif not any("-q" in a.option_strings for a in parser._actions):
            parser.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                                help="不显示进度")


class _Notices(logging.Handler):
    """Warnings of the core (an interrupted action undone on open) as a line on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"注意：{record.getMessage()}", file=sys.stderr)


def _show_notices() -> None:
    log = logging.getLogger("gridmgr")
    if not any(isinstance(h, _Notices) for h in log.handlers):
        log.addHandler(_Notices(logging.WARNING))
        log.propagate = False


class _Stdout:
    """``sys.stdout`` that outlives its reader: once the pipe is closed (``| head``: EPIPE) the
    rest is dropped instead of raising BrokenPipeError in the middle of the command — which had
    skipped the end of an import's summary and its ``--report``, and exited 0 whatever the
    import's result."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.closed_early = False

    def write(self, text: str) -> int:
        if not self.closed_early:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._reader_gone()
        return len(text)

    def flush(self) -> None:
        if not self.closed_early:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._reader_gone()

    def _reader_gone(self) -> None:
        self.closed_early = True
        try:  # what is still buffered goes nowhere, and flushing at exit does not fail again
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    platforms.safe_console(sys.stdout, sys.stderr)  # a GBK console: ² and 𬌗 do not crash
    _show_notices()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the reason (or the help)
        return int(exc.code or 0)
    if args.lang:
        messages.set_language(args.lang)
    stdout, sys.stdout = sys.stdout, _Stdout(sys.stdout)
    out = sys.stdout
    if getattr(args, "report", None) == "-":  # stdout carries the JSON report, and only that:
        findings.json_stdout, sys.stdout = out, sys.stderr  # the sentences go to stderr
    try:
        code = _run(args)
        out.flush()
        if out.closed_early:
            print("注意：标准输出的读取方已提前关闭（如 | head），其后的输出未显示；命令已执行完毕"
                  f"（退出码 {code}）", file=sys.stderr)
        return code
    finally:
        sys.stdout, findings.json_stdout = stdout, None


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args))
    except GridmgrError as exc:
        print(f"{exc.title}：{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已取消，项目未改变", file=sys.stderr)
        return EXIT_CANCELLED
    except BrokenPipeError:  # a write past the guard (a library writing to fd 1 itself)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # so that flushing at exit does not fail again
        print("注意：标准输出的读取方已提前关闭（如 | head），命令未能执行完毕", file=sys.stderr)
        return EXIT_OUTPUT
    except Exception as exc:  # a bug: say so plainly, keep the traceback for the report
        from ..storage import explain_failure

        known = explain_failure(exc)  # a damaged file or a lock is not a bug
        if known is not None:
            print(f"{known.title}：{known}", file=sys.stderr)
            return known.exit_code
        import traceback

        traceback.print_exc()
        print(f"内部错误（请报告）：{exc}", file=sys.stderr)
        return EXIT_BUG


def desktop() -> int:
    """``gridmgr-desktop``: the window, from a launcher with no console (gui_scripts, the
    bundle's windowed executable).  There stdout/stderr may be None: give them somewhere."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
    return main(["gui", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
