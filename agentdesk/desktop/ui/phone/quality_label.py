"""How a call sounds, on its card: a small label coloured by level ("Good",
"Fair: packet loss 6 %", "Poor: high delay (420 ms round trip)"), with the
figures behind it in its tooltip and accessible description.

The label changes only when what it says changes, and never narrows while
the call lasts: a call whose loss wavers between 6 and 7 % does not make
its card's row jump every two seconds.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget

from agentdesk.contract.quality import FAIR, GOOD, POOR

from ...phone.quality import Factor, figure
from ...phone.qualitytrack import QualityReport
from ..common.text import plain_tooltip


def level_word(level: str) -> str:
    translate = QCoreApplication.translate
    words = {GOOD: translate("CallQuality", "Good"), FAIR: translate("CallQuality", "Fair"),
             POOR: translate("CallQuality", "Poor")}
    return words.get(level, level)


def reason_words(report: QualityReport) -> str:
    """What impairs the call most, in the agent's language ('' nothing)."""
    translate = QCoreApplication.translate
    estimate = report.estimate
    figures, outbound = estimate.figures, estimate.outbound
    if estimate.factor is Factor.LOSS:
        text = (translate("CallQuality", "packet loss %1 % towards the other party") if outbound
                else translate("CallQuality", "packet loss %1 %"))
        return text.replace("%1", figure(figures.loss_pct))
    if estimate.factor is Factor.DELAY:
        return translate("CallQuality", "high delay (%1 ms round trip)").replace("%1", figure(figures.rtt_ms or 0.0))
    if estimate.factor is Factor.JITTER:
        text = (translate("CallQuality", "jitter %1 ms towards the other party") if outbound
                else translate("CallQuality", "jitter %1 ms"))
        return text.replace("%1", figure(figures.jitter_ms))
    return ""


def quality_text(report: QualityReport) -> str:
    level, reason = level_word(report.level), reason_words(report)
    return QCoreApplication.translate("CallQuality", "%1: %2").replace("%1", level).replace("%2", reason) \
        if reason else level


def quality_details(report: QualityReport) -> str:
    """Every figure, for the tooltip and screen readers."""
    translate = QCoreApplication.translate
    unknown = translate("CallQuality", "unknown")
    lines = [
        translate("CallQuality", "Call quality: %1 (estimated MOS %2 of 4.5)")
        .replace("%1", quality_text(report)).replace("%2", f"{report.mos:.1f}"),
        translate("CallQuality", "Packet loss: %1 % to you, %2 to the other party")
        .replace("%1", figure(report.loss_pct))
        .replace("%2", f"{figure(report.remote_loss_pct)} %" if report.remote_loss_pct is not None else unknown),
        translate("CallQuality", "Jitter: %1 ms · round trip: %2")
        .replace("%1", figure(report.jitter_ms))
        .replace("%2", f"{figure(report.rtt_ms)} ms" if report.rtt_ms is not None else unknown),
        translate("CallQuality", "Codec: %1 · transport: %2 · encrypted audio: %3")
        .replace("%1", report.codec).replace("%2", report.transport.upper()).replace("%3", srtp_word(report.srtp)),
    ]
    return "\n".join(lines)


def srtp_word(answer: str) -> str:
    translate = QCoreApplication.translate
    words = {"yes": translate("CallQuality", "yes"), "no": translate("CallQuality", "no")}
    return words.get(answer, translate("CallQuality", "unknown"))


class QualityLabel(QLabel):
    """Hidden until the call's first report; `level` (good, fair, poor) is a
    style property (ui/common/style.py colours it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CallQuality")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName(self.tr("Call quality"))
        self.hide()

    def show_report(self, report: QualityReport) -> None:
        text = quality_text(report)
        if text != self.text():
            self.setText(text)
            self.setMinimumWidth(max(self.minimumWidth(), self.sizeHint().width()))
        details = quality_details(report)
        if details != self.accessibleDescription():
            self.setAccessibleDescription(details)
            self.setToolTip(plain_tooltip(details))
        if self.property("level") != report.level:
            self.setProperty("level", report.level)
            self.style().unpolish(self)
            self.style().polish(self)
        self.show()
