"""Fava: the drill-down's "what if" form and its endpoint, against the hand-worked figures."""

from __future__ import annotations

import html
import re

from fava.application import create_app
from support import WriteBooks

from .test_reprice import ACME, LEDGER, PRACTICE

FAVA_LINE = '2026-01-01 custom "fava-extension" "plugins.margin"\noption "title" "Acme Books"\n'


def test_drill_down_form_and_repriced_months(write_books: WriteBooks) -> None:
    books = write_books(FAVA_LINE + LEDGER, {"acme": ACME}, PRACTICE)
    app = create_app([str(books.path)], load=True)
    app.testing = True
    client = app.test_client()
    page = client.get("/acme-books/extension/ClientMargin/?client=acme").get_data(as_text=True)
    form = re.search(r'<form class="cm-whatif" action="([^"]+)"', page)
    assert form is not None and 'name="rates.onsite"' in page
    action = html.unescape(form.group(1))
    assert action.endswith("/extension/ClientMargin/whatif")
    response = client.get(
        action, query_string={"client": "acme", "monthly_fee": "300", "rates.remote": "150"}
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    # As in test_reprice: actual Jan 800.00 / Feb 500.00 / Mar 600.00, margin 1,510.00 in all;
    # repriced 750.00 / 300.00 / 450.00, margin 1,110.00; break-even fee 60.00.
    january = re.search(r'<tr data-month="2026-01">(.*?)</tr>', text, re.S)
    assert january is not None
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", january.group(1))
    assert cells[:4] == ["2026-01", "800.00", "200.00", "600.00"] and cells[6:9] == [
        "750.00",
        "200.00",
        "550.00",
    ]
    assert 'data-total-margin="actual">1,510.00<' in text and 'data-total-margin="proposed">1,110.00<' in text
    assert 'data-break-even="60.00"' in text
    # A bad value: the loader's message, on the page, with a 400.
    bad = client.get(action, query_string={"client": "acme", "rates.onsite": "-5"})
    assert bad.status_code == 400 and "rates.onsite must not be negative" in bad.get_data(as_text=True)
    assert client.get(action, query_string={"client": "nobody"}).status_code == 404
