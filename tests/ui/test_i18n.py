"""The interface language: every tr() string has English, the .qm matches the .ts, the language
is chosen as documented, and the dialogs really speak English once it is installed."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel

from gridmgr import messages
from gridmgr.cases import workflow
from gridmgr.grid.codes import SCHEMES
from gridmgr.levels import LEVEL_ZH
from gridmgr.project import init_project
from gridmgr.registers.officers import ROLES
from gridmgr.registers.responsibility import FROM_ZH
from ui import i18n

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "ui" / "i18n" / "gridmgr_en.ts"
QM = ROOT / "ui" / "i18n" / "gridmgr_en.qm"
BIN = ROOT / ".venv" / "bin"
MESSY = ROOT / "data" / "samples" / "enterprises_messy.csv"
SHOTS = Path("/tmp")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _tool(name: str) -> str:
    found = BIN / name if (BIN / name).exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed")
    return str(found)


def sources() -> list[Path]:
    """The files scripts/update_translations.sh hands to lupdate."""
    return sorted(p for top in ("ui", "maps") for p in (ROOT / top).rglob("*.py")
                  if p.stat().st_size and "vendor" not in p.parts and "__pycache__" not in p.parts)


def messages_of(ts: Path) -> dict[tuple[str, str], ET.Element]:
    """(context, source) → the <translation> element."""
    out = {}
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            out[(name, msg.findtext("source") or "")] = msg.find("translation")
    return out


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], ET.Element]:
    """What lupdate finds in the code today (run into a scratch .ts, the repository's untouched)."""
    scratch = tmp_path_factory.mktemp("lupdate") / "now.ts"
    subprocess.run([_tool("pyside6-lupdate"), "-silent", "-extensions", "py", "-no-obsolete",
                    *map(str, sources()), "-ts", str(scratch)], check=True, cwd=ROOT)
    return messages_of(scratch)


def test_every_tr_string_in_ui_and_maps_has_an_english_translation(extracted):
    shipped = messages_of(TS)
    missing = [f"[{ctx}] {src}" for (ctx, src) in extracted
               if (ctx, src) not in shipped or shipped[(ctx, src)].get("type") == "unfinished"
               or not (shipped[(ctx, src)].text or "").strip()]
    assert not missing, ("untranslated (run scripts/update_translations.sh, translate the "
                         "unfinished entries of ui/i18n/gridmgr_en.ts, run it again):\n"
                         + "\n".join(missing))
    assert len(extracted) > 100  # lupdate really read the Python files (not "no recognized extension")


def test_translations_keep_every_placeholder(extracted):
    """A translation that drops or renames {n} would make .format() fail or lie."""
    shipped = messages_of(TS)
    wrong = [f"[{ctx}] {src} → {shipped[(ctx, src)].text}" for (ctx, src) in extracted
             if (ctx, src) in shipped
             and sorted(PLACEHOLDER.findall(src)) != sorted(
                 PLACEHOLDER.findall(shipped[(ctx, src)].text or src))]
    assert not wrong, "\n".join(wrong)


def _literal_calls(path: Path) -> list[tuple[str | None, str, int]]:
    """(context or None when unknown, text, line) of every tr()/translate()/QT_TRANSLATE_NOOP
    call with literal arguments, f-strings included (where lupdate does not look)."""
    found: list[tuple[str | None, str, int]] = []

    def lit(node: ast.AST) -> str | None:
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) \
            else None

    def visit(node: ast.AST, cls: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, child.name)
                continue
            if isinstance(child, ast.Call) and child.args:
                f = child.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                first = lit(child.args[0])
                if name == "tr" and first is not None:
                    ctx = cls if isinstance(f, ast.Attribute) else (None if cls else "")
                    found.append((ctx, first, child.lineno))
                elif (name in ("translate", "QT_TRANSLATE_NOOP") and len(child.args) >= 2
                      and first is not None and lit(child.args[1]) is not None):
                    found.append((first, lit(child.args[1]), child.lineno))
            visit(child, cls)

    visit(ast.parse(path.read_text(encoding="utf-8")), None)
    return found


