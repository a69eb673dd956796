"""The voice prompts of the callback menus and the post-call survey,
spoken by espeak-ng from pbx/prompts.ini.

At every `pbx/run start` they are made into the state folder as
prompts/<language>/<name>.sln16: 16 kHz signed linear, which Asterisk's
format_sln plays; the dialplan plays them by absolute path (the global
CALLBACK_PROMPTS, extensions_callback.conf and extensions_survey.conf). A text with a {placeholder}
becomes two files, <name>-1 and <name>-2 (before and after it); the numbers
0-59 become number-<n>, spoken by espeak-ng in the language. A prompt is
made again only when its text, voice or speed changed (manifest.json keeps
a fingerprint per file), so a start after the first costs nothing.

Without espeak-ng or sox the PBX still starts, with a warning: the menus
work, silently.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .layout import PBX_DIR, PbxError
from .queues import LANGUAGES

PROMPTS_FILE = PBX_DIR / "prompts.ini"
RATE = 16000
EXTENSION = ".sln16"
NUMBERS = range(60)
PAUSE_SECONDS = 0.15  # an empty text
# Bump when the way prompts are made changes: every prompt is made again.
GENERATOR = "2"
PLACEHOLDER = re.compile(r"\{(minutes|number|time)\}")
# What the dialplan plays (extensions_callback.conf), in every language.
TEMPLATES = ("offer", "confirm", "thanks-in", "thanks-at")
SENTENCES = (
    "offer-nowait", "enter-number", "number-invalid", "enter-time", "time-invalid", "thanks-soon",
    "refused", "limited", "back-in-line", "tomorrow", "at", "oclock",
    "agent-taken", "agent-closed", "agent-unavailable",
    *(f"weekday-{day}" for day in range(1, 8)),
    # The post-call survey (extensions_survey.conf).
    "survey-rate", "survey-resolved", "survey-invalid", "survey-thanks",
)
WAIT_MINUTES = (1, 2, 3, 4, 5, 10, 15, 20, 25, 30, 40, 50, 60, 90, 120)
SETTINGS = ("voice", "speed")
# sox effects: cut the silence at the start, then (reversed) at the end.
TRIM = ("silence", "1", "0.02", "0.5%", "reverse")


@dataclass(frozen=True)
class Prompt:
    """One sound file to make: prompts/<language>/<name>.sln16."""

    language: str
    name: str
    text: str
    voice: str
    speed: int

    @property
    def key(self) -> str:
        return f"{self.language}/{self.name}"

    @property
    def fingerprint(self) -> str:
        made_of = json.dumps([GENERATOR, self.voice, self.speed, self.text], ensure_ascii=False)
        return hashlib.sha256(made_of.encode()).hexdigest()


Speaker = Callable[[Prompt, Path], None]


def expected_names() -> list[str]:
    """Every file name the dialplan may play, in each language."""
    names = [f"{template}-{part}" for template in TEMPLATES for part in (1, 2)]
    names += [*SENTENCES, *(f"minutes-{m}" for m in WAIT_MINUTES), *(f"number-{n}" for n in NUMBERS)]
    return names


def read_prompts(path: Path = PROMPTS_FILE) -> list[Prompt]:
    """Every prompt of every language, checked: each language has every text."""
    parser = configparser.ConfigParser(interpolation=None, default_section="none")
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, configparser.Error) as error:
        raise PbxError(f"{path}: {error}") from None
    if sorted(parser.sections()) != sorted(LANGUAGES):
        raise PbxError(f"{path}: needs one section per language: {', '.join(LANGUAGES)}")
    return [prompt for language in LANGUAGES for prompt in _language(path, parser[language])]


def _language(path: Path, section: configparser.SectionProxy) -> list[Prompt]:
    where = f"{path} [{section.name}]"
    texts = {key: " ".join(value.split()) for key, value in section.items() if key not in SETTINGS}
    known = {*TEMPLATES, *SENTENCES, *(f"minutes-{m}" for m in WAIT_MINUTES)}
    missing = sorted(known - set(texts))
    unknown = sorted(set(texts) - known)
    if missing or unknown:
        raise PbxError(f"{where}: {'missing' if missing else 'unknown'} text {(missing or unknown)[0]!r}")
    voice, speed = _voice(where, section)
    texts.update({f"number-{n}": str(n) for n in NUMBERS})

    def prompt(name: str, text: str) -> Prompt:
        return Prompt(section.name, name, text, voice, speed)

    prompts = []
    for name, text in texts.items():
        parts = PLACEHOLDER.split(text)
        if (name in TEMPLATES) != (len(parts) == 3):
            raise PbxError(f"{where}: {name} needs {'one' if name in TEMPLATES else 'no'} {{placeholder}}")
        if name in TEMPLATES:
            prompts += [prompt(f"{name}-1", parts[0].strip()), prompt(f"{name}-2", parts[2].strip(" .,،"))]
        else:
            prompts.append(prompt(name, text))
    return prompts


def _voice(where: str, section: configparser.SectionProxy) -> tuple[str, int]:
    """The section's espeak-ng voice and speed, checked."""
    speed = section.get("speed", "150").strip()
    if not speed.isdigit() or not 80 <= int(speed) <= 400:
        raise PbxError(f"{where}: speed must be 80-400 words a minute, not {speed!r}")
    voice = section.get("voice", section.name).strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", voice):
        raise PbxError(f"{where}: voice must be an espeak-ng voice name, not {voice!r}")
    return voice, int(speed)


