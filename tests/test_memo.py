"""The bills memo (``plugins.memo``): Fava's reload bills again only the clients whose
contract, practice, time or day changed, and never serves a stale bill.

Every test reloads a real ``FavaLedger`` after editing real files, and compares the whole
result (every entry as Beancount prints it, every error with its file and line) with the
same books loaded by a Fava without the memo, where every client is billed anew.

The hand-worked books: practice accrues through 2026-03; default cost 30/h.
- solo: 300/month, 2 remote hours included, then 100/h, no rounding beyond the minute.
  January: one entry of 3.00 h -> 1 h beyond the included 2 -> hourly 100.00.
- other: 200/month, 80/h, nothing included; January: 1.00 h -> hourly 80.00.
"""

from __future__ import annotations

import datetime
import decimal
import re
import sys
import textwrap
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from beancount import loader
from beancount.core import data
from beancount.parser import printer
from click.testing import CliRunner
from fava.core import FavaLedger
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import PLUGIN_LINE, copy_demo

import plugins.retainer
from plugins.books import Books, remembered, today
from plugins.memo import BillMemo, forget, memo_for
from scripts.cli import main

SOLO = """\
client: solo
terms:
  - from: 2026-01-01
    monthly_fee: 300
    included_hours: {remote: 2}
    rates: {remote: 100}
"""
OTHER = """\
client: other
terms:
  - from: 2026-01-01
    monthly_fee: 200
    rates: {remote: 80}
"""
PRACTICE = "accrue_through: 2026-03\ndefault_cost_rate: 30\n"
TIME = """\
2026-01-12 custom "time" "solo" "remote" 3.00
  staff: "alice"

2026-01-14 custom "time" "other" "remote" 1.00
  staff: "alice"
"""

OPTIONS = 'option "operating_currency" "USD"\ninclude "time.beancount"\n'

Output = tuple[list[str], list[tuple[str, Any, Any, str]], str]


def output(ledger: FavaLedger) -> Output:
    """Everything a load gives: each entry as printed with the file and line it points to
    (the printer leaves those out: they are Fava's links), each error with its place, and
    the bills the report pages read (their ``repr``: every figure with its digits)."""
    entries = [
        f"{entry.meta.get('filename')}:{entry.meta.get('lineno')}\n{printer.format_entry(entry)}"
        for entry in ledger.all_entries
    ]
    errors = [
        (type(e).__name__, (e.source or {}).get("filename"), (e.source or {}).get("lineno"), e.message)
        for e in ledger.errors
    ]
    books = remembered(ledger.options, today())
    assert books is not None
    return entries, errors, repr(books.bills)


def fresh(path: Path) -> Output:
    """The books as a Fava without the memo loads them: every client billed anew."""
    with mock.patch.object(plugins.retainer, "memo_for", lambda options: None):
        return output(FavaLedger(str(path), poll_watcher=True))


def memo_of(ledger: FavaLedger) -> BillMemo:
    memo = memo_for(ledger.options)
    assert memo is not None
    return memo


def hourly(ledger: FavaLedger, account: str, month: str) -> Decimal:
    """What the books post to ``Income:Clients:<account>:Hourly`` in ``month`` (income: -)."""
    total = Decimal(0)
    for entry in ledger.all_entries:
        if isinstance(entry, data.Transaction) and entry.date.strftime("%Y-%m") == month:
            for posting in entry.postings:
                if posting.account == f"Income:Clients:{account}:Hourly":
                    total += posting.units.number
    return total


def write(root: Path, time: str = TIME, solo: str = SOLO, practice: str = PRACTICE) -> Path:
    (root / "contracts").mkdir(exist_ok=True)
    (root / "ledger").mkdir(exist_ok=True)
    (root / "contracts" / "solo.yaml").write_text(solo, encoding="utf-8")
    (root / "contracts" / "other.yaml").write_text(OTHER, encoding="utf-8")
    (root / "contracts" / "practice.yaml").write_text(practice, encoding="utf-8")
    path = root / "ledger" / "main.beancount"
    path.write_text(PLUGIN_LINE + OPTIONS, encoding="utf-8")
    (root / "ledger" / "time.beancount").write_text(time, encoding="utf-8")
    return path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(autouse=True)
def _no_memo_yet() -> None:
    forget()


