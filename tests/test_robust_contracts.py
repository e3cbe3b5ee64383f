"""Hostile input to contracts and billing, one test per bug found (more cases: test_hostile.py)."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
import textwrap
import time
from decimal import Decimal as D
from decimal import localcontext
from pathlib import Path

import pytest
from beancount import loader
from fava.application import create_app
from support import WriteBooks

from plugins.billing.contracts import ACCOUNT_COMPONENT, CLIENT_ID, CURRENCY, load_contract
from plugins.billing.model import Contract, Practice, TimeEntry
from plugins.billing.rules import bill_contract

GOOD = """\
client: good-co
terms:
  - from: 2026-01-01
    monthly_fee: 500
    included_hours: {remote: unlimited}
"""
GOOD_TIME = '2026-01-05 custom "time" "good-co" "remote" 1\n'


def _bean_check(path: Path) -> str:
    run = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in run.stdout + run.stderr
    return run.stdout + run.stderr


def test_included_hours_1e27_is_that_contracts_error_not_every_clients(write_books: WriteBooks) -> None:
    # Before: one unlocated "contracts:0: could not bill the contracts: InvalidOperation"
    # and no accruals for any client.
    huge = "client: big-co\nterms:\n  - from: 2026-01-01\n    included_hours: {remote: 1e27}\n"
    books = write_books(GOOD_TIME, {"good-co": GOOD, "big-co": huge})
    [error] = books.errors
    assert type(error).__name__ == "ContractError"
    assert error.source["filename"].endswith("contracts/big-co.yaml")
    assert error.source["lineno"] == 4
    assert "included_hours.remote must be from 0 to 10,000, got 1e27" in error.message
    # good-co: 500 a month, January to March (accrue_through 2026-03).
    assert books.posted("Income:Clients:GoodCo:Retainer") == D("-1500.00")


def test_fee_1e400_and_26_digit_hours_are_located_with_the_range_allowed(tmp_path: Path) -> None:
    path = tmp_path / "big-co.yaml"
    path.write_text(
        "client: big-co\nterms:\n  - from: 2026-01-01\n    monthly_fee: 1e400\n"
        "    included_hours: {onsite: 12345678901234567890123456}\n"
    )
    contract, problems = load_contract(path, Practice())
    assert contract is None
    assert [(p.where.lineno, p.message) for p in problems] == [
        (4, "monthly_fee must be from 0 to 10,000,000, got 1e400"),
        (5, "included_hours.onsite must be from 0 to 10,000, got 12345678901234567890123456"),
    ]


def test_accrue_through_9999_12_is_refused_at_its_line(write_books: WriteBooks) -> None:
    # Before: accepted, then bean-check tried to accrue 8000 years of months.
    books = write_books(GOOD_TIME, {"good-co": GOOD}, "accrue_through: 9999-12\n")
    [error] = books.errors
    assert type(error).__name__ == "PracticeError"
    assert error.source["lineno"] == 1
    assert "accrue_through must be a month in the years 1970 to 2100, got '9999-12'" in error.message


def test_time_entry_with_too_many_digits_is_one_located_error_for_its_month_only() -> None:
    # A Decimal trap in the rules (hours * rate beyond 28 digits) is a located problem
    # of that month; the contract's other months bill as usual.
    contract = _contract("client: big-co\nterms:\n  - from: 2026-01-01\n    rates: {remote: 100}\n")
    huge = TimeEntry(datetime.date(2026, 1, 6), "big-co", "remote", D("1" * 27), filename="t.bc", lineno=7)
    fine = TimeEntry(datetime.date(2026, 2, 6), "big-co", "remote", D("1.5"), filename="t.bc", lineno=9)
    january, february = bill_contract(
        contract, Practice(accrue_through=(2026, 2)), [huge, fine], datetime.date(2026, 6, 1)
    )
    [problem] = january.problems
    assert problem.kind == "BillingError"
    assert (problem.where.filename, problem.where.lineno) == ("t.bc", 7)
    assert "2026-01 is not billed, its figures are too large to compute exactly" in problem.message
    assert january.revenue == 0
    # February: 1.5 h x 100 = 150.00
    assert february.hourly == D("150.00") and not february.problems


def test_bills_do_not_depend_on_the_callers_decimal_context() -> None:
    # 1 h 20 min at 95 = 126.666... -> 126.67, even when the caller's context has 3 digits.
    contract = _contract("client: x-co\nterms:\n  - from: 2026-01-01\n    rates: {remote: 95}\n")
    entry = TimeEntry(datetime.date(2026, 1, 6), "x-co", "remote", D(4) / D(3), filename="t", lineno=1)
    with localcontext() as context:
        context.prec = 3
        practice = Practice(accrue_through=(2026, 1))
        [bill] = bill_contract(contract, practice, [entry], datetime.date(2026, 6, 1))
    assert bill.hourly == D("126.67")


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("client", '"test-co\\n"', "client holds a line break (U+000A)"),
        ("account", '"TestCo\\n"', "account holds a line break (U+000A)"),
        ("name", '"Test\\x00Co"', "name holds a NUL byte (U+0000)"),
        ("aliases", '["Test Co", "Test\\x1b[2JCo"]', "aliases holds a control character (U+001B)"),
        ("currency", '"USD\\r"', "currency holds a carriage return (U+000D)"),
    ],
)
def test_control_characters_in_contract_text_are_refused_at_the_field(
    write_books: WriteBooks, key: str, value: str, says: str
) -> None:
    # Before: client "test-co\n" and account "TestCo\n" passed (a regex '$' matches before
    # a final newline) and made accounts that do not re-parse.
    text = "terms:\n  - from: 2026-01-01\n"
    if key != "client":
        text = "client: test-co\n" + text
    books = write_books(GOOD_TIME, {"good-co": GOOD, "test-co": f"{text}{key}: {value}\n"})
    [error] = books.errors
    assert error.source["filename"].endswith("contracts/test-co.yaml")
    assert error.source["lineno"] == (4 if key != "client" else 3)
    assert says in error.message
    assert books.posted("Income:Clients:GoodCo:Retainer") == D("-1500.00")


@pytest.mark.parametrize(
    ("pattern", "good"), [(CLIENT_ID, "test-co"), (ACCOUNT_COMPONENT, "TestCo"), (CURRENCY, "USD")]
)
def test_id_patterns_refuse_a_final_newline_even_with_match(pattern: re.Pattern[str], good: str) -> None:
    # The importers call .match on CLIENT_ID: with '$' "test-co\n" matched.
    assert pattern.match(good)
    assert not pattern.match(good + "\n")


def test_unknown_yaml_tag_on_a_text_field_is_refused_not_ignored(write_books: WriteBooks) -> None:
    # Before: 'name: !foo bar' was silently read as "bar".
    tagged = GOOD.replace("client: good-co", "client: good-co\nname: !foo Good")
    books = write_books(GOOD_TIME, {"good-co": tagged})
    [error] = books.errors
    assert error.source["lineno"] == 2
    assert "name: YAML tag '!foo' is not supported" in error.message
    assert books.posted("Income:Clients:GoodCo:Retainer") == D(0)


def test_unknown_yaml_tag_under_importers_is_one_line_and_billing_goes_on(write_books: WriteBooks) -> None:
    # Before: a ConstructorError traceback that stopped billing for every client. Now the
    # importers setting is left out (reported) and the rest of practice.yaml stands.
    practice = "accrue_through: 2026-02\nimporters:\n  generic_csv: !custom {date: Day}\n"
    books = write_books(GOOD_TIME, {"good-co": GOOD}, practice)
    [error] = books.errors
    assert type(error).__name__ == "PracticeError"
    assert error.source["lineno"] == 3
    assert "importers: YAML tag '!custom' is not supported" in error.message
    # January and February at 500: the accrue_through on line 1 still holds.
    assert books.posted("Income:Clients:GoodCo:Retainer") == D("-1000.00")
    output = _bean_check(books.path)
    assert "contracts/practice.yaml:3:" in output


def test_a_broken_staff_cost_rate_leaves_out_that_member_only(write_books: WriteBooks) -> None:
    practice = (
        "accrue_through: 2026-01\ndefault_cost_rate: 30\nstaff:\n"
        "  alice: {cost_rate: 1e400}\n  bob: {cost_rate: 20}\n"
    )
    ledger = GOOD_TIME + '  staff: "alice"\n2026-01-06 custom "time" "good-co" "remote" 1\n  staff: "bob"\n'
    books = write_books(ledger, {"good-co": GOOD}, practice)
    [error] = books.errors
    assert error.source["lineno"] == 4
    assert "staff.alice.cost_rate must be from 0 to 10,000,000" in error.message
    # alice at the default 30 (her own rate is left out, and reported), bob at his 20:
    # 1 h x 30 + 1 h x 20 = 50.00
    assert books.posted("Expenses:Clients:GoodCo:Labor", "2026-01") == D("50.00")


def test_after_hours_multiplier_0_is_refused(write_books: WriteBooks) -> None:
    # Before: accepted, and after-hours work was billed at 0 without a word.
    contract = GOOD + "    after_hours_multiplier: 0\n"
    books = write_books(GOOD_TIME, {"good-co": contract})
    [error] = books.errors
    assert error.source["lineno"] == 6
    assert "after_hours_multiplier must be from 1 to 10" in error.message
    assert "rates: {KIND: 0}" in error.message


def test_a_term_after_ends_is_refused(write_books: WriteBooks) -> None:
    # Before: accepted, and never in force.
    contract = GOOD.replace("client: good-co", "client: good-co\nends: 2026-02-28") + (
        "  - from: 2026-04-01\n    monthly_fee: 600\n"
    )
    books = write_books(GOOD_TIME, {"good-co": contract})
    [error] = books.errors
    assert error.source["lineno"] == 7
    assert "the term from 2026-04-01 starts after the agreement ends (2026-02-28)" in error.message


@pytest.mark.parametrize("name", ["<img src=x onerror=alert(1)>", "Smith > Jones", "a<b"])
def test_markup_in_a_contract_name_is_refused_with_the_reason(write_books: WriteBooks, name: str) -> None:
    # The name is the payee of the posted transactions, and Fava 1.30's journal renders a
    # payee as HTML.
    contract = GOOD.replace("client: good-co", f'client: good-co\nname: "{name}"')
    books = write_books(GOOD_TIME, {"good-co": contract})
    [error] = books.errors
    assert error.source["lineno"] == 2
    assert "holds '<' or '>'" in error.message and "Fava shows payees as HTML" in error.message
    assert not books.transactions()


def test_minus_zero_is_read_as_zero_not_a_signed_zero(tmp_path: Path) -> None:
    # Decimal("-0") is a signed zero: its amounts print as -0.00.
    path = tmp_path / "zero-co.yaml"
    path.write_text(
        "client: zero-co\nterms:\n  - from: 2026-01-01\n    monthly_fee: -0\n    rates: {remote: -0.00}\n"
    )
    contract, problems = load_contract(path, Practice())
    assert contract is not None, problems
    [terms] = contract.terms
    assert not terms.monthly_fee.is_signed() and not terms.rates["remote"].is_signed()
    [bill] = bill_contract(
        contract,
        Practice(accrue_through=(2026, 1)),
        [TimeEntry(datetime.date(2026, 1, 6), "zero-co", "remote", D(2))],
        datetime.date(2026, 6, 1),
    )
    assert str(bill.hourly) == "0.00" and str(bill.retainer) == "0.00"


def test_an_ampersand_in_a_name_is_still_fine(write_books: WriteBooks) -> None:
    contract = GOOD.replace("client: good-co", 'client: good-co\nname: "Smith & Sons"')
    books = write_books(GOOD_TIME, {"good-co": contract})
    assert not books.errors
    assert {t.payee for t in books.transactions()} == {"Smith & Sons"}


NEW_CONTRACT = "client: new-co\nname: Newly Signed LLC\nterms:\n  - from: 2026-01-01\n    monthly_fee: 300\n"


def test_a_new_contract_file_makes_the_beancount_cache_stale(write_books: WriteBooks) -> None:
    # Beancount reuses its pickle cache while the input hash of the includes is unchanged;
    # before, a new contract file changed none of them, so a cached bean-check missed it.
    books = write_books(GOOD_TIME, {"good-co": GOOD})
    folders = [name for name in books.options["include"] if Path(name).is_dir()]
    # Listed with a final "/": Fava's editor shows it as a folder, not as a file to open.
    assert folders == [str(books.path.parent.parent / "contracts") + os.sep]
    assert not loader.needs_refresh(books.options)
    _add_file(books.path.parent.parent / "contracts" / "new-co.yaml", NEW_CONTRACT)
    assert loader.needs_refresh(books.options)


def test_a_new_contract_file_is_seen_by_a_served_fava_after_reload(write_books: WriteBooks) -> None:
    # Fava's polling watcher (fava --poll-watcher) stats every include; with the contracts
    # folder listed, a new file in it is a change, and the page shows the new client.
    books = write_books(GOOD_TIME, {"good-co": GOOD})
    app = create_app([str(books.path)], load=True, poll_watcher=True)
    app.testing = True
    web = app.test_client()
    [ledger] = app.config["LEDGERS"].ledgers
    slug = next(iter(app.config["LEDGERS"].ledgers_by_slug))
    journal = f"/{slug}/journal/"
    assert "Newly Signed LLC" not in web.get(journal).get_data(as_text=True)
    _add_file(books.path.parent.parent / "contracts" / "new-co.yaml", NEW_CONTRACT)
    page = web.get(journal).get_data(as_text=True)
    assert "Newly Signed LLC" in page  # its Retainer transactions, January to March
    assert not ledger.load_errors
    assert any(getattr(e, "payee", None) == "Newly Signed LLC" for e in ledger.all_entries)


def test_a_new_contract_file_is_seen_by_fava_s_default_watcher_with_the_margin_extension(
    write_books: WriteBooks,
) -> None:
    # Fava's default watcher keeps events of listed files only; the Client Margin
    # extension adds the listed contracts folder to its watched folders after each load.
    ledger_text = '2026-01-01 custom "fava-extension" "plugins.margin"\n' + GOOD_TIME
    books = write_books(ledger_text, {"good-co": GOOD})
    app = create_app([str(books.path)], load=True)
    app.testing = True
    web = app.test_client()
    [ledger] = app.config["LEDGERS"].ledgers
    journal = f"/{next(iter(app.config['LEDGERS'].ledgers_by_slug))}/journal/"
    try:
        assert "Newly Signed LLC" not in web.get(journal).get_data(as_text=True)
        _add_file(books.path.parent.parent / "contracts" / "new-co.yaml", NEW_CONTRACT)
        # The watcher thread reports the change after its debounce (1.6 s): ask until it
        # has, for at most a generous while on a busy machine.
        for _ in range(120):
            if "Newly Signed LLC" in web.get(journal).get_data(as_text=True):
                break
            time.sleep(0.25)
        assert "Newly Signed LLC" in web.get(journal).get_data(as_text=True)
        assert not ledger.load_errors
    finally:
        ledger.watcher.__exit__(None, None, None)


def _add_file(path: Path, text: str) -> None:
    """Write a new file, and make sure its folder's mtime moves past the last load's.

    The folder's mtime has the file system's resolution; a test that writes within the
    same tick as the load would otherwise see no change (a person never does).
    """
    before = path.parent.stat().st_mtime_ns
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    if path.parent.stat().st_mtime_ns <= before:
        later = before + 1_000_000_000
        os.utime(path.parent, ns=(later, later))


def _contract(text: str) -> Contract:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.yaml"
        path.write_text(text)
        contract, problems = load_contract(path, Practice())
    assert contract is not None, problems
    return contract
