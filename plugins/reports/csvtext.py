"""CSV as the commands and the Fava pages both give it: one writer, so a download from Fava
and ``retainer <report> --format csv`` hold the same bytes for the same rows; and the JSON
text every ``--format json`` prints.

Spreadsheets want plain numbers: no thousands separators, amounts to the cent (half-up).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal

CENT = Decimal("0.01")


def half_up(value: Decimal, step: Decimal = CENT) -> Decimal:
    """A figure as shown: half-up to ``step`` (a cent, an hour's hundredth), with digits
    enough for any figure, so a time entry of absurd hours (which the plugin reports as
    an error) still shows as the figure it makes, not as a crash of the report."""
    places = -int(step.as_tuple().exponent)  # 2 for a cent
    digits = Context(prec=max(28, value.adjusted() + places + 2))
    return value.quantize(step, rounding=ROUND_HALF_UP, context=digits)


def csv_cell(value: object) -> str:
    """How a value reads in a CSV cell: nothing for None, Decimals to the cent, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(half_up(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A header line of ``columns``, then a line per row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(csv_cell(value) for value in row)
    return out.getvalue()


def json_text(document: object) -> str:
    """A JSON document as the commands print it: indented, non-ASCII kept, a final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
