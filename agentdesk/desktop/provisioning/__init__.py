"""Zero-touch provisioning, the desktop's side (the contract with the desk
service: agentdesk/contract/provisioning.py).

- link.py: a set-up link, parsed and checked before anything is sent;
- enroll.py: setting this desktop up from a link (`agentdesk provision`,
  Settings → "Set up from a link…");
- refresh.py: re-reading what an administrator set, signed in as the agent
  (`agentdesk provision --refresh`, and the running desktop through
  live.py's ProvisioningWatch).
"""