def test_lupdate_sees_every_literal_tr_call(extracted):
    """A tr("…") inside an f-string, or through an alias lupdate does not know, would never be
    translated and never be reported as missing: find them with the AST."""
    by_text = {src for _, src in extracted}
    unseen = [f"{path.relative_to(ROOT)}:{line}: [{ctx}] {text}"
              for path in sources() for ctx, text, line in _literal_calls(path)
              if ((ctx, text) not in extracted if ctx is not None else text not in by_text)]
    assert not unseen, ("lupdate does not see these (take the call out of the f-string, or "
                        "call QCoreApplication.translate(\"Context\", \"…\") directly):\n"
                        + "\n".join(unseen))


def test_the_qm_in_the_repository_is_compiled_from_the_ts(tmp_path):
    rebuilt = tmp_path / "rebuilt.qm"
    subprocess.run([_tool("pyside6-lrelease"), "-silent", "-nounfinished", str(TS),
                    "-qm", str(rebuilt)], check=True)
    assert rebuilt.read_bytes() == QM.read_bytes(), \
        "ui/i18n/gridmgr_en.qm is stale: run scripts/update_translations.sh"


def test_core_terms_shown_in_the_interface_are_all_listed():
    """Levels, roles, code schemes and fallback sources come from the core as data."""
    core = (set(LEVEL_ZH.values()) | set(ROLES) | {s.title for s in SCHEMES.values()}
            | set(FROM_ZH.values()))
    assert core <= set(i18n.TERMS), core - set(i18n.TERMS)
    # a case's statuses and workflow actions: shown through status_term / action_term
    assert set(workflow.STATUSES) == set(i18n.CASE_STATUSES)
    assert set(workflow.ACTIONS) == set(i18n.CASE_ACTIONS)
    assert {r.what for r in workflow.RULES.values()} <= set(i18n.CASE_ACTION_HINTS)
    # the assessment indicators' names and groupings: shown through the "Indicators" context
    from gridmgr.indicators.compute import GROUPING_ZH, LABELS, NO_GROUP, TOTAL
    from ui.indicators_view import INDICATOR_WORDS

    wanted = set(LABELS.values()) | set(GROUPING_ZH.values()) | {NO_GROUP, TOTAL}
    assert wanted <= set(INDICATOR_WORDS), wanted - set(INDICATOR_WORDS)


# --------------------------------------------------------------------------- choosing, installing

@pytest.fixture
def restore_language(qapp):
    locale = QLocale()
    yield qapp
    i18n.remove_translators(qapp)
    messages.set_language("zh")
    QLocale.setDefault(locale)


@pytest.fixture
def english(restore_language):
    assert i18n.set_language(restore_language, "en") == "en"
    return restore_language


def test_language_choice_order(monkeypatch, restore_language):
    monkeypatch.delenv("GRIDMGR_LANG", raising=False)
    i18n._settings().remove(i18n.SETTINGS_KEY)
    assert i18n.chosen_language() == "zh"  # the default
    i18n.remember_language("en")  # the menu's choice, kept for the next start
    assert i18n.saved_language() == "en" and i18n.chosen_language() == "en"
    monkeypatch.setenv("GRIDMGR_LANG", "zh_CN")  # the environment beats the saved choice
    assert i18n.chosen_language() == "zh"
    assert i18n.chosen_language("en") == "en"  # and --lang beats both
    monkeypatch.setenv("GRIDMGR_LANG", "klingon")  # nonsense is passed over, not fatal
    assert i18n.chosen_language() == "en"
    i18n._settings().remove(i18n.SETTINGS_KEY)
    with pytest.raises(ValueError):
        i18n.set_language(restore_language, "fr")


def test_gui_takes_lang_before_or_after_the_command(monkeypatch):
    """`gridmgr --lang en gui` and `gridmgr gui --lang en` both reach the desktop."""
    from gridmgr.cli import main
    from gridmgr.cli import project as cli_project

    seen = []
    monkeypatch.setattr(cli_project, "_launch_gui",
                        lambda path, shot=None, verbose=False:
                        seen.append(os.environ.get("GRIDMGR_LANG")) or 0)
    for argv in (["--lang", "en", "gui"], ["gui", "--lang", "en"]):
        monkeypatch.setenv("GRIDMGR_LANG", "zh")
        assert main(argv) == 0
    messages.set_language("zh")
    assert seen == ["en", "en"]


