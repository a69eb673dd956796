"""The composition root: builds every object, wires them, runs the loop.

Nothing else creates long-lived objects or reaches for globals, apart from
the phone itself, started before the window (phonestart.py); tests build a
`Desktop` with their own settings and folders.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, Qt, QTranslator, Signal
from PySide6.QtWidgets import QApplication

from agentdesk.contract.offers import OfferTaken
from agentdesk.contract.queues import DeskSnapshot
from agentdesk.contract.wrapups import SurveyResult

from . import credentials
from .audio.bridge import DeviceChoice
from .autostart import apply_autostart
from .callquality import CallQualityLog
from .crm.lookup import CrmConfig, CrmLookup
from .history import CallHistory, entry_for
from .link.api import default_desk_url
from .link.callback_client import CallbackClient
from .link.connection import DeskConnection
from .link.quality_now import LiveQualityReporter
from .link.quality_outbox import QualityFiles, QualityOutbox, desk_sender
from .link.wrapup_outbox import WrapUpOutbox
from .link.wrapups import WrapUpDraft, WrapUpFiles
from .mode import MonitorMode
from .phone.model import CallSnapshot, CallState, PhoneError
from .phonestart import ACCOUNT_KEYS, StartedPhone, account_config
from .provisioning.live import ProvisioningWatch
from .resources import resource
from .settings import Settings, data_dir
from .settings_flow import SettingsFlow
from .tasks import TaskRunner
from .ui.callbacks.controller import CallbackDesk
from .ui.common.numbers import use_region
from .ui.common.when import user_locale
from .ui.phone.main_window import MainWindow
from .ui.queues.controller import DeskView
from .ui.wrapup.controller import WrapUpDesk

log = logging.getLogger("agentdesk.desktop")
RTL_LANGUAGES = ("fa", "ar", "he", "ur")
CRM_KEYS = frozenset(("crm_lookup_url", "crm_open_url", "crm_timeout_ms", "crm_auth_header"))  # _crm_config's


def layout_direction(language: str, choice: str) -> Qt.LayoutDirection:
    rtl = choice == "rtl" or (choice == "auto" and language in RTL_LANGUAGES)
    return Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight


class Desktop(QObject):
    """The running softphone: settings, audio, phone engine, history, window.

    Signals: finished() once quit() has hung up, unregistered and released
    the audio devices; the owner then leaves the event loop."""

    finished = Signal()

    def __init__(self, app: QApplication, settings: Settings, phone: StartedPhone) -> None:
        super().__init__(app)
        self.app = app
        self.settings = settings
        self.phone = phone
        phone.setParent(self)
        self.tasks = TaskRunner(parent=self)
        self._translators: list[QTranslator] = []
        self.apply_language()
        self.audio = phone.audio
        self.bridge, self.ringer = self.audio.bridge, self.audio.ringer
        self.engine = phone.engine
        self.history = CallHistory(data_dir() / "history.sqlite3")
        self.desk_link = DeskConnection(self)
        self.provisioning = ProvisioningWatch(self.desk_link, settings, self)  # re-reads at every (re)connection
        # First of the snapshot's receivers: every number shown after it reads in the service's region.
        self.desk_link.snapshot_received.connect(self._number_region)
        # Its own workers: a slow CRM must not hold up keyring and history work.
        self.crm_tasks = TaskRunner(workers=2, parent=self)
        self.crm = CrmLookup(self.crm_tasks, parent=self)
        self.desk = DeskView(self.desk_link, self.crm, self)
        self.window = MainWindow(self.engine, self.desk.transfer_targets)
        self.window.add_desk(self.desk.agent_bar, self.desk.screen_pop, self.desk.queue_panel)
        self.callback_client = CallbackClient(self.desk_link, self)
        self.wrapup_disk = TaskRunner(workers=1, parent=self)  # one worker: draft, outbox and ack writes in order
        self.wrapups = self._build_wrapups()  # hosts the callbacks' outcome pickers
        self.quality_outbox = QualityOutbox(QualityFiles(data_dir() / "quality"), desk_sender(self.desk_link),
                                            self.wrapup_disk, parent=self)
        self.call_quality = CallQualityLog(self.quality_outbox, lambda: str(self.settings.get("user")))
        self.callbacks = self._build_callbacks()
        self.window.add_wrapup(self.wrapups.panel)  # in the phone's pane, under the calls
        self.settings_flow = SettingsFlow(settings, self.audio, self.window, self.tasks, self)
        self.monitor = MonitorMode(self.desk_link, self.engine, self.window, parent=self)  # builds only for a lead
        self.live_quality = LiveQualityReporter(self.desk_link, self.engine, parent=self)  # for the leads' board
        self._password: str | None = None
        self._quitting = False
        self._wire()

    # -- building ------------------------------------------------------------------

    def apply_language(self) -> None:
        locale = user_locale(str(self.settings.get("language") or ""), QLocale.system())
        QLocale.setDefault(locale)
        language = locale.name().split("_")[0]
        for old in self._translators:
            self.app.removeTranslator(old)
        self._translators = []
        translator = QTranslator(self.app)
        if translator.load(str(resource("translations", f"agentdesk_{language}.qm"))):
            self.app.installTranslator(translator)
            self._translators.append(translator)
        qt = QTranslator(self.app)  # Qt's own texts: standard buttons, the line edit's menu
        if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            self.app.installTranslator(qt)
            self._translators.append(qt)
        self.app.setLayoutDirection(layout_direction(language, self.settings.get("layout_direction")))

    def _build_callbacks(self) -> CallbackDesk:
        link = self.desk_link
        callbacks = CallbackDesk(self.callback_client, self.engine, self.window,
                                 server=lambda: str(self.settings.get("server")),
                                 clock=lambda: time.time() + link.clock_offset, status=self.window.show_problem,
                                 outcome_host=self.wrapups)
        dock = self.window.add_callbacks(callbacks.panel, callbacks.preview)
        callbacks.list_wanted.connect(dock.show)
        callbacks.list_wanted.connect(dock.raise_)
        title = dock.windowTitle()
        callbacks.panel.count_changed.connect(
            lambda count: dock.setWindowTitle(f"{title} ({count})" if count else title))
        callbacks.unsaved_changed.connect(self.window.set_unsaved_work)
        return callbacks

    def _build_wrapups(self) -> WrapUpDesk:
        link = self.desk_link

        def send(draft: WrapUpDraft, done: Callable[[Any], None], failed: Callable[[Exception], None]) -> None:
            link.run_request(lambda api: api.save_wrapup(draft.uniqueid, draft.body()), done, failed)

        outbox = WrapUpOutbox(WrapUpFiles(data_dir() / "wrapups"), send, self.wrapup_disk, parent=self)
        return WrapUpDesk(outbox, self.wrapup_disk, time.time, self.window.show_problem, self)

    def _after_call(self, uniqueid: str, disposition: str | None = None, score: int | None = None) -> None:
        """A queue call's disposition or survey score: into the call history."""
        self.window.history.show_after_call(uniqueid, disposition, score)
        self.tasks.run(lambda: self.history.set_after_call(uniqueid, disposition, score))

    def _offer_taken(self, offer: OfferTaken) -> None:
        """A queue call this agent missed was answered by a colleague: not a missed call any more."""
        colleague = offer.agent_name or offer.agent
        self.window.history.show_taken(offer.uniqueid, colleague)
        self.tasks.run(lambda: self.history.set_answered_by(offer.uniqueid, colleague))

    def _survey(self, result: SurveyResult) -> None:
        if result.score is not None and result.agent == self.wrapups.me:
            self._after_call(result.uniqueid, score=result.score)

    def _number_region(self, snapshot: DeskSnapshot) -> None:
        if use_region(snapshot.number_region):
            self.window.history.reformat()

    def _wire(self) -> None:
        # Each call as the agent should see it: a dialled callback as its customer.
        self.engine.callChanged.connect(lambda call: self.window.show_call(self.callbacks.describe(call)))
        self.engine.callChanged.connect(self._call_changed)
        self.engine.incomingCall.connect(self._incoming)
        self.engine.callQualitySummary.connect(self.call_quality.summary_arrived)  # just before its call's end
        self.desk_link.snapshot_received.connect(lambda snapshot: self.quality_outbox.signed_in(snapshot.me.agent))
        self.engine.incomingCall.connect(self.desk.call_ringing)
        self.engine.callChanged.connect(self.desk.call_changed)
        self.engine.incomingCall.connect(self.callbacks.call_ringing)
        self.engine.callChanged.connect(self.callbacks.call_changed)
        self.desk_link.snapshot_received.connect(self.callbacks.snapshot)
        self.desk_link.agent_changed.connect(self.callbacks.agent_changed)
        self.callback_client.tasks_replaced.connect(self.callbacks.show_tasks)
        self.callback_client.task_changed.connect(self.callbacks.task_changed)
        self.callback_client.list_failed.connect(self.callbacks.list_failed)
        self.desk_link.link_changed.connect(self.callbacks.list_failed)  # '' once connected again
        self.desk_link.snapshot_received.connect(self.wrapups.snapshot)
        self.desk_link.wrapup_changed.connect(self.wrapups.wrapup_changed)
        self.desk_link.survey_arrived.connect(self._survey)
        self.desk_link.offer_taken.connect(self._offer_taken)
        self.desk_link.supervision_changed.connect(self.window.calls.show_supervision)  # a lead coaches this agent
        self.desk_link.control_arrived.connect(self.desk.agent_bar.show_control)
        # The wrap-up panel takes Ctrl+1..9 (dispositions) while it shows.
        self.wrapups.showing.connect(lambda shown: self.desk.agent_bar.set_queue_keys_enabled(not shown))
        self.wrapups.disposition_chosen.connect(lambda uniqueid, code: self._after_call(uniqueid, code))
        self.wrapups.outcome_wanted.connect(self.callbacks.outcome_wanted)
        self.engine.stopped.connect(self._engine_stopped)
        self.window.settingsRequested.connect(self.open_settings)
        self.settings_flow.applied.connect(self._apply_settings)
        self.provisioning.changed.connect(self._provisioned)
        self.window.quitRequested.connect(self.quit)
        self.phone.audio_problem.connect(self.window.show_problem)

    # -- running -------------------------------------------------------------------

    def start(self) -> None:
        """Show the window for the phone started already (StartedPhone.start)."""
        phone = self.phone
        self.window.display_name = self.settings.get("display_name")
        self.window.set_notice("audio", self.audio.problem)
        self.window.show_account(self.engine.account)  # it may have registered before the window existed
        self.tasks.run(lambda: self.history.recent(), self.window.set_history)
        self.window.resize(self.window.opening_size(self.window.screen().availableGeometry()))
        self.window.show()
        if self.settings.notice:  # e.g. settings.json from a newer AgentDesk
            self.window.show_problem(self.settings.notice)
        if phone.start_problem:  # the window still shows: the history, the reason, Settings and Quit
            self.window.set_notice("phone", phone.start_problem)
        elif not phone.has_account:
            self.load_account()  # asks for one
        elif phone.account_problem:
            self.window.set_notice("account", phone.account_problem)
        elif phone.password is None:
            self._password_loaded(None)
        else:
            self._password = phone.password
            self.connect_desk()

    def load_account(self) -> None:
        user, server = self.settings.get("user"), self.settings.get("server")
        if not user or not server:
            self.window.set_notice("account", self.window.tr("No account yet: open Settings to log in."))
            self.open_settings()
            return
        self.tasks.run(lambda: credentials.load_password(user, server), self._password_loaded, self._keyring_failed)

    def _password_loaded(self, password: str | None) -> None:
        if password is None:
            self.window.set_notice("account", self.window.tr("No password is stored for this account: open Settings."))
            return
        self._password = password
        self.window.set_notice("account", "")
        self._connect(password)

    def _connect(self, password: str) -> None:
        """Register with the PBX and link up with the desk service."""
        try:
            self.engine.configure(account_config(self.settings, password))
        except PhoneError as error:
            self.window.show_problem(str(error))
        self.connect_desk()

    def connect_desk(self) -> None:
        """(Re)connect to the desk service and set up the CRM look-up."""
        get = self.settings.get
        url = get("desk_url") or default_desk_url(get("server"), get("transport"))
        self.desk_link.start(url, get("user"), get("user"), lambda: self._password, get("tls_ca_file"))
        self.tasks.run(self._crm_config, self.crm.configure, self._keyring_failed)

    def _crm_config(self) -> CrmConfig | None:
        """Runs on a worker: the auth header's value comes from the keyring."""
        get = self.settings.get
        if not get("crm_lookup_url"):
            return None
        token = ""
        if get("crm_auth_header"):
            host = urlsplit(get("crm_lookup_url")).hostname or ""
            token = credentials.load_crm_token(host) or ""
        return CrmConfig(get("crm_lookup_url"), get("crm_open_url"), get("crm_timeout_ms") / 1000,
                         get("crm_auth_header"), token)

    def _keyring_failed(self, error: Exception) -> None:
        self.window.set_notice("account", str(error))

    def _incoming(self, call: CallSnapshot) -> None:
        answers_itself = (self.settings.get("auto_answer") and call.queue and not call.callback_task
                          and len(self.engine.live_calls()) <= 1) or self.monitor.expects(call)
        if self.ringer is not None and not answers_itself:
            self.ringer.start()

    def _call_changed(self, call: CallSnapshot) -> None:
        if self.ringer is not None and not any(c.state is CallState.RINGING_IN for c in self.engine.live_calls()):
            self.ringer.stop()
        if call.state is CallState.ENDED:
            # A dialled callback is kept as its customer; a ring a colleague's
            # answer cancelled, as answered by them.
            quality = self.call_quality.call_ended(call)
            entry = self.window.add_history(entry_for(self.callbacks.describe(call), quality=quality))
            self.tasks.run(lambda: self.history.add(entry, call.sip_call_id))

    # -- settings ------------------------------------------------------------------

    def open_settings(self) -> None:
        self.settings_flow.open()

    def _provisioned(self, keys: frozenset[str]) -> None:
        """An administrator changed settings: applied as a saved Settings
        dialog applies the agent's own, but the phone registers again and
        the CRM look-up is set up again only when what they use changed."""
        self._apply_running()
        if keys & ACCOUNT_KEYS and self._password is not None and self.phone.has_account:
            try:
                self.engine.configure(account_config(self.settings, self._password))
            except PhoneError as error:
                self.window.show_problem(str(error))
        if keys & CRM_KEYS:
            self.tasks.run(self._crm_config, self.crm.configure, self._keyring_failed)

    def _apply_running(self) -> None:
        """What the running phone and window take at once."""
        get = self.settings.get
        self.window.display_name = get("display_name")
        self.engine.set_auto_answer(get("auto_answer"))
        apply_autostart(get("autostart"))
        if self.bridge is not None:
            self.bridge.set_devices(DeviceChoice(get("microphone"), get("speaker"), get("tone_zone")))
        if self.ringer is not None:
            self.ringer.device = get("ring_device")

    def _apply_settings(self, new_password: str) -> None:
        self._apply_running()
        if new_password:
            self._password = new_password
        if self._password is None:
            self.load_account()
            return
        self._connect(self._password)

    # -- quitting ------------------------------------------------------------------

    def quit(self) -> None:
        """Hang up, unregister, release audio and leave the loop with 0."""
        if self._quitting:
            return
        self._quitting = True
        log.info("quitting")
        self.window.incoming.hide()
        self.engine.shutdown()

    def _engine_stopped(self) -> None:
        self.audio.close()
        self.monitor.shutdown()
        self.desk_link.shutdown()  # drops desk commands still queued; never waits for the network
        self.wrapups.outbox.stop()  # what is unsent stays in the outbox on disk, for the next start
        self.quality_outbox.stop()  # likewise
        self.wrapup_disk.shutdown()  # draft writes are quick and must not be cut short
        self.crm.close()
        self.crm_tasks.shutdown(wait=False, cancel=True)  # a slow CRM must not hold up quitting either
        self.tasks.shutdown()
        self.window.incoming.close()
        self.finished.emit()