@pytest.fixture
def books(tmp_path: Path) -> tuple[Path, FavaLedger]:
    path = write(tmp_path)
    ledger = FavaLedger(str(path), poll_watcher=True)
    assert ledger.errors == []
    assert hourly(ledger, "Solo", "2026-01") == Decimal("-100.00")
    assert hourly(ledger, "Other", "2026-01") == Decimal("-80.00")
    return path, ledger


def test_a_reload_with_nothing_changed_bills_no_client_again(books: tuple[Path, FavaLedger]) -> None:
    path, ledger = books
    before = output(ledger)
    ledger.load_file()
    assert memo_of(ledger).billed == []
    assert sorted(memo_of(ledger).reused) == ["other", "solo"]
    assert output(ledger) == before == fresh(path)


def test_an_edited_entry_bills_only_its_client_again(books: tuple[Path, FavaLedger]) -> None:
    path, ledger = books
    edit(path.parent / "time.beancount", '"solo" "remote" 3.00', '"solo" "remote" 3.50')
    ledger.load_file()
    assert memo_of(ledger).billed == ["solo"]
    assert memo_of(ledger).reused == ["other"]
    # 3.5 h - 2 included = 1.5 h x 100
    assert hourly(ledger, "Solo", "2026-01") == Decimal("-150.00")
    assert output(ledger) == fresh(path)


def test_the_same_hours_in_other_digits_bill_again(books: tuple[Path, FavaLedger]) -> None:
    """3.00 == 3.0, but their sums print differently: equal is not the same."""
    path, ledger = books
    edit(path.parent / "time.beancount", '"solo" "remote" 3.00', '"solo" "remote" 3.0')
    ledger.load_file()
    assert output(ledger) == fresh(path)  # hours worked: 3.0, not the 3.00 of before
    assert memo_of(ledger).billed == ["solo"]


def test_an_entry_moved_to_another_month_bills_both_months_anew(books: tuple[Path, FavaLedger]) -> None:
    path, ledger = books
    edit(path.parent / "time.beancount", '2026-01-12 custom "time" "solo"', '2026-02-12 custom "time" "solo"')
    ledger.load_file()
    assert memo_of(ledger).billed == ["solo"]
    assert hourly(ledger, "Solo", "2026-01") == Decimal(0)  # nothing beyond the included hours
    assert hourly(ledger, "Solo", "2026-02") == Decimal("-100.00")  # 3 h - 2 included, x 100
    assert output(ledger) == fresh(path)


def test_a_new_entry_above_others_bills_both_clients_again(books: tuple[Path, FavaLedger]) -> None:
    """An entry's line is part of what it is billed from (a problem names the line): the
    entries below the new one moved down, so their client is billed again too."""
    path, ledger = books
    edit(
        path.parent / "time.beancount",
        "2026-01-12",
        '2026-01-02 custom "time" "other" "remote" 0.5\n\n2026-01-12',
    )
    ledger.load_file()
    assert sorted(memo_of(ledger).billed) == ["other", "solo"]
    assert output(ledger) == fresh(path)


def test_a_contract_edit_bills_that_client_again(books: tuple[Path, FavaLedger]) -> None:
    path, ledger = books
    edit(path.parent.parent / "contracts" / "solo.yaml", "rates: {remote: 100}", "rates: {remote: 120}")
    ledger.load_file()
    assert memo_of(ledger).billed == ["solo"]
    assert hourly(ledger, "Solo", "2026-01") == Decimal("-120.00")  # 1 h beyond x 120
    assert output(ledger) == fresh(path)


def test_a_rate_in_other_digits_bills_again(books: tuple[Path, FavaLedger]) -> None:
    path, ledger = books
    edit(path.parent.parent / "contracts" / "solo.yaml", "monthly_fee: 300", "monthly_fee: 300.00")
    ledger.load_file()
    assert output(ledger) == fresh(path)
    assert memo_of(ledger).billed == ["solo"]


def test_a_practice_edit_bills_every_client_again(books: tuple[Path, FavaLedger]) -> None:
    path, ledger = books
    edit(path.parent.parent / "contracts" / "practice.yaml", "default_cost_rate: 30", "default_cost_rate: 35")
    ledger.load_file()
    assert sorted(memo_of(ledger).billed) == ["other", "solo"]
    assert output(ledger) == fresh(path)


