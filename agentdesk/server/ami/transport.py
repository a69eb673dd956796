"""The transport layer of the AMI client: one TCP connection moving bytes
(actions out, parsed messages in), and the errors the client raises."""

from __future__ import annotations

import asyncio
import logging

from .protocol import AmiMessage, AmiParser

log = logging.getLogger("agentdesk.server.ami")

CONNECT_TIMEOUT = 5.0  # TCP connect, then banner and login each
READ_SIZE = 64 * 1024


class AmiError(Exception):
    """Base of the errors AmiClient raises."""


class AmiActionError(AmiError):
    """Asterisk answered an action with "Response: Error"."""

    def __init__(self, action: str, response: AmiMessage) -> None:
        self.response = response
        self.message = response.get("Message")
        super().__init__(f"{action} failed: {self.message or 'Response: Error'}")


# The names are part of the service's API, older than the lint rule.
class AmiNotConnected(AmiError):  # noqa: N818
    """No logged-in AMI connection, or it dropped before the answer came."""


class AmiTimeout(AmiError):  # noqa: N818
    """Asterisk did not answer in time."""


class LoginRejectedError(AmiError):
    """Asterisk refused our username or secret."""



class AmiConnection:
    """One TCP connection to AMI: raw actions out, parsed messages in."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.parser = AmiParser()
        self._reader = reader
        self._writer = writer
        self._drain_lock = asyncio.Lock()  # Python 3.11 allows one drain() waiter

    @classmethod
    async def open(cls, host: str, port: int) -> AmiConnection:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def read(self) -> list[AmiMessage]:
        """The messages completed by the next chunk; ConnectionError at the end."""
        data = await self._reader.read(READ_SIZE)
        if not data:
            raise ConnectionResetError("Asterisk closed the connection")
        return self.parser.feed(data)

    async def write(self, data: bytes) -> None:
        self._writer.write(data)
        async with self._drain_lock:
            await self._writer.drain()

    def abort(self) -> None:
        """Drop the connection at once; the reader then sees its end."""
        self._writer.transport.abort()

    async def close(self) -> None:
        self._writer.close()
        try:
            await asyncio.wait_for(self._writer.wait_closed(), 1.0)
        except (OSError, TimeoutError) as error:
            log.debug("AMI connection closed uncleanly: %s", describe(error))



def describe(error: BaseException) -> str:
    return str(error) or type(error).__name__
