"""The drop log of a request being served: its DropNotes, labelled with the request.

Every field a provider's format cannot take is noted through `formats.dropped.note_dropped`;
the pipeline gives the request's canonical form the DropNotes made here, so each drop is logged
once per request (however many attempts build a body) with the request id the access line also
carries, and the model the client asked for.
"""

from __future__ import annotations

from ..formats.dropped import DropNotes
from ..usage.trace import RequestTrace


def request_drops(trace: RequestTrace) -> DropNotes:
    """The DropNotes of the request `trace` follows (its id and model set)."""
    return DropNotes(
        f"request {trace.request_id} ({trace.requested_model}):",
        fields={"request_id": trace.request_id, "model": trace.requested_model},
    )
