"""Client statements (plugins.reports.statement) on real books, worked out by hand."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from statement_support import ACME, ACME_LEDGER, PRACTICE, cents, receivable_charges, words_value
from support import Books as LoadedBooks
from support import WriteBooks

from plugins.books import Books, ledger_postings
from plugins.reports.statement import (
    Statement,
    StatementError,
    billed_clients,
    for_client,
    money_words,
    plural,
)

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "ledger" / "main.beancount"
D = Decimal


def statement_of(books: LoadedBooks, client: str, first: str, last: str | None = None) -> Statement:
    def month(text: str) -> tuple[int, int]:
        year, number = text.split("-")
        return int(year), int(number)

    pass_ = Books.of_ledger(books.entries, books.options)
    return for_client(
        pass_,
        ledger_postings(books.entries),
        client,
        month(first),
        month(last) if last else None,
        title=books.options.get("title"),
    )


@pytest.fixture
def acme(write_books: WriteBooks) -> LoadedBooks:
    books = write_books(ACME_LEDGER, {"acme-dental": ACME}, PRACTICE)
    assert books.errors == []
    return books


def test_january_lines_worked_by_hand(acme: LoadedBooks) -> None:
    statement = statement_of(acme, "acme-dental", "2026-01")
    lines = {line.kind: line for line in statement.lines}
    assert [line.kind for line in statement.lines] == ["retainer", "hourly", "travel"]
    # Retainer: 300 + 12 × 45 + 1 × 150 = 990.00, the whole month.
    assert lines["retainer"].amount == D("990.00")
    assert lines["retainer"].description == "$300 monthly fee + 12 workstations × $45 + 1 server × $150"
    # On-site units in ledger order: 1.2 h -> 1.25 (15-minute rounding), 3.00, 0.50 after
    # hours and its visit's 0.50 shortfall to the 1 h minimum (normal hours), 2.00 after hours.
    # 4 h included: 1.25 + 2.75 of the 3.00 covered; beyond: 0.25 + 0.50 = 0.75 h normal,
    # 0.50 + 2.00 = 2.50 h after hours. 0.75 × 125 = 93.75; 2.50 × 125 × 1.5 = 468.75; 562.50.
    assert lines["hourly"].amount == D("562.50")
    assert lines["hourly"].description == (
        "3.25 h on site beyond 4 included: 0.75 h × $125 + 2.50 h × $125 × 1.5 after hours"
    )
    # Four visit days (Jan 5, 12, 20, 22) × 45 = 180.00.
    assert lines["travel"].amount == D("180.00")
    assert lines["travel"].description == "4 visits × $45 trip fee"
    assert statement.total == D("1732.50")
    assert [(v.date.day, v.amount) for v in statement.visits] == [(5, 45), (12, 45), (20, 45), (22, 45)]
    assert statement.notes == []


def test_every_line_is_a_posting_to_the_receivable(acme: LoadedBooks) -> None:
    """The lines are the plugin's own postings to Assets:Receivable:AcmeDental, month by month."""
    statement = statement_of(acme, "acme-dental", "2026-01", "2026-03")
    shown = Counter(
        (line.kind, f"{line.month[0]}-{line.month[1]:02d}", line.amount) for line in statement.lines
    )
    assert shown == receivable_charges(acme.entries, "Assets:Receivable:AcmeDental")
    # January 1732.50, then February and March retainers only (remote is unlimited): 990.00 each.
    assert statement.total == D("1732.50") + D("990.00") * 2
    assert acme.posted("Assets:Receivable:AcmeDental", "2026-01") == D("1732.50")


def test_the_words_arithmetic_gives_the_amount(acme: LoadedBooks) -> None:
    for line in statement_of(acme, "acme-dental", "2026-01").lines:
        assert cents(words_value(line.description)) == line.amount, line


def test_the_words_reader_reads_what_a_client_reads() -> None:
    """The test's own reader, checked on figures worked out by hand."""
    assert words_value("4 visits × $45 trip fee") == 180
    assert words_value("2 visits × ($45 trip fee + 38 km × $0.65)") == D("139.40")
    assert cents(words_value("$310 monthly fee, prorated 17 of 31 days (Jan 15–31)")) == D("170.00")
    assert cents(words_value("20 min on site beyond 1 included × $125/h")) == D("41.67")
    assert words_value("3.25 h on site: 0.75 h × $125 + 2.50 h × $125 × 1.5 after hours") == D("562.50")


