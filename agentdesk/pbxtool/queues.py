"""The contact center's queues (pbx/queues.ini) and what Asterisk makes of them.

pbx/queues.ini is the one place for the knobs that shape waiting: strategy,
ring time, wrap-up, announcements, maximum wait and length, overflow and the
sticky-agent ring, and the callback knobs (in-queue offers, retries, the
IVR's language). Each knob is declared once below (name, type, check);
`pbx/run start` validates the file and writes three generated files:

  queues_generated.conf          one section per queue (app_queue settings)
  extensions_queue_globals.conf  QUEUE_<KNOB>_<queue> dialplan globals
  extensions_queue_numbers.conf  the numbers customers and agents dial

Every queue section in queues_generated.conf names its own `strategy`: in a
queues.conf template the template's strategy wins over the queue's own line
(app_queue reads the first `strategy` of a section first), so the static
template in pbx/asterisk/queues.conf deliberately has none.

pause_after_missed_offers (optional, default 1) reaches the desk service as
desk-service.json's "queue_pause_after_missed": {queue: count}.

The callback knobs are optional (a queues.ini written before callbacks
still reads); they reach the desk service in desk-service.json
("callbacks"/"queues", see callback_policy) and the dialplan as
QUEUE_LANGUAGE_<queue>; a queue with callbacks lets its waiting callers
press 1 (`context = queue-keys`, extensions_callback.conf).
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from agentdesk.contract.ids import is_queue_name

from .layout import PBX_DIR, PbxError

QUEUES_FILE = PBX_DIR / "queues.ini"
STRATEGIES = ("ringall", "leastrecent", "fewestcalls", "random", "rrmemory", "rrordered", "linear", "wrandom")
OVERFLOW_KINDS = ("voicemail", "hangup", "queue")
NO_AGENT_POLICIES = ("wait", "overflow")
# Device states that make a queue "empty" for when_no_agents = overflow.
EMPTY_WHEN = "paused,unavailable,invalid,unknown"
_EXTENSION = re.compile(r"[1-9][0-9]{2,5}")
LANGUAGES = ("en", "fa", "ru")  # the callback prompts' languages (pbx/prompts.ini)
_CALLER_ID = re.compile(r"\+?[0-9]{3,20}")
# Extensions the dialplan already uses (services 600-609).
RESERVED_EXTENSIONS = frozenset(str(n) for n in range(600, 610))

# Whole-second knobs: name -> highest value allowed.
SECONDS_KNOBS = {
    "ring_seconds": 600,
    "retry_seconds": 600,
    "wrapup_seconds": 3600,
    "service_level_seconds": 3600,
    "announce_seconds": 3600,
    "max_wait_seconds": 86400,
    "max_callers": 10000,
    "sticky_ring_seconds": 120,
}

# Optional whole-number callback knobs: name -> (default, highest value allowed).
CALLBACK_NUMBER_KNOBS = {
    "callback_offer_position": (3, 1000),
    "callback_offer_wait_seconds": (120, 86400),
    "callback_offer_every_seconds": (60, 86400),
    "callback_max_attempts": (3, 100),
    "callback_give_up_hours": (48, 8760),
    "callback_missed_min_wait_seconds": (20, 86400),
    "callback_autodial_seconds": (0, 600),
    "callback_skip_delay_seconds": (120, 86400),
}
CALLBACK_DEFAULTS = {"callback": "yes", "callback_caller_id": "", "callback_retry_minutes": "10, 30", "language": "en"}

# Optional after-call knobs (wrap-up and survey) and their defaults.
AFTER_CALL_DEFAULTS = {
    "wrapup_limit_seconds": "30",
    "wrapup_warning_seconds": "10",
    "wrapup_then": "ready",
    "disposition_required": "no",
    "dispositions": "Resolved, Information given, Complaint, Sale, Escalated, Wrong number",
    "survey": "no",
    "survey_resolved_question": "yes",
}
WRAPUP_THEN = ("ready", "paused")
MAX_DISPOSITIONS = 9  # hotkeys Ctrl+1 .. Ctrl+9
# Optional: missed offers in a row before the desk service pauses the agent
# ("missed call"); 0 = never.
PAUSE_AFTER_MISSED = ("pause_after_missed_offers", 1, 100)


@dataclass(frozen=True)
class QueueCallbacks:
    """A queue's callback knobs, checked (the desk service applies them;
    the dialplan uses `enabled` and `language`)."""

    enabled: bool = True  # waiting callers may press 1 to be called back
    offer_position: int = 3
    offer_wait_seconds: int = 120
    offer_every_seconds: int = 60
    caller_id: str = ""  # shown to the customer; "" = the trunk's default
    max_attempts: int = 3
    retry_minutes: tuple[int, ...] = (10, 30)
    give_up_hours: int = 48
    missed_min_wait_seconds: int = 20
    autodial_seconds: int = 0
    skip_delay_seconds: int = 120
    language: str = "en"  # of the callback IVR and offers


@dataclass(frozen=True)
class QueueAfterCall:
    """A queue's wrap-up and survey knobs, checked (the desk service runs
    wrap-up; the dialplan runs the survey)."""

    wrapup_limit_seconds: int = 30  # 0 = no wrap-up after this queue's calls
    wrapup_warning_seconds: int = 10
    wrapup_then: str = "ready"  # ready | paused
    disposition_required: bool = False
    dispositions: tuple[str, ...] = ("Resolved", "Information given", "Complaint", "Sale", "Escalated", "Wrong number")
    survey: bool = False  # callers are surveyed when the agent hangs up first
    survey_resolved_question: bool = True


@dataclass(frozen=True)
class QueueSettings:
    """One queue, checked: every value is safe to write into Asterisk config."""

    name: str
    title: str
    extension: str
    strategy: str
    ring_seconds: int
    retry_seconds: int
    wrapup_seconds: int
    service_level_seconds: int
    announce_seconds: int
    max_wait_seconds: int
    max_callers: int
    overflow: str  # voicemail | hangup | queue
    overflow_queue: str  # the target queue when overflow is "queue"
    when_no_agents: str  # wait | overflow
    sticky_ring_seconds: int
    callbacks: QueueCallbacks = QueueCallbacks(enabled=False)
    after_call: QueueAfterCall = QueueAfterCall()
    pause_after_missed_offers: int = 1  # 0 = an agent who does not answer is never paused for it


def read_queues(path: Path = QUEUES_FILE) -> list[QueueSettings]:
    parser = configparser.ConfigParser(inline_comment_prefixes=None, interpolation=None)
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, configparser.Error) as error:
        raise PbxError(f"{path}: {error}") from None
    queues = [_parse_queue(path, parser[name]) for name in parser.sections()]
    _check_together(path, queues)
    return queues


def _parse_queue(path: Path, section: configparser.SectionProxy) -> QueueSettings:
    name = section.name
    where = f"{path} [{name}]"
    if not is_queue_name(name):
        raise PbxError(f"{where}: a queue name is 2-31 lowercase letters and digits, starting with a letter")
    known = {f.lower() for f in (*SECONDS_KNOBS, "title", "extension", "strategy", "overflow", "when_no_agents")}
    known |= {*CALLBACK_NUMBER_KNOBS, *CALLBACK_DEFAULTS, *AFTER_CALL_DEFAULTS, PAUSE_AFTER_MISSED[0]}
    unknown = sorted(set(section) - known)
    if unknown:
        raise PbxError(f"{where}: unknown setting {unknown[0]!r}")
    overflow, overflow_queue = _parse_overflow(where, _text(where, section, "overflow"))
    return QueueSettings(
        name=name,
        title=_title(where, section.get("title", name.title())),
        extension=_extension(where, _text(where, section, "extension")),
        strategy=_choice(where, section, "strategy", STRATEGIES),
        overflow=overflow,
        overflow_queue=overflow_queue,
        when_no_agents=_choice(where, section, "when_no_agents", NO_AGENT_POLICIES),
        **{knob: _seconds(where, section, knob, top) for knob, top in SECONDS_KNOBS.items()},
        callbacks=_callback_knobs(where, section),
        after_call=_after_call_knobs(where, section),
        pause_after_missed_offers=_pause_after_missed(where, section),
    )


def _pause_after_missed(where: str, section: configparser.SectionProxy) -> int:
    knob, default, top = PAUSE_AFTER_MISSED
    return _whole(where, knob, section.get(knob, str(default)).strip(), top)


def _after_call_knobs(where: str, section: configparser.SectionProxy) -> QueueAfterCall:
    """The optional wrap-up and survey knobs, checked (defaults when absent)."""
    value = {knob: section.get(knob, default).strip() for knob, default in AFTER_CALL_DEFAULTS.items()}
    for knob in ("disposition_required", "survey", "survey_resolved_question"):
        if value[knob] not in ("yes", "no"):
            raise PbxError(f"{where}: {knob} must be yes or no, not {value[knob]!r}")
    if value["wrapup_then"] not in WRAPUP_THEN:
        raise PbxError(f"{where}: wrapup_then must be ready or paused, not {value['wrapup_then']!r}")
    return QueueAfterCall(
        wrapup_limit_seconds=_whole(where, "wrapup_limit_seconds", value["wrapup_limit_seconds"], 3600),
        wrapup_warning_seconds=_whole(where, "wrapup_warning_seconds", value["wrapup_warning_seconds"], 3600),
        wrapup_then=value["wrapup_then"],
        disposition_required=value["disposition_required"] == "yes",
        dispositions=_dispositions(where, value["dispositions"]),
        survey=value["survey"] == "yes",
        survey_resolved_question=value["survey_resolved_question"] == "yes",
    )


def _dispositions(where: str, value: str) -> tuple[str, ...]:
    """"Resolved, Sale": 1 to 9 distinct plain-text codes."""
    codes = tuple(code.strip() for code in value.split(","))
    if not 1 <= len(codes) <= MAX_DISPOSITIONS or len(set(codes)) != len(codes):
        raise PbxError(f"{where}: dispositions must be 1 to {MAX_DISPOSITIONS} different codes, separated by commas")
    for code in codes:
        if not code or len(code) > 40 or any(ch in code for ch in "|;\"<>\n=()[]$"):
            raise PbxError(f"{where}: disposition {code!r} must be 1-40 characters of plain text")
    return codes


def _callback_knobs(where: str, section: configparser.SectionProxy) -> QueueCallbacks:
    """The optional callback knobs, checked (defaults when absent)."""
    value = {knob: section.get(knob, default).strip() for knob, default in CALLBACK_DEFAULTS.items()}
    if value["callback"] not in ("yes", "no"):
        raise PbxError(f"{where}: callback must be yes or no, not {value['callback']!r}")
    if value["callback_caller_id"] and not _CALLER_ID.fullmatch(value["callback_caller_id"]):
        raise PbxError(f"{where}: callback_caller_id must be 3-20 digits (a leading + allowed), "
                       f"not {value['callback_caller_id']!r}")
    if value["language"] not in LANGUAGES:
        raise PbxError(f"{where}: language must be one of {', '.join(LANGUAGES)}, not {value['language']!r}")
    numbers = {knob.removeprefix("callback_"): _whole(where, knob, section.get(knob, str(default)).strip(), top)
               for knob, (default, top) in CALLBACK_NUMBER_KNOBS.items()}
    if numbers["max_attempts"] < 1:
        raise PbxError(f"{where}: callback_max_attempts must be at least 1")
    return QueueCallbacks(
        enabled=value["callback"] == "yes",
        caller_id=value["callback_caller_id"],
        retry_minutes=_retry_minutes(where, value["callback_retry_minutes"]),
        language=value["language"],
        **numbers,
    )


def _whole(where: str, knob: str, value: str, top: int) -> int:
    if not value.isdigit() or int(value) > top:
        raise PbxError(f"{where}: {knob} must be a whole number from 0 to {top}, not {value!r}")
    return int(value)


def _retry_minutes(where: str, value: str) -> tuple[int, ...]:
    """"10, 30": minutes before the 1st, 2nd... retry (the last repeats)."""
    parts = [part.strip() for part in value.split(",")]
    if not all(part.isdigit() and 1 <= int(part) <= 10080 for part in parts):
        raise PbxError(f"{where}: callback_retry_minutes must be whole minutes from 1 to 10080, "
                       f"separated by commas, not {value!r}")
    return tuple(int(part) for part in parts)


def _text(where: str, section: configparser.SectionProxy, knob: str) -> str:
    value = section.get(knob, "").strip()
    if not value:
        raise PbxError(f"{where}: {knob} is missing")
    return value


def _title(where: str, value: str) -> str:
    value = value.strip()
    if not value or any(ch in value for ch in ",|;\"<>\n=()[]$"):
        raise PbxError(f"{where}: title must be plain text without punctuation like , | ; = ( )")
    return value


def _extension(where: str, value: str) -> str:
    if not _EXTENSION.fullmatch(value) or value in RESERVED_EXTENSIONS:
        raise PbxError(f"{where}: extension must be a free number of 3-6 digits, not {value!r}")
    return value


def _choice(where: str, section: configparser.SectionProxy, knob: str, allowed: tuple[str, ...]) -> str:
    value = _text(where, section, knob)
    if value not in allowed:
        raise PbxError(f"{where}: {knob} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _seconds(where: str, section: configparser.SectionProxy, knob: str, top: int) -> int:
    return _whole(where, knob, _text(where, section, knob), top)


def _parse_overflow(where: str, value: str) -> tuple[str, str]:
    kind, _, target = value.partition(":")
    if kind not in OVERFLOW_KINDS or (kind == "queue") != bool(target):
        raise PbxError(f"{where}: overflow must be voicemail, hangup or queue:NAME, not {value!r}")
    return kind, target


def _check_together(path: Path, queues: list[QueueSettings]) -> None:
    if not queues:
        raise PbxError(f"{path}: no queue is defined")
    names = {q.name for q in queues}
    extensions = [q.extension for q in queues]
    if len(set(extensions)) != len(extensions):
        raise PbxError(f"{path}: two queues have the same extension")
    for queue in queues:
        if queue.overflow == "queue" and (queue.overflow_queue not in names or queue.overflow_queue == queue.name):
            raise PbxError(f"{path} [{queue.name}]: overflow queue {queue.overflow_queue!r} is not another queue")


def check_against_users(queues: Iterable[QueueSettings], user_extensions: Iterable[str]) -> None:
    """A queue number must not hide a person's extension."""
    taken = set(user_extensions)
    for queue in queues:
        if queue.extension in taken:
            raise PbxError(f"{QUEUES_FILE} [{queue.name}]: extension {queue.extension} belongs to a user")


