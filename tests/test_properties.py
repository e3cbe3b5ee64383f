"""Properties of the billing core (hypothesis), over contracts the real loader reads from YAML.

Rules-level properties call ``plugins.billing.rules`` on drawn time; the ones about posted
entries run the real plugin on real ledgers on disk. Each is bounded (max_examples) and
derandomized, so the suite is quick and CI sees the same examples every run.
"""

from __future__ import annotations

import datetime
import os
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data
from beancount.parser import printer
from billing_strategies import (
    LAST,
    PRACTICE,
    PRACTICE_YAML,
    TODAY,
    Work,
    contract_yaml,
    contracts,
    days,
    in_ledger_order,
    load,
    onto,
    works,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugins.billing.model import Contract, TimeEntry
from plugins.billing.rules import MonthBill, bill_contract, cents, days_in, segments

RULES = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
BOOKS = settings(
    max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
CENT = Decimal("0.01")
ZERO = Decimal(0)


def bill(contract: Contract, items: list[Work]) -> list[MonthBill]:
    """The contract's bills, with each drawn item moved onto a day its terms cover."""
    placed = in_ledger_order([onto(contract, work) for work in items])
    entries = [work.entry(contract.client, index + 1) for index, work in enumerate(placed)]
    return bill_contract(contract, PRACTICE, entries, TODAY, detail=True)


# --- the rules ---------------------------------------------------------------------------


@RULES
@given(contracts(), st.lists(works, max_size=25))
def test_covered_plus_uncovered_is_the_billable_units(contract: Contract, items: list[Work]) -> None:
    for month in bill(contract, items):
        assert not month.problems
        units_by_kind: dict[str, Decimal] = defaultdict(Decimal)
        for charged in month.units:
            assert charged.covered >= 0 and charged.uncovered >= 0
            assert charged.covered + charged.uncovered == charged.unit.hours
            units_by_kind[charged.unit.kind] += charged.unit.hours
        for kind in ("remote", "onsite"):
            assert month.included_used[kind] + month.uncovered[kind] == month.hours_billable[kind]
            assert month.hours_billable[kind] == units_by_kind[kind]
        # Every line is cents, rounded once.
        for amount in (month.retainer, month.hourly, month.travel, month.labor or ZERO):
            assert amount == cents(amount) and amount >= 0


@RULES
@given(contracts(), st.lists(works, max_size=20), works)
def test_more_billable_time_never_lowers_a_bill(contract: Contract, items: list[Work], extra: Work) -> None:
    more = Work(extra.date, extra.kind, extra.hours, extra.after_hours, True, extra.staff)
    before, after = bill(contract, items), bill(contract, [*items, more])
    assert len(before) == len(after)
    for old, new in zip(before, after, strict=True):
        assert new.retainer == old.retainer
        assert new.hourly >= old.hourly
        assert new.travel >= old.travel
        assert (new.labor or ZERO) >= (old.labor or ZERO)
        assert new.revenue >= old.revenue


@RULES
@given(contracts(), st.lists(works, max_size=20), works, st.integers(0, 20))
def test_removing_a_non_billable_entry_changes_only_labor(
    contract: Contract, items: list[Work], extra: Work, at: int
) -> None:
    idle = Work(extra.date, extra.kind, extra.hours, extra.after_hours, False, extra.staff)
    with_idle = [*items[:at], idle, *items[at:]]
    for old, new in zip(bill(contract, with_idle), bill(contract, items), strict=True):
        for figure in ("retainer", "hourly", "travel", "visits", "hours_billable", "included"):
            assert getattr(new, figure) == getattr(old, figure), figure
        assert new.included_used == old.included_used and new.uncovered == old.uncovered
        assert [u.unit.hours for u in new.units] == [u.unit.hours for u in old.units]
        assert (new.labor or ZERO) <= (old.labor or ZERO)


@RULES
@given(contracts(), st.lists(works, max_size=25), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_order_beyond_the_ledger_order_rule(
    contract: Contract, items: list[Work], shuffle: random.Random
) -> None:
    # Any order of the entries that keeps each day's entries in their order (they may
    # come from different files, in any file order) bills the same.
    placed = in_ledger_order([onto(contract, work) for work in items])
    entries = [work.entry(contract.client, index + 1) for index, work in enumerate(placed)]
    mixed = list(entries)
    shuffle.shuffle(mixed)
    by_day: dict[datetime.date, list[TimeEntry]] = defaultdict(list)
    for entry in entries:
        by_day[entry.date].append(entry)
    mixed = [by_day[entry.date].pop(0) for entry in mixed]  # each day's own order restored
    assert bill_contract(contract, PRACTICE, mixed, TODAY) == bill_contract(
        contract, PRACTICE, entries, TODAY
    )


@RULES
@given(contract_yaml(), days, st.lists(works, max_size=15))
def test_splitting_a_month_by_a_term_that_changes_nothing_changes_no_bill(
    text: str, split: datetime.date, items: list[Work]
) -> None:
    contract = load(text)
    later = [t.start for t in contract.terms if t.start > split]
    if split <= contract.starts or split in {t.start for t in contract.terms}:
        return
    if contract.ends is not None and split > contract.ends:
        return
    # A term with only 'from:' inherits every key of the term before it.
    lines = text.splitlines(keepends=True)
    insert_at = len(lines)
    if later:
        insert_at = next(i for i, line in enumerate(lines) if line.startswith(f"  - from: {later[0]}"))
    split_text = "".join([*lines[:insert_at], f"  - from: {split}\n", *lines[insert_at:]])
    split_contract = load(split_text)
    for old, new in zip(bill(contract, items), bill(split_contract, items), strict=True):
        assert (new.retainer, new.hourly, new.travel, new.labor) == (
            old.retainer,
            old.hourly,
            old.travel,
            old.labor,
        )
        assert new.included_used == old.included_used and new.uncovered == old.uncovered


@RULES
@given(contracts())
def test_a_month_split_by_term_changes_prorates_within_a_cent(contract: Contract) -> None:
    # The fee is rounded once over the month's parts; each part's own prorated fee,
    # rounded, adds up to within a cent per part of it, and the fee lies between the
    # parts' full-month fees.
    for month_bill in bill_contract(contract, PRACTICE, [], TODAY):
        parts = segments(contract, month_bill.month)
        length = days_in(month_bill.month)
        rounded_parts = sum((cents(p.terms.monthly_retainer * p.days / length) for p in parts), ZERO)
        assert abs(month_bill.retainer - rounded_parts) <= CENT * len(parts) / 2 + CENT / 2
        exact = sum((p.terms.monthly_retainer * p.days for p in parts), ZERO) / length
        assert abs(month_bill.retainer - exact) <= CENT / 2
        if sum(p.days for p in parts) == length:
            fees = [p.terms.monthly_retainer for p in parts]
            assert min(fees) - CENT / 2 <= month_bill.retainer <= max(fees) + CENT / 2


# --- the plugin on real ledgers -------------------------------------------------------------


def write_books(root: Path, contract_texts: dict[str, str], files: dict[str, str]) -> Path:
    (root / "contracts").mkdir(parents=True)
    for name, text in contract_texts.items():
        (root / "contracts" / f"{name}.yaml").write_text(text, encoding="utf-8")
    (root / "contracts" / "practice.yaml").write_text(PRACTICE_YAML, encoding="utf-8")
    (root / "ledger" / "time").mkdir(parents=True)
    for name, text in files.items():
        (root / "ledger" / "time" / name).write_text(text, encoding="utf-8")
    main = root / "ledger" / "main.beancount"
    main.write_text(
        'plugin "plugins.retainer" "../contracts"\n'
        # Opened here: the pass dates the Open it adds by the first client's first use.
        "2020-01-01 open Expenses:Labor:Allocated\n"
        'include "time/*.beancount"\n',
        encoding="utf-8",
    )
    return main


def posted(path: Path) -> tuple[str, list[data.Transaction]]:
    entries, errors, _ = loader.load_file(str(path))
    assert not errors, [e.message for e in errors]
    generated = [e for e in entries if isinstance(e, data.Transaction) and "retainer" in e.tags]
    return "".join(printer.format_entry(e) for e in generated), generated


two_clients = st.tuples(contract_yaml("alpha-co"), contract_yaml("beta-co"))


def spans(texts: tuple[str, str]) -> dict[str, Contract]:
    return {name: load(text) for name, text in zip(("alpha-co", "beta-co"), texts, strict=True)}


def time_text(contracts_by_id: dict[str, Contract], items: list[tuple[int, Work]]) -> list[tuple[str, Work]]:
    """(client, work) for the drawn items, each moved onto a day its client's terms cover."""
    names = sorted(contracts_by_id)
    found = []
    for which, work in items:
        client = names[which % len(names)]
        found.append((client, onto(contracts_by_id[client], work)))
    return found


@BOOKS
@given(two_clients, st.lists(st.tuples(st.integers(0, 1), works), min_size=4, max_size=30))
def test_every_generated_transaction_balances(texts: tuple[str, str], items: list[tuple[int, Work]]) -> None:
    placed = time_text(spans(texts), items)
    ledger = "".join(work.ledger_lines(client) for client, work in sorted(placed, key=lambda p: p[1].date))
    with tempfile.TemporaryDirectory() as folder:
        main = write_books(
            Path(folder), dict(zip(("alpha-co", "beta-co"), texts, strict=True)), {"t.beancount": ledger}
        )
        _, generated = posted(main)
    for transaction in generated:
        total = sum((p.units.number for p in transaction.postings), ZERO)
        assert total == 0
        assert all(p.units.number == cents(p.units.number) for p in transaction.postings)
        assert transaction.date <= LAST


@BOOKS
@given(
    two_clients,
    st.lists(st.tuples(st.integers(0, 1), works), min_size=4, max_size=30),
    st.integers(1, 4),
    st.randoms(),
)
def test_plugin_entries_do_not_depend_on_how_time_is_spread_over_files(
    texts: tuple[str, str], items: list[tuple[int, Work]], file_count: int, spread: random.Random
) -> None:
    placed = sorted(time_text(spans(texts), items), key=lambda p: p[1].date)
    one_file = {"all.beancount": "".join(work.ledger_lines(client) for client, work in placed)}
    # Each day's entries stay together, in order, in one file; days go to any file.
    by_day: dict[datetime.date, str] = defaultdict(str)
    for client, work in placed:
        by_day[work.date] += work.ledger_lines(client)
    many: dict[str, str] = {f"part-{n}.beancount": "" for n in range(file_count)}
    for day_ in sorted(by_day, key=lambda _: spread.random()):
        name = f"part-{spread.randrange(file_count)}.beancount"
        many[name] += by_day[day_]
    contract_texts = dict(zip(("alpha-co", "beta-co"), texts, strict=True))
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        together, _ = posted(write_books(Path(a), contract_texts, one_file))
        apart, _ = posted(write_books(Path(b), contract_texts, many))
    assert apart.replace(b, a) == together


@BOOKS
@given(
    two_clients,
    st.lists(st.tuples(st.integers(0, 1), works), min_size=4, max_size=30),
    contract_yaml("other-co"),
)
def test_same_input_gives_the_same_bytes(
    texts: tuple[str, str], items: list[tuple[int, Work]], other: str
) -> None:
    placed = sorted(time_text(spans(texts), items), key=lambda p: p[1].date)
    files = {"t.beancount": "".join(work.ledger_lines(client) for client, work in placed)}
    contract_texts = dict(zip(("alpha-co", "beta-co"), texts, strict=True))
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as elsewhere:
        main = write_books(Path(folder), contract_texts, files)
        first, _ = posted(main)
        posted(write_books(Path(elsewhere), {"other-co": other}, {"t.beancount": ""}))  # others between
        second, _ = posted(main)
    assert first == second


def test_same_input_gives_the_same_bytes_in_fresh_processes(tmp_path: Path) -> None:
    # Two interpreters with different hash seeds (set and dict order of strings differ).
    text = (
        "client: seed-co\nterms:\n  - from: 2026-01-10\n    monthly_fee: 1000\n"
        "    included_hours: {remote: 2, onsite: 1}\n    rates: {remote: 90, onsite: 130}\n"
        "    travel: {trip_fee: 25}\n  - from: 2026-02-15\n    monthly_fee: 1200\n"
    )
    ledger = "".join(
        f'2026-{m:02d}-{d:02d} custom "time" "seed-co" "{k}" 1.25\n  staff: "{s}"\n'
        for m in (1, 2, 3)
        for d, k, s in ((12, "onsite", "alice"), (14, "remote", "bob"), (20, "remote", "carol"))
    )
    main = write_books(tmp_path, {"seed-co": text}, {"t.beancount": ledger})
    script = (
        "import sys; from beancount import loader; from beancount.parser import printer\n"
        "entries, errors, _ = loader.load_file(sys.argv[1])\n"
        "assert not errors, errors\n"
        "print(''.join(printer.format_entry(e) for e in entries if 'retainer' in getattr(e, 'tags', ())))\n"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", script, str(main)], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(run.stdout)
    [output] = outputs
    assert output.count("#retainer") >= 9  # retainer, hourly, travel, labor over three months
