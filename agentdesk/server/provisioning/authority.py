"""The certificate authority the desk service's certificate chains to, as
provisioned desktops pin it: desk-service.json's "tls" "authority" (the
PBX's own, which `pbx/run start` names; left out when the certificate is
from a publicly trusted authority). Read when first asked for and again
when the file changes, so a service never holds a stale one."""

from __future__ import annotations

import hashlib
import logging
import re
import ssl
from dataclasses import dataclass
from pathlib import Path

from ..queues.agents import CommandError

log = logging.getLogger("agentdesk.server")

PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\r?\n?")


@dataclass(frozen=True)
class Authority:
    pem: str
    sha256: str  # of the DER form, lower-case hex: the link's #ca-sha256=


class AuthorityFile:
    """The authority of `path` (None: there is no private one)."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._stamp = -1.0
        self._authority: Authority | None = None

    @property
    def configured(self) -> bool:
        return self._path is not None

    def read(self) -> Authority | None:
        """The authority, None when the service has none; CommandError 503
        when its file cannot be used (the log says why)."""
        if self._path is None:
            return None
        try:
            stamp = self._path.stat().st_mtime
            if stamp != self._stamp or self._authority is None:
                self._authority = _authority(self._path.read_text(encoding="ascii"))
                self._stamp = stamp
        except (OSError, ValueError) as error:
            log.error("cannot read the certificate authority %s for provisioning: %s", self._path, error)
            raise CommandError(503, "the desk service cannot read its certificate authority; see its log") from None
        return self._authority


def _authority(text: str) -> Authority:
    found = PEM_CERTIFICATE.search(text)
    if found is None:
        raise ValueError("it holds no PEM certificate")
    pem = found.group(0).replace("\r\n", "\n")
    pem = pem if pem.endswith("\n") else pem + "\n"
    return Authority(pem, hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest())
