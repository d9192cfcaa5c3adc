"""网格化考核: the indicators a district is assessed on, computed from the transition log.

Everything is computed *as of* one moment (``as_of``, Beijing local time, default now): a
transition after ``as_of`` is ignored, so the figures for a past moment can be reproduced from
the log at any later time.  The period ``[from, to]`` selects cases by their 立案 time (both days
inclusive).  Definitions, per group (street, community, cell, officer, category):

* **立案数** — cases registered (立案) in the period by ``as_of``, not voided by ``as_of``.
* **应结案数** — of those, the cases whose dispose deadline (处置截止: set by 派遣, moved by 延期
  granted before ``as_of``, cleared by a 回退 until the next 派遣) is at or before ``as_of``,
  plus those closed (结案) before ``as_of`` although not yet due (a case closed early counts as
  due).  Cases parked (挂账) as of ``as_of``
  are left out and counted as 挂账数.
* **结案数** — cases among 应结案数 closed by ``as_of``.  **结案率** = 结案数 / 应结案数.
* **按期结案数** — closed no later than their dispose deadline (a case with no deadline — a
  category without a limit — cannot be late).  **按期结案率** = 按期结案数 / 应结案数.
* **应处置数** — dispatched cases (派遣, not returned by a 回退 since) whose dispose deadline
  passed by ``as_of`` or that were disposed; **处置数** — of those, the disposed ones:
  reached 反馈 (处置完成) with no 返工 after the last 反馈, or closed.  **处置率** = 处置数 / 应处置数.
* **返工率** = cases with at least one 返工 / cases that reached 核查 (核查通过 or 返工, or closed).
* **延期率** = cases with at least one 延期 / 立案数.
* **待受理数** — cases reported in the period (by report time) still waiting for 受理/立案 as of
  ``as_of`` (status 受理, not voided): open work, so counted in **在办数** (registered, not closed,
  not parked, plus these) and, past their 核实 deadline, in 超期在办数.
* **受理数** — every case reported in the period by ``as_of``, 待受理 and 作废 included.
* **结案率分母** — 结案率 and 按期结案率 are over 应结案数 by default; a project may choose 立案数
  (less 作废) or 受理数 (:data:`DENOMINATORS`, ``close_rate_denominator``), with the numerators
  of that population (over 受理数: 受理口径结案数 / 按期结案数).
* **超期在办数** (overdue now) — open cases (not 结案/作废/挂账) whose current-stage deadline (the
  ``due_at`` their last step before ``as_of`` left) is before ``as_of`` (strictly: at the due
  instant a case is not yet overdue).
* **作废数** — cases voided by ``as_of`` (period by 立案 time, or reported time when voided
  before 立案); voided cases count nowhere else.
* **综合得分** (0–100) = 100 × Σ wᵢ·sᵢ / Σ wᵢ over the components with a non-empty value, where
  s = 结案率, 按期结案率, 处置率, 1 − 返工率, 1 − 延期率 and the default weights are 30, 40, 20, 10, 0.
  Weights come from ``--weights`` or the project setting ``score_weights``.
* A ratio whose denominator is 0 is empty (None / NaN), never 0 or 100%.

The published bulletins compute the same way: 天门市数字化城市管理 2016年12月绩效情况通报 — 应结案
972件, 结案911件, 结案率93.72%, 按期结案737件, 按期结案率75.82% (both ratios over 应结案数; see
docs/readme-indicators.md for the sources).

A case with no transitions at all (imported as a summary) is read from its columns
(``registered_at``, ``closed_at``, ``dispose_due_at``, ``status``, ``rework_count`` …): those
figures are right for ``as_of`` = now but cannot be wound back in time.

The per-case replay is :mod:`gridmgr.case_log`; storage keeps its result over each case's whole
log in ``case_times`` (schema 12), so :func:`project_tables` reads only the period's cases and
replays only those with a step after ``as_of`` (:func:`period_states`); :func:`load` (the whole
log) is the reference and serves projects opened read-only before schema 12.

Groups by area use the codes stored on the case at 立案, so a redrawn grid does not move old
cases.  The outputs (text, CSV, JSON, XLSX, monthly/quarterly reports) are in
:mod:`gridmgr.indicators.reports`.  For enterprises, **按频次检查率** = enterprises whose last inspection + inspection
frequency is not before the ``as_of`` day / enterprises with a known frequency.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd

from .. import beijing, case_log
from ..cases import workflow
from ..errors import UsageError
from ..progress import Progress, Task

GROUPINGS = ("street", "community", "cell", "officer", "category", "major")
GROUPING_ZH = {"street": "街道", "community": "社区", "cell": "单元网格", "officer": "处置人员",
               "category": "案件小类", "major": "案件大类", "month": "月份", "total": "全区"}
AREA_GROUPINGS = ("street", "community", "cell")
KEY_COLUMN = {"street": "street_code", "community": "community_code", "cell": "cell_code",
              "officer": "handler_staff_no", "category": "category_code", "major": "major_code"}

# the counts, in output order, with their Chinese headers
COUNTS = {
    "registered": "立案数", "due": "应结案数", "closed": "结案数", "ontime": "按期结案数",
    "dispose_due": "应处置数", "disposed": "处置数", "checked": "核查数", "reworked": "返工数",
    "extended": "延期数", "open": "在办数", "pending": "待受理数", "overdue": "超期在办数",
    "parked": "挂账数", "voided": "作废数", "received": "受理数",
}
# the numerators over 受理数: computed always, shown when it is the denominator
RECEIVED_COUNTS = {"received_closed": "受理口径结案数", "received_ontime": "受理口径按期结案数"}
# 结案率 and 按期结案率 over the denominator a bureau counts by (docs/readme-indicators.md):
# key: (name, the counts its numerators and denominator are, where the definition comes from)
DENOMINATORS = {
    "due": ("应结案数", ("closed", "ontime", "due"),
            "数字化城管绩效通报的算法，如天门市 2016年12月：应结案972件、结案911件、结案率93.72%"),
    "registered": ("立案数（不含作废）", ("closed", "ontime", "registered"),
                   "部分案件系统的算法：结案数 / (立案数 − 作废数)，未到期的案件也在分母中"),
    "received": ("受理数（全部受理）", ("received_closed", "received_ontime", "received"),
                 "12345 热线办结率的算法，如衡东县 2025年第一季度：有效工单11171件、"
                 "综合办结11163件、办结率99.93%"),
}
DEFAULT_DENOMINATOR = "due"
_DENOMINATOR_ALIASES = {**{k: k for k in DENOMINATORS}, "应结案数": "due", "应结案": "due",
                        "立案数": "registered", "立案": "registered", "受理数": "received",
                        "受理": "received", "all": "received"}


def parse_denominator(text: str | None) -> str:
    """``due``/``registered``/``received`` (or 应结案数/立案数/受理数) → its key."""
    key = _DENOMINATOR_ALIASES.get(str(text or "").strip().lower()) or _DENOMINATOR_ALIASES.get(
        str(text or "").strip())
    if key is None:
        raise UsageError(f"结案率分母应为 due（应结案数）、registered（立案数，不含作废）或 "
                         f"received（受理数）；收到 {text!r}")
    return key


def resolve_denominator(meta: dict[str, str], text: str | None) -> str:
    """``--denominator`` when given, else the project setting ``close_rate_denominator``,
    else 应结案数 (the published bulletins)."""
    return parse_denominator(text or meta.get("close_rate_denominator") or DEFAULT_DENOMINATOR)


def ratios_for(denominator: str) -> dict[str, tuple[str, str, str]]:
    """:data:`RATIOS` with 结案率 and 按期结案率 over ``denominator``."""
    closed, ontime, den = DENOMINATORS[denominator][1]
    return {**RATIOS, "close_rate": ("结案率", closed, den),
            "ontime_rate": ("按期结案率", ontime, den)}


def denominator_text(denominator: str) -> str:
    name, _, source = DENOMINATORS[denominator]
    return f"{name}（{source}）"
# ratio: (Chinese header, numerator, denominator)
RATIOS = {
    "close_rate": ("结案率", "closed", "due"),
    "ontime_rate": ("按期结案率", "ontime", "due"),
    "dispose_rate": ("处置率", "disposed", "dispose_due"),
    "rework_rate": ("返工率", "reworked", "checked"),
    "extension_rate": ("延期率", "extended", "registered"),
}
# output order: each ratio right after its numerator
ORDER = ("registered", "due", "closed", "close_rate", "ontime", "ontime_rate", "dispose_due",
         "disposed", "dispose_rate", "checked", "reworked", "rework_rate", "extended",
         "extension_rate", "open", "pending", "overdue", "parked", "voided", "received", "score")
INVERSE = ("rework_rate", "extension_rate")  # the score takes 1 − these
DEFAULT_WEIGHTS = {"close_rate": 30.0, "ontime_rate": 40.0, "dispose_rate": 20.0,
                   "rework_rate": 10.0, "extension_rate": 0.0}
_WEIGHT_ALIASES = {**{k: k for k in DEFAULT_WEIGHTS},
                   **{v[0]: k for k, v in RATIOS.items()},
                   "close": "close_rate", "ontime": "ontime_rate", "dispose": "dispose_rate",
                   "rework": "rework_rate", "extension": "extension_rate",
                   "1-返工率": "rework_rate", "1-延期率": "extension_rate"}
INSPECTION = {"ent_known": "应按频次检查企业数", "ent_on_schedule": "按频次检查企业数",
              "ent_unknown": "检查频次不明企业数"}
INSPECTION_RATE = ("inspection_rate", "按频次检查率", "ent_on_schedule", "ent_known")
LABELS = {"code": "编码", "name": "名称", "parent": "所属", **COUNTS, **RECEIVED_COUNTS,
          **{k: v[0] for k, v in RATIOS.items()}, "score": "综合得分", **INSPECTION,
          INSPECTION_RATE[0]: INSPECTION_RATE[1]}
NO_GROUP = "（未填）"
TOTAL = "合计"

# actions and statuses of the workflow (the cases schema contract)
REGISTER, DISPATCH, FEEDBACK, CHECK_PASS, CLOSE, VOID = "立案", "派遣", "反馈", "核查通过", "结案", "作废"
EXTEND, REWORK, PARK, RETURN = "延期", "返工", "挂账", "回退"
CHECK_STATUS = "核查"

CASE_COLUMNS = ("uuid", "status", "category_code", "cell_code", "community_code", "street_code",
                "handler_staff_no", "reported_at", "registered_at", "dispatched_at",
                "dispose_due_at", "due_at", "closed_at", "rework_count", "extension_count")
TRANSITION_COLUMNS = ("case_uuid", "seq", "action", "from_status", "to_status", "at", "due_at")


# --------------------------------------------------------------------------- time and periods

def now_beijing() -> datetime:
    """The current Beijing local time, without zone and seconds precision (the cases' format)."""
    return beijing.now()


def latest_period(store: Any, now: datetime | None = None) -> tuple[date, date, datetime]:
    """(first day, last day, as-of moment) the indicators open on: the latest calendar year
    with a case step — 1 January to today (now) in the current year, else to 31 December
    (the end of that day) — so that a project whose cases stop in an earlier year does not
    open on an empty table."""
    now = (now or now_beijing()).replace(second=0, microsecond=0)
    last = store.last_transition_at()
    year = now.year
    if last:
        try:
            year = min(datetime.fromisoformat(str(last)[:19]).year, now.year)
        except ValueError:
            pass
    if year == now.year:
        return date(year, 1, 1), now.date(), now
    return date(year, 1, 1), date(year, 12, 31), datetime(year, 12, 31, 23, 59)


def parse_as_of(text: str | None) -> datetime:
    """``--as-of``: ``2026-04-01T09:30[:00]`` (a space works too; a zone given is converted to
    Beijing time) or a bare date, which means the end of that day (figures "as of 31 March"
    include what happened on the 31st)."""
    if text is None or not str(text).strip():
        return now_beijing()
    s = str(text).strip().replace("/", "-")
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", s):
            d = date(*map(int, s.split("-")))
            return datetime.combine(d, time(23, 59, 59))
        return beijing.parse_moment(s)
    except ValueError:
        raise UsageError(f"计算时点应写成 2026-04-01T09:30:00 或 2026-04-01；收到 {text!r}") from None


def _day(text: str | date | None, what: str) -> date | None:
    if text is None or text == "":
        return None
    if isinstance(text, date):
        return text
    try:
        return date(*map(int, str(text).strip().replace("/", "-").split("-")))
    except (TypeError, ValueError):
        raise UsageError(f"{what}应写成 2026-03-01；收到 {text!r}") from None


@dataclass(frozen=True)
class Period:
    """Cases registered (立案) from ``first`` to ``last``, both days inclusive; None = open."""

    first: date | None = None
    last: date | None = None
    label: str = ""

    @classmethod
    def between(cls, first: str | date | None, last: str | date | None) -> "Period":
        a, b = _day(first, "--from "), _day(last, "--to ")
        if a and b and a > b:
            raise UsageError(f"统计起始日 {a} 晚于截止日 {b}")
        return cls(a, b)

    @classmethod
    def parse(cls, text: str) -> "Period":
        """``2026-03`` (a month) or ``2026Q1`` (a quarter)."""
        s = text.strip().upper()
        m = re.fullmatch(r"(\d{4})-?Q([1-4])", s)
        if m:
            y, q = int(m.group(1)), int(m.group(2))
            first = date(y, 3 * q - 2, 1)
            last = _month_end(y, 3 * q)
            return cls(first, last, f"{y}年第{q}季度")
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", s)
        if m and 1 <= int(m.group(2)) <= 12:
            y, mo = int(m.group(1)), int(m.group(2))
            return cls(date(y, mo, 1), _month_end(y, mo), f"{y}年{mo}月")
        raise UsageError(f"--period 应写成 2026-03（月）或 2026Q1（季度）；收到 {text!r}")

    def months(self) -> list["Period"]:
        """The calendar months this period covers (for a quarterly report's monthly rows)."""
        if not (self.first and self.last):
            return [self]
        out, y, m = [], self.first.year, self.first.month
        while date(y, m, 1) <= self.last:
            out.append(Period(max(self.first, date(y, m, 1)), min(self.last, _month_end(y, m)),
                              f"{y}年{m}月"))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def bounds(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """[start, end) as timestamps: the end is the midnight after the last day."""
        start = pd.Timestamp(self.first) if self.first else None
        end = pd.Timestamp(self.last + timedelta(days=1)) if self.last else None
        return start, end

    def describe(self) -> str:
        a = self.first.isoformat() if self.first else "最早"
        b = self.last.isoformat() if self.last else "计算时点"
        return f"立案时间 {a} 至 {b}"


def _month_end(y: int, m: int) -> date:
    return (date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)) - timedelta(days=1)


# --------------------------------------------------------------------------- weights

def parse_weights(text: str | dict[str, Any] | None) -> dict[str, float]:
    """``结案率=30,按期结案率=40,处置率=20,返工率=10`` (or English keys, or a JSON object) →
    weights by ratio key.  A component not named gets weight 0; None gives the defaults."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return dict(DEFAULT_WEIGHTS)
    if isinstance(text, str) and text.strip().startswith("{"):
        try:
            text = json.loads(text)
        except ValueError:
            raise UsageError(f"权重不是有效的 JSON：{text!r}") from None
    pairs: list[tuple[str, Any]]
    if isinstance(text, dict):
        pairs = list(text.items())
    else:
        pairs = []
        for part in re.split(r"[,，;；]", str(text)):
            if not part.strip():
                continue
            if "=" not in part and "＝" not in part:
                raise UsageError(f"权重应写成 结案率=30,按期结案率=40,…；“{part.strip()}” 缺少 =")
            k, v = re.split(r"[=＝]", part, maxsplit=1)
            pairs.append((k, v))
    out = {k: 0.0 for k in DEFAULT_WEIGHTS}
    for k, v in pairs:
        key = _WEIGHT_ALIASES.get(str(k).strip().replace(" ", ""))
        if key is None:
            raise UsageError(f"未知的权重项 {str(k).strip()!r}；可用：结案率、按期结案率、处置率、"
                             "返工率、延期率")
        try:
            w = float(str(v).strip().rstrip("%"))
        except ValueError:
            raise UsageError(f"{k} 的权重 {v!r} 不是数字") from None
        if not np.isfinite(w) or w < 0:
            raise UsageError(f"{k} 的权重应为不小于 0 的数，收到 {v!r}")
        out[key] = w
    if sum(out.values()) <= 0:
        raise UsageError("权重全为 0，无法计算综合得分")
    return out


def weights_text_plain(weights: dict[str, float]) -> str:
    """``结案率=30,按期结案率=40,…``: what :func:`parse_weights` reads back (a project setting)."""
    return ",".join(f"{RATIOS[k][0]}={w:g}" for k, w in weights.items() if w)


def weights_text(weights: dict[str, float]) -> str:
    return "，".join(f"{RATIOS[k][0] if k not in INVERSE else '(1-' + RATIOS[k][0] + ')'} "
                    f"{w:g}" for k, w in weights.items() if w)


# --------------------------------------------------------------------------- per-case state

def _times(values: Any) -> np.ndarray:
    """ISO text (or None) → datetime64[ns] with NaT for blanks and unreadable values."""
    s = pd.Series(values, dtype=object)
    return pd.to_datetime(s, format="ISO8601", errors="coerce").to_numpy(dtype="datetime64[ns]")


def _nat(n: int) -> np.ndarray:
    return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")


STATUSES = workflow.STATUSES
ALL_ACTIONS = workflow.ACTIONS


def prepare_transitions(transitions: pd.DataFrame, case_uuids: pd.Series | pd.Index
                        ) -> pd.DataFrame:
    """Transitions (the contract's columns) in a compact form: ``c`` (the case's position in
    ``case_uuids``), ``seq``, ``action`` and ``to_status`` as small integer codes, ``at`` and
    ``due`` as datetime64.  Steps of unknown cases are dropped.  A million cases' six million
    steps take ~200 MB like this instead of gigabytes of Python strings."""
    index = case_uuids if isinstance(case_uuids, pd.Index) else pd.Index(
        case_uuids.astype(object))
    if not len(transitions):
        return pd.DataFrame({"c": np.array([], np.int64), "seq": np.array([], np.int64),
                             "action": np.array([], np.int8), "to_status": np.array([], np.int8),
                             "at": _nat(0), "due": _nat(0)})
    c = index.get_indexer(transitions["case_uuid"].astype(object))
    known = c >= 0

    def codes(values: pd.Series, names: tuple[str, ...]) -> np.ndarray:
        return pd.Categorical(values.to_numpy(dtype=object), categories=list(names)
                              ).codes.astype(np.int8)

    out = pd.DataFrame({
        "c": c.astype(np.int64),
        "seq": pd.to_numeric(transitions["seq"], errors="coerce").fillna(0).to_numpy(np.int64),
        "action": codes(transitions["action"], ALL_ACTIONS),
        "to_status": codes(transitions["to_status"], STATUSES),
        "at": _times(transitions["at"]),
        "due": _times(transitions["due_at"]),
    })
    return out[known].reset_index(drop=True)


def _seconds(values: np.ndarray) -> np.ndarray:
    """Seconds since 1970 (−1 = none) → datetime64[ns] with NaT."""
    out = values.astype("datetime64[s]").astype("datetime64[ns]")
    out[values < 0] = np.datetime64("NaT")
    return out


def prepare_arrays(uuids: np.ndarray, ints: np.ndarray, case_uuids: pd.Index) -> pd.DataFrame:
    """:func:`prepare_transitions` for what ``Store.transition_stat_arrays`` yields."""
    c = case_uuids.get_indexer(uuids)
    known = c >= 0
    return pd.DataFrame({
        "c": c[known].astype(np.int64), "seq": ints[known, 0],
        "action": ints[known, 1].astype(np.int8), "to_status": ints[known, 2].astype(np.int8),
        "at": _seconds(ints[known, 3]), "due": _seconds(ints[known, 4])})


def concat_prepared(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else prepare_transitions(
        pd.DataFrame(), pd.Index([]))


def case_states(cases: pd.DataFrame, transitions: pd.DataFrame,
                as_of: datetime) -> pd.DataFrame:
    """One row per case (same order as ``cases``): what had happened to it by ``as_of``.

    ``transitions`` has the contract's columns or is already :func:`prepare_transitions`'d.
    Columns: ``reg_at`` (立案 time or NaT), ``period_at`` (立案 time, or reported time for a case
    voided before 立案), ``voided``, ``parked``, ``closed``, ``closed_at``, ``deadline`` (dispose
    deadline after extensions), ``dispatched``, ``disposed``, ``checked``, ``reworked``,
    ``extended``, ``stage_due`` (deadline of the current stage).
    """
    n = len(cases)
    T = np.datetime64(pd.Timestamp(as_of).to_datetime64(), "ns")
    tr = transitions if "c" in transitions else prepare_transitions(transitions, cases["uuid"])
    cidx = tr["c"].to_numpy()
    logged = np.zeros(n, dtype=bool)
    logged[cidx] = True
    r = case_log.reduce(n, cidx, tr["seq"].to_numpy(), tr["action"].to_numpy(),
                        tr["to_status"].to_numpy(), tr["at"].to_numpy(), tr["due"].to_numpy(), T)
    r["status"] = case_log.status_names(r["status_code"])

    # cases with no transitions at all: their columns (right for now, not windable back)
    fb = ~logged
    if fb.any():
        col = {k: cases[k].to_numpy(dtype=object)[fb] if k in cases else np.full(fb.sum(), None)
               for k in CASE_COLUMNS}
        s_status = col["status"]

        def upto(name: str) -> np.ndarray:
            t = _times(col[name])
            return np.where(t <= T, t, np.datetime64("NaT"))

        r["reg_at"][fb] = upto("registered_at")
        r["closed_at"][fb] = upto("closed_at")
        r["last_dispatch"][fb] = np.where(np.isnat(upto("dispatched_at")), -1,
                                          ALL_ACTIONS.index(DISPATCH))
        r["deadline"][fb] = _times(col["dispose_due_at"])
        r["stage_due"][fb] = _times(col["due_at"])
        r["status"][fb] = s_status
        r["void_at"][fb] = np.where(s_status == VOID, T, np.datetime64("NaT"))
        for name, column in (("n_rework", "rework_count"), ("n_extend", "extension_count")):
            r[name][fb] = pd.to_numeric(pd.Series(col[column]),
                                        errors="coerce").fillna(0).to_numpy()
        done = ~np.isnat(r["closed_at"][fb])
        r["checked"][fb] = done | (s_status == CHECK_STATUS) | (r["n_rework"][fb] > 0)
        r["feedback_at"][fb] = np.where(done | np.isin(s_status, [FEEDBACK, CHECK_STATUS]), T,
                                        np.datetime64("NaT"))
        r["rework_at"][fb] = np.datetime64("NaT")
    reported = _times(cases["reported_at"]) if "reported_at" in cases else _nat(n)
    return states_frame(case_log.finish(r), reported, cases.index)


def states_frame(figures: dict[str, np.ndarray], reported: np.ndarray,
                 index: pd.Index) -> pd.DataFrame:
    """:func:`case_states`' frame from :func:`gridmgr.case_log.finish`'s figures."""
    reg_at = figures["reg_at"]
    status = figures["status"]
    return pd.DataFrame({
        "reg_at": reg_at,
        "period_at": np.where(np.isnat(reg_at), reported, reg_at),
        "voided": figures["voided"],
        "parked": status == PARK,
        "closed": ~np.isnat(figures["closed_at"]),
        "closed_at": figures["closed_at"],
        "deadline": figures["deadline"],
        "dispatched": figures["dispatched"],
        "disposed": figures["disposed"],
        "checked": figures["checked"],
        "reworked": figures["reworked"],
        "extended": figures["extended"],
        "stage_due": figures["stage_due"],
        "status": status,
        "reported": reported,
    }, index=index)


UNRESOLVED = (*workflow.OPEN_STATUSES, PARK)  # what the map counts as open


def cell_counts(states: pd.DataFrame, cases: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    """Per cell, as of ``as_of``: unresolved cases (受理 … 核查, and 挂账) and the overdue ones
    among them (open, not 挂账, past their current-stage deadline) — the map's colouring, for any
    moment.  Columns ``cell_code``, ``open``, ``overdue``."""
    T = np.datetime64(pd.Timestamp(as_of).to_datetime64(), "ns")
    status = states["status"].to_numpy()
    seen = states["reported"].to_numpy() <= T
    unresolved = seen & np.isin(status, UNRESOLVED) & cases["cell_code"].notna().to_numpy()
    due = states["stage_due"].to_numpy()
    late = unresolved & (status != PARK) & ~np.isnat(due) & (due < T)
    df = pd.DataFrame({"cell_code": cases["cell_code"].to_numpy()[unresolved],
                       "open": np.ones(int(unresolved.sum()), dtype=np.int64),
                       "overdue": late[unresolved].astype(np.int64)})
    return df.groupby("cell_code", sort=True).sum().reset_index()


def case_flags(states: pd.DataFrame, period: Period, as_of: datetime) -> pd.DataFrame:
    """Per case, 0/1 for every count in :data:`COUNTS` (the definitions in the module doc)."""
    T = np.datetime64(pd.Timestamp(as_of).to_datetime64(), "ns")
    start, end = period.bounds()

    def in_period(t: pd.Series) -> np.ndarray:
        v = t.to_numpy()
        m = ~np.isnat(v)
        if start is not None:
            m &= v >= start.to_datetime64()
        if end is not None:
            m &= v < end.to_datetime64()
        return m

    s = states
    voided = s["voided"].to_numpy()
    registered = in_period(s["reg_at"]) & ~voided
    parked = s["parked"].to_numpy()
    closed = s["closed"].to_numpy()
    deadline = s["deadline"].to_numpy()
    has_deadline = ~np.isnat(deadline)
    live = registered & ~parked
    due = live & ((has_deadline & (deadline <= T)) | closed)
    closed_n = due & closed
    ontime = closed_n & (~has_deadline | (s["closed_at"].to_numpy() <= deadline))
    disposed = s["disposed"].to_numpy()
    dispose_due = live & s["dispatched"].to_numpy() & ((has_deadline & (deadline <= T)) | disposed)
    # 待受理: received, not yet registered nor voided at as_of — open, so in the open figures
    seen = s["reported"].to_numpy() <= T
    received = in_period(s["reported"]) & seen
    pending = in_period(s["period_at"]) & seen & (s["status"].to_numpy() == "受理") & ~voided
    open_ = (live & ~closed) | pending
    stage_due = s["stage_due"].to_numpy()
    received_closed = received & closed
    return pd.DataFrame({
        "received": received,
        "registered": registered,
        "due": due,
        "closed": closed_n,
        "ontime": ontime,
        "received_closed": received_closed,
        "received_ontime": received_closed & (~has_deadline |
                                              (s["closed_at"].to_numpy() <= deadline)),
        "dispose_due": dispose_due,
        "disposed": dispose_due & disposed,
        "checked": registered & s["checked"].to_numpy(),
        "reworked": registered & s["reworked"].to_numpy(),
        "extended": registered & s["extended"].to_numpy(),
        "open": open_,
        "pending": pending,
        "overdue": open_ & ~np.isnat(stage_due) & (stage_due < T),
        "parked": registered & parked,
        "voided": in_period(s["period_at"]) & voided,
    }, index=states.index).astype(np.int64)


# --------------------------------------------------------------------------- ratios and score

def add_ratios(counts: pd.DataFrame, weights: dict[str, float],
               denominator: str = DEFAULT_DENOMINATOR) -> pd.DataFrame:
    """Ratio columns (NaN where the denominator is 0) and the composite score."""
    out = counts.copy()
    for key, (_zh, num, den) in ratios_for(denominator).items():
        d = out[den].astype(float)
        out[key] = np.where(d > 0, out[num] / d.where(d > 0, 1.0), np.nan)
    out["score"] = score(out, weights)
    return out


def score(table: pd.DataFrame, weights: dict[str, float]) -> np.ndarray:
    """0–100: the weighted mean of the components that have a value (empty when none has)."""
    total = np.zeros(len(table))
    wsum = np.zeros(len(table))
    for key, w in weights.items():
        if not w:
            continue
        r = table[key].to_numpy(dtype=float)
        s = 1.0 - r if key in INVERSE else r
        have = ~np.isnan(s)
        total += np.where(have, w * np.nan_to_num(s), 0.0)
        wsum += np.where(have, w, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(wsum > 0, 100.0 * total / np.where(wsum > 0, wsum, 1.0), np.nan)


def percent_text(num: int, den: int) -> str:
    """``911, 972`` → ``'93.72%'`` (exact, half up); ``''`` when the denominator is 0."""
    if not den:
        return ""
    hundredths = (20000 * int(num) + int(den)) // (2 * int(den))  # round(num/den·10000) half up
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


# --------------------------------------------------------------------------- tables

@dataclass
class IndicatorTable:
    """One grouping's figures: ``rows`` (one per group, sorted by code) and ``total``."""

    by: str
    as_of: datetime
    period: Period
    weights: dict[str, float]
    rows: pd.DataFrame
    total: dict[str, Any]
    extra: list[str] = field(default_factory=list)  # inspection columns, when present
    denominator: str = DEFAULT_DENOMINATOR  # of 结案率 and 按期结案率 (:data:`DENOMINATORS`)

    @property
    def columns(self) -> list[str]:
        base = ["code", "name", *(["parent"] if "parent" in self.rows else [])]
        order = list(ORDER)
        if self.denominator == "received":
            order[order.index("closed") + 1:order.index("closed") + 1] = ["received_closed"]
            order[order.index("ontime") + 1:order.index("ontime") + 1] = ["received_ontime"]
        return base + order + self.extra

    @property
    def ratios(self) -> dict[str, tuple[str, str, str]]:
        """(name, numerator, denominator) of each ratio, as this table counts them."""
        return ratios_for(self.denominator)

    def records(self) -> list[dict[str, Any]]:
        cols = self.columns
        return [{k: _plain(r.get(k)) for k in cols} for r in self.rows.to_dict("records")]

    def total_record(self) -> dict[str, Any]:
        return {k: _plain(self.total.get(k)) for k in self.columns}


def _plain(v: Any) -> Any:
    """JSON-friendly: numpy numbers to Python, NaN to None."""
    if v is None:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if np.isnan(v) else float(v)
    return v


def group_counts(flags: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """Counts per group key (blank keys become :data:`NO_GROUP`); cases in no count drop out."""
    k = keys.astype(object).where(pd.notna(keys) & (keys.astype(str) != ""), NO_GROUP)
    any_count = flags.to_numpy().any(axis=1)
    g = flags[any_count].groupby(k[any_count].to_numpy(), sort=True).sum()
    g.index.name = "code"
    return g


def build_table(states: pd.DataFrame, keys: pd.Series | None, *, by: str, period: Period,
                as_of: datetime, weights: dict[str, float],
                names: dict[str, Any] | None = None,
                inspection: pd.DataFrame | None = None,
                denominator: str = DEFAULT_DENOMINATOR) -> IndicatorTable:
    """The figures of one grouping.  ``names`` maps a code to its name (or (name, parent));
    ``inspection`` (from :func:`inspection_counts`) adds the enterprise columns."""
    flags = case_flags(states, period, as_of)
    total_counts = flags.sum().to_dict()
    if keys is None:
        rows = pd.DataFrame(columns=["code", *COUNTS, *RECEIVED_COUNTS])
    else:
        rows = group_counts(flags, keys).reset_index()
    extra: list[str] = []
    if inspection is not None:
        rows = rows.merge(inspection, on="code", how="outer")
        extra = [*INSPECTION, INSPECTION_RATE[0]]
        for k in INSPECTION:
            total_counts[k] = int(inspection[k].sum())
    for k in (*COUNTS, *RECEIVED_COUNTS):
        rows[k] = rows[k].fillna(0).astype(np.int64) if k in rows else 0
    for k in INSPECTION if inspection is not None else ():
        rows[k] = rows[k].fillna(0).astype(np.int64)
    rows = add_ratios(rows, weights, denominator)
    tot = add_ratios(pd.DataFrame([total_counts]), weights, denominator)
    if inspection is not None:
        for t in (rows, tot):
            d = t[INSPECTION_RATE[3]].astype(float)
            t[INSPECTION_RATE[0]] = np.where(d > 0, t[INSPECTION_RATE[2]] / d.where(d > 0, 1),
                                             np.nan)
    names = names or {}
    looked = [names.get(c) for c in rows["code"]]
    rows["name"] = [(v[0] if isinstance(v, tuple) else v) or "" for v in looked]
    if any(isinstance(v, tuple) for v in looked):
        rows["parent"] = [(v[1] if isinstance(v, tuple) else "") or "" for v in looked]
    rows = rows.sort_values("code", key=lambda s: s.map(lambda c: f"{int(c == NO_GROUP)}{c}"))
    total = tot.iloc[0].to_dict()
    for k in (*COUNTS, *RECEIVED_COUNTS, *(INSPECTION if inspection is not None else ())):
        total[k] = int(total[k])
    total.update(code=TOTAL, name=GROUPING_ZH["total"], parent="")
    return IndicatorTable(by, as_of, period, weights, rows.reset_index(drop=True), total, extra,
                          denominator)


def inspection_counts(enterprises: pd.DataFrame, key: str, as_of: datetime) -> pd.DataFrame:
    """Per area code (``key`` = street_code, community_code or cell_code): enterprises with a
    known inspection frequency, those inspected as often as it asks by the ``as_of`` day, and
    those whose frequency is unknown."""
    day = pd.Timestamp(as_of.date())
    freq = pd.to_numeric(enterprises["frequency_days"], errors="coerce")
    last = pd.to_datetime(enterprises["last_inspection"], format="ISO8601", errors="coerce")
    known = freq.notna()
    on_schedule = known & last.notna() & (last + pd.to_timedelta(freq.fillna(0), unit="D") >= day)
    codes = enterprises[key].astype(object)
    codes = codes.where(pd.notna(codes) & (codes.astype(str) != ""), NO_GROUP)
    df = pd.DataFrame({"code": codes.to_numpy(), "ent_known": known.astype(np.int64),
                       "ent_on_schedule": on_schedule.astype(np.int64),
                       "ent_unknown": (~known).astype(np.int64)})
    return df.groupby("code", sort=True).sum().reset_index()


def category_keys(cases: pd.DataFrame, categories: pd.DataFrame, by: str) -> pd.Series:
    if by == "category":
        return cases["category_code"]
    major = dict(zip(categories["code"], categories["major_code"]))
    return cases["category_code"].map(major)


def category_names(categories: pd.DataFrame, by: str) -> dict[str, Any]:
    if by == "category":
        return {r["code"]: (r["name"], r.get("major_name") or "")
                for r in categories.to_dict("records")}
    return {r["major_code"]: (r.get("major_name") or "", r.get("kind") or "")
            for r in categories.to_dict("records") if r.get("major_code")}


def compute(cases: pd.DataFrame, transitions: pd.DataFrame, *, by: str, as_of: datetime,
            period: Period | None = None, weights: dict[str, float] | None = None,
            names: dict[str, Any] | None = None, categories: pd.DataFrame | None = None,
            enterprises: pd.DataFrame | None = None,
            denominator: str = DEFAULT_DENOMINATOR) -> IndicatorTable:
    """The indicators of ``cases``/``transitions`` (frames with the contract's columns) grouped
    ``by`` one of :data:`GROUPINGS` (or ``'total'``), as of ``as_of``."""
    if by not in (*GROUPINGS, "total"):
        raise UsageError(f"未知的分组 {by!r}；可用：{', '.join(GROUPINGS)}")
    period = period or Period()
    weights = weights or dict(DEFAULT_WEIGHTS)
    states = case_states(cases, transitions, as_of)
    return table_from_states(states, cases, by=by, as_of=as_of, period=period, weights=weights,
                             names=names, categories=categories, enterprises=enterprises,
                             denominator=denominator)


def table_from_states(states: pd.DataFrame, cases: pd.DataFrame, *, by: str, as_of: datetime,
                      period: Period, weights: dict[str, float],
                      names: dict[str, Any] | None = None,
                      categories: pd.DataFrame | None = None,
                      enterprises: pd.DataFrame | None = None,
                      denominator: str = DEFAULT_DENOMINATOR) -> IndicatorTable:
    """:func:`compute` on states already worked out (several groupings share one pass)."""
    if by == "total":
        keys = None
    elif by in ("category", "major"):
        cats = categories if categories is not None else pd.DataFrame(
            columns=["code", "major_code", "major_name", "name", "kind"])
        keys = category_keys(cases, cats, by)
        names = {**category_names(cats, by), **(names or {})}
    else:
        keys = cases[KEY_COLUMN[by]]
    inspection = None
    if enterprises is not None and by in AREA_GROUPINGS:
        inspection = inspection_counts(enterprises, KEY_COLUMN[by], as_of)
    return build_table(states, keys, by=by, period=period, as_of=as_of, weights=weights,
                       names=names, inspection=inspection, denominator=denominator)


def monthly_rows(states: pd.DataFrame, cases: pd.DataFrame, period: Period, *,
                 as_of: datetime, weights: dict[str, float],
                 denominator: str = DEFAULT_DENOMINATOR) -> IndicatorTable:
    """One row per calendar month of ``period`` (the whole district), with the period total."""
    rows = []
    for month in period.months():
        t = build_table(states, None, by="total", period=month, as_of=as_of, weights=weights,
                        denominator=denominator)
        row = {**t.total, "code": month.first.strftime("%Y-%m") if month.first else "",
               "name": month.label}
        row.pop("parent", None)
        rows.append(row)
    whole = build_table(states, None, by="total", period=period, as_of=as_of, weights=weights,
                        denominator=denominator)
    return IndicatorTable("month", as_of, period, weights, pd.DataFrame(rows), whole.total,
                          denominator=denominator)


# --------------------------------------------------------------------------- from a project

def resolve_weights(meta: dict[str, str], text: str | None) -> dict[str, float]:
    """``--weights`` when given, else the project setting ``score_weights``, else the defaults."""
    if text:
        return parse_weights(text)
    return parse_weights(meta.get("score_weights") or None)


@dataclass
class CaseData:
    """What the indicators read from a project: cases, compact transitions, categories."""

    cases: pd.DataFrame
    transitions: pd.DataFrame
    categories: pd.DataFrame


def load(store: Any, chunk: int = 500_000) -> Task[CaseData]:
    """Read the cases and their whole transition log (compacted chunk by chunk): the replay
    :func:`period_states` must equal, and what a project before schema 12 is read with."""
    yield Progress(0, 0, "读取案件")
    cases = store.case_stat_frame()
    index = pd.Index(cases["uuid"].astype(object))
    parts, rows = [], 0
    for uuids, ints in store.transition_stat_arrays(ALL_ACTIONS, STATUSES, chunk):
        parts.append(prepare_arrays(uuids, ints, index))
        rows += len(uuids)
        yield Progress(0, 0, f"读取办理记录 {rows:,} 条")
    cats = store.categories_frame() if store.has_table("case_categories") else pd.DataFrame(
        columns=["code", "kind", "major_code", "major_name", "name"])
    return CaseData(cases, concat_prepared(parts), cats)


def _seconds_column(values: pd.Series) -> np.ndarray:
    """A column of seconds since 1970 (None: none) → datetime64[ns] with NaT."""
    v = pd.to_numeric(values, errors="coerce").fillna(-1).to_numpy(dtype=np.int64)
    return case_log.seconds_to_times(v)


def period_states(store: Any, period: Period, as_of: datetime
                  ) -> Task[tuple[pd.DataFrame, pd.DataFrame]]:
    """(cases, their :func:`case_states` as of ``as_of``) of the cases ``period`` can count —
    those registered or reported in it — read from ``case_times`` (schema 12): each case's log
    already reduced.  A case with a step after ``as_of`` (or without a reduced log) is replayed
    from its own steps, so the figures equal the replay of the whole log (:func:`load`)."""
    yield Progress(0, 0, "读取案件")
    T = np.datetime64(pd.Timestamp(as_of).to_datetime64(), "ns")
    t_s = int(T.astype("datetime64[s]").astype(np.int64))
    frame = store.case_time_frame(period.first, period.last, as_of=t_s)
    cases = frame[[c for c in frame.columns if not c.startswith("t_") and c != "timed"]]
    fresh = frame["uuid"].isna().to_numpy()  # the table answers for it at as_of
    flags = case_log.unpack_flags(pd.to_numeric(frame["t_flags"][fresh], errors="coerce")
                                  .fillna(0).to_numpy(dtype=np.int64))
    status = frame["t_status"].to_numpy(dtype=object)[fresh]
    figures = {**flags, "status": status,
               **{k: _seconds_column(frame[f"t_{k}"][fresh]) for k in case_log.TIME_COLUMNS}}
    reported = _times(cases["reported_at"])
    parts = [states_frame(figures, reported[fresh], cases.index[fresh])]
    if (~fresh).any():
        yield Progress(0, 0, f"回放 {int((~fresh).sum()):,} 个案件的办理记录")
        uuids = cases["uuid"][~fresh].tolist()
        some = store.case_stat_rows(uuids).set_index("uuid", drop=False).loc[uuids]
        some.index = cases.index[~fresh]
        u, ints = store.transition_stat_arrays_of(uuids)
        steps = prepare_arrays(u, ints, pd.Index(some["uuid"].astype(object)))
        parts.append(case_states(some.reset_index(drop=True), steps, as_of
                                 ).set_index(some.index))
    states = pd.concat(parts).sort_index() if len(parts) > 1 else parts[0]
    return cases, states


def names_for(store: Any, by: str, system: str | None) -> dict[str, Any]:
    """Display names of the group codes: areas (old ones too), officers (with their unit)."""
    if by in AREA_GROUPINGS:
        return store.area_names(by, system)
    if by == "officer":
        return store.officer_names()
    return {}


def project_tables(store: Any, groupings: list[str], *, as_of: datetime, period: Period,
                   weights: dict[str, float], system: str | None = "urban",
                   data: CaseData | None = None,
                   denominator: str | None = None) -> Task[list[IndicatorTable]]:
    """The tables of several groupings of one project, from one read and one pass over the log.
    ``'month'`` gives one row per calendar month of the period."""
    denominator = denominator or resolve_denominator(store.meta(), None)
    if data is None and store.has_table("case_times"):
        cases, states = yield from period_states(store, period, as_of)
        cats = store.categories_frame() if store.has_table("case_categories") else None
        data = CaseData(cases, prepare_transitions(pd.DataFrame(), pd.Index([])),
                        cats if cats is not None else pd.DataFrame(
                            columns=["code", "kind", "major_code", "major_name", "name"]))
    else:
        if data is None:  # a project before schema 12 (opened read-only): replay the log
            data = yield from load(store)
        yield Progress(1, 3, "计算各案件在计算时点的状态")
        states = case_states(data.cases, data.transitions, as_of)
    enterprises = store.enterprise_inspection_frame() if any(
        g in AREA_GROUPINGS for g in groupings) else None
    out = []
    for by in groupings:
        yield Progress(2, 3, f"按{GROUPING_ZH[by]}汇总")
        if by == "month":
            out.append(monthly_rows(states, data.cases, period, as_of=as_of, weights=weights,
                                    denominator=denominator))
            continue
        out.append(table_from_states(states, data.cases, by=by, as_of=as_of, period=period,
                                     weights=weights, names=names_for(store, by, system),
                                     categories=data.categories, enterprises=enterprises,
                                     denominator=denominator))
    yield Progress(3, 3, "完成")
    return out
