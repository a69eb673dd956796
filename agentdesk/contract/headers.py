"""The SIP headers the PBX adds to the calls it offers an agent's phone.

The dialplan sets them (pbx/asterisk/); the desktop reads them from the
INVITE, and only from the PBX's own address. None of them can make a call
answer by itself: they describe the call, the desktop's settings decide.
The one exception is SUPERVISE: a team lead's desktop answers it by itself,
and only when its value is a session that desktop asked the desk service
for moments before.
Names are lower-case, as the desktop compares them.
"""

from __future__ import annotations

QUEUE = "x-agentdesk-queue"  # the queue the caller waited in
QUEUE_CALL = "x-agentdesk-call"  # the caller channel's uniqueid: the desk service's key for the screen-pop
TRANSFER = "x-agentdesk-transfer"  # "by=<agent>;to=<target>[;returned=<status>]" on transferred calls
CALLBACK = "x-agentdesk-callback"  # a callback task offered to the agent (answering = calling the customer)
AUTODIAL = "x-agentdesk-autodial"  # seconds until that task is called by itself (0: the agent decides)
SUPERVISE = "x-agentdesk-supervise"  # a supervision session ringing the team lead's own phone