def test_set_language_switches_ours_qts_and_the_core_sentences(restore_language):
    app = restore_language
    tr = QCoreApplication.translate
    i18n.set_language(app, "en")
    assert tr("ImportDialog", "下一步") == "Next"
    assert i18n.term("区级监管责任人") == "District supervisor"
    assert messages.language() == "en" and messages.title("no_cell") == "in no cell"
    assert QLocale().name() == "en_US"
    i18n.set_language(app, "zh")  # back: our translator leaves, Qt's own speak Chinese
    assert tr("ImportDialog", "下一步") == "下一步"
    assert tr("QPlatformTheme", "Cancel") == "取消"
    assert messages.language() == "zh" and messages.title("no_cell") == "不在网格内"
    assert QLocale().name() == "zh_CN"


# --------------------------------------------------------------------------- the dialogs

def _texts(widget) -> set[str]:
    return {w.text() for w in widget.findChildren(QLabel)}


def _shot(widget, name: str) -> None:
    QApplication.processEvents()
    assert widget.grab().save(str(SHOTS / name))


def test_import_dialog_in_english_and_by_default_in_chinese(qtbot, tmp_path, restore_language):
    from ui.import_dialog import ImportDialog

    project = tmp_path / "p.gpkg"
    init_project(project, name="禅城区", admin_code="440604").close()

    zh = ImportDialog(project, "grid")
    qtbot.addWidget(zh)
    assert zh.windowTitle() == "导入网格"
    assert zh.next_button.text() == "下一步" and "1. 选择文件" in zh.steps.text()
    assert {"文件：", "层级：", "网格体系："} <= _texts(zh)
    zh.show()
    _shot(zh, "i18n_import_zh.png")

    i18n.set_language(restore_language, "en")
    dlg = ImportDialog(project, "grid")
    qtbot.addWidget(dlg)
    assert dlg.windowTitle() == "Import grid"
    assert [b.text() for b in (dlg.back_button, dlg.next_button, dlg.finish_button,
                               dlg.close_button)] == ["Back", "Next", "Finish", "Close"]
    assert "1. Choose file" in dlg.steps.text() and "5. Dry run" in dlg.steps.text()
    assert {"File:", "Level:", "Grid system:"} <= _texts(dlg)
    assert [dlg.level.itemText(i) for i in range(dlg.level.count())] == [
        "District", "Street", "Community", "Grid cell"]
    assert dlg.level.currentData() == "cell"  # the value behind the label is unchanged
    dlg.show()
    _shot(dlg, "i18n_import_en.png")


def test_enterprise_import_dry_run_reads_in_english(qtbot, demo_copy, english):
    """Through the columns page to the dry run's report: labels, the summary, the findings
    table's headers and the finding sentences (from the core's catalogue) are English."""
    from ui.import_dialog import PAGE_COLUMNS, PAGE_DRY, ImportDialog

    dlg = ImportDialog(demo_copy, "enterprises")
    qtbot.addWidget(dlg)
    dlg.resize(1000, 640)
    dlg.show()
    assert dlg.windowTitle() == "Import enterprise register"
    assert dlg.set_file(MESSY)
    assert "30 data rows" in dlg.preview_info.text()
    assert "GB18030 (Detect automatically)" in dlg.preview_info.text()
    dlg.go_next()
    dlg.go_next()
    assert dlg.stack.currentIndex() == PAGE_COLUMNS
    assert {"Enterprise name:", "Unified social credit code:", "Longitude:"} <= _texts(dlg)
    assert dlg.combos["x"].currentText() == "(not imported)"
    assert dlg.mapping()["x"] is None  # the translated label still means "leave it out"
    assert dlg.mapping_info.text().startswith("The import will use: Enterprise name ← 企业名称")
    _shot(dlg, "i18n_import_columns_en.png")
    dlg.go_next()
    assert [dlg.coords.itemText(i) for i in range(4)] == [
        "Not given: try each system (refused when clearly wrong)", "WGS84 (GPS)",
        "GCJ-02 (Amap/Tencent)", "BD-09 (Baidu)"]
    dlg.coords.setCurrentIndex(dlg.coords.findData("gcj02"))
    dlg.go_next()
    with qtbot.waitSignal(dlg.runner.finished, timeout=60_000):
        pass
    assert dlg.stack.currentIndex() == PAGE_DRY
    panel = dlg.dry_panel
    assert panel.summary.text().startswith("Accepted 26 rows, refused 4 rows, ")
    assert "3 updated, 22 unchanged" in panel.summary.text()
    assert panel.status.text() == "Dry run finished; nothing was written to the project."
    model = panel.table.model()
    heads = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert heads[:4] == ["Severity", "Kind", "Layer/file", "Row"]
    severities = {model.index(r, 0).data() for r in range(model.rowCount())}
    assert severities == {"Error", "Warning"}
    sentences = [model.index(r, 6).data() for r in range(model.rowCount())]
    assert any("unified social credit code" in s for s in sentences)
    assert not any(re.search(r"[\u4e00-\u9fff]{2,}(?:无效|重复)", s) for s in sentences)
    _shot(dlg, "i18n_import_dry_run_en.png")


