"""The wrap-up ID of a callback call names its task; a queue call's names none."""

from __future__ import annotations

from agentdesk.contract.ids import callback_wrapup_id, is_uniqueid, task_of_wrapup


def test_a_callback_calls_wrap_up_id_names_its_task_and_is_a_call_id() -> None:
    wrapup_id = callback_wrapup_id("0123456789ab", "1765000000.42")
    assert is_uniqueid(wrapup_id)  # the wrap-up routes take it like a queue call's
    assert task_of_wrapup(wrapup_id) == "0123456789ab"


def test_a_queue_calls_or_a_placeholders_id_names_no_task() -> None:
    assert task_of_wrapup("1765000000.42") == ""
    assert task_of_wrapup("cb0123456789ab") == ""
    assert task_of_wrapup("cbXYZ456789ab-1.2") == ""
