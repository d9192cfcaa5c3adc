"""The case workflow of the digital urban management standard (GB/T 30428.8 style), as data.

Statuses name the last step a case has completed::

    受理 ─核实─▶ 受理 ─立案─▶ 立案 ─派遣─▶ 派遣 ─处置─▶ 处置 ─反馈─▶ 反馈 ─核查通过─▶ 核查 ─结案─▶ 结案

and beside the main line:

* 作废 — void a ticket that is not a case (duplicate, not in the district…); only before 派遣;
  a reason is required.
* 回退 — the handler returns a dispatched case as not theirs (派遣/处置 → 立案, to be dispatched
  again); the reason is required.
* 延期 — an extension of the disposal deadline (派遣/处置, status unchanged), with the approver
  and the new deadline, which must be later than the current one; a reason is required.
* 返工 — 核查 found the problem not solved (反馈 → 处置); the reason is required and is the first
  thing the handler sees.  The disposal deadline is not reset.
* 挂账 — parked as unresolvable for now (立案/派遣/处置 → 挂账) with a written explanation; a parked
  case can be dispatched again.
* 督办 — 挂牌督办 (listed supervision): marks an open case, status unchanged; a note is required.

Pure: no storage.  :func:`check` says what a step does or why it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from ..statuses import (  # noqa: F401 (re-exported)
    ACTIONS,
    FINAL_STATUSES,
    OPEN_STATUSES,
    STATUSES,
)

SAME = "="  # to-status of a step that leaves the status as it was


@dataclass(frozen=True)
class Rule:
    """One action: the statuses it starts from, where it leads, and what it needs."""

    action: str
    sources: tuple[str, ...]
    target: str
    note: bool = False  # a reason / explanation is required
    approver: bool = False  # 延期: who approved it
    new_due: bool = False  # 延期: the new deadline
    what: str = ""  # a short explanation for people


RULES: dict[str, Rule] = {r.action: r for r in (
    Rule("核实", ("受理",), SAME, what="核实问题属实"),
    Rule("立案", ("受理",), "立案", what="符合立案条件，立案"),
    Rule("派遣", ("立案", "挂账"), "派遣", what="派遣给责任人处置"),
    Rule("处置", ("派遣",), "处置", what="责任人接收并开始处置"),
    Rule("反馈", ("处置",), "反馈", what="处置完毕，反馈结果"),
    Rule("核查通过", ("反馈",), "核查", what="现场核查，问题已解决"),
    Rule("结案", ("核查",), "结案", what="结案"),
    Rule("作废", ("受理", "立案"), "作废", note=True, what="不予立案或作废（须写明理由）"),
    Rule("回退", ("派遣", "处置"), "立案", note=True, what="非本单位职责，退回重新派遣（须写明理由）"),
    Rule("延期", ("派遣", "处置"), SAME, note=True, approver=True, new_due=True,
         what="延长处置时限（须写明理由、批准人和新的截止时间）"),
    Rule("返工", ("反馈",), "处置", note=True, what="核查未通过，返回重新处置（须写明原因）"),
    Rule("挂账", ("立案", "派遣", "处置"), "挂账", note=True, what="暂时无法解决，挂账（须书面说明）"),
    Rule("督办", (*OPEN_STATUSES, "挂账"), SAME, note=True, what="挂牌督办（须写明督办要求）"),
)}


def allowed_actions(status: str) -> list[str]:
    """The actions a case in ``status`` can take, in workflow order (what the desktop shows as
    buttons)."""
    return [a for a, r in RULES.items() if status in r.sources]


def check(status: str, action: str, *, note: str | None = None, approver: str | None = None,
          new_due: str | None = None) -> str:
    """The status after ``action`` from ``status``; UsageError naming what is wrong otherwise."""
    rule = RULES.get(action)
    if rule is None:
        raise UsageError(f"未知操作“{action}”；可用：{'、'.join(RULES)}")
    if status not in rule.sources:
        can = allowed_actions(status)
        raise UsageError(f"案件当前状态为“{status}”，不能“{action}”（只能在"
                         f"{'、'.join(rule.sources)}状态下{action}）；当前可以："
                         f"{'、'.join(can) if can else '无（已' + status + '）'}")
    if rule.note and not (note and note.strip()):
        raise UsageError(f"“{action}”必须写明理由（--note）：{rule.what}")
    if rule.approver and not (approver and approver.strip()):
        raise UsageError(f"“{action}”必须给出批准人（--approver 工号）")
    if rule.new_due and not new_due:
        raise UsageError(f"“{action}”必须给出新的截止时间（--due 2026-03-10T18:00）")
    return status if rule.target == SAME else rule.target


def is_open(status: str) -> bool:
    """Open cases count toward overdue; 结案/作废 are final and 挂账 is parked."""
    return status in OPEN_STATUSES


def resolve_action(status: str, name: str) -> str:
    """An action by its name, or by the status it leads to from ``status`` (``transition …
    核查`` means 核查通过 from 反馈), when exactly one action does; else ``name`` unchanged."""
    if name in RULES or name not in STATUSES:
        return name
    leading = [a for a in allowed_actions(status) if RULES[a].target == name]
    return leading[0] if len(leading) == 1 else name