def test_new_project_dialog_in_english_and_chinese(qtbot, restore_language):
    from ui.new_project_dialog import NewProjectDialog

    def ok_cancel(dlg) -> list[str]:
        box = dlg.findChild(QDialogButtonBox)
        return [box.button(b).text() for b in (QDialogButtonBox.StandardButton.Ok,
                                                QDialogButtonBox.StandardButton.Cancel)]

    zh = NewProjectDialog()
    qtbot.addWidget(zh)
    assert zh.windowTitle() == "新建项目" and ok_cancel(zh) == ["创建", "取消"]
    assert {"项目文件：", "区划代码：", "单元网格编码规则："} <= _texts(zh)
    zh.show()
    _shot(zh, "i18n_new_project_zh.png")

    i18n.set_language(restore_language, "en")
    dlg = NewProjectDialog()
    qtbot.addWidget(dlg)
    assert dlg.windowTitle() == "New project" and ok_cancel(dlg) == ["Create", "Cancel"]
    assert {"Project file:", "Name:", "Division code:", "Storage CRS:",
            "Cell code scheme:"} <= _texts(dlg)
    assert dlg.crs.itemText(0) == "CGCS2000 geographic (EPSG:4490, recommended)"
    assert dlg.scheme.currentText() == "National cell codes, CJ/T 213 (14 digits)"
    assert dlg.admin.placeholderText() == "6-digit county division code, e.g. 440604"
    # a listed CRS still gives its EPSG code, whatever the label's language
    dlg.crs.setCurrentIndex(dlg.crs.findData("EPSG:4547"))
    assert dlg.crs.itemData(dlg.crs.findText(dlg.crs.currentText())) == "EPSG:4547"
    dlg.show()
    _shot(dlg, "i18n_new_project_en.png")


def test_assign_dialog_in_english_stores_the_chinese_role(qtbot, demo_copy, english):
    """The role is shown in English but stored as the project knows it (网格员)."""
    from gridmgr.project import open_project
    from ui.assign_dialog import AssignDialog

    dlg = AssignDialog(str(demo_copy), ["44060401200101"],
                       [("CC0013", "张三", "网格员"), ("CC0099", "李四", None)])
    qtbot.addWidget(dlg)
    assert dlg.windowTitle() == "Assign responsible officer"
    assert dlg.officer.itemText(0) == "张三 (CC0013, Grid worker)"
    assert dlg.officer.itemText(1) == "李四 (CC0099, no role)"
    assert dlg.role.currentText() == "Grid worker" and dlg.role.currentData() == "网格员"
    dlg.show()
    _shot(dlg, "i18n_assign_en.png")
    dlg.apply()
    with open_project(demo_copy, readonly=True) as store:
        rows = store.responsibilities()
    mine = rows[(rows["area_code"] == "44060401200101") & (rows["staff_no"] == "CC0013")]
    assert list(mine["role"]) == ["网格员"]


