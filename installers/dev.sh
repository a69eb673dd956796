#!/usr/bin/env bash
# AgentDesk on a Debian/Ubuntu machine, from a fresh checkout.
#
#   installers/dev.sh demo    set up, start the bundled PBX and the desktop as
#                             agent 1001, and place a demo call to it
#   installers/dev.sh test    set up, check the code (ruff, import-linter, mypy),
#                             run the fast tests, then those against the real
#                             PBX (arguments, if any, go to pytest instead)
#   installers/dev.sh bench   set up and run the benchmarks (tests/bench/)
#   installers/dev.sh setup   only install what is missing
#   installers/dev.sh package build the desktop's Debian package for this
#                             machine's distribution into dist/
#
# Each step is skipped when already done, so running it again is quick.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"

# Debian packages: run time (PortAudio, Qt's libraries, the PBX provisioning,
# espeak-ng and sox to make the PBX's voice prompts in English, Persian and Russian,
# a C compiler for the audio callback's C part)
# test time (JACK: a sound server with exact timing; PostgreSQL for the desk
# store's tests; iproute2 and nftables: a remote agent's network and home
# router, tests/helpers/netlab.py) and benchmark time
# (baresip, the peer the figures are compared with; tshark, the time an INVITE arrived).
RUNTIME_PACKAGES="ca-certificates python3 python3-venv debootstrap debian-archive-keyring util-linux
  libportaudio2 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  gcc libc6-dev libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
  libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xkb1 fonts-dejavu-core espeak-ng sox"
TEST_PACKAGES="jackd2 postgresql baresip-core iproute2 nftables"
BENCH_PACKAGES="jackd2 baresip xvfb tshark iproute2 nftables"
# Build time: pjsua2, built from pjproject's source against the system's
# OpenSSL 3 and Speex (installers/pjsua2/build.py); their -dev packages
# bring the run-time libraries the module links. libsrtp2 is built from its
# source in installers/pjsua2 on that OpenSSL, inside the module.
BUILD_PACKAGES="g++ make swig libssl-dev libspeex-dev libspeexdsp-dev uuid-dev"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_packages() {
  local missing=()
  for package in $*; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  say "Installing Debian packages: ${missing[*]}"
  printf '%s\n' "jackd2 jackd/tweak_rt_limits boolean false" \
    "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# pick_python: installers/python.sh
# shellcheck source=installers/python.sh
. installers/python.sh

make_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtual environment in .venv"
    "$(pick_python)" -m venv "$VENV"
  fi
  # Reinstalled when the dependencies, the C media clock or the pjsua2 build change.
  local stamp
  stamp="$VENV/.installed-$( (cat pyproject.toml agentdesk/desktop/audio/_fastclock.c
    "$VENV/bin/python" installers/pjsua2/build.py key) | sha256sum | cut -c1-16)"
  [ -f "$stamp" ] && return
  say "Installing AgentDesk and its Python dependencies"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -e ".[dev]"
  install_pjsua2
  rm -f "$VENV"/.installed-*
  touch "$stamp"
}

# pjsua2 as installers/pjsua2/build.py builds it (cached per build key).
# PyPI's pjsua2-python, which AgentDesk used before, installs the same
# module: it goes first, as its uninstall would delete ours.
install_pjsua2() {
  local wheel
  wheel=$("$VENV/bin/python" installers/pjsua2/build.py wheel)
  if "$VENV/bin/pip" show -q pjsua2-python >/dev/null 2>&1; then
    "$VENV/bin/pip" uninstall -q -y pjsua2-python
  fi
  "$VENV/bin/pip" install -q --no-deps --force-reinstall "$wheel"
}

setup() {
  install_packages "$RUNTIME_PACKAGES $BUILD_PACKAGES ${1:-}"
  make_venv
  pbx/run provision
}