def test_account_with_payments(acme: LoadedBooks) -> None:
    # January: nothing before; charges 1732.50; the payment came on Feb 10: balance 1732.50.
    january = statement_of(acme, "acme-dental", "2026-01").account
    assert (january.opening, january.charges, january.payments, january.closing) == (
        D("0"), D("1732.50"), D("0"), D("1732.50"),
    )  # fmt: skip
    # February: 1732.50 before; 990.00 retainer; 1732.50 received; 990.00 due.
    february = statement_of(acme, "acme-dental", "2026-02")
    account = february.account
    assert (account.opening, account.charges, account.payments, account.closing) == (
        D("1732.50"), D("990.00"), D("1732.50"), D("990.00"),
    )  # fmt: skip
    assert [(p.date, p.amount) for p in february.payments] == [(datetime.date(2026, 2, 10), D("1732.50"))]
    # January through March: 0 before; 1732.50 + 990 + 990 = 3712.50 charged; 1732.50 + 990
    # = 2722.50 received; 990.00 due.
    quarter = statement_of(acme, "acme-dental", "2026-01", "2026-03").account
    assert (quarter.opening, quarter.charges, quarter.payments, quarter.closing) == (
        D("0"), D("3712.50"), D("2722.50"), D("990.00"),
    )  # fmt: skip


def test_time_detail_lists_every_entry_billable_or_not(acme: LoadedBooks) -> None:
    statement = statement_of(acme, "acme-dental", "2026-01")
    rows = [
        (t.date.day, t.staff, t.kind, t.hours, t.billable_hours, t.after_hours, t.billable, t.visit_minimum)
        for t in statement.time
    ]
    assert rows == [
        (5, "alice", "onsite", D("1.2"), D("1.25"), False, True, 0),  # 72 min, up to 75
        (5, "bob", "remote", D("1.0"), D("1"), False, True, 0),
        (12, "alice", "onsite", D("3.0"), D("3"), False, True, 0),
        (20, "bob", "onsite", D("0.5"), D("0.5"), True, True, D("0.5")),  # + 0.5 to the 1 h minimum
        (22, "alice", "onsite", D("2.0"), D("2"), True, True, 0),
        (26, "carol", "remote", D("0.75"), D("0"), False, False, 0),  # not billable: still listed
    ]
    assert statement.time[-1].note == "<b>Looked</b> into the 'printer' & <script>alert(1)</script>"
    assert statement.time[0].note == "Replaced switch in server room"


def test_hours_included_used_and_billed(acme: LoadedBooks) -> None:
    hours = statement_of(acme, "acme-dental", "2026-01").hours
    onsite, remote = hours["onsite"], hours["remote"]
    # on site worked 1.2 + 3 + 0.5 + 2 = 6.7; billable 1.25 + 3 + 0.5 + 0.5 + 2 = 7.25;
    # 4 included, all used; 7.25 - 4 = 3.25 billed at the rate.
    assert (onsite.worked, onsite.billable, onsite.included, onsite.included_used, onsite.billed) == (
        D("6.7"), D("7.25"), D("4"), D("4"), D("3.25"),
    )  # fmt: skip
    # remote worked 1 + 0.75 (not billable) = 1.75; billable 1; unlimited covers it all.
    assert (remote.worked, remote.billable, remote.included, remote.included_used, remote.billed) == (
        D("1.75"), D("1"), "unlimited", D("1"), D("0"),
    )  # fmt: skip


def test_letterhead_number_and_contact(acme: LoadedBooks) -> None:
    statement = statement_of(acme, "acme-dental", "2026-01", "2026-02")
    assert statement.number == "AcmeDental-2026-01-2026-02"
    assert statement_of(acme, "acme-dental", "2026-02").number == "AcmeDental-2026-02"
    assert statement.date == datetime.date(2026, 2, 28)
    assert statement.sender.name == "Northwind IT"
    assert statement.sender.address == ("12 Harbour St", "Portland, ME 04101")
    assert statement.sender.payment_terms == "Due within 14 days"
    assert statement.contact is not None
    assert (statement.contact.name, statement.contact.email, statement.contact.phone) == (
        "Dr. Jane Ortiz", "jane@acmedental.example", "+1 207 555 0100",
    )  # fmt: skip
    assert statement.staff_names == {"alice": "Alice Moreau"}


PRORATED = """\
client: pine-co
name: Pine Co
terms:
  - from: 2026-01-15
    monthly_fee: 310.00
    included_hours: {remote: 2}
    travel: {trip_fee: 45, per_km: 0.65, distance_km: 38}
    rates: {remote: 100, onsite: 120}
  - from: 2026-02-15
    monthly_fee: 400.00
"""


