"""``plugins.reports`` (margin, figures, flags) by the table: pure figures, no Fava."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from beancount.core import data
from beancount.core.amount import Amount
from fava.util.date import Day, Month, Quarter, Week, Year

from plugins.billing.model import UNLIMITED, Contract, Practice, Terms, TimeEntry, client_of_account
from plugins.billing.rules import bill_contract
from plugins.books import ledger_postings
from plugins.margin.charts import bucket
from plugins.margin.ledger_view import converter, interval_name
from plugins.reports.figures import Hours, Money, Period, Posting
from plugins.reports.flags import Targets, flags_for
from plugins.reports.margin import build_portfolio

D = Decimal
day = datetime.date


@pytest.mark.parametrize(
    ("begin", "end", "first", "last"),
    [
        (day(2026, 2, 1), day(2026, 3, 1), (2026, 2), (2026, 2)),  # time=2026-02
        (day(2026, 1, 1), day(2027, 1, 1), (2026, 1), (2026, 12)),  # time=2026
        (day(2026, 1, 15), day(2026, 3, 10), (2026, 1), (2026, 3)),  # overlapping months count
        (None, None, None, None),
    ],
)
def test_period_from_fava_date_range(
    begin: datetime.date | None, end: datetime.date | None, first: object, last: object
) -> None:
    period = Period.from_dates(begin, end)
    assert (period.first, period.last) == (first, last)


def test_period_contains() -> None:
    period = Period((2026, 2), (2026, 4))
    assert [m in period for m in [(2026, 1), (2026, 2), (2026, 4), (2026, 5)]] == [False, True, True, False]
    assert (1999, 1) in Period()
    assert Period((2026, 2), (2026, 2)).label() == "2026-02"


@pytest.mark.parametrize(
    ("account", "expected"),
    [
        ("Income:Clients:Acme:Retainer", ("acme", "income", "Retainer")),
        ("Income:Clients:Acme", ("acme", "income", "")),
        ("Expenses:Clients:Acme:Labor", ("acme", "expense", "Labor")),
        ("Expenses:Clients:Acme:Hardware:Switches", ("acme", "expense", "Hardware")),
        ("Expenses:Clients:Other:Labor", None),  # no such contract
        ("Expenses:Labor:Allocated", None),
        ("Assets:Receivable:Acme", None),
    ],
)
def test_client_of_account(account: str, expected: object) -> None:
    assert client_of_account(account, {"Acme": "acme"}) == expected


def test_money_books_income_negative_and_costs_positive() -> None:
    money = Money()
    for part, side, amount in [
        ("Retainer", "income", D("-900")),
        ("Hourly", "income", D("-125")),
        ("Travel", "income", D("-25")),
        ("", "income", D("-50")),  # straight to Income:Clients:<Acct>
        ("Labor", "expense", D("480")),
        ("Hardware", "expense", D("170")),
    ]:
        money.book(part, side, amount)
    assert (money.retainer, money.hourly, money.travel, money.other_income) == (900, 125, 25, 50)
    assert (money.revenue, money.costs, money.margin) == (1100, 650, 450)
    assert money.margin_ratio == D(450) / D(1100)
    assert Money().margin_ratio is None


@pytest.mark.parametrize(
    ("month", "interval", "expected"),
    [
        ((2026, 5), "year", day(2026, 1, 1)),
        ((2026, 5), "quarter", day(2026, 4, 1)),
        ((2026, 12), "quarter", day(2026, 10, 1)),
        ((2026, 5), "month", day(2026, 5, 1)),
    ],
)
def test_chart_buckets(month: tuple[int, int], interval: str, expected: datetime.date) -> None:
    assert bucket(month, interval) == expected


def test_fava_intervals_map_to_buckets() -> None:
    assert [interval_name(i) for i in (Year, Quarter, Month, Week, Day)] == [
        "year",
        "quarter",
        "month",
        "month",
        "month",
    ]


def _hours(total: str) -> Hours:
    hours = Hours()
    hours.worked["remote"] = D(total)
    return hours


@pytest.mark.parametrize(
    ("revenue", "costs", "hours", "currency", "codes"),
    [
        ("1000", "400", "5", "USD", []),  # 200/h, 60 %
        ("1000", "600", "5", "USD", ["margin"]),  # 40 % < 45 %
        ("1000", "100", "20", "USD", ["rate"]),  # 50/h < 110
        ("1000", "100", "20", "EUR", []),  # a EUR rate is not held to a USD target
        ("0", "100", "0", "USD", ["margin"]),  # costs, no revenue
        ("0", "0", "0", "USD", []),  # nothing happened
    ],
)
def test_flags(revenue: str, costs: str, hours: str, currency: str, codes: list[str]) -> None:
    money = Money(retainer=D(revenue), labor=D(costs))
    targets = Targets(D(110), D("0.45"), "USD")
    assert [flag.code for flag in flags_for(money, _hours(hours), currency, targets)] == codes


def test_postings_are_picked_once_by_account_and_period() -> None:
    """``ledger_postings`` only converts; ``build_portfolio`` keeps the clients' accounts
    and the period's months.

    Acme's retainer: 1000 in January (outside the period), 1000 in February; an office
    expense and the receivable side are no client's money. February's revenue: 1000.
    """
    practice = Practice(accrue_through=(2026, 2))
    acme = _contract("acme", "1000")
    def posting(account: str, number: int) -> data.Posting:
        return data.Posting(account, Amount(D(number), "USD"), None, None, None, None)

    meta = data.new_metadata("x", 1)
    entries: list[data.Directive] = [data.Open(meta, day(2026, 1, 1), "Assets:Receivable:Acme", None, None)]
    for month in (1, 2):
        legs = [
            posting("Income:Clients:Acme:Retainer", -1000),
            posting("Assets:Receivable:Acme", 1000),
            posting("Expenses:Office", 5),
        ]
        tags = links = frozenset[str]()
        entries.append(data.Transaction(meta, day(2026, month, 1), "*", None, "", tags, links, legs))
    postings = list(ledger_postings(entries))
    assert len(postings) == 6  # every posting of the two transactions, none of the Open
    bills = {"acme": bill_contract(acme, practice, [], day(2026, 2, 28))}
    feb = Period((2026, 2), (2026, 2))
    portfolio = build_portfolio({"acme": acme}, practice, bills, {}, postings, feb, day(2026, 2, 28))
    row = portfolio.row("acme")
    assert row is not None and (row.money.revenue, row.money.costs) == (1000, 0)
    assert [m.month for m in row.months] == [(2026, 2)]


def _contract(client: str, fee: str, currency: str = "USD") -> Contract:
    terms = Terms(day(2026, 1, 1), monthly_fee=D(fee), included_hours={"remote": "unlimited"})
    return Contract(client, client.title(), client.title(), currency, (terms,))


def _retainers(contract: Contract, months: list[int], amount: str) -> list[Posting]:
    account = f"Income:Clients:{contract.account}:Retainer"
    return [Posting(day(2026, m, 1), account, -D(amount), contract.currency) for m in months]


def test_renegotiate_needs_the_last_two_billed_months_under_target() -> None:
    practice = Practice(target_margin=D("0.5"), accrue_through=(2026, 4))
    good, turned = _contract("good", "1000"), _contract("turned", "1000")
    postings = _retainers(good, [1, 2, 3, 4], "1000") + _retainers(turned, [1, 2, 3, 4], "1000")
    # "good" lost money in Jan and Feb only; "turned" in Mar and Apr.
    for contract, months in ((good, [1, 2]), (turned, [3, 4])):
        postings += [
            Posting(day(2026, m, 28), f"Expenses:Clients:{contract.account}:Labor", D(900), "USD")
            for m in months
        ]
    contracts = {"good": good, "turned": turned}
    bills = {c: bill_contract(contracts[c], practice, [], day(2026, 4, 30)) for c in contracts}
    portfolio = build_portfolio(contracts, practice, bills, {}, postings, Period(), day(2026, 4, 30))
    assert not portfolio.row("good").renegotiate  # type: ignore[union-attr]
    assert portfolio.row("turned").renegotiate  # type: ignore[union-attr]
    # cut to Jan–Feb, "good" is the one that was flagged two months running
    early = build_portfolio(
        contracts, practice, bills, {}, postings, Period((2026, 1), (2026, 2)), day(2026, 4, 30)
    )
    assert early.row("good").renegotiate  # type: ignore[union-attr]
    assert not early.row("turned").renegotiate  # type: ignore[union-attr]


def test_overage_is_summed_per_month_when_another_month_is_unlimited() -> None:
    """January: unlimited remote hours; from February 2 remote hours included, 100/h beyond.

    Jan 5 h remote: all covered (unlimited). Feb 3 h remote: 2 included, 1 billed (100).
    Over Jan–Feb the allowance shows as unlimited, yet February went 1 h over: the period
    has 1 h beyond, and the flag says remote went over in 1 of 2 months (+1.00 h).
    """
    terms = (
        Terms(day(2026, 1, 1), monthly_fee=D(500), included_hours={"remote": UNLIMITED}),
        Terms(
            day(2026, 2, 1), monthly_fee=D(500), included_hours={"remote": D(2)}, rates={"remote": D(100)}
        ),
    )
    mixed = Contract("mixed", "Mixed", "Mixed", "USD", terms)
    practice = Practice(accrue_through=(2026, 2))
    time = [
        TimeEntry(day(2026, 1, 10), "mixed", "remote", D(5)),
        TimeEntry(day(2026, 2, 10), "mixed", "remote", D(3)),
    ]
    bills = {"mixed": bill_contract(mixed, practice, time, day(2026, 2, 28))}
    assert [b.hourly for b in bills["mixed"]] == [0, 100]
    end = day(2026, 2, 28)
    row = build_portfolio({"mixed": mixed}, practice, bills, {"mixed": time}, [], Period(), end).row("mixed")
    assert row is not None and row.hours is not None
    assert row.hours.included["remote"] == UNLIMITED
    assert row.hours.over_included("remote") == 1  # was 0: "unlimited" hid February's hour
    assert [m.hours.over_included("remote") for m in row.months] == [0, 1]
    reasons = [f.reason for f in row.flags]
    assert "over included hours: remote in 1 of 2 months (+1.00 h billed)" in reasons


def test_break_fix_hours_are_not_overage() -> None:
    """No included hours (0) and 100/h: 3 h in January are plain hourly work, not overage."""
    terms = (Terms(day(2026, 1, 1), rates={"remote": D(100)}),)
    fix = Contract("fix", "Fix", "Fix", "USD", terms)
    practice = Practice(accrue_through=(2026, 1))
    time = [TimeEntry(day(2026, 1, 10), "fix", "remote", D(3))]
    bills = {"fix": bill_contract(fix, practice, time, day(2026, 1, 31))}
    assert bills["fix"][0].hourly == 300
    end = day(2026, 1, 31)
    row = build_portfolio({"fix": fix}, practice, bills, {"fix": time}, [], Period(), end).row("fix")
    assert row is not None and row.hours is not None and row.hours.over_included("remote") == 0


class _Prices:
    """Just enough of Fava's price map: EUR at 1.10 USD from 2026-02-01."""

    def get_price(self, pair: tuple[str, str], date: datetime.date) -> Decimal | None:
        if pair == ("EUR", "USD") and date >= day(2026, 2, 1):
            return D("1.10")
        return None


def test_conversion_converts_at_each_postings_date_and_keeps_the_unpriced_apart() -> None:
    assert converter("at_cost", _Prices()) is None
    assert converter("units", _Prices()) is None
    convert = converter("USD", _Prices())
    assert convert is not None
    assert convert(D(100), "EUR", day(2026, 2, 1)) == (D("110.00"), "USD")
    assert convert(D(100), "EUR", day(2026, 1, 1)) == (D(100), "EUR")  # no price yet
    assert convert(D(100), "USD", day(2026, 1, 1)) == (D(100), "USD")
    practice = Practice(accrue_through=(2026, 2))
    euro = _contract("euro", "500", "EUR")
    bills = {"euro": bill_contract(euro, practice, [], day(2026, 2, 28))}
    postings = _retainers(euro, [1, 2], "500")
    end = day(2026, 2, 28)
    portfolio = build_portfolio({"euro": euro}, practice, bills, {}, postings, Period(), end, convert)
    by_currency = {row.currency: row.money.revenue for row in portfolio.rows}
    assert by_currency == {"USD": D("550.00"), "EUR": D(500)}
    assert set(portfolio.totals) == {"EUR", "USD"}
