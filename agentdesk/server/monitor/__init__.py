"""Team lead monitor mode on the desk service: the floor's state and its
coalesced feed, supervision (listen, whisper, barge), the team leads'
control of agents and callers, and the audit log."""
