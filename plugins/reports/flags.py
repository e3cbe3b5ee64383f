"""Judgement on a client's figures: the flags and warnings a consultant acts on.

A flag says an agreement needs a look (under the target rate or margin, over its included
hours, under target months running: renegotiate); a warning says a figure is less sure
than it looks (uncosted hours, default cost rates, time not billed yet). The thresholds
are the practice's (``target_hourly_rate``, ``target_margin`` in practice.yaml).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from plugins.billing.model import KINDS, ZERO, Practice
from plugins.billing.rules import month_label
from plugins.reports.figures import Hours, Money, effective_rate

if TYPE_CHECKING:  # pragma: no cover
    from plugins.reports.margin import MonthFigures


@dataclass(frozen=True, slots=True)
class Flag:
    """Why a client (or one of its months) needs a look; ``code`` is stable for CSS and tests."""

    code: str  # "rate", "margin", "included", "renegotiate"
    reason: str
    short: str = ""  # a few words for a table cell; ``reason`` is the full sentence

    @property
    def label(self) -> str:
        return self.short or self.reason


@dataclass(frozen=True, slots=True)
class DataWarning:
    """A data-quality problem: figures that look precise but are not."""

    code: str  # "uncosted", "default-rate", "unbilled", "currency", "no-cost-rates"
    message: str
    client: str | None = None


@dataclass(slots=True)
class Targets:
    """The practice's floors (practice.yaml); ``currency`` is the one the hourly target is in."""

    hourly_rate: Decimal | None
    margin: Decimal | None
    currency: str

    @staticmethod
    def of(practice: Practice) -> Targets:
        return Targets(practice.target_hourly_rate, practice.target_margin, practice.currency)


#: Flags that say the agreement earns too little; two months running of these: renegotiate.
PROFIT_FLAGS = frozenset({"rate", "margin"})


def flags_for(money: Money, hours: Hours, currency: str, targets: Targets) -> list[Flag]:
    """The rate and margin flags of the practice's targets for some months of a client, with short reasons.

    The hourly target is compared only with rates in its own currency: a EUR rate under a
    USD target says nothing.
    """
    found = []
    rate = effective_rate(money, hours)
    floor = targets.hourly_rate
    if floor is not None and rate is not None and currency == targets.currency and rate < floor:
        found.append(
            Flag(
                "rate",
                f"earns {rate:.2f} {currency}/h, under the {floor:.2f} target",
                f"rate {rate:.0f} < {floor:.0f}/h",
            )
        )
    if targets.margin is not None and (money.revenue or money.costs):
        ratio = money.margin_ratio
        if ratio is None:
            found.append(Flag("margin", "costs with no revenue", "costs, no revenue"))
        elif ratio < targets.margin:
            found.append(
                Flag(
                    "margin",
                    f"margin {ratio:.0%}, under the {targets.margin:.0%} target",
                    f"margin {ratio:.0%} < {targets.margin:.0%}",
                )
            )
    return found


def month_overage_flag(hours: Hours) -> Flag | None:
    """A month that used up an included allowance and billed hours beyond it."""
    over = [
        f"{hours.billable[kind]:.2f} {kind} h for {hours.included[kind]:.2f} included"
        for kind in KINDS
        if hours.over_included(kind)
    ]
    if not over:
        return None
    return Flag("included", "over included hours: " + "; ".join(over), "over included")


def period_overage_flag(months: Sequence[MonthFigures]) -> Flag | None:
    """How often a period went over its included hours, and by how much."""
    billed = [m for m in months if m.bill is not None]
    parts, shorts = [], []
    for kind in KINDS:
        over = [m.hours.over_included(kind) for m in billed if m.hours.over_included(kind)]
        if over:
            parts.append(f"{kind} in {len(over)} of {len(billed)} months (+{sum(over, ZERO):.2f} h billed)")
            shorts.append(f"{kind} {len(over)}/{len(billed)} mo")
    if not parts:
        return None
    return Flag("included", "over included hours: " + "; ".join(parts), "over included: " + ", ".join(shorts))


def staff_warnings(client: str, hours: Hours, practice: Practice) -> list[DataWarning]:
    """Uncosted hours and staff costed at the default rate: labor cost that is a guess."""
    found = []
    if hours.uncosted and practice.costs_labor:
        who = sorted(s or "no staff" for s in hours.staff if practice.cost_rate(s or None) is None)
        found.append(
            DataWarning(
                "uncosted",
                f"{hours.uncosted:.2f} h not costed ({', '.join(who)}): add a cost_rate in practice.yaml",
                client,
            )
        )
    if practice.default_cost_rate is not None:
        at_default = {
            s or "no staff": h for s, h in hours.staff.items() if not practice.has_own_rate(s or None)
        }
        if at_default:
            listed = ", ".join(f"{s} {h:.2f} h" for s, h in sorted(at_default.items()))
            found.append(
                DataWarning(
                    "default-rate",
                    f"costed at the default rate {practice.default_cost_rate:.2f}/h: {listed}",
                    client,
                )
            )
    return found


