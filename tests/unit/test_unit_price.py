from decimal import Decimal

import pytest

from domain.errors import InvalidField, UnknownCurrency
from domain.money import Money
from domain.unit_price import UNIT_PRICE_DECIMALS, UnitPrice


def test_a_price_per_api_call_keeps_more_digits_than_its_currency():
    per_call = UnitPrice.parse("0.0004", "USD", "usage.unit_price")

    assert per_call.amount == Decimal("0.0004")
    assert per_call.amount_text() == "0.0004"


def test_a_blended_hourly_rate_times_hours_rounds_once_half_up_to_the_currency():
    blended = UnitPrice("USD", Decimal("187.3333"))

    assert blended.times(Decimal("7.5")) == Money.of("1405.00", "USD")
    assert blended.times(Decimal("3")) == Money.of("562.00", "USD")


def test_many_tiny_unit_prices_round_only_on_the_product():
    per_call = UnitPrice("USD", Decimal("0.0004"))

    assert per_call.times(Decimal(12345)) == Money.of("4.94", "USD")
    assert per_call.times(Decimal(12)) == Money.of("0.00", "USD")


def test_half_a_minor_unit_rounds_up_in_yen_and_in_dinars():
    assert UnitPrice("JPY", Decimal("0.5")).times(Decimal(1)) == Money.of(1, "JPY")
    assert UnitPrice("KWD", Decimal("0.0005")).times(Decimal(1)) == Money.of("0.001", "KWD")
    assert UnitPrice("KWD", Decimal("-0.0005")).times(Decimal(1)) == Money.of("-0.001", "KWD")


def test_more_decimals_than_a_unit_price_may_hold_are_refused_naming_the_amount():
    too_fine = "0." + "0" * UNIT_PRICE_DECIMALS + "1"

    with pytest.raises(InvalidField) as error:
        UnitPrice.parse(too_fine, "USD", "usage.unit_price")
    assert error.value.field == "usage.unit_price.amount"


def test_a_unit_price_in_an_unknown_currency_is_refused_naming_the_currency():
    with pytest.raises(UnknownCurrency) as error:
        UnitPrice.parse("0.0004", "XAU", "usage.unit_price")
    assert error.value.field == "usage.unit_price.currency_code"


def test_money_is_a_unit_price_with_no_extra_digits():
    assert UnitPrice.of_money(Money.of("185.25", "USD")) == UnitPrice("USD", Decimal("185.25"))
