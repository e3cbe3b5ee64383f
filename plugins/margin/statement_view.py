"""The Client Margin page's statement links: a client's statement as a page or a PDF.

``/<ledger>/extension/ClientMargin/statement?client=ID&month=YYYY-MM`` (``&through=YYYY-MM``,
``&format=pdf``) serves the same statement ``retainer statement`` writes, built from the
whole ledger (a statement is the client's account, not what Fava's filters show).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response

from plugins.billing.rules import Month, parse_month_label
from plugins.books import Books
from plugins.reports.printing import PdfUnavailable
from plugins.reports.statement import Postings, StatementError, for_client
from plugins.reports.statement_format import to_html, to_pdf


def _month(text: str | None, name: str) -> Month:
    found = parse_month_label(text or "")
    if found is None:
        raise StatementError(f"{name}={text or ''!r} is not a month: write it as YYYY-MM, e.g. 2026-03")
    return found


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def statement_response(
    books: Books | None,
    error: str | None,
    postings: Postings,
    options: Mapping[str, Any],
    args: Mapping[str, str],
) -> Response:
    """The statement page (or its PDF) for the request's ``args``; a plain-text reason else."""
    if books is None:
        return _text(503, error or "the report has not loaded yet: reload the page")
    client = args.get("client", "").strip()
    try:
        first = _month(args.get("month"), "month")
        last = _month(args["through"], "through") if args.get("through") else first
        if client not in books.clients:
            return _text(404, f"no contract for client {client!r}")
        statement = for_client(books, postings, client, first, last, title=options.get("title"))
    except StatementError as exc:
        return _text(400, str(exc))
    if args.get("format") == "pdf":
        try:
            response = Response(to_pdf(statement), mimetype="application/pdf")
        except PdfUnavailable as exc:
            return _text(503, str(exc))
        response.headers["Content-Disposition"] = f'inline; filename="{statement.number}.pdf"'
        return response
    return Response(to_html(statement, notes=True), mimetype="text/html")
