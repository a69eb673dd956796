"""libsrtp2 for AgentDesk's pjsua2, built on OpenSSL's crypto and linked
into the module as a static archive.

Why not the system's libsrtp2-1: Debian builds it on NSS, and with it
an SRTP call cost 25-67 % more CPU per call-minute than plain RTP
(tests/bench/bench_tls.py), where libsrtp2 on OpenSSL's AES and HMAC (as
PyPI's old wheel had it) cost about the same as plain RTP. The crypto stays
the system's libcrypto.so.3, which apt keeps updated; libsrtp2's own code
(packet framing, replay checks, key derivation) is carried in the module,
so a security fix to it means a new tarball here and a new AgentDesk build.

The source is `libsrtp2_2.5.0.orig.tar.gz` next to this script: the
upstream tarball of Debian 12's libsrtp2 2.5.0-3 source package, the same
libsrtp2 release the system package is (Debian's patches to it touch only
its tests and README), checked against `libsrtp2.sha256` before use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from steps import Source, compile_env, jobs, run

SOURCE = Source.named_in("libsrtp2", "libsrtp2.sha256")

# pcap: only libsrtp2's own test tools read packet captures.
CONFIGURE = ["--enable-openssl", "--disable-pcap"]


def build(source: Path, prefix: Path, log: TextIO) -> None:
    """Builds the unpacked `source` and installs the static archive and its
    headers into `prefix` (lib/libsrtp2.a, include/srtp2/)."""
    env = compile_env({source: "libsrtp", prefix: "libsrtp2"})
    run(["./configure", f"--prefix={prefix}", *CONFIGURE], source, env, log, "libsrtp2: configure")
    run(["make", f"-j{jobs()}", "libsrtp2.a"], source, env, log, f"libsrtp2: make ({jobs()} jobs)")
    run(["make", "install"], source, env, log, "libsrtp2: install")
