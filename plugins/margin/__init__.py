"""Fava extension ``plugins.margin``: the Client Margin report (docs/reference.md, README).

Enable it in the ledger next to the plugin::

    2026-01-01 custom "fava-extension" "plugins.margin"

This class is a thin adapter: it runs the billing pass (``plugins.books``) once per
ledger load (``after_load_file``; extension instances outlive reloads) and, per request,
hands the filtered ledger's postings and the bills to ``plugins.reports.margin``. The template
renders the figures on the server, so the page reads in ``curl`` and without scripts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, cast

from fava.context import g
from fava.ext import extension_endpoint
from flask import Response, request

from plugins.billing.gcpause import gc_paused
from plugins.billing.model import EXPENSE_ROOT, INCOME_ROOT, KINDS, RECEIVABLE_ROOT, UNLIMITED
from plugins.books import Books, ledger_postings
from plugins.margin import loaded as _loaded  # not its class: Fava would take it for a page
from plugins.margin.charts import client_charts, portfolio_charts
from plugins.margin.ledger_view import converter, interval_name, money_filtered, period_of
from plugins.margin.legend import Chart, assign_colors
from plugins.margin.recurring import RecurringRevenue
from plugins.margin.statement_view import statement_response
from plugins.margin.utilization import Utilization
from plugins.margin.watch import watch_listed_folders
from plugins.margin.whatif_view import whatif_response
from plugins.reports.checks import idle_months
from plugins.reports.csvtext import csv_text
from plugins.reports.flags import (
    LOSS_FLAGS,
    Flag,
    ShownFlag,
    WarningGroup,
    flags_rank,
    group_warnings,
    ranked_flags,
    upsell_flag,
)
from plugins.reports.margin import (
    TABLE_COLUMNS,
    ClientRow,
    FailedContract,
    MonthFigures,
    Portfolio,
    build_portfolio,
    failed_contracts,
    table_footer,
    table_rows,
)
from plugins.reports.projects import ProjectFigures, build_projects

if TYPE_CHECKING:  # pragma: no cover
    from beancount.core.data import Directive

    from plugins.billing.model import Contract

__all__ = ["ClientMargin", "RecurringRevenue", "Utilization"]  # Fava registers each page class

_CACHE_SIZE = 32
_CENT = Decimal("0.01")


@dataclass
class Report:
    """What the template renders for one request."""

    portfolio: Portfolio | None = None
    client: ClientRow | None = None  # the drill-down's primary row
    client_rows: list[ClientRow] = field(default_factory=list)  # all its currencies
    charts: list[Chart] = field(default_factory=list)
    error: str | None = None
    unknown_client: str | None = None
    projects: list[ProjectFigures] = field(default_factory=list)  # the drill-down's client's


class ClientMargin(_loaded.BooksPage):
    """Per-client revenue, cost, margin and effective rate under Fava's filters."""

    report_title = "Client Margin"
    #: ``ClientMargin.js`` beside this module paints the charts' stacks in stable colours.
    has_js_module = True
    #: For the template: the kinds of hours (a column each) and the unlimited allowance.
    kinds = KINDS
    unlimited = UNLIMITED
    expense_root = EXPENSE_ROOT

    @staticmethod
    def cents(value: Decimal) -> Decimal:
        """A figure to the cent, half-up, before Fava formats it (Fava rounds half-even): the
        page then shows what ``retainer margin`` shows."""
        return value.quantize(_CENT, rounding=ROUND_HALF_UP)

    @staticmethod
    def hundredths(value: Decimal | int) -> str:
        """Hours to the hundredth, half-up, as text (``'%.2f'`` would go through float)."""
        return f"{Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP):.2f}"

    def after_load_file(self) -> None:
        """Rebill from the freshly loaded entries: contracts and time edits show on reload.

        The pass is the one the Recurring Revenue and Utilization pages share; billed here
        once per load, not on the first request.
        """
        watch_listed_folders(self.ledger)  # a new contracts/*.yaml is a change too
        self._cache: dict[tuple[str, ...], Portfolio] = {}
        super().after_load_file()
        if self.books is not None:
            self.books.bills  # noqa: B018

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
            charts = portfolio_charts(portfolio, interval, self.client_colors())
            return Report(portfolio, charts=charts, projects=projects)
        row = portfolio.row(client)
        if row is None:
            return Report(portfolio, unknown_client=client)
        charts = client_charts(row.months, row.currency, interval)
        projects = build_projects(books.clients, books.practice, books.bills, books.time, client)
        return Report(portfolio, row, portfolio.rows_of(client), charts, projects=projects)

    @staticmethod
    def row_flags(row: ClientRow) -> list[Flag]:
        """A row's flags and, over the included hours three months running, the upsell one."""
        upsell = upsell_flag(row.months) if row.primary else None
        return [*row.flags, upsell] if upsell is not None else list(row.flags)

    @staticmethod
    def shown_flags(figures: ClientRow | MonthFigures) -> list[ShownFlag]:
        """The flags of a row (or month) ranked: what loses money first, upsells last."""
        flags = ClientMargin.row_flags(figures) if isinstance(figures, ClientRow) else figures.flags
        return ranked_flags(flags, figures.judged)

    @staticmethod
    def ranked_one(flag: Flag) -> ShownFlag:
        """A flag not ranked with its row's (a project's): a loss or one to watch."""
        return ranked_flags([flag])[0] if flag.code in LOSS_FLAGS else ShownFlag(flag, "watch")

    @staticmethod
    def rank(figures: ClientRow | MonthFigures) -> str:
        flags = ClientMargin.row_flags(figures) if isinstance(figures, ClientRow) else figures.flags
        return flags_rank(flags, figures.judged)

    def warning_groups(self, portfolio: Portfolio, client: str | None = None) -> list[WarningGroup]:
        """The warnings by kind (all clients', or one client's), with the data-quality check
        "months billed with no time recorded" beside the portfolio's own."""
        rows = [r for r in portfolio.rows if r.primary and client in (None, r.client)]
        found = list(portfolio.warnings) if client is None else [w for r in rows for w in r.warnings]
        for row in rows:
            found.extend(idle_months(row))
        return group_warnings(found)

    def group_clients(self, group: WarningGroup) -> list[str]:
        """The names of the clients a group of warnings is about, once each."""
        return list(dict.fromkeys(self.client_name(w.client) for w in group.warnings if w.client))

    def client_name(self, client: str) -> str:
        """A client's name as the contract gives it (its id when the contract failed)."""
        contract = self.books.clients.get(client) if self.books is not None else None
        return contract.name if contract is not None else client

    def failed(self) -> list[FailedContract]:
        """Clients whose contract fails to load: a row each, and not in the totals."""
        books = self.books
        if books is None:
            return []
        return failed_contracts(books.contracts.failed_clients, books.contracts.problems)

    def client_colors(self) -> dict[str, str]:
        """Each client's chart colour, the same on every page and under every filter: given
        over all contracts (broken ones too), oldest contract first, so a new one moves none."""
        books = self.books
        if books is None:
            return {}
        contracts = books.clients
        ordered = sorted(contracts, key=lambda c: (contracts[c].starts, c))
        return assign_colors([*ordered, *sorted(books.contracts.failed_clients - set(contracts))])

    @extension_endpoint
    def portfolio_csv(self) -> Response:
        """The portfolio table under the current filters as CSV: the rows and columns of
        ``retainer margin --format csv`` (``plugins.reports.margin.table_rows``)."""
        if self.error is not None:
            return Response(self.error + "\n", status=503, mimetype="text/plain")
        portfolio = self.portfolio()
        if portfolio is None:
            return Response("the report has not loaded yet: reload the page\n", 503, mimetype="text/plain")
        body = csv_text(TABLE_COLUMNS, [*table_rows(portfolio.rows), *table_footer(portfolio)])
        name = "client-margin.csv"
        return Response(
            body,
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @extension_endpoint
    def statement(self) -> Response:
        """A client's statement, as the page or (``&format=pdf``) the PDF: the drill-down's
        month links, ``statement?client=ID&month=YYYY-MM``."""
        postings = self.postings_by_account() if self.books is not None else {}
        return statement_response(self.books, self.error, postings, self.ledger.options, request.args)

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