def test_a_new_day_bills_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without accrue_through the books accrue through today's month."""
    path = write(tmp_path, practice="default_cost_rate: 30\n")
    monkeypatch.setenv("RETAINER_TODAY", "2026-02-15")
    ledger = FavaLedger(str(path), poll_watcher=True)
    assert not any(
        entry.date.month == 3 for entry in ledger.all_entries if isinstance(entry, data.Transaction)
    )
    monkeypatch.setenv("RETAINER_TODAY", "2026-03-15")
    ledger.load_file()
    assert sorted(memo_of(ledger).billed) == ["other", "solo"]
    march = [e for e in ledger.all_entries if isinstance(e, data.Transaction) and e.date.month == 3]
    assert {e.narration for e in march} >= {"Retainer 2026-03"}
    assert output(ledger) == fresh(path)


def test_a_deleted_contract_is_forgotten(books: tuple[Path, FavaLedger]) -> None:
    path, ledger = books
    (path.parent.parent / "contracts" / "other.yaml").unlink()
    edit(
        path.parent / "time.beancount",
        '2026-01-14 custom "time" "other" "remote" 1.00\n  staff: "alice"\n',
        "",
    )
    ledger.load_file()
    assert memo_of(ledger).reused == ["solo"]
    assert "other" not in memo_of(ledger)._clients
    assert output(ledger) == fresh(path)


def test_closing_and_reopening_a_month_between_reloads(tmp_path: Path) -> None:
    """The demo, with its closed months: a month closed, a contract edited under closed
    months, a month reopened. Closing runs on every load, after the (reused) bills."""
    path = copy_demo(tmp_path)
    ledger = FavaLedger(str(path), poll_watcher=True)
    assert ledger.errors == []
    runner = CliRunner()
    closed = runner.invoke(main, ["close", "2026-04", "--ledger", str(path)])
    assert closed.exit_code == 0, closed.output
    ledger.load_file()
    assert memo_of(ledger).billed == []  # the time and contracts are as they were
    assert ledger.errors == []
    assert output(ledger) == fresh(path)
    # A contract edited under its closed months: one error per closed month, as without memo.
    contract = tmp_path / "contracts" / "harbor-pine-law.yaml"
    edit(contract, "monthly_fee: 225.00", "monthly_fee: 250.00")
    ledger.load_file()
    assert memo_of(ledger).billed == ["harbor-pine-law"]
    assert {type(error).__name__ for error in ledger.errors} == {"ClosedMonthError"}
    assert output(ledger) == fresh(path)
    edit(contract, "monthly_fee: 250.00", "monthly_fee: 225.00")
    reopened = runner.invoke(main, ["reopen", "2026-04", "--ledger", str(path)])
    assert reopened.exit_code == 0, reopened.output
    ledger.load_file()
    assert ledger.errors == []
    assert output(ledger) == fresh(path)


def test_an_edited_demo_entry_bills_only_that_client(tmp_path: Path) -> None:
    path = copy_demo(tmp_path)
    ledger = FavaLedger(str(path), poll_watcher=True)
    clients = len(memo_of(ledger).billed)
    assert clients >= 5
    edit(
        path.parent / "time" / "2026-10.beancount",
        '"bayview-dental" "remote" 0.2',
        '"bayview-dental" "remote" 0.7',
    )
    ledger.load_file()
    assert memo_of(ledger).billed == ["bayview-dental"]
    assert len(memo_of(ledger).reused) == clients - 1
    assert output(ledger) == fresh(path)


# A run of edits, each reloaded by the same Fava and compared with a load without the memo.
_EDITS = st.lists(
    st.tuples(
        st.sampled_from(["hours", "date", "kind", "flag", "rate", "fee", "cost", "add", "drop"]),
        st.integers(0, 5),
        st.sampled_from(["0.25", "0.5", "0.50", "1", "1.00", "2.75", "4"]),
    ),
    min_size=1,
    max_size=4,
)


