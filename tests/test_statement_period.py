"""A statement bills again only the months it shows (``bill_contract(period=...)``), and
they come out exactly as among all the client's months: no figure, unit or digit differs.

Without an hour bank a month's bill depends on no other month; with one, the months
before the period are billed too (lots and blocks carry over), in totals only.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

from beancount import loader
from billing_strategies import EXAMPLES, PRACTICE, TODAY, month_of_work, varied_contracts
from hypothesis import given
from hypothesis import strategies as st

from plugins.billing.rules import MonthBill, bill_contract
from plugins.books import Books

DEMO = Path(__file__).resolve().parent.parent / "ledger" / "main.beancount"
MONTHS = [(2026, 1), (2026, 2), (2026, 3)]


def every_figure(bill: MonthBill) -> str:
    """Every field, the charged units too, with each Decimal's exact digits."""
    return repr([(f.name, getattr(bill, f.name)) for f in dataclasses.fields(bill)])


def in_period(bills: list[MonthBill], first: tuple[int, int], last: tuple[int, int]) -> list[str]:
    return [every_figure(b) for b in bills if first <= b.month <= last]


@EXAMPLES
@given(st.data())
def test_a_period_bills_as_among_all_months(data: st.DataObject) -> None:
    contract = data.draw(varied_contracts())
    entries = data.draw(month_of_work(contract))
    first, last = sorted(data.draw(st.lists(st.sampled_from(MONTHS), min_size=2, max_size=2)))
    everything = bill_contract(contract, PRACTICE, entries, TODAY, detail=True)
    period = bill_contract(contract, PRACTICE, entries, TODAY, detail=True, period=(first, last))
    assert in_period(period, first, last) == in_period(everything, first, last)
    # No bank in these contracts: only the period's months are billed at all.
    assert all(first <= bill.month <= last for bill in period)


def test_every_demo_statement_period_bills_as_among_all_months() -> None:
    entries, errors, options = loader.load_file(str(DEMO))
    assert errors == []
    books = Books.of_ledger(entries, options)
    banked = [client for client, contract in books.clients.items() if contract.banks_hours]
    assert len(banked) == 2  # Greenleaf's prepaid block, Kestrel's rollover: carried month to month
    checked = 0
    for client in books.clients:
        everything = books.bills_in_detail(client)
        months = [bill.month for bill in everything]
        for first, last in itertools.chain(((m, m) for m in months), [(months[0], months[-1])]):
            period = books.bills_in_detail(client, (first, last))
            assert in_period(period, first, last) == in_period(everything, first, last), (client, first)
            checked += 1
    # Each accrued month of each client, and each client's whole span: the months the
    # plugin's own pass billed.
    assert checked == sum(len(bills) + 1 for bills in books.bills.values())
