"""A PNG of the whole X screen (the demo's virtual one, by default :77):
`.venv/bin/python installers/screenshot.py shot.png`. Uses Qt, which the
desktop part installs already, so no image tool is needed."""

from __future__ import annotations

import os
import sys

from PySide6.QtGui import QGuiApplication


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: installers/screenshot.py FILE.png   (the screen of $DISPLAY, else :77)", file=sys.stderr)
        return 2
    os.environ.setdefault("DISPLAY", ":77")
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    app = QGuiApplication(sys.argv[:1])
    screen = app.primaryScreen()
    if screen is None or not screen.grabWindow(0).save(argv[1]):
        print(f"screenshot: could not grab {os.environ['DISPLAY']} into {argv[1]}", file=sys.stderr)
        return 1
    print(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
