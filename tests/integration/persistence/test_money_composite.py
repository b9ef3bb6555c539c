from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from adapters.persistence.composite import AttrsComposite
from adapters.persistence.tables import engagements
from domain.money import Money

from .builders import an_engagement


def test_money_is_taken_apart_by_its_attrs_fields_in_order():
    composite = AttrsComposite(
        Money, engagements.c.contract_value_currency, engagements.c.contract_value_amount
    )

    values = composite._composite_values_from_instance(Money.of("1250.5", "USD"))

    assert values == ("USD", Decimal("1250.50"))


def test_money_is_stored_as_a_currency_column_and_an_exact_amount_column(engine, uow_factory):
    engagement = an_engagement("KWD")
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()

    query = select(
        engagements.c.contract_value_currency, engagements.c.contract_value_amount
    ).where(engagements.c.id == engagement.id)
    with engine.connect() as connection:
        currency, amount = connection.execute(query).one()

    assert (currency, amount) == ("KWD", Decimal("45000.125"))
    assert isinstance(amount, Decimal)


def test_replacing_the_money_on_a_loaded_engagement_updates_both_columns(engine, uow_factory):
    engagement = an_engagement("USD")
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()

    with uow_factory() as uow:
        uow.engagements.get(engagement.id).contract_value = Money.of("99999.99", "USD")
        uow.commit()

    with uow_factory() as uow:
        assert uow.engagements.get(engagement.id).contract_value == Money.of("99999.99", "USD")
