"""English, whole (issue 16 point 9): with the English interface installed, nothing a user can
read in the window or in a dialog reachable from it is Chinese, except the project's data
(area, enterprise and officer names, addresses, case descriptions, the bureau's categories)
and the language menu, which names each language in itself.

The walk (tests/ui_texts.py) reads every widget's texts: the tabs and what they show (register
tables, the case list and a case page of every status, the indicators computed), the menus and
their actions, tool tips, the status bar, table headers and cells, combo items, the detail
panel, the map's legend and the map page's own text; then triggers every menu action that opens
a dialog (modal ones are read when they would wait for the user) and the case forms.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog
from ui_texts import (
    CJK,
    FULL_WIDTH_PUNCTUATION,
    DataFilter,
    leftover_chinese,
    project_data,
    status_texts,
    visible_texts,
)
from webpage import wait_js

from gridmgr import messages
from gridmgr.project import open_project
from ui import i18n

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "ui" / "i18n" / "gridmgr_en.ts"
SHOTS = Path("/tmp")
# English translations that keep Chinese on purpose: the language menu names Chinese in Chinese
# (a reader stuck in English finds the way back), and a Chinese district as the example input
CHINESE_ON_PURPOSE = {("LanguageMenu", "语言 Language"), ("NewProjectDialog", "例如 禅城区")}


@pytest.fixture
def english(qapp):
    locale = QLocale()
    assert i18n.set_language(qapp, "en") == "en"
    yield qapp
    i18n.remove_translators(qapp)
    messages.set_language("zh")
    QLocale.setDefault(locale)


def _language_menu_words() -> set[str]:
    return {*i18n.LANGUAGE_NAMES.values(),
            QCoreApplication.translate("LanguageMenu", "语言 Language")}


def chinese_left(texts: list[tuple[str, str]], data: DataFilter) -> list[str]:
    keep = _language_menu_words()
    return leftover_chinese([(w, t) for w, t in texts if t not in keep], data)


def _data(location) -> DataFilter:
    with open_project(location, readonly=True) as store:
        return DataFilter(project_data(store))


def _english_window(qtbot, location):
    from ui.app import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    with qtbot.waitSignal(win.map.painted, timeout=30_000):
        assert win.load(location)
    qtbot.waitExposed(win)
    return win


def _wait_indicators(qtbot, view, by: str) -> None:
    view.by.setCurrentIndex(view.by.findData(by))
    with qtbot.waitSignal(view.computed, timeout=60_000):
        view.compute()


def window_texts(qtbot, win) -> list[tuple[str, str]]:
    """Everything the main window shows, tab by tab, after the selections that fill it."""
    texts: list[tuple[str, str]] = []
    for i in range(win.tabs.count()):  # the tabs fill their tables when first shown
        win.tabs.setCurrentIndex(i)
        qtbot.wait(50)
    win.tabs.setCurrentIndex(0)
    # the detail panel for a street, a cell, an enterprise and an officer; a search's hits
    with open_project(win.project, readonly=True) as store:
        ents = store.enterprises()
        officers = store.officers()
        cases = store.cases_frame()
    for code in ("440604012", "44060401200101"):
        win.select_code(code)
        texts.append(("detail panel", win.detail_plain()))
    for fid in ents.sort_values("supervision_class")["fid"].head(3):
        win.select_enterprise(int(fid))
        texts.append(("detail panel", win.detail_plain()))
    for staff in officers["staff_no"].head(3):
        win.select_officer(staff)
        texts.append(("detail panel", win.detail_plain()))
    win.search.setText("祖庙街道")  # what the user typed: an area name (data)
    win.find()
    texts += visible_texts(win.hits) + status_texts(win)
    # every measure and case filter: the legend pushed to the map
    for combo in (win.measure, win.case_show, win.case_period):
        for i in range(combo.count()):
            combo.setCurrentIndex(i)
            texts.append((f"legend ({combo.currentData()})",
                          json.dumps(win.legend(), ensure_ascii=False)))
    win.case_show.setCurrentIndex(0)
    win.case_period.setCurrentIndex(0)
    win.measure.setCurrentIndex(win.measure.findData("open_cases"))
    # a case page of every status, the case list, the indicators by street and by handler
    panel = win.cases_panel
    for status in sorted(set(cases["status"])):
        case_no = cases.loc[cases["status"] == status, "case_no"].iloc[0]
        assert panel.show_case(case_no)
        texts += [(f"case page ({status})", t) for _w, t in visible_texts(panel.detail)]
    panel.tabs.setCurrentWidget(panel.indicators)
    for by in ("street", "officer"):
        _wait_indicators(qtbot, panel.indicators, by)
        texts += visible_texts(panel.indicators)
    panel.tabs.setCurrentIndex(0)
    win.tabs.setCurrentIndex(0)
    texts += visible_texts(win) + status_texts(win) + visible_texts(win.menuBar())
    # the map page itself: its layer control, scale bar and legend as the page shows them
    page = wait_js(qtbot, win.map, "document.body.innerText",
                   lambda v: isinstance(v, str) and "Boundaries" in v)
    texts.append(("map page", page))
    return texts


def test_the_main_window_in_english_shows_chinese_only_as_data(qtbot, demo, english):
    data = _data(demo)
    win = _english_window(qtbot, demo)
    loaded = win.statusBar().currentMessage()  # the grid system and its counts
    texts = window_texts(qtbot, win)
    left = chinese_left(texts, data)
    assert not left, "Chinese interface text in --lang en:\n" + "\n".join(left)
    # the walk read the window, not an empty shell: data shown in Chinese, vocabulary in English
    assert len(texts) > 3000
    assert sum(bool(CJK.search(t)) for _w, t in texts) > 500  # names, addresses …
    shown = {t for _w, t in texts}
    assert "Urban management grid" in shown and "Environmental grid" in shown  # systems combo
    assert "Grid worker" in shown and "State key" in shown and "Green" in shown  # registers
    assert "Patrol report" in shown  # a case's source, in the list and its filter
    assert "    Urban management grid: District 1, Street 4, Community " in loaded
    page = next(t for w, t in texts if w == "map page")
    assert "State key" in page and "Cases: Unresolved, Any time" in page
    assert any(t.startswith("禅城区 grid assessment indicators (by street)\nAs of ")
               for _w, t in texts)
    assert any("Imported: external status 已办结" in t for w, t in texts
               if w.startswith("case page"))
    win.tabs.setCurrentIndex(0)
    qtbot.wait(300)
    assert win.grab().save(str(SHOTS / "english_whole_window.png"))


def test_every_dialog_from_the_menus_and_the_case_page_speaks_english(qtbot, demo_copy,
                                                                      english, monkeypatch,
                                                                      modal_boxes_never_block):
    """Trigger every menu action (quitting, switching language and reopening recent projects
    aside): modal dialogs are read when they would wait, file choosers answer "cancel", the
    others are read once shown.  Then the new-case form and each action form of a case."""
    data = _data(demo_copy)
    win = _english_window(qtbot, demo_copy)
    win.select_code("44060401200101")  # a cell: the assign dialog opens instead of a hint
    seen: list[tuple[str, QDialog]] = []
    texts: list[tuple[str, str]] = []

    def read_modal(dialog, *_a, **_k) -> int:
        texts.extend((f"{type(dialog).__name__} (modal)", t) for _w, t in visible_texts(dialog))
        seen.append(("modal", dialog))
        return 0  # as if cancelled

    monkeypatch.setattr(QDialog, "exec", read_modal)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: ""))
    skip = {QCoreApplication.translate("MainWindow", "退出"), *i18n.LANGUAGE_NAMES.values()}
    actions = []

    def collect(menu) -> None:
        for act in menu.actions():
            if act.menu() is not None:
                if act.menu() is not win.recent_menu:
                    collect(act.menu())
            elif act.text() and act.isEnabled() and act.text() not in skip:
                actions.append(act)

    for top in win.menuBar().actions():
        collect(top.menu())
    assert len(actions) >= 14
    before = set(QApplication.topLevelWidgets())
    for act in actions:
        act.trigger()
        if act.text() == QCoreApplication.translate("MainWindow", "检查网格…"):
            qtbot.waitUntil(lambda: getattr(win, "findings_dialog", None) is not None,
                            timeout=60_000)
        for w in set(QApplication.topLevelWidgets()) - before:
            if isinstance(w, QDialog) and w.isVisible():
                preparing = getattr(w, "preparing", None)
                if preparing is not None:  # the print dialog gathers its preview in a thread
                    qtbot.waitUntil(lambda p=preparing: not p(), timeout=60_000)
                    data = data.plus([w.job().title])  # the sheet's title: a Chinese document
                    if "print" not in {k for k, _d in seen}:
                        w.resize(1000, 700)
                        qtbot.wait(200)
                        assert w.grab().save(str(SHOTS / "english_whole_print.png"))
                texts.extend((f"{type(w).__name__} ({act.text()})", t)
                             for _w, t in visible_texts(w))
                seen.append(("print" if preparing else act.text(), w))
                w.close()
        before = set(QApplication.topLevelWidgets())
    kinds = {type(d).__name__ for _k, d in seen}
    assert {"NewProjectDialog", "ImportDialog", "PrintDialog", "FindingsDialog", "AssignDialog",
            "FieldpackExportDialog", "FieldpackImportDialog", "ConflictsDialog"} <= kinds, kinds

    # the cases tab: the new-case form, and each action form a case in 处置 offers
    panel = win.cases_panel
    dialog = panel.new_case_at(113.11, 23.02)
    qtbot.wait(200)
    texts += [("NewCaseDialog", t) for _w, t in visible_texts(dialog)]
    dialog.resize(640, 640)
    assert dialog.grab().save(str(SHOTS / "english_whole_new_case.png"))
    dialog.close()
    with open_project(demo_copy, readonly=True) as store:
        cases = store.cases_frame()
    handling = cases.loc[cases["status"] == "处置", "case_no"].iloc[0]
    assert panel.show_case(handling)
    from gridmgr.cases.workflow import RULES

    offered = [key for key in panel.detail.buttons if key in RULES]  # not "show on map"
    assert len(offered) >= 3
    for action in offered:
        form = panel.detail.open_action(action)
        if form is not None:
            texts += [(f"ActionDialog ({action})", t) for _w, t in visible_texts(form)]
            form.close()
    texts += [("message box", text) for _kind, text in modal_boxes_never_block]

    left = chinese_left(texts, data)
    assert not left, "Chinese interface text in --lang en:\n" + "\n".join(left)
    assert len(texts) > 1500


def test_a_planted_chinese_word_is_caught_and_data_is_not(qtbot, demo, english, monkeypatch):
    """The check itself: case sources shown untranslated (the tool's vocabulary, as a forgotten
    translation would show them) fail it, while the window's names and addresses pass."""
    from gridmgr.cases.lifecycle import SOURCES

    data = _data(demo)
    monkeypatch.setattr("ui.cases_view.source_term", lambda s: s or "")
    win = _english_window(qtbot, demo)
    win.tabs.setCurrentWidget(win.cases_panel)
    qtbot.wait(50)
    left = chinese_left(visible_texts(win), data)
    assert any("巡查上报" in line and "QTableView" in line for line in left), left
    # nothing else is reported: names, addresses and descriptions are data
    assert all(any(s in line for s in SOURCES) for line in left), left


def test_english_translations_have_no_full_width_punctuation():
    """An English sentence with ，。：；（）！？、 or an ideographic space reads as a mistake;
    Chinese in an English translation is allowed only where it is on purpose."""
    wrong, chinese = [], []
    for ctx in ET.parse(TS).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            source, text = msg.findtext("source") or "", msg.findtext("translation") or ""
            if FULL_WIDTH_PUNCTUATION.search(text):
                wrong.append(f"[{name}] {source} → {text}")
            if CJK.search(text) and (name, source) not in CHINESE_ON_PURPOSE:
                chinese.append(f"[{name}] {source} → {text}")
    assert not wrong, "\n".join(wrong)
    assert not chinese, "\n".join(chinese)
    assert FULL_WIDTH_PUNCTUATION.search("Parent：禅城区")  # the pattern does catch them
