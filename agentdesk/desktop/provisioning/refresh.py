"""Re-reading what an administrator set for this agent (GET
PROVISIONING_PATH, signed in the way the desk link signs in: the agent's
secret answers the service's challenge and never leaves this machine).
Blocking: the running desktop calls it through live.py's worker."""

from __future__ import annotations

from .. import credentials
from ..link.api import DeskApi, DeskError, default_desk_url
from ..settings import SettingError, Settings
from .link import ProvisioningError


def apply_provisioning(data: object, settings: Settings) -> frozenset[str]:
    """Store the service's {"settings", "locked"}; the settings whose value changed."""
    if not isinstance(data, dict):
        raise ProvisioningError("The desk service sent provisioned settings this AgentDesk cannot read.")
    try:
        return settings.provision(data.get("settings", {}), data.get("locked", []))
    except SettingError as error:
        raise ProvisioningError(f"The desk service sent provisioned settings this AgentDesk cannot use: "
                                f"{error}") from None


def read_provisioning(api: DeskApi, settings: Settings) -> frozenset[str]:
    try:
        data = api.provisioning()
    except DeskError as error:
        raise ProvisioningError(str(error)) from None
    return apply_provisioning(data, settings)


def refresh_now(settings: Settings) -> frozenset[str]:
    """`agentdesk provision --refresh`: sign in with the stored secret and re-read."""
    get = settings.get
    user, server = get("user"), get("server")
    if not user or not server:
        raise ProvisioningError("No account is set up: set this desktop up from a link first "
                                "(agentdesk provision LINK).")
    secret = credentials.load_password(user, server)
    if secret is None:
        raise ProvisioningError(f"No password is stored for {user} on {server}: set this desktop up from a link "
                                "again.")
    try:
        api = DeskApi(get("desk_url") or default_desk_url(server, get("transport")), user, lambda: secret,
                      get("tls_ca_file"))
    except DeskError as error:
        raise ProvisioningError(str(error)) from None
    try:
        return read_provisioning(api, settings)
    finally:
        api.close()
