"""Reading the spreadsheets officers bring: XLSX, and CSV in UTF-8, UTF-8 with BOM or GBK.

Values stay as the file has them (text stays text: a credit code or a phone number is never
turned into a float); every row carries its row number as the spreadsheet shows it, so that a
report can say "row 17" and the user finds it.  Wholly blank rows are skipped — they are not
records.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .errors import InputFileError


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


def _read_csv(p: Path, encoding: str | None) -> Table:
    data = p.read_bytes()
    if encoding:
        how = "option"
    else:
        encoding, how = detect_text_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputFileError(f"{p}：无法按 {encoding} 读取（{exc}）") from exc
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    headers: list[str] | None = None
    rows, numbers = [], []
    for n, record in enumerate(reader, start=1):
        if headers is None:
            if all(_blank(v) for v in record):
                continue
            headers = [h.strip() for h in record]
            continue
        if all(_blank(v) for v in record):
            continue
        rows.append(record)
        numbers.append(n)
    if headers is None:
        raise InputFileError(f"{p}：文件是空的")
    return Table(headers, rows, numbers, encoding=encoding, encoding_source=how)


def _cell(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.date() if v.time() == datetime.min.time() else v
    return v


def _read_xlsx(p: Path, sheet: str | None) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise InputFileError(f"{p}：无法作为 Excel 文件打开（{exc}）") from exc
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise InputFileError(f"{p} 中没有工作表 {sheet!r}；可用：{', '.join(wb.sheetnames)}")
        headers: list[str] | None = None
        rows, numbers = [], []
        for n, record in enumerate(ws.iter_rows(values_only=True), start=1):
            if all(_blank(v) for v in record):
                continue
            if headers is None:
                headers = ["" if v is None else str(v).strip() for v in record]
                continue
            rows.append([_cell(v) for v in record])
            numbers.append(n)
        if headers is None:
            raise InputFileError(f"{p}：工作表 {ws.title} 是空的")
        return Table(headers, rows, numbers, sheet=ws.title)
    finally:
        wb.close()


def read_table(path: str | Path, *, sheet: str | None = None,
               encoding: str | None = None) -> Table:
    """Read the first (or the named) sheet of an XLSX, or a CSV file."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"文件不存在：{p}")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p, sheet)
    if suffix in (".csv", ".txt"):
        return _read_csv(p, encoding)
    if suffix == ".xls":
        raise InputFileError(f"{p}：不支持旧版 .xls；请在 Excel/WPS 中另存为 .xlsx 或 CSV")
    raise InputFileError(f"{p}：不支持的文件类型 {suffix or '(无扩展名)'}；支持 .xlsx 和 .csv")


def as_text(v: Any) -> str | None:
    """A cell as text: numbers without a spurious '.0', dates as ISO, blanks as None."""
    if v is None:
        return None
    if isinstance(v, float):
        if v != v:  # NaN
            return None
        if v.is_integer():
            return str(int(v))
        return repr(v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    text = str(v)
    return text if text.strip() else None
