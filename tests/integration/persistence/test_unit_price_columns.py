"""A unit price keeps its extra digits exactly, on both databases, ready for the billing tables."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from attrs import define
from sqlalchemy import Column, Engine, MetaData, String, Table, inspect, select, text
from sqlalchemy.orm import Session, registry
from support.databases import ONLY_SQLITE

from adapters.persistence.column_types import NotExactlyStored, exact_sum, unit_price_columns
from adapters.persistence.composite import unit_price_composite
from domain.unit_price import UnitPrice

price_list = Table(
    "test_price_list",
    MetaData(),
    Column("product", String(64), primary_key=True),
    *unit_price_columns("price"),
)
STORED = price_list.c.price_hundred_millionths


@define(slots=False)
class PriceListLine:
    product: str
    price: UnitPrice


@pytest.fixture(scope="module")
def mapped() -> None:
    if inspect(PriceListLine, raiseerr=False) is not None:
        return
    mappers = registry()
    composite = unit_price_composite(price_list.c.price_currency, STORED)
    mappers.map_imperatively(PriceListLine, price_list, properties={"price": composite})


@pytest.fixture
def prices(migrated_engine: Engine, mapped: None) -> Iterator[Engine]:
    price_list.create(migrated_engine)
    yield migrated_engine
    price_list.drop(migrated_engine)


def save(engine: Engine, *lines: PriceListLine) -> None:
    with Session(engine) as session, session.begin():
        session.add_all(lines)


@pytest.mark.parametrize(
    ("currency", "amount"),
    [
        ("USD", "0.0004"),
        ("USD", "187.3333"),
        ("USD", "0.00000015"),
        ("KWD", "0.12345678"),
        ("JPY", "0.5"),
        ("USD", "9999999999.99999999"),
    ],
)
def test_a_unit_price_comes_back_with_every_digit(prices, currency, amount):
    save(prices, PriceListLine("api-call", UnitPrice(currency, Decimal(amount))))

    with Session(prices) as session:
        loaded = session.get(PriceListLine, "api-call")

    assert loaded.price == UnitPrice(currency, Decimal(amount))


def test_a_unit_price_is_stored_as_a_whole_number_of_hundred_millionths(prices):
    save(prices, PriceListLine("api-call", UnitPrice("USD", Decimal("0.0004"))))

    with prices.connect() as connection:
        stored = connection.execute(select(STORED.cast(String))).scalar()

    assert stored == "40000"


def test_a_thousand_unit_prices_sum_exactly_in_sql(prices):
    save(
        prices,
        *(PriceListLine(f"call-{n}", UnitPrice("USD", Decimal("0.0004"))) for n in range(1000)),
    )

    with prices.connect() as connection:
        total = connection.execute(select(exact_sum(STORED))).scalar_one()

    assert total == Decimal("0.4")


@ONLY_SQLITE  # PostgreSQL keeps only whole numbers in a BIGINT column
def test_a_real_number_in_the_unit_price_column_is_an_error_naming_it(prices):
    save(prices, PriceListLine("api-call", UnitPrice("USD", Decimal("0.0004"))))
    with prices.begin() as connection:
        connection.execute(text("UPDATE test_price_list SET price_hundred_millionths = 40000.5"))

    with (
        Session(prices) as session,
        pytest.raises(NotExactlyStored, match="price_hundred_millionths"),
    ):
        session.get(PriceListLine, "api-call")
