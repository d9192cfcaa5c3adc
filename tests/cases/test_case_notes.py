"""The step notes gridmgr writes itself are recognised (to be shown in the interface's
language); a note a person typed is not, even when it looks similar."""

from gridmgr.cases import notes


def test_generated_notes_are_parsed_back_and_typed_ones_are_not():
    assert notes.parse(notes.IMPORTED.format(status="已办结")) == ("imported",
                                                                 {"status": "已办结"})
    assert notes.parse(notes.DISPATCHED.format(staff="CC0146")) == ("dispatched",
                                                                  {"staff": "CC0146"})
    assert notes.parse("需协调产权单位（批准人：CC0002）") == (
        "approved", {"note": "需协调产权单位", "approver": "CC0002"})
    assert notes.DISPATCHED.format(staff="CC0146") == "派遣给 CC0146"  # what the tests of 派遣 read
    for typed in ("现场已清理", "已派遣给物业", "导入", "", None):
        assert notes.parse(typed) is None
