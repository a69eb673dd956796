"""The PBX's certificates: SIP over TLS and the desk service's HTTPS.

By default `pbx/run start` keeps a private certificate authority in the
state folder's tls/ (made once, its key never leaves that folder) and
issues the server a certificate for the PBX's names and addresses, again
whenever the names change or fewer than RENEW_DAYS remain. Desktops pin
that authority (`pbx/run tls-ca` shows it and its fingerprint), so nothing
has to be bought or published for a private contact center.

An administrator with a certificate from a public authority (an ACME
client's, say) names it with --tls-cert/--tls-key (or AGENTDESK_PBX_TLS_CERT
and AGENTDESK_PBX_TLS_KEY): it is copied in at every start, so a renewed
certificate is taken at the next start, and desktops trust it through the
system's authorities.

Keys are ECDSA P-256: small, quick to sign, and understood by every TLS
library a SIP phone is likely to carry (OpenSSL 1.0.2 included).
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .layout import Layout, PbxError

log = logging.getLogger("agentdesk.pbxtool")

CA_DAYS = 3650
SERVER_DAYS = 397  # what public authorities may issue at most; renewed well before
RENEW_DAYS = 30


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    names: tuple[str, ...]
    not_after: datetime.datetime
    fingerprint: str  # SHA-256 of the DER form, colon-separated hex

    @property
    def days_left(self) -> int:
        return (self.not_after - datetime.datetime.now(datetime.UTC)).days


def default_names(bind: str, extra: tuple[str, ...]) -> tuple[str, ...]:
    """The names a desktop may use for this PBX: the loopback ones, this
    host's name, the bind address when it is a specific one, and the
    administrator's (--tls-name)."""
    names = ["localhost", "127.0.0.1", "::1", socket.gethostname()]
    if not ipaddress.ip_address(bind).is_unspecified:
        names.append(bind)
    names += [name.strip().lower() for name in extra if name.strip()]
    return tuple(dict.fromkeys(name for name in names if name))


def ensure(layout: Layout, names: tuple[str, ...], given: tuple[Path, Path] | None) -> None:
    """Make sure tls/ holds a usable server certificate and key for `names`
    (and, without `given`, the private authority that signs it)."""
    folder = layout.tls_dir
    folder.mkdir(mode=0o700, exist_ok=True)
    if given is not None:
        _take_given(layout, *given)
        return
    (folder / "given").unlink(missing_ok=True)
    ca_key, ca_cert = _authority(layout)
    current = _read_certificate(layout.server_cert_file)
    if current is None or not _still_good(current, ca_cert, names):
        _issue_server(layout, ca_key, ca_cert, names)


def _authority(layout: Layout) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    ca = _read_certificate(layout.ca_cert_file)
    if ca is not None and layout.ca_key_file.exists():
        key = serialization.load_pem_private_key(layout.ca_key_file.read_bytes(), None)
        if isinstance(key, ec.EllipticCurvePrivateKey) and _days_left(ca) > RENEW_DAYS:
            return key, ca
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "AgentDesk"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"AgentDesk PBX authority ({socket.gethostname()})"),
    ])
    now = datetime.datetime.now(datetime.UTC)
    ca = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(layout.ca_key_file, _key_pem(key), 0o600)
    _write(layout.ca_cert_file, ca.public_bytes(serialization.Encoding.PEM), 0o644)
    log.info("made a new certificate authority, fingerprint %s", fingerprint(ca))
    return key, ca


def _issue_server(
    layout: Layout, ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, names: tuple[str, ...]
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    common_name = next((name for name in names if not _is_address(name) and name != "localhost"), names[0])
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName([_general_name(name) for name in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write(layout.server_key_file, _key_pem(key), 0o640)
    chain = cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)
    _write(layout.server_cert_file, chain, 0o644)
    log.info("issued the server certificate for %s", ", ".join(names))


def _take_given(layout: Layout, cert_path: Path, key_path: Path) -> None:
    try:
        cert_bytes, key_bytes = cert_path.read_bytes(), key_path.read_bytes()
    except OSError as error:
        raise PbxError(f"cannot read the TLS certificate or key: {error.filename}: {error.strerror}") from None
    try:
        cert = x509.load_pem_x509_certificates(cert_bytes)[0]
        key = serialization.load_pem_private_key(key_bytes, None)
    except (ValueError, TypeError) as error:
        raise PbxError(f"{cert_path} or {key_path} is not a PEM certificate and unencrypted key ({error})") from None
    if cert.public_key().public_bytes(*_SPKI) != key.public_key().public_bytes(*_SPKI):
        raise PbxError(f"the key {key_path} does not belong to the certificate {cert_path}")
    if _days_left(cert) < 0:
        raise PbxError(f"the certificate {cert_path} expired on {cert.not_valid_after_utc:%Y-%m-%d}")
    _write(layout.server_key_file, key_bytes, 0o640)
    _write(layout.server_cert_file, cert_bytes, 0o644)
    (layout.tls_dir / "given").write_text(f"{cert_path}\n", encoding="utf-8")


_SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _still_good(cert: x509.Certificate, ca: x509.Certificate, names: tuple[str, ...]) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
    except (InvalidSignature, ValueError, TypeError):  # not our authority's (any more): issue a new one
        return False
    return _days_left(cert) > RENEW_DAYS and set(names) <= set(_names_of(cert))


def _names_of(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        alternative = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    dns = alternative.get_values_for_type(x509.DNSName)
    addresses = [str(address) for address in alternative.get_values_for_type(x509.IPAddress)]
    return tuple(dns + addresses)


def describe(path: Path) -> CertificateInfo | None:
    cert = _read_certificate(path)
    if cert is None:
        return None
    return CertificateInfo(
        subject=cert.subject.rfc4514_string(), issuer=cert.issuer.rfc4514_string(), names=_names_of(cert),
        not_after=cert.not_valid_after_utc, fingerprint=fingerprint(cert),
    )


def is_given(layout: Layout) -> bool:
    """Is the server certificate the administrator's (not our authority's)?"""
    return (layout.tls_dir / "given").exists()


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def _read_certificate(path: Path) -> x509.Certificate | None:
    try:
        return x509.load_pem_x509_certificates(path.read_bytes())[0]
    except (OSError, ValueError, IndexError):
        return None


def _days_left(cert: x509.Certificate) -> int:
    return (cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC)).days


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _general_name(name: str) -> x509.GeneralName:
    if _is_address(name):
        return x509.IPAddress(ipaddress.ip_address(name))
    return x509.DNSName(name)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _write(path: Path, data: bytes, mode: int) -> None:
    """Written aside and moved in whole, with its mode from the start: a
    key is never readable by others, not even for a moment."""
    staging = path.with_name(path.name + ".new")
    staging.unlink(missing_ok=True)
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(staging, mode)  # whatever the umask
    shutil.move(staging, path)