demo() {
  setup
  # Everything the demo starts in the background stops with it, whatever ends
  # it (the desktop quitting, Ctrl+C, the terminal closing): installers/jobs.sh.
  # shellcheck source=installers/jobs.sh
  . installers/jobs.sh
  export AGENTDESK_CONFIG_DIR="${AGENTDESK_CONFIG_DIR:-$HOME/.config/agentdesk-demo}"
  export AGENTDESK_DATA_DIR="${AGENTDESK_DATA_DIR:-$HOME/.local/share/agentdesk-demo}"
  if ! "$VENV/bin/python" -c 'import keyring, sys; from keyring.backends import fail
b = keyring.get_keyring(); sys.exit(isinstance(b, fail.Keyring) or type(b).__module__.startswith("keyrings.alt"))'; then
    echo "No OS keyring here: the demo keeps its DEMO password in a file keyring (never do this for real)."
    export PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring
  fi
  pbx/run start
  echo demo-1001 | "$VENV/bin/agentdesk" account add --server 127.0.0.1:5060 --user 1001 --password-stdin
  # The desk service serves HTTPS with the PBX's certificate: the desktop pins the PBX's own authority.
  local ca="$AGENTDESK_CONFIG_DIR/pbx-ca.pem"
  pbx/run tls-ca --pem > "$ca"
  "$VENV/bin/agentdesk" config set tls_ca_file "$ca"
  "$VENV/bin/agentdesk" config set desk_url https://127.0.0.1:8480
  "$VENV/bin/agentdesk" config set crm_lookup_url 'http://127.0.0.1:8470/api/customers?phone={number}'
  "$VENV/bin/agentdesk" config set crm_open_url 'http://127.0.0.1:8470/customers/{id}'
  start_job "$VENV/bin/python" -m agentdesk.desktop.crm.demo --port 8470 --delay-ms 50 >/dev/null 2>&1
  if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    install_packages xvfb
    start_job Xvfb :77 -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1
    export DISPLAY=:77
    echo "No display: the desktop runs on a virtual screen (Xvfb :77). Screenshot: $VENV/bin/python installers/screenshot.py shot.png"
  fi
  # Agent 1001 works the support queue; demo customers call both queues
  # (sales has nobody logged in: watch its callers wait in the queue panel).
  DEMO_CA="$ca" "$VENV/bin/python" - <<'PY' || echo "Could not log 1001 into the support queue; use the agent bar (Ctrl+1)."
import os
import requests
from agentdesk.contract.signin import signin_key, signin_proof
desk, ca = "https://127.0.0.1:8480/api/v1", os.environ["DEMO_CA"]
nonce = requests.post(f"{desk}/session/challenge", json={"agent": "1001"}, verify=ca, timeout=5).json()["nonce"]
answer = {"agent": "1001", "nonce": nonce, "proof": signin_proof(signin_key("demo-1001"), nonce, "1001")}
token = requests.post(f"{desk}/session", json=answer, verify=ca, timeout=5).json()["token"]
requests.put(f"{desk}/agents/1001/queues/support", json={"logged_in": True, "phone": "1001"},
             headers={"Authorization": f"Bearer {token}"}, verify=ca, timeout=5).raise_for_status()
PY
  start_job pbx/run callers --queue support --forever --interval 25 --patience 120 --talk 40 >/dev/null
  start_job pbx/run callers --queue sales --forever --interval 30 --patience 60 --talk 20 >/dev/null
  echo "Demo customers are calling the support queue (7001), where 1001 is logged in, and sales (7002)."
  echo "Answer with F5. Stop with Ctrl+C (the PBX and desk service keep running: pbx/run stop)."
  start_job "$VENV/bin/agentdesk"
  wait_last_job
}

tests() {
  # The package's tests build the .deb: its tools are installed here, before
  # any test runs, rather than by the build in the middle of the suite.
  setup "$TEST_PACKAGES $PACKAGE_PACKAGES"
  say "ruff"
  "$VENV/bin/ruff" check agentdesk tests
  say "import-linter (the parts and what each may import)"
  "$VENV/bin/lint-imports"
  say "mypy"
  "$VENV/bin/mypy"
  if [ $# -gt 0 ]; then
    "$VENV/bin/python" -m pytest "$@"
    return
  fi
  # The fast tier first, so that a plain mistake fails in a minute or two.
  say "pytest, fast tier (no PBX)"
  "$VENV/bin/python" -m pytest -m "not pbx"
  say "pytest, PBX tier (real Asterisk, real calls, real PortAudio)"
  "$VENV/bin/python" -m pytest -m pbx
}

bench() {
  setup "$BENCH_PACKAGES"
  # One benchmark failing is reported and the others still run; the list at
  # the end says which finished. They measure: run them on a quiet machine.
  local results=() script status
  export BENCH_FIGURES="$ROOT/tests/bench/results/figures.jsonl"
  rm -f "$BENCH_FIGURES"
  for script in tests/bench/bench_*.py; do
    say "$script   (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
    if "$VENV/bin/python" "$script"; then status=done; else status="FAILED (exit $?)"; fi
    results+=("$(printf '%-44s %s' "$script" "$status")")
  done
  say "Benchmarks"
  printf '%s\n' "${results[@]}"
  say "Summary"
  "$VENV/bin/python" tests/bench/summary.py || true
  ! printf '%s\n' "${results[@]}" | grep -q FAILED
}

# The desktop's .deb (installers/package/build.py; arguments go to it):
# dpkg-dev computes its Depends from the ELF files, and the libraries the
# kept Qt plug-ins link must be here for the build's ldd check.
PACKAGE_PACKAGES="dpkg-dev binutils libwayland-client0 libwayland-cursor0 libxcb-glx0"
package() {
  install_packages "$RUNTIME_PACKAGES ${BUILD_PACKAGES:-} $PACKAGE_PACKAGES"
  make_venv
  "$VENV/bin/python" installers/package/build.py "$@"
}

case "${1:-}" in
  demo) demo ;;
  test) shift; tests "$@" ;;
  bench) bench ;;
  setup) setup "$TEST_PACKAGES" ;;
  package) shift; package "$@" ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
