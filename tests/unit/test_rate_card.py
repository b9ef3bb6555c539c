from decimal import Decimal

import pytest

from domain.errors import InvalidField
from domain.money import Money
from domain.rate_card import RateCard, RoleRate


def a_rate_card_with(*rates: RoleRate) -> RateCard:
    return RateCard("USD", rates)


@pytest.mark.parametrize("amount", ["0.00", "-150.00"])
def test_a_rate_that_is_not_positive_names_the_amount_of_the_line(amount):
    with pytest.raises(InvalidField) as error:
        a_rate_card_with(
            RoleRate("consultant", Money.of("150.00", "USD")),
            RoleRate("partner", Money("USD", Decimal(amount))),
        )
    assert error.value.field == "rate_card[1].hourly_rate.amount"


def test_a_rate_in_another_currency_names_the_currency_of_the_line():
    with pytest.raises(InvalidField) as error:
        a_rate_card_with(RoleRate("consultant", Money.of("150.00", "EUR")))
    assert error.value.field == "rate_card[0].hourly_rate.currency_code"


def test_a_role_twice_names_the_role_of_the_second_line():
    with pytest.raises(InvalidField) as error:
        a_rate_card_with(
            RoleRate("consultant", Money.of("150.00", "USD")),
            RoleRate("consultant", Money.of("160.00", "USD")),
        )
    assert error.value.field == "rate_card[1].role"
