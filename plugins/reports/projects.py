"""Fixed-price projects: what each earns against the hours it takes (rule 8).

A project's price is fixed, so the risk is all on the cost side: a client who keeps
changing things runs the hours past the estimate and the labor past the price. Per
project this gives the price, what is billed so far (the milestones the billing pass has
posted), the hours and labor of its time entries, the margin (price − labor) and flags
for hours beyond ``budget_hours`` and a margin under the practice's ``target_margin``.

Pure, like the other reports: the ``retainer projects`` command and the Client Margin
page both read it. A project is judged as a whole, so its hours and labor count every
entry recorded for it, also those after the accrual horizon (the work is done, even if
the month is not billed yet); Fava's time filter does not cut it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from plugins.billing.model import ZERO, Contract, Practice, Project, TimeEntry
from plugins.billing.rules import MonthBill, labor_cost
from plugins.reports.flags import Flag


@dataclass(slots=True)
class ProjectFigures:
    """One project of one client, over its whole life so far."""

    contract: Contract
    project: Project
    billed: Decimal  # milestones receivable so far (posted by the billing pass)
    hours: Decimal  # actual hours of its entries, billable or not
    labor: Decimal | None  # None: the practice sets no cost rates
    uncosted_hours: Decimal
    entries: list[TimeEntry] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    @property
    def client(self) -> str:
        return self.contract.client

    @property
    def price(self) -> Decimal:
        return self.project.price

    @property
    def margin(self) -> Decimal | None:
        """Price − labor: what the project earns once all of it is billed."""
        return None if self.labor is None else self.price - self.labor

    @property
    def margin_ratio(self) -> Decimal | None:
        margin = self.margin
        return None if margin is None or not self.price else margin / self.price

    @property
    def budget_used(self) -> Decimal | None:
        """Hours ÷ ``budget_hours`` (1 = the whole estimate), None without a budget."""
        budget = self.project.budget_hours
        return self.hours / budget if budget else None

    @property
    def over_budget(self) -> bool:
        budget = self.project.budget_hours
        return budget is not None and self.hours > budget


def project_flags(figures: ProjectFigures, target_margin: Decimal | None) -> list[Flag]:
    """Hours beyond the budget; a margin under the practice's target."""
    found = []
    budget = figures.project.budget_hours
    if budget is not None and figures.hours > budget:
        found.append(
            Flag(
                "budget",
                f"{figures.hours:.2f} h worked for a budget of {budget:.2f} h"
                f" ({figures.hours - budget:.2f} h beyond)",
                f"+{figures.hours - budget:.2f} h over budget",
            )
        )
    ratio = figures.margin_ratio
    if target_margin is not None and ratio is not None and ratio < target_margin:
        found.append(
            Flag(
                "margin",
                f"margin {ratio:.0%}, under the {target_margin:.0%} target",
                f"margin {ratio:.0%} < {target_margin:.0%}",
            )
        )
    return found


def build_projects(
    contracts: Mapping[str, Contract],
    practice: Practice,
    bills: Mapping[str, Sequence[MonthBill]],
    time: Mapping[str, Sequence[TimeEntry]],
    client: str | None = None,
) -> list[ProjectFigures]:
    """Every project (of ``client`` only, if given), clients by name, projects as written.

    ``bills`` and ``time`` are the billing pass's (``Books.bills``, ``Books.time``): the
    milestones it posted, and each client's valid entries in ledger order.
    """
    found: list[ProjectFigures] = []
    for contract in sorted(contracts.values(), key=lambda c: c.name.lower()):
        if not contract.projects or (client is not None and contract.client != client):
            continue
        billed: dict[str, Decimal] = {}
        for bill in bills.get(contract.client, ()):
            for project, milestone in bill.milestones:
                billed[project.id] = billed.get(project.id, ZERO) + milestone.amount
        entries: dict[str, list[TimeEntry]] = {project.id: [] for project in contract.projects}
        for entry in time.get(contract.client, ()):
            if entry.project is not None and entry.project in entries:
                entries[entry.project].append(entry)
        for project in contract.projects:
            own = entries[project.id]
            staff: dict[str, Decimal] = {}
            for entry in own:
                staff[entry.staff or ""] = staff.get(entry.staff or "", ZERO) + entry.hours
            labor, uncosted = labor_cost(practice, staff)
            figures = ProjectFigures(
                contract,
                project,
                billed.get(project.id, ZERO),
                sum((entry.hours for entry in own), ZERO),
                labor,
                uncosted,
                own,
            )
            figures.flags = project_flags(figures, practice.target_margin)
            found.append(figures)
    return found