def test_language_menu_installs_and_remembers_the_choice(qtbot, monkeypatch, restore_language):
    from PySide6.QtWidgets import QMenu

    monkeypatch.delenv("GRIDMGR_LANG", raising=False)
    i18n.set_language(restore_language, "zh")
    top = QMenu()
    sub = i18n.add_language_menu(top, restore_language)
    choices = {a.text(): a for a in sub.actions() if a.data()}
    assert set(choices) == {"简体中文", "English"} and choices["简体中文"].isChecked()
    choices["English"].trigger()
    assert i18n.saved_language() == "en" and i18n.chosen_language() == "en"
    assert QCoreApplication.translate("ImportDialog", "下一步") == "Next"
    assert choices["English"].isChecked() and not choices["简体中文"].isChecked()
    choices["简体中文"].trigger()
    assert i18n.saved_language() == "zh" and messages.language() == "zh"
    i18n._settings().remove(i18n.SETTINGS_KEY)


def test_print_dialog_in_english_keeps_its_option_values(qtbot, demo, english):
    """Labels, choices and the preview message are English; the options mean the same."""
    from PySide6.QtWidgets import QPushButton

    from ui.print_dialog import PrintDialog

    def ready() -> None:  # the preview's data are gathered in a worker thread
        qtbot.waitUntil(lambda: not dlg.preparing(), timeout=60_000)

    dlg = PrintDialog(demo, scope="440604012001")
    qtbot.addWidget(dlg)
    ready()
    assert dlg.windowTitle() == "Print responsibility map"
    assert {"Map scope:", "Atlas:", "Paper:", "Orientation:", "Title:"} <= _texts(dlg)
    assert {b.text() for b in dlg.findChildren(QPushButton)} >= {
        "Refresh preview", "Print…", "Export PDF/PNG…", "Close"}
    assert [dlg.atlas.itemText(i) for i in range(dlg.atlas.count())] == [
        "Single sheet", "One sheet per street", "One sheet per community",
        "One sheet per grid cell", "One sheet per officer"]
    assert [dlg.orientation.itemText(i) for i in range(2)] == ["Portrait", "Landscape"]
    assert dlg.scope.itemText(0) == "Whole district" and dlg.scope.itemData(0) == "district"
    officer = next(i for i in range(dlg.scope.count())
                   if str(dlg.scope.itemData(i)).startswith("officer:"))
    assert dlg.scope.itemText(officer).startswith("Officer ")
    # the area name is data (Chinese); the sentence around it is English
    assert re.fullmatch(r".*升平社区.*: \d+ grid cells", dlg.message.text())
    dlg.atlas.setCurrentIndex(dlg.atlas.findText("One sheet per grid cell"))
    dlg.orientation.setCurrentIndex(1)
    ready()
    assert dlg.options()["atlas"] == "cell" and dlg.options()["landscape"] is True
    assert re.search(r": \d+ grid cells, \d+ sheets$", dlg.message.text())
    dlg.resize(1000, 700)
    dlg.show()
    _shot(dlg, "i18n_print_en.png")
    # every label and button fits its English text
    clipped = [w.text() for w in [*dlg.findChildren(QLabel), *dlg.findChildren(QPushButton)]
               if w.isVisible() and w.text() and not (isinstance(w, QLabel) and w.wordWrap())
               and w.width() < w.sizeHint().width()]
    assert not clipped, clipped


