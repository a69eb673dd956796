"""The Debian side of the desktop's package: which distribution it is built
for, its control file (Depends computed from the ELF files, plus what is
loaded by name at run time), the files outside /usr/lib/agentdesk, the
maintainer scripts, and dpkg-deb.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from elfcheck import elf_files

REPO = Path(__file__).resolve().parents[2]
MAINTAINER = "AgentDesk maintainers <maintainers@agentdesk.invalid>"
# Loaded by name at run time, so no ELF file names them (the Depends that
# dpkg-shlibdeps computes cannot see them): PortAudio (sounddevice and the
# audio path open it with dlopen), the Secret Service client's crypto and
# the trusted authorities, taken from the system (build.py), and a font with
# Latin, Arabic and Cyrillic letters for a machine that has none.
RUNTIME_DEPENDS = ("libportaudio2", "python3-cryptography", "ca-certificates", "fonts-dejavu-core")
# The OS keyring: AgentDesk keeps the SIP password only there, and says
# plainly when there is none.
RECOMMENDS = ("gnome-keyring",)
# Package names that differ between releases (Ubuntu 24.04's 64-bit time_t
# transition): each is written as an alternative, so one Depends line reads
# right on both.
RENAMED = {"libssl3": "libssl3t64", "libglib2.0-0": "libglib2.0-0t64"}


@dataclass(frozen=True)
class Distribution:
    name: str  # "Debian GNU/Linux 12 (bookworm)"
    tag: str  # in the version: "deb12", "ubuntu24.04"
    architecture: str  # dpkg's: amd64, arm64
    python: str  # the interpreter the environment runs on: /usr/bin/python3.11
    python_version: str  # its full version, 3.11.2

    @classmethod
    def detect(cls) -> Distribution:
        release: dict[str, str] = dict(re.findall(r'^(\w+)="?([^"\n]*)"?$', Path("/etc/os-release").read_text(), re.M))
        tag = {"debian": f"deb{release.get('VERSION_ID', '')}"}.get(release["ID"],
                                                                     release["ID"] + release.get("VERSION_ID", ""))
        version = _output("/usr/bin/python3", "-c", "import platform; print(platform.python_version())")
        minor = ".".join(version.split(".")[:2])
        return cls(release.get("PRETTY_NAME", release["ID"]), tag, _output("dpkg", "--print-architecture"),
                   f"/usr/bin/python{minor}", version)

    @property
    def python_minor(self) -> tuple[int, int]:
        major, minor = self.python_version.split(".")[:2]
        return int(major), int(minor)


def _output(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def package_version(distribution: Distribution) -> str:
    text = (REPO / "agentdesk" / "__init__.py").read_text(encoding="utf-8")
    upstream = re.search(r'__version__ = "([^"]+)"', text)
    assert upstream is not None, "agentdesk/__init__.py names no __version__"
    return f"{upstream.group(1)}-1~{distribution.tag}"


def library_depends(stage: Path, work: Path) -> list[str]:
    """dpkg-shlibdeps over every ELF file of the package: the packages of
    the system libraries they link, with the least versions their symbols
    need. The package's own libraries (Qt's, in the environment) have no
    package and are skipped."""
    binaries = [str(path) for path in elf_files(stage)]
    (work / "debian").mkdir(exist_ok=True)
    (work / "debian" / "control").write_text("Source: agentdesk\n\nPackage: agentdesk\nArchitecture: any\n")
    result = subprocess.run(["dpkg-shlibdeps", "-O", "--ignore-missing-info", "-xagentdesk", *binaries],
                            cwd=work, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"dpkg-shlibdeps failed:\n{result.stderr}")
    line = next(text for text in result.stdout.splitlines() if text.startswith("shlibs:Depends="))
    return [entry.strip() for entry in line.split("=", 1)[1].split(",") if entry.strip()]


def with_alternatives(entry: str) -> str:
    """`libssl3 (>= 3.0.0)` -> `libssl3 (>= 3.0.0) | libssl3t64 (>= 3.0.0)`."""
    name, _, rest = entry.partition(" ")
    other = RENAMED.get(name) or next((old for old, new in RENAMED.items() if new == name), None)
    return f"{entry} | {other} {rest}".rstrip() if other else entry


def depends(stage: Path, work: Path, distribution: Distribution) -> str:
    major, minor = distribution.python_minor
    python = [f"python{major}.{minor}", f"python3 (>= {major}.{minor}~)", f"python3 (<< {major}.{minor + 1}~)"]
    computed = [entry for entry in library_depends(stage, work) if not entry.startswith("python3")]
    return ", ".join([*python, *(with_alternatives(entry) for entry in sorted(set(computed))), *RUNTIME_DEPENDS])


def install_files(stage: Path, files: Path) -> None:
    """The launcher, the menu entry with its URL handlers, the icon, the
    copyright."""
    placed = {
        "usr/bin/agentdesk": files / "agentdesk",
        "usr/share/applications/agentdesk.desktop": files / "agentdesk.desktop",
        "usr/share/icons/hicolor/scalable/apps/agentdesk.svg": REPO / "resources" / "icons" / "agentdesk.svg",
        "usr/share/doc/agentdesk/copyright": files / "copyright",
    }
    for target, source in placed.items():
        path = stage / target
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, path)
        path.chmod(0o755 if target.startswith("usr/bin/") else 0o644)


def installed_kib(stage: Path) -> int:
    return sum(path.lstat().st_size for path in stage.rglob("*") if not path.is_dir()) // 1024 + 1


def write_metadata(stage: Path, work: Path, distribution: Distribution, files: Path, out: Path) -> Path:
    """Writes DEBIAN/, packs the tree and returns the .deb's path."""
    install_files(stage, files)
    control = stage / "DEBIAN"
    control.mkdir()
    version = package_version(distribution)
    fields = {
        "Package": "agentdesk",
        "Version": version,
        "Architecture": distribution.architecture,
        "Maintainer": MAINTAINER,
        "Installed-Size": str(installed_kib(stage)),
        "Depends": depends(stage, work, distribution),
        "Recommends": ", ".join(RECOMMENDS),
        "Section": "comm",
        "Priority": "optional",
        "Description": "contact-center agent desktop and softphone\n"
                       " AgentDesk is the agent's softphone (SIP and audio through pjsua2) and the\n"
                       " place where contact-center work happens: queues, screen-pop, callbacks,\n"
                       f" transfers, wrap-up. Built for {distribution.name}.",
    }
    (control / "control").write_text("".join(f"{key}: {value}\n" for key, value in fields.items()))
    for script in ("prerm", "postrm"):
        shutil.copy2(files / script, control / script)
        (control / script).chmod(0o755)
    deb = out / f"agentdesk_{version}_{distribution.architecture}.deb"
    deb.unlink(missing_ok=True)
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(stage), str(deb)], check=True,
                   stdout=subprocess.DEVNULL)
    return deb
