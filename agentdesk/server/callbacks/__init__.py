"""Callback tasks: customers keep their place in line without
holding and agents work one task list.

The modules here are pure logic (no I/O, injected clocks): `settings`
(the "callbacks" section of desk-service.json), `numbers` (which numbers
we call back, in which form), `policy` (retries, offers, booking times,
rate limits) and `line` (where due tasks stand among the live callers).
"""
