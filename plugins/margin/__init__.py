"""Fava extension ``plugins.margin``: the Client Margin report (docs/reference.md, README).

Enable it in the ledger next to the plugin::

    2026-01-01 custom "fava-extension" "plugins.margin"

This class is a thin adapter: it runs the billing pass (``plugins.books``) once per
ledger load (``after_load_file``; extension instances outlive reloads) and, per request,
hands the filtered ledger's postings and the bills to ``plugins.reports.margin``. The template
renders the figures on the server, so the page reads in ``curl`` and without scripts.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from fava.context import g
from fava.ext import FavaExtensionBase, extension_endpoint
from flask import Response, request

from plugins.billing.gcpause import gc_paused
from plugins.billing.model import EXPENSE_ROOT, INCOME_ROOT, KINDS, RECEIVABLE_ROOT, UNLIMITED
from plugins.books import Books, contracts_folder, enables_plugin, ledger_postings, today
from plugins.margin.charts import client_charts, portfolio_charts
from plugins.margin.ledger_view import converter, interval_name, money_filtered, period_of
from plugins.margin.loaded import shared_books
from plugins.margin.recurring import RecurringRevenue
from plugins.margin.statement_view import statement_response
from plugins.margin.utilization import Utilization
from plugins.margin.watch import watch_listed_folders
from plugins.margin.whatif_view import whatif_response
from plugins.reports.margin import ClientRow, Portfolio, build_portfolio
from plugins.reports.projects import ProjectFigures, build_projects

if TYPE_CHECKING:  # pragma: no cover
    from beancount.core.data import Directive
    from fava.internal_api import BarChart

    from plugins.billing.model import Contract

__all__ = ["ClientMargin", "RecurringRevenue", "Utilization"]  # Fava registers each page class

_CACHE_SIZE = 32


@dataclass
class Report:
    """What the template renders for one request."""

    portfolio: Portfolio | None = None
    client: ClientRow | None = None  # the drill-down's primary row
    client_rows: list[ClientRow] = field(default_factory=list)  # all its currencies
    charts: list[BarChart] = field(default_factory=list)
    error: str | None = None
    unknown_client: str | None = None
    projects: list[ProjectFigures] = field(default_factory=list)  # the drill-down's client's


class ClientMargin(FavaExtensionBase):
    """Per-client revenue, cost, margin and effective rate under Fava's filters."""

    report_title = "Client Margin"
    #: For the template: the kinds of hours (a column each) and the unlimited allowance.
    kinds = KINDS
    unlimited = UNLIMITED
    expense_root = EXPENSE_ROOT

    books: Books | None = None
    error: str | None = None
    today: datetime.date = datetime.date.min

    def after_load_file(self) -> None:
        """Rebill from the freshly loaded entries: contracts and time edits show on reload."""
        watch_listed_folders(self.ledger)  # a new contracts/*.yaml is a change too
        self._cache: dict[tuple[str, ...], Portfolio] = {}
        self.books, self.error = None, None
        self.today = today()
        options = cast("dict[str, Any]", self.ledger.options)
        if not enables_plugin(options):
            self.error = 'the ledger does not enable plugin "plugins.retainer": add its plugin line'
            return
        folder = contracts_folder(options)
        try:
            # One pass per load, shared with the Recurring Revenue and Utilization pages.
            books = shared_books(self.ledger, self.today)
            books.bills  # noqa: B018 (bill once per load, not on the first request)
            self.books = books
        except Exception as exc:  # the report must not take Fava down; bean-check says more
            self.error = f"could not bill the contracts in {folder}: {exc!r}"

    def portfolio(self) -> Portfolio | None:
        """The portfolio under the current filters, cached per filter until the next load."""
        books = self.books
        if books is None:
            return None
        args = request.args
        key = tuple(args.get(name, "") for name in ("time", "account", "filter", "conversion"))
        cache = getattr(self, "_cache", {})
        found = cache.get(key)
        if found is None:
            filtered = g.filtered
            period = period_of(filtered)
            with gc_paused():
                found = build_portfolio(
                    books.clients,
                    books.practice,
                    books.bills,
                    books.time,
                    ledger_postings(cast("Sequence[Directive]", filtered.entries)),
                    period,
                    self.today,
                    converter(g.conversion, self.ledger.prices),
                    judge=not money_filtered(args),
                )
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            cache[key] = found
            self._cache = cache
        return found

    def report(self) -> Report:
        """The page's data: the portfolio, or one client's months with ``?client=<id>``."""
        if self.error is not None:
            return Report(error=self.error)
        portfolio = self.portfolio()
        if portfolio is None:
            return Report(error="the report has not loaded yet: reload the page")
        interval = interval_name(g.interval)
        client = request.args.get("client", "").strip()
        books = cast("Books", self.books)  # set: the portfolio was built from it
        if not client:
            projects = build_projects(books.clients, books.practice, books.bills, books.time)
            return Report(portfolio, charts=portfolio_charts(portfolio, interval), projects=projects)
        row = portfolio.row(client)
        if row is None:
            return Report(portfolio, unknown_client=client)
        charts = client_charts(row.months, row.currency, interval)
        projects = build_projects(books.clients, books.practice, books.bills, books.time, client)
        return Report(portfolio, row, portfolio.rows_of(client), charts, projects=projects)

    @extension_endpoint
    def statement(self) -> Response:
        """A client's statement, as the page or (``&format=pdf``) the PDF: the drill-down's
        month links, ``statement?client=ID&month=YYYY-MM``."""
        entries = cast("Sequence[Directive]", self.ledger.all_entries)
        return statement_response(self.books, self.error, entries, self.ledger.options, request.args)

    @staticmethod
    def account_filter(contract: Contract) -> str:
        """Fava ``account`` filter (a regex) for a client's receivable, income and costs."""
        roots = "|".join((RECEIVABLE_ROOT, INCOME_ROOT, EXPENSE_ROOT))
        return f"^({roots}):{contract.account}(:|$)"

    @extension_endpoint
    def whatif(self) -> Response:
        """The drill-down's "what if" form: ``whatif?client=ID&monthly_fee=...`` shows the
        client's months repriced beside the actual ones (``plugins.reports.reprice``)."""
        postings = ledger_postings(cast("Sequence[Directive]", self.ledger.all_entries))
        return whatif_response(self.books, self.error, postings, request.args)

    @staticmethod
    def journal_accounts(contract: Contract) -> dict[str, str]:
        """The drill-down's journal links: ``{link text: Fava account filter}``."""
        acct = contract.account
        return {
            f"all of {acct}": ClientMargin.account_filter(contract),
            "income": f"{INCOME_ROOT}:{acct}",
            "costs": f"{EXPENSE_ROOT}:{acct}",
            "receivable": contract.accounts.receivable,
        }