def queues_conf(queues: list[QueueSettings]) -> str:
    """The app_queue sections; fixed behaviour comes from [queue-defaults]."""
    text = ""
    for q in queues:
        empty = "yes" if q.when_no_agents == "wait" else EMPTY_WHEN
        leave = "no" if q.when_no_agents == "wait" else EMPTY_WHEN
        text += (
            f"\n[{q.name}](queue-defaults)\n"
            f"strategy = {q.strategy}\n"
            f"timeout = {q.ring_seconds}\n"
            f"retry = {q.retry_seconds}\n"
            f"wrapuptime = {q.wrapup_seconds}\n"
            f"servicelevel = {q.service_level_seconds}\n"
            f"announce-frequency = {q.announce_seconds}\n"
            f"maxlen = {q.max_callers}\n"
            f"joinempty = {empty}\n"
            f"leavewhenempty = {leave}\n"
        )
        if q.callbacks.enabled:
            # A waiting caller's key 1 leaves the queue for the callback IVR.
            text += "context = queue-keys\n"
    return text


def dialplan_globals(queues: list[QueueSettings]) -> str:
    """Per-queue dialplan knobs, read as ${QUEUE_<KNOB>_${QUEUE}}."""
    lines: list[str] = []
    for q in queues:
        lines += [
            f"QUEUE_EXTENSION_{q.name} = {q.extension}",
            f"QUEUE_TITLE_{q.name} = {q.title}",
            f"QUEUE_MAX_WAIT_{q.name} = {q.max_wait_seconds or ''}",
            f"QUEUE_OVERFLOW_{q.name} = {q.overflow}",
            f"QUEUE_OVERFLOW_TO_{q.name} = {q.overflow_queue}",
            f"QUEUE_STICKY_RING_{q.name} = {q.sticky_ring_seconds}",
            f"QUEUE_LANGUAGE_{q.name} = {q.callbacks.language}",
            f"QUEUE_SURVEY_{q.name} = {'yes' if q.after_call.survey else 'no'}",
            f"QUEUE_SURVEY_RESOLVED_{q.name} = {'yes' if q.after_call.survey_resolved_question else 'no'}",
        ]
    return "\n".join(lines) + "\n"


def callback_policy(q: QueueSettings) -> dict[str, object]:
    """The queue's entry in desk-service.json's "callbacks"/"queues"."""
    policy = asdict(q.callbacks)
    policy["retry_minutes"] = list(q.callbacks.retry_minutes)
    return policy


def wrapup_policy(q: QueueSettings) -> dict[str, object]:
    """The queue's entry in desk-service.json's "wrapup"."""
    policy = asdict(q.after_call)
    policy["dispositions"] = list(q.after_call.dispositions)
    for knob in ("survey", "survey_resolved_question"):
        del policy[knob]  # the dialplan's business
    return policy


def dialplan_numbers(queues: list[QueueSettings]) -> str:
    """The queue numbers: each leads into the one inbound queue path."""
    return "".join(f"exten => {q.extension},1,Goto(queue-inbound,{q.name},1)\n" for q in queues)


def mailboxes_conf(queues: list[QueueSettings], pins: dict[str, str]) -> str:
    """Voicemail boxes of the queues (the overflow), numbered as the queue."""
    return "".join(f"{q.extension} => {pins[q.extension]},{q.title} queue\n" for q in queues)