def _entries(time: list[tuple[str, str, str, str, bool]]) -> str:
    return "".join(
        f'{day} custom "time" "{client}" "{kind}" {hours}\n'
        + ("  after-hours: TRUE\n" if late else "")
        + "\n"
        for day, client, kind, hours, late in sorted(time, key=lambda item: item[0])
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=_EDITS)
def test_any_run_of_edits_reloads_as_a_fresh_load(
    tmp_path_factory: pytest.TempPathFactory, edits: Any
) -> None:
    root = tmp_path_factory.mktemp("memo")
    time = [
        ("2026-01-12", "solo", "remote", "3.00", False),
        ("2026-01-14", "other", "remote", "1.00", False),
        ("2026-02-03", "solo", "onsite", "1.5", True),
    ]
    solo, practice = SOLO.replace("rates: {remote: 100}", "rates: {remote: 100, onsite: 140}"), PRACTICE
    path = write(root, _entries(time), solo, practice)
    ledger = FavaLedger(str(path), poll_watcher=True)
    for what, index, digits in edits:
        at = index % len(time) if time else 0
        if what == "add" or not time:
            day = datetime.date(2026, 1 + index % 3, 1 + index * 4)
            time.append((day.isoformat(), ["solo", "other"][index % 2], "remote", digits, False))
        elif what == "drop":
            del time[at]
        elif what == "hours":
            time[at] = (*time[at][:3], digits, time[at][4])
        elif what == "date":
            time[at] = (f"2026-0{1 + index % 3}-2{index}", *time[at][1:])
        elif what == "kind":
            when, client, kind, hours, late = time[at]
            time[at] = (when, client, "onsite" if kind == "remote" else "remote", hours, late)
        elif what == "flag":
            time[at] = (*time[at][:4], not time[at][4])
        elif what == "rate":
            solo = re.sub(r"onsite: \d+", f"onsite: {140 + index}", solo)
        elif what == "fee":
            solo = re.sub(r"monthly_fee: \S+", f"monthly_fee: {digits}", solo)
        elif what == "cost":
            practice = f"accrue_through: 2026-03\ndefault_cost_rate: {digits}\n"
        write(root, _entries(time), solo, practice)
        ledger.load_file()
        assert output(ledger) == fresh(path), (what, index, digits)


def test_books_read_from_a_string_have_no_memo() -> None:
    assert memo_for({"filename": "<string>"}) is None
    assert memo_for({}) is None


