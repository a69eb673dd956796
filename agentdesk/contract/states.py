"""The states, kinds and outcomes both sides name, each defined once.

Plain strings on the wire (JSON, the store, AMI user events); the desktop
turns agent activities into an Enum.
"""

from __future__ import annotations

from enum import Enum

# Who someone is in the directory (pbx/directory.csv).
AGENT = "agent"
TEAMLEAD = "teamlead"
CUSTOMER = "customer"  # the demo's customer phones: they never sign in to the desk service
ROLES = (AGENT, TEAMLEAD, CUSTOMER)


class AgentActivity(Enum):
    """What an agent is doing, as the desk service sees it in Asterisk."""

    LOGGED_OUT = "logged_out"  # in no queue
    READY = "ready"  # logged in, not paused, free
    RINGING = "ringing"
    ON_CALL = "on_call"
    PAUSED = "paused"
    UNAVAILABLE = "unavailable"  # logged in but the phone is not registered


# A queue call's outcome: "waiting" until an agent connects, "answered" from
# then on; at the end, what Asterisk said (completed, abandoned, timeout, full,
# transferred, left).
CALL_WAITING = "waiting"
CALL_ANSWERED = "answered"
CALL_ABANDONED = "abandoned"

# Transfers an agent made: kinds, and results (RETURNED + the target's DIALSTATUS).
TRANSFER_BLIND = "blind"
TRANSFER_ATTENDED = "attended"
TRANSFER_CONFERENCE = "conference"
TRANSFER_VOICEMAIL = "voicemail"
TRANSFER_ACCEPTED = "accepted"
TRANSFER_FAILED = "failed"
TRANSFER_RETURNED = "returned:"

# Callback tasks.
CB_WAITING = "waiting"  # open, held by nobody; due once due_at <= now
CB_OFFERED = "offered"  # a placeholder is in the Asterisk queue or ringing an agent
CB_CLAIMED = "claimed"  # one agent holds it (dialling, talking, choosing the outcome)
CB_DONE = "done"  # the customer was reached
CB_FAILED = "failed"  # given up: attempts used, wrong number, declined
CB_CANCELLED = "cancelled"  # the caller was served on a call of their own, or a team lead cancelled
OPEN_CALLBACK_STATES = (CB_WAITING, CB_OFFERED, CB_CLAIMED)
CLOSED_CALLBACK_STATES = (CB_DONE, CB_FAILED, CB_CANCELLED)

ORIGIN_INQUEUE = "inqueue"  # pressed 1 while waiting in a queue
ORIGIN_SCHEDULED = "scheduled"  # chose a time in the IVR, or an agent booked one
ORIGIN_WEB = "web"  # the company website's form
ORIGIN_MISSED = "missed"  # abandoned the queue after the minimum wait
ORIGINS = (ORIGIN_INQUEUE, ORIGIN_SCHEDULED, ORIGIN_WEB, ORIGIN_MISSED)

OUTCOME_REACHED = "reached"
OUTCOME_NO_ANSWER = "no_answer"
OUTCOME_BUSY = "busy"
OUTCOME_VOICEMAIL = "voicemail"
OUTCOME_WRONG_NUMBER = "wrong_number"
OUTCOME_DECLINED = "declined"
# The customer was not reached: the task stays open for another attempt while any are left.
RETRY_OUTCOMES = frozenset({OUTCOME_NO_ANSWER, OUTCOME_BUSY, OUTCOME_VOICEMAIL})
OUTCOMES = (OUTCOME_REACHED, OUTCOME_NO_ANSWER, OUTCOME_BUSY, OUTCOME_VOICEMAIL, OUTCOME_WRONG_NUMBER,
            OUTCOME_DECLINED)

# What happened to a task, kept for reports (a task's history).
EVENT_REQUESTED = "requested"
EVENT_MERGED = "merged"
EVENT_OFFERED = "offered"
EVENT_SKIPPED = "skipped"
EVENT_CLAIMED = "claimed"
EVENT_RELEASED = "released"
EVENT_DIALLED = "dialled"  # detail: the DIALSTATUS
EVENT_OUTCOME = "outcome"  # detail: the outcome
EVENT_RESCHEDULED = "rescheduled"
EVENT_CANCELLED = "cancelled"
EVENT_EXPIRED = "expired"
EVENT_SERVED_INBOUND = "served_inbound"
EVENT_REFUSED = "refused"  # task_id "" allowed: detail names the reason and the number

# Wrap-up (after-call work).
WRAPUP_REASON = "wrap-up"  # the pause reason Asterisk shows; only the desk service sets it
WRAPUP_ACTIVE = "active"  # the agent is paused for it (counting down, or past the limit)
WRAPUP_ENDED = "ended"
THEN_READY = "ready"  # where the agent goes when the wrap-up ends
THEN_PAUSED = "paused"
MAX_DISPOSITION = 60  # characters of a disposition code
MAX_NOTES = 4000  # characters of wrap-up notes
MAX_TOPIC = 200  # characters of a follow-up's topic

# Offers an agent did not answer ("not responding"): after a queue's number
# of missed offers in a row the desk service pauses the agent with this reason.
MISSED_CALL_REASON = "missed call"  # only the desk service sets it
