"""A short fuzz run (hypothesis) over the contract and practice loaders.

Whatever the file holds, the loaders return problems (located in that file, one printable
line each) and never raise; and whatever they accept, the billing rules compute without a
``decimal`` trap. Bounded and derandomized: a few seconds, the same examples every run.
"""

from __future__ import annotations

import datetime
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import yaml
from billing_strategies import PRACTICE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugins.billing.contracts import (
    MAX_DEVICES,
    MAX_HOURS,
    MAX_KM,
    MAX_MONEY,
    MAX_MULTIPLIER,
    MAX_VISIT_HOURS,
    load_contract,
    load_contracts,
    load_practice,
)
from plugins.billing.model import Contract, Practice, Problem, TimeEntry
from plugins.billing.rules import bill_contract, cents

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

KEYS = [
    "client", "name", "account", "currency", "aliases", "ends", "terms", "from", "monthly_fee",
    "per_device", "devices", "included_hours", "rates", "after_hours_multiplier", "rounding_minutes",
    "onsite_minimum_hours", "travel", "trip_fee", "per_km", "distance_km", "remote", "onsite",
    "workstation", "accrue_through", "staff", "cost_rate", "default_cost_rate", "target_margin",
    "importers", "business_hours", "weekdays", "start", "end", "<<", "monthy_fee",
]  # fmt: skip
SCALARS = [
    "bad-co", "Bad Co", "USD", "unlimited", "2026-01-01", "2026-13-45", "9999-12-31", "0001-01-01",
    "2026-10", "9999-12", "0", "-1", "1e27", "1e400", "1e999999999", "-0", "0.0000001", ".nan", ".inf",
    "NaN", "sNaN", "Infinity", "12345678901234567890123456", "10000000", "10000", "1_000", "0x1F",
    "0o17", "true", "~", "null", "", "<b>", "a\nb", "\x00", "\x1b[2J", "\u202e", "08:00", "25:99",
    "!foo x", "!!binary aGk=", "!!python/name:os.system ''", "&a x", "*a", "*b", "'quoted'", '"dq"',
    "[a, b]", "{a: 1}", "|\n  block", ">-\n  folded",
]  # fmt: skip
PUNCTUATION = [
    ": ", "\n", "\n  ", "\n    ", "- ", "[", "]", "{", "}", ", ", "#", "---\n", "...\n", "? ", "%YAML 1.1\n",
]  # fmt: skip

tokens = st.lists(st.sampled_from(KEYS + SCALARS + PUNCTUATION), max_size=40).map("".join)
yamlish_text = st.one_of(tokens, st.text(max_size=200))

leaves = st.sampled_from(SCALARS)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.sampled_from(KEYS), children, max_size=5)
    ),
    max_leaves=25,
)


def _tagged(text: str, draw_tag: bool) -> str:
    return text.replace(": ", ": !custom ", 1) if draw_tag else text


def _assert_well_formed(problems: list[Problem], path: Path) -> None:
    for problem in problems:
        assert problem.where.filename == str(path)
        assert problem.where.lineno >= 1
        assert problem.message and not _CONTROL.search(problem.message), problem.message


def _load_both(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bad-co.yaml"
        path.write_text(text, encoding="utf-8")
        contract, problems = load_contract(path, PRACTICE)
        assert (contract is None) == bool(problems)
        _assert_well_formed(problems, path)
        if contract is not None:
            _bills_without_trap(contract)
        practice_path = Path(folder) / "practice.yaml"
        practice_path.write_text(text, encoding="utf-8")
        practice, problems = load_practice(practice_path)
        assert isinstance(practice, Practice)
        _assert_well_formed(problems, practice_path)
        books = load_contracts(folder)  # both files at once, as the plugin reads them
        assert set(books.files) == {str(path), str(practice_path)}


def _bills_without_trap(contract: Contract) -> None:
    """12 h of after-hours work of each kind, every day for 40 days, bills without a trap."""
    start = contract.terms[0].start
    entries = [
        TimeEntry(start + datetime.timedelta(days=n), contract.client, kind, Decimal(12), "alice", True)
        for n in range(40)
        for kind in ("remote", "onsite")
    ]
    practice = Practice(accrue_through=(min(start.year + 1, 2100), 12), default_cost_rate=Decimal(10_000_000))
    for bill in bill_contract(contract, practice, entries, datetime.date(2100, 12, 31)):
        assert not [p for p in bill.problems if "not billed" in p.message], bill.problems
        for amount in (bill.retainer, bill.hourly, bill.travel, bill.labor or Decimal(0)):
            assert amount == cents(amount)


@FUZZ
@given(yamlish_text)
def test_the_loaders_return_problems_for_any_text_never_raise(text: str) -> None:
    _load_both(text)


@FUZZ
@given(trees, st.booleans())
def test_the_loaders_return_problems_for_any_yaml_structure_never_raise(tree: object, tag: bool) -> None:
    _load_both(_tagged(yaml.safe_dump(tree, allow_unicode=True), tag))


# The bounds themselves, so raising one without checking the arithmetic fails here.
EXTREMES = ["0", "0.000001", "1", str(MAX_MONEY - Decimal("0.000001")), str(MAX_MONEY)]


@st.composite
def extreme_contracts(draw: st.DrawFn) -> str:
    """Contracts at the loader's bounds: the largest amounts it accepts must still bill."""

    def pick(options: list[str]) -> str:
        return draw(st.sampled_from(options))

    hours = pick(["0", "unlimited", str(MAX_HOURS - Decimal("0.000001")), str(MAX_HOURS)])
    return (
        "client: bad-co\nterms:\n  - from: 2026-01-01\n"
        f"    monthly_fee: {pick(EXTREMES)}\n"
        f"    per_device: {{a: {pick(EXTREMES)}, b: {pick(EXTREMES)}}}\n"
        f"    devices: {{a: {pick(['0', '1', str(MAX_DEVICES)])}, b: {pick(['0', str(MAX_DEVICES)])}}}\n"
        f"    included_hours: {{remote: {hours}, onsite: {pick(['0', str(MAX_HOURS)])}}}\n"
        f"    rates: {{remote: {pick(EXTREMES)}, onsite: {pick(EXTREMES)}}}\n"
        f"    after_hours_multiplier: {pick(['1', str(MAX_MULTIPLIER), '9.999999'])}\n"
        f"    rounding_minutes: {pick(['0', '1', '1440'])}\n"
        f"    onsite_minimum_hours: {pick(['0', str(MAX_VISIT_HOURS), '0.000001'])}\n"
        f"    travel: {{trip_fee: {pick(EXTREMES)}, per_km: {pick(EXTREMES)},"
        f" distance_km: {pick(['0', str(MAX_KM)])}}}\n"
        f"  - from: {pick(['2026-01-02', '2026-02-28', '2100-12-31'])}\n"
        f"    monthly_fee: {pick(EXTREMES)}\n"
    )


@settings(max_examples=60, deadline=None, derandomize=True)
@given(extreme_contracts())
def test_every_amount_the_loader_accepts_bills_without_a_decimal_trap(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bad-co.yaml"
        path.write_text(text, encoding="utf-8")
        contract, problems = load_contract(path, PRACTICE)
    assert contract is not None, problems
    _bills_without_trap(contract)
