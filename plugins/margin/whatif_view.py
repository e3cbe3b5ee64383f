"""The Client Margin drill-down's "what if" form: a client's months repriced beside the actual.

``/<ledger>/extension/ClientMargin/whatif?client=ID&monthly_fee=1200&rates.onsite=140``
(any of ``FIELDS``; ``plan=NAME``; ``from``/``through`` months) bills the client's recorded
time again with ``plugins.reports.reprice``, the module behind ``retainer reprice``, so the
page and the command always agree. It writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import jinja2
from flask import Response

from plugins.billing.rules import month_label, parse_month_label
from plugins.billing.whatif import WhatIfError, parse_settings
from plugins.books import Books
from plugins.reports.figures import Posting
from plugins.reports.reprice import reprice_client

#: The form's fields: the keys a renegotiation turns most (any term key works in the URL).
FIELDS = ("monthly_fee", "included_hours.remote", "included_hours.onsite", "rates.remote", "rates.onsite")


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def whatif_response(
    books: Books | None, error: str | None, postings: Iterable[Posting], args: Mapping[str, str]
) -> Response:
    """The what-if page for the request's ``args``; a plain-text reason when it cannot be made."""
    if books is None:
        return _text(503, error or "the report has not loaded yet: reload the page")
    client = args.get("client", "").strip()
    if client not in books.clients:
        return _text(404, f"no contract for client {client!r}")
    contract = books.clients[client]
    given = {name: args.get(name, "").strip() for name in FIELDS}
    problem = None
    found = None
    try:
        keys = parse_settings([f"{name}={value}" for name, value in given.items() if value])
        plan_name = args.get("plan", "").strip()
        plan = books.practice.plans.get(plan_name) if plan_name else None
        if plan_name and plan is None:
            offered = ", ".join(books.practice.plans) or "none"
            raise WhatIfError(f"unknown plan {plan_name!r}; plans: {offered}")
        first, last = (parse_month_label(args.get(name, "").strip()) for name in ("from", "through"))
        result = reprice_client(books, client, postings, plan, keys, first, last)
        if isinstance(result, str):
            problem = result
        else:
            found = result
    except WhatIfError as exc:
        problem = str(exc)
    html = _environment().get_template("_whatif.html").render(
        contract=contract,
        given=given,
        fields=FIELDS,
        plans=list(books.practice.plans),
        plan=args.get("plan", ""),
        found=found,
        problem=problem,
        label=month_label,
    )
    return Response(html, status=200 if problem is None else 400, mimetype="text/html")
