"""The workflow as data: every action from every status, allowed or refused, with its needs."""

from __future__ import annotations

import pytest

from gridmgr.cases import workflow
from gridmgr.errors import UsageError

# (status, action) → the status after it, for every allowed step; everything else is refused
ALLOWED = {
    ("受理", "核实"): "受理", ("受理", "立案"): "立案", ("受理", "作废"): "作废",
    ("受理", "督办"): "受理",
    ("立案", "派遣"): "派遣", ("立案", "作废"): "作废", ("立案", "挂账"): "挂账",
    ("立案", "督办"): "立案",
    ("派遣", "处置"): "处置", ("派遣", "回退"): "立案", ("派遣", "延期"): "派遣",
    ("派遣", "挂账"): "挂账", ("派遣", "督办"): "派遣",
    ("处置", "反馈"): "反馈", ("处置", "回退"): "立案", ("处置", "延期"): "处置",
    ("处置", "挂账"): "挂账", ("处置", "督办"): "处置",
    ("反馈", "核查通过"): "核查", ("反馈", "返工"): "处置", ("反馈", "督办"): "反馈",
    ("核查", "结案"): "结案", ("核查", "督办"): "核查",
    ("挂账", "派遣"): "派遣", ("挂账", "督办"): "挂账",
}
NEEDS_NOTE = {"作废", "回退", "延期", "返工", "挂账", "督办"}
STEP_ACTIONS = [a for a in workflow.ACTIONS if a != "受理"]  # 受理 creates a case


def _kwargs(action: str) -> dict[str, str]:
    kw = {"note": "理由"} if action in NEEDS_NOTE else {}
    if action == "延期":
        kw.update(approver="CC0001", new_due="2026-03-10T18:00:00")
    return kw


@pytest.mark.parametrize("status", workflow.STATUSES)
@pytest.mark.parametrize("action", STEP_ACTIONS)
def test_every_status_and_action(status: str, action: str) -> None:
    expected = ALLOWED.get((status, action))
    if expected is None:
        with pytest.raises(UsageError) as err:
            workflow.check(status, action, **_kwargs(action))
        text = str(err.value)
        assert f"当前状态为“{status}”" in text and f"不能“{action}”" in text
        assert "当前可以" in text
    else:
        assert workflow.check(status, action, **_kwargs(action)) == expected


def test_allowed_actions_are_what_the_desktop_shows() -> None:
    assert workflow.allowed_actions("受理") == ["核实", "立案", "作废", "督办"]
    assert workflow.allowed_actions("反馈") == ["核查通过", "返工", "督办"]
    assert workflow.allowed_actions("结案") == []
    assert workflow.allowed_actions("作废") == []
    for status in workflow.STATUSES:
        assert set(workflow.allowed_actions(status)) == {a for s, a in ALLOWED if s == status}


@pytest.mark.parametrize(("status", "action"), [
    ("受理", "作废"), ("派遣", "回退"), ("处置", "延期"), ("反馈", "返工"), ("处置", "挂账"),
    ("派遣", "督办")])
def test_reasons_are_required(status: str, action: str) -> None:
    kw = _kwargs(action)
    kw.pop("note")
    with pytest.raises(UsageError, match="必须写明理由"):
        workflow.check(status, action, **kw)
    with pytest.raises(UsageError, match="必须写明理由"):
        workflow.check(status, action, note="   ", **kw)


def test_extension_needs_approver_and_new_deadline() -> None:
    with pytest.raises(UsageError, match="批准人"):
        workflow.check("处置", "延期", note="材料未到", new_due="2026-03-10T18:00:00")
    with pytest.raises(UsageError, match="新的截止时间"):
        workflow.check("处置", "延期", note="材料未到", approver="CC0001")


def test_void_only_before_dispatch_and_closed_is_final() -> None:
    with pytest.raises(UsageError, match="只能在受理、立案状态下作废"):
        workflow.check("派遣", "作废", note="重复")
    with pytest.raises(UsageError, match="当前可以：无"):
        workflow.check("结案", "返工", note="x")
    with pytest.raises(UsageError, match="未知操作"):
        workflow.check("受理", "关闭")


def test_a_status_names_the_action_leading_to_it() -> None:
    assert workflow.resolve_action("反馈", "核查") == "核查通过"
    assert workflow.resolve_action("立案", "派遣") == "派遣"
    assert workflow.resolve_action("处置", "结案") == "结案"  # no step leads there: refused later
    assert workflow.resolve_action("处置", "立案") == "立案"  # an action name: never reread
