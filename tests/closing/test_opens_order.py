"""The plugin opens a shared account on its earliest use, whichever client uses it first."""

from __future__ import annotations

from beancount.core import data
from support import WriteBooks

# "a-late" sorts first but starts in February; "b-early" posts labor in January.
LATE = "client: a-late\nterms:\n  - from: 2026-02-01\n    monthly_fee: 100\n    rates: {remote: 90}\n"
EARLY = "client: b-early\nterms:\n  - from: 2026-01-01\n    monthly_fee: 100\n    rates: {remote: 90}\n"


def test_labor_allocated_opens_on_the_earliest_labor_posting(write_books: WriteBooks) -> None:
    time = (
        '2026-02-03 custom "time" "a-late" "remote" 1\n  staff: "alice"\n'
        '2026-01-05 custom "time" "b-early" "remote" 1\n  staff: "alice"\n'
    )
    books = write_books(
        time, {"a-late": LATE, "b-early": EARLY}, "accrue_through: 2026-02\ndefault_cost_rate: 30\n"
    )
    assert books.errors == []
    (opened,) = [
        e for e in books.entries if isinstance(e, data.Open) and e.account == "Expenses:Labor:Allocated"
    ]
    assert opened.date.isoformat() == "2026-01-31"  # b-early's January labor
