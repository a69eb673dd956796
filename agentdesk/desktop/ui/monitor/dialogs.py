"""What a team lead fills in before acting on an agent: a pause (reason and
a note the agent reads), a pause after the current call, the agent's queues
and penalties; the queue to move a waiting caller to. Each dialog only
collects; the controller sends."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from agentdesk.contract.monitor import AgentRow

from ..common.text import clean_text, plain_label

MAX_NOTE = 200
MAX_PENALTY = 99


def _buttons(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class PauseDialog(QDialog):
    """Pause an agent now, or (after_call) once their current call ends."""

    def __init__(self, agent: AgentRow, reasons: tuple[str, ...], after_call: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        who = clean_text(agent.name or agent.agent)
        title = self.tr("Pause %1 after this call") if after_call else self.tr("Pause %1")
        self.setWindowTitle(title.replace("%1", who))
        self.reason = QComboBox(self)
        for reason in reasons:
            self.reason.addItem(clean_text(reason), reason)
        self.note = QLineEdit(self)
        self.note.setMaxLength(MAX_NOTE)
        self.note.setPlaceholderText(self.tr("Why (the agent reads this)"))
        form = QFormLayout(self)
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.tr("Note"), self.note)
        self.cancel_pending = QCheckBox(self.tr("Cancel the pause asked for after this call"), self)
        self.cancel_pending.setVisible(after_call and bool(agent.pause_after_call))
        form.addRow(self.cancel_pending)
        form.addRow(_buttons(self))

    def chosen_reason(self) -> str:
        return str(self.reason.currentData() or "")


class QueuesDialog(QDialog):
    """An agent's queues: logged in or not, and their penalty in each (lower is offered first)."""

    def __init__(self, agent: AgentRow, titles: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Queues of %1").replace("%1", clean_text(agent.name or agent.agent)))
        self.agent = agent
        self.logged_in: dict[str, QCheckBox] = {}
        self.penalty: dict[str, QSpinBox] = {}
        grid = QGridLayout()
        grid.addWidget(plain_label(self.tr("Queue")), 0, 0)
        grid.addWidget(plain_label(self.tr("Penalty")), 0, 1)
        for row, queue in enumerate(sorted(agent.queues), start=1):
            box = QCheckBox(clean_text(titles.get(queue, queue)), self)
            box.setChecked(agent.queues[queue])
            spin = QSpinBox(self)
            spin.setRange(0, MAX_PENALTY)
            spin.setValue(agent.penalties.get(queue, 0))
            self.logged_in[queue], self.penalty[queue] = box, spin
            grid.addWidget(box, row, 0)
            grid.addWidget(spin, row, 1)
        self.note = QLineEdit(self)
        self.note.setMaxLength(MAX_NOTE)
        self.note.setPlaceholderText(self.tr("Why (the agent reads this)"))
        column = QVBoxLayout(self)
        column.addLayout(grid)
        column.addWidget(self.note)
        column.addWidget(_buttons(self))

    def login_changes(self) -> dict[str, bool]:
        return {q: box.isChecked() for q, box in self.logged_in.items() if box.isChecked() != self.agent.queues[q]}

    def penalty_changes(self) -> dict[str, int]:
        return {q: spin.value() for q, spin in self.penalty.items()
                if spin.value() != self.agent.penalties.get(q, 0)}


class MoveCallerDialog(QDialog):
    """The queue to move a waiting caller to (they keep how long they have waited)."""

    def __init__(self, caller: str, queues: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Move %1 to another queue").replace("%1", clean_text(caller)))
        self.queue = QComboBox(self)
        for name, title in queues:
            self.queue.addItem(clean_text(title), name)
        form = QFormLayout(self)
        form.addRow(self.tr("Queue"), self.queue)
        form.addRow(_buttons(self))

    def chosen_queue(self) -> str:
        return str(self.queue.currentData() or "")
