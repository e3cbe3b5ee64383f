"""Data-quality warnings for ``retainer check``: figures to look at before they go out.

Pure: the Client Margin portfolio (``margin.build_portfolio``) already carries the staff
and unbilled-time warnings of ``flags``, and each month's overage flag; this module adds
the checks that look across a contract's life (an agreement ending soon; a term that
could never apply, after ``ends``, is already the loader's error) or across months (a
retainer month with no time, overage months running).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from plugins.billing.model import ZERO, Contract
from plugins.billing.rules import month_label
from plugins.reports.flags import DataWarning, upsell_flag
from plugins.reports.margin import ClientRow, Portfolio

#: An agreement ending within this many days is worth a renewal talk.
ENDING_SOON_DAYS = 60


def data_warnings(
    portfolio: Portfolio, contracts: Mapping[str, Contract], today: datetime.date
) -> list[DataWarning]:
    """Every warning, the portfolio's own first, then per client in the portfolio's order."""
    found = list(portfolio.warnings)
    for row in portfolio.rows:
        if row.primary:
            found.extend(idle_months(row))
            upsell = upsell_flag(row.months)
            if upsell is not None:
                found.append(DataWarning("upsell", upsell.reason, row.client))
    for client in sorted(contracts):
        ending = ending_soon(contracts[client], today)
        if ending is not None:
            found.append(ending)
        missing = no_contact(contracts[client])
        if missing is not None:
            found.append(missing)
    return found


def no_contact(contract: Contract) -> DataWarning | None:
    """An agreement with nobody at the client to take the bill: statements go to no one."""
    if contract.contact is not None:
        return None
    return DataWarning(
        "no-contact",
        f"no contact: add contact: {{name: ..., email: ...}} to {contract.display_path}, the one"
        " person who takes the bill and gives the instructions (statements are addressed to them)",
        contract.client,
    )


def idle_months(row: ClientRow) -> list[DataWarning]:
    """Months billed a retainer with no time recorded at all: the effective rate looks too
    good, and usually the time was not imported."""
    idle = [
        month_label(m.month)
        for m in row.months
        if m.bill is not None and m.bill.retainer > ZERO and m.bill.total_hours == ZERO
    ]
    if not idle:
        return []
    return [
        DataWarning(
            "no-time",
            f"retainer billed but no time recorded in {', '.join(idle)}: import the time"
            " (retainer import) or the effective rate is too good to be true",
            row.client,
        )
    ]


def ending_soon(contract: Contract, today: datetime.date) -> DataWarning | None:
    """An agreement whose ``ends`` is within the next 60 days: time to talk renewal."""
    ends = contract.ends
    if ends is None or not today <= ends <= today + datetime.timedelta(days=ENDING_SOON_DAYS):
        return None
    return DataWarning(
        "ending-soon",
        f"the agreement ends on {ends}, in {(ends - today).days} days: renew it or plan the handover",
        contract.client,
    )
