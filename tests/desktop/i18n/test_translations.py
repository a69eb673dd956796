"""The shipped translations (resources/translations): every text of the
desktop's code is in each language's .ts and translated there, with its
placeholders and keyboard mnemonics kept; the committed .qm is what the
.ts compiles to; and the desktop's texts come out translated."""

from __future__ import annotations

import importlib.util
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDER = re.compile(r"%\d+|%n|%s|\{[^}]*\}")
MNEMONIC = re.compile(r"(?<!&)&(?=[^&\s])")  # '&X' marks Alt+X; '&&' is a literal '&'
SAME_IN_EVERY_LANGUAGE = {"VIP", "Ctrl+%1"}  # a mark and a key name


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("translations", ROOT / "installers" / "translations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOL = _tool()
LANGUAGES: tuple[str, ...] = TOOL.LANGUAGES


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    found = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found[(name, message.findtext("source") or "")] = message
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_of_the_code_is_in_the_translation(language: str, tmp_path: Path) -> None:
    committed = TOOL.ts_file(language)
    fresh = shutil.copy(committed, tmp_path / committed.name)
    TOOL.update(language, Path(fresh))
    new, old = set(messages(Path(fresh))), set(messages(committed))
    assert sorted(new - old) == [], "texts missing from the .ts: run installers/translations.py update"
    assert sorted(old - new) == [], "texts no longer in the code: run installers/translations.py update"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated_with_its_placeholders_and_keys(language: str) -> None:
    problems = []
    for (context, source), message in messages(TOOL.ts_file(language)).items():
        translation = message.find("translation")
        assert translation is not None
        text = translation.text or ""
        where = f"{context}: {source!r} -> {text!r}"
        if translation.get("type") in ("unfinished", "vanished", "obsolete") or not text.strip():
            problems.append(f"{where}: not translated")
        elif Counter(PLACEHOLDER.findall(source)) != Counter(PLACEHOLDER.findall(text)):
            problems.append(f"{where}: placeholders differ")
        elif len(MNEMONIC.findall(source)) != len(MNEMONIC.findall(text)):
            problems.append(f"{where}: keyboard mnemonics differ")
        elif text == source and source not in SAME_IN_EVERY_LANGUAGE:
            problems.append(f"{where}: left in English")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_catalog_is_the_compiled_translation(language: str, tmp_path: Path) -> None:
    fresh = TOOL.build(language, tmp_path / f"agentdesk_{language}.qm")
    assert fresh.read_bytes() == TOOL.qm_file(language).read_bytes(), "run installers/translations.py build"


def test_the_persian_catalog_translates_the_desktop(qtbot: Any) -> None:
    translator = QTranslator()
    assert translator.load(str(TOOL.qm_file("fa")))
    QCoreApplication.installTranslator(translator)
    try:
        ready = QCoreApplication.translate("AgentBar", "Ready")
        paused = QCoreApplication.translate("AgentBar", "Paused: %1")
    finally:
        QCoreApplication.removeTranslator(translator)
    assert ready != "Ready" and re.search("[\u0600-\u06ff]", ready)
    assert "%1" in paused and re.search("[\u0600-\u06ff]", paused)