def test_no_memo_for_bean_check(tmp_path: Path) -> None:
    """bean-check bills once: the plugin keeps nothing when no reader of the pass is loaded."""
    import subprocess
    import sys

    path = write(tmp_path)
    code = textwrap.dedent(
        f"""
        import sys
        from beancount import loader
        from plugins import memo
        entries, errors, options = loader.load_file({str(path)!r})
        assert errors == [], errors
        assert "fava.core" not in sys.modules
        import gc
        print(len(memo._MEMOS), gc.get_freeze_count())
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0 0"  # no memo, and nothing left frozen (gcpause's hold)


def test_a_fava_load_leaves_the_books_out_of_the_collector(tmp_path: Path) -> None:
    """Fava holds the books and loads them again: the plugin's pass ends by freezing the
    heap, so the next reload's collections do not walk them (plugins.billing.gcpause)."""
    import gc

    gc.unfreeze()
    ledger = FavaLedger(str(write(tmp_path)), poll_watcher=True)
    try:
        posted = [entry for entry in ledger.all_entries if isinstance(entry, data.Transaction)]
        assert posted  # solo's January bill
        assert gc.get_freeze_count() > 0
        tracked = {id(obj) for obj in gc.get_objects()}  # the three generations, not the frozen
        assert not any(id(entry) in tracked for entry in posted)
    finally:
        gc.unfreeze()


ONSITE = TIME + '\n2026-01-20 custom "time" "solo" "onsite" 1.00\n'


def test_a_line_added_above_moves_a_billing_error_with_it(tmp_path: Path) -> None:
    """solo has no onsite rate: its onsite entry is a BillingError at that entry's line."""
    path = write(tmp_path, time=ONSITE)
    ledger = FavaLedger(str(path), poll_watcher=True)
    [problem] = [e for e in ledger.errors if type(e).__name__ == "BillingError"]
    assert problem.source["lineno"] == 7
    edit(path.parent / "time.beancount", "2026-01-12", "; a comment\n\n2026-01-12")
    ledger.load_file()
    [problem] = [e for e in ledger.errors if type(e).__name__ == "BillingError"]
    assert problem.source["lineno"] == 9  # two lines further down
    assert output(ledger) == fresh(path)


def test_a_line_added_above_a_contract_moves_its_transactions_links(books: tuple[Path, FavaLedger]) -> None:
    path, ledger = books
    edit(path.parent.parent / "contracts" / "solo.yaml", "client: solo", "# solo\nclient: solo")
    ledger.load_file()
    assert memo_of(ledger).billed == ["solo"]
    assert output(ledger) == fresh(path)


def test_another_person_or_not_billable_bills_again(tmp_path: Path) -> None:
    path = write(tmp_path, practice=PRACTICE + "staff:\n  bob: {cost_rate: 50}\n")
    ledger = FavaLedger(str(path), poll_watcher=True)
    time = path.parent / "time.beancount"
    edit(time, '"solo" "remote" 3.00\n  staff: "alice"', '"solo" "remote" 3.00\n  staff: "bob"')
    ledger.load_file()
    assert memo_of(ledger).billed == ["solo"]
    assert output(ledger) == fresh(path)  # labor: 3 h x 50, not 3 h x 30
    edit(time, '  staff: "bob"', '  staff: "bob"\n  billable: FALSE')
    ledger.load_file()
    assert sorted(memo_of(ledger).billed) == ["other", "solo"]  # other's entry is a line lower
    assert hourly(ledger, "Solo", "2026-01") == Decimal(0)
    assert output(ledger) == fresh(path)


def test_an_entry_moved_onto_a_project_bills_again(tmp_path: Path) -> None:
    """Rule 8: an hour on a fixed-price project is labor only, not an hour of the month.
    solo's 3.00 h moved onto its project: nothing beyond the included 2 h, so no hourly."""
    project = SOLO + "projects:\n  - id: move\n    price: 1000\n    billed: 2026-02-10\n"
    path = write(tmp_path, solo=project)
    ledger = FavaLedger(str(path), poll_watcher=True)
    assert ledger.errors == []
    assert hourly(ledger, "Solo", "2026-01") == Decimal("-100.00")
    edit(
        path.parent / "time.beancount",
        '"solo" "remote" 3.00\n  staff: "alice"',
        '"solo" "remote" 3.00\n  staff: "alice"\n  project: "move"',
    )
    ledger.load_file()
    assert hourly(ledger, "Solo", "2026-01") == Decimal(0)
    assert output(ledger) == fresh(path)


def test_another_decimal_context_posts_again(books: tuple[Path, FavaLedger]) -> None:
    """Posting rounds in the thread's context: with 3 digits, 300.00 cannot be held, which
    a load without the memo reports; the memo must not hand out the 28-digit postings."""
    path, ledger = books
    with decimal.localcontext(prec=3):
        ledger.load_file()
        assert sorted(memo_of(ledger).billed) == ["other", "solo"]
        assert output(ledger) == fresh(path)


def test_two_passes_at_once_share_a_memo_safely(tmp_path: Path) -> None:
    """Fava reloads from request threads: two loads of one ledger may bill at once."""
    path = write(tmp_path)
    folder = tmp_path / "contracts"
    edited = TIME.replace('"solo" "remote" 3.00', '"solo" "remote" 3.50')
    inputs = [loader.load_string(OPTIONS.split("include")[0] + text)[0] for text in (TIME, edited)]
    expected = [_pass(entries, folder, None) for entries in inputs]
    memo = memo_for({"filename": str(path)})
    assert memo is not None
    failures: list[str] = []

    def reload(first: int) -> None:
        for turn in range(40):
            which = (first + turn) % 2
            try:
                if _pass(inputs[which], folder, memo) != expected[which]:
                    failures.append(f"stale at turn {turn}")
            except Exception as exc:  # the test reports any
                failures.append(repr(exc))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often: the steps of the two passes interleave
    try:
        threads = [threading.Thread(target=reload, args=(first,)) for first in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == []
    assert memo.reused  # the two passes did reuse each other's bills


def _pass(entries: list[Any], folder: Path, memo: BillMemo | None) -> tuple[list[str], str, list[str]]:
    books = Books.of(entries, folder, on=datetime.date(2026, 6, 1), memo=memo)
    posted = [printer.format_entry(entry) for entry in books.transactions(entries)]
    return posted, repr(books.bills), [str(error) for error in books.errors]
