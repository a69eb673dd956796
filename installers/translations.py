"""The desktop's translations: `update` extracts every translatable text of
agentdesk/desktop into resources/translations/agentdesk_<lang>.ts (texts
already translated keep their translation; texts gone from the code are
dropped), `build` compiles each .ts into the .qm the desktop loads.

    .venv/bin/python installers/translations.py update
    .venv/bin/python installers/translations.py build

Translators edit the .ts files (Qt Linguist: `.venv/bin/pyside6-linguist`);
both the .ts and the .qm are committed, and a test checks that they agree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "resources" / "translations"
LANGUAGES = ("fa",)


def _tool(name: str) -> str:
    """pyside6-lupdate / pyside6-lrelease of this interpreter's environment."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is missing: install the desktop's dependencies (pip install -e '.[desktop]')")
    return found


def sources() -> list[Path]:
    return sorted(p for p in (ROOT / "agentdesk" / "desktop").rglob("*.py") if "__pycache__" not in p.parts)


def ts_file(language: str) -> Path:
    return FOLDER / f"agentdesk_{language}.ts"


def qm_file(language: str) -> Path:
    return FOLDER / f"agentdesk_{language}.qm"


def update(language: str, ts: Path | None = None) -> Path:
    """The texts of the code into `ts` (the language's .ts by default)."""
    target = ts or ts_file(language)
    target.parent.mkdir(parents=True, exist_ok=True)
    relative = [str(p.relative_to(ROOT)) for p in sources()]
    subprocess.run([_tool("pyside6-lupdate"), "-silent", "-no-obsolete", "-locations", "none", "-target-language",
                    language, *relative, "-ts", str(target)], cwd=ROOT, check=True)
    return target


def build(language: str, qm: Path | None = None) -> Path:
    """The language's .ts compiled into `qm` (the language's .qm by default)."""
    target = qm or qm_file(language)
    subprocess.run([_tool("pyside6-lrelease"), "-silent", "-nounfinished", str(ts_file(language)), "-qm", str(target)],
                   check=True)
    return target


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("update", "build"):
        print(__doc__)
        return 2
    for language in LANGUAGES:
        (update if argv[0] == "update" else build)(language)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