def test_fieldpack_export_dialog_in_english(qtbot, demo_copy, english):
    from PySide6.QtWidgets import QRadioButton

    from ui.fieldpack_dialog import FieldpackExportDialog

    dlg = FieldpackExportDialog(demo_copy)
    qtbot.addWidget(dlg)
    assert dlg.windowTitle() == "Export field package"
    assert {"Scope:", "Date:", "Output:"} <= _texts(dlg)
    assert {r.text() for r in dlg.findChildren(QRadioButton)} == {
        "By officer", "By area",
        "All officers: one .zip for everyone on duty that day (output is a folder)"}
    assert (dlg.export_button.text(), dlg.close_button.text()) == ("Export", "Close")
    assert dlg.progress.cancel_button.text() == "Cancel"
    assert dlg.out.placeholderText() == "A new folder, or a file ending in .zip"
    # levels and roles are shown in English; the staff number and area code stay the data
    areas = [dlg.area.itemText(i) for i in range(dlg.area.count())]
    assert any(t.startswith("Street ") for t in areas)
    assert any(t.startswith("Community ") for t in areas)
    i = dlg.officer.findText("Grid worker", Qt.MatchFlag.MatchEndsWith)
    assert i >= 0 and "(" in dlg.officer.itemText(i)
    staff = dlg.officer.itemData(i)
    assert dlg.choice() == ("officer", dlg.officer.currentData())
    dlg.officer.setCurrentIndex(i)
    assert dlg.choice() == ("officer", staff)
    dlg.officer.setEditText(dlg.officer.itemText(i).replace(" Grid worker", ""))  # typed
    assert dlg.choice() == ("officer", staff)
    dlg.all_officers.setChecked(True)
    assert dlg.out.placeholderText() == "New folder (for everyone's .zip)"
    dlg.by_area.setChecked(True)
    assert dlg.out.placeholderText() == "A new folder, or a file ending in .zip"
    street = next(j for j, t in enumerate(areas) if t.startswith("Street "))
    dlg.area.setCurrentIndex(street)
    assert dlg.choice() == ("area", dlg.area.itemData(street))
    dlg.show()
    _shot(dlg, "i18n_fieldpack_export_en.png")


def test_fieldpack_import_and_conflicts_in_english(qtbot, demo_copy, tmp_path, english):
    """The dry run's receipt, the conflicts table and its decisions read in English; the
    values (names, phone numbers) are the data, unchanged."""
    from fieldpack_helpers import OFFICER, edit_enterprise, enterprises_of

    from gridmgr.fieldwork.export import export_fieldpack
    from gridmgr.fieldwork.importer import import_fieldpack
    from gridmgr.progress import run
    from gridmgr.project import open_project
    from ui.conflicts_view import ConflictsDialog
    from ui.fieldpack_dialog import FieldpackImportDialog

    pack = tmp_path / "pack"
    with open_project(demo_copy) as store:
        run(export_fieldpack(store, out=pack, officer=OFFICER))
    e = enterprises_of(pack / "data.gpkg").iloc[0]
    edit_enterprise(pack / "data.gpkg", e["uuid"], phone="13900000000")

    dlg = FieldpackImportDialog(demo_copy)
    qtbot.addWidget(dlg)
    assert dlg.windowTitle() == "Import field package" and "Field package:" in _texts(dlg)
    assert [b.text() for b in (dlg.dry_button, dlg.import_button, dlg.close_button)] == [
        "Dry run", "Import", "Close"]
    dlg.resize(900, 560)
    dlg.show()
    dlg.set_package(pack)
    dlg.run_dry()
    qtbot.waitUntil(lambda: dlg.import_button.isEnabled(), timeout=120_000)
    assert dlg.status.text() == (
        "<b>Dry run finished</b>; nothing was written to the project. The import will add: "
        "0 inspections, 1 enterprise corrections, 0 case steps, 0 new conflicts")
    assert dlg.summary.text() == f"Enterprise correction {e['name']}"
    _shot(dlg, "i18n_fieldpack_import_en.png")

    with open_project(demo_copy) as store:  # the desk changes the same phone: a conflict
        with store.atomic():
            store.set_enterprise_field_values(e["uuid"], {"phone": "0757-88888888"}, None, None)
        run(import_fieldpack(store, pack))
    conflicts = ConflictsDialog(demo_copy)
    qtbot.addWidget(conflicts)
    view = conflicts.view
    assert conflicts.windowTitle() == "Field conflicts"
    heads = [view.table.horizontalHeaderItem(i).text() for i in range(view.table.columnCount())]
    assert heads == ["No.", "Record", "Kind", "Field", "When exported", "Desk version",
                     "Field version", "Status"]
    rows = [[view.table.item(r, c).text() for c in range(view.table.columnCount())]
            for r in range(view.table.rowCount())]
    assert rows[0][1:3] == [e["name"], "Enterprise"] and rows[0][7] == "Undecided"
    phone = next(r for r in rows if r[3] == "Contact phone")
    assert phone[5:7] == ["0757-88888888", "13900000000"]
    assert view.summary.text().startswith("1 undecided conflicts: ")
    assert (view.keep_desk.text(), view.keep_field.text()) == ("Keep desk version",
                                                               "Take field version")
    conflicts.show()
    _shot(conflicts, "i18n_conflicts_en.png")


