"""A case's step log reduced to what the indicators (网格化考核) need of it, vectorised.

Below storage on purpose: the indicators replay the log up to a moment (``as_of``) with
:func:`reduce` and :func:`finish`, and storage keeps the same reduction *of the whole log* in
``case_times`` (schema 12) up to date whenever a step is written — one definition for both, so
the table can stand in for the replay of every case whose last step is not after ``as_of``.

The rules (docs/readme-indicators.md): 立案 time = its first 立案; voided = a 作废; closed at =
its first 结案; the dispose deadline is set by 派遣, moved by 延期 and cleared by a 回退; a case
is dispatched when its last 派遣/回退 is a 派遣; the current status is the to-status of its last
step; every step leaves the deadline of the stage it puts the case in (``due_at``); it reached
核查 when it passed it, was sent back by it, sat in it, or was closed; it was disposed when
closed, or fed back (反馈) with no 返工 after its last 反馈.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .statuses import ACTIONS, STATUSES

REGISTER, DISPATCH, FEEDBACK, CHECK_PASS, CLOSE, VOID = "立案", "派遣", "反馈", "核查通过", "结案", "作废"
EXTEND, REWORK, RETURN = "延期", "返工", "回退"
CHECK_STATUS = "核查"
NAT = np.datetime64("NaT", "ns")
NEVER = np.datetime64("2262-01-01T00:00:00", "ns")  # "as of" for the whole log

# case_times.flags: one bit per yes/no of :func:`finish`
FLAGS = ("voided", "dispatched", "disposed", "checked", "reworked", "extended")
TIME_COLUMNS = ("reg_at", "closed_at", "deadline", "stage_due")


def nat(n: int) -> np.ndarray:
    return np.full(n, NAT, dtype="datetime64[ns]")


def seconds_to_times(values: np.ndarray) -> np.ndarray:
    """Seconds since 1970 (−1 = none) → datetime64[ns] with NaT."""
    values = np.asarray(values, dtype=np.int64)
    out = values.astype("datetime64[s]").astype("datetime64[ns]")
    out[values < 0] = NAT
    return out


def times_to_seconds(values: np.ndarray) -> np.ndarray:
    """datetime64 → seconds since 1970, −1 for NaT (the inverse of :func:`seconds_to_times`)."""
    v = np.asarray(values, dtype="datetime64[ns]")
    out = v.astype("datetime64[s]").astype(np.int64)
    out[np.isnat(v)] = -1
    return out


def reduce(n: int, c: np.ndarray, seq: np.ndarray, action: np.ndarray, to_status: np.ndarray,
           at: np.ndarray, due: np.ndarray, as_of: np.datetime64 = NEVER) -> dict[str, Any]:
    """Per case ``0 … n−1`` the log's steps up to ``as_of`` (steps at an unreadable time never
    count): the step arrays give each step's case position ``c``, ``seq``, action and to-status
    codes (positions in :data:`ACTIONS` / :data:`STATUSES`, −1 other) and times
    (datetime64[ns]).  Returns the intermediate arrays :func:`finish` and the indicators'
    fallback (cases without steps) work on."""
    keep = at <= as_of
    c, seq = c[keep], seq[keep]
    order = np.lexsort((seq, c))  # by case, then step
    c = c[order]
    codes = action[keep][order]
    status_codes = to_status[keep][order]
    due = due[keep][order]
    at = at[keep][order]

    def is_action(*names: str) -> np.ndarray:
        return np.isin(codes, [ACTIONS.index(a) for a in names])

    def first_or_last(name: str, how: str) -> np.ndarray:
        m = is_action(name)
        out = nat(n)
        if m.any():
            s = getattr(pd.Series(at[m]).groupby(c[m]), how)()
            out[s.index.to_numpy()] = s.to_numpy()
        return out

    def last_value(mask: np.ndarray, values: np.ndarray, empty: Any) -> np.ndarray:
        """Per case, the value on its last step (by seq) among ``mask``; ``empty`` where none."""
        out = np.full(n, empty, dtype=values.dtype)
        idx = np.flatnonzero(mask)
        if len(idx):
            cc = c[idx]
            last = np.r_[cc[1:] != cc[:-1], True]  # sorted by case: the last row of each run
            out[cc[last]] = values[idx[last]]
        return out

    def count(name: str) -> np.ndarray:
        return np.bincount(c[is_action(name)], minlength=n)

    closed_at = first_or_last(CLOSE, "min")
    returned = is_action(RETURN)
    n_rework = count(REWORK)
    last_at = nat(n)
    if len(c):
        s = pd.Series(at).groupby(c).max()
        last_at[s.index.to_numpy()] = s.to_numpy()
    return {
        "reg_at": first_or_last(REGISTER, "min"),
        "void_at": first_or_last(VOID, "min"),
        "closed_at": closed_at,
        "feedback_at": first_or_last(FEEDBACK, "max"),
        "rework_at": first_or_last(REWORK, "max"),
        # the dispose deadline: set by 派遣, moved by 延期, gone with a 回退 (back for re-dispatch)
        "deadline": last_value(is_action(DISPATCH, EXTEND) | returned,
                               np.where(returned, NAT, due), NAT),
        "last_dispatch": last_value(is_action(DISPATCH) | returned, codes, -1),
        "status_code": last_value(status_codes >= 0, status_codes, -1),
        # every step records the deadline of the stage it leaves the case in (the contract)
        "stage_due": last_value(np.ones(len(c), dtype=bool), due, NAT),
        "n_rework": n_rework,
        "n_extend": count(EXTEND),
        # reached 核查: passed it, was sent back by it, sits in it, or was closed — a log that
        # skips 核查通过 (受理→立案→派遣→结案, as hotline imports tell it) still went through it
        "checked": (count(CHECK_PASS) + n_rework > 0) | (np.bincount(
            c[status_codes == STATUSES.index(CHECK_STATUS)], minlength=n) > 0)
            | ~np.isnat(closed_at),
        "last_at": last_at,
    }


def status_names(status_code: np.ndarray) -> np.ndarray:
    """Status codes (−1 none) → an object array of names (None)."""
    return np.array([None, *STATUSES], dtype=object)[np.asarray(status_code, np.int64) + 1]


def finish(r: dict[str, Any]) -> dict[str, np.ndarray]:
    """The per-case figures of :func:`reduce`'s arrays (``status`` already names)."""
    closed = ~np.isnat(r["closed_at"])
    fb, rw = r["feedback_at"], r["rework_at"]
    return {
        "reg_at": r["reg_at"],
        "voided": ~np.isnat(r["void_at"]),
        "closed_at": r["closed_at"],
        "deadline": r["deadline"],
        "dispatched": r["last_dispatch"] == ACTIONS.index(DISPATCH),
        "disposed": closed | (~np.isnat(fb) & (np.isnat(rw) | (fb > rw))),
        "checked": np.asarray(r["checked"], dtype=bool),
        "reworked": np.asarray(r["n_rework"]) > 0,
        "extended": np.asarray(r["n_extend"]) > 0,
        "stage_due": r["stage_due"],
        "status": r["status"],
    }


def pack_flags(figures: dict[str, np.ndarray]) -> np.ndarray:
    """The yes/no figures as one int per case (bit i = :data:`FLAGS`[i])."""
    out = np.zeros(len(figures["voided"]), dtype=np.int64)
    for i, name in enumerate(FLAGS):
        out |= np.asarray(figures[name], dtype=np.int64) << i
    return out


def unpack_flags(flags: np.ndarray) -> dict[str, np.ndarray]:
    f = np.asarray(flags, dtype=np.int64)
    return {name: (f >> i) & 1 == 1 for i, name in enumerate(FLAGS)}
