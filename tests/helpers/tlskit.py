"""What the TLS tests need around the real PBX: certificates of their own
(an impostor's authority, an expired server certificate), a plain TCP
forwarder that makes the PBX answer on an address its certificate does not
name, a TLS server that records whether anything reached it, and a packet
capture on the loopback interface (root only, as in CI)."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import select
import socket
import ssl
import struct
import threading
import time
import zlib
from collections import defaultdict
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def make_authority(folder: Path, name: str = "Impostor authority") -> tuple[Path, Path]:
    """A self-signed authority: (certificate file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(_name(name)).issuer_name(_name(name))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    return _save(folder, "authority", cert, key)


def issue(folder: Path, ca_cert: Path, ca_key: Path, address: str, days: tuple[int, int]) -> tuple[Path, Path]:
    """A server certificate for `address`, valid from days[0] to days[1]
    relative to today (both negative: expired), signed by the authority."""
    authority = x509.load_pem_x509_certificate(ca_cert.read_bytes())
    authority_key = serialization.load_pem_private_key(ca_key.read_bytes(), None)
    assert isinstance(authority_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(_name(address)).issuer_name(authority.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now + datetime.timedelta(days=days[0]))
        .not_valid_after(now + datetime.timedelta(days=days[1]))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]), critical=False)
        .sign(authority_key, hashes.SHA256())
    )
    return _save(folder, f"server-{address}", cert, key)


def _save(folder: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> tuple[Path, Path]:
    cert_path, key_path = folder / f"{stem}.pem", folder / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


class Forwarder:
    """Accepts TCP on (host, port) and pipes each connection to `target`
    unchanged: the TLS inside is the PBX's own, reached by another address."""

    def __init__(self, host: str, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server((host, 0))
        self.address = self._listener.getsockname()[:2]
        self._stop = threading.Event()
        self._server = threading.Thread(target=self._serve, daemon=True)
        self._server.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            if not select.select([self._listener], [], [], 0.2)[0]:
                continue
            client, _ = self._listener.accept()
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        with a, b, contextlib.suppress(OSError):  # either side may reset: the phone refusing the certificate
            while not self._stop.is_set():
                ready = select.select([a, b], [], [], 0.2)[0]
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (b if source is a else a).sendall(data)

    def close(self) -> None:
        self._stop.set()
        self._server.join(2)
        self._listener.close()


class TlsListener:
    """A TLS server with the given certificate that counts the bytes a
    client sent after a completed handshake (a phone that trusted it)."""

    def __init__(self, cert: Path, key: Path) -> None:
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(cert, key)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.address = self._listener.getsockname()[:2]
        self.handshakes = 0
        self.received = b""
        self._stop = threading.Event()
        self._server = threading.Thread(target=self._serve, daemon=True)
        self._server.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            if not select.select([self._listener], [], [], 0.2)[0]:
                continue
            raw, _ = self._listener.accept()
            threading.Thread(target=self._talk, args=(raw,), daemon=True).start()

    def _talk(self, raw: socket.socket) -> None:
        raw.settimeout(3)
        try:
            with self._context.wrap_socket(raw, server_side=True) as tls:
                self.handshakes += 1
                self.received += tls.recv(4096)
        except (OSError, ssl.SSLError):
            pass

    def close(self) -> None:
        self._stop.set()
        self._server.join(2)
        self._listener.close()


class LoopbackCapture:
    """UDP payloads on the loopback interface, grouped by flow (source
    port, destination port), for the ports in `ports`. Needs root."""

    def __init__(self, ports: range) -> None:
        self.ports = ports
        self.flows: dict[tuple[int, int], list[bytes]] = defaultdict(list)
        self._socket = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        self._socket.bind(("lo", 0))
        self._socket.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def available() -> bool:
        return os.geteuid() == 0

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                frame, address = self._socket.recvfrom(65536)
            except TimeoutError:
                continue
            if address[2] == socket.PACKET_OUTGOING or len(frame) < 42 or frame[12:14] != b"\x08\x00":
                continue  # each loopback packet is seen twice; IPv4 only
            header_length = (frame[14] & 0x0F) * 4
            if frame[23] != 17:  # UDP
                continue
            udp = 14 + header_length
            source, destination = struct.unpack("!HH", frame[udp:udp + 4])
            if source in self.ports or destination in self.ports:
                self.flows[(source, destination)].append(frame[udp + 8:])

    def capture(self, seconds: float) -> dict[tuple[int, int], list[bytes]]:
        self.flows.clear()
        time.sleep(seconds)
        return {flow: list(payloads) for flow, payloads in self.flows.items()}

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._socket.close()


def rtp_compressibility(payloads: list[bytes]) -> float:
    """How much zlib shrinks the RTP payloads (headers cut off): a steady
    tone, G.722-coded, repeats itself and shrinks well; encrypted audio
    (SRTP) is indistinguishable from random bytes and does not shrink."""
    body = b"".join(p[12:] for p in payloads if len(p) > 12)
    return 1.0 - len(zlib.compress(body, 9)) / max(1, len(body))
