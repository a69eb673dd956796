"""The Settings dialog and an administrator's settings: a locked one shows
greyed with "Set by your administrator" and cannot be changed; the Account
page takes a one-time set-up link."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialogButtonBox, QLabel

from agentdesk.desktop.settings import Settings
from agentdesk.desktop.ui.common.settings_dialog import SettingsDialog


def settings_dialog(qtbot: Any, settings: Settings) -> SettingsDialog:
    dialog = SettingsDialog(settings, None, "", lambda: 0.0)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_a_locked_setting_is_greyed_says_why_and_cannot_be_changed(qtbot: Any, user_folders: Any) -> None:
    settings = Settings()
    settings.provision({"auto_answer": True, "tone_zone": "eu"}, ["auto_answer"])
    dialog = settings_dialog(qtbot, settings)
    dialog.tabs.setCurrentIndex(2)  # Calls
    box = dialog.editors["auto_answer"]
    assert isinstance(box, QCheckBox)
    notes = dialog.findChildren(QLabel, "LockedNote")
    assert [note.text() for note in notes] == ["Set by your administrator"] and notes[0].isVisible()
    assert not box.isEnabled() and box.isChecked() and box.toolTip() == "Set by your administrator"
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked()
    zone = dialog.editors["tone_zone"]  # the administrator's value, the agent's to change
    assert isinstance(zone, QComboBox) and zone.isEnabled() and zone.currentData() == "eu"
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert saved.args[0]["auto_answer"] is True


def test_the_account_page_takes_a_set_up_link_once(qtbot: Any, user_folders: Any) -> None:
    dialog = settings_dialog(qtbot, Settings())
    assert dialog.tabs.currentIndex() == 0 and dialog.link_button.isVisible()
    assert dialog.link_button.text() == "Set up from a link…"
    with qtbot.assertNotEmitted(dialog.enrollRequested):
        qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    assert dialog.problem.isVisible() and "Paste the set-up link" in dialog.problem.text()
    link = "https://desk.example.com:8480/enroll/" + "x" * 43
    qtbot.keyClicks(dialog.link, f" {link} ")
    with qtbot.waitSignal(dialog.enrollRequested) as asked:
        qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    assert asked.args == [link]
    assert not dialog.link_button.isEnabled() and not dialog.buttons.isEnabled() and not dialog.problem.isVisible()
    dialog.show_problem("this set-up link was used already")
    assert dialog.link_button.isEnabled() and dialog.problem.text() == "this set-up link was used already"
