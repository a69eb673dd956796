"""`agentdesk --version`: the desktop's version and those of the native
parts it runs on, which a package may carry or take from the system."""

from __future__ import annotations

import platform

from agentdesk import __version__


def version_report() -> str:
    lines = [f"AgentDesk {__version__}"]
    try:
        from .phone.pjversion import pjsua2_versions

        pj = pjsua2_versions()
        lines += [f"pjproject {pj.pjproject} (pjsua2 from {pj.location})", f"TLS: {pj.tls}"]
    except Exception as error:  # a broken install must still say what it has
        lines.append(f"pjsua2: not loadable ({error})")
    try:
        import PySide6
        from PySide6 import QtCore

        lines.append(f"Qt {QtCore.qVersion()} (PySide6 {PySide6.__version__})")
    except Exception as error:
        lines.append(f"Qt: not loadable ({error})")
    try:
        import sounddevice

        lines.append(f"PortAudio: {sounddevice.get_portaudio_version()[1]}")
    except Exception as error:
        lines.append(f"PortAudio: not loadable ({error})")
    lines.append(f"Python {platform.python_version()}")
    return "\n".join(lines)
