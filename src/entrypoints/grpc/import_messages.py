"""The answer to an import stream: counts of what each batch's items came to, and the refused
items named by their batch, index and field."""

from __future__ import annotations

from collections.abc import Sequence

from application.approve_work import ItemOutcome
from entrypoints.grpc.errors import status_message
from o2c.v1 import billing_pb2

MAX_REFUSALS_LISTED = 1000  # as the response declares; `refused` counts them all


def tally(
    answer: billing_pb2.ImportBillableEventsResponse,
    batch: billing_pb2.ImportBillableEventsRequest,
    outcomes: Sequence[ItemOutcome],
) -> None:
    """Add one batch's outcomes, in its items' order, to the import's answer."""
    for index, (item, outcome) in enumerate(zip(batch.items, outcomes, strict=True)):
        if outcome.approval is not None and outcome.approval.already_staged:
            answer.already_staged += 1
        elif outcome.approval is not None:
            answer.staged += 1
        elif outcome.error is not None:
            answer.refused += 1
            if len(answer.refusals) < MAX_REFUSALS_LISTED:
                answer.refusals.append(
                    billing_pb2.RefusedBillableEvent(
                        batch=answer.batches,
                        batch_request_id=batch.request_id,
                        index=index,
                        request_id=item.request_id,
                        field=outcome.error.field[:256],
                        error=status_message(outcome.error),
                    )
                )
    answer.batches += 1
