"""Hypothesis strategies for the billing properties: contracts as YAML text, time as entries.

Contracts are drawn as the text a person writes and read by the real loader, so every
property also holds for what the loader actually builds (inheritance between terms,
``unlimited``, devices, travel). Amounts are drawn as decimal text, never floats.
"""

from __future__ import annotations

import dataclasses
import datetime
import tempfile
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from plugins.billing.contracts import load_contract
from plugins.billing.model import Contract, Milestone, Practice, Project, StaffMember, TimeEntry

YEAR = 2026
FIRST = datetime.date(YEAR, 1, 1)
LAST = datetime.date(YEAR, 3, 31)  # three months: enough for term changes and month edges
PRACTICE = Practice(
    accrue_through=(YEAR, 3),
    default_cost_rate=Decimal(30),
    staff={"alice": StaffMember("alice", cost_rate=Decimal("47.5"))},
)
PRACTICE_YAML = "accrue_through: 2026-03\ndefault_cost_rate: 30\nstaff: {alice: {cost_rate: 47.5}}\n"
TODAY = datetime.date(YEAR, 6, 15)


def money(top: int, places: int = 2) -> st.SearchStrategy[str]:
    """A non-negative amount as text, e.g. '1234.56'."""
    scale = 10**places
    return st.integers(0, top * scale).map(lambda n: str(Decimal(n) / scale))


days = st.dates(FIRST, LAST)


@st.composite
def term_yaml(draw: st.DrawFn, start: datetime.date, first: bool) -> str:
    """One ``- from:`` item; later terms set only some keys (the rest is inherited)."""
    keys: list[str] = [f"  - from: {start.isoformat()}"]

    def maybe(line: str) -> None:
        if first or draw(st.booleans()):
            keys.append(f"    {line}")

    maybe(f"monthly_fee: {draw(money(3000))}")
    included = {
        kind: draw(st.one_of(st.just("unlimited"), money(12, 2)))
        for kind in ("remote", "onsite")
        if draw(st.booleans())
    }
    if included:
        maybe("included_hours: {" + ", ".join(f"{k}: {v}" for k, v in included.items()) + "}")
    # Both rates always known on the first term: uncovered work without a rate is an error
    # (tested elsewhere), and these properties are about the amounts.
    maybe(f"rates: {{remote: {draw(money(180))}, onsite: {draw(money(220))}}}")
    maybe(f"after_hours_multiplier: {draw(st.sampled_from(['1', '1.25', '1.5', '2']))}")
    maybe(f"rounding_minutes: {draw(st.sampled_from([0, 1, 6, 15, 30]))}")
    maybe(f"onsite_minimum_hours: {draw(st.sampled_from(['0', '0.5', '1', '2']))}")
    trip, per_km, km = draw(money(60)), draw(money(1, 2)), draw(money(80, 1))
    maybe(f"travel: {{trip_fee: {trip}, per_km: {per_km}, distance_km: {km}}}")
    if first or draw(st.booleans()):
        keys.append(f"    per_device: {{workstation: {draw(money(60))}}}")
        keys.append(f"    devices: {{workstation: {draw(st.integers(0, 40))}}}")
    return "\n".join(keys) + "\n"


@st.composite
def contract_yaml(draw: st.DrawFn, client: str = "prop-co") -> str:
    starts = sorted(draw(st.sets(days, min_size=1, max_size=3)))
    ends = draw(st.one_of(st.none(), st.dates(starts[-1], LAST)))
    text = f"client: {client}\nname: Property Co {client}\n"
    if ends is not None:
        text += f"ends: {ends.isoformat()}\n"
    text += "terms:\n" + "".join(draw(term_yaml(start, index == 0)) for index, start in enumerate(starts))
    return text


