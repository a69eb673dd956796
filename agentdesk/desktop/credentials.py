"""Passwords, kept only in the operating system's keyring (`keyring`).

Never in a file, never in a log. Calls may block (the keyring may ask the
user to unlock it), so the GUI calls them from a worker (tasks.run_task).
"""

from __future__ import annotations

import logging
import os

import keyring
import keyring.errors
from keyring.backends import fail

log = logging.getLogger("agentdesk.desktop")
SERVICE = "AgentDesk"
PROBE_KEY = "agentdesk:probe"  # written and deleted again by check_store()


class CredentialStoreError(Exception):
    """The keyring is missing or refused; the message says what to do."""


NO_BACKEND = (
    "No password store (keyring) is available, so AgentDesk cannot keep your SIP password. "
    "On Linux start or unlock GNOME Keyring or KWallet (or install the Secret Service); "
    "IT can select another backend with PYTHON_KEYRING_BACKEND."
)


def backend_name() -> str:
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def account_key(user: str, server: str) -> str:
    return f"sip:{user}@{server}"


def _check_backend() -> None:
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise CredentialStoreError(NO_BACKEND)
    # keyrings.alt's backends write passwords into files: acceptable only
    # when someone chose one on purpose (tests, a kiosk set up by IT).
    chosen = os.environ.get("PYTHON_KEYRING_BACKEND")
    if type(backend).__module__.startswith("keyrings.alt") and not chosen:
        raise CredentialStoreError(NO_BACKEND)


def check_store() -> None:
    """Raise CredentialStoreError unless a password can be saved now: a
    one-time set-up link is spent when used, so its secret must have a
    place to go before the link is opened. Saving and deleting a probe also
    makes a locked keyring ask to be unlocked at this point."""
    _check_backend()
    try:
        keyring.set_password(SERVICE, PROBE_KEY, "probe")
        keyring.delete_password(SERVICE, PROBE_KEY)
    except keyring.errors.KeyringError as error:
        raise CredentialStoreError(f"The password store cannot take a password now: {error}") from None


def save_password(user: str, server: str, password: str) -> None:
    _check_backend()
    try:
        keyring.set_password(SERVICE, account_key(user, server), password)
    except keyring.errors.KeyringError as error:
        raise CredentialStoreError(f"The password store refused to save the password: {error}") from None


def load_password(user: str, server: str) -> str | None:
    _check_backend()
    try:
        return keyring.get_password(SERVICE, account_key(user, server))
    except keyring.errors.KeyringError as error:
        raise CredentialStoreError(f"The password store could not be read: {error}") from None


def delete_password(user: str, server: str) -> None:
    _check_backend()
    try:
        keyring.delete_password(SERVICE, account_key(user, server))
    except keyring.errors.PasswordDeleteError:
        pass  # nothing stored: nothing to delete
    except keyring.errors.KeyringError as error:
        raise CredentialStoreError(f"The password store could not delete the password: {error}") from None


def crm_key(host: str) -> str:
    """The CRM token is stored per CRM host, so pointing the look-up at
    another host never sends it the old host's token."""
    return f"crm:{host.lower()}"


def save_crm_token(host: str, token: str) -> None:
    _check_backend()
    try:
        keyring.set_password(SERVICE, crm_key(host), token)
    except keyring.errors.KeyringError as error:
        raise CredentialStoreError(f"The password store refused to save the CRM token: {error}") from None


def load_crm_token(host: str) -> str | None:
    """The value of the CRM's authorisation header (crm_auth_header), or None."""
    _check_backend()
    try:
        return keyring.get_password(SERVICE, crm_key(host))
    except keyring.errors.KeyringError as error:
        raise CredentialStoreError(f"The password store could not be read: {error}") from None


def delete_crm_token(host: str) -> None:
    _check_backend()
    try:
        keyring.delete_password(SERVICE, crm_key(host))
    except keyring.errors.PasswordDeleteError:
        pass  # nothing stored: nothing to delete
    except keyring.errors.KeyringError as error:
        raise CredentialStoreError(f"The password store could not delete the CRM token: {error}") from None
