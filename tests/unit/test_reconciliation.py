from domain.money import Money
from domain.reconciliation import VarianceKind, reconcile


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def test_two_ledgers_holding_the_same_documents_are_balanced():
    both = [("DE01-2026-000001", usd("1190.00")), ("DE01-CN-2027-000001", usd("-119.00"))]
    report = reconcile(both, list(reversed(both)), ("dynamics365", "legacy"))

    assert report.balanced and report.matched == 2
    assert report.left_totals == report.right_totals == {"USD": usd("1071.00")}


def test_a_missing_document_and_a_different_amount_are_variances_by_number():
    primary = [("N-1", usd("100.00")), ("N-2", usd("200.00"))]
    shadow = [("N-2", usd("200.01")), ("N-3", usd("5.00"))]
    report = reconcile(primary, shadow, ("primary", "shadow"))

    assert [(v.number, v.kind) for v in report.variances] == [
        ("N-1", VarianceKind.MISSING_ON_RIGHT),
        ("N-2", VarianceKind.AMOUNT_DIFFERS),
        ("N-3", VarianceKind.MISSING_ON_LEFT),
    ]
    assert report.matched == 0 and not report.balanced


def test_amounts_in_two_currencies_are_totalled_apart():
    items = [("A", usd("1.00")), ("B", Money.of("100", "JPY"))]
    report = reconcile(items, items, ("a", "b"))

    assert report.left_totals == {"USD": usd("1.00"), "JPY": Money.of("100", "JPY")}