def test_case_panel_in_english_shows_statuses_and_actions_translated(qtbot, demo_copy, english):
    """Statuses and workflow actions are stored in Chinese and shown in English: the list, the
    detail's buttons (still keyed by the stored action), the history and the map legend."""
    from gridmgr.project import open_project
    from ui.cases_panel import CasesPanel

    with open_project(demo_copy, readonly=True) as store:
        frame = store.cases_frame()
    case_no = frame[frame["status"] == "处置"].sort_values("case_no")["case_no"].iloc[0]
    panel = CasesPanel(demo_copy)
    qtbot.addWidget(panel)
    panel.resize(1300, 800)
    panel.show()
    assert panel.show_case(case_no)
    detail = panel.detail
    assert detail.buttons["反馈"].text() == "Report back"
    assert detail.buttons["回退"].text() == "Send back"
    assert "Handling" in detail.title.text() and "Case " + case_no in detail.title.text()
    assert detail.actions_hint.text().startswith("Possible actions: Report back, ")
    model = panel.list.model
    statuses = {model.display(r, "status") for r in range(model.rowCount())}
    assert "Closed" in statuses and "结案" not in statuses
    legend = panel.markers(every=True)["legend"]
    assert legend["title"] == "Case status"
    labels = [e["label"] for e in legend["entries"]]
    closed = int((frame["status"] == "结案").sum())
    assert f"Closed ({closed})" in labels and labels[-1].startswith("Red ring: overdue (")
    _shot(panel, "i18n_cases_panel_en.png")


def test_every_register_heading_is_listed_for_translation():
    from gridmgr.storage.queries import BROWSABLE
    from ui.register_table import HEADER_WORDS, HEADERS

    shown = {HEADERS.get(c, c) for _id, cols, _f in BROWSABLE.values() for c in cols}
    assert shown <= set(HEADER_WORDS), shown - set(HEADER_WORDS)


def test_shipped_vocabulary_shown_as_data_is_listed_for_translation(restore_language):
    """Grid-system names, case sources, ratings and the step notes gridmgr writes are stored in
    Chinese and shown through ui.i18n; every one the core ships is listed there."""
    from gridmgr.cases import notes
    from gridmgr.cases.lifecycle import SOURCES
    from gridmgr.registers.enterprises import RATINGS, SUPERVISION_CLASSES
    from gridmgr.storage.gpkg.schema import GRID_SYSTEMS

    assert {s["code"]: s["name"] for s in GRID_SYSTEMS} == i18n.GRID_SYSTEM_NAMES
    assert set(SOURCES) == set(i18n.CASE_SOURCES)
    assert set(RATINGS) | set(SUPERVISION_CLASSES) <= set(i18n.TERMS)
    assert set(notes.TEMPLATES) == set(i18n.STEP_NOTES)
    assert all(notes.TEMPLATES[k] == v for k, v in i18n.STEP_NOTES.items())
    i18n.set_language(restore_language, "en")
    assert i18n.system_name("urban", "城管单元网格") == "Urban management grid"
    assert i18n.system_name("urban", "数字城管网格") == "数字城管网格"  # renamed: the bureau's
    assert i18n.source_term("12345热线") == "12345 hotline"
    assert i18n.source_term("来电") == "来电"  # a source from an imported file passes as it is
    assert i18n.step_note(notes.IMPORTED.format(status="已办结")) == \
        "Imported: external status 已办结"
    assert i18n.step_note(notes.APPROVED.format(note="需协调", approver="CC0002")) == \
        "需协调 (approved by CC0002)"
    assert i18n.step_note("现场已清理") == "现场已清理"  # typed by a person: data
