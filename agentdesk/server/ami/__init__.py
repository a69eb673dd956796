"""The desk service's Asterisk Manager Interface client: `protocol` (the
pure wire format) and `client` (the connection and the action/event
manager)."""

from .client import (
    AmiActionError,
    AmiClient,
    AmiError,
    AmiNotConnected,
    AmiTimeout,
)
from .protocol import (
    AmiInjectionError,
    AmiMessage,
    AmiParser,
    encode_action,
)

__all__ = [
    "AmiActionError",
    "AmiClient",
    "AmiError",
    "AmiInjectionError",
    "AmiMessage",
    "AmiNotConnected",
    "AmiParser",
    "AmiTimeout",
    "encode_action",
]
