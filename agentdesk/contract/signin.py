"""How a desktop proves to the desk service that it knows the agent's
secret without sending it, and where plain HTTP is allowed.

Sign-in is a challenge and its answer:

  POST /api/v1/session/challenge  {"agent": "1001"}
      -> {"nonce": "...", "expires_in": 30}
  POST /api/v1/session            {"agent": "1001", "nonce": "...", "proof": "<64 hex digits>"}
      -> {"token", "expires_at", "agent", "name", "role"}

proof = HMAC-SHA256(key, nonce ":" agent), key = HMAC-SHA256(secret,
"agentdesk-desk-login"). The nonce is the service's, random, short-lived,
good for one answer and only from the address and for the agent ID it
was issued to, so an answer seen on the wire opens nothing later.

Why not a desk password of its own: the agent would keep two secrets, and
the desk's would still cross the wire at every sign-in. With the SIP
secret answered, never sent, one sniffed sign-in gives away neither the
desk nor the SIP account, even over plain HTTP on loopback. The key is
derived, not the raw secret, so a proof is never an HMAC keyed by what
Asterisk checks SIP digests against. TLS (the desk service's HTTPS)
protects what a sign-in yields, the bearer token, on the network.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re

KEY_LABEL = b"agentdesk-desk-login"
CHALLENGE_SECONDS = 30  # how long a nonce may be answered
PROOF = re.compile(r"[0-9a-f]{64}")  # what signin_proof() returns
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")  # what the service issues (secrets.token_urlsafe)


def signin_key(secret: str) -> bytes:
    """The key a sign-in proof is made with, derived from the agent's secret."""
    return hmac.new(secret.encode("utf-8"), KEY_LABEL, hashlib.sha256).digest()


def signin_proof(key: bytes, nonce: str, agent: str) -> str:
    """The answer to the service's `nonce` for `agent` (lower-case hex)."""
    return hmac.new(key, f"{nonce}:{agent}".encode(), hashlib.sha256).hexdigest()


def is_loopback_host(host: str) -> bool:
    """Is `host` (an address or "localhost", without brackets) this machine
    itself? Only there may the desk link be plain HTTP."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
