"""Work held over a cap that a raised cap now makes room for, billed in the order it was held."""

from __future__ import annotations

from attrs import evolve

from domain.billing.charges import Charge, ChargeKind
from domain.billing.methods import SubscriptionPlusServices, TimeAndMaterials
from domain.billing.rating import Rated
from domain.billing.state import TermsState
from domain.billing.terms import BillingTerms
from domain.money import Money


def release_held(terms: BillingTerms, state: TermsState) -> Rated:
    """Whole holds, first held first, while each fits the room left under the cap.

    A released hold is billed as cap overage: its source's time charge may be invoiced
    already, and an event is invoiced once per kind. A hold that does not fit stops the
    release, so later work never jumps the queue; it waits for a decision as before.
    """
    cap = cap_of(terms)
    charges: list[Charge] = []
    for held in state.held:
        fits = cap is None or (state.cap_used + held.amount).amount <= cap.amount
        if not fits:
            break
        charges.append(Charge(ChargeKind.CAP_OVERAGE, held.source_id, held.amount, held.hours))
        state = evolve(state, cap_used=state.cap_used + held.amount)
        state = state.without_hold(held.source_id)
    return Rated(tuple(charges), state)


def cap_of(terms: BillingTerms) -> Money | None:
    method = terms.method
    if isinstance(method, SubscriptionPlusServices):
        return method.services.cap
    return method.cap if isinstance(method, TimeAndMaterials) else None
