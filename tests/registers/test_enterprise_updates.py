"""Keeping the register current without coordinates: a GBK file of new phones and contacts keyed
by credit code, and ``enterprises edit`` for one enterprise."""

from __future__ import annotations

import csv

import pytest

from gridmgr.cli import main
from gridmgr.errors import ProjectChanged, UsageError
from gridmgr.progress import run
from gridmgr.project import open_project
from gridmgr.registers.enterprises import edit_enterprise, import_enterprises


@pytest.fixture
def store(demo_copy):
    with open_project(demo_copy) as s:
        yield s


def test_a_phone_list_without_coordinates_updates_and_keeps_places(store, tmp_path):
    before = store.enterprises().set_index("credit_code")
    picks = list(before.index[:3])
    f = tmp_path / "电话更新.csv"
    with open(f, "w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["企业名称", "统一社会信用代码", "联系人", "联系电话"])
        w.writerow([before.loc[picks[0], "name"], picks[0], "王建国", "13902345678"])
        w.writerow([before.loc[picks[1], "name"], picks[1], before.loc[picks[1], "contact"],
                    "0757-82345678"])
        w.writerow([before.loc[picks[2], "name"], picks[2], None, None])  # nothing new
        w.writerow(["佛山市禅城区未登记企业", "91440604MA4X0000XK", "李四", "13800000000"])
    report = run(import_enterprises(store, f))
    assert report.info["has_coordinates"] is False
    assert (report.info["inserted"], report.info["updated"], report.info["unchanged"]) == (
        0, 2, 1)
    assert [(r.row, r.reason) for r in report.refused] == [(5, "missing_coordinates")]
    after = store.enterprises().set_index("credit_code")
    assert (after.loc[picks[0], "contact"], after.loc[picks[0], "phone"]) == (
        "王建国", "13902345678")
    assert after.loc[picks[1], "phone"] == "0757-82345678"
    for code in picks:  # same place, same cell
        assert after.loc[code].geometry.equals_exact(before.loc[code].geometry, 0)
        assert after.loc[code, "cell_code"] == before.loc[code, "cell_code"]
        assert after.loc[code, "community_code"] == before.loc[code, "community_code"]
    assert len(after) == len(before)


def test_edit_one_enterprise(store, demo_copy, capsys):
    ent = store.enterprises().iloc[5]
    done = edit_enterprise(store, ent["credit_code"], {"phone": "１３９０２３４５６７８",
                                                       "contact": "赵敏"})
    assert done["changes"] == {"phone": [ent["phone"], "13902345678"],
                               "contact": [ent["contact"], "赵敏"]}
    row = store.enterprises().set_index("credit_code").loc[ent["credit_code"]]
    assert (row["phone"], row["contact"]) == ("13902345678", "赵敏")
    assert store.audit_log()[-1]["action"] == "enterprises edit"
    with pytest.raises(UsageError, match="电话号码"):
        edit_enterprise(store, ent["credit_code"], {"phone": "12345"})
    with pytest.raises(UsageError, match="找不到企业"):
        edit_enterprise(store, "91440604XXXXXXXXXX", {"phone": "13902345678"})
    store.close()
    assert main(["-q", "enterprises", "edit", str(demo_copy), ent["name"],
                 "--address", "季华五路 1 号"]) == 0
    out = capsys.readouterr().out
    assert "地址：" in out and "→ 季华五路 1 号" in out and "已修改 1 项" in out
    assert main(["-q", "enterprises", "edit", str(demo_copy), ent["name"]]) == 2


def test_an_edit_over_what_another_desk_just_changed_is_refused_and_names_them(store):
    """Compare-and-set: the form showed one phone, another desk changed it since — nothing is
    written and the refusal names the desk's login and the value now there."""
    ent = store.enterprises().iloc[1]
    shown = ent["phone"]
    edit_enterprise(store, ent["credit_code"], {"phone": "13900000001"})  # the other desk
    with pytest.raises(ProjectChanged) as exc:
        edit_enterprise(store, ent["credit_code"], {"phone": "13900000002"}, seen={"phone": shown})
    text = str(exc.value)
    assert ent["name"] in text and "13900000001" in text and "本次未修改" in text
    assert store.audit_log()[-1]["db_user"] in text
    now = store.enterprises().set_index("credit_code").loc[ent["credit_code"]]
    assert now["phone"] == "13900000001"
    done = edit_enterprise(store, ent["credit_code"], {"phone": "13900000002"},
                           seen={"phone": "13900000001"})  # after a refresh it lands
    assert done["changes"] == {"phone": ["13900000001", "13900000002"]}
