from __future__ import annotations

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import StatementError
from support.databases import ONLY_SQLITE

from adapters.persistence.column_types import NotExactlyStored
from adapters.persistence.composite import money_composite
from adapters.persistence.tables import engagements
from domain.money import Money

from .builders import an_engagement

CONTRACT_VALUE = (engagements.c.contract_value_currency, engagements.c.contract_value_minor_units)


def save(uow_factory, engagement) -> None:
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.commit()


def stored_contract_value(engine, engagement_id: str) -> tuple[object, object]:
    query = select(*CONTRACT_VALUE).where(engagements.c.id == engagement_id)
    with engine.connect() as connection:
        return tuple(connection.execute(query).one())


def overwrite(engine, engagement_id: str, **values: object) -> None:
    with engine.begin() as connection:
        connection.execute(update(engagements).where(engagements.c.id == engagement_id), values)


def test_money_is_taken_apart_into_its_currency_and_whole_minor_units():
    composite = money_composite(*CONTRACT_VALUE)

    values = composite._composite_values_from_instance(Money.of("1250.5", "USD"))

    assert values == ("USD", 125050)


@pytest.mark.parametrize(
    ("currency", "units"), [("USD", 125050), ("JPY", 15000000), ("KWD", 45000125)]
)
def test_money_is_stored_as_a_currency_and_a_whole_number_of_its_minor_units(
    engine, uow_factory, currency, units
):
    engagement = an_engagement(currency)
    save(uow_factory, engagement)

    stored = stored_contract_value(engine, engagement.id)

    assert stored == (currency, units)
    assert type(stored[1]) is int


def test_replacing_the_money_on_a_loaded_engagement_updates_both_columns(engine, uow_factory):
    engagement = an_engagement("USD")
    save(uow_factory, engagement)

    with uow_factory() as uow:
        uow.engagements.get(engagement.id).contract_value = Money.of("99999.99", "USD")
        uow.commit()

    with uow_factory() as uow:
        assert uow.engagements.get(engagement.id).contract_value == Money.of("99999.99", "USD")
    assert stored_contract_value(engine, engagement.id) == ("USD", 9999999)


@ONLY_SQLITE  # PostgreSQL keeps only whole numbers in a BIGINT column
def test_a_real_number_that_sqlite_let_into_the_minor_units_is_an_error_naming_the_column(
    engine, uow_factory
):
    engagement = an_engagement("USD")
    save(uow_factory, engagement)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE engagements SET contract_value_minor_units = 1.5 WHERE id = :id"),
            {"id": engagement.id},
        )

    with pytest.raises(NotExactlyStored, match="contract_value_minor_units"), uow_factory() as uow:
        uow.engagements.get(engagement.id)


@ONLY_SQLITE  # PostgreSQL refuses a number beyond 64 bits in a BIGINT column
def test_a_number_beyond_64_bits_that_sqlite_kept_as_a_float_is_an_error_not_a_rounding(
    engine, uow_factory
):
    engagement = an_engagement("USD")
    save(uow_factory, engagement)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE engagements SET contract_value_minor_units = 9223372036854775808"
                " WHERE id = :id"
            ),
            {"id": engagement.id},
        )

    with pytest.raises(NotExactlyStored, match="contract_value_minor_units"), uow_factory() as uow:
        uow.engagements.get(engagement.id)


def test_a_stored_currency_without_minor_units_is_an_error_naming_the_currency_column(
    engine, uow_factory
):
    engagement = an_engagement("USD")
    save(uow_factory, engagement)
    overwrite(engine, engagement.id, contract_value_currency="XAU")

    column = r"engagements\.contract_value_currency"
    with pytest.raises(NotExactlyStored, match=column), uow_factory() as uow:
        uow.engagements.get(engagement.id)


def test_a_number_beyond_64_bits_is_refused_on_write_and_nothing_is_stored(engine, uow_factory):
    engagement = an_engagement("USD")
    save(uow_factory, engagement)

    with pytest.raises(StatementError) as error:
        overwrite(engine, engagement.id, contract_value_minor_units=2**63)

    assert isinstance(error.value.orig, NotExactlyStored)
    assert stored_contract_value(engine, engagement.id) == ("USD", 125050)
