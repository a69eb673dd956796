"""The names of the desk service's server-sent events (GET /api/v1/events).

Every stream starts with SNAPSHOT (everything the desktop shows, see
queues.py); the others carry one changed thing.
"""

from __future__ import annotations

SNAPSHOT = "snapshot"  # queues.DeskSnapshot
QUEUE = "queue"  # queues.QueueSummary
AGENT = "agent"  # queues.AgentState, only to that agent (and team leads)
PBX = "pbx"  # {"connected": bool}: the desk service's link to Asterisk
CALLBACK = "callback"  # callbacks.CallbackTaskView, only to those who may see its queue
WRAPUP = "wrapup"  # wrapups.WrapUpView, to its agent and team leads
SURVEY = "survey"  # wrapups.SurveyResult, to its agent and team leads
OFFER_TAKEN = "offer_taken"  # offers.OfferTaken: a queue call the agent missed, answered by a colleague
# {}: an administrator changed provisioned settings; re-read them (contract/provisioning.py)
PROVISIONING = "provisioning"
SUPERVISION = "supervision"  # leads.Supervision: to the lead (monitor stream), to the agent as the queue says
CONTROL = "control"  # leads.ControlNotice: to the agent a team lead acted on

ALL = (SNAPSHOT, QUEUE, AGENT, PBX, CALLBACK, WRAPUP, SURVEY, OFFER_TAKEN, PROVISIONING, SUPERVISION, CONTROL)

# The monitor stream (GET /api/v1/monitor/events), team leads only: FLOOR
# first, then FLOOR_UPDATE as things change (coalesced), TICK every few
# seconds, SUPERVISION for the lead's own sessions.
FLOOR = "floor"  # monitor.FloorSnapshot
FLOOR_UPDATE = "floor_update"  # monitor.FloorUpdate
TICK = "tick"  # monitor.Tick
MONITOR_ALL = (FLOOR, FLOOR_UPDATE, TICK, SUPERVISION)
