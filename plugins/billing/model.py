"""Domain objects of a service agreement: contracts, their dated terms, time, and bills.

Everything here is plain data (frozen dataclasses, ``Decimal`` money, ``datetime.date``);
nothing knows about Beancount, YAML or files, so the rules in ``rules.py`` can be tested
by the table and shared by the plugin, the Fava report, the importers and the CLI.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from dataclasses import replace as _replace
from decimal import Decimal
from typing import Final, Literal, NamedTuple

Kind = Literal["remote", "onsite"]
KINDS: tuple[str, ...] = ("remote", "onsite")

#: ``included_hours`` value that covers every hour of a kind.
UNLIMITED: Final = "unlimited"
Allowance = Decimal | Literal["unlimited"]


def is_unlimited(allowance: Allowance) -> bool:
    """Whether an ``included_hours`` allowance covers every hour (the one test of it)."""
    return isinstance(allowance, str)


def hours_of(allowance: Allowance) -> Decimal:
    """The allowance as a number of hours: 0 for ``unlimited``, which no count of hours is."""
    return ZERO if isinstance(allowance, str) else allowance

ZERO = Decimal(0)

# The accounts of docs/reference.md §4, in one place: the plugin posts to them and the reports read them.
RECEIVABLE_ROOT = "Assets:Receivable"
INCOME_ROOT = "Income:Clients"
EXPENSE_ROOT = "Expenses:Clients"
LABOR_ALLOCATED = "Expenses:Labor:Allocated"
#: The income parts under ``Income:Clients:<Acct>`` that reports show as columns of their own.
REVENUE_PARTS = ("Retainer", "Hourly", "Travel", "Prepaid", "Projects")
LABOR_PART = "Labor"
PROJECTS_PART = "Projects"
TOOLS_PART = "Tools"
PREPAID_PART = "Prepaid"
#: Where a prepaid block's price waits until its hours are used (or it expires).
PREPAID_ROOT = "Liabilities:Prepaid"
TOOLS_ALLOCATED = "Expenses:Tools:Allocated"


class Accounts(NamedTuple):
    """The accounts of one client (``acct`` is the contract's account component)."""

    receivable: str
    retainer: str
    hourly: str
    travel: str
    labor: str

    @classmethod
    def of(cls, acct: str) -> Accounts:
        income = f"{INCOME_ROOT}:{acct}"
        return cls(
            f"{RECEIVABLE_ROOT}:{acct}",
            f"{income}:Retainer",
            f"{income}:Hourly",
            f"{income}:Travel",
            f"{EXPENSE_ROOT}:{acct}:{LABOR_PART}",
        )

    @property
    def projects(self) -> str:
        """``Income:Clients:<Acct>:Projects``: where fixed-price milestones are earned."""
        return f"{self.retainer.rpartition(':')[0]}:{PROJECTS_PART}"


#: The account prefixes whose postings are a client's money, colon included.
CLIENT_PREFIXES = (f"{INCOME_ROOT}:", f"{EXPENSE_ROOT}:")


def client_of_account(account: str, accounts: Mapping[str, str]) -> tuple[str, str, str] | None:
    """``(client, side, part)`` of ``Income|Expenses:Clients:<Acct>[:<part>]``, else None.

    The one reading of a client's accounts: a client's revenue is everything under
    ``Income:Clients:<Acct>``, its direct costs everything under ``Expenses:Clients:<Acct>``.
    ``accounts`` maps account components to client ids; ``part`` is the next component
    (``""`` for the client account itself), ``side`` is ``income`` or ``expense``.
    """
    income, expense = CLIENT_PREFIXES
    if account.startswith(income):
        side, rest = "income", account[len(income) :]
    elif account.startswith(expense):
        side, rest = "expense", account[len(expense) :]
    else:
        return None
    acct, _, tail = rest.partition(":")
    client = accounts.get(acct)
    if client is None:
        return None
    return client, side, tail.partition(":")[0]


class Location(NamedTuple):
    """Where something was written: a YAML or ledger file and a 1-based line.

    A NamedTuple (like ``TimeEntry``) because one is made per time entry: it builds in a
    quarter of the time of a frozen dataclass, and is just as immutable.
    """

    filename: str
    lineno: int

    def __str__(self) -> str:
        return f"{self.filename}:{self.lineno}"


@dataclass(frozen=True, slots=True)
class Problem:
    """A user-fixable problem in a contract, a settings file or a time entry.

    ``kind`` names the error class the adapters show (``ContractError``,
    ``TimeEntryError``, ``PracticeError``, ``BillingError``).
    """

    kind: str
    message: str
    where: Location

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Travel:
    """Charged once per visit: ``trip_fee + per_km * distance_km``, plus the drive billed
    as travel time (``travel_minutes / 60 * travel_rate``)."""

    trip_fee: Decimal = ZERO
    per_km: Decimal = ZERO
    distance_km: Decimal = ZERO
    travel_minutes: Decimal = ZERO
    travel_rate: Decimal = ZERO

    @property
    def per_visit(self) -> Decimal:
        fixed = self.trip_fee + self.distance_charge
        if self.travel_minutes and self.travel_rate:
            return fixed + self.drive_charge
        return fixed

    @property
    def distance_charge(self) -> Decimal:
        """``per_km × distance_km``: the distance part of one visit."""
        return self.per_km * self.distance_km

    @property
    def drive_charge(self) -> Decimal:
        """``travel_minutes ÷ 60 × travel_rate``: the drive of one visit, billed as time."""
        return self.travel_minutes * self.travel_rate / 60 if self.travel_rate else ZERO

    @property
    def drive_hours(self) -> Decimal:
        """The drive of one visit in hours (what a statement says beside the travel line)."""
        return self.travel_minutes / 60


@dataclass(frozen=True, slots=True)
class Rollover:
    """Unused included hours carried over as lots (``rollover: {months, max_hours}``).

    ``months == 0`` is rollover switched off (how a later term ends it); ``max_hours``
    None is no cap.
    """

    months: int = 0
    max_hours: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Costs:
    """The direct monthly cost of the tools an agreement needs (RMM, backup, licences)."""

    monthly: Decimal = ZERO
    per_device: dict[str, Decimal] = field(default_factory=dict)

    def per_month(self, devices: Mapping[str, int]) -> Decimal:
        """A whole month's tool cost for ``devices`` (the terms' device counts)."""
        return self.monthly + sum(
            (price * devices.get(device, 0) for device, price in self.per_device.items()), ZERO
        )


@dataclass(frozen=True, slots=True)
class Block:
    """A prepaid block of hours: bought on ``date`` for ``price``, used after included hours.

    ``expires`` is the last day it can be used (None: never); ``kinds`` the kinds of work
    it covers; ``index`` its place in the contract's file (the last tie-break of draws).
    """

    date: datetime.date
    hours: Decimal
    price: Decimal
    expires: datetime.date | None = None
    kinds: tuple[str, ...] = ("remote", "onsite")
    index: int = 0
    where: Location | None = None

    @property
    def rate(self) -> Decimal:
        """The block's price per hour: what each hour drawn recognises as income."""
        return self.price / self.hours

    def usable_on(self, day: datetime.date) -> bool:
        return self.date <= day and (self.expires is None or day <= self.expires)

    @property
    def label(self) -> str:
        """``block of 2026-01-05``: how statements and reports name a block."""
        return f"block of {self.date}"


@dataclass(frozen=True, slots=True)
class Terms:
    """The terms of an agreement in force from ``start`` until the next terms (or ``ends``).

    Terms are stored fully merged: a later YAML term that sets only ``monthly_fee`` has
    already inherited everything else from the one before it.
    """

    start: datetime.date
    monthly_fee: Decimal = ZERO
    per_device: dict[str, Decimal] = field(default_factory=dict)
    devices: dict[str, int] = field(default_factory=dict)
    included_hours: dict[str, Allowance] = field(default_factory=dict)
    rates: dict[str, Decimal] = field(default_factory=dict)
    after_hours_multiplier: Decimal = Decimal(1)
    rounding_minutes: int = 0  # 0: no rounding beyond the whole minute
    onsite_minimum_hours: Decimal = ZERO
    travel: Travel = field(default_factory=Travel)
    where: Location | None = None
    rollover: Rollover | None = None
    costs: Costs | None = None

    @property
    def tool_costs(self) -> Decimal:
        """A whole month's tool cost under these terms (0 without ``costs``)."""
        return self.costs.per_month(self.devices) if self.costs is not None else ZERO

    @property
    def monthly_retainer(self) -> Decimal:
        """Fee for a whole month under these terms: flat part plus devices."""
        return self.monthly_fee + sum(
            (price * self.devices.get(device, 0) for device, price in self.per_device.items()),
            ZERO,
        )

    def included(self, kind: str) -> Allowance:
        return self.included_hours.get(kind, ZERO)


@dataclass(frozen=True, slots=True)
class TermKeys:
    """The keys one term, plan or what-if sets, before they are merged over a term.

    A term, a practice plan and a ``--set`` are read by the same code into one of these;
    ``over`` then merges it: scalars replace, maps (and ``travel``, ``rollover``,
    ``costs``) merge key by key, so a term with ``plan:`` is the term before, the plan over
    it, and its own keys over those. Empty maps set nothing; ``rollover``/``costs`` None
    were not given.
    """

    monthly_fee: Decimal | None = None
    per_device: dict[str, Decimal] = field(default_factory=dict)
    devices: dict[str, int] = field(default_factory=dict)
    included_hours: dict[str, Allowance] = field(default_factory=dict)
    rates: dict[str, Decimal] = field(default_factory=dict)
    after_hours_multiplier: Decimal | None = None
    rounding_minutes: int | None = None
    onsite_minimum_hours: Decimal | None = None
    travel: dict[str, Decimal] = field(default_factory=dict)
    rollover: dict[str, object] | None = None  # "months": int, "max_hours": Decimal
    costs_monthly: Decimal | None = None
    costs_per_device: dict[str, Decimal] | None = None  # None with costs_monthly: no costs key

    def over(self, terms: Terms) -> Terms:
        """``terms`` with these keys merged over it (its start and location kept)."""
        changes: dict[str, object] = {}
        for name in ("monthly_fee", "after_hours_multiplier", "rounding_minutes", "onsite_minimum_hours"):
            value = getattr(self, name)
            if value is not None:
                changes[name] = value
        for name in ("per_device", "devices", "included_hours", "rates"):
            value = getattr(self, name)
            if value:
                changes[name] = {**getattr(terms, name), **value}
        if self.travel:
            changes["travel"] = _replace(terms.travel, **self.travel)
        if self.rollover is not None:
            changes["rollover"] = _replace(terms.rollover or Rollover(), **self.rollover)  # type: ignore[arg-type]
        if self.costs_monthly is not None or self.costs_per_device is not None:
            costs = terms.costs or Costs()
            if self.costs_monthly is not None:
                costs = _replace(costs, monthly=self.costs_monthly)
            if self.costs_per_device:
                costs = _replace(costs, per_device={**costs.per_device, **self.costs_per_device})
            changes["costs"] = costs
        return _replace(terms, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Plan:
    """A practice plan (``plans:`` in practice.yaml): named term keys a term can take."""

    name: str
    keys: TermKeys
    where: Location | None = None

    @property
    def terms(self) -> Terms:
        """The plan on its own, over an empty term: what it sells (for the rate card)."""
        return self.keys.over(Terms(start=datetime.date.min, where=self.where))


@dataclass(frozen=True, slots=True)
class RateCardExample:
    """``rate_card_example``: a typical month priced on the rate card (devices, hours, visits)."""

    devices: dict[str, int] = field(default_factory=dict)
    hours: dict[str, Decimal] = field(default_factory=dict)
    visits: int = 0


@dataclass(frozen=True, slots=True)
class Milestone:
    """A part of a project's price, receivable on ``date`` (``billed:`` is one for the whole)."""

    date: datetime.date
    amount: Decimal
    where: Location | None = None


@dataclass(frozen=True, slots=True)
class Project:
    """Fixed-price work beside the agreement (rule 8): its price covers its hours.

    ``milestones`` always holds the receivables, oldest first; a project written with
    ``billed: DATE`` has one milestone for its whole price (and ``billed`` says so).
    """

    id: str
    name: str
    price: Decimal
    milestones: tuple[Milestone, ...]
    aliases: tuple[str, ...] = ()
    budget_hours: Decimal | None = None
    billed: datetime.date | None = None
    where: Location | None = None

    def names(self) -> tuple[str, ...]:
        """Every name a time tracker may use for this project (id, display name, aliases)."""
        return (self.id, self.name, *self.aliases)

    def part(self, milestone: Milestone) -> str:
        """``"milestone 1 of 2"``: which part of the price; ``""`` for a project billed once."""
        if self.billed is not None:
            return ""
        return f"milestone {self.milestones.index(milestone) + 1} of {len(self.milestones)}"


@dataclass(frozen=True, slots=True)
class Contact:
    """The client's single point of contact: the person who takes the bill (docs/reference.md §2.1)."""

    name: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Contract:
    """One client's agreement: identity, where it was written, and its dated terms."""

    client: str
    name: str
    account: str
    currency: str
    terms: tuple[Terms, ...]
    aliases: tuple[str, ...] = ()
    ends: datetime.date | None = None
    filename: str = ""  # the YAML file, as given to the loader
    display_path: str = ""  # e.g. "contracts/acme-dental.yaml", stable across machines
    blocks: tuple[Block, ...] = ()  # prepaid hour blocks, in file order
    projects: tuple[Project, ...] = ()  # fixed-price work beside the agreement (2.2.8)
    contact: Contact | None = None  # whom statements are addressed to

    @property
    def banks_hours(self) -> bool:
        """Whether billing must carry lots or blocks from month to month (else it need not)."""
        return bool(self.blocks) or any(
            t.rollover is not None and t.rollover.months for t in self.terms
        )

    @property
    def starts(self) -> datetime.date:
        return self.terms[0].start

    @property
    def span(self) -> tuple[datetime.date, datetime.date]:
        """First and last day in force (the first term's ``from`` through ``ends``): a day
        outside it has no terms. One range check, for code that asks once per time entry."""
        return self.terms[0].start, self.ends or datetime.date.max

    def terms_on(self, day: datetime.date) -> Terms | None:
        """The terms in force on ``day``, or None before the start or after ``ends``."""
        first, last = self.span
        if not first <= day <= last:
            return None
        found = self.terms[0]
        for terms in self.terms[1:]:
            if terms.start > day:
                break
            found = terms
        return found

    @property
    def accounts(self) -> Accounts:
        return Accounts.of(self.account)

    def names(self) -> tuple[str, ...]:
        """Every name a time tracker may use for this client (id, display name, aliases)."""
        return (self.client, self.name, *self.aliases)

    def project(self, project_id: str) -> Project | None:
        """The client's project with id ``project_id``, or None."""
        return next((p for p in self.projects if p.id == project_id), None)


@dataclass(frozen=True, slots=True)
class StaffMember:
    key: str
    cost_rate: Decimal | None = None
    name: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Normal working time; entries starting outside it may be marked after-hours on import."""

    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    start: datetime.time = datetime.time(8, 0)
    end: datetime.time = datetime.time(18, 0)


@dataclass(frozen=True, slots=True)
class Practice:
    """Practice-wide settings from ``contracts/practice.yaml`` (all optional)."""

    currency: str = "USD"
    default_cost_rate: Decimal | None = None
    staff: dict[str, StaffMember] = field(default_factory=dict)
    target_hourly_rate: Decimal | None = None
    target_margin: Decimal | None = None
    accrue_through: tuple[int, int] | None = None  # (year, month)
    business_hours: BusinessHours | None = None
    #: Extra metadata keys allowed on time entries (``time_metadata:``).
    time_metadata: tuple[str, ...] = ()
    #: Day/month order of this practice's exports where a file does not settle it.
    date_order: Literal["day-first", "month-first"] | None = None
    #: Words added to the importers' built-in on-site and after-hours words.
    onsite_words: tuple[str, ...] = ()
    after_hours_words: tuple[str, ...] = ()
    #: Free-form importer settings (e.g. ``generic_csv`` column maps), validated by importers.
    importers: dict[str, object] = field(default_factory=dict)
    filename: str | None = None
    #: For statements: the practice's name (default: the ledger title), address lines, terms.
    name: str | None = None
    address: tuple[str, ...] = ()
    payment_terms: str | None = None
    #: Hours a staff member can work in a week, for utilization (available hours).
    available_hours_per_week: Decimal = Decimal(40)
    #: Pricing (rate card, new clients, repricing): named plans, break/fix rates, an example month.
    plans: dict[str, Plan] = field(default_factory=dict)
    list_rates: dict[str, Decimal] = field(default_factory=dict)
    rate_card_example: RateCardExample | None = None

    @property
    def costs_labor(self) -> bool:
        """Labor is allocated only when some cost rate is set (rule 6)."""
        return self.default_cost_rate is not None or any(
            member.cost_rate is not None for member in self.staff.values()
        )

    def has_own_rate(self, staff: str | None) -> bool:
        """Whether ``staff`` is costed at a rate of their own (not the default)."""
        member = self.staff.get(staff) if staff is not None else None
        return member is not None and member.cost_rate is not None

    def cost_rate(self, staff: str | None) -> Decimal | None:
        """Cost per hour of ``staff``: their own rate, else the default, else None (uncosted)."""
        if staff is not None:
            member = self.staff.get(staff)
            if member is not None and member.cost_rate is not None:
                return member.cost_rate
        return self.default_cost_rate


class TimeEntry(NamedTuple):
    """One ``custom "time"`` entry: who worked for whom, what kind, how long.

    A NamedTuple: books hold hundreds of thousands of these and every ``bean-check``
    builds them all, so construction cost and size matter. For the same reason the place
    it was written is two plain fields, and ``where`` makes the ``Location`` on demand.
    """

    date: datetime.date
    client: str
    kind: str  # one of KINDS
    hours: Decimal
    staff: str | None = None
    after_hours: bool = False
    billable: bool = True
    note: str | None = None
    id: str | None = None
    filename: str | None = None
    lineno: int = 0
    start: str | None = None  # "HH:MM", when the entry says when the work began
    project: str | None = None  # a project id of the client (``project:``)

    @property
    def where(self) -> Location | None:
        return None if self.filename is None else Location(self.filename, self.lineno)