def load(text: str) -> Contract:
    """The contract the real loader builds from ``text`` (it must load: the strategy is valid)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contract.yaml"
        path.write_text(text, encoding="utf-8")
        contract, problems = load_contract(path, PRACTICE)
    assert contract is not None, (text, problems)
    return contract


@st.composite
def contracts(draw: st.DrawFn) -> Contract:
    return load(draw(contract_yaml()))


@dataclass(frozen=True)
class Work:
    """One drawn time entry, before it is placed in a ledger file."""

    date: datetime.date
    kind: str
    hours: Decimal
    after_hours: bool
    billable: bool
    staff: str | None

    def entry(self, client: str, lineno: int = 0) -> TimeEntry:
        return TimeEntry(
            self.date,
            client,
            self.kind,
            self.hours,
            self.staff,
            self.after_hours,
            self.billable,
            None,
            None,
            "time.beancount",
            lineno,
        )

    def ledger_lines(self, client: str) -> str:
        lines = f'{self.date} custom "time" "{client}" "{self.kind}" {self.hours}\n'
        if self.staff:
            lines += f'  staff: "{self.staff}"\n'
        if self.after_hours:
            lines += "  after-hours: TRUE\n"
        if not self.billable:
            lines += "  billable: FALSE\n"
        return lines


works = st.builds(
    Work,
    date=days,
    kind=st.sampled_from(["remote", "onsite"]),
    hours=st.integers(1, 800).map(lambda n: Decimal(n) / 100),  # 0.01 .. 8.00 h
    after_hours=st.booleans(),
    billable=st.booleans(),
    staff=st.sampled_from(["alice", "bob", None]),
)


def in_ledger_order(items: list[Work]) -> list[Work]:
    """Date order, keeping the drawn order within a day (the ledger-order rule)."""
    return sorted(items, key=lambda work: work.date)


def onto(contract: Contract, work: Work) -> Work:
    """``work`` moved onto a day the contract's terms cover (so no drawn entry is wasted)."""
    first, last = contract.starts, contract.ends or LAST
    offset = (work.date - FIRST).days % ((last - first).days + 1)
    return replace(work, date=first + datetime.timedelta(days=offset))


EXAMPLES = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


#: Durations as a tracker or a person writes them: 0.25, 1.5, but also 0.333333 or
#: 0.0083 (half a minute: the whole-minute rounding edge), so that unit hours like 10/60
#: have no exact decimal and every sum is rounded at 28 digits.
hours = st.builds(
    lambda digits, places: Decimal(digits).scaleb(-places), st.integers(1, 900), st.integers(0, 6)
).filter(lambda h: h <= 12)


@st.composite
def month_of_work(draw: st.DrawFn, contract: Contract) -> list[TimeEntry]:
    """Entries on a few days the contract is in force (so days mix kinds), in ledger order."""
    days = draw(st.lists(st.dates(contract.starts, contract.ends or LAST), min_size=1, max_size=5))
    projects = [p.id for p in contract.projects]
    found = []
    for index in range(draw(st.integers(1, 40))):
        found.append(
            TimeEntry(
                draw(st.sampled_from(days)),
                contract.client,
                draw(st.sampled_from(["remote", "onsite"])),
                draw(hours),
                draw(st.sampled_from(["alice", "bob", None])),
                draw(st.booleans()),  # after hours
                draw(st.sampled_from([True, True, True, False])),  # billable
                None,
                None,
                draw(st.sampled_from(["time.beancount", None])),  # None: no place to point at
                index + 1,
                None,
                draw(st.sampled_from([None, None, None, *projects])),
            )
        )
    return sorted(found, key=lambda entry: entry.date)  # stable: each day keeps its order


@st.composite
def varied_contracts(draw: st.DrawFn) -> Contract:
    """The property contracts, some with a rate dropped (its overage is then an error) and
    some with a fixed-price project (its time is labor only)."""
    contract = draw(contracts())
    drop = draw(st.sampled_from([(), ("remote",), ("onsite",), ("remote", "onsite")]))
    terms = tuple(
        dataclasses.replace(t, rates={k: v for k, v in t.rates.items() if k not in drop})
        for t in contract.terms
    )
    projects: tuple[Project, ...] = ()
    if draw(st.booleans()):
        milestone = Milestone(datetime.date(2026, 2, 10), Decimal(900))
        projects = (Project("site", "Site", Decimal(900), (milestone,)),)
    return dataclasses.replace(contract, terms=terms, projects=projects)
