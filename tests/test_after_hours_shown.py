"""The after-hours surcharge is visible: in the generated Hourly transaction's metadata and
in the billed line, only in months that bill after-hours hours beyond the included ones.

Worked by hand: 500/month, 2 remote hours included, 100/h beyond, after hours × 1.5.
  Jan  Jan 5 remote 2 (normal): the 2 included hours. Jan 20 remote 1.5 after hours: beyond,
       1.5 × 100 × 1.5 = 225. Jan 25 remote 1 (normal): 1 × 100 = 100. Hourly 325.00;
       billed beyond 2.5 h, of which 1.5 after hours.
  Feb  Feb 3 remote 1 after hours: covered by the included hours (no surcharge billed).
       Feb 10 remote 3: 1 included, 2 beyond × 100 = 200. Hourly 200.00, nothing after hours.
"""

from __future__ import annotations

from decimal import Decimal as D

from support import Books as Written
from support import WriteBooks

from plugins.billing.model import KINDS
from plugins.books import Books
from plugins.reports.figures import bill_lines

SHOP = """\
client: shop
name: Corner Shop
terms:
  - from: 2026-01-01
    monthly_fee: 500.00
    included_hours: {remote: 2}
    rates: {remote: 100, onsite: 120}
    after_hours_multiplier: 1.5
"""

TIME = """\
2026-01-05 custom "time" "shop" "remote" 2
2026-01-20 custom "time" "shop" "remote" 1.5
  after-hours: TRUE
2026-01-25 custom "time" "shop" "remote" 1
2026-02-03 custom "time" "shop" "remote" 1
  after-hours: TRUE
2026-02-10 custom "time" "shop" "remote" 3
"""


def _hourly(books: Written, month: str) -> dict[str, object]:
    found = [
        t
        for t in books.transactions()
        if t.narration.startswith("Hourly") and t.date.strftime("%Y-%m") == month
    ]
    assert len(found) == 1, found
    return dict(found[0].meta)


def test_after_hours_hours_and_multiplier_in_the_hourly_metadata(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"shop": SHOP}, "accrue_through: 2026-02\n")
    assert books.errors == []
    assert books.posted("Income:Clients:Shop:Hourly", "2026-01") == D("-325.00")
    january = _hourly(books, "2026-01")
    assert january["remote-billed"] == D("2.50")
    assert january["remote-after-hours"] == D("1.50")
    assert january["after-hours-multiplier"] == D("1.5")
    assert "onsite-after-hours" not in january  # no onsite hours at all
    # February's after-hours hour was covered: no surcharge, so the keys are absent
    assert books.posted("Income:Clients:Shop:Hourly", "2026-02") == D("-200.00")
    february = _hourly(books, "2026-02")
    assert february["remote-billed"] == D("2.00")
    assert not any("after-hours" in key for key in february)


def test_the_billed_line_says_how_many_hours_after_hours_and_at_what_multiplier(
    write_books: WriteBooks,
) -> None:
    written = write_books(TIME, {"shop": SHOP}, "accrue_through: 2026-02\n")
    books = Books.of_ledger(written.entries, written.options)
    january, february = books.bills["shop"]
    assert {kind: january.after_hours.get(kind) for kind in KINDS} == {"remote": D("1.5"), "onsite": None}
    lines = {line.what: line.detail for line in bill_lines(january)}
    assert lines["Hourly"] == "2.50 remote h beyond included (of which 1.50 h after hours × 1.5)"
    assert {line.what: line.detail for line in bill_lines(february)}["Hourly"] == (
        "2.00 remote h beyond included"
    )