def renegotiate_flag(months: Sequence[MonthFigures]) -> Flag | None:
    """Under the target rate or margin in the period's last two (or more) billed months.

    Going over the included hours is flagged but does not count here: the overage is
    billed, so it is the agreement working, not losing money.
    """
    streak: list[MonthFigures] = []
    for figures in reversed([m for m in months if m.bill is not None]):
        if not any(flag.code in PROFIT_FLAGS for flag in figures.flags):
            break
        streak.append(figures)
    if len(streak) < 2:
        return None
    first, last = month_label(streak[-1].month), month_label(streak[0].month)
    names = f"{first}, {last}" if len(streak) == 2 else f"{first} – {last}"
    return Flag(
        "renegotiate",
        f"under target {len(streak)} months running ({names}): renegotiate",
        f"{len(streak)} months under target",
    )


#: Months running over the included hours before an agreement's size is worth discussing.
UPSELL_MONTHS = 3


def upsell_flag(months: Sequence[MonthFigures]) -> Flag | None:
    """Over the included hours (``month_overage_flag``) in the last three or more billed
    months running: the agreement is too small for the client, an upsell to discuss."""
    streak: list[MonthFigures] = []
    for figures in reversed([m for m in months if m.bill is not None]):
        if not any(flag.code == "included" for flag in figures.flags):
            break
        streak.append(figures)
    if len(streak) < UPSELL_MONTHS:
        return None
    first, last = month_label(streak[-1].month), month_label(streak[0].month)
    return Flag(
        "upsell",
        f"over the included hours {len(streak)} months running ({first} – {last}):"
        " discuss a larger agreement",
        f"{len(streak)} months over included",
    )


#: Flags that say an agreement loses money: red, first.
LOSS_FLAGS = PROFIT_FLAGS | {"renegotiate"}
#: Flags that say the client uses more than the agreement includes.
OVERAGE_FLAGS = frozenset({"included", "upsell"})


@dataclass(frozen=True, slots=True)
class ShownFlag:
    """A flag as the page shows it, ranked: ``loss`` (red: below target, renegotiate),
    ``watch`` (look at it), ``upsell`` (over the included hours at a healthy margin: an
    agreement to grow, not a problem)."""

    flag: Flag
    rank: str

    @property
    def code(self) -> str:
        return self.flag.code


_RANK_ORDER = {"loss": 0, "watch": 1, "upsell": 2}


def ranked_flags(flags: Sequence[Flag], judged: bool = True) -> list[ShownFlag]:
    """``flags`` with their rank, losses first. Overage is an upsell signal only when the
    same figures raise no loss flag and were judged (an account or tag filter cuts the
    money, so a healthy margin is not known there)."""
    loses = any(flag.code in LOSS_FLAGS for flag in flags)
    shown = []
    for flag in flags:
        if flag.code in LOSS_FLAGS:
            rank = "loss"
        elif flag.code in OVERAGE_FLAGS and judged and not loses:
            rank = "upsell"
        else:
            rank = "watch"
        shown.append(ShownFlag(flag, rank))
    return sorted(shown, key=lambda s: _RANK_ORDER[s.rank])


def flags_rank(flags: Sequence[Flag], judged: bool = True) -> str:
    """The row's rank: its worst flag's (``""`` with no flags)."""
    shown = ranked_flags(flags, judged)
    return shown[0].rank if shown else ""


#: How the page heads each kind of warning, data-quality problems first.
WARNING_TITLES = {
    "no-cost-rates": "No cost rates",
    "no-time": "Months billed with no time recorded",
    "uncosted": "Hours not costed",
    "default-rate": "Costed at the default rate",
    "currency": "Amounts in another currency",
    "ending-soon": "Agreements ending soon",
    "unbilled": "Time after the accrual horizon, not billed yet",
}


@dataclass(frozen=True, slots=True)
class WarningGroup:
    """The warnings of one kind, for one collapsed section of the page."""

    code: str
    title: str
    warnings: tuple[DataWarning, ...]


def group_warnings(warnings: Sequence[DataWarning]) -> list[WarningGroup]:
    """Warnings by kind, in ``WARNING_TITLES`` order (unknown kinds after), each kind's in
    the order given (the portfolio's: by client name)."""
    by_code: dict[str, list[DataWarning]] = {}
    for warning in warnings:
        by_code.setdefault(warning.code, []).append(warning)
    order = list(WARNING_TITLES)
    codes = sorted(by_code, key=lambda code: order.index(code) if code in order else len(order))
    titles = {code: WARNING_TITLES.get(code, code.replace("-", " ").capitalize()) for code in codes}
    return [WarningGroup(code, titles[code], tuple(by_code[code])) for code in codes]
