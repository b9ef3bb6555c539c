from decimal import Decimal

import pytest

from domain.errors import CurrencyMismatch, InvalidField, UnknownCurrency
from domain.money import Money, check_currency, minor_digits


def test_amounts_round_half_up_to_the_currency_minor_units():
    assert Money.of("10.005", "USD").amount == Decimal("10.01")
    assert Money.of("1234.5", "JPY").amount == Decimal("1235")
    assert Money.of("1.0005", "KWD").amount == Decimal("1.001")


def test_rating_hours_rounds_once_on_the_total():
    assert Money.of("133.33", "USD").times(Decimal("7.5")) == Money.of("999.98", "USD")


def test_a_product_with_more_digits_than_decimal_precision_is_rounded_once_not_twice():
    just_under_half_a_cent = Decimal("0.00" + "4" + "9" * 30)

    assert Money.of("1.00", "USD").times(just_under_half_a_cent) == Money.of(0, "USD")


def test_minor_digits_come_from_iso_4217_not_a_hand_table():
    assert (minor_digits("JPY"), minor_digits("USD"), minor_digits("KWD")) == (0, 2, 3)
    assert minor_digits("CLF") == 4
    assert minor_digits("TND") == 3 and minor_digits("ISK") == 0


@pytest.mark.parametrize("code", ["XAU", "XXX", "XDR", "XYZ", "usd", ""])
def test_codes_without_minor_units_or_unknown_to_iso_4217_are_unknown_currencies(code):
    with pytest.raises(UnknownCurrency) as error:
        check_currency(code, "opportunity.currency_code")
    assert error.value.field == "opportunity.currency_code"


def test_money_in_gold_cannot_be_made():
    with pytest.raises(UnknownCurrency):
        Money.of("1", "XAU")


def test_mixing_currencies_is_an_error():
    with pytest.raises(CurrencyMismatch):
        Money.of(1, "USD") + Money.of(1, "EUR")


def test_sums_and_differences_are_exact_in_the_currency():
    total = Money.of("0.1", "USD") + Money.of("0.7", "USD") - Money.of("0.8", "USD")

    assert total == Money.of(0, "USD")
    assert Money.of("45000000000000.00", "USD") + Money.of("0.01", "USD") == Money(
        "USD", Decimal("45000000000000.01")
    )


def test_an_unknown_currency_is_refused_naming_the_field():
    with pytest.raises(UnknownCurrency) as error:
        Money.parse("10.00", "XYZ", "contract_value")
    assert error.value.field == "contract_value.currency_code"


def test_more_decimals_than_the_currency_allows_is_refused():
    with pytest.raises(InvalidField) as error:
        Money.parse("10.5", "JPY", "rate")
    assert error.value.field == "rate.amount"


def test_a_fourth_decimal_on_kuwaiti_dinars_is_refused_but_a_third_is_kept():
    assert Money.parse("62.375", "KWD", "rate").amount == Decimal("62.375")
    with pytest.raises(InvalidField):
        Money.parse("62.3755", "KWD", "rate")


def test_a_non_number_is_refused_naming_the_field():
    with pytest.raises(InvalidField) as error:
        Money.parse("ten", "USD", "rate")
    assert error.value.field == "rate.amount"


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [
        ("45000000000000.01", "USD", 4500000000000001),
        ("0.10", "USD", 10),
        ("-0.70", "EUR", -70),
        ("15000000", "JPY", 15000000),
        ("45000.125", "KWD", 45000125),
    ],
)
def test_money_converts_to_and_from_whole_minor_units_exactly(amount, currency, units):
    money = Money(currency, Decimal(amount))

    assert money.minor_units() == units
    assert Money.from_minor_units(currency, units) == money


def test_money_prints_with_its_minor_units():
    assert str(Money.of(5, "KWD")) == "5.000 KWD"
    assert Money(currency="USD", amount=Decimal("1250.5")).amount_text() == "1250.50"
    assert Money.of("15000000", "JPY").amount_text() == "15000000"


def test_an_amount_of_eighteen_digits_in_minor_units_is_the_largest_kept():
    largest = Money.parse("9999999999999999.99", "USD", "contract_value")

    assert largest.minor_units() == 10**18 - 1
    with pytest.raises(InvalidField) as error:
        Money.parse("10000000000000000.00", "USD", "contract_value")
    assert error.value.field == "contract_value.amount"


@pytest.mark.parametrize("text", ["1E+999999999999999999", "-" + "9" * 40, "1e-999999999"])
def test_an_absurd_exponent_or_length_is_refused_at_once_naming_the_amount(text):
    with pytest.raises(InvalidField) as error:
        Money.parse(text, "KWD", "contract_value")
    assert error.value.field == "contract_value.amount"


def test_an_exponent_no_decimal_string_needs_is_refused_before_any_arithmetic():
    with pytest.raises(InvalidField) as error:
        Money.parse("1e-99999999999999999999", "USD", "contract_value")
    assert error.value.field == "contract_value.amount"
    with pytest.raises(InvalidField):
        Money.of(Decimal("1e999999999999"), "USD")


@pytest.mark.parametrize(
    "text",
    [
        "\u0661\u0662\u0663",
        "1_000",
        " 100",
        "100 ",
        "+5",
        "1e3",
        ".5",
        "5.",
        "1,000.00",
        "",
        "0x10",
    ],
)
def test_an_amount_written_other_than_as_plain_decimal_digits_is_refused_by_field(text):
    with pytest.raises(InvalidField) as error:
        Money.parse(text, "USD", "contract_value")
    assert error.value.field == "contract_value.amount"


@pytest.mark.parametrize(
    ("text", "amount"), [("1250.00", "1250.00"), ("-0.10", "-0.10"), ("7", "7")]
)
def test_plain_decimal_text_is_read_exactly(text, amount):
    assert Money.parse(text, "USD", "contract_value").amount == Decimal(amount)
