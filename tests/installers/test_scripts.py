"""The set-up and demo scripts' own behaviour: the Python they pick on a
machine with pyenv shims, and the demo's background jobs, which stop with
it however it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def write_command(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def pick(path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["/bin/bash", "-c", ". installers/python.sh; pick_python"], cwd=REPO, capture_output=True,
                          text=True, timeout=30, env={"PATH": path, "HOME": os.environ.get("HOME", "/")})


def test_a_shim_for_a_missing_version_is_not_run(tmp_path: Path) -> None:
    shims, real = tmp_path / "shims", tmp_path / "bin"
    shims.mkdir()
    real.mkdir()
    # pyenv's shim for a version it does not have: an error on every run.
    write_command(shims, "python3.12", 'echo "pyenv: python3.12: command not found" >&2; exit 127')
    write_command(shims, "python3.11", f'echo "ran the shim" >&2; exec {real}/python3.11 "$@"')
    write_command(real, "python3.11", 'exec /usr/bin/python3 "$@"')
    write_command(real, "pyenv", f'[ "$1" = which ] && [ "$2" = python3.11 ] && echo {real}/python3.11 || exit 1')
    picked = pick(f"{shims}:{real}:/usr/bin:/bin")
    assert picked.returncode == 0, picked.stderr
    assert picked.stdout.strip() == f"{real}/python3.11"
    assert picked.stderr == ""  # neither the missing version's error nor a shim was run


def test_without_a_suitable_python_it_says_which_are_needed(tmp_path: Path) -> None:
    write_command(tmp_path, "python3", 'echo "Python 3.9"; exit 1')
    picked = pick(str(tmp_path))
    assert picked.returncode == 1
    assert "needs Python 3.11 or 3.12" in picked.stderr


def running(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def exact(name: str) -> list[int]:
    """Processes whose command line starts with `name` (set by exec -a)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "cmdline").read_bytes().split(b"\0")[0] == name.encode():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.parametrize("ending", ["exit", "SIGINT", "SIGTERM", "SIGHUP", "kill"])
def test_the_demo_s_background_jobs_stop_with_it(ending: str) -> None:
    marker = f"agentdesk-job-{uuid.uuid4().hex}"
    names = [f"{marker}-{part}" for part in ("a", "b", "child", "desktop")]
    # Two jobs, one of which starts a child of its own (as a caller generator
    # or a CRM with workers would); then the script waits for a third, as
    # the demo waits for the desktop (which quits by itself in "exit").
    desktop_time = 3 if ending == "exit" else 60
    script = (
        ". installers/jobs.sh\n"
        f"start_job bash -c 'exec -a {names[0]} sleep 300'\n"
        f"start_job bash -c '(exec -a {names[2]} sleep 300) & exec -a {names[1]} sleep 300'\n"
        f"start_job bash -c 'exec -a {names[3]} sleep {desktop_time}'\n"
        "wait_last_job\n"
    )
    with subprocess.Popen(["/bin/bash", "-c", script], cwd=REPO, start_new_session=True,
                          preexec_fn=as_from_a_terminal) as demo:
        deadline = time.monotonic() + 10
        while not all(exact(name) for name in names) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(exact(name) for name in names), [name for name in names if not exact(name)]
        if ending == "kill":
            os.kill(demo.pid, signal.SIGTERM)  # `kill` of the script alone, as a user or a service manager might
        elif ending != "exit":
            # Ctrl+C reaches the terminal's whole foreground group; a closing
            # terminal signals it too.
            os.killpg(demo.pid, getattr(signal, ending))
        demo.wait(timeout=20)
    deadline = time.monotonic() + 5
    while running(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running(marker) == []


def as_from_a_terminal() -> None:
    """Signals as a terminal's shell hands them on: none blocked or ignored.
    Whatever this test process inherited or its libraries set (a thread's
    signal mask is inherited across exec) must not decide the outcome."""
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
