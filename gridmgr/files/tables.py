"""Reading the spreadsheets officers bring: XLSX, and CSV in UTF-8, UTF-8 with BOM or GBK.

Values stay as the file has them (text stays text: a credit code or a phone number is never
turned into a float); every row carries its row number as the spreadsheet shows it, so that a
report can say "row 17" and the user finds it.  Wholly blank rows are skipped — they are not
records.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from ..text import as_text  # noqa: F401 (re-exported: callers read cells through tables)
from .encoding import check_encoding

CSV_FIELD_LIMIT = 16 << 20  # one cell of a CSV may hold up to 16 MiB
# an XLSX of a million enterprises unpacks to ~1.5 GB at a ratio of ~10; bombs reach 1000×
XLSX_MAX_BYTES = 4 << 30
XLSX_RATIO_FROM = 64 << 20
XLSX_MAX_RATIO = 200


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]
    row_numbers: list[int]
    encoding: str | None = None  # CSV only: the encoding used
    encoding_source: str | None = None  # 'bom', 'detected', 'option'
    sheet: str | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def column(self, header: str) -> list[Any]:
        i = self.headers.index(header)
        return [r[i] if i < len(r) else None for r in self.rows]


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def detect_text_encoding(data: bytes) -> tuple[str, str]:
    """(encoding, how): BOM → utf-8-sig; strict UTF-8 → utf-8; else GB18030 (covers GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", "bom"
    try:
        data.decode("utf-8")
        return "utf-8", "detected"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030", "detected"
    except UnicodeDecodeError:
        raise InputFileError("无法识别文件编码（既不是 UTF-8 也不是 GBK）；请用 --encoding 指明"
                             ) from None


def _split_header(records: list[tuple[int, list[Any]]],
                  aliases: Mapping[str, list[str]] | None) -> Table:
    """Header and data rows.  Registers often open with a title row (禅城区重点监管企业名录…)
    or a note: the header is the first of the top rows in which at least two cells are known
    column names; without names to look for, the first non-blank row."""
    pick = 0
    if aliases:
        known = {_norm(a) for names in aliases.values() for a in names}
        for k, (_, rec) in enumerate(records[:15]):
            if sum(1 for v in rec if v is not None and _norm(str(v)) in known) >= 2:
                pick = k
                break
    n0, head = records[pick]
    headers = ["" if v is None else str(v).strip() for v in head]
    data = records[pick + 1:]
    return Table(headers, [r for _, r in data], [n for n, _ in data], info={"header_row": n0})


def _norm(text: str) -> str:
    return "".join(text.split()).replace("_", "").lower()


def _read_csv(p: Path, encoding: str | None, aliases: Mapping[str, list[str]] | None) -> Table:
    data = p.read_bytes()
    if encoding:
        how = "option"
    else:
        try:
            encoding, how = detect_text_encoding(data)
        except InputFileError as exc:
            raise InputFileError(f"{p}：{exc}") from None
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise InputFileError(f"{p}：无法按 {encoding} 读取（{exc}）") from exc
    try:
        text: str | None = data.decode(encoding)
    except UnicodeDecodeError:
        text = None
    check_encoding(p, data, encoding, how, text)  # an error, mojibake or garbled text: refused
    assert text is not None
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    # a long 诉求内容 is real data: cells up to CSV_FIELD_LIMIT, not the csv module's 128 KiB
    old_limit = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        records = [(n, r) for n, r in enumerate(reader, start=1)
                   if not all(_blank(v) for v in r)]
    except csv.Error as exc:
        raise InputFileError(f"{p} 第 {reader.line_num} 行：无法按 CSV 读取（{exc}）") from exc
    finally:
        csv.field_size_limit(old_limit)
    if not records:
        raise InputFileError(f"{p}：文件是空的")
    table = _split_header(records, aliases)
    table.encoding, table.encoding_source = encoding, how
    return table


def _cell(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.date() if v.time() == datetime.min.time() else v
    return v


def check_xlsx_size(p: Path) -> None:
    """Refuse an XLSX that would inflate far beyond any register (a zip bomb: 1.5 MB that
    grows past 15 GB) before openpyxl reads it; InputFileError when it is not a zip at all."""
    try:
        with zipfile.ZipFile(p) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(f"{p}：不是 Excel 文件（.xlsx 应为 zip 格式：{exc}）；"
                             "若是旧版 .xls 或 CSV 改了扩展名，请另存为 .xlsx") from exc
    size = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if size > XLSX_MAX_BYTES or (size > XLSX_RATIO_FROM and size / packed > XLSX_MAX_RATIO):
        raise InputFileError(f"{p}：解压后有 {size / 2**20:,.0f} MiB（压缩比 {size / packed:,.0f}"
                             " 倍），不像一份名录，疑为压缩炸弹，未读取")


def _read_xlsx(p: Path, sheet: str | None, aliases: Mapping[str, list[str]] | None) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx_size(p)
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, zipfile.BadZipFile,
            EOFError) as exc:
        raise InputFileError(f"{p}：无法作为 Excel 文件打开（{exc}）") from exc
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise InputFileError(f"{p} 中没有工作表 {sheet!r}；可用：{', '.join(wb.sheetnames)}")
        try:  # a damaged sheet (cut short, bad XML, a bad CRC) shows only when it is read
            records = [(n, [_cell(v) for v in r])
                       for n, r in enumerate(ws.iter_rows(values_only=True), start=1)
                       if not all(_blank(v) for v in r)]
        except (SyntaxError, zipfile.BadZipFile, zlib.error, KeyError, ValueError, EOFError,
                OSError) as exc:  # xml's ParseError is a SyntaxError
            raise InputFileError(f"{p}：Excel 文件已损坏，工作表 {ws.title} 读不完（{exc}）；"
                                 "请在 Excel/WPS 中打开并另存为 .xlsx 后再导入") from exc
        if not records:
            raise InputFileError(f"{p}：工作表 {ws.title} 是空的")
        table = _split_header(records, aliases)
        table.sheet = ws.title
        return table
    finally:
        wb.close()


def read_table(path: str | Path, *, sheet: str | None = None, encoding: str | None = None,
               header_aliases: Mapping[str, list[str]] | None = None) -> Table:
    """Read the first (or the named) sheet of an XLSX, or a CSV file; ``header_aliases`` (the
    column names the caller knows) find the header row below a title."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"文件不存在：{p}")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p, sheet, header_aliases)
    if suffix in (".csv", ".txt"):
        return _read_csv(p, encoding, header_aliases)
    if suffix == ".xls":
        raise InputFileError(f"{p}：不支持旧版 .xls；请在 Excel/WPS 中另存为 .xlsx 或 CSV")
    raise InputFileError(f"{p}：不支持的文件类型 {suffix or '(无扩展名)'}；支持 .xlsx 和 .csv")


def cell_reader(columns: Mapping[str, int]) -> Callable[[list[Any], str], Any]:
    """``cell(row, field)``: the row's value in the column mapped to ``field`` (None when the
    field is not mapped or the row is short — spreadsheets drop trailing blanks)."""

    def cell(row: list[Any], name: str) -> Any:
        i = columns.get(name)
        return row[i] if i is not None and i < len(row) else None

    return cell