def test_prorated_month_and_terms_changing_mid_month(write_books: WriteBooks) -> None:
    time = (
        '2026-02-02 custom "time" "pine-co" "onsite" 1.0\n'
        '2026-02-20 custom "time" "pine-co" "onsite" 1.0\n'
        '2026-01-20 custom "time" "pine-co" "remote" 1.5\n'
    )
    books = write_books(time, {"pine-co": PRORATED}, "accrue_through: 2026-02\n")
    assert books.errors == []
    january = statement_of(books, "pine-co", "2026-01")
    [retainer] = [line for line in january.lines if line.kind == "retainer"]
    # January 15-31 is 17 of 31 days: 310 × 17 / 31 = 170.00.
    assert retainer.amount == D("170.00")
    assert retainer.description == "$310 monthly fee, prorated 17 of 31 days (Jan 15–31)"
    # The allowance is prorated too: 2 × 17/31 = 1.0968 h; 1.5 - 1.0968 = 0.4032 h × 100 = 40.32.
    [hourly] = [line for line in january.lines if line.kind == "hourly"]
    assert hourly.amount == D("40.32")
    assert cents(words_value(hourly.description)) == D("40.32")
    february = statement_of(books, "pine-co", "2026-02")
    lines = {line.kind: line for line in february.lines}
    # February 1-14 at 310 and 15-28 at 400: 310 × 14/28 + 400 × 14/28 = 155 + 200 = 355.00.
    assert lines["retainer"].amount == D("355.00")
    assert lines["retainer"].description == (
        "$310 monthly fee, prorated 14 of 28 days (Feb 1–14);"
        " $400 monthly fee, prorated 14 of 28 days (Feb 15–28)"
    )
    # Two visits × (45 + 38 × 0.65 = 69.70) = 139.40.
    assert lines["travel"].amount == D("139.40")
    assert lines["travel"].description == "2 visits × ($45 trip fee + 38 km × $0.65)"
    for line in february.lines:
        assert cents(words_value(line.description)) == line.amount


def test_a_charge_booked_by_hand_is_a_line_of_its_own(write_books: WriteBooks) -> None:
    ledger = ACME_LEDGER + (
        "2026-01-01 open Income:Clients:AcmeDental:Hardware USD\n"
        '2026-01-15 * "Acme Dental LLC" "Switch, resold"\n'
        "  Assets:Receivable:AcmeDental        240.00 USD\n"
        "  Income:Clients:AcmeDental:Hardware\n"
    )
    books = write_books(ledger, {"acme-dental": ACME}, PRACTICE)
    statement = statement_of(books, "acme-dental", "2026-01")
    [other] = [line for line in statement.lines if line.kind == "other"]
    assert (other.amount, other.date) == (D("240.00"), datetime.date(2026, 1, 15))
    # 1732.50 billed by the plugin + 240.00 by hand: the total is what the receivable got.
    assert statement.total == statement.account.charges == D("1972.50")


def test_months_not_billed_are_refused(acme: LoadedBooks) -> None:
    with pytest.raises(
        StatementError, match="2026-04 is not billed yet: the books are accrued through 2026-03"
    ):
        statement_of(acme, "acme-dental", "2026-04")
    with pytest.raises(StatementError, match="no agreement in 2025-12: its contract starts 2026-01-01"):
        statement_of(acme, "acme-dental", "2025-12")
    with pytest.raises(StatementError, match="no contract for client 'acme': use one of acme-dental"):
        statement_of(acme, "acme", "2026-01")
    with pytest.raises(StatementError, match="is before"):
        statement_of(acme, "acme-dental", "2026-03", "2026-01")


def test_words_helpers() -> None:
    assert money_words(D("45"), "USD") == "$45"
    assert money_words(D("0.65"), "USD") == "$0.65"
    assert money_words(D("1222.5"), "USD") == "$1,222.50"
    assert money_words(D("45"), "CHF") == "CHF 45"
    assert [plural(1, "server"), plural(3, "server"), plural(2, "mailbox"), plural(2, "proxy")] == [
        "1 server", "3 servers", "2 mailboxes", "2 proxies",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def demo() -> tuple[Books, list[object], list[object]]:
    entries, errors, options = loader.load_file(str(DEMO))
    assert errors == []
    return Books.of_ledger(entries, options), list(ledger_postings(entries)), entries


def test_demo_statements_are_the_postings_and_their_words_add_up(
    demo: tuple[Books, list[object], list[object]],
) -> None:
    """Every demo client, every month: lines = the plugin's postings, words = the amounts."""
    books, postings, entries = demo
    checked = 0
    for client, contract in books.clients.items():
        months = [bill.month for bill in books.bills[client]]
        statement = for_client(books, postings, client, months[0], months[-1])
        shown = Counter(
            (line.kind, f"{line.month[0]}-{line.month[1]:02d}", line.amount) for line in statement.lines
        )
        assert shown == receivable_charges(entries, contract.accounts.receivable), client
        assert statement.notes == [], client
        for line in statement.lines:
            assert cents(words_value(line.description)) == line.amount, (client, line)
            checked += 1
        assert statement.total == statement.account.charges
    assert checked > 100  # six clients, a year of months, two or three lines each


def test_billed_clients_of_a_month(demo: tuple[Books, list[object], list[object]]) -> None:
    books, _, _ = demo
    # Lumen Architecture left on 2026-08-15; Greenleaf starts in February, Kestrel in January.
    assert "lumen-architects" not in billed_clients(books, (2026, 10))
    assert "greenleaf-cpa" not in billed_clients(books, (2026, 1))
    assert len(billed_clients(books, (2026, 6))) == 6
