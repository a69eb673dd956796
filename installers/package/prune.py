"""What the package keeps of the PySide6 wheel: the Qt modules AgentDesk
imports, the Qt libraries those and the kept plug-ins load (followed
through their ELF dependencies), the plug-ins a desktop needs, and Qt's own
translations in AgentDesk's languages. The wheel installs 234 MB; most of it
(QML, Quick, WebEngine stubs, designer, tools, every translation) is never
loaded by AgentDesk.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

# Qt's plug-ins, relative to PySide6/Qt/plugins. Not kept: the GTK 3
# platform theme (it would make GTK 3 a dependency of the package; Qt's own
# Fusion look and the portal theme serve), the Wayland GL buffer integration
# (widgets draw into shared memory), evdev, printing, SQL, TLS, QML tooling.
PLUGINS = (
    "platforms/libqxcb.so",
    "platforms/libqwayland.so",
    "platforms/libqoffscreen.so",
    "platforms/libqminimal.so",
    "xcbglintegrations/libqxcb-egl-integration.so",
    "xcbglintegrations/libqxcb-glx-integration.so",
    "wayland-shell-integration/libxdg-shell.so",
    "wayland-decoration-client/libadwaita.so",
    "wayland-decoration-client/libbradient.so",
    "platformthemes/libqxdgdesktopportal.so",
    "platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    "platforminputcontexts/libibusplatforminputcontextplugin.so",
    "imageformats/libqsvg.so",
    "imageformats/libqico.so",
    "iconengines/libqsvgicon.so",
)
# Qt's own texts (standard buttons, the line edit's menu) in the desktop's
# languages.
TRANSLATIONS = ("qtbase_en.qm", "qtbase_fa.qm", "qtbase_ru.qm")
# The Python side of PySide6 and shiboken6 that importing a module needs.
PYSIDE_FILES = ("__init__.py", "_config.py", "_git_pyside_version.py")
SHIBOKEN_FILES = ("__init__.py", "_config.py", "_git_shiboken_module_version.py", "Shiboken.abi3.so")
QT_IMPORT = re.compile(r"\bPySide6\.(Qt\w+)|\bfrom PySide6 import ([\w, ]+)")


def qt_modules(source: Path) -> set[str]:
    """The PySide6 modules AgentDesk's code imports (read from the code)."""
    found: set[str] = set()
    for path in source.rglob("*.py"):
        for dotted, listed in QT_IMPORT.findall(path.read_text(encoding="utf-8")):
            found |= {dotted} if dotted else {name.strip() for name in listed.split(",")}
    return {name for name in found if name.startswith("Qt")}


def needed(path: Path) -> list[str]:
    """The file's DT_NEEDED entries (its direct library dependencies)."""
    output = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", output)


def closure(roots: Iterable[Path], library_dir: Path) -> set[str]:
    """Names of the libraries in `library_dir` that `roots` load, directly or not."""
    kept: set[str] = set()
    todo = list(roots)
    while todo:
        for name in needed(todo.pop()):
            if name not in kept and (library_dir / name).exists():
                kept.add(name)
                todo.append(library_dir / name)
    return kept


def prune_pyside(site: Path, source: Path) -> list[str]:
    """Deletes everything of PySide6/shiboken6 in `site` that AgentDesk does
    not load. Returns the Qt modules kept."""
    pyside, qt = site / "PySide6", site / "PySide6" / "Qt"
    modules = sorted(qt_modules(source))
    missing = [name for name in modules if not (pyside / f"{name}.abi3.so").exists()]
    if missing:
        raise SystemExit(f"AgentDesk imports {', '.join(missing)}, which this PySide6 wheel does not have")
    bindings = [pyside / f"{name}.abi3.so" for name in modules]
    plugins = [qt / "plugins" / name for name in PLUGINS]
    libraries = closure([*bindings, *plugins], qt / "lib")
    keep = {*(pyside / name for name in PYSIDE_FILES), *bindings, *pyside.glob("libpyside6.abi3.so.*"),
            *plugins, *(qt / "lib" / name for name in libraries),
            *(qt / "translations" / name for name in TRANSLATIONS)}
    _keep_only(pyside, keep)
    shiboken = site / "shiboken6"
    _keep_only(shiboken, {*(shiboken / name for name in SHIBOKEN_FILES), *shiboken.glob("libshiboken6.abi3.so.*")})
    return modules


def _keep_only(folder: Path, keep: set[Path]) -> None:
    """Removes every file under `folder` not in `keep`, then empty folders."""
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        elif path not in keep:
            path.unlink()
    for path in keep:
        if not path.exists():
            raise SystemExit(f"the PySide6 wheel has no {path.relative_to(folder.parent)}")


def drop_unused_data(site: Path) -> None:
    """Parts of other wheels the desktop never reads."""
    for pattern in ("*.pyi", "py.typed"):
        for path in site.rglob(pattern):
            path.unlink()
