"""The set-up and demo scripts' own behaviour: the Python they pick on a
machine with pyenv shims, the pjsua2 build's cache (a failed or interrupted
build leaves nothing half made), and the demo's background jobs, which stop
with it however it ends."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tarfile
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


def pjsua2_recipe(folder: Path, configure: str) -> Path:
    """installers/pjsua2's scripts and settings beside a stand-in pjproject
    source whose configure runs `configure` (a shell body) and a stand-in
    libsrtp2 whose build does nothing, each with its checksum."""
    recipe = folder / "pjsua2"
    recipe.mkdir()
    for name in ("build.py", "steps.py", "srtp.py", "config_site.h"):
        shutil.copy(REPO / "installers" / "pjsua2" / name, recipe / name)
    source = folder / "pjsip-pjproject-0"
    (source / "pjmedia" / "build").mkdir(parents=True)
    (source / "pjlib" / "include" / "pj").mkdir(parents=True)
    (source / "pjmedia" / "build" / "Makefile").write_text("OBJS = alsa_dev.o bdimad_dev.o null_dev.o\n")
    write_command(source, "configure", configure)
    pack_source(recipe, source, "pjproject-0.tar.xz", "pjproject.sha256")
    libsrtp = folder / "libsrtp-0"
    libsrtp.mkdir()
    write_command(libsrtp, "configure", "exit 0")
    (libsrtp / "Makefile").write_text("libsrtp2.a install:\n\t@true\n")
    pack_source(recipe, libsrtp, "libsrtp2_0.orig.tar.gz", "libsrtp2.sha256")
    return recipe


def pack_source(recipe: Path, source: Path, tarball: str, checksum: str) -> None:
    with tarfile.open(recipe / tarball, "w:xz" if tarball.endswith(".xz") else "w:gz") as archive:
        archive.add(source, arcname=source.name)
    digest = hashlib.sha256((recipe / tarball).read_bytes()).hexdigest()
    (recipe / checksum).write_text(f"{digest}  {tarball}\n")


def build_pjsua2(recipe: Path, command: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(recipe / "build.py"), command], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "XDG_CACHE_HOME": str(cache)})


def test_a_failed_pjsua2_build_shows_its_log_s_tail_and_leaves_no_cache_entry(tmp_path: Path) -> None:
    recipe = pjsua2_recipe(tmp_path, 'for i in $(seq 1 500); do echo "checking line $i"; done; exit 1')
    cache = tmp_path / "cache"
    leftover = cache / "agentdesk" / "pjsua2" / ".building-killed"  # a build killed half-way
    leftover.mkdir(parents=True)
    built = build_pjsua2(recipe, "wheel", cache)
    assert built.returncode == 1
    assert built.stdout == ""  # no wheel path for dev.sh to install
    assert "configure failed" in built.stderr and "checking line 500" in built.stderr
    assert "checking line 1\n" not in built.stderr  # the tail, not the whole compiler output
    assert sorted(p.name for p in leftover.parent.iterdir()) == [".lock", "build-failed.log"]
    assert "checking line 1\n" in (leftover.parent / "build-failed.log").read_text()


@pytest.mark.parametrize(("checksum", "tarball"), [("pjproject.sha256", "pjproject-0.tar.xz"),
                                                   ("libsrtp2.sha256", "libsrtp2_0.orig.tar.gz")])
def test_a_pjsua2_source_that_differs_from_its_checksum_is_refused(tmp_path: Path, checksum: str,
                                                                   tarball: str) -> None:
    recipe = pjsua2_recipe(tmp_path, "echo configure ran; exit 1")
    (recipe / checksum).write_text(f"{'0' * 64}  {tarball}\n")
    built = build_pjsua2(recipe, "wheel", tmp_path / "cache")
    assert built.returncode == 1
    assert f"{tarball} is not the" in built.stderr and "sha256 differs" in built.stderr
    assert "configure" not in built.stderr  # neither build started: both sources are checked first


def test_a_cached_pjsua2_wheel_is_used_until_the_recipe_changes(tmp_path: Path) -> None:
    recipe = pjsua2_recipe(tmp_path, "echo configure ran; exit 1")
    cache = tmp_path / "cache"
    key = build_pjsua2(recipe, "key", cache).stdout.strip()
    wheel = cache / "agentdesk" / "pjsua2" / key / "pjsua2-0+agentdesk1-cp3-cp3-linux.whl"
    wheel.parent.mkdir(parents=True)
    wheel.write_bytes(b"a wheel built before")
    again = build_pjsua2(recipe, "wheel", cache)
    assert (again.returncode, again.stdout.strip()) == (0, str(wheel)), again.stderr
    with (recipe / "config_site.h").open("a") as settings:
        settings.write("#define PJSUA_MAX_ACC 2\n")
    changed = build_pjsua2(recipe, "key", cache).stdout.strip()
    assert changed not in ("", key)
    assert build_pjsua2(recipe, "wheel", cache).returncode == 1  # a new build (which fails here)
    (tmp_path / "libsrtp-0" / "NEWS").write_text("a newer libsrtp2\n")
    pack_source(recipe, tmp_path / "libsrtp-0", "libsrtp2_0.orig.tar.gz", "libsrtp2.sha256")
    assert build_pjsua2(recipe, "key", cache).stdout.strip() not in ("", key, changed)


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