def dialplan_globals(base: str) -> str:
    """Where the dialplan finds the prompts, as Asterisk sees the state
    folder, and the time zone it speaks booked times in: the host's, which
    the desk service books them in (Asterisk's root filesystem is on UTC)."""
    return f"CALLBACK_PROMPTS = {base}/prompts\nCALLBACK_TIMEZONE = {host_timezone()}\n"


def host_timezone() -> str:
    """The host's time zone name (TZ, else /etc/localtime's zoneinfo link), or UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = os.readlink("/etc/localtime")
        except OSError:
            target = ""
        name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
    return name if re.fullmatch(r"[A-Za-z0-9_+/-]{1,60}", name or "") else "UTC"


def ensure_prompts(folder: Path, prompts: Iterable[Prompt] | None = None, speak: Speaker | None = None,
                   cache: Path | None = None) -> int:
    """Make the prompts that are missing or whose text changed; how many
    were made. Without espeak-ng and sox (and no `speak` given), or when a
    prompt cannot be made: a warning (the PBX starts all the same, that
    menu step is silent, and the next start tries again)."""
    prompts = list(read_prompts() if prompts is None else prompts)
    if speak is None:
        missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
        if missing:
            _warn(f"no {' or '.join(missing)}, so the callback menus are silent (apt-get install espeak-ng sox)")
            return 0
        speak = speak_with_espeak if cache is None else cached(speak_with_espeak, cache)
    manifest_file = folder / "manifest.json"
    manifest = _read_manifest(manifest_file)
    stale = [p for p in prompts if manifest.get(p.key) != p.fingerprint or not _file(folder, p).exists()]
    for language in {p.language for p in stale}:
        (folder / language).mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=4) as pool:
        problems = list(pool.map(lambda p: _make(speak, p, _file(folder, p)), stale))
    failed = {p.key: problem for p, problem in zip(stale, problems, strict=True) if problem}
    if failed:
        _warn(f"{len(failed)} callback prompts could not be made, e.g. {next(iter(failed.values()))}")
    manifest = {p.key: p.fingerprint for p in prompts if p.key not in failed}
    _write_atomically(manifest_file, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return len(stale) - len(failed)


def _warn(text: str) -> None:
    print(f"pbx/run: warning: {text}", file=sys.stderr)


def _file(folder: Path, prompt: Prompt) -> Path:
    return folder / prompt.language / f"{prompt.name}{EXTENSION}"


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # the first start (or a damaged manifest): every prompt is made
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _make(speak: Speaker, prompt: Prompt, target: Path) -> str:
    """One prompt, written aside and moved in whole (a start that dies
    half-way leaves no truncated file behind); what went wrong, or ""."""
    temporary = target.with_suffix(".part")
    try:
        if prompt.text:
            speak(prompt, temporary)
        else:
            temporary.write_bytes(bytes(int(PAUSE_SECONDS * RATE) * 2))
        os.replace(temporary, target)
    except (PbxError, OSError) as error:
        temporary.unlink(missing_ok=True)
        return str(error)
    return ""


def cached(speak: Speaker, cache: Path) -> Speaker:
    """`speak`, remembering what it said in `cache` (shared by every PBX
    state folder of this user: a new one, as each test run makes, copies
    its prompts instead of speaking them again)."""
    def speak_once(prompt: Prompt, target: Path) -> None:
        kept = cache / f"{prompt.fingerprint}.sln16"
        if kept.exists():
            shutil.copyfile(kept, target)
            return
        speak(prompt, target)
        try:  # a cache that cannot be written only costs speaking again next time
            cache.mkdir(parents=True, exist_ok=True)
            aside = kept.with_suffix(f".{os.getpid()}.part")
            shutil.copyfile(target, aside)
            os.replace(aside, kept)
        except OSError as error:
            _warn(f"cannot keep callback prompts in {cache}: {error.strerror}")

    return speak_once


def speak_with_espeak(prompt: Prompt, target: Path) -> None:
    """espeak-ng speaks the text; sox trims its silence and makes it 16 kHz
    signed linear at -3 dBFS, with a short pause before and after (digits
    read back one after the other must not drag)."""
    with tempfile.TemporaryDirectory(prefix="agentdesk-prompt-") as work:
        wav = Path(work) / "spoken.wav"
        _run(["espeak-ng", "-v", prompt.voice, "-s", str(prompt.speed), "-w", str(wav)], prompt, prompt.text)
        _run(["sox", str(wav), "-t", "raw", "-r", str(RATE), "-e", "signed-integer", "-b", "16", "-c", "1",
              str(target), *TRIM, *TRIM, "gain", "-n", "-3", "pad", "0.05", "0.1"], prompt)


def _run(command: list[str], prompt: Prompt, text: str | None = None) -> None:
    try:
        subprocess.run(command, input=text, capture_output=True, text=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        raise PbxError(f"cannot make the prompt {prompt.key} with {command[0]}: {detail.strip()}") from None


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
