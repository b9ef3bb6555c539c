from decimal import Decimal

import pytest

from domain.errors import CurrencyMismatch, InvalidField, UnknownCurrency
from domain.money import Money


def test_amounts_round_half_up_to_the_currency_minor_units():
    assert Money.of("10.005", "USD").amount == Decimal("10.01")
    assert Money.of("1234.5", "JPY").amount == Decimal("1235")
    assert Money.of("1.0005", "KWD").amount == Decimal("1.001")


def test_rating_hours_rounds_once_on_the_total():
    assert Money.of("133.33", "USD").times(Decimal("7.5")) == Money.of("999.98", "USD")


def test_mixing_currencies_is_an_error():
    with pytest.raises(CurrencyMismatch):
        Money.of(1, "USD") + Money.of(1, "EUR")


def test_an_unknown_currency_is_refused_naming_the_field():
    with pytest.raises(UnknownCurrency) as error:
        Money.parse("10.00", "XYZ", "contract_value")
    assert error.value.field == "contract_value.currency_code"


def test_more_decimals_than_the_currency_allows_is_refused():
    with pytest.raises(InvalidField) as error:
        Money.parse("10.5", "JPY", "rate")
    assert error.value.field == "rate.amount"


def test_a_non_number_is_refused_naming_the_field():
    with pytest.raises(InvalidField) as error:
        Money.parse("ten", "USD", "rate")
    assert error.value.field == "rate.amount"


def test_money_prints_with_its_minor_units():
    assert str(Money.of(5, "KWD")) == "5.000 KWD"
