import random
from decimal import Decimal
from fractions import Fraction

import pytest

from domain.allocation import allocate
from domain.errors import InvalidField
from domain.money import Money, minor_digits

CURRENCIES = ("USD", "JPY", "KWD", "EUR", "CLF")


def test_a_dollar_in_three_gives_the_left_over_cent_to_the_first():
    parts = allocate(Money.of("1.00", "USD"), [1, 1, 1])

    assert parts == [Money.of(amount, "USD") for amount in ("0.34", "0.33", "0.33")]


def test_the_left_over_goes_to_the_largest_remainder_not_the_first():
    parts = allocate(Money.of("0.10", "USD"), [Decimal("0.33"), Decimal("0.67")])

    assert parts == [Money.of("0.03", "USD"), Money.of("0.07", "USD")]


def test_equal_remainders_give_the_left_over_to_the_earliest():
    parts = allocate(Money.of("0.05", "USD"), [Decimal("0.3"), Decimal("0.7")])

    assert parts == [Money.of("0.02", "USD"), Money.of("0.03", "USD")]


def test_yen_are_split_in_whole_yen():
    parts = allocate(Money.of(100, "JPY"), [1, 1, 1])

    assert parts == [Money.of(34, "JPY"), Money.of(33, "JPY"), Money.of(33, "JPY")]


def test_dinars_are_split_in_fils():
    parts = allocate(Money.of("10.000", "KWD"), [1, 2])

    assert parts == [Money.of("3.333", "KWD"), Money.of("6.667", "KWD")]


def test_a_credit_is_split_as_the_mirror_of_the_invoice():
    invoice = allocate(Money.of("100.00", "USD"), [1, 1, 1])
    credit = allocate(Money.of("-100.00", "USD"), [1, 1, 1])

    assert credit == [-part for part in invoice]


def test_a_zero_ratio_gets_nothing():
    parts = allocate(Money.of("0.01", "USD"), [0, 1, 0, 1])

    assert parts[0] == parts[2] == Money.of(0, "USD")
    assert parts[1] + parts[3] == Money.of("0.01", "USD")


@pytest.mark.parametrize(
    "ratios",
    [[], [1, -1], [0, 0], [Decimal("NaN"), 1], [Decimal("Infinity")], [Decimal("1e999999999")]],
    ids=["empty", "negative", "all-zero", "not-a-number", "infinite", "absurd"],
)
def test_ratios_that_cannot_split_an_amount_are_refused(ratios):
    with pytest.raises(InvalidField) as error:
        allocate(Money.of("10.00", "USD"), ratios)
    assert error.value.field == "ratios"


def a_random_case(rng: random.Random) -> tuple[Money, list[Decimal]]:
    currency = rng.choice(CURRENCIES)
    units = rng.choice([rng.randint(-(10**15), 10**15), rng.randint(-50, 50)])
    ratios = [
        Decimal(rng.choice([0, rng.randint(1, 10**6)])).scaleb(-rng.randint(0, 6))
        for _ in range(rng.randint(1, 12))
    ]
    if not any(ratios):
        ratios[rng.randrange(len(ratios))] = Decimal(1)
    return Money.from_minor_units(currency, units), ratios


def exact_share(amount: Money, ratio: Decimal, ratios: list[Decimal]) -> Fraction:
    return Fraction(amount.amount) * Fraction(ratio) / Fraction(sum(ratios))


def test_over_many_random_splits_the_parts_sum_exactly_and_stay_within_a_minor_unit():
    rng = random.Random(20260501)
    for _ in range(2000):
        amount, ratios = a_random_case(rng)
        parts = allocate(amount, ratios)
        minor_unit = Fraction(1, 10 ** minor_digits(amount.currency))

        assert sum((part.amount for part in parts), Decimal(0)) == amount.amount
        for part, ratio in zip(parts, ratios, strict=True):
            assert part.currency == amount.currency
            assert abs(Fraction(part.amount) - exact_share(amount, ratio, ratios)) < minor_unit
            if ratio == 0:
                assert part.amount == 0


def test_the_same_split_always_gives_the_same_parts():
    rng = random.Random(7)
    for _ in range(200):
        amount, ratios = a_random_case(rng)
        assert allocate(amount, ratios) == allocate(amount, list(ratios))
